#!/usr/bin/env bash
# End to end: `dnnsweep train --json` on a small generated dataset. Checks that stdout is one JSON
# object with the documented keys, that the run learns (train_acc above chance), and that a second
# identical run gives the same JSON apart from wall-clock `seconds` fields (determinism).
# Usage: train_json_test.sh DNNSWEEP
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh"

dnnsweep="$1"
tmp="$(make_temp_dir)"
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
make_clusters data.txt

run=("$dnnsweep" train --data data.txt --layers 1 --width 16 --learning-rate 0.05 --batch-size 16
     --epochs 3 --seed 7 --json)
"${run[@]}" >first.json 2>first.err || fail "first run exited $?: $(cat first.err)"
"${run[@]}" >second.json 2>second.err || fail "second run exited $?: $(cat second.err)"
[[ ! -s first.err ]] || fail "stderr not empty: $(cat first.err)"

# Debian's python (see README): a python3 earlier on PATH may be another installation.
/usr/bin/python3 - first.json second.json <<'EOF'
import json, sys

def load(path):
    text = open(path).read()
    result = json.loads(text)  # raises on anything but exactly one JSON value
    assert text.count("\n") == 1 and text.endswith("\n"), "stdout must be one line of JSON"
    return result

first, second = load(sys.argv[1]), load(sys.argv[2])

required = ["status", "train_acc", "train_loss", "val_acc", "val_loss", "epochs", "seconds",
            "diverged_epoch", "best_epoch", "steps", "config", "data", "history"]
missing = [k for k in required if k not in first]
assert not missing, f"missing keys: {missing}"
assert first["status"] == "ok", first["status"]
assert first["epochs"] == 3 and len(first["history"]) == 3, (first["epochs"], len(first["history"]))
assert first["train_acc"] > 0.5, f"train_acc {first['train_acc']} is not above chance (1/3)"
assert first["seconds"] > 0

options = ["layers", "width", "activation", "maxout-pieces", "loss", "optimizer", "learning-rate",
           "momentum", "nesterov", "batch-size", "dropout", "normalization", "weight-decay", "init",
           "epochs", "patience", "seed", "test-noise", "threads"]
config = first["config"]
missing = [k for k in options if k not in config]
assert not missing, f"config lacks options: {missing}"
assert config["learning-rate"] == 0.05 and config["batch-size"] == 16 and config["seed"] == 7, config

data = first["data"]
assert (data["train"], data["val"], data["features"], data["classes"]) == (160, 40, 4, 3), data
assert data["source"].endswith("data.txt"), data["source"]

for i, epoch in enumerate(first["history"], start=1):
    keys = ["epoch", "train_loss", "train_acc", "val_loss", "val_acc", "seconds", "grad_norm",
            "dead_relu", "saturated", "max_abs_input"]
    missing = [k for k in keys if k not in epoch]
    assert not missing, f"history[{i - 1}] lacks {missing}"
    assert epoch["epoch"] == i
    assert isinstance(epoch["grad_norm"], list) and len(epoch["grad_norm"]) == 2, epoch["grad_norm"]

def without_seconds(value):
    if isinstance(value, dict):
        return {k: without_seconds(v) for k, v in value.items() if k not in ("seconds", "eval_seconds")}
    if isinstance(value, list):
        return [without_seconds(v) for v in value]
    return value

assert without_seconds(first) == without_seconds(second), "two identical runs differ"
assert "noisy_train_acc" not in first, "trained without noise: no noisy training figure"
print("ok: JSON keys, status ok, train_acc", first["train_acc"], "and determinism")
EOF

# Trained as noisy as validated: the training rows' accuracy with the validation's noise, in the JSON
# and the text line; below the clean rows' (the noise hides part of the clusters).
noisy=("$dnnsweep" train --data data.txt --layers 1 --width 16 --learning-rate 0.05 --batch-size 16 --epochs 8
       --seed 7 --test-noise 0.5 --train-noise 0.5)
"${noisy[@]}" --json >noisy.json || fail "the noisy run exited $?"
/usr/bin/python3 - noisy.json <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
assert 0.0 <= r["noisy_train_acc"] <= 1.0, r.get("noisy_train_acc")
assert r["noisy_train_acc"] < r["train_acc"], (r["noisy_train_acc"], r["train_acc"])
EOF
line="$("${noisy[@]}")" || fail "the noisy text run exited $?"
[[ "$line" == *" - noisy_train_accuracy: 0."* ]] || fail "the text line lacks noisy_train_accuracy: $line"
echo "ok: noisy_train_acc with train-noise >= test-noise"
