#!/usr/bin/python3
"""The verdicts of a short version of sweeps/tips.ini: the seed-table rows that carry a lesson,
each as a one-configuration sweep (tips.ini's settings with fewer epochs), diagnosed by
`dnnsweep sweep` and read back from the results with h5py.

    tips_verdicts.py --dnnsweep build/runner/dnnsweep --workdir DIR [--epochs 6] [--rows 1,3,5]

Expected, from the seed experiments' lessons and the diagnosis rules:
row 1 not_training (cause mse_softmax), row 3 not_training (vanishing_gradient), row 5
not_training or underfitting (few_updates), rows 4 and 6 good or overfitting, row 7 overfitting.
"""
import argparse
import os
import subprocess
import sys

import h5py
import numpy as np

# tips.ini's shared settings; rows below override.
COMMON = {"width": "689", "batch-size": "100", "seed": "0", "normalization": "minmax", "dropout": "0",
          "test-noise": "0", "data": "mnist", "test-fraction": "0", "folds": "1",
          "validation-fraction": "0.2", "split-seed": "0"}
SGD = {"optimizer": "sgd", "learning-rate": "0.1"}
ADAM = {"optimizer": "adam", "learning-rate": "0.001"}
ROWS = {
    1: ({"layers": "3", "activation": "sigmoid", "loss": "mse", **SGD}, {"not_training"}, "mse_softmax"),
    3: ({"layers": "11", "activation": "sigmoid", "loss": "crossentropy", **SGD}, {"not_training"},
        "vanishing_gradient"),
    # Plain SGD starts slowly on 11 layers (train acc 0.6 after 6 epochs): it keeps the table's 20.
    4: ({"layers": "11", "activation": "relu", "loss": "crossentropy", **SGD, "epochs": "20"}, {"good", "overfitting"},
        None),
    5: ({"layers": "11", "activation": "relu", "loss": "crossentropy", **SGD, "batch-size": "full"},
        {"not_training", "underfitting"}, "few_updates"),
    6: ({"layers": "11", "activation": "relu", "loss": "crossentropy", **ADAM}, {"good", "overfitting"}, None),
    7: ({"layers": "3", "activation": "relu", "loss": "crossentropy", **ADAM, "test-noise": "1"}, {"overfitting"},
        None),
}


def text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dnnsweep", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--epochs", default="6")
    ap.add_argument("--rows", default=",".join(map(str, ROWS)))
    a = ap.parse_args()
    os.makedirs(a.workdir, exist_ok=True)
    env = dict(os.environ, OMP_NUM_THREADS="1")
    failed = False
    for row in map(int, a.rows.split(",")):
        settings, verdicts, cause = ROWS[row]
        spec = os.path.join(a.workdir, f"row{row}.ini")
        out = os.path.join(a.workdir, f"row{row}.h5")
        with open(spec, "w") as f:
            for k, v in {**COMMON, "epochs": a.epochs, **settings}.items():
                f.write(f"{k} = {v}\n")
        subprocess.run(["rm", "-rf", out, out + ".parts"], check=True)
        p = subprocess.run([a.dnnsweep, "sweep", spec, "--out", out, "--progress", "none"], env=env,
                           capture_output=True, text=True, timeout=1200)
        if p.returncode != 0:
            sys.exit(f"row {row}: dnnsweep sweep exited {p.returncode}: {p.stderr.strip()}")
        with h5py.File(out, "r") as f:
            c = np.asarray(f["configs"])[0]
        verdict, causes = text(c["verdict"]), text(c["causes"]).split(",")
        ok = verdict in verdicts and (cause is None or (causes and causes[0] == cause))
        failed |= not ok
        want = " or ".join(sorted(verdicts)) + (f" (cause {cause} first)" if cause else "")
        print(f"{'ok    ' if ok else 'FAILED'} row {row}: {verdict} [{','.join(causes)}], train acc "
              f"{c['mean_train_acc']:.3f}, val acc {c['mean_val_acc']:.3f}; expected {want}\n"
              f"       {text(c['reason'])}", flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
