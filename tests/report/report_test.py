#!/usr/bin/python3
"""`dnnsweep report` on a real sweep, checked as a user would read its outputs.

    report_test.py --dnnsweep BIN --workdir DIR --case sweep|formats|csv|plots_html|partial|docs

`sweep` (the fixture the others need) writes a 3-class clusters dataset and a 16-configuration spec
(loss, activation, depth and validation noise under plain SGD: every verdict but `failed` appears)
and runs it with mpirun -np 3 into DIR/results.h5 (about 2 s). The other cases read it:
  formats     text, JSON and CSV on stdout agree with the HDF5 file (h5py): leaderboard order
              (ties by cost), influence ranking, verdict counts, one line per config to act on
  csv         --csv DIR: read by Python's csv module, numpy.genfromtxt(names=True) and pandas, each
              value equal to the HDF5 one
  plots_html  --plots DIR (PNG + SVG per figure, the expected set) and --html rendered by headless
              chromium: every embedded image decodes
  partial     a sweep still running (no merged file, one of its two shards): marked PARTIAL
  docs        runs docs/analysis.md's snippets exactly as written
"""
import argparse
import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testlib import check, mpi_env, text, write_clusters  # noqa: E402

SPEC = """# the report tests' sweep
data = {data}
folds = 3
test-fraction = 0.2
split-seed = 7
layers = 1, 8
activation = relu, sigmoid
loss = crossentropy, mse
test-noise = 0, 3
width = 16
optimizer = sgd
learning-rate = 0.1
batch-size = 16
epochs = 5
"""
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run(cmd, rc=0, cwd=None):
    p = subprocess.run(cmd, capture_output=True, text=True, env=mpi_env(), timeout=300, cwd=cwd)
    if p.returncode != rc:
        sys.exit(f"{' '.join(cmd)} exited {p.returncode} (expected {rc}):\n{p.stdout[-3000:]}\n{p.stderr[-3000:]}")
    return p


def tables(path):
    with h5py.File(path, "r") as f:
        return {n: np.asarray(f[n]) for n in ("configs", "folds", "curves", "grad_norms")}


def expected_order(configs):
    """Best mean validation accuracy first, exact ties to the lower training seconds per fold."""
    per_fold = configs["seconds"] / np.maximum(configs["folds_done"] + configs["folds_failed"], 1)
    acc = np.where(np.isnan(configs["mean_val_acc"]), -np.inf, configs["mean_val_acc"])
    return [int(configs["config"][i]) for i in sorted(range(len(configs)), key=lambda i: (-acc[i], per_fold[i], i))]


def case_sweep(a, results):
    data = os.path.join(a.workdir, "clusters.txt")
    write_clusters(data, n=300, features=4, classes=3, seed=1, spread=1.0)
    spec = os.path.join(a.workdir, "report.ini")
    with open(spec, "w") as f:
        f.write(SPEC.format(data=data))
    shutil.rmtree(results + ".parts", ignore_errors=True)
    if os.path.exists(results):
        os.remove(results)
    run(["mpirun", "-np", "3", "--oversubscribe", a.dnnsweep, "sweep", spec, "--out", results, "--progress", "none"])
    t = tables(results)
    verdicts = {text(v) for v in t["configs"]["verdict"]}
    check(len(t["configs"]) == 16, "the sweep recorded 16 configurations")
    check({"good", "not_training", "overfitting", "underfitting"} <= verdicts, f"its verdicts vary: {sorted(verdicts)}")


def case_formats(a, results):
    t = tables(results)
    configs = t["configs"]
    order = expected_order(configs)
    by_config = {int(c["config"]): c for c in configs}

    js = json.loads(run([a.dnnsweep, "report", results, "--format", "json", "--top", "100"]).stdout)
    check(js["partial"] is False and js["units_done"] == js["units_total"] == 48, "JSON: a finished sweep, 48 units")
    check([e["config"] for e in js["leaderboard"]] == order,
          "JSON leaderboard: best mean validation accuracy first, ties to the cheaper configuration")
    ties = [(x, y) for x, y in zip(js["leaderboard"], js["leaderboard"][1:]) if x["mean_val_acc"] == y["mean_val_acc"]]
    check(len(ties) > 0 and all(x["seconds_per_fold"] <= y["seconds_per_fold"] for x, y in ties),
          f"the sweep has exact ties ({len(ties)}), each broken by seconds per fold")
    check(all(abs(e["mean_val_acc"] - by_config[e["config"]]["mean_val_acc"]) < 1e-12
              and abs(e["std_val_acc"] - by_config[e["config"]]["std_val_acc"]) < 1e-12 for e in js["leaderboard"]),
          "JSON leaderboard accuracies and stds equal the HDF5 configs table")
    inf = js["influence"]
    check([i["option"] for i in inf] and sorted(i["option"] for i in inf) == ["activation", "layers", "loss", "test-noise"],
          "influence: exactly the four options the spec varies")
    check(all(x["spread"] >= y["spread"] for x, y in zip(inf, inf[1:])), "influence ranked by spread")
    mismatches = []
    for i in inf:
        col = configs[i["option"]]
        for v in i["values"]:
            if col.dtype.kind in "iuf":  # numbers: compare values, not their text ("3" vs "3.0")
                mask = col == float(v["value"])
            else:
                mask = np.array([text(x) == v["value"] for x in col])
            sel = configs["mean_val_acc"][mask]
            if not (len(sel) == v["configs"] and abs(sel.mean() - v["mean"]) < 1e-9 and abs(sel.max() - v["best"]) < 1e-9):
                mismatches.append(f'{i["option"]}={v["value"]}')
    check(not mismatches, f"influence: each value's mean and best equal numpy's over the HDF5 table {mismatches}")
    counts = js["diagnosis"]["counts"]
    h5_counts = {}
    for v in configs["verdict"]:
        h5_counts[text(v)] = h5_counts.get(text(v), 0) + 1
    check(all(counts[k] == h5_counts.get(k, 0) for k in counts) and sum(counts.values()) == 16,
          f"verdict counts equal the HDF5 table's: {counts}")
    act = js["diagnosis"]["configs"]
    want = [c for c in order if text(by_config[c]["verdict"]) in ("not_training", "overfitting", "failed")]
    check([d["config"] for d in act] == want, "diagnosis lists every not_training/overfitting config, best first")
    check(all(d["reason"] == text(by_config[d["config"]]["reason"]) for d in act), "each with the HDF5 reason")

    out = run([a.dnnsweep, "report", results]).stdout
    check("PARTIAL" not in out, "text: a finished sweep is not marked partial")
    board = re.findall(r"^  (\d+) +(\d\.\d{3}) \+- (\d\.\d{3})", out, re.M)
    check(len(board) == 10 and [int(b[0]) for b in board] == list(range(1, 11)), "text: top 10 by default")
    check(re.search(r"^  loss +spread \d\.\d{3} +crossentropy \d\.\d{3} \(\d\.\d{3}\) vs mse \d\.\d{3}", out, re.M)
          is not None, "text: 'loss ... crossentropy M (BEST) vs mse M' in which settings matter")
    lines = [ln for ln in out.splitlines() if re.match(r"^  #\d+ +(not_training|overfitting|failed) ", ln)]
    listed = {order[int(re.match(r"^  #(\d+)", ln).group(1)) - 1]: ln for ln in lines}
    check(len(lines) == len(want) and set(listed) == set(want)
          and all(text(by_config[c]["reason"]) in listed[c] for c in want),
          "text: one line per config to act on (fewer than --top per group), with its reason and fix")

    rows = list(csv.DictReader(io.StringIO(run([a.dnnsweep, "report", results, "--format", "csv", "--top", "3"]).stdout)))
    check(len(rows) == 3 and [int(r["config"]) for r in rows] == order[:3] and [r["rank"] for r in rows] == ["1", "2", "3"],
          "--format csv: the top 3 in leaderboard order")

    p = run([a.dnnsweep, "report", results, "--format", "yaml"], rc=2)
    check(p.stdout == "" and len(p.stderr.splitlines()) == 1 and "--format" in p.stderr, "a bad --format: one line, exit 2")


def case_csv(a, results):
    t = tables(results)
    out = os.path.join(a.workdir, "csv")
    shutil.rmtree(out, ignore_errors=True)
    run([a.dnnsweep, "report", results, "--csv", out])
    check(sorted(os.listdir(out)) == ["class_accuracy.csv", "configs.csv", "confusion.csv", "curves.csv", "folds.csv",
                                      "grad_norms.csv", "importance.csv"],
          "--csv writes 7 files")
    import pandas as pd  # after the checks that need none of it

    # The class tables: leaderboard order in CSV, configuration order in HDF5.
    with h5py.File(results, "r") as f:
        h5_acc, h5_conf = np.asarray(f["class_accuracy"]), np.asarray(f["config_confusion"])
    acc = pd.read_csv(os.path.join(out, "class_accuracy.csv")).sort_values(["config", "class"], kind="stable")
    check(len(acc) == len(h5_acc) and np.array_equal(acc["config"], h5_acc["config"]) and
          np.array_equal(acc["val_rows"], h5_acc["val_rows"]) and
          np.allclose(acc["val_acc"], h5_acc["val_acc"], rtol=1e-12, atol=0, equal_nan=True) and
          list(acc["name"].astype(str)) == [text(n) for n in h5_acc["name"]],
          "class_accuracy.csv: the HDF5 class_accuracy table, with rank")
    conf = pd.read_csv(os.path.join(out, "confusion.csv"))
    check(len(conf) == len(h5_conf) and conf["count"].sum() == h5_conf["count"].sum(),
          "confusion.csv: every non-zero cell of config_confusion")

    for name, key in (("configs", "config"), ("folds", "unit"), ("curves", None), ("grad_norms", None)):
        path = os.path.join(out, name + ".csv")
        with open(path, newline="") as f:
            rows = list(csv.DictReader(f))
        h5 = t[name]
        check(len(rows) == len(h5), f"{name}.csv (csv module): one row per HDF5 row ({len(rows)})")
        check(set(h5.dtype.names) <= set(rows[0].keys()), f"{name}.csv: every HDF5 field is a column, same name")
        df = pd.read_csv(path)  # no options: the CSV must read as it is
        check(len(df) == len(h5) and set(h5.dtype.names) <= set(df.columns), f"{name}.csv: pandas.read_csv reads it")
        if key:
            df = df.set_index(key, drop=False).loc[h5[key]]
            rows = sorted(rows, key=lambda r: list(h5[key]).index(int(r[key])))
        bad = []
        for field in h5.dtype.names:
            kind, want = h5.dtype[field].kind, h5[field]
            if kind == "f":
                # Python's float() is correctly rounded: the shortest form reads back bit for bit.
                exact = np.array([float(r[field]) for r in rows], dtype=want.dtype)
                same = np.array_equal(exact, want, equal_nan=True) and np.allclose(
                    df[field].to_numpy(float).astype(want.dtype), want, rtol=1e-12, atol=0, equal_nan=True)
            elif kind in "iub":
                same = np.array_equal(df[field].to_numpy(), want)
            else:
                same = all(r[field] == text(y) for r, y in zip(rows, want)) and all(
                    ("" if isinstance(x, float) and np.isnan(x) else str(x)) == text(y) for x, y in zip(df[field], want))
            if not same:
                bad.append(field)
        check(not bad, f"{name}.csv: every column equals its HDF5 field (reals exactly) {bad}")
    for name in ("curves", "grad_norms"):
        arr = np.genfromtxt(os.path.join(out, name + ".csv"), delimiter=",", names=True)
        check(len(arr) == len(t[name]) and np.array_equal(arr["unit"].astype(np.uint64), t[name]["unit"]),
              f"{name}.csv: numpy.genfromtxt(names=True) reads it")
    configs = pd.read_csv(os.path.join(out, "configs.csv"))
    check(list(configs["config"]) == expected_order(t["configs"]) and bool(configs["complete"].all()),
          "configs.csv: leaderboard order, every configuration complete")

    p = run([a.dnnsweep, "report", results, "--csv", "/proc/no-such/dir"], rc=2)
    check(len(p.stderr.splitlines()) == 1 and "/proc/no-such/dir" in p.stderr, "an unwritable --csv: one line naming it")


def chromium_dom(html):
    profile = tempfile.mkdtemp(prefix="dnnsweep-chromium-")
    try:
        p = subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                            "--disable-background-networking", "--disable-component-update", "--disable-sync",
                            "--disable-dev-shm-usage", f"--user-data-dir={profile}", "--virtual-time-budget=5000",
                            "--dump-dom", "file://" + os.path.abspath(html)],
                           capture_output=True, text=True, timeout=120)
        return p.returncode, p.stdout, p.stderr
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def case_plots_html(a, results):
    t = tables(results)
    configs = t["configs"]
    order = expected_order(configs)
    verdict = {int(c["config"]): text(c["verdict"]) for c in configs}
    causes = {int(c["config"]): text(c["causes"]).split(",") for c in configs}
    plots, html = os.path.join(a.workdir, "plots"), os.path.join(a.workdir, "report.html")
    shutil.rmtree(plots, ignore_errors=True)
    run([a.dnnsweep, "report", results, "--plots", plots, "--html", html, "--curves", "3"])
    files = sorted(os.listdir(plots))
    stems = sorted({os.path.splitext(f)[0] for f in files})
    check(all(f"{s}.png" in files and f"{s}.svg" in files for s in stems), "every figure as PNG and SVG")
    groups = json.loads(run([a.dnnsweep, "report", results, "--format", "json"]).stdout)["diagnosis"]["groups"]
    drawn = set(order[:3])
    for g in groups:
        drawn |= set(g["rest"][:3]).union(*(set(r["members"][:3]) for r in g["rules"]))
    want_curves = {f"curves-{k + 1:03d}-config-{c}" for k, c in enumerate(order) if c in drawn}
    check({s for s in stems if s.startswith("curves-")} == want_curves,
          f"learning curves for the top 3 and the best 3 of each diagnosis group ({len(want_curves)})")
    want_grad = {f"grad-norms-config-{c}" for c in [c for c in order if "vanishing_gradient" in causes[c]][:3]}
    check(len(want_grad) > 0 and {s for s in stems if s.startswith("grad-norms-")} == want_grad,
          f"gradient norms for the best 3 vanishing-gradient configs ({len(want_grad)})")
    check({"bias-variance", "influence"} <= set(stems), "the bias/variance map and the influence figure")
    check(all(open(os.path.join(plots, f), "rb").read(8) == b"\x89PNG\r\n\x1a\n" for f in files if f.endswith(".png")),
          "the PNGs are PNG files")
    check(all(b"<svg" in open(os.path.join(plots, f), "rb").read(2000) for f in files if f.endswith(".svg")),
          "the SVGs are SVG files")

    page = open(html).read()
    n_img = page.count("<img ")
    check(n_img == len(stems), f"the page embeds every figure ({n_img} of {len(stems)})")
    check("src=\"http" not in page and "src=\"file" not in page and page.count("data:image/png;base64,") == n_img,
          "self-contained: images are data: URIs, nothing linked")
    rc, dom, err = chromium_dom(html)
    m = re.search(r'data-images="loaded (\d+)/(\d+)"', dom)
    check(rc == 0 and m is not None and m.group(1) == m.group(2) == str(n_img),
          f"headless chromium renders it and every image decodes ({m.group(0) if m else err[-500:]})")
    check("Leaderboard" in dom and "Diagnosis" in dom and "overfitting" in dom, "the page shows the leaderboard and diagnosis")


def case_partial(a, results):
    # A sweep still running: its merged file does not exist yet, and only some units are in shards.
    # Take one of the two workers' shards of the finished run.
    live = os.path.join(a.workdir, "live", "results.h5")
    shutil.rmtree(os.path.dirname(live), ignore_errors=True)
    os.makedirs(live + ".parts")
    shards = sorted(os.listdir(results + ".parts"))
    check(len(shards) == 2, f"the 3-rank sweep left two shards ({shards})")
    shutil.copy(os.path.join(results + ".parts", shards[0]), live + ".parts")
    js = json.loads(run([a.dnnsweep, "report", live, "--format", "json", "--top", "100"]).stdout)
    check(js["partial"] is True and 0 < js["units_done"] < js["units_total"] == 48,
          f"JSON: partial, {js['units_done']} of 48 units from the shard")
    check(any(not e["complete"] for e in js["leaderboard"]), "configurations missing folds are marked incomplete")
    out = run([a.dnnsweep, "report", live]).stdout
    check(out.splitlines()[1].startswith("PARTIAL: the sweep has not finished") and "(partial)" in out,
          "text: PARTIAL on the second line, incomplete configurations marked")
    p = run([a.dnnsweep, "report", os.path.join(a.workdir, "live", "none.h5")], rc=2)
    check(len(p.stderr.splitlines()) == 1 and "none.h5" in p.stderr, "no results and no shards: one line, exit 2")


def case_docs(a, results):
    doc = open(os.path.join(REPO, "docs", "analysis.md")).read()
    section = doc.split("## Open the results in Python", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```(sh|python)\n(.*?)```", section, re.S)
    check(len(blocks) >= 2, f"docs/analysis.md shows {len(blocks)} snippets")
    work = os.path.join(a.workdir, "docs")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    shutil.copy(results, os.path.join(work, "results.h5"))
    ns = {}
    cwd = os.getcwd()
    os.chdir(work)
    try:
        for kind, code in blocks:
            if kind == "sh":
                for line in code.splitlines():
                    if line.startswith("dnnsweep "):
                        run([a.dnnsweep] + line.split()[1:])
            else:
                exec(compile(code, "docs/analysis.md", "exec"), ns)  # exactly as written
    finally:
        os.chdir(cwd)
    t = tables(results)
    check(len(ns["configs"]) == len(t["configs"]) and len(ns["folds"]) == len(t["folds"])
          and len(ns["curves"]) == len(t["curves"]), "the three-line snippet gives configs, folds, curves")
    check(set(ns["configs"]["verdict"]) <= {"good", "not_training", "underfitting", "overfitting", "failed"},
          "its strings are decoded")
    check(len(ns["csv_configs"]) == len(t["configs"]), "the CSV snippet reads configs.csv")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dnnsweep", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--case", required=True,
                    choices=["sweep", "formats", "csv", "plots_html", "partial", "docs"])
    a = ap.parse_args()
    a.dnnsweep = os.path.abspath(a.dnnsweep)
    os.makedirs(a.workdir, exist_ok=True)
    results = os.path.join(a.workdir, "results.h5")
    globals()["case_" + a.case](a, results)
    sys.exit(1 if check.failed else 0)


if __name__ == "__main__":
    main()
