#!/usr/bin/python3
"""A sweep on 3 ranks whose data is missing or malformed: rank 0 says so in one line, the job exits
2, and no rank hangs (the ranks only build the node's shared copy of the data, runner/sweep/shared_dataset.hpp,
after rank 0 has loaded and checked it). And a node whose Open MPI folder for that shared copy is
missing, or (as root, with a 1 MB tmpfs) too small: one warning line naming the folder, every rank
keeps its own copy, and the results equal those of the shared copy.

    bad_data_test.py --dnnsweep build/runner/dnnsweep --workdir DIR
"""
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testlib import check, mpi_env, test_args  # noqa: E402

SPEC = "data = {data}\nfolds = 2\nlayers = 1\nwidth = 4\nepochs = 1\n"


def main():
    a = test_args()
    malformed = os.path.join(a.workdir, "malformed.txt")
    with open(malformed, "w") as f:
        f.write("1 2 0\n3 4 1\n5 six 0\n")
    cases = {"missing": os.path.join(a.workdir, "no-such-data.txt"), "malformed": malformed}
    for name, data in cases.items():
        spec = os.path.join(a.workdir, f"{name}.ini")
        with open(spec, "w") as f:
            f.write(SPEC.format(data=data))
        out = os.path.join(a.workdir, f"{name}.h5")
        cmd = ["mpirun", "-np", "3", "--oversubscribe", a.dnnsweep, "sweep", spec, "--out", out]
        try:
            p = subprocess.run(cmd, capture_output=True, text=True, env=mpi_env(), timeout=60)
        except subprocess.TimeoutExpired:
            check(False, f"{name} data: the job ends (it hung for 60 s)")
            continue
        # mpirun adds its own banner about the non-zero exit; dnnsweep's part is one line, from rank 0.
        ours = [line for line in p.stderr.splitlines() if line.startswith("dnnsweep")]
        check(p.returncode == 2, f"{name} data: exit 2 (got {p.returncode})")
        check(len(ours) == 1 and os.path.basename(data) in ours[0] and "error" in ours[0],
              f"{name} data: one error line naming the file ({ours})")
        check(not os.path.exists(out), f"{name} data: no results file")

    # Data that is fine but a node with no room for its shared window: Open MPI's backing folder
    # missing, or too small. Every rank keeps its own copy; the results are those of a shared copy.
    spec = os.path.join(a.workdir, "good.ini")
    good = os.path.join(a.workdir, "good.txt")
    with open(good, "w") as f:  # 30,000 rows x 12 features: 1.5 MB of rows, more than a 1 MB tmpfs
        f.write("".join(" ".join(str((i * 7 + j) % 11) for j in range(12)) + f" {i % 2}\n" for i in range(30000)))
    with open(spec, "w") as f:
        f.write(SPEC.format(data=good))

    def sweep(name, extra_env):
        out = os.path.join(a.workdir, f"{name}.h5")
        subprocess.run(["rm", "-rf", out, out + ".parts"], check=True)
        cmd = ["mpirun", "-np", "3", "--oversubscribe", a.dnnsweep, "sweep", spec, "--out", out, "--progress", "none"]
        try:
            p = subprocess.run(cmd, capture_output=True, text=True, env=dict(mpi_env(), **extra_env), timeout=60)
        except subprocess.TimeoutExpired:
            check(False, f"{name}: the job ends (it hung for 60 s)")
            return None, []
        warnings = [line for line in p.stderr.splitlines() if line.startswith("dnnsweep sweep: warning")]
        check(p.returncode == 0, f"{name}: exit 0 (got {p.returncode}: {p.stderr[-1500:]})")
        if p.returncode != 0:
            return None, warnings
        with h5py.File(out, "r") as f:
            folds = np.asarray(f["folds"])
        return {row["unit_id"]: (row["train_acc"], row["val_acc"], row["train_loss"]) for row in folds}, warnings

    shared, warnings = sweep("shared", {})
    check(shared is not None and not warnings, f"room for the window: no warning ({warnings})")
    missing = os.path.join(a.workdir, "no-such-dir")
    cases = {"missing folder": (missing, "No such file or directory")}
    if os.geteuid() == 0:
        small = tempfile.mkdtemp(prefix="small-shm-", dir=a.workdir)
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", small]).returncode == 0
        if mounted:
            cases["1 MB tmpfs"] = (small, "MB free")
        else:
            print("skip    a too small folder (mount -t tmpfs failed)")
    else:
        print("skip    a too small folder (mounting a 1 MB tmpfs needs root)")
    try:
        for name, (folder, reason) in cases.items():
            results, warnings = sweep(name.replace(" ", "_"), {"OMPI_MCA_osc_sm_backing_directory": folder})
            check(len(warnings) == 1 and folder in warnings[0] and reason in warnings[0]
                  and "own copy" in warnings[0], f"{name}: one warning naming the folder and why ({warnings})")
            check(results is not None and results == shared,
                  f"{name}: every unit's figures equal those of the shared copy")
    finally:
        if "1 MB tmpfs" in cases:
            subprocess.run(["umount", cases["1 MB tmpfs"][0]])
    sys.exit(1 if check.failed else 0)


if __name__ == "__main__":
    main()
