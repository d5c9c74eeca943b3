#!/usr/bin/python3
"""A results file tied to its data and to one sweep, failed units retried, a full disk: real
mpirun jobs, read back with h5py.

    integrity_test.py data     --dnnsweep PATH --workdir DIR
    integrity_test.py lock     --dnnsweep PATH --workdir DIR
    integrity_test.py retry    --dnnsweep PATH --workdir DIR
    integrity_test.py diskfull --dnnsweep PATH --workdir DIR   (root: mounts tmpfs; else exit 77, skipped)

data:     the data fingerprint is in the results file and every shard, and status and report show it;
          a resume and an array task on data of the same shape with other labels are refused in
          one line naming both fingerprints and the data, changing nothing; --restart accepts it.
lock:     a second sweep on a results file a running one writes refuses in one line naming the
          running one's host and process, and nothing is recorded twice; locks left by a dead
          process on this host, or unrefreshed from another host, are taken over with a warning;
          a fresh lock of another host is respected.
retry:    units that failed once (out of memory under a tight address-space limit) are left as
          they are by a plain resume and run again by --retry-failed, the new record replacing
          the failure; the result equals an uninterrupted run's.
diskfull: a sweep whose results folder (a small tmpfs) fills up exits 4 with one line, no MPI
          abort banner, its shards readable; moved to a larger file system, the same command
          completes it to the results of an uninterrupted run (tests/regression/same_results.py).
"""
import argparse
import glob
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import time

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))
from testlib import check, fresh, mpi_env, text, write_clusters  # noqa: E402

SAME_RESULTS = os.path.join(HERE, "..", "regression", "same_results.py")
SKIP = 77  # ctest's SKIP_RETURN_CODE for this test

SPEC = """data = {data}
folds = 3
split-seed = 3
layers = {layers}
width = {widths}
activation = relu, tanh
optimizer = adam
learning-rate = 0.01
batch-size = 16
epochs = {epochs}
"""


class Env:
    def __init__(self, a):
        self.dnnsweep, self.workdir = a.dnnsweep, a.workdir
        os.makedirs(a.workdir, exist_ok=True)
        self.env = mpi_env()

    def path(self, name):
        return os.path.join(self.workdir, name)

    def data(self, name, seed, n=600):
        p = self.path(name)
        write_clusters(p, n=n, features=6, classes=4, seed=seed, spread=1.5)
        return p

    def spec(self, name, data, widths="16, 32", epochs=40, layers="1, 2"):
        p = self.path(name)
        with open(p, "w") as f:
            f.write(SPEC.format(data=data, widths=widths, epochs=epochs, layers=layers))
        return p

    def start(self, spec, out, ranks=3, extra=(), limit_as=None, env=None):
        cmd = [self.dnnsweep, "sweep", spec, "--out", out, "--progress", "none", *extra]
        if ranks > 1:
            cmd = ["mpirun", "-np", str(ranks), "--oversubscribe"] + cmd

        def limit():
            if limit_as:
                resource.setrlimit(resource.RLIMIT_AS, (limit_as, limit_as))
        return subprocess.Popen(cmd, env={**self.env, **(env or {})}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, preexec_fn=limit)

    def run(self, spec, out, ranks=3, extra=(), limit_as=None, env=None):
        p = self.start(spec, out, ranks, extra, limit_as, env)
        stdout, stderr = p.communicate(timeout=900)
        return p.returncode, stdout, stderr

    def cli(self, *args):
        p = subprocess.run([self.dnnsweep, *args], env=self.env, capture_output=True, text=True, timeout=120)
        return p.returncode, p.stdout, p.stderr


def ours(err):
    return [line for line in err.splitlines() if line.startswith("dnnsweep")]


def folds(path):
    with h5py.File(path, "r") as f:
        return np.asarray(f["folds"])


def shard_rows(out):
    n = 0
    for shard in glob.glob(os.path.join(out + ".parts", "*.h5")):
        with h5py.File(shard, "r", swmr=True) as f:
            n += len(f["folds"])
    return n


def same_results(a, b):
    p = subprocess.run(["/usr/bin/python3", SAME_RESULTS, a, b], capture_output=True, text=True)
    if p.returncode != 0:
        print(p.stdout[-2000:], p.stderr[-2000:])
    return p.returncode == 0


def data(e):
    a, b = e.data("a.txt", seed=2), e.data("b.txt", seed=5)  # same shape, other rows and labels
    live = e.path("live.txt")
    shutil.copy(a, live)
    spec = e.spec("data.ini", live, epochs=5)
    out = e.path("data.h5")
    fresh(out)
    # Half the units (array task 0 of 2): a results file that a resume would add to.
    rc, _, err = e.run(spec, out, extra=("--array-tasks", "2", "--array-task", "0"))
    check(rc == 0, f"array task 0 of 2 on the first data (exit {rc}: {err[-300:]})")
    with h5py.File(out, "r") as f:
        fp_a = text(f.attrs["data_fingerprint"])
        shape = (int(f.attrs["samples"]), int(f.attrs["features"]), int(f.attrs["classes"]))
    check(re.fullmatch(r"[0-9a-f]{32}", fp_a) is not None and shape == (600, 6, 4),
          f"the results file records the data fingerprint and shape ({fp_a}, {shape})")
    shard_fps = set()
    for shard in glob.glob(os.path.join(out + ".parts", "*.h5")):
        with h5py.File(shard, "r", swmr=True) as f:
            shard_fps.add((text(f.attrs["data_fingerprint"]), int(f.attrs["samples"]), int(f.attrs["features"]),
                           int(f.attrs["classes"])))
    check(shard_fps == {(fp_a, 600, 6, 4)}, f"every shard records the same fingerprint and shape ({shard_fps})")
    code, report, _ = e.cli("status", out)
    check(fp_a in report, "dnnsweep status shows the fingerprint")
    code, report, _ = e.cli("report", out)
    check(f"data fingerprint: {fp_a}" in report, "dnnsweep report shows the fingerprint")

    shutil.copy(b, live)  # the same file name, other contents
    before = (os.path.getmtime(out), sorted(os.listdir(out + ".parts")))
    for what, extra in (("a resume", ()), ("array task 1", ("--array-tasks", "2", "--array-task", "1"))):
        rc, _, err = e.run(spec, out, extra=extra)
        lines = ours(err)
        check(rc == 2 and len(lines) == 1 and fp_a in lines[0] and "other data" in lines[0] and live in lines[0]
              and re.search(r"now has [0-9a-f]{32}", lines[0]) is not None,
              f"{what} on other data is refused in one line naming both fingerprints and the data (exit {rc}: "
              f"{lines})")
    check(before == (os.path.getmtime(out), sorted(os.listdir(out + ".parts"))), "the refusals changed nothing")
    rc, _, err = e.run(spec, out, extra=("--restart",))
    check(rc == 0, f"--restart accepts the new data (exit {rc})")
    with h5py.File(out, "r") as f:
        fp_b = text(f.attrs["data_fingerprint"])
        n = len(f["folds"])
    check(fp_b != fp_a and n == 24, f"the new results carry the new data's fingerprint, every unit ({fp_b}, {n})")
    # Back on the first data, restored: the old results are the moved-aside ones; a fresh --out resumes fine.
    shutil.copy(a, live)
    rc, _, err = e.run(spec, out)
    check(rc == 2 and fp_b in err, "restoring the first data is refused by results of the second")


def lock_text(host, pid, started_at):
    return f"host={host}\npid={pid}\nstarted_at={started_at:.3f}\njob=\nspec_hash=x\narray_tasks=1\nend\n"


def dead_pid():
    p = subprocess.Popen(["true"])
    p.wait()
    return p.pid  # reaped: no process has it (pids are not reused within moments)


def lock(e):
    spec = e.spec("lock.ini", e.data("lock.txt", seed=2), widths="16, 32, 48", epochs=300)
    out, lock_path = e.path("lock.h5"), e.path("lock.h5.sweep-lock")
    fresh(out)
    first = e.start(spec, out)
    deadline = time.monotonic() + 120
    holder = ""
    while time.monotonic() < deadline and first.poll() is None:  # created first, then written: wait for "end"
        try:
            holder = open(lock_path).read()
        except FileNotFoundError:
            holder = ""
        if holder.endswith("end\n"):
            break
        time.sleep(0.05)
    m = re.search(r"host=(.*)\npid=([0-9]+)", holder)
    check(m is not None, f"the running sweep holds the lock ({holder!r})")
    t0 = time.monotonic()
    rc, _, err = e.run(spec, out)
    lines = ours(err)
    check(rc == 2 and len(lines) == 1 and m is not None and f"host {m.group(1)}, process {m.group(2)}" in lines[0],
          f"a second sweep refuses in one line naming the running one's host and process "
          f"({time.monotonic() - t0:.1f} s, exit {rc}: {lines})")
    check(first.poll() is None, "the first sweep still runs when the second has given up")
    _, ferr = first.communicate(timeout=900)
    check(first.returncode == 0, f"the first sweep completes (exit {first.returncode}: {ferr[-300:]})")
    rows = folds(out)
    ids = [text(u) for u in rows["unit_id"]]
    check(len(ids) == len(set(ids)) == 36 and shard_rows(out) == 36,
          f"every unit trained and recorded once ({len(ids)} rows, {shard_rows(out)} in the shards)")
    check(not os.path.exists(lock_path), "the lock is gone when the sweep ends")

    host = socket.gethostname()
    cases = [("a dead process on this host", lock_text(host, dead_pid(), time.time() - 5), 0, True),
             ("another host's, unrefreshed for 2 minutes", lock_text("elsewhere", 1, time.time() - 300), 120, True),
             ("another host's, fresh", lock_text("elsewhere", 1, time.time() - 5), 0, False)]
    short = e.spec("lock_short.ini", e.data("lock.txt", seed=2), epochs=3)
    for what, content, age, stale in cases:
        out = e.path("stale.h5")
        fresh(out)
        with open(out + ".sweep-lock", "w") as f:
            f.write(content)
        if age:
            t = time.time() - age
            os.utime(out + ".sweep-lock", (t, t))
        rc, _, err = e.run(short, out)
        lines = ours(err)
        if stale:
            check(rc == 0 and any("taking over the lock" in line for line in lines),
                  f"a stale lock ({what}) is taken over with a warning (exit {rc})")
        else:
            check(rc == 2 and len(lines) == 1 and "host elsewhere, process 1" in lines[0],
                  f"a live lock ({what}) is respected (exit {rc}: {lines})")
        if os.path.exists(out + ".sweep-lock"):
            os.remove(out + ".sweep-lock")
    array_tasks_keep_the_lock(e)


def read_holder(path):
    try:
        text = open(path).read()
    except FileNotFoundError:
        return None
    m = re.search(r"pid=([0-9]+)", text)
    return int(m.group(1)) if m and text.endswith("end\n") else None


def array_tasks_keep_the_lock(e):
    """Two tasks of one job array share the lock; when its creator ends first, the task still
    running holds it, and a sweep of another job is refused until that task ends too."""
    spec = e.spec("array_lock.ini", e.data("lock.txt", seed=2), widths="16, 32, 48", epochs=300)
    out = e.path("array_lock.h5")
    lock_path = out + ".sweep-lock"
    job = {"SLURM_ARRAY_JOB_ID": "4242"}
    for attempt in range(3):
        fresh(out)
        first = e.start(spec, out, ranks=1, extra=("--array-tasks", "2", "--array-task", "0"), env=job)
        deadline = time.monotonic() + 60
        while read_holder(lock_path) != first.pid and time.monotonic() < deadline and first.poll() is None:
            time.sleep(0.05)
        time.sleep(3 + 3 * attempt)  # the second task ends this much later than the first
        second = e.start(spec, out, ranks=1, extra=("--array-tasks", "2", "--array-task", "1"), env=job)
        first.communicate(timeout=900)
        deadline = time.monotonic() + 2 * 5 + 2  # two refresh periods
        while read_holder(lock_path) != second.pid and time.monotonic() < deadline and second.poll() is None:
            time.sleep(0.1)
        if second.poll() is not None:
            second.communicate()
            continue  # it ended before its lock could be checked: start it later
        held = read_holder(lock_path) == second.pid
        rc, _, err = e.run(spec, out, ranks=1, extra=("--array-tasks", "2", "--array-task", "1"),
                           env={"SLURM_ARRAY_JOB_ID": "5151"})
        running = second.poll() is None
        _, serr = second.communicate(timeout=900)
        check(held and running and rc == 2 and "another sweep is writing it" in err,
              f"the array task still running holds the lock once its creator ended, and another job's sweep is "
              f"refused (held {held}, still running {running}, exit {rc}: {ours(err)})")
        check(second.returncode == 0 and not os.path.exists(lock_path),
              f"the last array task completes and releases the lock (exit {second.returncode}: {serr[-300:]})")
        return
    check(False, "the second array task outlived the first (three tries)")


def retry(e):
    # The 6000-wide two-layer units need about 600 MB; under a 500 MB address-space limit they
    # fail with "out of memory" (a real failure: the allocation is refused), without it they train.
    # 60 rows: a few steps per unit, so the wide units cost little time on a loaded machine.
    spec = e.spec("retry.ini", e.data("retry.txt", seed=2, n=60), widths="16, 6000", layers="2", epochs=1)
    reference, out = e.path("retry_ref.h5"), e.path("retry.h5")
    fresh(reference)
    fresh(out)
    rc, _, err = e.run(spec, reference, ranks=1)
    check(rc == 0 and all(text(s) == "ok" for s in folds(reference)["status"]),
          f"without a limit every unit trains (exit {rc})")
    rc, _, err = e.run(spec, out, ranks=1, extra=("--retries", "0"), limit_as=500 << 20)
    statuses = [text(s) for s in folds(out)["status"]]
    check(rc == 0 and statuses.count("failed") == 6 and statuses.count("ok") == 6,
          f"under the limit the wide units are recorded failed ({statuses})")
    rc, stdout, _ = e.run(spec, out, ranks=1)
    check(rc == 0 and [text(s) for s in folds(out)["status"]].count("failed") == 6 and "0 epochs trained" in stdout,
          "a plain resume leaves the failed units as they are")
    rc, stdout, err = e.run(spec, out, ranks=1, extra=("--retry-failed",))
    rows = folds(out)
    check(rc == 0 and all(text(s) == "ok" for s in rows["status"]) and len(rows) == 12,
          f"--retry-failed runs them again, the new records replacing the failures (exit {rc}: {stdout.strip()})")
    check(same_results(reference, out), "the retried results equal an uninterrupted run's (same_results.py)")


def diskfull(e):
    if os.geteuid() != 0:
        print("SKIPPED: mounting a small tmpfs needs root")
        sys.exit(SKIP)
    spec = e.spec("full.ini", e.data("full.txt", seed=2), widths="16, 32, 48", epochs=200)
    reference = e.path("full_ref.h5")
    fresh(reference)
    rc, _, err = e.run(spec, reference)
    if rc != 0:
        sys.exit(f"uninterrupted run failed ({rc}): {err}")
    need = os.path.getsize(reference) + sum(os.path.getsize(p) for p in glob.glob(reference + ".parts/*"))
    small, large = e.path("small"), e.path("large")
    for d in (small, large):
        subprocess.run(["umount", d], capture_output=True)
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
    size_kib = max(64, need // 1024 // 3)  # room for about a third of the shards
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kib}k", "tmpfs", small], check=True)
    try:
        out = os.path.join(small, "full.h5")
        rc, _, err = e.run(spec, out)
        lines = ours(err)
        wanted = [line for line in lines if re.search(
            r"no space left on device writing .*full\.h5(\.parts/rank-[0-9]+-[0-9a-f]+\.h5)?: free space and rerun "
            r"the same command to resume$", line)]
        check(rc == 4 and len(wanted) == 1, f"a full disk: exit 4 and one line ({rc}: {lines[-3:]})")
        check("MPI_ABORT" not in err and "HDF5-DIAG" not in err, "no MPI abort banner, no HDF5 error stack")
        readable = True
        for shard in glob.glob(os.path.join(out + ".parts", "*.h5")):
            try:
                with h5py.File(shard, "r", swmr=True) as f:
                    np.asarray(f["folds"])
            except OSError:
                readable = False
        check(readable and shard_rows(out) > 0, f"the shards stay readable ({shard_rows(out)} units recorded)")
        subprocess.run(["cp", "-a", small + "/.", large], check=True)
    finally:
        subprocess.run(["umount", small], check=True)
    out = os.path.join(large, "full.h5")
    rc, _, err = e.run(spec, out)
    check(rc == 0, f"resumed with space, the same command completes (exit {rc}: {err[-300:]})")
    check(same_results(reference, out), "the results equal an uninterrupted run's (same_results.py)")
    full_from_the_start(e, spec)


def full_from_the_start(e, spec):
    """A file system already full when the sweep starts: its lock cannot be written. Exit 4, as for
    a disk that fills during the run, not 2 (bad input)."""
    full = e.path("full_fs")
    subprocess.run(["umount", full], capture_output=True)
    shutil.rmtree(full, ignore_errors=True)
    os.makedirs(full)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", full], check=True)
    try:
        fd = os.open(os.path.join(full, "filler"), os.O_CREAT | os.O_WRONLY)
        try:
            while os.write(fd, b"\0" * 4096) > 0:
                pass
        except OSError:
            pass  # full
        os.close(fd)
        rc, _, err = e.run(spec, os.path.join(full, "start.h5"))
        lines = ours(err)
        wanted = [line for line in lines if re.search(
            r"start\.h5.*: (No space left on device|Disk quota exceeded): free space and rerun the same command$", line)]
        check(rc == 4 and len(wanted) == 1, f"full before the start: exit 4 and one line ({rc}: {lines[-3:]})")
        check("MPI_ABORT" not in err and "HDF5-DIAG" not in err, "full before the start: no abort banner, no stack")
        check(not os.path.exists(os.path.join(full, "start.h5")), "full before the start: no results file")
    finally:
        subprocess.run(["umount", full], check=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["data", "lock", "retry", "diskfull"])
    ap.add_argument("--dnnsweep", required=True)
    ap.add_argument("--workdir", required=True)
    a = ap.parse_args()
    e = Env(a)
    {"data": data, "lock": lock, "retry": retry, "diskfull": diskfull}[a.what](e)
    sys.exit(1 if check.failed else 0)


if __name__ == "__main__":
    main()
