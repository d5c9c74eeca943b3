"""`dnnsweep predict` on rows without labels: features-only text, CSV with a header, HDF5 without a
labels dataset and one FEATURES.npy each give the same predictions, row for row, as the same rows
with their labels; no accuracy is claimed and the written predictions have no label column.
`--no-labels` on labelled rows reads the label as a feature and is refused for the feature count."""
import os
import subprocess
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import testlib  # noqa: E402


def run(cmd, cwd):
    return subprocess.run(cmd, cwd=cwd, env=testlib.mpi_env(), capture_output=True, text=True)


def predicted(path):
    with h5py.File(path, "r") as f:
        return f["predicted"][()], f["probabilities"][()], "labels" in f


def main():
    a = testlib.test_args()
    d, w = a.dnnsweep, a.workdir
    testlib.write_clusters(os.path.join(w, "c.txt"), 200, 5, 3, seed=9, spread=1.5)
    model = os.path.join(w, "m.h5")
    r = run([d, "train", "--data", "c.txt", "--layers", "1", "--width", "12", "--epochs", "3", "--batch-size", "20",
             "--seed", "4", "--validation-fraction", "0", "--quiet", "--save-model", model, "--force"], w)
    testlib.check(r.returncode == 0, f"train --save-model ({r.stderr.strip()})")
    table = np.loadtxt(os.path.join(w, "c.txt"))
    x = table[:, :5].astype(np.float32)

    r = run([d, "predict", model, "--data", "c.txt", "--out", "labelled.h5", "--force"], w)
    testlib.check(r.returncode == 0 and "accuracy:" in r.stdout, f"predict on labelled rows ({r.stderr.strip()})")
    want, want_p, has_labels = predicted(os.path.join(w, "labelled.h5"))
    testlib.check(has_labels and len(want) == 200, "the labelled predictions keep their labels")

    np.savetxt(os.path.join(w, "x.txt"), x, fmt="%.5f")
    with open(os.path.join(w, "x.csv"), "w") as f:
        f.write("a,b,c,d,e\n")
        for row in x:
            f.write(",".join(f"{v:.5f}" for v in row) + "\n")
    with h5py.File(os.path.join(w, "x.h5"), "w") as f:
        f["X"] = x
    np.save(os.path.join(w, "x.npy"), x)
    for name in ("x.txt", "x.csv", "x.h5", "x.npy"):
        out = name.replace(".", "_") + ".h5"
        r = run([d, "predict", model, "--data", name, "--out", out, "--force"], w)
        ok = r.returncode == 0 and "no labels" in r.stdout and "accuracy:" not in r.stdout
        testlib.check(ok, f"{name}: classified without labels, no accuracy claimed ({r.returncode}: "
                          f"{r.stderr.strip()} {r.stdout.strip()[:200]})")
        if not ok:
            continue
        got, got_p, has_labels = predicted(os.path.join(w, out))
        testlib.check(not has_labels and np.array_equal(got, want) and np.allclose(got_p, want_p, atol=1e-6),
                      f"{name}: the same predicted class on all {len(want)} rows as with the labels")

    r = run([d, "predict", model, "--data", "x.txt", "--out", "x.csv.out.csv", "--force"], w)
    with open(os.path.join(w, "x.csv.out.csv")) as f:
        header = f.readline().strip().split(",")
    testlib.check(r.returncode == 0 and header[:2] == ["row", "predicted"] and "label" not in header,
                  f"the CSV predictions of unlabelled rows have no label column ({header})")
    r = run([d, "predict", model, "--data", "x.txt", "--no-labels"], w)
    testlib.check(r.returncode == 0 and "no labels" in r.stdout, f"--no-labels on features only ({r.stderr.strip()})")
    r = run([d, "predict", model, "--data", "c.txt", "--no-labels"], w)
    testlib.check(r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "6 features" in r.stderr,
                  f"--no-labels on labelled rows: the label is a sixth feature, refused in one line ({r.stderr.strip()})")
    r = run([d, "predict", model, "--data", "x.csv", "--no-labels", "--label-format", "onehot"], w)
    testlib.check(r.returncode == 0, f"--label-format does not matter without labels ({r.stderr.strip()})")
    sys.exit(1 if testlib.check.failed else 0)


if __name__ == "__main__":
    main()
