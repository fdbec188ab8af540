#!/usr/bin/env python3
"""The benchmark's peer: the same training as `trainer` in numpy, one GEMM per
layer per mini-batch, as a user would write it (Nielsen's network.py,
vectorised over the batch).

784-N-10 sigmoid network (or any 784-…-10 with --layers), SSE loss,
mini-batch SGD (W -= lr * mean gradient), shuffled every epoch, float32 or
float64, MNIST from IDX files (the first --limit training images). Prints one
line per epoch: `epoch seconds test_accuracy`, then `peak_rss_mb N`.

    python3 bench/peer_numpy.py --hidden 30 --epochs 3 --batch 10 --lr 3.0 --threads 1
    python3 bench/peer_numpy.py --layers 784,1000,1000,10 --limit 6000 --batch 100
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
    parser.add_argument("--layers", help="layer sizes, comma-separated (overrides --hidden)")
    parser.add_argument("--limit", type=int, help="train on the first N images only")
    parser.add_argument("--no-test", action="store_true", help="skip the test accuracy (prints 0)")
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

    x_train = (idx("train-images-idx3-ubyte", 16).reshape(-1, 784)[:args.limit] / 255.0).astype(dtype)
    y_train = idx("train-labels-idx1-ubyte", 8)[:args.limit]
    x_test = (idx("t10k-images-idx3-ubyte", 16).reshape(-1, 784) / 255.0).astype(dtype)
    y_test = idx("t10k-labels-idx1-ubyte", 8)
    t_train = np.eye(10, dtype=dtype)[y_train]

    rng = np.random.default_rng(args.seed)
    sizes = [int(n) for n in args.layers.split(",")] if args.layers else [784, args.hidden, 10]
    weights = [rng.uniform(-1, 1, (m, n)).astype(dtype) * dtype(np.sqrt(6.0 / (m + n))) for m, n in zip(sizes, sizes[1:])]
    biases = [np.zeros(n, dtype=dtype) for n in sizes[1:]]
    lr = dtype(args.lr)
    layers = len(weights)

    def sigmoid(z):
        return 1 / (1 + np.exp(-z))

    def forward(x):
        for w, b in zip(weights, biases):
            x = sigmoid(x @ w + b)
        return x

    n = len(x_train)
    for epoch in range(1, args.epochs + 1):
        start = time.perf_counter()
        order = rng.permutation(n)
        for s in range(0, n, args.batch):
            batch = order[s:s + args.batch]
            a = [x_train[batch]]
            t = t_train[batch]
            m = dtype(len(batch))
            for w, b in zip(weights, biases):
                a.append(sigmoid(a[-1] @ w + b))                 # a[k+1] = σ(a[k]·W[k] + b[k])
            d = (a[-1] - t) * a[-1] * (1 - a[-1])                # δ = (a - t) ⊙ σ'(z)
            for k in range(layers - 1, -1, -1):
                below = (d @ weights[k].T) * a[k] * (1 - a[k]) if k > 0 else None  # δ[k-1] = (δ[k]·W[k]ᵀ) ⊙ σ'(z[k-1])
                weights[k] -= (lr / m) * (a[k].T @ d)            # W -= η · mean(aᵀ·δ)
                biases[k] -= (lr / m) * d.sum(axis=0)
                d = below
        seconds = time.perf_counter() - start
        accuracy = 0.0 if args.no_test else float((forward(x_test).argmax(axis=1) == y_test).mean())
        print(f"epoch {epoch} {seconds:.4f} {accuracy:.4f}", flush=True)
    print(f"peak_rss_mb {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f}")


if __name__ == "__main__":
    sys.exit(main())
