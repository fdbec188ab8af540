#!/usr/bin/env python3
"""`make bench`: trainer against a numpy peer on MNIST, side by side, in one run.

For 784-30-10 and 784-100-10 (sigmoid, SSE, batch 10, learning rate 3.0) it
trains a few epochs with trainer (float32, 1 and 2 threads, and float64 with
1 thread) and with bench/peer_numpy.py (the same math, one GEMM per layer
per mini-batch, 1 and 2 BLAS threads), and prints per run: seconds per epoch
(the median over the epochs), samples per second, peak resident memory and the
test accuracy after the last epoch; then trainer's speed-up over numpy.

First, CSV ingestion: a generated CSV of BENCH_CSV_ROWS rows (default
1,000,000) of 101 one-digit integer cells (202 MB for a million rows; made
once, in .build/bench-csv) read whole process against whole process, the
median of BENCH_CSV_RUNS runs (default 3): `trainer check` on a config whose
data.train is the file (check loads the data), pandas.read_csv and
numpy.loadtxt; seconds, ns per cell, peak RSS, and each tool's time over
trainer's. BENCH_CSV_ROWS=0 skips it.

Timing of MNIST covers the training passes only: both tools train on data.train, and
the test accuracy is measured after training (`trainer eval`, and numpy's
own forward pass), outside the timed epochs. The kernels are verified
against the naive product before anything is timed.
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TRAINER = os.path.join(ROOT, ".build", "release", "trainer")
KERNEL_BENCH = os.path.join(ROOT, ".build", "release", "kernel-bench")
MNIST = os.path.join(ROOT, "data", "mnist")
EPOCHS = int(os.environ.get("BENCH_EPOCHS", "5"))
SAMPLES = 60000


def run_measured(command):
    """Runs a command and returns (stdout, its peak RSS in MiB, via wait4)."""
    with tempfile.TemporaryFile(mode="w+") as errors:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, text=True)
        stdout = process.stdout.read()
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            errors.seek(0)
            sys.exit(f"bench: {' '.join(command)} failed ({process.returncode}):\n{errors.read()}")
    return stdout, usage.ru_maxrss / 1024


CSV_ROWS = int(os.environ.get("BENCH_CSV_ROWS", "1000000"))
CSV_RUNS = int(os.environ.get("BENCH_CSV_RUNS", "3"))
CSV_COLUMNS = 101


GENERATE_CSV = """
import sys, numpy
path, rows, columns = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
cells = numpy.random.default_rng(1).integers(0, 10, size=(rows, columns), dtype=numpy.uint8)
header = ",".join([f"x{i}" for i in range(columns - 1)] + ["y"])
with open(path, "w") as f:
    f.write(header + "\\n")
    for start in range(0, rows, 100_000):
        block = cells[start:start + 100_000] + ord("0")
        lines = numpy.full((len(block), 2 * columns), ord(","), dtype=numpy.uint8)
        lines[:, 0::2] = block
        lines[:, -1] = ord("\\n")
        f.write(lines.tobytes().decode("ascii"))
"""


def csv_file(rows):
    """The benchmark CSV of `rows` rows (made once): a header, then one-digit
    cells. Made by a child process: Linux reports a child's peak RSS as at
    least its parent's at the fork, so this process must stay small for the
    peaks measured after it."""
    folder = os.path.join(ROOT, ".build", "bench-csv")
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, f"rows-{rows}.csv")
    if not os.path.exists(path):
        subprocess.run([sys.executable, "-c", GENERATE_CSV, path + ".part", str(rows), str(CSV_COLUMNS)], check=True)
        os.rename(path + ".part", path)
    return path


def timed(command):
    """The median wall seconds of CSV_RUNS runs of `command`, and its largest peak RSS."""
    seconds, peaks = [], []
    for _ in range(CSV_RUNS):
        start = time.monotonic()
        _, rss = run_measured(command)
        seconds.append(time.monotonic() - start)
        peaks.append(rss)
    return statistics.median(seconds), max(peaks)


def csv_bench():
    path = csv_file(CSV_ROWS)
    cells = CSV_ROWS * CSV_COLUMNS
    size = os.path.getsize(path)
    with tempfile.TemporaryDirectory() as folder:
        config = os.path.join(folder, "csv.json")
        with open(config, "w") as f:
            json.dump({"network": {"layers": [CSV_COLUMNS - 1, 8, 1], "activation": "sigmoid"},
                       "training": {"loss": "mse", "learning_rate": 0.1, "epochs": 1, "batch_size": 100, "precision": "float32"},
                       "data": {"train": {"csv": path}}}, f)
        stdout, _ = run_measured([TRAINER, "check", config])
        if f"data.train: {CSV_ROWS} samples" not in stdout:
            sys.exit(f"bench: trainer check did not load the CSV:\n{stdout}")
        tools = [
            ("trainer", [TRAINER, "check", config]),
            ("pandas", [sys.executable, "-c", f"import pandas; pandas.read_csv({path!r})"]),
            ("numpy", [sys.executable, "-c", f"import numpy; numpy.loadtxt({path!r}, delimiter=',', skiprows=1)"]),
        ]
        print(f"CSV ingestion: {CSV_ROWS:,} rows x {CSV_COLUMNS} one-digit cells ({size / 1e6:.0f} MB), whole process, "
              f"median of {CSV_RUNS} runs")
        print(f"{'tool':<8} {'seconds':>8} {'ns/cell':>8} {'peak RSS':>9}  vs trainer")
        own = None
        for name, command in tools:
            seconds, rss = timed(command)
            own = own or seconds
            print(f"{name:<8} {seconds:>8.2f} {seconds / cells * 1e9:>8.1f} {rss:>6.0f} MB  {seconds / own:.2f}x the time")
        print()


def trainer_run(hidden, threads, precision, folder):
    config = {
        "network": {"layers": [784, hidden, 10], "activation": "sigmoid"},
        "training": {"loss": "sse", "learning_rate": 3.0, "epochs": EPOCHS, "batch_size": 10, "seed": 1, "precision": precision},
        "data": {"train": {"idx_images": os.path.join(MNIST, "train-images-idx3-ubyte"),
                           "idx_labels": os.path.join(MNIST, "train-labels-idx1-ubyte")}},
    }
    eval_config = dict(config, data={"train": {"idx_images": os.path.join(MNIST, "t10k-images-idx3-ubyte"),
                                               "idx_labels": os.path.join(MNIST, "t10k-labels-idx1-ubyte")}})
    path = os.path.join(folder, f"bench-{hidden}-{precision}-{threads}.json")
    with open(path, "w") as f:
        json.dump(config, f)
    eval_path = path.replace(".json", "-eval.json")
    with open(eval_path, "w") as f:
        json.dump(eval_config, f)
    weights = path.replace(".json", ".weights.json")
    stdout, rss = run_measured([TRAINER, "run", path, "--quiet", "--threads", str(threads), "--log", "-", "--weights-out", weights])
    rows = [line.split(",") for line in stdout.strip().splitlines()[1:]]
    seconds = [float(row[-1]) for row in rows]
    epoch_times = [b - a for a, b in zip([0.0] + seconds, seconds)]
    evaluation, _ = run_measured([TRAINER, "eval", weights, eval_path, "--format", "json"])
    accuracy = json.loads(evaluation)["accuracy"]
    return statistics.median(epoch_times), rss, accuracy


def numpy_run(hidden, threads, precision):
    stdout, rss = run_measured([sys.executable, os.path.join(ROOT, "bench", "peer_numpy.py"), "--data", MNIST,
                                "--hidden", str(hidden), "--epochs", str(EPOCHS), "--threads", str(threads),
                                "--precision", precision])
    epochs = [line.split() for line in stdout.splitlines() if line.startswith("epoch ")]
    return statistics.median(float(e[2]) for e in epochs), rss, float(epochs[-1][3])


def main():
    if CSV_ROWS > 0:
        csv_bench()
    if not os.path.exists(os.path.join(MNIST, "train-images-idx3-ubyte")):
        sys.exit("bench: no MNIST in data/mnist; run 'make mnist' first")
    if os.path.exists(KERNEL_BENCH):
        subprocess.run([KERNEL_BENCH, "--quick"], check=True)
    print(f"MNIST, 60,000 training images, batch 10, learning rate 3.0, sigmoid + SSE; median of {EPOCHS} epochs")
    print(f"{'network':<12} {'tool':<8} {'precision':<9} {'threads':>7} {'s/epoch':>8} {'samples/s':>10} {'peak RSS':>9} {'accuracy':>8}  vs numpy")
    with tempfile.TemporaryDirectory() as folder:
        for hidden in [30, 100]:
            network = f"784-{hidden}-10"
            peers = {}
            for threads in [1, 2]:
                seconds, rss, accuracy = numpy_run(hidden, threads, "float32")
                peers[threads] = seconds
                print(f"{network:<12} {'numpy':<8} {'float32':<9} {threads:>7} {seconds:>8.3f} {SAMPLES / seconds:>10,.0f} {rss:>6.0f} MB {accuracy:>8.4f}")
            runs = [(1, "float32"), (2, "float32"), (1, "float64")]
            own = {}
            for threads, precision in runs:
                seconds, rss, accuracy = trainer_run(hidden, threads, precision, folder)
                own[(threads, precision)] = seconds
                ratio = peers[threads] / seconds if precision == "float32" else peers[1] / seconds
                print(f"{network:<12} {'trainer':<8} {precision:<9} {threads:>7} {seconds:>8.3f} {SAMPLES / seconds:>10,.0f} {rss:>6.0f} MB {accuracy:>8.4f}  {ratio:.1f}x faster")
            print(f"{network:<12} trainer float64 / float32, 1 thread: {own[(1, 'float64')] / own[(1, 'float32')]:.2f}x the time")


if __name__ == "__main__":
    main()
