#!/usr/bin/python3
"""Writes the example studies' data from the CSV files Debian's python3-sklearn ships: the wine
recognition data as HDF5 (OUT/wine.h5: X float32 178 x 13, y the cultivar names as strings, gzip)
and the breast cancer data as CSV with a header (OUT/breast_cancer.csv: 30 named features, then
the diagnosis, malignant or benign). Idempotent: files already there are left alone.

Usage: sklearn_examples.py OUT_DIR
"""
import csv
import os
import sys

import h5py
import numpy as np
from sklearn.datasets import load_breast_cancer, load_wine


def write_wine(path):
    wine = load_wine()
    names = np.array([wine.target_names[t] for t in wine.target], dtype=h5py.string_dtype())
    tmp = path + ".tmp"
    with h5py.File(tmp, "w") as f:
        f.create_dataset("X", data=wine.data.astype(np.float32), chunks=True, compression="gzip")
        f.create_dataset("y", data=names)
        f["X"].attrs["feature_names"] = wine.feature_names
    os.replace(tmp, path)


def write_breast_cancer(path):
    cancer = load_breast_cancer()
    tmp = path + ".tmp"
    with open(tmp, "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(list(cancer.feature_names) + ["diagnosis"])
        for row, target in zip(cancer.data, cancer.target):
            out.writerow([repr(float(v)) for v in row] + [cancer.target_names[target]])
    os.replace(tmp, path)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, write in (("wine.h5", write_wine), ("breast_cancer.csv", write_breast_cancer)):
        path = os.path.join(out, name)
        if not os.path.exists(path):
            write(path)
            print(f"wrote {path}")


if __name__ == "__main__":
    main()
