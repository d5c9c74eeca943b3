#!/usr/bin/python3
"""A spec with sections and ranges (a union of grids, learning rates drawn by scrambled Sobol),
checked on real mpirun jobs with h5py:

    search_space_test.py --dnnsweep PATH --workdir DIR [--kills 2]

- `--dry-run --list` lists exactly the configurations the sweep records, section by section;
- a three-rank sweep SIGKILLed --kills times (a random rank, at a random moment) and resumed ends
  with the same file as an uninterrupted one-rank run (tests/regression/same_results.py: every
  field of configs, folds, curves and grad_norms, the configs' `section` column included);
- the `configs` table names each configuration's section.
"""
import os
import random
import re
import signal
import subprocess
import sys
import time

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
from testlib import check, dnnsweep_ranks, fresh, mpi_env, test_args, text, write_clusters  # noqa: E402

SPEC = """data = {data}
folds = 3
split-seed = 1
prune = none
sample = 4
sample-seed = 5
sampler = sobol
batch-size = 16
epochs = 1500
width = lograndint(8, 48)
learning-rate = loguniform(0.002, 0.05)

[sgd]
optimizer = sgd
momentum = uniform(0, 0.9)

[adam]
optimizer = adam
layers = 1, 2

[fixed]
optimizer = adam
learning-rate = 0.01
width = 16, 32
"""


def sweep(a, env, spec, out, ranks):
    cmd = [a.dnnsweep, "sweep", spec, "--out", out, "--progress", "none"]
    if ranks > 1:
        cmd = ["mpirun", "-np", str(ranks), "--oversubscribe"] + cmd
    return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def main():
    ap_args = test_args()
    kills_wanted = int(os.environ.get("SEARCH_SPACE_KILLS", "2"))
    a, env = ap_args, mpi_env()
    data = os.path.join(a.workdir, "clusters.txt")
    write_clusters(data, n=600, features=6, classes=4, seed=4, spread=1.5)
    spec = os.path.join(a.workdir, "space.ini")
    with open(spec, "w") as f:
        f.write(SPEC.format(data=data))

    listed = subprocess.run([a.dnnsweep, "sweep", spec, "--dry-run", "--list"], env=env, capture_output=True,
                            text=True)
    check(listed.returncode == 0, f"--dry-run --list exits 0 {listed.stderr.strip()}")
    rows = [dict(kv.split("=", 1) for kv in line.split()) for line in listed.stdout.splitlines()]
    dry = subprocess.run([a.dnnsweep, "sweep", spec, "--dry-run"], env=env, capture_output=True, text=True).stdout
    check(re.search(r"^  \[sgd\] 4 configurations \(4 drawn, sampler sobol\)$", dry, re.M) is not None,
          "--dry-run gives each section's count")

    reference, out = os.path.join(a.workdir, "reference.h5"), os.path.join(a.workdir, "resumed.h5")
    fresh(reference)
    fresh(out)
    p = sweep(a, env, spec, reference, 1)
    _, err = p.communicate(timeout=900)
    if p.returncode != 0:
        sys.exit(f"uninterrupted run failed ({p.returncode}): {err}")

    rng = random.Random(2024)
    kills, runs = 0, 0
    while kills < kills_wanted:
        runs += 1
        p = sweep(a, env, spec, out, 3)
        time.sleep(rng.uniform(1.0, 2.5))  # the spec's 1500 epochs keep a run going past this
        ranks = dnnsweep_ranks(p.pid)
        if p.poll() is None and ranks:
            os.kill(rng.choice(ranks), signal.SIGKILL)
            kills += 1
        p.communicate(timeout=300)
        if p.returncode == 0 and kills < kills_wanted:
            fresh(out)
        if runs > 6 * kills_wanted:
            sys.exit(f"only {kills} kills landed in {runs} runs")
    p = sweep(a, env, spec, out, 3)
    _, err = p.communicate(timeout=900)
    check(p.returncode == 0, f"the sweep resumed after {kills} SIGKILLs completes (exit {p.returncode}) "
          f"{err.strip()[-300:] if p.returncode else ''}")
    same = subprocess.run(["/usr/bin/python3", os.path.join(HERE, "..", "regression", "same_results.py"), reference,
                           out], capture_output=True, text=True)
    check(same.returncode == 0, "the resumed three-rank file equals the uninterrupted one-rank file, field by field "
          + same.stdout.strip()[-600:])

    with h5py.File(reference, "r") as f:
        configs = np.asarray(f["configs"])
    recorded = [(int(c["config"]), text(c["config_id"]), text(c["section"])) for c in configs]
    wanted = [(int(r["config"]), r["config_id"], r.get("section", "")) for r in rows]
    check(len(wanted) == 4 + 4 + 2 and recorded == wanted,
          f"the sweep records the {len(wanted)} configurations --dry-run --list names, each with its section")
    rates = {text(c["section"]): set() for c in configs}
    for c in configs:
        rates[text(c["section"])].add(float(c["learning-rate"]))
    check(all(0.002 <= r <= 0.05 for s in ("sgd", "adam") for r in rates[s]) and rates["fixed"] == {0.01},
          "drawn rates lie in their range; the [fixed] section keeps its own")
    sys.exit(1 if check.failed else 0)


if __name__ == "__main__":
    main()
