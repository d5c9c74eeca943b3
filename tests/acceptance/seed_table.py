#!/usr/bin/python3
"""The seed-experiments table (the lecture's MNIST table) run through `dnnsweep train`.

Each row is one `dnnsweep train --json` run on the built-in digits (8000 train / 2000 held out,
20 epochs, seed 0; row 4 also with seeds 1 and 2, see EXTRA_SEEDS). The checks are the table's
lessons, as the table states them; each check runs once every row it needs has run, so
CTest can split the table into parallel tests:

    seed_table.py --dnnsweep build/runner/dnnsweep --rows 1,3
    seed_table.py --dnnsweep build/runner/dnnsweep --determinism

Prints one line per row (train/held-out accuracy, seconds) and exits non-zero if a check fails.
"""
import argparse
import json
import statistics
import subprocess
import sys

# Settings every row shares; a row's own settings replace these.
COMMON = {"data": "mnist", "validation-fraction": "0.2", "epochs": "20", "width": "689", "batch-size": "100",
          "seed": "0", "normalization": "minmax"}
SGD = {"optimizer": "sgd", "learning-rate": "0.1"}
ADAM = {"optimizer": "adam"}
RELU3 = {"layers": "3", "activation": "relu", "loss": "crossentropy", **ADAM}
RELU11 = {"layers": "11", "activation": "relu", "loss": "crossentropy", **SGD}
ROWS = {
    1: {"layers": "3", "activation": "sigmoid", "loss": "mse", **SGD},
    2: {"layers": "3", "activation": "sigmoid", "loss": "crossentropy", **SGD},
    3: {"layers": "11", "activation": "sigmoid", "loss": "crossentropy", **SGD},
    4: RELU11,
    5: {**RELU11, "batch-size": "full"},
    6: {**RELU11, **ADAM, "learning-rate": None},
    7: {**RELU3, "test-noise": "1"},
    8: {**RELU3, "test-noise": "1", "dropout": "0.7"},
    9: {**RELU3, "normalization": "none"},
}

# Row 4 (SGD at lr 0.1 through 11 ReLU layers) has loss spikes: an epoch falls to 0.1-0.7 train acc
# and the next few recover (seen with seeds 0-2 before and after kernel changes). Whether the 20th
# epoch lands in one is decided by float rounding, so its lesson (ReLU trains) is checked on the
# median of three seeds; the other checks use seed 0.
EXTRA_SEEDS = {4: ["1", "2"]}


def options(row, **overrides):
    """The command-line options of a row: COMMON, then the row's settings (None drops a key)."""
    merged = {**COMMON, **ROWS[row], **overrides}
    return [arg for k, v in merged.items() if v is not None for arg in (f"--{k}", v)] + ["--json"]


# (rows needed, description, predicate over {row: result})
CHECKS = [
    ({1}, "row 1 (MSE on softmax) does not train: train acc < 0.25", lambda r: r[1]["train_acc"] < 0.25),
    ({3}, "row 3 (11 sigmoid layers) does not train: train acc < 0.25", lambda r: r[3]["train_acc"] < 0.25),
    ({2}, "row 2 (cross-entropy) trains: train acc > 0.75", lambda r: r[2]["train_acc"] > 0.75),
    ({4}, "row 4 (11 ReLU layers) trains: median train acc of seeds 0-2 > 0.97",
     lambda r: statistics.median(x["train_acc"] for x in r["seeds"][4]) > 0.97),
    ({5}, "row 5 (full batch) stays under 0.5 train acc", lambda r: r[5]["train_acc"] < 0.5),
    ({6}, "row 6 (Adam) passes 0.75 validation acc after epoch 1",
     lambda r: r[6]["history"][0]["val_acc"] > 0.75),
    ({4, 6}, "row 6 (Adam) beats row 4 (SGD) after epoch 1",
     lambda r: r[6]["history"][0]["val_acc"] > r[4]["history"][0]["val_acc"]),
    ({7, 8}, "row 8 (dropout) beats row 7 on the noisy held-out set",
     lambda r: r[8]["val_acc"] > r[7]["val_acc"]),
    ({9}, "row 9 (inputs 0..255) still trains with a stable log-softmax: train acc > 0.9",
     lambda r: r[9]["train_acc"] > 0.9),
    ({9}, "row 9's health figures show the unscaled inputs (max |x| = 255)",
     lambda r: r[9]["history"][-1]["max_abs_input"] == 255),
]


def run(dnnsweep, args):
    p = subprocess.run([dnnsweep, "train", *args], capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"dnnsweep train {' '.join(args)} exited {p.returncode}: {p.stderr.strip()}")
    return json.loads(p.stdout)


def without_timings(result):
    """The JSON with its wall-clock fields removed: what must be identical run to run."""
    r = dict(result)
    r.pop("seconds", None)
    r.pop("eval_seconds", None)
    r["history"] = [{k: v for k, v in e.items() if k != "seconds"} for e in r["history"]]
    return r


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dnnsweep", required=True)
    ap.add_argument("--rows", default="", help="comma-separated row numbers")
    ap.add_argument("--determinism", action="store_true",
                    help="run row 2 for 2 epochs twice and compare the JSON")
    a = ap.parse_args()

    failed = []
    if a.determinism:
        args = options(2, epochs="2")
        first, second = run(a.dnnsweep, args), run(a.dnnsweep, args)
        ok = without_timings(first) == without_timings(second)
        print(f"determinism: same seed twice gives identical JSON: {'ok' if ok else 'FAILED'}")
        if not ok:
            failed.append("determinism")

    rows = [int(x) for x in a.rows.split(",") if x]
    results = {"seeds": {}}  # row -> its seed-0 run; "seeds" -> row -> the runs of all its seeds
    for row in rows:
        for seed in ["0", *EXTRA_SEEDS.get(row, [])]:
            r = run(a.dnnsweep, options(row, seed=seed))
            results["seeds"].setdefault(row, []).append(r)
            if seed == "0":
                results[row] = r
            print(f"row {row}{'' if seed == '0' else f' seed {seed}'}: train acc {r['train_acc']:.4f}  "
                  f"held-out acc {r['val_acc']:.4f}  epoch-1 val acc {r['history'][0]['val_acc']:.4f}  "
                  f"{r['seconds']:.1f} s  ({r['status']})", flush=True)
    for needed, what, predicate in CHECKS:
        if needed <= results.keys():
            ok = predicate(results)
            print(f"{'ok    ' if ok else 'FAILED'} {what}")
            if not ok:
                failed.append(what)
    if not rows and not a.determinism:
        sys.exit("nothing to run: give --rows or --determinism")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
