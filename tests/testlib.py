"""What the Python tests share: the synthetic dataset they train on, the environment of an
mpirun as root, decoding HDF5 strings, the ok/FAILED line of each claim, a clean results path, and
the ranks an mpirun started.
Import with the tests/ folder on sys.path."""
import argparse
import os
import shutil
import subprocess

import numpy as np


def write_clusters(path, n, features, classes, seed, spread):
    """A text dataset of `classes` Gaussian clusters (centres in [0, 10), std `spread`): features
    then an integer label per line, as dnnsweep's --data text files take them."""
    rng = np.random.default_rng(seed)
    centres = rng.uniform(0, 10, size=(classes, features))
    y = rng.integers(0, classes, n)
    x = centres[y] + rng.normal(0, spread, size=(n, features))
    with open(path, "w") as f:
        for row, label in zip(x, y):
            f.write(" ".join(f"{v:.5f}" for v in row) + f" {label}\n")


def mpi_env():
    """The environment for dnnsweep under mpirun: one OpenMP thread per rank, and, as root (CI),
    Open MPI's permission to run."""
    env = dict(os.environ, OMP_NUM_THREADS="1")
    if os.geteuid() == 0:
        env.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    return env


def text(v):
    """An HDF5 string field as str (h5py gives bytes for some string types)."""
    return v.decode() if isinstance(v, bytes) else str(v)


def check(cond, what):
    """One "ok"/"FAILED" line per claim; check.failed says whether any failed (the exit code)."""
    print(("ok      " if cond else "FAILED  ") + what, flush=True)
    if not cond:
        check.failed = True
    return cond


check.failed = False


def fresh(path):
    """A results file and its shards folder removed, for a sweep that must start from nothing."""
    if os.path.exists(path):
        os.remove(path)
    shutil.rmtree(path + ".parts", ignore_errors=True)


def dnnsweep_ranks(mpirun_pid):
    """The rank processes an mpirun started (its children running dnnsweep)."""
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(mpirun_pid)], capture_output=True, text=True).stdout
    pids = []
    for pid in map(int, out.split()):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if b"dnnsweep" in f.read():
                    pids.append(pid)
        except OSError:
            pass
    return pids


def test_args():
    """The arguments of a test script run by ctest: --dnnsweep (the binary) and --workdir (created)."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--dnnsweep", required=True)
    ap.add_argument("--workdir", required=True)
    a = ap.parse_args()
    os.makedirs(a.workdir, exist_ok=True)
    return a
