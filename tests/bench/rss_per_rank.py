#!/usr/bin/python3
"""Resident memory per rank of a real `dnnsweep sweep` over the MNIST digits, for 1, 2 and 8 ranks,
for one or more dnnsweep binaries side by side (e.g. before and after the node-shared dataset):

    tests/bench/rss_per_rank.py --binary after=build/runner/dnnsweep [--binary before=/tmp/base/build/runner/dnnsweep]
                                [--ranks 1,2,8] [--workdir /tmp/rss_per_rank]

Each rank runs under a probe (this script with --probe) that polls the rank's /proc files every
20 ms and keeps: VmHWM (peak resident set, /proc/PID/status), the largest Rss and the largest Pss
(/proc/PID/smaps_rollup). Peaks, so rank 0's include the moment it copies its rows into the window. Rss counts a page shared by k processes in each of them; Pss counts 1/k
of it in each, so Pss is the honest per-rank figure and the ranks' Pss add up to what the node
holds. 1 rank runs without mpirun, as a user would; more run under `mpirun --oversubscribe`.
"""
import argparse
import json
import os
import subprocess
import sys
import time

SPEC = """# rss_per_rank.py: 8 units, so that 7 workers all train at least one
data = mnist
folds = 2
test-fraction = 0.2
layers = 1, 2
activation = relu, tanh
width = 64
optimizer = sgd
learning-rate = 0.1
batch-size = 100
epochs = 2
"""

MB = 1024.0  # /proc reports kB


def read_kb(path, keys):
    out = {}
    try:
        with open(path) as f:
            for line in f:
                name, _, rest = line.partition(":")
                if name in keys:
                    out[name] = int(rest.split()[0])
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        pass
    return out


def probe(outdir, cmd):
    """Runs cmd, polling its memory until it exits; writes rank-<R>.json; returns its exit code."""
    child = subprocess.Popen(cmd)
    peak = {"VmHWM": 0, "Rss": 0, "Pss": 0}
    while child.poll() is None:
        status = read_kb(f"/proc/{child.pid}/status", ("VmHWM",))
        rollup = read_kb(f"/proc/{child.pid}/smaps_rollup", ("Rss", "Pss"))
        for k, v in {**status, **rollup}.items():
            peak[k] = max(peak[k], v)
        time.sleep(0.02)
    rank = int(os.environ.get("OMPI_COMM_WORLD_RANK", "0"))
    with open(os.path.join(outdir, f"rank-{rank}.json"), "w") as f:
        json.dump({"rank": rank, **peak}, f)
    return child.returncode


def run(label, binary, ranks, workdir, env):
    outdir = os.path.join(workdir, f"{label}-np{ranks}")
    os.makedirs(outdir, exist_ok=True)
    for f in os.listdir(outdir):
        os.remove(os.path.join(outdir, f))
    out = os.path.join(workdir, "results.h5")
    subprocess.run(["rm", "-rf", out, out + ".parts"], check=True)
    sweep = [binary, "sweep", os.path.join(workdir, "rss.ini"), "--out", out, "--progress", "none"]
    me = [sys.executable, os.path.abspath(__file__), "--probe", outdir, "--"]
    cmd = me + sweep if ranks == 1 else ["mpirun", "-np", str(ranks), "--oversubscribe"] + me + sweep
    p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=1800)
    if p.returncode != 0:
        sys.exit(f"{' '.join(cmd)} exited {p.returncode}:\n{p.stdout}\n{p.stderr}")
    return [json.load(open(os.path.join(outdir, f"rank-{r}.json"))) for r in range(ranks)]


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "--probe":
        sep = sys.argv.index("--")
        sys.exit(probe(sys.argv[2], sys.argv[sep + 1:]))
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", action="append", required=True, help="LABEL=PATH of a dnnsweep binary")
    ap.add_argument("--ranks", default="1,2,8")
    ap.add_argument("--workdir", default="/tmp/rss_per_rank")
    ap.add_argument("--data", default="mnist", help="the spec's data (default: the built-in digits)")
    a = ap.parse_args()
    os.makedirs(a.workdir, exist_ok=True)
    with open(os.path.join(a.workdir, "rss.ini"), "w") as f:
        f.write(SPEC.replace("data = mnist", f"data = {a.data}"))
    env = dict(os.environ, OMP_NUM_THREADS="1")
    # Every binary reads the same digits, also one built in another tree (e.g. a worktree of the base).
    here = os.path.dirname(os.path.abspath(__file__))
    env.setdefault("DNNSWEEP_DATA_DIR", os.path.join(here, "..", "..", "data", "mnist"))
    if os.geteuid() == 0:
        env.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")

    keys = ("VmHWM", "Rss", "Pss")
    print("| binary | ranks | rank 0: VmHWM / Rss / Pss (MB) | a worker, mean: VmHWM / Rss / Pss (MB) "
          "| all ranks: sum of Rss / Pss (MB) |")
    print("|---|---:|---:|---:|---:|")
    for label_path in a.binary:
        label, _, path = label_path.partition("=")
        for n in (int(r) for r in a.ranks.split(",")):
            rows = run(label, os.path.abspath(path), n, a.workdir, env)
            workers = rows[1:]

            def fmt(r):
                return " / ".join(f"{r[k] / MB:.1f}" for k in keys)

            mean = {k: sum(w[k] for w in workers) / len(workers) for k in keys} if workers else None
            total = {k: sum(r[k] for r in rows) for k in keys}
            print(f"| {label} | {n} | {fmt(rows[0])} | {fmt(mean) if mean else '(rank 0 trains)'} | "
                  f"{total['Rss'] / MB:.1f} / {total['Pss'] / MB:.1f} |", flush=True)


if __name__ == "__main__":
    main()
