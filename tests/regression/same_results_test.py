#!/usr/bin/python3
"""same_results.py finds what it must: two runs of one sweep compare equal, a changed result field
does not, a changed timing does.

    same_results_test.py --dnnsweep PATH --workdir DIR
"""
import os
import shutil
import subprocess
import sys

import h5py

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
from testlib import check, fresh, mpi_env, test_args, write_clusters  # noqa: E402

SPEC = """data = {data}
folds = 2
split-seed = 1
layers = 1
width = 8
activation = relu, tanh
optimizer = adam
learning-rate = 0.01
epochs = 3
"""


def compare(a, b):
    r = subprocess.run(["/usr/bin/python3", os.path.join(HERE, "same_results.py"), a, b],
                       capture_output=True, text=True)
    return r.returncode, r.stdout


def main():
    a = test_args()
    data = os.path.join(a.workdir, "clusters.txt")
    write_clusters(data, n=200, features=4, classes=3, seed=4, spread=1.0)
    spec = os.path.join(a.workdir, "spec.ini")
    with open(spec, "w") as f:
        f.write(SPEC.format(data=data))
    runs = []
    for name in ("one.h5", "two.h5"):
        out = os.path.join(a.workdir, name)
        fresh(out)
        r = subprocess.run([a.dnnsweep, "sweep", spec, "--out", out], env=mpi_env(), capture_output=True, text=True)
        check(r.returncode == 0, f"sweep {name} ({r.stderr.strip()[-200:]})")
        runs.append(out)
    rc, text = compare(*runs)
    check(rc == 0 and "same results" in text, f"two runs of one sweep: same results ({rc}: {text.strip()})")

    changed = os.path.join(a.workdir, "changed.h5")
    shutil.copy(runs[1], changed)
    with h5py.File(changed, "r+") as f:
        folds = f["folds"][()]
        folds["val_acc"][0] += 1e-12
        f["folds"][...] = folds
    rc, text = compare(runs[0], changed)
    check(rc == 1 and "folds.val_acc" in text, f"a changed validation accuracy is found ({rc}: {text.strip()})")

    timed = os.path.join(a.workdir, "timed.h5")
    shutil.copy(runs[1], timed)
    with h5py.File(timed, "r+") as f:
        folds = f["folds"][()]
        folds["seconds"][0] += 100.0
        f["folds"][...] = folds
    rc, text = compare(runs[0], timed)
    check(rc == 0, f"a changed timing is not a difference ({rc}: {text.strip()})")
    return 1 if check.failed else 0


if __name__ == "__main__":
    sys.exit(main())
