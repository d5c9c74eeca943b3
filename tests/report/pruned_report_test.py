#!/usr/bin/python3
"""`dnnsweep report` and `dnnsweep status` on results with pruned units, checked against the HDF5
tables read with h5py.

    pruned_report_test.py --dnnsweep BIN --writer WRITER --workdir DIR --case merged|running

WRITER is write_pruned_results (tests/report/write_pruned_results.cpp): 4 configurations x 3 folds,
10 epochs, 3 classes; both mse configurations pruned at chance after 3 epochs in fold 0 with folds
1 and 2 never started, one crossentropy configuration with one fold pruned above chance after 5
epochs. `merged`: the finished sweep's file. `running`: its shards only, one unit not yet recorded.
"""
import argparse
import csv
import io
import json
import math
import os
import re
import subprocess
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testlib import check, text, write_clusters  # noqa: E402


def run(cmd, rc=0):
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=dict(os.environ, OMP_NUM_THREADS="1"))
    if p.returncode != rc:
        sys.exit(f"{' '.join(cmd)} exited {p.returncode} (expected {rc}):\n{p.stdout[-3000:]}\n{p.stderr[-3000:]}")
    return p


def expected_from_folds(folds, configs_epochs):
    """Per configuration, what the configs table must say, from the folds table alone."""
    status = np.array([text(s) for s in folds["status"]])
    out = {}
    for c, planned in configs_epochs.items():
        mine = folds["config"] == c
        pruned = mine & (status == "pruned")
        trained = mine & (np.isin(status, ["ok", "diverged"]) | (pruned & (folds["epochs"] > 0)))
        out[c] = {
            "folds_done": int(np.sum(mine & np.isin(status, ["ok", "diverged"]))),
            "folds_pruned": int(np.sum(pruned)),
            "epochs_trained": int(np.sum(folds["epochs"][mine])),
            "epochs_planned": int(planned * np.sum(mine)),
            "epochs_saved": int(np.sum(planned - folds["epochs"][pruned])),
            "mean_train_acc": float(np.mean(folds["train_acc"][trained])),
            "std_val_acc": float(np.std(folds["val_acc"][trained])),
            "not_started": int(np.sum(pruned & (folds["epochs"] == 0))),
            "pruned_epochs": sorted({int(e) for e in folds["epochs"][pruned] if e > 0}),
        }
    return out


def check_hdf5(results):
    with h5py.File(results, "r") as f:
        configs, folds = np.asarray(f["configs"]), np.asarray(f["folds"])
        curves = np.asarray(f["curves"])
        check(f.attrs["units_done"] == 12 and f.attrs["units_total"] == 12, "units_done counts the pruned units: 12 of 12")
    names = list(configs.dtype.names)
    new = ["folds_pruned", "epochs_trained", "epochs_planned", "epochs_saved"]
    check(all(n in names for n in new), f"configs has {new}")
    check(configs["folds_pruned"].dtype == np.int32 and configs["epochs_saved"].dtype == np.int64, "their types")
    status = [text(s) for s in folds["status"]]
    check(status.count("pruned") == 7 and status.count("ok") == 5, f"folds: 7 pruned, 5 ok ({status})")
    for row in folds:
        n = int(np.sum(curves["unit"] == row["unit"]))
        check(n == row["epochs"], f"unit {row['unit']} ({text(row['status'])}): {row['epochs']} curve rows ({n})")
    want = expected_from_folds(folds, {int(c["config"]): int(c["epochs"]) for c in configs})
    for c in configs:
        w = want[int(c["config"])]
        what = f"config {c['config']} (loss {text(c['loss'])}, layers {c['layers']})"
        for k in ("folds_done", "folds_pruned", "epochs_trained", "epochs_planned", "epochs_saved"):
            check(int(c[k]) == w[k], f"{what}: {k} {c[k]} = {w[k]} from the folds table")
        check(math.isclose(c["mean_train_acc"], w["mean_train_acc"], rel_tol=1e-12)
              and math.isclose(c["std_val_acc"], w["std_val_acc"], rel_tol=1e-9, abs_tol=1e-15),
              f"{what}: means and stds over the folds that trained at least one epoch")
        if text(c["loss"]) == "mse":
            check(text(c["verdict"]) == "not_training" and "mse_softmax" in text(c["causes"]).split(","),
                  f"{what}: not_training, mse_softmax ({text(c['verdict'])}, {text(c['causes'])})")
            check(text(c["reason"]).startswith("pruned at chance after 3 epochs (training accuracy 0.34, chance 0.33, "
                                               "in 1 of 3 folds; 2 not started)"), f"{what}: reason {text(c['reason'])!r}")
    return configs, want


def case_merged(a, results):
    configs, want = check_hdf5(results)
    by_config = {int(c["config"]): c for c in configs}
    pruned_configs = [c for c in by_config if by_config[c]["folds_pruned"] > 0]
    saved = int(np.sum(configs["epochs_saved"]))
    check(len(pruned_configs) == 3 and saved == 59, f"3 configurations pruned, 59 epochs saved ({saved})")

    st = run([a.dnnsweep, "status", results])
    out = st.stdout
    check(out.splitlines()[0].endswith(": complete"), "status: complete, exit 0 (pruned units are done)")
    check(re.search(r"12 recorded, 0 remaining", out) is not None, "status: 12 recorded, 0 remaining")
    check(re.search(r"recorded: ok 5 pruned 7$", out, re.M) is not None, "status: recorded: ok 5 pruned 7")
    check("epochs: 61 trained of 120 planned for the units recorded; pruning saved 59 (49%; 7 units of 3 "
          "configurations pruned, 4 of them never started)" in out, f"status: the epochs line\n{out}")

    rep = run([a.dnnsweep, "report", results]).stdout
    check("PARTIAL" not in rep, "report: a finished sweep")
    check("Pruning: 7 units of 3 configurations pruned (4 of them never started), 59 of their 70 planned epochs "
          "saved (84%); 49% of the 120 epochs planned for the 12 units recorded" in rep, f"report: the pruning line\n{rep}")
    board = [ln for ln in rep.splitlines() if re.match(r"^  \d+ +\d\.\d{3} \+- ", ln)]
    check(len(board) == 4, "report: 4 leaderboard rows")
    check(sum(ln.endswith("(pruned after 3 epochs)") for ln in board) == 2
          and sum(ln.endswith("(pruned after 5 epochs)") for ln in board) == 1
          and not any("(partial)" in ln for ln in board), "report: pruned configurations marked, none partial")
    diag = [ln for ln in rep.splitlines() if re.match(r"^  #\d+ +not_training ", ln)]
    check(len(diag) == 2 and all("pruned at chance after 3 epochs" in ln for ln in diag),
          "report: each pruned not_training configuration's line says after how many epochs")

    js = json.loads(run([a.dnnsweep, "report", results, "--format", "json", "--top", "100"]).stdout)
    p = js["pruning"]
    check(p == {"units": 7, "not_started": 4, "configs": 3, "pruned_epochs_planned": 70, "epochs_saved": 59,
                "epochs_trained": 61, "epochs_planned": 120}, f"JSON pruning {p}")
    check(all(e["complete"] for e in js["leaderboard"]), "JSON: every configuration complete")
    for e in js["leaderboard"]:
        c, w = by_config[e["config"]], want[e["config"]]
        same = all(e[k] == int(c[k]) for k in ("folds_pruned", "epochs_trained", "epochs_planned", "epochs_saved"))
        if w["folds_pruned"]:
            same = same and e["pruned"] == {"folds": w["folds_pruned"], "not_started": w["not_started"],
                                            "min_epochs": w["pruned_epochs"][0], "max_epochs": w["pruned_epochs"][-1]}
        else:
            same = same and e["pruned"] is None
        check(same, f"JSON leaderboard config {e['config']}: pruning fields {e.get('pruned')}")
    mse = [d for d in js["diagnosis"]["configs"] if d["verdict"] == "not_training"]
    check(len(mse) == 2 and all(d["pruned"] == {"folds": 3, "not_started": 2, "min_epochs": 3, "max_epochs": 3}
                                for d in mse), "JSON diagnosis: pruned folds of each not_training configuration")

    rows = list(csv.DictReader(io.StringIO(run([a.dnnsweep, "report", results, "--format", "csv"]).stdout)))
    check(len(rows) == 4 and all(r["complete"] == "True" for r in rows)
          and sum(int(r["folds_pruned"]) for r in rows) == 7 and sum(int(r["epochs_saved"]) for r in rows) == 59,
          "--format csv: folds_pruned and epochs_saved columns, every configuration complete")

    html = os.path.join(a.workdir, "report.html")
    run([a.dnnsweep, "report", results, "--html", html])
    page = open(html).read()
    check("Pruning: 7 units of 3 configurations pruned" in page and page.count("(pruned after 3 epochs)") == 2,
          "HTML: the pruning line and the pruned configurations marked")


def case_running(a, results):
    st = run([a.dnnsweep, "status", results], rc=3)
    out = st.stdout
    check(out.splitlines()[0].endswith(": incomplete"), "status of a running sweep: incomplete, exit 3")
    check("11 recorded, 1 remaining" in out and re.search(r"recorded: ok 4 pruned 7$", out, re.M) is not None,
          f"status: pruned units are done, only the missing unit remains\n{out}")
    check("pruning saved 59 (" in out, "status: epochs saved from the shards")
    rep = run([a.dnnsweep, "report", results]).stdout
    check(rep.splitlines()[1].startswith("PARTIAL") and "Pruning: 7 units of 3 configurations pruned" in rep,
          "report from the shards: PARTIAL, with the pruning line")
    board = [ln for ln in rep.splitlines() if re.match(r"^  \d+ +\d\.\d{3} \+- ", ln)]
    check(sum("(partial)" in ln for ln in board) == 1 and any(ln.endswith("(partial)  (pruned after 5 epochs)")
                                                               for ln in board),
          "only the configuration missing a fold is partial; pruned folds count as recorded")
    js = json.loads(run([a.dnnsweep, "report", results, "--format", "json"]).stdout)
    check(js["partial"] is True and js["units_done"] == 11 and js["pruning"]["units"] == 7, "JSON: partial, 7 pruned")
    check(sum(1 for e in js["leaderboard"] if not e["complete"]) == 1, "JSON: one configuration incomplete")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dnnsweep", required=True)
    ap.add_argument("--writer", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--case", required=True, choices=["merged", "running"])
    a = ap.parse_args()
    os.makedirs(a.workdir, exist_ok=True)
    data = os.path.join(a.workdir, "clusters.txt")
    write_clusters(data, n=300, features=4, classes=3, seed=1, spread=1.0)
    results = os.path.join(a.workdir, "results.h5")
    run([a.writer, results, data] + (["--running"] if a.case == "running" else []))
    globals()["case_" + a.case](a, results)
    sys.exit(1 if check.failed else 0)


if __name__ == "__main__":
    main()
