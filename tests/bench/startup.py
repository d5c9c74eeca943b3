#!/usr/bin/python3
"""Where a sweep's wall clock goes besides training: start-up with and without MPI, and the
parallel efficiency of a whole sweep by the wall clock around mpirun. A benchmark
(docs/PERFORMANCE.md, "Start-up"), not a test.

    tests/bench/startup.py --dnnsweep build/runner/dnnsweep [--repeats 5] [--epochs 2]
        [--skip-sweep] [--workdir /tmp/startup_bench] [--json F]

Start-up: a one-unit sweep (one tiny configuration on a 300-row text dataset, one fold, one
epoch) run as a plain process (no MPI at all: dnnsweep only initialises MPI when a launcher
started it), under `mpirun -np 1`, and under `mpirun -np 3` (coordinator and 2 workers): median
wall of --repeats runs each, the three interleaved so that load changes hit them alike.

Whole sweep: 32 MNIST units (8 configurations x 4 folds, 3-layer 256-wide networks, --epochs
epochs) on `mpirun -np 3`: the wall clock around mpirun against the units' training seconds (the
results' `seconds`), and where the rest went, from the results file's clocks: before the run
(mpirun, MPI_Init, the spec, data load and check, the shared dataset), the units' set-up, the
workers' idle time between their units, the tail (one worker done, the other still training),
and after the last unit (merge, finalize, exit).
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testlib import fresh, mpi_env, write_clusters  # noqa: E402

ONE_UNIT = "data = {data}\nfolds = 1\nlayers = 1\nwidth = 8\nepochs = 1\n"
SWEEP = """data = mnist
test-fraction = 0.2
folds = 4
layers = 3
width = 256
activation = relu, tanh
optimizer = sgd, adam
learning-rate = 0.01, 0.003
batch-size = 100
epochs = {epochs}
prune = none
"""
SETUP = re.compile(r"unit set-up .* ([\d.]+)% of the units' time")


def timed(cmd, env):
    t0 = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    wall = time.monotonic() - t0
    if p.returncode != 0:
        sys.exit(f"startup: {' '.join(cmd)} exited {p.returncode}:\n{p.stderr[-3000:]}")
    return wall, p.stderr


def startup(a, env):
    data = os.path.join(a.workdir, "tiny.txt")
    write_clusters(data, n=300, features=4, classes=3, seed=1, spread=1.0)
    spec = os.path.join(a.workdir, "one_unit.ini")
    with open(spec, "w") as f:
        f.write(ONE_UNIT.format(data=data))
    out = os.path.join(a.workdir, "one_unit.h5")
    ways = {"alone (no MPI)": [], "mpirun -np 1": ["mpirun", "-np", "1"],
            "mpirun -np 3": ["mpirun", "-np", "3", "--oversubscribe"]}
    walls = {k: [] for k in ways}
    for _ in range(a.repeats):
        for name, launcher in ways.items():
            fresh(out)
            walls[name].append(
                timed(launcher + [a.dnnsweep, "sweep", spec, "--out", out, "--progress", "none"], env)[0])
    return {name: {"median_s": statistics.median(w), "min_s": min(w), "runs": w} for name, w in walls.items()}


def whole_sweep(a, env):
    spec = os.path.join(a.workdir, "sweep32.ini")
    with open(spec, "w") as f:
        f.write(SWEEP.format(epochs=a.epochs))
    out = os.path.join(a.workdir, "sweep32.h5")
    fresh(out)
    t0 = time.time()
    wall, stderr = timed(["mpirun", "-np", "3", "--oversubscribe", a.dnnsweep, "sweep", spec, "--out", out,
                          "--progress", "none"], env)
    t1 = t0 + wall
    with h5py.File(out, "r") as f:
        rows = np.asarray(f["folds"])
        started = float(f.attrs["started_at"])
    training = float(rows["seconds"].sum())
    share = float(SETUP.search(stderr).group(1)) / 100.0  # the units' set-up, of set-up + training
    setup = training * share / (1.0 - share)
    # A unit's start, about: its set-up taken as the run's average share.
    begins = rows["finished_at"] - rows["seconds"] / (1.0 - share)
    per_rank = {}
    for r in np.unique(rows["rank"]):
        mine = rows[rows["rank"] == r]
        per_rank[int(r)] = {"first_start": float(begins[rows["rank"] == r].min()),
                            "last_end": float(mine["finished_at"].max()),
                            "busy": float(mine["seconds"].sum()) / (1.0 - share)}
    first = min(p["first_start"] for p in per_rank.values())
    last = max(p["last_end"] for p in per_rank.values())
    idle = sum(p["last_end"] - p["first_start"] - p["busy"] for p in per_rank.values())
    tail = sum(last - p["last_end"] for p in per_rank.values())
    workers = len(per_rank)
    return {"units": int(len(rows)), "workers": workers, "wall_s": wall, "training_s": training,
            "wall_efficiency": training / (workers * wall),
            "lost_worker_s": {"before the first unit (mpirun, MPI_Init, load, share)": workers * (first - t0),
                              "of which before the run's start (started_at)": workers * (started - t0),
                              "unit set-up": setup,
                              "idle between units (requests, recording)": idle,
                              "tail (waiting for the other worker's last unit)": tail,
                              "after the last unit (merge, finalize, exit)": workers * (t1 - last)}}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dnnsweep", required=True)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--epochs", type=int, default=2, help="epochs of the 32-unit sweep's units")
    ap.add_argument("--skip-sweep", action="store_true", help="measure the start-up only")
    ap.add_argument("--workdir", default="/tmp/startup_bench")
    ap.add_argument("--json", help="write the figures here too")
    a = ap.parse_args()
    os.makedirs(a.workdir, exist_ok=True)
    env = mpi_env()
    figures = {"startup": startup(a, env)}
    for name, f in figures["startup"].items():
        print(f"one-unit sweep, {name}: median {f['median_s']:.2f} s, best {f['min_s']:.2f} s", flush=True)
    if not a.skip_sweep:
        s = whole_sweep(a, env)
        figures["sweep"] = s
        print(f"{s['units']} units on {s['workers']} workers: wall {s['wall_s']:.1f} s, training "
              f"{s['training_s']:.1f} s, wall-clock efficiency {100 * s['wall_efficiency']:.1f}%")
        for what, seconds in s["lost_worker_s"].items():
            print(f"  worker-seconds {what}: {seconds:.2f}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(figures, f, indent=1)


if __name__ == "__main__":
    main()
