#!/usr/bin/python3
"""Successive halving (`prune = halving`), checked against an independent replay of ASHA.

    halving_test.py --dnnsweep build/runner/dnnsweep --workdir DIR

An 18-configuration grid on the built-in digits (2 folds, 9 epochs, rungs 1, 3, 9 with eta 3) runs
with `prune = none`, then with `prune = halving` on 1 rank and on 3 ranks, then halving again
stopped by SIGINT part-way and resumed. Every configuration of the grid costs the same, so the
rung-0 order is the configuration order. From the unpruned run's curves (determinism: a unit's
first epochs are the same however long it trains) this script replays ASHA with promotions
decided in that order, and checks:
- each unit's recorded epochs and status (pruned on a lower rung, ok on the last) are the replay's,
  and its validation accuracy equals the unpruned run's at that epoch;
- the epochs trained (every rung's, as reported by the sweep) are the replay's, about a third of
  the unpruned run's;
- the best configuration is the unpruned run's best;
- 1 rank, 3 ranks and the stopped-and-resumed run give identical tables;
- `--array-tasks` is refused for a halving spec with one clear line.
"""
import math
import os
import re
import signal
import subprocess
import sys
import time

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testlib import check, fresh, mpi_env, test_args, text  # noqa: E402

SPEC = """# 18 configurations of equal cost: the schedule keeps their order
data = mnist
folds = 2
layers = 2
width = 32
activation = relu, sigmoid, tanh
optimizer = sgd, adam
learning-rate = 0.3, 0.03, 0.003
epochs = 9
prune = {prune}
halving-min-epochs = 1
halving-eta = 3
"""
RUNGS, ETA, FOLDS, CONFIGS = [1, 3, 9], 3, 2, 18


def sweep(cmd, env):
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=900)
    if p.returncode != 0:
        sys.exit(f"{' '.join(cmd)} exited {p.returncode}:\n{p.stdout}\n{p.stderr}")
    m = re.search(r"(\d+) epochs trained in this run", p.stdout)
    return int(m.group(1)) if m else None


def tables(path):
    with h5py.File(path, "r") as f:
        return np.asarray(f["configs"]), np.asarray(f["folds"]), np.asarray(f["curves"])


def replay(curves):
    """ASHA by configuration with promotions decided in counting order, from full curves."""
    val = {}
    for r in curves:
        val.setdefault(int(r["unit"]), {})[int(r["epoch"])] = float(r["val_acc"])
    units = {c: [c * FOLDS + f for f in range(FOLDS)] for c in range(CONFIGS)}

    def score(c, k):
        accs = [val[u].get(min(RUNGS[k], max(val[u])), math.nan) for u in units[c]]
        return sum(accs) / len(accs) if all(math.isfinite(a) for a in accs) else math.nan

    order = [list(range(CONFIGS)), [], []]
    counted = [0, 0, 0]
    promoted = [set(), set(), set()]
    def ranked(k):
        first = order[k][:counted[k]]
        return sorted(first, key=lambda c: (not math.isfinite(score(c, k)),
                                            -score(c, k) if math.isfinite(score(c, k)) else 0, first.index(c)))

    changed = True
    while changed:
        changed = False
        feeders_complete = True
        for k in range(len(RUNGS)):
            while counted[k] < len(order[k]):
                counted[k] += 1
                for c in ranked(k)[:counted[k] // ETA]:
                    if k + 1 < len(RUNGS) and c not in promoted[k]:
                        promoted[k].add(c)
                        order[k + 1].append(c)
                        changed = True
            # a complete rung none of whose configurations went on sends its best (finite) one on
            complete = feeders_complete and counted[k] == len(order[k])
            best = [c for c in ranked(k) if math.isfinite(score(c, k))][:1]
            if complete and not promoted[k] and best and k + 1 < len(RUNGS):
                promoted[k].add(best[0])
                order[k + 1].append(best[0])
                changed = True
            feeders_complete = complete
    top = {c: max(k for k in range(len(RUNGS)) if c in order[k]) for c in range(CONFIGS)}
    epochs = {u: min(RUNGS[top[c]], max(val[u])) for c in range(CONFIGS) for u in units[c]}
    trained = sum(min(RUNGS[k], max(val[u])) for c in range(CONFIGS) for u in units[c] for k in range(top[c] + 1))
    return top, epochs, trained, val


def main():
    a = test_args()
    env = mpi_env()
    specs = {}
    for prune in ("none", "halving"):
        specs[prune] = os.path.join(a.workdir, f"{prune}.ini")
        with open(specs[prune], "w") as f:
            f.write(SPEC.format(prune=prune))
    full, one, many, resumed = (os.path.join(a.workdir, n + ".h5") for n in ("none", "np1", "np3", "resumed"))
    for p in (full, one, many, resumed):
        fresh(p)
    mpirun = ["mpirun", "-np", "3", "--oversubscribe"]
    sweep(mpirun + [a.dnnsweep, "sweep", specs["none"], "--out", full], env)
    trained1 = sweep([a.dnnsweep, "sweep", specs["halving"], "--out", one], env)
    trained3 = sweep(mpirun + [a.dnnsweep, "sweep", specs["halving"], "--out", many], env)

    c_full, f_full, curves = tables(full)
    top, epochs, trained, val = replay(curves)
    c1, f1, _ = tables(one)
    check(len(f1) == CONFIGS * FOLDS, f"every unit recorded once ({len(f1)})")
    got = {int(u["unit"]): int(u["epochs"]) for u in f1}
    check(got == epochs, f"each unit's epochs are the replay's (rungs reached: "
                         f"{[sum(1 for c in top if top[c] >= k) for k in range(len(RUNGS))]} configurations)")
    want_status = {u: ("ok" if top[u // FOLDS] == len(RUNGS) - 1 else "pruned") for u in epochs}
    check({int(u["unit"]): text(u["status"]) for u in f1} == want_status,
          "pruned on a lower rung, ok on the last")
    check(all(float(u["val_acc"]) == val[int(u["unit"])][int(u["epochs"])] for u in f1),
          "each unit's validation accuracy is the unpruned run's at that epoch")
    none_epochs = int(f_full["epochs"].sum())
    check(trained1 == trained and trained3 == trained,
          f"epochs trained, every rung's: {trained1} (1 rank), {trained3} (3 ranks), replay {trained}; "
          f"unpruned {none_epochs} ({none_epochs / trained:.1f}x more)")
    check(trained * 2 < none_epochs, "halving trains well under half the unpruned epochs")
    check(int(c1["epochs_trained"].sum()) == trained and int(c1["epochs_planned"].sum()) == none_epochs,
          f"the configs table counts every rung's epochs ({int(c1['epochs_trained'].sum())} trained of "
          f"{int(c1['epochs_planned'].sum())} planned)")
    best_full = int(c_full[np.argmax(c_full["mean_val_acc"])]["config"])
    best_half = int(c1[np.argmax(c1["mean_val_acc"])]["config"])
    check(best_full == best_half and top[best_full] == len(RUNGS) - 1,
          f"the best configuration is the unpruned run's ({best_half}, {best_full})")

    def same(fa, fb):
        return all(np.array_equal(fa[k], fb[k], equal_nan=fa[k].dtype.kind == "f")
                   for k in ("unit", "status", "epochs", "train_acc", "val_acc", "train_loss", "val_loss"))

    _, f3, _ = tables(many)
    check(same(f1, f3), "1 rank and 3 ranks: identical tables")

    # Stopped part-way by SIGINT (exit 3), then resumed: the same tables as uninterrupted.
    p = subprocess.Popen([a.dnnsweep, "sweep", specs["halving"], "--out", resumed], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(2.0)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=120)
    print(f"  stopped run: exit {p.returncode}: {out.strip()}", flush=True)
    sweep([a.dnnsweep, "sweep", specs["halving"], "--out", resumed], env)
    _, fr, _ = tables(resumed)
    check(p.returncode in (0, 3) and same(f1, fr), "stopped and resumed: identical tables")

    r = subprocess.run([a.dnnsweep, "sweep", specs["halving"], "--out", os.path.join(a.workdir, "arr.h5"),
                        "--array-tasks", "2", "--array-task", "0"], capture_output=True, text=True, env=env)
    lines = r.stderr.strip().splitlines()
    check(r.returncode == 2 and len(lines) == 1 and "halving" in lines[0] and "array-tasks" in lines[0],
          f"--array-tasks refused for halving ({r.returncode}: {r.stderr.strip()})")
    sys.exit(1 if check.failed else 0)


if __name__ == "__main__":
    main()
