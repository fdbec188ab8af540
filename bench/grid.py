#!/usr/bin/env python3
"""`make bench`'s grid: trainer against numpy (and PyTorch when installed) at
every width and batch size, side by side in one run.

Networks 784-30-10, 784-100-10, 784-300-10, 784-1000-10 and 784-1000-1000-10
(sigmoid, SSE, float32, plain SGD, learning rate 0.1), each at batch 1, 10,
100 and 1000, on the first GRID_SAMPLES MNIST training images (default
6,000), GRID_EPOCHS epochs (default 3). Per row: seconds per epoch (the median
of the epochs' training time: trainer's `train_seconds` column, the peers'
own timers around the training loop alone), GFLOP/s counting the products'
2·m·k·n flops (forward and gradient for every layer, δ for every layer but
the first, which needs none), the
multiple of the FMA floor (the time the flops would take at this core's
peak, `kernel-bench --peak`; 1.0 would be every cycle two full FMAs), and
the ratio to numpy's time on one thread.

    python3 bench/grid.py            # or: make bench
    GRID_SAMPLES=2000 GRID_EPOCHS=2 python3 bench/grid.py   # a quick look
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TRAINER = os.path.join(ROOT, ".build", "release", "trainer")
KERNEL_BENCH = os.path.join(ROOT, ".build", "release", "kernel-bench")
MNIST = os.path.join(ROOT, "data", "mnist")
SAMPLES = int(os.environ.get("GRID_SAMPLES", "6000"))
EPOCHS = int(os.environ.get("GRID_EPOCHS", "3"))
NETWORKS = [[784, 30, 10], [784, 100, 10], [784, 300, 10], [784, 1000, 10], [784, 1000, 1000, 10]]
BATCHES = [1, 10, 100, 1000]
LEARNING_RATE = 0.1


def flops_per_sample(layers):
    """The multiply-adds of one sample's step, ×2: the forward and the weight
    gradient products for every layer (2·k·n each), and the delta product
    for every layer but the first (the inputs need no δ)."""
    products = [m * n for m, n in zip(layers, layers[1:])]
    return 4 * sum(products) + 2 * sum(products[1:])


def fma_peak():
    """This core's float32 FMA peak in GFLOP/s, from kernel-bench --peak; None without it."""
    if not os.path.exists(KERNEL_BENCH):
        return None
    result = subprocess.run([KERNEL_BENCH, "--peak"], capture_output=True, text=True)
    for line in result.stdout.splitlines():
        if line.startswith("peak "):
            return float(line.split()[1])
    return None


def run(command):
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"grid: {' '.join(command)} failed ({result.returncode}):\n{result.stderr}")
    return result.stdout


def trainer_seconds(layers, batch, threads, folder):
    config = {
        "network": {"layers": layers, "activation": "sigmoid"},
        "training": {"loss": "sse", "learning_rate": LEARNING_RATE, "epochs": EPOCHS, "batch_size": batch, "seed": 1,
                     "precision": "float32"},
        "data": {"train": {"idx_images": os.path.join(MNIST, "train-images-idx3-ubyte"),
                           "idx_labels": os.path.join(MNIST, "train-labels-idx1-ubyte"), "limit": SAMPLES}},
    }
    path = os.path.join(folder, "grid.json")
    with open(path, "w") as f:
        json.dump(config, f)
    stdout = run([TRAINER, "run", path, "--quiet", "--threads", str(threads), "--train-seconds", "--log", "-",
                  "--weights-out", os.path.join(folder, "grid.weights.json")])
    lines = stdout.strip().splitlines()
    column = lines[0].split(",").index("train_seconds")
    return statistics.median(float(line.split(",")[column]) for line in lines[1:])


def peer_seconds(script, layers, batch):
    stdout = run([sys.executable, os.path.join(ROOT, "bench", script), "--data", MNIST, "--layers",
                  ",".join(map(str, layers)), "--limit", str(SAMPLES), "--epochs", str(EPOCHS), "--batch", str(batch),
                  "--lr", str(LEARNING_RATE), "--threads", "1", "--no-test"])
    return statistics.median(float(line.split()[2]) for line in stdout.splitlines() if line.startswith("epoch "))


def main():
    if not os.path.exists(os.path.join(MNIST, "train-images-idx3-ubyte")):
        sys.exit("grid: no MNIST in data/mnist; run 'make mnist' first")
    peak = fma_peak()
    try:
        import torch  # noqa: F401
        peers = [("numpy", "peer_numpy.py"), ("pytorch", "peer_torch.py")]
    except Exception:  # not installed, or installed without what it loads
        peers = [("numpy", "peer_numpy.py")]
        print("grid: PyTorch is not installed (pip install torch to add it); numpy only")
    print(f"\nWidth x batch: first {SAMPLES:,} MNIST images, float32, sigmoid + SSE, plain SGD; median of {EPOCHS} epochs' training time")
    print("FMA floor: " + (f"{peak:.1f} GFLOP/s on one core (kernel-bench --peak)" if peak else "unknown (no kernel-bench --peak)"))
    print(f"{'network':<18} {'batch':>5} {'tool':<8} {'threads':>7} {'s/epoch':>8} {'GFLOP/s':>8} {'x floor':>7}  vs numpy")
    with tempfile.TemporaryDirectory() as folder:
        for layers in NETWORKS:
            name = "-".join(map(str, layers))
            work = flops_per_sample(layers) * SAMPLES / 1e9
            for batch in [b for b in BATCHES if b <= SAMPLES]:
                rows = []
                for tool, script in peers:
                    rows.append((tool, 1, peer_seconds(script, layers, batch)))
                for threads in [1, 2]:
                    rows.append(("trainer", threads, trainer_seconds(layers, batch, threads, folder)))
                numpy_time = rows[0][2]
                for tool, threads, seconds in rows:
                    floor = f"{seconds / (work / peak):>7.2f}" if peak else f"{'-':>7}"
                    ratio = "" if tool == "numpy" else f"  {numpy_time / seconds:.2f}x"
                    print(f"{name:<18} {batch:>5} {tool:<8} {threads:>7} {seconds:>8.4f} {work / seconds:>8.1f} {floor}{ratio}",
                          flush=True)


if __name__ == "__main__":
    main()
