#!/usr/bin/python3
"""Pruning on the seed table as a 10-fold study: epochs trained and wall time with `prune = none`,
`chance` and `halving`, side by side in one run, and whether the leaderboard's top three
configurations are the same as without pruning. A benchmark (docs/PERFORMANCE.md), not a test.

    tests/bench/prune_tips.py --dnnsweep build/runner/dnnsweep [--modes none,chance,halving]
                              [--sample 12] [--sample-seed 1] [--width 128] [--epochs 20] [--ranks 3]
                              [--workdir /tmp/prune_tips]

A mode left out of --modes is read from its results file of an earlier run in the same workdir
(its wall time then unknown).

The spec is sweeps/tips.ini with `folds = 10` and, so that it fits a 2-core machine, a seeded
`sample` of its 256 configurations at a smaller width (tips.ini in full at width 689 and 10 folds
is about 70 core-hours). Both runs use mpirun with --ranks ranks (1 coordinator + workers).
"""
import argparse
import os
import shutil
import subprocess
import sys
import time

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testlib import mpi_env, text  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def spec_text(prune, sample, sample_seed, width, epochs):
    tips = open(os.path.join(ROOT, "sweeps", "tips.ini")).read()
    replaced = {"folds": "10", "width": str(width), "epochs": str(epochs)}
    lines = []
    for line in tips.splitlines():
        key = line.split("=")[0].strip() if "=" in line and not line.lstrip().startswith("#") else None
        lines.append(f"{key} = {replaced[key]}" if key in replaced else line)
    # Study keys go before tips.ini's first [section].
    first = next(i for i, line in enumerate(lines) if line.startswith("["))
    lines[first:first] = [f"sample = {sample}", f"sample-seed = {sample_seed}", f"prune = {prune}", ""]
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dnnsweep", required=True)
    ap.add_argument("--sample", type=int, default=12)
    ap.add_argument("--sample-seed", type=int, default=1)
    ap.add_argument("--width", type=int, default=128)
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--ranks", type=int, default=3)
    ap.add_argument("--modes", default="none,chance,halving")
    ap.add_argument("--workdir", default="/tmp/prune_tips")
    a = ap.parse_args()
    os.makedirs(a.workdir, exist_ok=True)
    rows = {}
    modes = a.modes.split(",")
    for prune in ("none", "chance", "halving"):
        spec = os.path.join(a.workdir, f"tips10_{prune}.ini")
        out = os.path.join(a.workdir, f"tips10_{prune}.h5")
        wall = None
        if prune in modes:
            with open(spec, "w") as f:
                f.write(spec_text(prune, a.sample, a.sample_seed, a.width, a.epochs))
            if os.path.exists(out):
                os.remove(out)
            shutil.rmtree(out + ".parts", ignore_errors=True)
            cmd = ["mpirun", "-np", str(a.ranks), "--oversubscribe", a.dnnsweep, "sweep", spec, "--out", out,
                   "--progress", "lines"]
            t0 = time.monotonic()
            p = subprocess.run(cmd, capture_output=True, text=True, env=mpi_env())
            wall = time.monotonic() - t0
            if p.returncode != 0:
                sys.exit(f"{' '.join(cmd)} exited {p.returncode}:\n{p.stderr}")
        elif not os.path.exists(out):
            continue
        with h5py.File(out, "r") as f:
            configs, folds = np.asarray(f["configs"]), np.asarray(f["folds"])
        order = sorted(range(len(configs)), key=lambda i: -configs[i]["mean_val_acc"])
        rows[prune] = {
            "wall": wall, "epochs": int(configs["epochs_trained"].sum()), "units": len(folds),
            "pruned_units": int(sum(text(s) == "pruned" for s in folds["status"])),
            "pruned_configs": int(sum(c["folds_pruned"] > 0 for c in configs)),
            "top3": [text(configs[i]["config_id"]) for i in order[:3]],
            "top3_acc": [float(configs[i]["mean_val_acc"]) for i in order[:3]],
            "unit_seconds": float(folds["seconds"].sum()),
        }
        print(f"{prune}: {'%.1f s wall' % wall if wall else 'read back'}, {rows[prune]['epochs']} epochs trained, "
              f"{rows[prune]['pruned_units']} of {len(folds)} units pruned", flush=True)
    print(f"\nspec: sweeps/tips.ini, folds 10, sample {a.sample} (seed {a.sample_seed}), width {a.width}, "
          f"epochs {a.epochs}; mpirun -np {a.ranks}")
    print("| prune | units | pruned units (configs) | epochs trained | unit training s | wall s |")
    print("|---|---|---|---|---|---|")
    for k, r in rows.items():
        wall = f"{r['wall']:.0f}" if r["wall"] else "-"
        print(f"| {k} | {r['units']} | {r['pruned_units']} ({r['pruned_configs']}) | {r['epochs']} | "
              f"{r['unit_seconds']:.0f} | {wall} |")
    n = rows["none"]
    changed = False
    for k in ("chance", "halving"):
        if k not in rows:
            continue
        r = rows[k]
        ratio_wall = f", wall {r['wall'] / n['wall']:.2f}" if r["wall"] and n["wall"] else ""
        print(f"\n{k} / none: epochs {r['epochs'] / n['epochs']:.2f}{ratio_wall}")
        same = n["top3"] == r["top3"]
        changed |= not same
        print(f"leaderboard top three {'unchanged' if same else 'CHANGED'}: none "
              + ", ".join(f"{i} {acc:.4f}" for i, acc in zip(n["top3"], n["top3_acc"]))
              + f"; {k} " + ", ".join(f"{i} {acc:.4f}" for i, acc in zip(r["top3"], r["top3_acc"])))
    sys.exit(1 if changed else 0)


if __name__ == "__main__":
    main()
