#!/usr/bin/python3
"""Chance pruning on the seed table's rows (`prune = chance`), checked with h5py as a user would.

    prune_test.py --dnnsweep build/runner/dnnsweep --workdir DIR

The grid holds the seed table's MSE rows and its 11-layer sigmoid row (which do not train), its
3-layer sigmoid cross-entropy row (which sits at chance for its first epochs, then trains: a
plateau with no cause, which must not be pruned) and the ReLU cross-entropy rows, on the built-in
digits with 3 folds, at width 128 to keep it short. Checks, on 1 rank and on 3 ranks:
- every MSE/11-layer-sigmoid configuration is pruned: its trained folds stopped at exactly
  `prune-after` epochs with status `pruned`, its verdict is not_training with the right cause
  (mse_softmax; vanishing_gradient), and the folds not started are recorded pruned, zero epochs;
- the good rows run in full (status ok, every planned epoch), none pruned;
- the configs table counts pruned folds and the epochs saved, and `dnnsweep status` and
  `dnnsweep report` show them;
- 1 rank and 3 ranks agree: the same configurations pruned with the same verdicts and causes, and
  every unit trained in both runs has identical metrics;
- rerunning the finished command trains nothing (pruned units are recorded like any other), and a
  second run (array task) trains no fold of a configuration the first one pruned;
- with `prune = none` nothing is pruned and every unit runs its planned epochs.
"""
import os
import re
import subprocess
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testlib import check, fresh, mpi_env, test_args, text  # noqa: E402

SPEC = """# seed rows 1-4 (MSE, cross-entropy, 3 and 11 sigmoid / relu layers) at width 128
data = mnist
folds = 3
split-seed = 0
layers = 3, 11
activation = sigmoid, relu
loss = mse, crossentropy
optimizer = sgd
learning-rate = 0.1
width = 128
epochs = 6
prune = {prune}
prune-after = 3
"""
EPOCHS, PRUNE_AFTER, FOLDS = 6, 3, 3


def run(cmd, env):
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=900)
    if p.returncode != 0:
        sys.exit(f"{' '.join(cmd)} exited {p.returncode}:\n{p.stdout}\n{p.stderr}")
    return p


def read(path):
    with h5py.File(path, "r") as f:
        return np.asarray(f["configs"]), np.asarray(f["folds"])


def expected_prune(c):
    """The seed table's lessons: MSE on softmax and deep sigmoid do not train."""
    return text(c["loss"]) == "mse" and text(c["activation"]) == "sigmoid" or \
        (c["layers"] == 11 and text(c["activation"]) == "sigmoid")


def check_run(label, path):
    configs, folds = read(path)
    check(len(configs) == 8 and len(folds) == 8 * FOLDS, f"{label}: 8 configurations, {8 * FOLDS} units recorded")
    by_config = {int(c["config"]): c for c in configs}
    pruned_configs = set()
    for cid, c in sorted(by_config.items()):
        units = folds[folds["config"] == cid]
        statuses = [text(s) for s in units["status"]]
        name = f"{c['layers']}x{text(c['activation'])}/{text(c['loss'])}"
        if expected_prune(c):
            pruned_configs.add(cid)
            trained = units[units["epochs"] > 0]
            check(all(s == "pruned" for s in statuses), f"{label}: {name} pruned, every fold ({statuses})")
            check(len(trained) >= 1 and all(trained["epochs"] == PRUNE_AFTER),
                  f"{label}: {name}: its trained folds stopped at epoch {PRUNE_AFTER} ({list(units['epochs'])})")
            untrained = units[units["epochs"] == 0]
            check(all(np.isnan(untrained["train_acc"])), f"{label}: {name}: folds not started have no figures")
            causes = text(c["causes"]).split(",")
            want = "mse_softmax" if text(c["loss"]) == "mse" else "vanishing_gradient"
            check(text(c["verdict"]) == "not_training" and want in causes,
                  f"{label}: {name}: not_training, cause {want} ({text(c['verdict'])}: {causes})")
            check(c["folds_pruned"] == FOLDS and c["epochs_planned"] == EPOCHS * FOLDS and
                  c["epochs_trained"] == trained["epochs"].sum() and
                  c["epochs_saved"] == EPOCHS * FOLDS - trained["epochs"].sum(),
                  f"{label}: {name}: configs row counts {c['folds_pruned']} pruned folds, "
                  f"{c['epochs_trained']} of {c['epochs_planned']} epochs trained")
        elif text(c["loss"]) == "crossentropy":
            check(all(s == "ok" for s in statuses) and all(units["epochs"] == EPOCHS),
                  f"{label}: {name} (a row that trains) runs in full ({statuses}, {list(units['epochs'])})")
    return configs, folds, pruned_configs


def main():
    a = test_args()
    env = mpi_env()
    spec = os.path.join(a.workdir, "seed_rows.ini")
    with open(spec, "w") as f:
        f.write(SPEC.format(prune="chance"))

    one, many = os.path.join(a.workdir, "np1.h5"), os.path.join(a.workdir, "np3.h5")
    fresh(one)
    fresh(many)
    run([a.dnnsweep, "sweep", spec, "--out", one, "--progress", "lines"], env)
    run(["mpirun", "-np", "3", "--oversubscribe", a.dnnsweep, "sweep", spec, "--out", many, "--progress", "lines"], env)

    c1, f1, p1 = check_run("1 rank", one)
    c3, f3, p3 = check_run("3 ranks", many)
    check(p1 == p3, f"the same configurations pruned on 1 and 3 ranks ({sorted(p1)}, {sorted(p3)})")
    v1 = {int(c["config"]): (text(c["verdict"]), text(c["causes"])) for c in c1}
    v3 = {int(c["config"]): (text(c["verdict"]), text(c["causes"])) for c in c3}
    check(v1 == v3, "the same verdicts and causes on 1 and 3 ranks")
    u1 = {int(u["unit"]): u for u in f1 if u["epochs"] > 0}
    u3 = {int(u["unit"]): u for u in f3 if u["epochs"] > 0}
    both = sorted(set(u1) & set(u3))
    differ = [(u, text(u1[u]["status"]), int(u1[u]["epochs"]), float(u1[u]["train_acc"]), float(u1[u]["val_acc"]),
               text(u3[u]["status"]), int(u3[u]["epochs"]), float(u3[u]["train_acc"]), float(u3[u]["val_acc"]))
              for u in both if not (u1[u]["epochs"] == u3[u]["epochs"] and u1[u]["train_acc"] == u3[u]["train_acc"] and
                                    u1[u]["val_acc"] == u3[u]["val_acc"] and text(u1[u]["status"]) == text(u3[u]["status"]))]
    # The four configurations that train run every fold in both runs; which folds of a pruned
    # configuration start before its first pruned sibling is reported depends on the ranks' order.
    check(len(both) >= 4 * FOLDS and not differ,
          f"every unit trained on both 1 and 3 ranks has identical metrics ({len(both)}; differ: {differ})")

    status = subprocess.run([a.dnnsweep, "status", one], capture_output=True, text=True, env=env)
    saved = int(sum(c["epochs_saved"] for c in c1))
    check(status.returncode == 0 and re.search(r"\bpruned\b", status.stdout) is not None and
          (f"{saved:,}" in status.stdout or str(saved) in status.stdout),
          f"dnnsweep status: complete (exit 0), counts pruned units and {saved} epochs saved\n{status.stdout}")
    report = subprocess.run([a.dnnsweep, "report", one], capture_output=True, text=True, env=env)
    check(report.returncode == 0 and "pruned" in report.stdout, "dnnsweep report mentions the pruned units")

    before = read(one)[1]
    again = run([a.dnnsweep, "sweep", spec, "--out", one, "--progress", "lines"], env)
    after = read(one)[1]
    unchanged = len(before) == len(after) and all(
        np.array_equal(before[k], after[k], equal_nan=before[k].dtype.kind == "f") for k in before.dtype.names)
    check("(0 to run)" in again.stderr and unchanged,
          "rerunning the finished sweep trains nothing; the folds table is unchanged")

    # Resume: two array tasks one after the other into one results file. The second task's units
    # of a configuration the first one pruned are recorded pruned without training.
    split = os.path.join(a.workdir, "array.h5")
    fresh(split)
    for task in ("0", "1"):
        run([a.dnnsweep, "sweep", spec, "--out", split, "--array-tasks", "2", "--array-task", task], env)
    cs, fs = read(split)
    trained_folds = {int(c["config"]): int((fs[fs["config"] == c["config"]]["epochs"] > 0).sum())
                     for c in cs if expected_prune(c)}
    check(len(fs) == 8 * FOLDS and all(n == 1 for n in trained_folds.values()),
          f"a resumed run trains no fold of a configuration already pruned (folds trained: {trained_folds})")

    none_spec = os.path.join(a.workdir, "seed_rows_none.ini")
    with open(none_spec, "w") as f:
        f.write(SPEC.format(prune="none"))
    off = os.path.join(a.workdir, "none.h5")
    fresh(off)
    run(["mpirun", "-np", "3", "--oversubscribe", a.dnnsweep, "sweep", none_spec, "--out", off, "--progress", "lines"], env)
    _, f0 = read(off)
    check(all(text(s) != "pruned" for s in f0["status"]) and all(f0["epochs"] == EPOCHS),
          "prune = none: nothing pruned, every unit runs its planned epochs")
    # Pruning never changes what a unit that is not pruned computes.
    u0 = {int(u["unit"]): u for u in f0}
    kept = [u for u in u1 if text(u1[u]["status"]) == "ok"]
    check(all(u1[u]["val_acc"] == u0[u]["val_acc"] for u in kept),
          f"units not pruned have the same metrics as with prune = none ({len(kept)})")
    sys.exit(1 if check.failed else 0)


if __name__ == "__main__":
    main()
