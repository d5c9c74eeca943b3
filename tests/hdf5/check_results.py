#!/usr/bin/python3
"""Reads a merged results file the way a user's script does: plain h5py.File(path) (no SWMR),
numpy only. The file comes from write_sample_results (tests/hdf5/sample_units.hpp: 2 x 2
configurations, 2 folds, unit 5 failed with a long UTF-8 message, no test set).

    check_results.py --writer build/tests/hdf5/write_sample_results --out /tmp/x/results.h5
"""
import argparse
import math
import os
import re
import subprocess
import sys

import h5py
import numpy as np

FOLDS_FIELDS = ["unit", "config", "fold", "unit_id", "config_id", "status", "error", "train_acc", "train_loss",
                "val_acc", "val_loss", "test_acc", "test_loss", "epochs", "best_epoch", "diverged_epoch", "steps",
                "seconds", "rank", "host", "finished_at", "loss_drop", "early_dead_relu", "loss_spike", "spike_epoch",
                "lowest_loss_epoch", "grad_growth", "val_slope", "val_spread_ratio", "val_mean_shift", "test_spread_ratio",
                "test_mean_shift", "memory_mb", "noisy_train_acc"]
CURVES_FIELDS = ["unit", "epoch", "train_loss", "train_acc", "val_loss", "val_acc", "seconds", "dead_relu",
                 "saturated", "max_abs_input"]
GRAD_FIELDS = ["unit", "epoch", "layer", "norm"]
SUMMARY_FIELDS = ["folds_done", "folds_failed", "folds_pruned", "mean_train_acc", "std_train_acc", "mean_val_acc",
                  "std_val_acc", "mean_train_loss", "std_train_loss", "mean_val_loss", "std_val_loss", "mean_test_acc",
                  "bias", "variance", "verdict", "reason", "causes", "seconds", "epochs_trained", "epochs_planned",
                  "epochs_saved"]
# A few hyperparameter columns (the C++ test checks that every option of the table has one).
OPTION_FIELDS = ["layers", "width", "activation", "learning-rate", "batch-size", "nesterov", "dropout", "seed"]

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)


def text(v):
    """A string field's value as str: variable-length fields come back as bytes in h5py 3."""
    return v.decode("utf-8") if isinstance(v, (bytes, np.bytes_)) else v


def check_string_fields(ds, names):
    for name in names:
        info = h5py.check_string_dtype(ds.dtype[name])
        check(info is not None and info.encoding == "utf-8", f"{ds.name}.{name} is a UTF-8 string field")
        check(all(isinstance(text(v), str) for v in ds[name]), f"{ds.name}.{name} decodes as str")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--writer", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    subprocess.run([args.writer, args.out], check=True)

    with h5py.File(args.out) as f:  # plain open: the merged file is never left in SWMR mode
        check(set(f.keys()) == {"configs", "folds", "curves", "grad_norms", "confusion", "classes", "config_confusion",
                                "class_accuracy", "importance"}, f"datasets: {sorted(f.keys())}")

        # Root attributes.
        a = f.attrs
        check(isinstance(a["spec"], str) and "layers = 1, 2" in a["spec"], "spec verbatim as str")
        check(re.fullmatch(r"[0-9a-f]{16}", a["spec_hash"]) is not None, f"spec_hash {a['spec_hash']!r}")
        check(a["version"] == "0.1", "version")
        check(a["run_id"] == "20240101T000000-4242", "run_id")
        check(a["started_at"] == 1704067200.0 and a["finished_at"] == 1704067260.5, "start/end times")
        check(a["ranks"] == 3, "ranks")
        check([text(h) for h in a["hosts"]] == ["node-a", "node-b"], f"hosts {a['hosts']!r}")
        check(a["data_source"] == "digits", "data_source")
        check((a["samples"], a["features"], a["classes"]) == (1797, 64, 10), "data shape")
        check(a["units_total"] == 8 and a["units_done"] == 8, "unit counts")
        check(a["configs_total"] == 4 and a["folds_per_config"] == 2, "grid size")

        # folds: one row per unit, named as `dnnsweep train --json`.
        folds = np.asarray(f["folds"])
        check(folds.dtype.names is not None and list(folds.dtype.names) == FOLDS_FIELDS,
              f"folds fields {folds.dtype.names}")
        check(len(folds) == 8, f"folds rows {len(folds)}")
        check(list(folds["unit"]) == list(range(8)), "one row per unit, no duplicate")
        check_string_fields(f["folds"], ["unit_id", "config_id", "status", "error", "host"])
        status = [text(s) for s in folds["status"]]
        check(status == ["ok"] * 5 + ["failed"] + ["ok"] * 2, f"status {status}")
        error = text(folds["error"][5])
        check(error.startswith("oneDNN: ") and "données-ü-€-" in error and len(error.encode()) >= 700,
              "the failed unit's message, whole and UTF-8")
        check(all(text(e) == "" for i, e in enumerate(folds["error"]) if i != 5), "no error on ok units")
        check(all(text(u).startswith(text(c) + "/") for u, c in zip(folds["unit_id"], folds["config_id"])),
              "unit_id = config_id/fold")
        check(bool(np.all(np.isnan(folds["test_acc"]))), "test_acc NaN without a test set")
        check(f["folds"].attrs["seconds"] == "s" and f["folds"].attrs["finished_at"] == "unix seconds", "units")
        check(folds["fold"].dtype.kind == "i" and folds["steps"].dtype == np.int64, "integer fields")

        # configs: one row per configuration, every hyperparameter typed, fold means and stds.
        configs = np.asarray(f["configs"])
        names = list(configs.dtype.names)
        check(len(configs) == 4, f"configs rows {len(configs)}")
        check(names[:2] == ["config", "config_id"], "configs key fields")
        check(all(n in names for n in OPTION_FIELDS), f"hyperparameter fields in {names}")
        check(names[-len(SUMMARY_FIELDS):] == SUMMARY_FIELDS, f"summary fields in {names}")
        check(configs["layers"].dtype.kind == "i" and list(configs["layers"]) == [1, 1, 2, 2], "layers column")
        check(configs["learning-rate"].dtype == np.float64, "learning-rate is a real")
        check(configs["nesterov"].dtype == np.bool_, f"nesterov is a bool ({configs['nesterov'].dtype})")
        check([text(b) for b in configs["batch-size"]] == ["10", "full", "10", "full"], "batch-size as text")
        check_string_fields(f["configs"], ["config_id", "activation", "batch-size", "verdict", "reason", "causes"])
        check(all(text(v) in {"not_training", "underfitting", "overfitting", "good", "failed"}
                  for v in configs["verdict"]), "verdicts")
        for c in range(4):
            ran = folds[(folds["config"] == c) & (np.char.equal(np.array(status), "ok"))]
            row = configs[configs["config"] == c][0]
            for metric in ["train_acc", "val_acc", "train_loss", "val_loss"]:
                check(math.isclose(row["mean_" + metric], np.mean(ran[metric]), rel_tol=1e-12),
                      f"config {c} mean_{metric}")
                check(math.isclose(row["std_" + metric], np.std(ran[metric]), rel_tol=1e-9, abs_tol=1e-15),
                      f"config {c} std_{metric} (population, ddof=0)")
            check(row["folds_done"] == len(ran), f"config {c} folds_done")
            check(row["folds_failed"] == (1 if c == 2 else 0), f"config {c} folds_failed")
            check(row["folds_pruned"] == 0 and row["epochs_saved"] == 0, f"config {c}: nothing pruned")
            mine = folds[folds["config"] == c]
            check(row["epochs_trained"] == int(np.sum(mine["epochs"])), f"config {c} epochs_trained")
            check(row["epochs_planned"] == 3 * len(mine), f"config {c} epochs_planned (3 per recorded fold)")
            check(math.isnan(row["mean_test_acc"]), f"config {c} mean_test_acc NaN")
            check(text(row["config_id"]) == text(folds[folds["config"] == c]["config_id"][0]), "config ids")

        # curves: one row per (unit, epoch); grad_norms: one per (unit, epoch, layer).
        curves = np.asarray(f["curves"])
        grads = np.asarray(f["grad_norms"])
        check(list(curves.dtype.names) == CURVES_FIELDS, f"curves fields {curves.dtype.names}")
        check(list(grads.dtype.names) == GRAD_FIELDS, f"grad_norms fields {grads.dtype.names}")
        layers = {int(r["config"]): int(r["layers"]) for r in configs}
        for row in folds:
            u = row["unit"]
            mine = curves[curves["unit"] == u]
            check(len(mine) == row["epochs"], f"unit {u}: curve length = epochs run")
            check(list(mine["epoch"]) == list(range(1, row["epochs"] + 1)), f"unit {u}: epochs 1..n")
            if len(mine):
                check(mine["val_acc"][-1] == row["val_acc"], f"unit {u}: last epoch's val_acc")
            g = grads[grads["unit"] == u]
            check(len(g) == row["epochs"] * (layers[int(row["config"])] + 1), f"unit {u}: a norm per layer")
        check(f["curves"].attrs["seconds"] == "s", "curves units")

    if failures:
        print(f"{len(failures)} check(s) failed", file=sys.stderr)
        return 1
    print("ok: results file reads with plain h5py + numpy")
    return 0


if __name__ == "__main__":
    sys.exit(main())
