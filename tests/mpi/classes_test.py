#!/usr/bin/python3
"""Classes in a real `mpirun -np 3` sweep, read back with h5py as a user would.

    classes_test.py --dnnsweep build/runner/dnnsweep --workdir DIR

- Three unequal clusters, 3 folds and a test set: each unit's validation confusion matrix (the
  `confusion` table) sums to its fold's validation rows, its diagonal over its total is the unit's
  `val_acc` (and the test matrix's `test_acc`); a configuration's folds together cover the training
  pool, class by class as the `classes` table counts it, and `class_accuracy` and
  `config_confusion` agree with the units' matrices summed; the chance level is 1/3 (`uniform`).
- A 90/10 dataset whose features are noise: the chance level recorded is the majority's share of
  the training rows (`majority`), and a model that can only answer the majority class is
  not_training, its reason naming that share; 1/classes (0.5) would have called it a good fit.
- `dnnsweep report` shows the class section (names, chance, confusion matrix) and writes
  class_accuracy.csv and confusion.csv that pandas reads.
"""
import os
import subprocess
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testlib import check, fresh, mpi_env, test_args, text  # noqa: E402

SPEC = """# classes in the results
data = {data}
folds = 3
test-fraction = 0.2
split-seed = 4
layers = 1
width = 8, 16
activation = relu
optimizer = adam
learning-rate = 0.01
batch-size = 16
epochs = {epochs}
prune = none
"""


def run(cmd, env):
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
    if p.returncode != 0:
        sys.exit(f"{' '.join(cmd)} exited {p.returncode}:\n{p.stdout}\n{p.stderr}")
    return p


def write_data(path, labels, x):
    with open(path, "w") as f:
        for row, label in zip(x, labels):
            f.write(" ".join(f"{v:.5f}" for v in row) + f" {label}\n")


def sweep(a, env, name, labels, x, epochs):
    data, spec = os.path.join(a.workdir, name + ".txt"), os.path.join(a.workdir, name + ".ini")
    write_data(data, labels, x)
    with open(spec, "w") as f:
        f.write(SPEC.format(data=data, epochs=epochs))
    out = os.path.join(a.workdir, name + ".h5")
    fresh(out)
    run(["mpirun", "-np", "3", "--oversubscribe", a.dnnsweep, "sweep", spec, "--out", out], env)
    return out


def check_counts(out, n):
    with h5py.File(out, "r") as f:
        folds, conf = np.asarray(f["folds"]), np.asarray(f["confusion"])
        classes, acc = np.asarray(f["classes"]), np.asarray(f["class_accuracy"])
        cconf = np.asarray(f["config_confusion"])
        k = int(f.attrs["classes"])
        check(f.attrs["chance_basis"] == "uniform" and np.isclose(f.attrs["chance"], 1 / 3),
              f"unequal but not dominated classes: chance 1/3, uniform ({f.attrs['chance']}, {f.attrs['chance_basis']})")
    split = np.array([text(s) for s in conf["split"]])
    train_rows = classes["train_rows"].astype(np.int64)
    check(len(classes) == 3 and [text(s) for s in classes["name"]] == ["0", "1", "2"],
          "classes table: 3 classes named by their index (the data had no names)")
    test_rows = None
    ok_units = ok_acc = ok_test = True
    for u in folds:
        mine = conf[conf["unit"] == u["unit"]]
        val, test = mine[split[conf["unit"] == u["unit"]] == "val"], mine[split[conf["unit"] == u["unit"]] == "test"]
        m = np.zeros((k, k), np.int64)
        np.add.at(m, (val["true_class"], val["predicted"]), val["count"])
        ok_acc &= np.trace(m) / m.sum() == u["val_acc"]
        t = np.zeros((k, k), np.int64)
        np.add.at(t, (test["true_class"], test["predicted"]), test["count"])
        ok_test &= np.trace(t) / t.sum() == u["test_acc"]
        test_rows = t.sum() if test_rows is None else test_rows
        ok_units &= t.sum() == test_rows
    check(ok_acc, "every unit: trace / total of its validation matrix == val_acc")
    check(ok_test and ok_units, f"every unit: its test matrix covers the same {test_rows} test rows, "
                                "trace / total == test_acc")
    for config in np.unique(folds["config"]):
        units = folds[folds["config"] == config]["unit"]
        rows = np.isin(conf["unit"], units) & (split == "val")
        per_class = np.bincount(conf[rows]["true_class"], weights=conf[rows]["count"], minlength=k).astype(np.int64)
        check(np.array_equal(per_class, train_rows),
              f"config {config}: its folds' validation matrices cover the training pool class by class "
              f"({per_class.tolist()} == {train_rows.tolist()})")
        check(per_class.sum() + test_rows == n, f"config {config}: validation rows + test rows == {n} rows")
        mine = acc[acc["config"] == config]
        summed = np.zeros((k, k), np.int64)
        np.add.at(summed, (conf[rows]["true_class"], conf[rows]["predicted"]), conf[rows]["count"])
        check(np.allclose(mine["val_acc"], np.diag(summed) / summed.sum(axis=1)) and
              np.array_equal(mine["val_rows"], summed.sum(axis=1)),
              f"config {config}: class_accuracy == the summed matrix's diagonal / its rows")
        cc = cconf[(cconf["config"] == config) & (np.array([text(s) for s in cconf["split"]]) == "val")]
        stored = np.zeros((k, k), np.int64)
        np.add.at(stored, (cc["true_class"], cc["predicted"]), cc["count"])
        check(np.array_equal(stored, summed), f"config {config}: config_confusion == its units' matrices summed")


def main():
    a = test_args()
    env = mpi_env()
    rng = np.random.default_rng(7)

    # Three clusters of 140, 120 and 100 rows (the largest 39%, below 1.5 / 3), overlapping a little.
    n = 360
    labels = np.repeat([0, 1, 2], [140, 120, 100])
    centres = rng.uniform(0, 6, size=(3, 4))
    x = centres[labels] + rng.normal(0, 1.2, size=(n, 4))
    out = sweep(a, env, "unequal", labels, x, epochs=8)
    check_counts(out, n)

    report = run([a.dnnsweep, "report", out, "--top", "2", "--csv", os.path.join(a.workdir, "csv")], env).stdout
    check("\nClasses: 3; chance 0.33 (1/3 classes)\n" in report and "Confusion matrix of #1" in report,
          "report: the class section with the chance level and the best configuration's confusion matrix")
    import pandas as pd
    ca = pd.read_csv(os.path.join(a.workdir, "csv", "class_accuracy.csv"))
    cm = pd.read_csv(os.path.join(a.workdir, "csv", "confusion.csv"))
    check(list(ca.columns[:4]) == ["rank", "config", "class", "name"] and len(ca) == 2 * 3 and
          set(cm["split"]) == {"val", "test"},
          "report --csv: class_accuracy.csv (a row per configuration and class) and confusion.csv (both splits)")

    # 90/10, features unrelated to the labels: nothing to learn but the majority.
    n = 500
    labels = np.where(np.arange(n) % 10 == 0, 1, 0)
    x = rng.normal(0, 1, size=(n, 4))
    out = sweep(a, env, "majority", labels, x, epochs=6)
    with h5py.File(out, "r") as f:
        configs = np.asarray(f["configs"])
        classes = np.asarray(f["classes"])
        share = classes["train_rows"].max() / classes["train_rows"].sum()
        check(f.attrs["chance_basis"] == "majority" and f.attrs["chance"] == share and np.isclose(share, 0.9),
              f"90/10 data: chance = the majority's share of the training rows ({f.attrs['chance']})")
    verdicts = [text(v) for v in configs["verdict"]]
    reasons = [text(r) for r in configs["reason"]]
    check(all(v == "not_training" for v in verdicts) and
          all("the majority class's share" in r for r in reasons) and
          all(c < 0.95 for c in configs["mean_train_acc"]),
          f"a model of noise answering the majority class is not_training ({verdicts}; {reasons[0]})")
    return 1 if check.failed else 0


if __name__ == "__main__":
    sys.exit(main())
