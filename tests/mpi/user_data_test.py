#!/usr/bin/python3
"""A user's own data in a real MPI sweep (3 ranks): the same data written as HDF5, as CSV with a
header and as NumPy gives identical results (every configs/folds/curves column but timings); string
labels load with their names; a separate test file is the test set the folds are measured on; and
each malformed input is one error line naming the file and the dataset, line, column or byte, exit
2, and no results file."""
import os
import subprocess
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "regression"))
from testlib import check, fresh, mpi_env, test_args  # noqa: E402
from same_results import compare  # noqa: E402

NAMES = np.array(["alpha", "beta", "gamma"])
SPEC = """data = {data}
{extra}layers = 1
width = 8, 16
learning-rate = 0.05
batch-size = 16
epochs = 3
folds = 2
"""


def clusters(n, features, seed):
    rng = np.random.default_rng(seed)
    centres = np.random.default_rng(1).uniform(0, 10, size=(3, features))
    y = rng.integers(0, 3, n)
    x = (centres[y] + rng.normal(0, 1.0, size=(n, features))).astype(np.float32)
    return x, y


def write_all_formats(d, x, y):
    with h5py.File(os.path.join(d, "data.h5"), "w") as f:
        f.create_dataset("features/train", data=x, chunks=(32, x.shape[1]), compression="gzip")
        f.create_dataset("target", data=NAMES[y].astype(object), dtype=h5py.string_dtype())
    with open(os.path.join(d, "data.csv"), "w") as f:
        f.write(",".join(f'"feature {i}"' for i in range(x.shape[1])) + ",kind\n")
        for row, label in zip(x, y):
            f.write(",".join(repr(float(v)) for v in row) + f",{NAMES[label]}\n")
    np.save(os.path.join(d, "X.npy"), x)
    np.save(os.path.join(d, "y.npy"), NAMES[y])


def sweep(a, name, data, extra="", ranks=3):
    spec = os.path.join(a.workdir, f"{name}.ini")
    with open(spec, "w") as f:
        f.write(SPEC.format(data=data, extra=extra))
    out = os.path.join(a.workdir, f"{name}.h5")
    fresh(out)
    p = subprocess.run(["mpirun", "-np", str(ranks), "--oversubscribe", a.dnnsweep, "sweep", spec, "--out", out,
                        "--progress", "none"], capture_output=True, text=True, env=mpi_env(), timeout=300)
    return p, out


def main():
    a = test_args()
    d = a.workdir
    x, y = clusters(150, 5, 2)
    write_all_formats(d, x, y)

    runs = {
        "hdf5": (os.path.join(d, "data.h5"), "features = features/train\nlabels = target\n"),
        "csv": (os.path.join(d, "data.csv"), "label-column = kind\n"),
        "npy": (os.path.join(d, "X.npy") + "," + os.path.join(d, "y.npy"), ""),
    }
    outs = {}
    for name, (data, extra) in runs.items():
        p, out = sweep(a, name, data, extra)
        if check(p.returncode == 0 and os.path.exists(out), f"{name}: the sweep finishes ({p.stderr.strip()[-300:]})"):
            outs[name] = out
    if "hdf5" in outs:
        with h5py.File(outs["hdf5"], "r") as f:
            folds = f["folds"][()]
            check(len(folds) == 4 and all(s in (b"ok", "ok") for s in folds["status"]), "hdf5: 4 units, all ok")
            check(float(np.mean(folds["val_acc"])) > 0.6, f"hdf5: it learns (val_acc {np.mean(folds['val_acc']):.2f})")
    for name in ("csv", "npy"):
        if "hdf5" in outs and name in outs:
            with h5py.File(outs["hdf5"], "r") as h, h5py.File(outs[name], "r") as o:
                # The files differ in their spec (data path, keys) and source: the tables must not.
                problems = [p for p in compare(h, o) if not p.startswith("attribute ")]
            check(not problems, f"{name} gives the HDF5 file's results ({problems[:3]})")

    # A separate test file: the folds' test figures are measured on it. The same rows with their
    # labels rotated score near zero where the true labels score high: the file is what is tested.
    xt, yt = clusters(60, 5, 3)
    for name, labels in (("test_true", yt), ("test_rotated", (yt + 1) % 3)):
        with h5py.File(os.path.join(d, f"{name}_data.h5"), "w") as f:
            f.create_dataset("features/train", data=xt)
            f.create_dataset("target", data=NAMES[labels].astype(object), dtype=h5py.string_dtype())
    accs = {}
    for name in ("test_true", "test_rotated"):
        extra = f"features = features/train\nlabels = target\ntest-data = {os.path.join(d, name + '_data.h5')}\n"
        p, out = sweep(a, name, os.path.join(d, "data.h5"), extra)
        if check(p.returncode == 0, f"{name}: the sweep with test-data finishes ({p.stderr.strip()[-300:]})"):
            with h5py.File(out, "r") as f:
                accs[name] = float(np.mean(f["folds"]["test_acc"]))
    if len(accs) == 2:
        check(accs["test_true"] > 0.6 and accs["test_rotated"] < 0.4,
              f"test-data is the test set: test_acc {accs['test_true']:.2f} on true labels, "
              f"{accs['test_rotated']:.2f} on rotated ones")

    bad_cases(a, x, y)
    return 1 if check.failed else 0


def bad_cases(a, x, y):
    d = a.workdir
    h5 = os.path.join(d, "data.h5")
    hkeys = "features = features/train\nlabels = target\n"

    def h5file(name, X, y, features="X", labels="y"):
        path = os.path.join(d, name)
        with h5py.File(path, "w") as f:
            f.create_dataset(features, data=X)
            f.create_dataset(labels, data=y, dtype=h5py.string_dtype() if y.dtype == object else None)
        return path

    nan_x = x.copy()
    nan_x[7, 2] = np.nan
    np.save(os.path.join(d, "trunc.npy"), x)
    with open(os.path.join(d, "trunc.npy"), "r+b") as f:
        f.truncate(os.path.getsize(os.path.join(d, "trunc.npy")) - 10)
    with open(os.path.join(d, "fake.h5"), "w") as f:
        f.write("1,2,0\n")
    cases = {
        "wrong dataset": (h5, "", ["no dataset 'X'", "/features/train, /target"]),
        "rank-3 labels": (h5file("r3.h5", X=x, y=np.zeros((150, 2, 2), np.int32)), "", ["labels 'y'", "3 dimensions"]),
        "N mismatch": (h5file("nm.h5", X=x, y=y[:149]), "", ["labels 'y' has 149 rows, the features 150"]),
        "NaN feature": (h5file("nan.h5", X=nan_x, y=y), "", ["features 'X'[7, 2] is NaN"]),
        "one class": (h5file("one.h5", X=x, y=np.full(150, 4)), "", ["class '4'", "at least two classes"]),
        "not HDF5": (os.path.join(d, "fake.h5"), "", ["byte 0", "not an HDF5 file"]),
        "truncated npy": (os.path.join(d, "trunc.npy") + "," + os.path.join(d, "y.npy"), "",
                          ["trunc.npy: byte", "truncated"]),
        "test feature count": (h5, hkeys + f"test-data = {h5file('narrow.h5', x[:, :4], NAMES[y].astype(object), 'features/train', 'target')}\n",
                               ["narrow.h5", "has 4 features, the training data"]),
        "test classes": (h5, hkeys + f"test-data = {h5file('other.h5', x, np.array(['alpha', 'delta'] * 75, dtype=object), 'features/train', 'target')}\n",
                         ["other.h5", "class 'delta'"]),
        "csv missing value": (write_csv_with_gap(d), "", ["gap.csv: line 4, column 2 (b): the value is missing"]),
    }
    for name, (data, extra, parts) in cases.items():
        p, out = sweep(a, name.replace(" ", "_"), data, extra, ranks=2)
        ours = [line for line in p.stderr.splitlines() if line.startswith("dnnsweep")]
        file_named = os.path.basename(data.split(",")[0]) in (ours[0] if ours else "")
        check(p.returncode == 2 and len(ours) == 1 and all(s in ours[0] for s in parts) and
              (file_named or "test" in name) and not os.path.exists(out),
              f"{name}: exit 2, one line naming the file and {parts}, no results file "
              f"(exit {p.returncode}: {ours})")


def write_csv_with_gap(d):
    path = os.path.join(d, "gap.csv")
    with open(path, "w") as f:
        f.write("a,b,label\n1,2,x\n3,4,y\n5,,x\n")
    return path


if __name__ == "__main__":
    sys.exit(main())
