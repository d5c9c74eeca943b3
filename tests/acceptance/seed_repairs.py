#!/usr/bin/python3
"""Verified repairs on the seed table: sweeps/seed-table.ini with `repair = true`, at reduced cost
(one validation split instead of 10 folds, fewer epochs), on 3 MPI ranks, read back with h5py.

    seed_repairs.py --dnnsweep build/runner/dnnsweep --workdir DIR [--epochs 10]

Checked: every row diagnosed not_training, underfitting or overfitting has a repair with results
(its first cause's one-key fix, linked by `repair_of`); a repair that reached no better verdict
has a repair of its own (the second round, or the repair's own when it is a row of the table), and
every failing row but row 2 reaches a better verdict in one step or two. Rows 7 and 8 (noise on the
validation inputs only) read `input_shift` first and are repaired with `train-noise` (noise
augmentation); row 7's repair reaches a better verdict (its gap measured from the training rows
with the validation's noise) and a validation accuracy at least MISMATCH_GAIN higher; row 8's
repair underfits under dropout 0.7 (`over_regularised`), and its second step removes the dropout.
Row 9 reads unscaled_inputs first and its repair scales the inputs. The report's repair rate is the
count the HDF5 gives. Row 2 is printed as a note, not a failure: at this cost (10 epochs, one
split) its second step (40 epochs) ends near the bias threshold (measured once: training error
0.097, good, against the threshold's 0.10).
"""
import argparse
import os
import re
import subprocess
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testlib import check, fresh, mpi_env, text  # noqa: E402

# Row 7 trained with the validation's noise: measured once at this cost, validation 0.455 -> 0.759,
# good (noisy training rows 0.765).
MISMATCH_GAIN = 0.15
RANK = {"failed": 0, "not_training": 1, "underfitting": 2, "overfitting": 2, "good": 3}
SEED_TABLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "sweeps", "seed-table.ini")


def reduced_spec(epochs):
    """The seed table with one 80/20 split and `epochs` epochs, repairs on."""
    with open(SEED_TABLE) as f:
        spec = f.read()
    spec, n = re.subn(r"(?m)^folds\s*=\s*10$", "folds = 1\nvalidation-fraction = 0.2", spec)
    spec, m = re.subn(r"(?m)^epochs\s*=\s*20$", f"epochs = {epochs}", spec)
    if n != 1 or m != 1:
        sys.exit(f"{SEED_TABLE}: its folds/epochs lines changed; update this test")
    return spec.replace("prune         = none", "prune         = none\nrepair        = true", 1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dnnsweep", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--epochs", default="10")
    a = ap.parse_args()
    os.makedirs(a.workdir, exist_ok=True)
    env = mpi_env()
    spec, out = os.path.join(a.workdir, "seed-repairs.ini"), os.path.join(a.workdir, "seed-repairs.h5")
    with open(spec, "w") as f:
        f.write(reduced_spec(a.epochs))
    fresh(out)
    p = subprocess.run(["mpirun", "-np", "3", "--oversubscribe", a.dnnsweep, "sweep", spec, "--out", out,
                        "--progress", "none"], env=env, capture_output=True, text=True, timeout=3000)
    if p.returncode != 0:
        sys.exit(f"dnnsweep sweep exited {p.returncode}: {p.stderr.strip()[-2000:]}")
    with h5py.File(out, "r") as f:
        c = np.asarray(f["configs"])
    # The table's rows are the grid's first configurations, one per section; repairs come after them.
    table_rows = len(re.findall(r"(?m)^\[", reduced_spec(a.epochs)))
    repairs = {}
    if "repair_of" in c.dtype.names:
        for r in c:
            for parent in text(r["repair_of"]).split():
                repairs[parent] = r
    tried = better = 0
    for r in c:
        section, verdict = text(r["section"]), text(r["verdict"])
        if verdict not in ("not_training", "underfitting", "overfitting") or r["config"] >= table_rows:
            continue
        rep = repairs.get(text(r["config_id"]))
        if not check(rep is not None, f"[{section}] {verdict} ({text(r['causes'])}): has a repair with results"):
            continue
        tried += 1
        # A repair that reached no better verdict: its own repair is the second step.
        last = rep
        if RANK[text(rep["verdict"])] <= RANK[verdict]:
            then = repairs.get(text(rep["config_id"]))
            if rep["config"] >= table_rows or then is not None:
                check(then is not None and then["config_id"] != r["config_id"],
                      f"[{section}] its repair reached no better verdict ({text(rep['verdict'])}) and has a repair "
                      "of its own")
            last = then if then is not None else rep
        improved = RANK[text(last["verdict"])] > RANK[verdict]
        better += improved
        where = f"grid row [{text(rep['section'])}]" if rep["config"] < table_rows else "new configuration"
        what = (f"[{section}] {verdict} [{text(r['causes'])}] val {r['mean_val_acc']:.3f} -> repair "
                f"{text(rep['verdict'])} val {rep['mean_val_acc']:.3f} ({where})")
        if last is not rep:
            what += f" -> then {text(last['verdict'])} val {last['mean_val_acc']:.3f}"
        causes = text(r["causes"]).split(",")
        if section.startswith(("7-", "8-")):
            check(causes[0] == "input_shift" and rep["train-noise"] == r["test-noise"],
                  f"[{section}] the gap's first cause is input_shift and the repair trains with the validation's noise")
        if section.startswith("7-"):
            gain = rep["mean_val_acc"] - r["mean_val_acc"]
            check(improved and gain >= MISMATCH_GAIN,
                  what + f": a better verdict and validation accuracy +{MISMATCH_GAIN} (got {gain:+.3f})")
            check(np.isfinite(rep["mean_val_acc"]) and "from the noisy training rows" in text(rep["reason"]),
                  f"[{section}] the repair's gap is measured from the noisy training rows: {text(rep['reason'])}")
        elif section.startswith("8-"):
            check(improved, what + ": a better verdict in two steps")
            if last is not rep:
                check(text(rep["causes"]).split(",")[0] == "over_regularised" and last["dropout"] == 0.0 and
                      last["train-noise"] == r["test-noise"],
                      f"[{section}] the repair underfits under dropout {rep['dropout']} (first cause "
                      f"{text(rep['causes'])}), and the second step removes the dropout, keeping the noise")
        elif section.startswith("9-"):
            check(causes[0] == "unscaled_inputs" and text(rep["normalization"]) != "none",
                  f"[{section}] the gap's first cause is unscaled_inputs and the repair scales the inputs")
            check(improved, what + ": a better verdict")
        elif section.startswith("2-"):
            print(("ok      " if improved else "note    ") + what, flush=True)
        else:
            check(improved, what + ": a better verdict" + (" in two steps" if last is not rep else ""))
    report = subprocess.run([a.dnnsweep, "report", out], env=env, capture_output=True, text=True).stdout
    lines = [line for line in report.splitlines() if line.startswith("repair rate:") or
             re.match(r"  \S+: .* -> .*: validation ", line)]
    print("\n".join(lines))
    check(f"repair rate: {better} of {tried} repairs reached a better verdict" in report,
          f"the report's repair rate is the HDF5's ({better} of {tried})")
    sys.exit(1 if check.failed else 0)


if __name__ == "__main__":
    main()
