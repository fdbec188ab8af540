#!/usr/bin/env python3
"""A second peer for the benchmark's grid: the training of peer_numpy.py in
PyTorch, written as a user would (tensors and the @ operator, the gradient
by hand as in the tutorials, no autograd, so both peers do the same flops).

Same options and output as peer_numpy.py: one line per epoch, `epoch
seconds test_accuracy`, then `peak_rss_mb N`. Used only when torch imports.

    python3 bench/peer_torch.py --layers 784,1000,10 --limit 6000 --batch 100 --threads 1
"""
import argparse
import os
import resource
import sys
import time


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=os.path.join(os.path.dirname(__file__), "..", "data", "mnist"))
    parser.add_argument("--layers", default="784,30,10")
    parser.add_argument("--limit", type=int)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch", type=int, default=10)
    parser.add_argument("--lr", type=float, default=3.0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-test", action="store_true")
    args = parser.parse_args()
    for name in ["OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"]:
        os.environ[name] = str(args.threads)
    import numpy as np
    import torch

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    def idx(name, offset):
        with open(os.path.join(args.data, name), "rb") as f:
            return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)

    x_train = torch.from_numpy((idx("train-images-idx3-ubyte", 16).reshape(-1, 784)[:args.limit] / 255.0).astype(np.float32))
    y_train = torch.from_numpy(idx("train-labels-idx1-ubyte", 8)[:args.limit].astype(np.int64))
    x_test = torch.from_numpy((idx("t10k-images-idx3-ubyte", 16).reshape(-1, 784) / 255.0).astype(np.float32))
    y_test = torch.from_numpy(idx("t10k-labels-idx1-ubyte", 8).astype(np.int64))
    t_train = torch.eye(10)[y_train]

    sizes = [int(n) for n in args.layers.split(",")]
    weights = [(torch.rand(m, n) * 2 - 1) * float(np.sqrt(6.0 / (m + n))) for m, n in zip(sizes, sizes[1:])]
    biases = [torch.zeros(n) for n in sizes[1:]]
    layers = len(weights)

    def forward(x):
        for w, b in zip(weights, biases):
            x = torch.sigmoid(x @ w + b)
        return x

    n = len(x_train)
    with torch.no_grad():
        for epoch in range(1, args.epochs + 1):
            start = time.perf_counter()
            order = torch.randperm(n)
            for s in range(0, n, args.batch):
                batch = order[s:s + args.batch]
                a = [x_train[batch]]
                t = t_train[batch]
                rate = args.lr / len(batch)
                for w, b in zip(weights, biases):
                    a.append(torch.sigmoid(a[-1] @ w + b))          # a[k+1] = σ(a[k]·W[k] + b[k])
                d = (a[-1] - t) * a[-1] * (1 - a[-1])              # δ = (a - t) ⊙ σ'(z)
                for k in range(layers - 1, -1, -1):
                    below = (d @ weights[k].T) * a[k] * (1 - a[k]) if k > 0 else None  # δ[k-1]
                    weights[k].sub_(rate * (a[k].T @ d))          # W -= η · mean(aᵀ·δ)
                    biases[k].sub_(rate * d.sum(dim=0))
                    d = below
            seconds = time.perf_counter() - start
            accuracy = 0.0 if args.no_test else float((forward(x_test).argmax(dim=1) == y_test).float().mean())
            print(f"epoch {epoch} {seconds:.4f} {accuracy:.4f}", flush=True)
    print(f"peak_rss_mb {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f}")


if __name__ == "__main__":
    sys.exit(main())
