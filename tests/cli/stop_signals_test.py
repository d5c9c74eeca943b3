#!/usr/bin/python3
"""Stop signals in the middle of training (runner/sweep/signals.hpp), many times over.

    stop_signals_test.py --dnnsweep build/runner/dnnsweep --workdir DIR

- `dnnsweep sweep` on one rank (the built-in digits, small layers), SIGINT at a random moment of its
  first seconds, 20 times: every run
  exits 3 (incomplete, resumable), never a crash. (A handler running on the training thread once
  corrupted the heap in about one run of three: "corrupted size vs. prev_size".)
- `dnnsweep train`, SIGTERM after its first epoch: it finishes the epoch, says so on stderr,
  reports the run as stopped by SIGTERM and exits 143; two SIGINTs: it exits 130 at once.
"""
import os
import random
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testlib import check, test_args, write_clusters  # noqa: E402

SPEC = """data = mnist
folds = 2
layers = 2
width = 32
activation = relu, tanh
learning-rate = 0.1, 0.01
optimizer = sgd
batch-size = 100
epochs = 30
prune = none
"""


def wait_for(p, text, timeout):
    """Reads p's stdout until a line contains text; returns the lines read."""
    lines, end = [], time.monotonic() + timeout
    while time.monotonic() < end:
        line = p.stdout.readline()
        if not line:
            break
        lines.append(line)
        if text in line:
            break
    return lines


def main():
    a = test_args()
    env = dict(os.environ, OMP_NUM_THREADS="1")
    data = os.path.join(a.workdir, "clusters.txt")
    write_clusters(data, n=2000, features=8, classes=4, seed=3, spread=2.0)
    spec = os.path.join(a.workdir, "stop.ini")
    with open(spec, "w") as f:
        f.write(SPEC)

    rng = random.Random(7)
    codes = []
    for i in range(20):
        out = os.path.join(a.workdir, f"r{i}.h5")
        shutil.rmtree(out + ".parts", ignore_errors=True)
        if os.path.exists(out):
            os.remove(out)
        p = subprocess.Popen([a.dnnsweep, "sweep", spec, "--out", out], env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True)
        time.sleep(rng.uniform(0.3, 2.0))
        p.send_signal(signal.SIGINT)
        try:
            _, err = p.communicate(timeout=60)
            codes.append(p.returncode)
        except subprocess.TimeoutExpired:  # a crash can end in a hang inside Open MPI's crash handler
            p.kill()
            _, err = p.communicate()
            codes.append("hung")
        if codes[-1] != 3:
            print(err[-2000:], flush=True)
    check(all(c == 3 for c in codes),
          f"sweep: SIGINT at a random moment, 20 runs: exit 3 (incomplete) every time ({codes})")

    train = [a.dnnsweep, "train", "--data", data, "--layers", "2", "--width", "32", "--batch-size", "16",
             "--epochs", "1000"]
    p = subprocess.Popen(train, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for(p, "Epoch 1/", 60)
    p.send_signal(signal.SIGTERM)
    out, err = p.communicate(timeout=60)
    check(p.returncode == 143 and "stopping after this epoch" in err and "stopped by SIGTERM" in out,
          f"train: SIGTERM: finishes the epoch, reports it stopped, exits 143 ({p.returncode}; "
          f"{out.strip().splitlines()[-1] if out.strip() else ''}; {err.strip()})")

    p = subprocess.Popen(train, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for(p, "Epoch 1/", 60)
    p.send_signal(signal.SIGINT)
    time.sleep(0.05)
    p.send_signal(signal.SIGINT)
    start = time.monotonic()
    p.communicate(timeout=60)
    check(p.returncode == 130 and time.monotonic() - start < 5, f"train: a second SIGINT exits 130 at once ({p.returncode})")
    sys.exit(1 if check.failed else 0)


if __name__ == "__main__":
    main()
