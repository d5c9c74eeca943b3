#!/usr/bin/python3
"""sweeps/seed-table.ini runs: the shipped spec with `folds = 2`, `epochs = 1` and half the digits
held out as a test set (`test-fraction = 0.5`, so that it fits a test's time; every other line as
shipped), through `dnnsweep sweep`, read back with h5py.

    seed_table_spec_test.py --dnnsweep PATH --workdir DIR

Checks that the nine sections are the nine rows of the seed table (docs: the MNIST table of the
seed experiments, restated below as the settings each row names), each one configuration trained
on both folds, and that `configs` names each row's section.
"""
import os
import subprocess
import sys

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
from testlib import check, fresh, mpi_env, test_args, text  # noqa: E402

SPEC = os.path.join(HERE, "..", "..", "sweeps", "seed-table.ini")
SHARED = {"width": 689, "batch-size": "100", "normalization": "minmax", "loss": "crossentropy", "dropout": 0.0,
          "test-noise": 0.0}
SGD = {"optimizer": "sgd", "learning-rate": 0.1}
ADAM = {"optimizer": "adam", "learning-rate": 0.001}
ROWS = {
    "1-mse": {"layers": 3, "activation": "sigmoid", "loss": "mse", **SGD},
    "2-crossentropy": {"layers": 3, "activation": "sigmoid", **SGD},
    "3-deep-sigmoid": {"layers": 11, "activation": "sigmoid", **SGD},
    "4-deep-relu": {"layers": 11, "activation": "relu", **SGD},
    "5-full-batch": {"layers": 11, "activation": "relu", **SGD, "batch-size": "full"},
    "6-deep-relu-adam": {"layers": 11, "activation": "relu", **ADAM},
    "7-noisy-test": {"layers": 3, "activation": "relu", **ADAM, "test-noise": 1.0},
    "8-noisy-test-dropout": {"layers": 3, "activation": "relu", **ADAM, "test-noise": 1.0, "dropout": 0.7},
    "9-unscaled": {"layers": 3, "activation": "relu", **ADAM, "normalization": "none"},
}


def derived(path, overrides):
    lines = []
    for line in open(SPEC).read().splitlines():
        key = line.split("=")[0].strip() if "=" in line and not line.lstrip().startswith("#") else None
        lines.append(f"{key} = {overrides[key]}" if key in overrides else line)
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def value(v):
    v = text(v) if isinstance(v, (bytes, str)) else v
    return v.item() if hasattr(v, "item") else v


def main():
    a = test_args()
    env = mpi_env()
    shipped = open(SPEC).read()
    check("folds         = 10" in shipped and "epochs        = 20" in shipped,
          "the shipped spec cross-validates over 10 folds, 20 epochs, as documented")
    spec, out = os.path.join(a.workdir, "seed-table-short.ini"), os.path.join(a.workdir, "seed-table.h5")
    derived(spec, {"folds": "2", "epochs": "1", "test-fraction": "0.5"})
    fresh(out)
    p = subprocess.run([a.dnnsweep, "sweep", spec, "--out", out, "--progress", "none"], env=env,
                       capture_output=True, text=True, timeout=900)
    if p.returncode != 0:
        sys.exit(f"dnnsweep sweep exited {p.returncode}: {p.stderr.strip()}")
    with h5py.File(out, "r") as f:
        configs, folds = np.asarray(f["configs"]), np.asarray(f["folds"])
    sections = [text(c["section"]) for c in configs]
    check(sections == list(ROWS), f"nine configurations, one per section in the table's order: {sections}")
    for c in configs:
        want = {**SHARED, **ROWS[text(c["section"])]}
        got = {k: value(c[k]) for k in want}
        same = all(got[k] == want[k] if not isinstance(want[k], float) else abs(got[k] - want[k]) < 1e-6
                   for k in want)
        check(same and c["folds_done"] + c["folds_pruned"] == 2 and c["epochs"] == 1,
              f"[{text(c['section'])}] is its row: {got}, trained on both folds")
    check(len(folds) == 18, f"18 units recorded ({len(folds)})")
    sys.exit(1 if check.failed else 0)


if __name__ == "__main__":
    main()
