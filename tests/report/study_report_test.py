#!/usr/bin/python3
"""`dnnsweep report` at scale and on bad input, on studies written without training.

    study_report_test.py --dnnsweep BIN --writer WRITER --workdir DIR --case CASE

WRITER is write_study_results (tests/report/write_study_results.cpp): 1 fold, 3 classes, the
accuracy a known function of the settings: a learning rate in the lowest quarter of its levels does
not train; deep and wide networks overfit. CASE: small (9 configurations), medium (999), large
(100,000; the timings are the benchmark tests/bench/report_scale.py), one-config, one-setting,
all-failed, partial (the shards of a sweep half done).
"""
import argparse
import csv
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
from testlib import check, text, write_clusters  # noqa: E402

NEEDS_ACTION = ("not_training", "overfitting", "failed")


def run(cmd, rc=0):
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=500, env=dict(os.environ, OMP_NUM_THREADS="1"))
    if p.returncode != rc:
        sys.exit(f"{' '.join(cmd)} exited {p.returncode} (expected {rc}):\n{p.stdout[-3000:]}\n{p.stderr[-3000:]}")
    return p


def chromium(url):
    """(rc, DOM, stderr) of headless Chromium after the page ran, its console on stderr."""
    profile = tempfile.mkdtemp(prefix="dnnsweep-chromium-")
    try:
        p = subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                            "--disable-background-networking", "--disable-component-update", "--disable-sync",
                            "--disable-dev-shm-usage", f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0",
                            "--virtual-time-budget=20000", "--dump-dom", url],
                           capture_output=True, text=True, timeout=300)
        return p.returncode, p.stdout, p.stderr
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def configs_of(results):
    with h5py.File(results, "r") as f:
        return np.asarray(f["configs"])


def leaderboard(configs):
    """Config numbers in leaderboard order (accuracy down, NaN last; ties: cheaper per fold, then index)."""
    rows = []
    for i, c in enumerate(configs):
        v = float(c["mean_val_acc"])
        folds = int(c["folds_done"]) + int(c["folds_failed"]) + int(c["folds_pruned"])
        rows.append((-v if np.isfinite(v) else np.inf, c["seconds"] / folds if folds else 0.0, i))
    return [int(configs[r[2]]["config"]) for r in sorted(rows)]


def check_columns(out):
    """Every leaderboard row's cells start where the header's do, two spaces at least between them."""
    lines = out.split("Leaderboard", 1)[1].split("\n\n", 1)[0].splitlines()[1:]
    header = lines[0]
    starts = [m.start() for m in re.finditer(r"(?<=  )\S", header)]
    for ln in lines[1:]:
        for s in starts:
            check(ln[s - 2:s] == "  " and ln[s] != " ", f"column at {s} aligned in {ln!r} (header {header!r})")


def check_text(a, results, configs, verdict):
    out = run([a.dnnsweep, "report", results, "--top", "4"]).stdout
    check_columns(out)
    n = len(configs)
    diag = out.split("\nDiagnosis:", 1)[1]
    board = [ln for ln in out.splitlines() if re.match(r"^  \d+  ", ln)]
    check(len(board) == min(4, n), f"--top 4: {min(4, n)} leaderboard rows")
    order = leaderboard(configs)
    rank = {c: k + 1 for k, c in enumerate(order)}
    examples = [ln for ln in diag.splitlines() if re.match(r"^  #\d+  +(not_training|overfitting|failed)  ", ln)]
    for v in NEEDS_ACTION:
        members = [c for c in order if verdict[c] == v]
        if not members:
            check(not re.search(rf"^{v}: ", diag, re.M), f"no {v} group")
            continue
        m = re.search(rf"^{v}: ([\d,]+) of the ([\d,]+) configurations", diag, re.M)
        check(m and int(m.group(1).replace(",", "")) == len(members) and int(m.group(2).replace(",", "")) == n,
              f"{v}: {len(members)} of the {n} ({m.group(0) if m else diag[:300]})")
        mine = [ln for ln in examples if re.match(rf"^  #\d+  +{v} ", ln)]
        groups = len(re.findall(r"^  - ", diag.split(f"\n{v}: ", 1)[1].split("\n\S", 1)[0], re.M)) or 1
        check(0 < len(mine) <= 4 * (groups + 1), f"{v}: at most --top 4 examples per group ({len(mine)}, {groups} rules)")
    every = run([a.dnnsweep, "report", results, "--all"]).stdout.split("\nDiagnosis:", 1)[1]
    listed = [int(m) for m in re.findall(r"^  #(\d+)  ", every, re.M)]
    want = sorted(rank[c] for c in order if verdict[c] in NEEDS_ACTION)
    check(sorted(listed) == want, f"--all: every configuration to act on once ({len(listed)} of {len(want)})")
    check("more (--all lists every one)" not in every, "--all: nothing left out")
    return out


def check_importance(a, results, exact):
    js = json.loads(run([a.dnnsweep, "report", results, "--format", "json"]).stdout)
    imp = js["importance"]
    with h5py.File(results, "r") as f:
        ds = f["importance"] if "importance" in f else None
        h5_terms = {text(t["term"]): float(t["fraction"]) for t in np.asarray(ds)} if ds is not None else {}
        h5_exact = bool(ds.attrs["exact"]) if ds is not None else None
    check(imp["exact"] is exact and h5_exact is exact, f"importance exact = {exact} (JSON, HDF5)")
    fractions = {t["term"]: t["fraction"] for t in imp["terms"]}
    check(abs(sum(fractions.values()) + imp["higher_order"] - 1) < 1e-9, "terms + higher order = 1")
    check(fractions.keys() == h5_terms.keys() and all(abs(fractions[k] - h5_terms[k]) < 1e-12 for k in fractions),
          "the results file's importance table holds the same terms")
    check(imp["terms"][0]["term"] == "learning-rate", f"learning-rate matters most ({imp['terms'][0]})")
    csvdir = os.path.join(a.workdir, "csv")
    run([a.dnnsweep, "report", results, "--csv", csvdir])
    rows = list(csv.DictReader(open(os.path.join(csvdir, "importance.csv"))))
    check([r["term"] for r in rows] == [t["term"] for t in imp["terms"]]
          and all(float(r["fraction"]) == t["fraction"] for r, t in zip(rows, imp["terms"])), "importance.csv: the same")
    return js


def check_page(html, configs, verdict):
    rc, dom, err = chromium("file://" + os.path.abspath(html) + "#selftest")
    console = [ln for ln in err.splitlines() if "CONSOLE" in ln or "Uncaught" in ln]
    log = re.search(r'<pre id="selftest-log">(.*?)</pre>', dom, re.S)
    check(rc == 0 and 'data-selftest="pass"' in dom and 'data-errors="0"' in dom and not console,
          f"the page runs its self-test in headless Chromium with no console error:\n{log.group(1) if log else dom[-800:]}\n"
          + "\n".join(console))
    order = leaderboard(configs)
    rank = {c: k for k, c in enumerate(order)}
    val = {int(c["config"]): float(c["mean_val_acc"]) for c in configs}
    finite = [c for c in order if np.isfinite(val[c])]
    if len(set(val[c] for c in finite)) > 1:
        lowest = min(finite, key=lambda c: (val[c], rank[c]))
        m = re.search(r'data-first-sorted="(\d+)"', dom)
        check(m and int(m.group(1)) == lowest, f"sorted by val acc ascending, the first row is config {lowest} ({m and m.group(0)})")
    m = re.search(r'data-filter="verdict=(\w+)" data-filtered="(\d+)"', dom)
    if m:
        want = sum(1 for c in order if verdict[c] == m.group(1))
        check(int(m.group(2)) == want, f"the verdict filter {m.group(1)} shows its {want} configurations ({m.group(0)})")


def check_plots(a, results, js, configs):
    plots, html = os.path.join(a.workdir, "plots"), os.path.join(a.workdir, "report.html")
    shutil.rmtree(plots, ignore_errors=True)
    run([a.dnnsweep, "report", results, "--plots", plots, "--html", html, "--curves", "5"])
    files = sorted(os.listdir(plots))
    stems = sorted({os.path.splitext(f)[0] for f in files})
    check(all(f"{s}.png" in files and f"{s}.svg" in files for s in stems), "every figure as PNG and SVG")
    order = leaderboard(configs)
    want = set(order[:5])
    for g in js["diagnosis"]["groups"]:
        for r in g["rules"]:
            want |= set(r["members"][:3])
        want |= set(g["rest"][:3])
    curves = {int(s.rsplit("-", 1)[1]) for s in stems if s.startswith("curves-")}
    histories = {int(c["config"]) for c in configs if int(c["epochs_trained"]) > 0}
    check(curves == want & histories, f"curves: the top 5 and the first 3 of each diagnosis group ({sorted(curves)})")
    summary = {"importance", "heatmap", "parallel-coordinates"}
    check(summary <= set(stems) or len(js["importance"]["terms"]) < 3, f"the summary figures ({stems})")
    check(len(files) <= 60, f"a bounded folder: {len(files)} files")
    # Parallel coordinates: one line per configuration up to 2,000, then a density with the best 50 on top.
    measured = int(np.isfinite(configs["mean_val_acc"].astype(float)).sum())
    if "parallel-coordinates" in stems:
        page = open(html).read()
        density = "drawn as a density" in page and "the best 50 drawn as lines on top" in page
        check(density == (measured > 2000) and (density or "one line through its settings" in page),
              f"parallel coordinates of {measured} configurations: {'a density' if measured > 2000 else 'lines'}")
    return html


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dnnsweep", required=True)
    ap.add_argument("--writer", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--case", required=True)
    a = ap.parse_args()
    os.makedirs(a.workdir, exist_ok=True)
    data = os.path.join(a.workdir, "data.txt")
    write_clusters(data, 300, 4, 3, seed=5, spread=1.0)
    results = os.path.join(a.workdir, "results.h5")
    run([a.writer, results, data, a.case])

    if a.case == "partial":
        out = run([a.dnnsweep, "report", results]).stdout
        check("PARTIAL" in out and "approximate:" in out, "a partial sweep: marked, its importance approximate")
        js = json.loads(run([a.dnnsweep, "report", results, "--format", "json"]).stdout)
        check(js["importance"]["exact"] is False and js["importance"]["terms"][0]["term"] == "learning-rate",
              "JSON: approximate, learning-rate first")
        html = os.path.join(a.workdir, "report.html")
        run([a.dnnsweep, "report", results, "--html", html])
        rc, dom, err = chromium("file://" + os.path.abspath(html) + "#selftest")
        check('data-selftest="pass"' in dom, "the page's self-test passes")
        return

    configs = configs_of(results)
    verdict = {int(c["config"]): text(c["verdict"]) for c in configs}
    out = check_text(a, results, configs, verdict)
    if a.case in ("small", "medium", "large"):
        n = {"small": 9, "medium": 999, "large": 100000}[a.case]
        check(len(configs) == n, f"{n} configurations")
        js = check_importance(a, results, exact=True)
        # The known rule: the lowest quarter of the learning rates does not train.
        rates = sorted({float(c["learning-rate"]) for c in configs})
        low = [r for r in rates if rates.index(r) / (len(rates) - 1) < 0.25]
        nt = next(g for g in js["diagnosis"]["groups"] if g["verdict"] == "not_training")
        check(nt["rules"] and re.fullmatch(r"learning-rate (<=|=) " + re.escape(f"{max(low):g}"), nt["rules"][0]["rule"])
              and nt["rules"][0]["configs"] == nt["configs"],
              f"not_training: the rule is learning-rate <= {max(low):g}, all of them ({nt['rules']})")
        check_page(check_plots(a, results, js, configs), configs, verdict)
    elif a.case == "one-config":
        check("(the only configuration)" in out and "nothing to decompose: no setting varies" in out,
              "one configuration: no settings, nothing to decompose")
        js = json.loads(run([a.dnnsweep, "report", results, "--format", "json"]).stdout)
        html = check_plots(a, results, js, configs)
        check_page(html, configs, verdict)
    elif a.case == "one-setting":
        js = check_importance(a, results, exact=True)
        check(abs(js["importance"]["terms"][0]["fraction"] - 1) < 1e-12 and js["importance"]["heatmap"] is None,
              "one setting explains everything; no heat map of one setting")
        check_page(check_plots(a, results, js, configs), configs, verdict)
    elif a.case == "all-failed":
        check(re.search(r"^failed: 9 of the 9 configurations \(100%\)", out, re.M) is not None, "all failed: one group")
        check("nothing to decompose: fewer than two configurations have an accuracy" in out, "no importance")
        plots, html = os.path.join(a.workdir, "plots"), os.path.join(a.workdir, "report.html")
        run([a.dnnsweep, "report", results, "--plots", plots, "--html", html])
        check(os.listdir(plots) == [], f"nothing trained: no figure, rather than empty ones ({os.listdir(plots)})")
        check_page(html, configs, verdict)


if __name__ == "__main__":
    main()
