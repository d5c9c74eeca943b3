#!/usr/bin/python3
"""Verified repairs in real `mpirun -np 3` sweeps, read back with h5py as a user would.

    repair_test.py --dnnsweep build/runner/dnnsweep --workdir DIR

- `repair = true` on a study with two configurations that do not train (plain SGD at 1e-5 and
  1e-6, lr_too_low) at two widths: the narrow one's repair (learning-rate 0.01) is already in the grid
  and is linked, not trained again; the wide one's is a new configuration, trained on the same
  folds into the same file. `repair_of` names the parents; each repair reaches a better verdict;
  the report shows the before -> after lines and the repair rate, in text, JSON, CSV and HTML.
- Stopped by SIGTERM to every rank during the repairs, then run again: every repair fold recorded
  once, with the uninterrupted run's figures.
- `dnnsweep repair RESULTS.h5` on a finished study run without `repair`: only the repair trains,
  with the same figures as the study run with `repair = true`.
- Two rounds: plain SGD at 1e-6 with mse loss is repaired to crossentropy first (mse_softmax),
  which still does not train (lr_too_low), so that repair gets its own (learning-rate 0.01): the
  second round, linked to the first by `repair_of`, shown as "...; then ..." and counted once in
  the rate; weight decay 0.5 reads over_regularised and is lowered. Stopped by SIGTERM during the
  second round and resumed: its folds recorded once, with the uninterrupted run's figures.
"""
import glob
import json
import os
import signal
import subprocess
import sys
import time

import h5py
import numpy as np
import pandas

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testlib import check, dnnsweep_ranks, fresh, mpi_env, test_args, text, write_clusters  # noqa: E402

SPEC = """# a study with configurations that do not train
data = {data}
folds = 3
split-seed = 2
layers = 1
activation = relu
batch-size = 16
epochs = {epochs}
prune = none
{repair}
[adam]
width = 16
optimizer = adam
learning-rate = 0.01

[sgd]
width = 16
optimizer = sgd
learning-rate = 0.01

[slow-narrow]
width = 16
optimizer = sgd
learning-rate = 0.00001

[slow-wide]
width = 4096
optimizer = sgd
learning-rate = 0.000001
"""
TWO_ROUNDS = """# two fixes needed, and one setting that regularises too much (the wide one's folds take long
# enough for a stop to land among them)
data = {data}
folds = 3
split-seed = 2
layers = 1
activation = relu
batch-size = 16
width = 16
optimizer = sgd
epochs = 60
prune = none
repair = true
[decay]
learning-rate = 0.01
weight-decay = 0.5

[mse-slow]
loss = mse
learning-rate = 0.000001
width = 4096
"""
RANK = {"failed": 0, "not_training": 1, "underfitting": 2, "overfitting": 2, "good": 3}


def mpirun(a, *args):
    return ["mpirun", "-np", "3", "--oversubscribe", a.dnnsweep, *args]


def run(cmd, env):
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
    if p.returncode != 0:
        sys.exit(f"{' '.join(cmd)} exited {p.returncode}:\n{p.stdout}\n{p.stderr}")
    return p


def configs(out):
    with h5py.File(out, "r") as f:
        return np.asarray(f["configs"]), np.asarray(f["folds"])


def repair_folds(out):
    """{(config_id, fold): val_acc} of the new repair's folds (the [slow-wide] row's), and how many
    fold records the file has, and how many distinct ones."""
    c, folds = configs(out)
    wide = {text(r["config_id"]) for r in c if text(r["section"]) == "slow-wide"}
    ids = {text(r["config_id"]) for r in c if "repair_of" in c.dtype.names and text(r["repair_of"]) in wide}
    keys = [(text(u["config_id"]), int(u["fold"])) for u in folds]
    figures = {(text(u["config_id"]), int(u["fold"])): float(u["val_acc"]) for u in folds
               if text(u["config_id"]) in ids}
    return figures, len(keys), len(set(keys))


def check_study(out, what):
    c, folds = configs(out)
    check("repair_of" in c.dtype.names, f"{what}: the configs table has a repair_of column")
    if "repair_of" not in c.dtype.names:
        return None
    sections = {text(r["section"]): r for r in c if not text(r["repair_of"])}
    narrow, wide, sgd = sections.get("slow-narrow"), sections.get("slow-wide"), None
    linked = [r for r in c if text(r["repair_of"])]
    check(narrow is not None and wide is not None and text(narrow["verdict"]) == "not_training"
          and text(wide["verdict"]) == "not_training" and "lr_too_low" in text(wide["causes"]),
          f"{what}: both slow SGD configurations are not_training, lr_too_low")
    # The narrow one's repair is the grid's [sgd] row: linked, not trained twice.
    for r in c:
        if text(r["section"]) == "sgd":
            sgd = r
    check(sgd is not None and text(sgd["repair_of"]) == text(narrow["config_id"]),
          f"{what}: the repair already in the grid ([sgd]) names its parent in repair_of")
    check(sum(1 for r in c if text(r["section"]) == "sgd") == 1,
          f"{what}: the repair already in the grid is not trained twice (one [sgd] row)")
    new = [r for r in linked if text(r["repair_of"]) == text(wide["config_id"])]
    check(len(new) == 1 and len(c) == 5, f"{what}: one new configuration, the wide one's repair ({len(c)} rows)")
    if not new:
        return None
    rep = new[0]
    check(float(rep["learning-rate"]) == 0.01 and int(rep["width"]) == 4096 and text(rep["optimizer"]) == "sgd"
          and text(rep["section"]) == "slow-wide",
          f"{what}: the repair changes the learning rate alone (1e-06 -> 0.01), in its parent's section")
    check(int(rep["folds_done"]) == 3, f"{what}: the repair ran on every fold ({rep['folds_done']})")
    for parent, child in ((narrow, sgd), (wide, rep)):
        check(RANK[text(child["verdict"])] > RANK[text(parent["verdict"])],
              f"{what}: {text(parent['section'])}'s repair reaches a better verdict "
              f"({text(parent['verdict'])} -> {text(child['verdict'])})")
    # Same folds: each fold's validation part has the parent's row count.
    with h5py.File(out, "r") as f:
        conf = np.asarray(f["confusion"])
    unit_key = {int(u["unit"]): (text(u["config_id"]), int(u["fold"])) for u in folds}
    val = {}
    for cell in conf:
        if text(cell["split"]) == "val":
            key = unit_key[int(cell["unit"])]
            val[key] = val.get(key, 0) + int(cell["count"])
    same = all(val.get((text(rep["config_id"]), k)) == val.get((text(wide["config_id"]), k)) for k in range(3))
    check(same and len(val) >= 15, f"{what}: the repair's folds hold the parent's validation rows")
    keys = [(text(u["config_id"]), int(u["fold"])) for u in folds]
    check(len(keys) == len(set(keys)) == 15, f"{what}: every fold recorded once ({len(keys)} records)")
    return narrow, wide, rep


def check_report(a, env, out, narrow, wide, rep):
    p = run([a.dnnsweep, "report", out], env)
    line = (f"slow-wide: learning-rate 1e-06 -> 0.01: validation {float(wide['mean_val_acc']):.2f} -> "
            f"{float(rep['mean_val_acc']):.2f}, {text(rep['verdict'])}")
    check(line in p.stdout, f"the report shows the repair as before -> after: {line!r}")
    check("repair rate: 2 of 2 repairs reached a better verdict (100%)" in p.stdout,
          "the report gives the repair rate (2 of 2)")
    doc = json.loads(run([a.dnnsweep, "report", out, "--format", "json"], env).stdout)
    rep_json = doc.get("repairs", {})
    check(rep_json.get("tried") == 2 and rep_json.get("better") == 2 and rep_json.get("rate") == 1.0
          and any(r["line"] == line and r["key"] == "learning-rate" for r in rep_json.get("repairs", [])),
          "the JSON report has the repairs, their lines and the rate")
    csv_dir, html = out + ".csv", out + ".html"
    run([a.dnnsweep, "report", out, "--csv", csv_dir, "--html", html], env)

    table = pandas.read_csv(os.path.join(csv_dir, "configs.csv"), keep_default_na=False)
    check("repair_of" in table and (table["repair_of"] == text(wide["config_id"])).sum() == 1,
          "configs.csv has the repair_of column")
    with open(html) as f:
        page = f.read()
    check("<h2>Repairs</h2>" in page and line.replace(">", "&gt;") in page, "the HTML page lists the repairs")


def sweep_stopped_when(a, env, spec, out, shard_glob, recorded, total):
    """Runs the sweep and, once a shard matching `shard_glob` appears (a repair round's shards are
    created as it starts), sends SIGTERM to every rank at once, as Slurm's scancel signals every
    task (Open MPI's mpirun passes a SIGTERM of its own on only a second later, longer than these
    rounds take on a quiet machine); tries again (up to 4 times) when the stop landed after
    `recorded(out)` reached `total` folds. Returns whether it stopped in time saying how to resume,
    the stderr, the folds recorded by then and the attempt."""
    for attempt in range(4):
        fresh(out)
        proc = subprocess.Popen(mpirun(a, "sweep", spec, "--out", out, "--progress", "none", "--batch-seconds", "0"),
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and proc.poll() is None and \
                not glob.glob(os.path.join(out + ".parts", shard_glob)):
            time.sleep(0.01)
        landed = proc.poll() is None
        for rank in dnnsweep_ranks(proc.pid) or [proc.pid]:
            try:
                os.kill(rank, signal.SIGTERM)
            except ProcessLookupError:
                pass
        _, err = proc.communicate(timeout=120)
        stopped = "units not run yet; run the same command again to resume" in err
        partial = recorded(out) if os.path.exists(out) else {}
        if landed and stopped and len(partial) < total:
            return True, err, partial, attempt
    return landed and stopped, err, partial, attempt


def second_round_folds(out):
    """{(config_id, fold): val_acc} of the folds of configurations that repair a repair."""
    with h5py.File(out, "r") as f:
        c, folds = np.asarray(f["configs"]), np.asarray(f["folds"])
    if "repair_of" not in c.dtype.names:
        return {}
    repairs = {text(r["config_id"]) for r in c if text(r["repair_of"])}
    second = {text(r["config_id"]) for r in c if set(text(r["repair_of"]).split()) & repairs}
    return {(text(u["config_id"]), int(u["fold"])): float(u["val_acc"]) for u in folds
            if text(u["config_id"]) in second}


def two_rounds(a, env, data):
    spec = os.path.join(a.workdir, "two-rounds.ini")
    with open(spec, "w") as f:
        f.write(TWO_ROUNDS.format(data=data))
    ref = os.path.join(a.workdir, "two-rounds.h5")
    fresh(ref)
    p = run(mpirun(a, "sweep", spec, "--out", ref, "--progress", "none"), env)
    check("repairs: 2 configurations x 3 folds = 6 units (6 to run)" in p.stderr and
          "repairs (round 2): 3 configurations x 3 folds = 9 units (3 to run)" in p.stderr,
          f"the sweep runs the first round's two repairs, then the second round's one: {p.stderr.strip()[-600:]}")
    c, _ = configs(ref)
    by_id = {text(r["config_id"]): r for r in c}
    rows = {(text(r["section"]), text(r["repair_of"]) == ""): r for r in c}
    decay, mse = rows.get(("decay", True)), rows.get(("mse-slow", True))
    if not check(decay is not None and mse is not None and len(c) == 5, f"two rounds: five configurations ({len(c)})"):
        return
    check(text(decay["causes"]).split(",")[0] == "over_regularised",
          f"weight decay 0.5 reads over_regularised first: {text(decay['reason'])}")
    first = [r for r in c if text(r["repair_of"]) == text(mse["config_id"])]
    second = [r for r in c if first and text(r["repair_of"]) == text(first[0]["config_id"])]
    if not check(len(first) == 1 and len(second) == 1, "mse-slow has a repair, and that repair one of its own"):
        return
    one, two = first[0], second[0]
    check(text(one["loss"]) == "crossentropy" and float(one["learning-rate"]) == 1e-6 and
          text(one["verdict"]) == "not_training" and text(one["causes"]).split(",")[0] == "lr_too_low",
          f"the first round changes the loss alone, and the repair does not train (lr_too_low): {text(one['reason'])}")
    check(text(two["loss"]) == "crossentropy" and float(two["learning-rate"]) == 0.01 and
          RANK[text(two["verdict"])] > RANK[text(mse["verdict"])] and text(two["section"]) == "mse-slow",
          f"the second round raises the rate on top and reaches a better verdict ({text(two['verdict'])})")
    decay_fix = [r for r in c if text(r["repair_of"]) == text(decay["config_id"])]
    check(len(decay_fix) == 1 and float(decay_fix[0]["weight-decay"]) == 0.05,
          "the over-regularised configuration's repair lowers the weight decay to a tenth")
    line = (f"mse-slow: loss mse -> crossentropy: validation {float(mse['mean_val_acc']):.2f} -> "
            f"{float(one['mean_val_acc']):.2f}, not_training; then learning-rate 1e-06 -> 0.01: "
            f"{float(one['mean_val_acc']):.2f} -> {float(two['mean_val_acc']):.2f}, {text(two['verdict'])}")
    report = run([a.dnnsweep, "report", ref], env).stdout
    better = 1 + (len(decay_fix) == 1 and RANK[text(decay_fix[0]["verdict"])] > RANK[text(decay["verdict"])])
    check(line in report and f"repair rate: {better} of 2 repairs reached a better verdict" in report,
          f"the report shows both steps on one line and counts the chain once: {line!r}")
    doc = json.loads(run([a.dnnsweep, "report", ref, "--format", "json"], env).stdout)
    chain = [r for r in doc["repairs"]["repairs"] if r["section"] == "mse-slow"]
    check(len(chain) == 1 and chain[0]["then"] and chain[0]["then"]["key"] == "learning-rate" and
          chain[0]["then"]["repaired_id"] == text(two["config_id"]) and chain[0]["better"] and
          chain[0]["line"] == line, "the JSON report has the second step under `then`")
    reference = second_round_folds(ref)
    check(len(reference) == 3 and all(k[0] in by_id for k in reference), "the second round ran on every fold")

    # Stopped during the second round, then resumed.
    out = os.path.join(a.workdir, "two-rounds-stopped.h5")
    landed, err, partial, attempt = sweep_stopped_when(a, env, spec, out, "*-repairs2.h5", second_round_folds, 3)
    check(landed, f"SIGTERM during the second round stops the sweep (attempt {attempt + 1}): {err.strip()[-300:]}")
    run(mpirun(a, "sweep", spec, "--out", out, "--progress", "none"), env)
    resumed = second_round_folds(out)
    with h5py.File(out, "r") as f:
        keys = [(text(u["config_id"]), int(u["fold"])) for u in np.asarray(f["folds"])]
    check(resumed == reference and len(keys) == len(set(keys)) == 15,
          f"the resumed study has every second-round fold once, with the uninterrupted run's figures "
          f"({len(partial)} recorded at the stop, {len(keys)} records)")


def main():
    a = test_args()
    env = mpi_env()
    data = os.path.join(a.workdir, "clusters.txt")
    write_clusters(data, 1500, 12, 3, seed=5, spread=2.0)

    def spec(name, repair, epochs):
        path = os.path.join(a.workdir, name)
        with open(path, "w") as f:
            f.write(SPEC.format(data=data, epochs=epochs, repair="repair = true" if repair else ""))
        return path

    epochs = 60
    on, off = spec("repair.ini", True, epochs), spec("plain.ini", False, epochs)

    # One uninterrupted run with repair = true.
    ref = os.path.join(a.workdir, "ref.h5")
    fresh(ref)
    p = run(mpirun(a, "sweep", on, "--out", ref, "--progress", "none"), env)
    check("repairs: 1 configuration x 3 folds = 3 units (3 to run)" in p.stderr,
          "the sweep says it runs one repair after the grid")
    found = check_study(ref, "repair = true")
    if found:
        check_report(a, env, ref, *found)
    reference, records, _ = repair_folds(ref)

    # Rerun of the same command: nothing trains again, nothing is lost.
    p = run(mpirun(a, "sweep", on, "--out", ref, "--progress", "none"), env)
    again, records2, _ = repair_folds(ref)
    check("; 0 epochs trained in this run" in p.stdout and again == reference and records2 == records,
          f"the same command again trains nothing and keeps every repair ({p.stdout.strip()})")

    # Stopped during the repairs, then resumed. One unit per append (--batch-seconds 0: results do
    # not depend on batching) and SIGTERM to the ranks as soon as the repairs' shards appear; the
    # three repair folds take under a second here, so a stop that lands after all three is tried again.
    out = os.path.join(a.workdir, "stopped.h5")
    landed, err, partial, attempt = sweep_stopped_when(
        a, env, on, out, "*-repairs.h5",
        lambda path: repair_folds(path)[0] if "repair_of" in h5py.File(path, "r")["configs"].dtype.names else {}, 3)
    check(landed, f"SIGTERM during the repairs stops the sweep, saying how to resume "
                  f"(attempt {attempt + 1}): {err.strip()[-300:]}")
    check(len(partial) < 3, f"the stop landed before every repair fold was recorded ({len(partial)} of 3)")
    run(mpirun(a, "sweep", on, "--out", out, "--progress", "none"), env)
    resumed, records3, distinct3 = repair_folds(out)
    check(resumed == reference and records3 == distinct3 == records,
          f"the resumed study has every repair fold once, with the uninterrupted run's figures "
          f"({len(resumed)} folds, {records3} records)")

    # `dnnsweep repair` on a finished study run without repairs.
    plain = os.path.join(a.workdir, "plain.h5")
    fresh(plain)
    run(mpirun(a, "sweep", off, "--out", plain, "--progress", "none"), env)
    with h5py.File(plain, "r") as f:
        check("repair_of" not in f["configs"].dtype.names, "a study without repair has no repair_of column")
    p = run(mpirun(a, "repair", plain, "--progress", "none"), env)
    check(f"; {3 * epochs} epochs trained in this run" in p.stdout,
          f"dnnsweep repair trains the repair's folds alone ({p.stdout.strip()})")
    check_study(plain, "dnnsweep repair")
    repaired, _, _ = repair_folds(plain)
    check(repaired == reference, "dnnsweep repair gives the figures the study with repair = true gave")
    bad = subprocess.run([a.dnnsweep, "repair", os.path.join(a.workdir, "missing.h5")], capture_output=True,
                         text=True, env=env)
    check(bad.returncode == 2 and "missing.h5: cannot open" in bad.stderr and len(bad.stderr.splitlines()) == 1,
          f"a missing results file: one line naming it, exit 2 ({bad.returncode}: {bad.stderr.strip()})")
    two_rounds(a, env, data)
    sys.exit(1 if check.failed else 0)


if __name__ == "__main__":
    main()
