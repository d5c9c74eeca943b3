#!/usr/bin/python3
"""Group commit (runner/sweep/group_commit.hpp): short units handed out, recorded (one append, one
fsync) and reported in batches; real mpirun jobs read back with h5py.

    group_commit_test.py equal --dnnsweep PATH --workdir DIR
    group_commit_test.py kill  --dnnsweep PATH --workdir DIR

equal: 1,200 one-millisecond units on 3 ranks go out in batches (the sweep's closing line says
       more than one unit per batch) and each is recorded exactly once; the results equal those of
       --batch-seconds 0 (one unit per request and per sync) on 3 ranks and of a one-rank run
       (tests/regression/same_results.py), and so do chance pruning on one rank and successive
       halving on 3 ranks with and without batches; units longer than --batch-seconds go one by one.
kill:  a worker SIGKILLed in the middle of a sweep of 7,200 short units: every unit rank 0 had
       counted done by then (its last progress line) is in the shards, and the resumed sweep
       records every unit exactly once with the results of an uninterrupted run.
"""
import argparse
import glob
import os
import re
import signal
import subprocess
import sys
import threading
import time

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
from testlib import check, fresh, mpi_env, text, write_clusters  # noqa: E402

SAME_RESULTS = os.path.join(HERE, "..", "regression", "same_results.py")

SHORT = """data = {data}
folds = {folds}
epochs = {epochs}
prune = {prune}
layers = 1, 2
width = 4, 8
activation = relu, tanh, sigmoid
optimizer = sgd, adam
learning-rate = 0.0001, 0.001, 0.01, 0.1, 0.5
batch-size = 32, 64
seed = {seeds}
"""
PER_BATCH = re.compile(r"([\d.]+) units per batch")
PROGRESS = re.compile(r"sweep: (\d+)/(\d+) units done")


class Env:
    def __init__(self, a):
        self.dnnsweep, self.workdir = a.dnnsweep, a.workdir
        os.makedirs(a.workdir, exist_ok=True)
        self.env = mpi_env()
        self.data = self.path("clusters9.txt")
        write_clusters(self.data, n=900, features=4, classes=9, seed=20, spread=1.5)

    def path(self, name):
        return os.path.join(self.workdir, name)

    def spec(self, name, folds=1, epochs=1, prune="none", seeds="0, 1, 2, 3, 4"):
        p = self.path(name)
        with open(p, "w") as f:
            f.write(SHORT.format(data=self.data, folds=folds, epochs=epochs, prune=prune, seeds=seeds))
        return p

    def command(self, spec, out, ranks, extra):
        cmd = [self.dnnsweep, "sweep", spec, "--out", out, *extra]
        return ["mpirun", "-np", str(ranks), "--oversubscribe"] + cmd if ranks > 1 else cmd

    def run(self, spec, out, ranks=3, extra=()):
        fresh(out)
        p = subprocess.run(self.command(spec, out, ranks, ["--progress", "none", *extra]), env=self.env,
                           capture_output=True, text=True, timeout=900)
        if p.returncode != 0:
            sys.exit(f"sweep {out} exited {p.returncode}: {p.stderr[-2000:]}")
        m = PER_BATCH.search(p.stderr)
        return float(m.group(1)) if m else None


def folds(path):
    with h5py.File(path, "r") as f:
        return np.asarray(f["folds"])


def same_results(a, b):
    p = subprocess.run(["/usr/bin/python3", SAME_RESULTS, a, b], capture_output=True, text=True)
    if p.returncode != 0:
        print(p.stdout[-2000:], p.stderr[-2000:])
    return p.returncode == 0


def once_each(path, units):
    u = folds(path)["unit"]
    return len(u) == units and len(set(u.tolist())) == units


def equal(e):
    spec = e.spec("short.ini")  # 240 configurations x 5 seeds, one fold, one epoch
    batched, single, alone = e.path("batched.h5"), e.path("single.h5"), e.path("alone.h5")
    per_batch = e.run(spec, batched)
    check(per_batch is not None and per_batch > 2,
          f"3 ranks, 1,200 short units: handed out and recorded in batches ({per_batch} units per batch)")
    check(once_each(batched, 1200), "every unit recorded exactly once")
    per_batch = e.run(spec, single, extra=["--batch-seconds", "0"])
    check(per_batch == 1.0, f"--batch-seconds 0: one unit per batch ({per_batch})")
    check(same_results(batched, single), "results with batches equal results without (3 ranks)")
    e.run(spec, alone, ranks=1)
    check(same_results(batched, alone), "results of 3 ranks with batches equal a one-rank run's")

    # Chance pruning: on one rank the order is fixed, so batches must not change which folds train.
    chance = e.spec("chance.ini", folds=3, epochs=4, prune="chance", seeds="0")
    a, b = e.path("chance_batched.h5"), e.path("chance_single.h5")
    e.run(chance, a, ranks=1)
    e.run(chance, b, ranks=1, extra=["--batch-seconds", "0"])
    rows = folds(a)
    pruned = rows[np.array([text(v) == "pruned" for v in rows["status"]], dtype=bool)]
    check(len(pruned) > 0 and (pruned["epochs"] == 0).any(),
          f"chance pruning pruned units ({len(pruned)}), some recorded without training")
    check(same_results(a, b), "chance pruning, one rank: the same units pruned and trained with batches as without")

    # Successive halving: deterministic on any rank count, batches or not.
    halving = e.spec("halving.ini", folds=2, epochs=9, prune="halving", seeds="0")
    a, b = e.path("halving_batched.h5"), e.path("halving_single.h5")
    e.run(halving, a)
    e.run(halving, b, ranks=1, extra=["--batch-seconds", "0"])
    check(same_results(a, b), "successive halving: 3 ranks with batches equal one rank without")

    # Units longer than --batch-seconds (0.03-0.2 s each here, some stopped early, against 5 ms) go
    # one per request.
    long_spec = e.path("long.ini")
    with open(long_spec, "w") as f:
        f.write(f"data = {e.data}\nfolds = 2\nepochs = 60\nprune = none\nlayers = 2\nwidth = 32\n"
                "learning-rate = 0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.1\nbatch-size = 8\n")
    per_batch = e.run(long_spec, e.path("long.h5"), extra=["--batch-seconds", "0.005"])
    check(per_batch == 1.0, f"units longer than --batch-seconds: one per batch ({per_batch})")


def shard_units(out):
    """Units with a complete record (a `folds` row with its status) in the shards, read in SWMR mode."""
    units = set()
    for shard in glob.glob(os.path.join(out + ".parts", "*.h5")):
        with h5py.File(shard, "r", swmr=True) as f:
            rows = np.asarray(f["folds"])
        units.update(int(u) for u, s in zip(rows["unit"], rows["status"]) if len(s) > 0)
    return units


def kill(e):
    spec = e.spec("kill.ini", seeds=", ".join(str(s) for s in range(30)))  # 7,200 units
    units = 7200
    reference, out = e.path("kill_ref.h5"), e.path("kill.h5")
    e.run(spec, reference, ranks=1)
    fresh(out)
    p = subprocess.Popen(e.command(spec, out, 3, ["--progress", "lines", "--progress-interval", "0.01"]),
                         env=e.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    last = [0]

    def read():
        for line in p.stderr:
            m = PROGRESS.search(line)
            if m:
                last[0] = int(m.group(1))

    reader = threading.Thread(target=read)
    reader.start()
    deadline = time.monotonic() + 300
    while last[0] < 1000 and p.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    workers = []  # the ranks other than 0, by Open MPI's OMPI_COMM_WORLD_RANK in their environment
    for pid in subprocess.run(["ps", "-o", "pid=", "--ppid", str(p.pid)], capture_output=True,
                              text=True).stdout.split():
        try:
            with open(f"/proc/{pid}/environ", "rb") as f:
                env = f.read().split(b"\0")
            if any(v.startswith(b"OMPI_COMM_WORLD_RANK=") and v != b"OMPI_COMM_WORLD_RANK=0" for v in env):
                workers.append(int(pid))
        except OSError:
            pass
    killed = p.poll() is None and len(workers) == 2
    if killed:
        os.kill(workers[0], signal.SIGKILL)
    p.wait(timeout=300)
    reader.join(timeout=60)
    check(killed and p.returncode != 0, f"a worker SIGKILLed after {last[0]} units were reported (exit {p.returncode})")
    recorded = shard_units(out)
    check(len(recorded) >= last[0] > 0,
          f"every unit counted done ({last[0]}) is in the shards ({len(recorded)} complete records)")
    resumed = subprocess.run(e.command(spec, out, 3, ["--progress", "none"]), env=e.env, capture_output=True,
                             text=True, timeout=900)
    check(resumed.returncode == 0, f"the resumed sweep completes (exit {resumed.returncode}) "
          f"{resumed.stderr.strip()[-300:] if resumed.returncode else ''}")
    check(once_each(out, units), "after the resume every unit is recorded exactly once")
    check(same_results(out, reference), "the resumed results equal an uninterrupted run's")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["equal", "kill"])
    ap.add_argument("--dnnsweep", required=True)
    ap.add_argument("--workdir", required=True)
    a = ap.parse_args()
    {"equal": equal, "kill": kill}[a.what](Env(a))
    sys.exit(1 if check.failed else 0)


if __name__ == "__main__":
    main()
