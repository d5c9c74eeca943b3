#!/usr/bin/python3
"""How a whole sweep scales with its worker ranks: one fixed sweep run with 1, 2, ... W workers (plus
the coordinator, so W + 1 ranks), on one machine with at least W + 1 cores. A benchmark
(docs/PERFORMANCE.md, "Scaling"), not a test; the project never needs such a machine.

    tests/bench/sweep_scaling.py --dnnsweep build/runner/dnnsweep [--workers 1,2,4,8,15]
                                 [--spec S.ini] [--epochs 3] [--workdir /tmp/sweep_scaling]
                                 [--prefix "chroot /srv/debian"] [--bind none] [--no-compare]
                                 [--json out.json]

For each worker count it reports the wall time of the whole `mpirun ... dnnsweep sweep` (start-up,
data load, training, merge), the speed-up over one worker (wall(1) / wall(W)) and its efficiency
(speed-up / W), and the sweep's own closing figures: its parallel efficiency (unit training
seconds / (W x wall inside the sweep)), the coordinator's share of a core, and the units' total
training seconds (which grow when workers slow each other down through shared caches and memory;
rebuilt from the sweep's rounded closing figures, so about 1% off for a 5 s sweep).
Every run's metrics must equal the first run's: the table is only printed when they do.

--prefix goes before both `mpirun` and `dnnsweep report` (e.g. "chroot /srv/debian" on a machine
whose packages live in a chroot); the paths given must then be valid inside it.
"""
import argparse
import csv
import io
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time

# 16 configurations x 10 folds = 160 units of 0.2 to 1 s each on one core (3 epochs), so that 15 workers
# still get about ten units each and the tail (one unit) stays short against the run.
SPEC = """# sweep_scaling.py: a fixed, prune-free grid of MNIST units of mixed sizes
data = mnist
test-fraction = 0.2
folds = 10
layers = 2, 4
width = 128, 256
activation = relu, tanh
optimizer = sgd, adam
learning-rate = 0.01
batch-size = 100
epochs = {epochs}
prune = none
"""

CLOSING = re.compile(r"coordinator CPU ([\d.]+) s over ([\d.]+) s \(([\d.]+)% of a core\); "
                     r"parallel efficiency ([\d.]+)%")
SETUP = re.compile(r"unit set-up .* ([\d.]+)% of the units' time")


def run(a, spec, workers):
    out = os.path.join(a.workdir, f"w{workers}.h5")
    for stale in (out, out + ".parts"):
        if os.path.isdir(stale):
            shutil.rmtree(stale)
        elif os.path.exists(stale):
            os.remove(stale)
    prefix = shlex.split(a.prefix)
    # More ranks than cores (a trial run on a small machine) needs --oversubscribe, which cannot bind.
    placement = ["--bind-to", a.bind] if workers + 1 <= (os.cpu_count() or 1) else ["--oversubscribe"]
    cmd = prefix + ["mpirun", "-np", str(workers + 1)] + placement + [a.dnnsweep, "sweep", spec, "--out", out,
                                                                      "--progress", "none"]
    env = dict(os.environ, OMP_NUM_THREADS="1")
    if os.geteuid() == 0:
        env.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    t0 = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    wall = time.monotonic() - t0
    if p.returncode != 0:
        sys.exit(f"sweep_scaling: {' '.join(cmd)} exited {p.returncode}:\n{p.stderr[-4000:]}")
    m = CLOSING.search(p.stderr)
    s = SETUP.search(p.stderr)
    if m is None or s is None:
        sys.exit(f"sweep_scaling: no closing figures in the sweep's output:\n{p.stderr[-4000:]}")
    inner_wall, sweep_eff = float(m.group(2)), float(m.group(4))
    metrics = None
    if a.compare:
        report = subprocess.run(prefix + [a.dnnsweep, "report", out, "--format", "csv", "--top", "1000000"],
                                capture_output=True, text=True, check=True)
        # Every column but the measured seconds and the rank (ties go to the cheaper configuration).
        metrics = {r["config"]: {k: v for k, v in r.items() if k not in ("seconds", "rank")}
                   for r in csv.DictReader(io.StringIO(report.stdout))}
    return {
        "workers": workers,
        "wall_s": wall,
        "sweep_wall_s": inner_wall,
        "sweep_efficiency": sweep_eff / 100.0,
        "coordinator_core_share": float(m.group(3)) / 100.0,
        "unit_seconds": sweep_eff / 100.0 * inner_wall * workers,
        "setup_share": float(s.group(1)) / 100.0,
        "metrics": metrics,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dnnsweep", required=True)
    ap.add_argument("--workers", default="1,2,4,8,15", help="worker counts, run in this order")
    ap.add_argument("--spec", help="a spec to use instead of the built-in one (prune = none advised)")
    ap.add_argument("--epochs", type=int, default=3, help="epochs of the built-in spec")
    ap.add_argument("--workdir", default="/tmp/sweep_scaling")
    ap.add_argument("--prefix", default="", help="a command line to run mpirun and dnnsweep under")
    ap.add_argument("--bind", default="none", help="mpirun --bind-to (none, core, ...)")
    ap.add_argument("--no-compare", dest="compare", action="store_false",
                    help="skip the check that every run's metrics equal the first run's")
    ap.add_argument("--json", help="write the rows here too")
    a = ap.parse_args()
    workers = [int(w) for w in a.workers.split(",")]
    if any(w < 1 for w in workers):
        sys.exit("sweep_scaling: --workers: each count must be at least 1")
    cores = os.cpu_count() or 1
    if max(workers) + 1 > cores:
        print(f"sweep_scaling: warning: {max(workers) + 1} ranks on {cores} cores: the largest runs share cores",
              file=sys.stderr)
    os.makedirs(a.workdir, exist_ok=True)
    spec = a.spec
    if spec is None:
        spec = os.path.join(a.workdir, "scaling.ini")
        with open(spec, "w") as f:
            f.write(SPEC.format(epochs=a.epochs))

    rows = []
    for w in workers:
        row = run(a, spec, w)
        print(f"sweep_scaling: {w} worker(s): {row['wall_s']:.1f} s; sweep's efficiency "
              f"{100 * row['sweep_efficiency']:.1f}%, coordinator {100 * row['coordinator_core_share']:.2f}% of a core",
              file=sys.stderr, flush=True)
        rows.append(row)
        if a.json:  # after every run, so that a run cut short keeps what it measured
            with open(a.json, "w") as f:
                json.dump([{k: v for k, v in r.items() if k != "metrics"} for r in rows], f, indent=1)
    if a.compare:
        # Determinism across rank counts: the report's CSV (metrics of every configuration) must match.
        first = rows[0]["metrics"]
        for r in rows[1:]:
            if r["metrics"] != first:
                sys.exit(f"sweep_scaling: the report of {r['workers']} workers differs from {rows[0]['workers']}'s")
    base = next((r for r in rows if r["workers"] == 1), None)
    print("| workers | wall s | speed-up | efficiency (speed-up / workers) | sweep's parallel efficiency | "
          "unit training s (sum) | coordinator, share of a core | unit set-up share |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in sorted(rows, key=lambda r: r["workers"]):
        speedup = base["wall_s"] / r["wall_s"] if base else float("nan")
        print(f"| {r['workers']} | {r['wall_s']:.1f} | {speedup:.2f} | {100 * speedup / r['workers']:.1f}% | "
              f"{100 * r['sweep_efficiency']:.1f}% | {r['unit_seconds']:.1f} | "
              f"{100 * r['coordinator_core_share']:.2f}% | {100 * r['setup_share']:.1f}% |")
    print(f"\n{os.uname().nodename}, {cores} cores; identical reports across runs: "
          f"{'yes' if a.compare else 'not checked'}")


if __name__ == "__main__":
    main()
