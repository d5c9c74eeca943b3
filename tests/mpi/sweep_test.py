#!/usr/bin/python3
"""A real `mpirun -np 3 --oversubscribe` sweep, checked from Python with h5py as a user would.

    sweep_test.py --dnnsweep build/runner/dnnsweep --workdir DIR

Writes a small clusters dataset and a spec (2 x 2 configurations, 3 folds, a test set), runs the
sweep on 3 ranks and on 1 rank, and checks: row counts (configs = grid size, folds = grid x folds),
no duplicate unit, every status ok, curve lengths = epochs run, test accuracy present, and the
3-rank metrics equal the 1-rank ones unit by unit (determinism across ranks and order). Then reruns
the 3-rank command on its finished file: nothing is trained twice and the file is unchanged.
"""
import hashlib
import os
import re
import subprocess
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testlib import check, mpi_env, test_args, text, write_clusters  # noqa: E402

SPEC = """# a small grid for the MPI test
data = {data}
folds = 3
test-fraction = 0.2
split-seed = 7
layers = 1, 2
activation = relu, tanh
width = 16
optimizer = adam
learning-rate = 0.01
batch-size = 16
epochs = 4
"""


def run(cmd, env):
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
    if p.returncode != 0:
        sys.exit(f"{' '.join(cmd)} exited {p.returncode}:\n{p.stdout}\n{p.stderr}")
    return p


def table(path, name):
    with h5py.File(path, "r") as f:  # a plain open, as h5py and pandas users do
        return np.asarray(f[name])


def main():
    a = test_args()
    env = mpi_env()

    data = os.path.join(a.workdir, "clusters.txt")
    write_clusters(data, n=300, features=4, classes=3, seed=1, spread=1.0)
    spec = os.path.join(a.workdir, "small.ini")
    with open(spec, "w") as f:
        f.write(SPEC.format(data=data))
    many, one = os.path.join(a.workdir, "np3.h5"), os.path.join(a.workdir, "np1.h5")
    for path in (many, one):
        if os.path.exists(path):
            os.remove(path)
        subprocess.run(["rm", "-rf", path + ".parts"], check=True)

    mpirun = ["mpirun", "-np", "3", "--oversubscribe"]
    first = run(mpirun + [a.dnnsweep, "sweep", spec, "--out", many, "--progress", "lines"], env)
    setup = re.search(r"unit set-up \(fold rows, input scaling, model build\) ([0-9.]+)% of the units' time",
                      first.stderr)
    check(setup is not None and 0.0 < float(setup.group(1)) < 100.0,
          f"the closing lines give the units' set-up share ({setup.group(0) if setup else 'missing'})")
    run([a.dnnsweep, "sweep", spec, "--out", one, "--progress", "none"], env)

    grid, folds = 4, 3
    configs, rows, curves = table(many, "configs"), table(many, "folds"), table(many, "curves")
    check(len(configs) == grid, f"configs has one row per configuration ({len(configs)} == {grid})")
    check(len(rows) == grid * folds, f"folds has one row per unit ({len(rows)} == {grid * folds})")
    ids = [text(u) for u in rows["unit_id"]]
    check(len(set(ids)) == len(ids), "no unit recorded twice")
    check(all(text(s) == "ok" for s in rows["status"]), "every unit's status is ok")
    check(set(int(r) for r in rows["rank"]) == {1, 2}, "both workers trained units, the coordinator none")
    lengths = {int(u): int((curves["unit"] == u).sum()) for u in rows["unit"]}
    check(all(lengths[int(u)] == int(e) for u, e in zip(rows["unit"], rows["epochs"])),
          "each unit's curve has one row per epoch run")
    check(bool(np.all(np.isfinite(rows["test_acc"]))), "every unit has a test accuracy")
    check(bool(np.all(configs["mean_val_acc"] > 0.5)), "every configuration learned the clusters")

    single = {text(r["unit_id"]): r for r in table(one, "folds")}
    same = all(
        all(r[k] == single[text(r["unit_id"])][k] for k in ("train_acc", "train_loss", "val_acc", "val_loss", "test_acc"))
        for r in rows)
    check(same and len(single) == len(rows), "3 ranks give exactly the metrics of 1 rank, unit by unit")

    before = table(many, "folds")
    rerun = run(mpirun + [a.dnnsweep, "sweep", spec, "--out", many, "--progress", "lines"], env)
    after = table(many, "folds")
    check("(0 to run)" in rerun.stderr, "rerunning a finished sweep trains nothing")
    check(len(after) == len(before) and sorted(map(text, after["unit_id"])) == sorted(ids),
          "rerunning leaves every unit recorded exactly once")

    # A results file belongs to one spec: another spec is refused with one line, and the file is
    # left exactly as it was.
    other = os.path.join(a.workdir, "other.ini")
    with open(other, "w") as f:
        f.write(SPEC.format(data=data).replace("epochs = 4", "epochs = 5"))
    digest = hashlib.sha256(open(many, "rb").read()).hexdigest()
    p = subprocess.run(mpirun + [a.dnnsweep, "sweep", other, "--out", many], capture_output=True, text=True, env=env,
                       timeout=600)
    # (mpirun adds its own banner about the non-zero exit; dnnsweep's part is one line, from rank 0.)
    ours = [line for line in p.stderr.splitlines() if line.startswith("dnnsweep")]
    check(p.returncode == 2 and len(ours) == 1 and "another sweep spec" in ours[0],
          f"another spec's sweep into the same file is refused with one line (exit {p.returncode}: {ours})")
    check(hashlib.sha256(open(many, "rb").read()).hexdigest() == digest, "and the results file is untouched")
    sys.exit(1 if check.failed else 0)


if __name__ == "__main__":
    main()
