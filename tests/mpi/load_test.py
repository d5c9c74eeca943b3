#!/usr/bin/python3
"""Load: a sweep of 5,000 tiny units (1 epoch, width 4) on `mpirun -np 8 --oversubscribe`.

    load_test.py --dnnsweep PATH --workdir DIR [--ranks 8] [--units 5000]

Checks every unit is recorded exactly once, that the number of files does not grow with the unit
count (one shard per rank, one merged file), and prints the coordinator's own figures: its CPU,
its time per request, and the workers' time per shard append (docs/PERFORMANCE.md records them).
"""
import argparse
import os
import re
import subprocess
import sys
import time

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testlib import mpi_env  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dnnsweep", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--ranks", type=int, default=8)
    ap.add_argument("--units", type=int, default=5000)
    a = ap.parse_args()
    os.makedirs(a.workdir, exist_ok=True)
    env = mpi_env()

    rng = np.random.default_rng(4)
    data = os.path.join(a.workdir, "tiny.txt")
    y = rng.integers(0, 3, 120)
    x = rng.normal(0, 1, size=(120, 4)) + y[:, None]
    with open(data, "w") as f:
        for row, label in zip(x, y):
            f.write(" ".join(f"{v:.4f}" for v in row) + f" {label}\n")
    seeds = a.units // 50
    spec = os.path.join(a.workdir, "load.ini")
    with open(spec, "w") as f:
        f.write(f"data = {data}\nfolds = 1\nlayers = 1\nwidth = 4\nepochs = 1\nbatch-size = 32\n"
                f"learning-rate = {', '.join(f'{0.001 * (i + 1):g}' for i in range(50))}\n"
                f"seed = {', '.join(str(s) for s in range(seeds))}\n")
    out = os.path.join(a.workdir, "load.h5")
    subprocess.run(["rm", "-rf", out, out + ".parts"], check=True)

    t0 = time.monotonic()
    p = subprocess.run(["mpirun", "-np", str(a.ranks), "--oversubscribe", a.dnnsweep, "sweep", spec, "--out", out,
                        "--progress", "lines", "--progress-interval", "5"],
                       capture_output=True, text=True, env=env, timeout=1800)
    wall = time.monotonic() - t0
    if p.returncode != 0:
        sys.exit(f"sweep exited {p.returncode}: {p.stderr[-2000:]}")
    figures = [line for line in p.stderr.splitlines() if "coordinator CPU" in line]
    print(f"{a.units} units on {a.ranks} ranks in {wall:.1f} s; {figures[0] if figures else ''}")

    failed = False
    with h5py.File(out, "r") as f:
        ids = [u.decode() if isinstance(u, bytes) else u for u in np.asarray(f["folds"])["unit_id"]]
    once = len(ids) == len(set(ids)) == 50 * seeds
    print(("ok      " if once else "FAILED  ") + f"every unit recorded exactly once ({len(ids)} rows, {len(set(ids))} ids)")
    failed |= not once
    files = sum(len(names) for _, _, names in os.walk(out + ".parts")) + 1
    few = files <= a.ranks + 1
    print(("ok      " if few else "FAILED  ") + f"{files} files for {len(ids)} units (one shard per worker + the merge)")
    failed |= not few
    m = re.search(r"per unit: ([0-9.]+) us at rank 0", figures[0] if figures else "")
    fast = m is not None and float(m.group(1)) < 1000.0
    print(("ok      " if fast else "FAILED  ") + f"rank 0 spends {m.group(1) if m else '?'} us per unit (< 1 ms)")
    failed |= not fast
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
