#!/usr/bin/python3
"""A sweep on 3 ranks whose data is missing or malformed: rank 0 says so in one line, the job exits
2, and no rank hangs (the ranks only build the node's shared copy of the data, runner/shared_dataset.hpp,
after rank 0 has loaded and checked it). And a node that cannot make that shared copy: exit 1, MPI's
reason, no hang.

    bad_data_test.py --dnnsweep build/runner/dnnsweep --workdir DIR
"""
import os
import subprocess
import sys

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
            p = subprocess.run(cmd, capture_output=True, text=True, env=mpi_env(), timeout=120)
        except subprocess.TimeoutExpired:
            check(False, f"{name} data: the job ends (it hung for 120 s)")
            continue
        # mpirun adds its own banner about the non-zero exit; dnnsweep's part is one line, from rank 0.
        ours = [line for line in p.stderr.splitlines() if line.startswith("dnnsweep")]
        check(p.returncode == 2, f"{name} data: exit 2 (got {p.returncode})")
        check(len(ours) == 1 and os.path.basename(data) in ours[0] and "error" in ours[0],
              f"{name} data: one error line naming the file ({ours})")
        check(not os.path.exists(out), f"{name} data: no results file")

    # Data that is fine but a node whose shared-memory window cannot be made (Open MPI's backing
    # directory missing): exit 1 with MPI's reason in one line from the rank that failed, no hang.
    spec = os.path.join(a.workdir, "good.ini")
    good = os.path.join(a.workdir, "good.txt")
    with open(good, "w") as f:
        f.write("".join(f"{i} {i % 5} {i % 2}\n" for i in range(40)))
    with open(spec, "w") as f:
        f.write(SPEC.format(data=good))
    env = dict(mpi_env(), OMPI_MCA_osc_sm_backing_directory=os.path.join(a.workdir, "no-such-dir"))
    cmd = ["mpirun", "-np", "3", "--oversubscribe", a.dnnsweep, "sweep", spec, "--out", os.path.join(a.workdir, "w.h5")]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
        ours = [line for line in p.stderr.splitlines() if line.startswith("dnnsweep")]
        check(p.returncode == 1 and len(ours) >= 1 and all("MPI_Win_allocate_shared" in line for line in ours),
              f"no shared memory for the window: exit 1 naming MPI_Win_allocate_shared (exit {p.returncode}: {ours})")
    except subprocess.TimeoutExpired:
        check(False, "no shared memory for the window: the job ends (it hung for 120 s)")
    sys.exit(1 if check.failed else 0)


if __name__ == "__main__":
    main()
