#!/usr/bin/env python3
"""The benchmark's peer: the same training as `trainer` in numpy, one GEMM per
layer per mini-batch, as a user would write it (Nielsen's network.py,
vectorised over the batch).

784-N-10 sigmoid network, SSE loss, mini-batch SGD (W -= lr * mean gradient),
shuffled every epoch, float32 or float64, MNIST from IDX files. Prints one
line per epoch: `epoch seconds test_accuracy`, then `peak_rss_mb N`.

    python3 bench/peer_numpy.py --hidden 30 --epochs 3 --batch 10 --lr 3.0 --threads 1
"""
import argparse
import os
import resource
import sys
import time


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=os.path.join(os.path.dirname(__file__), "..", "data", "mnist"))
    parser.add_argument("--hidden", type=int, default=30)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch", type=int, default=10)
    parser.add_argument("--lr", type=float, default=3.0)
    parser.add_argument("--precision", default="float32", choices=["float32", "float64"])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    # BLAS threads must be fixed before numpy loads.
    for name in ["OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"]:
        os.environ[name] = str(args.threads)
    import numpy as np

    dtype = np.float32 if args.precision == "float32" else np.float64

    def idx(name, offset):
        with open(os.path.join(args.data, name), "rb") as f:
            return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)

    x_train = (idx("train-images-idx3-ubyte", 16).reshape(-1, 784) / 255.0).astype(dtype)
    y_train = idx("train-labels-idx1-ubyte", 8)
    x_test = (idx("t10k-images-idx3-ubyte", 16).reshape(-1, 784) / 255.0).astype(dtype)
    y_test = idx("t10k-labels-idx1-ubyte", 8)
    t_train = np.eye(10, dtype=dtype)[y_train]

    rng = np.random.default_rng(args.seed)
    sizes = [784, args.hidden, 10]
    weights = [rng.uniform(-1, 1, (m, n)).astype(dtype) * dtype(np.sqrt(6.0 / (m + n))) for m, n in zip(sizes, sizes[1:])]
    biases = [np.zeros(n, dtype=dtype) for n in sizes[1:]]
    lr = dtype(args.lr)

    def sigmoid(z):
        return 1 / (1 + np.exp(-z))

    n = len(x_train)
    for epoch in range(1, args.epochs + 1):
        start = time.perf_counter()
        order = rng.permutation(n)
        for s in range(0, n, args.batch):
            batch = order[s:s + args.batch]
            a0 = x_train[batch]
            t = t_train[batch]
            m = dtype(len(batch))
            a1 = sigmoid(a0 @ weights[0] + biases[0])           # z = a·W + b
            a2 = sigmoid(a1 @ weights[1] + biases[1])
            d2 = (a2 - t) * a2 * (1 - a2)                        # δ = (a - t) ⊙ σ'(z)
            d1 = (d2 @ weights[1].T) * a1 * (1 - a1)             # δ[k] = (δ[k+1]·W[k+1]ᵀ) ⊙ σ'(z[k])
            weights[1] -= (lr / m) * (a1.T @ d2)                 # W -= η · mean(aᵀ·δ)
            biases[1] -= (lr / m) * d2.sum(axis=0)
            weights[0] -= (lr / m) * (a0.T @ d1)
            biases[0] -= (lr / m) * d1.sum(axis=0)
        seconds = time.perf_counter() - start
        out = sigmoid(sigmoid(x_test @ weights[0] + biases[0]) @ weights[1] + biases[1])
        accuracy = float((out.argmax(axis=1) == y_test).mean())
        print(f"epoch {epoch} {seconds:.4f} {accuracy:.4f}", flush=True)
    print(f"peak_rss_mb {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f}")


if __name__ == "__main__":
    sys.exit(main())
