#!/usr/bin/python3
"""Short units: what a sweep of one-millisecond units pays besides training, at several sizes,
with group commit (the default) and without it (--batch-seconds 0: one unit per request, one
fsync per unit), with and without --no-sync. A benchmark (docs/PERFORMANCE.md, "Short units"),
not a test.

    tests/bench/short_units.py --dnnsweep build/runner/dnnsweep [--units 600,9600,96000]
        [--modes batched,batched-nosync,single,single-nosync] [--workers 2] [--workdir DIR] [--json F]

The grid is the report-at-scale study's: layers 1-4 x width 8-64 x six activations x four
optimizers x five learning rates x five batch sizes = 9,600 configurations, one fold, one epoch,
on a 4-feature, 9-class, 2,700-row dataset of Gaussian clusters. 600 units: two layers of 16 only;
96,000: the 9,600 with ten seeds. Every run is `mpirun -np W+1 dnnsweep sweep`. Per run it prints
the wall time around mpirun, the units' training seconds (from the results), the wall-clock
efficiency (training seconds / (W x wall)), and the sweep's own figures per unit at the worker:
its wait for a unit and its recording (shard append and sync), and the units per batch. Every
run's metrics must equal the first run's of the same size (batching never changes results).
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testlib import mpi_env, write_clusters  # noqa: E402

GRID = """data = {data}
folds = 1
epochs = 1
prune = none
layers = {layers}
width = {widths}
activation = sigmoid, tanh, relu, leaky_relu, elu, maxout
optimizer = sgd, adagrad, rmsprop, adam
learning-rate = 0.001, 0.003, 0.01, 0.03, 0.1
batch-size = 16, 32, 64, 128, 256
seed = {seeds}
"""
SIZES = {600: ("2", "16", "0"), 9600: ("1, 2, 3, 4", "8, 16, 32, 64", "0"),
         96000: ("1, 2, 3, 4", "8, 16, 32, 64", ", ".join(str(s) for s in range(10)))}
MODES = {"batched": [], "batched-nosync": ["--no-sync"], "single": ["--batch-seconds", "0"],
         "single-nosync": ["--batch-seconds", "0", "--no-sync"]}
CLOSING = re.compile(r"coordinator CPU ([\d.]+) s over ([\d.]+) s .*parallel efficiency ([\d.]+)%.*per unit: "
                     r"([\d.]+) us at rank 0.*?, ([\d.]+) ms waiting for it \(worker\), ([\d.]+) ms recording.*; "
                     r"([\d.]+) units per batch")
METRICS = ("train_acc", "train_loss", "val_acc", "val_loss", "epochs", "status")


def run(a, spec, units, mode):
    out = os.path.join(a.workdir, f"u{units}-{mode}.h5")
    for stale in (out, out + ".parts"):
        shutil.rmtree(stale, ignore_errors=True) if os.path.isdir(stale) else (
            os.remove(stale) if os.path.exists(stale) else None)
    cmd = ["mpirun", "-np", str(a.workers + 1), "--oversubscribe", a.dnnsweep, "sweep", spec, "--out", out,
           "--progress", "none", *MODES[mode]]
    t0 = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True, env=mpi_env())
    wall = time.monotonic() - t0
    if p.returncode != 0:
        sys.exit(f"short_units: {' '.join(cmd)} exited {p.returncode}:\n{p.stderr[-3000:]}")
    m = CLOSING.search(p.stderr)
    if m is None:
        sys.exit(f"short_units: no closing figures:\n{p.stderr[-3000:]}")
    with h5py.File(out, "r") as f:
        folds = np.asarray(f["folds"])
    order = np.argsort(folds["unit"])
    training = float(folds["seconds"].sum())
    row = {"units": units, "mode": mode, "workers": a.workers, "wall_s": wall, "sweep_wall_s": float(m.group(2)),
           "training_s": training, "wall_efficiency": training / (a.workers * wall),
           "sweep_efficiency": float(m.group(3)) / 100.0, "rank0_us_per_request": float(m.group(4)),
           "worker_wait_ms_per_unit": float(m.group(5)), "worker_record_ms_per_unit": float(m.group(6)),
           "units_per_batch": float(m.group(7)), "recorded": int(len(folds))}
    metrics = {k: folds[k][order] for k in METRICS}
    shutil.rmtree(out + ".parts", ignore_errors=True)
    os.remove(out)
    return row, metrics


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dnnsweep", required=True)
    ap.add_argument("--units", default="600,9600,96000", help="sizes, of " + ", ".join(map(str, SIZES)))
    ap.add_argument("--modes", default=",".join(MODES), help="of " + ", ".join(MODES))
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--workdir", default="/tmp/short_units")
    ap.add_argument("--json", help="write the rows here too")
    a = ap.parse_args()
    sizes = [int(u) for u in a.units.split(",")]
    modes = a.modes.split(",")
    for bad in [s for s in sizes if s not in SIZES] + [m for m in modes if m not in MODES]:
        sys.exit(f"short_units: unknown size or mode {bad}")
    os.makedirs(a.workdir, exist_ok=True)
    data = os.path.join(a.workdir, "clusters9.txt")
    write_clusters(data, n=2700, features=4, classes=9, seed=20, spread=1.5)
    rows = []
    for units in sizes:
        layers, widths, seeds = SIZES[units]
        spec = os.path.join(a.workdir, f"short{units}.ini")
        with open(spec, "w") as f:
            f.write(GRID.format(data=data, layers=layers, widths=widths, seeds=seeds))
        first = None
        for mode in modes:
            row, metrics = run(a, spec, units, mode)
            if row["recorded"] != units:
                sys.exit(f"short_units: {units} units, {mode}: {row['recorded']} recorded")
            if first is None:
                first = metrics
            elif any(not np.array_equal(first[k], metrics[k], equal_nan=first[k].dtype.kind == "f")
                     for k in METRICS):
                sys.exit(f"short_units: {units} units, {mode}: metrics differ from the first mode's")
            rows.append(row)
            print(json.dumps(row), flush=True)
            if a.json:
                with open(a.json, "w") as f:
                    json.dump(rows, f, indent=1)
    print("| units | mode | wall s | training s | wall efficiency | sweep's efficiency | worker wait ms/unit "
          "| worker record ms/unit | units/batch |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['units']:,} | {r['mode']} | {r['wall_s']:.1f} | {r['training_s']:.1f} | "
              f"{100 * r['wall_efficiency']:.1f}% | {100 * r['sweep_efficiency']:.1f}% | "
              f"{r['worker_wait_ms_per_unit']:.3f} | {r['worker_record_ms_per_unit']:.3f} | {r['units_per_batch']:.1f} |")


if __name__ == "__main__":
    main()
