#!/usr/bin/python3
"""What happens to a sweep when things go wrong, checked on real mpirun jobs with h5py.

    reliability_test.py faults  --dnnsweep PATH --workdir DIR [--kills 10]
    reliability_test.py signals --dnnsweep PATH --workdir DIR
    reliability_test.py retries --dnnsweep PATH --workdir DIR
    reliability_test.py salvage --dnnsweep PATH --workdir DIR
    reliability_test.py launcher --dnnsweep PATH --workdir DIR

faults:  kills a random rank (SIGKILL) at a random moment, resumes, and repeats until at least
         --kills kills have landed; then lets the sweep finish and checks every unit is recorded
         exactly once with metrics equal to an uninterrupted one-rank run. After every kill, the
         results file (when there is one) opens plainly and every shard opens in SWMR-read mode.
signals: SIGUSR1 and SIGTERM to mpirun, SIGTERM to one worker rank only, and a double SIGINT to
         a one-rank sweep: each stops within seconds (exit code 3, or 130 for the second SIGINT),
         `dnnsweep status` reports it incomplete, and the resumed run completes with the metrics of
         an uninterrupted run.
salvage: a truncated results file and shard are moved aside with a warning and their units run
         again; --restart moves the old results aside and starts over.
launcher: SIGKILL of mpirun itself: no rank stays behind (each notices its launcher is gone),
         and the same command resumes to an uninterrupted run's metrics; a SIGKILL of rank 0 in
         the middle of the final merge leaves the previous results file whole, and the resume
         completes.
retries: a configuration that cannot be trained (its weights do not fit in memory) is recorded
         `failed` with its message after --retries attempts, and the sweep goes on.
"""
import argparse
import glob
import os
import random
import re
import signal
import subprocess
import sys
import time

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testlib import dnnsweep_ranks, mpi_env, text, write_clusters  # noqa: E402

SPEC = """data = {data}
folds = 3
split-seed = 3
layers = 1, 2
width = {widths}
activation = relu, tanh
optimizer = adam
learning-rate = 0.01
batch-size = 16
epochs = {epochs}
"""
METRICS = ("train_acc", "train_loss", "val_acc", "val_loss", "epochs")


class Env:
    def __init__(self, a):
        self.dnnsweep, self.workdir = a.dnnsweep, a.workdir
        os.makedirs(a.workdir, exist_ok=True)
        self.env = mpi_env()
        self.data = self.path("clusters.txt")
        write_clusters(self.data, n=600, features=6, classes=4, seed=2, spread=1.5)
        self.failed = False

    def path(self, name):
        return os.path.join(self.workdir, name)

    def spec(self, name, widths="16, 32", epochs=40):
        p = self.path(name)
        with open(p, "w") as f:
            f.write(SPEC.format(data=self.data, widths=widths, epochs=epochs))
        return p

    def fresh(self, out):
        subprocess.run(["rm", "-rf", out, out + ".parts"], check=True)
        for stale in glob.glob(out + ".*"):
            subprocess.run(["rm", "-rf", stale], check=True)

    def sweep(self, spec, out, ranks=3, extra=()):
        cmd = [self.dnnsweep, "sweep", spec, "--out", out, "--progress", "none", *extra]
        if ranks > 1:
            cmd = ["mpirun", "-np", str(ranks), "--oversubscribe"] + cmd
        return subprocess.Popen(cmd, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def run(self, spec, out, ranks=3, extra=()):
        p = self.sweep(spec, out, ranks, extra)
        stdout, stderr = p.communicate(timeout=900)
        return p.returncode, stdout, stderr

    def check(self, cond, what):
        print(("ok      " if cond else "FAILED  ") + what, flush=True)
        self.failed |= not cond


def folds(path):
    with h5py.File(path, "r") as f:  # a plain open, as users do
        return np.asarray(f["folds"])


def same_units(e, out, reference, what):
    rows, ref = folds(out), {text(r["unit_id"]): r for r in folds(reference)}
    ids = [text(u) for u in rows["unit_id"]]
    e.check(len(ids) == len(set(ids)) == len(ref), f"{what}: every unit recorded exactly once ({len(ids)} of {len(ref)})")
    e.check(all(all(r[k] == ref[text(r["unit_id"])][k] for k in METRICS) for r in rows),
            f"{what}: metrics equal an uninterrupted run's, unit by unit")


def readable_after_crash(e, out):
    ok = True
    if os.path.exists(out):
        try:
            folds(out)
        except OSError:
            ok = False
    for shard in glob.glob(os.path.join(out + ".parts", "*.h5")):
        try:
            with h5py.File(shard, "r", swmr=True) as f:
                np.asarray(f["folds"])
        except OSError:
            ok = False
    return ok


def faults(e, kills_wanted):
    spec = e.spec("faults.ini", widths="16, 32, 48", epochs=150)
    reference, out = e.path("faults_ref.h5"), e.path("faults.h5")
    e.fresh(reference)
    e.fresh(out)
    rc, _, err = e.run(spec, reference, ranks=1)
    if rc != 0:
        sys.exit(f"uninterrupted run failed ({rc}): {err}")
    rng = random.Random(12345)
    kills, runs, all_readable = 0, 0, True
    while kills < kills_wanted:
        runs += 1
        p = e.sweep(spec, out)
        time.sleep(rng.uniform(0.8, 2.5))
        ranks = dnnsweep_ranks(p.pid)
        if p.poll() is None and ranks:
            victim = rng.choice(ranks)
            os.kill(victim, signal.SIGKILL)
            kills += 1
        p.communicate(timeout=300)
        all_readable &= readable_after_crash(e, out)
        if p.returncode == 0 and kills < kills_wanted:  # finished before enough kills: start over
            e.fresh(out)
        if runs > 6 * kills_wanted:
            sys.exit(f"only {kills} kills landed in {runs} runs")
    e.check(all_readable, f"after each of {kills} SIGKILLs the results file opens plainly and every shard in SWMR mode")
    rc, _, err = e.run(spec, out)
    e.check(rc == 0, f"the resumed sweep completes (exit {rc}) {err.strip()[-300:] if rc else ''}")
    same_units(e, out, reference, f"after {kills} kills in {runs} runs")


def status_of(e, out):
    p = subprocess.run([e.dnnsweep, "status", out], capture_output=True, text=True, env=e.env)
    return p.returncode, p.stdout


def wait_for_units(e, out, p, wanted, timeout=120):
    """Polls `dnnsweep status` until `wanted` units are recorded; returns its last answer."""
    deadline = time.monotonic() + timeout
    code, report = 0, ""
    while time.monotonic() < deadline and p.poll() is None:
        if glob.glob(os.path.join(out + ".parts", "*.h5")):
            code, report = status_of(e, out)
            m = re.search(r"([0-9]+) recorded", report)
            if m and int(m.group(1)) >= wanted:
                break
        time.sleep(0.2)
    return code, report


def signals(e):
    # Long enough units (0.1 to 1.5 s each on a quiet machine, 12 s of training in
    # all) that every signal lands mid-sweep, also SIGTERM to mpirun, which Open MPI passes on to
    # the ranks only a second later.
    spec = e.spec("signals.ini", epochs=3000)
    reference = e.path("signals_ref.h5")
    e.fresh(reference)
    rc, _, err = e.run(spec, reference, ranks=1)
    if rc != 0:
        sys.exit(f"uninterrupted run failed ({rc}): {err}")

    cases = [("SIGUSR1 to mpirun", "mpirun", signal.SIGUSR1),
             ("SIGTERM to mpirun", "mpirun", signal.SIGTERM),
             ("SIGTERM to one worker rank", "worker", signal.SIGTERM)]
    for what, target, sig in cases:
        out = e.path("signals.h5")
        e.fresh(out)
        p = e.sweep(spec, out)
        # Watching a running sweep (status reads the shards while the workers write them) until a
        # few units are in, so the signal lands mid-sweep whatever the machine's speed.
        code, report = wait_for_units(e, out, p, 3)
        e.check(code == 3 and "incomplete" in report and p.poll() is None,
                f"{what}: dnnsweep status works while the sweep runs (exit {code})")
        pid = p.pid
        if target == "worker":
            ranks = sorted(dnnsweep_ranks(p.pid))
            pid = ranks[-1] if ranks else p.pid
        t0 = time.monotonic()
        os.kill(pid, sig)
        _, err = p.communicate(timeout=120)
        seconds = time.monotonic() - t0
        ours = [line for line in err.splitlines() if line.startswith("dnnsweep")]
        # mpirun itself exits 1 when it was signalled; the sweep's own word is its "stopped" line.
        stopped = any("units not run yet; run the same command again to resume" in line for line in ours)
        e.check(stopped and seconds < 10, f"{what}: the sweep stops in {seconds:.1f} s, saying how to resume "
                                          f"(mpirun exit {p.returncode})")
        if target == "mpirun" and sig == signal.SIGUSR1:
            e.check(p.returncode == 3, f"{what}: exit code 3, incomplete (got {p.returncode})")
        code, report = status_of(e, out)
        e.check(code == 3 and "incomplete" in report, f"{what}: dnnsweep status says incomplete (exit {code})")
        rc, _, err = e.run(spec, out)
        e.check(rc == 0, f"{what}: the resumed sweep completes (exit {rc})")
        same_units(e, out, reference, what)

    # One rank, no mpirun: a second SIGINT exits at once; what was recorded stays readable.
    # Without MPI to finalize, the first SIGINT's clean stop can end the process within the gap (exit
    # 3): the second then found nothing to interrupt, so the gap shrinks and the case runs again.
    out = e.path("signals_np1.h5")
    codes = []
    for gap in (0.05, 0.01, 0.002):
        e.fresh(out)
        p = e.sweep(spec, out, ranks=1)
        wait_for_units(e, out, p, 2)
        p.send_signal(signal.SIGINT)
        time.sleep(gap)
        if p.poll() is not None:
            codes.append(f"{p.returncode} before the second after {gap} s")
            continue
        p.send_signal(signal.SIGINT)
        p.communicate(timeout=60)
        codes.append(str(p.returncode))
        if p.returncode != 3:
            break
    e.check(p.returncode == 130, f"a second SIGINT exits at once with 130 (got {', '.join(codes)})")
    e.check(readable_after_crash(e, out), "the shards it leaves open in SWMR mode")
    rc, _, err = e.run(spec, out)
    e.check(rc == 0, f"the resumed sweep completes (exit {rc})")
    same_units(e, out, reference, "after a double SIGINT")


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"  # a zombie has ended
    except OSError:
        return False


def launcher(e):
    spec = e.spec("launcher.ini", widths="16, 32, 48", epochs=300)
    reference, out = e.path("launcher_ref.h5"), e.path("launcher.h5")
    e.fresh(reference)
    rc, _, err = e.run(spec, reference, ranks=1)
    if rc != 0:
        sys.exit(f"uninterrupted run failed ({rc}): {err}")

    e.fresh(out)
    p = e.sweep(spec, out)
    wait_for_units(e, out, p, 2)
    ranks = dnnsweep_ranks(p.pid)
    os.kill(p.pid, signal.SIGKILL)
    p.communicate(timeout=60)
    deadline = time.monotonic() + 10
    while any(alive(r) for r in ranks) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [r for r in ranks if alive(r)]
    e.check(len(ranks) == 3 and not left, f"SIGKILL of mpirun: none of its {len(ranks)} ranks stays behind ({left})")
    for r in left:
        os.kill(r, signal.SIGKILL)
    e.check(readable_after_crash(e, out), "SIGKILL of mpirun: what was recorded stays readable")
    rc, _, err = e.run(spec, out)
    e.check(rc == 0, f"SIGKILL of mpirun: the resumed sweep completes (exit {rc}{': ' + err[:600] if rc else ''})")
    same_units(e, out, reference, "after SIGKILL of mpirun")

    # A merged file of part of the units (a stop), then a resume whose final merge is killed.
    e.fresh(out)
    p = e.sweep(spec, out)
    wait_for_units(e, out, p, 4)
    p.send_signal(signal.SIGUSR1)
    p.communicate(timeout=120)
    partial = len(folds(out))
    landed = False
    for _ in range(5):  # the merge takes a fraction of a second: watch for its temporary file
        p = e.sweep(spec, out)
        lock = out + ".sweep-lock"
        while p.poll() is None:
            names = os.listdir(e.workdir)
            if any(n.startswith(os.path.basename(out) + ".tmp-") for n in names) and os.path.exists(lock):
                try:
                    rank0 = int(re.search(r"pid=([0-9]+)", open(lock).read()).group(1))
                    os.kill(rank0, signal.SIGKILL)
                    landed = True
                except (OSError, AttributeError):
                    pass
                break
            time.sleep(0.001)
        p.communicate(timeout=120)
        if landed:
            break
        if len(folds(out)) == 36:  # finished before the kill: back to a partial file
            e.fresh(out)
            q = e.sweep(spec, out)
            wait_for_units(e, out, q, 4)
            q.send_signal(signal.SIGUSR1)
            q.communicate(timeout=120)
            partial = len(folds(out))
    e.check(landed, "a SIGKILL of rank 0 landed during the final merge")
    e.check(readable_after_crash(e, out) and len(folds(out)) == partial,
            f"killed mid-merge: the previous results file stays whole ({len(folds(out))} units, was {partial})")
    rc, _, err = e.run(spec, out)
    e.check(rc == 0, f"killed mid-merge: the resumed sweep completes (exit {rc}: {err[-300:]})")
    same_units(e, out, reference, "after a kill during the merge")
    left = [n for n in os.listdir(e.workdir) if n.startswith(os.path.basename(out) + ".tmp-")]
    e.check(not left and "left by a merge that was killed" in err,
            f"killed mid-merge: the resume removes the half-written merge ({left})")


def retries(e):
    # Width 10^9: the first layer's weights alone would take 3 TB, so the unit throws.
    spec = e.spec("retries.ini", widths="16, 1000000000", epochs=3)
    out = e.path("retries.h5")
    e.fresh(out)
    rc, stdout, err = e.run(spec, out, extra=("--retries", "2"))
    e.check(rc == 0, f"the sweep goes on past failing units and completes (exit {rc})")
    rows = folds(out)
    failed = [r for r in rows if text(r["status"]) == "failed"]
    # 2 layer counts x 2 widths x 2 activations x 3 folds; the 10^9-wide half fails.
    e.check(len(rows) == 24 and len(failed) == 12, f"24 units recorded once each, 12 failed ({len(rows)}, {len(failed)})")
    e.check(all("memory" in text(r["error"]) for r in failed), "each failed unit carries its error message")
    attempts = 0
    for shard in glob.glob(os.path.join(out + ".parts", "*.h5")):
        with h5py.File(shard, "r", swmr=True) as f:
            attempts += sum(text(s) == "failed" for s in np.asarray(f["folds"])["status"])
    e.check(attempts == 12 * 3, f"each failing unit was tried 1 + 2 retries times ({attempts} attempts)")


def salvage(e):
    """Files a crash left unreadable are moved aside, never deleted, and their units run again;
    --restart moves the old results aside and starts over."""
    spec = e.spec("salvage.ini", epochs=5)
    reference, out = e.path("salvage_ref.h5"), e.path("salvage.h5")
    e.fresh(reference)
    e.fresh(out)
    for path in (reference, out):
        rc, _, err = e.run(spec, path, ranks=1)
        if rc != 0:
            sys.exit(f"sweep failed ({rc}): {err}")
    shard = sorted(glob.glob(os.path.join(out + ".parts", "*.h5")))[0]
    for damaged in (out, shard):
        size = os.path.getsize(damaged)
        with open(damaged, "r+b") as f:
            f.truncate(size // 3)
    rc, _, err = e.run(spec, out)
    warned = [line for line in err.splitlines() if "moved aside" in line]
    e.check(rc == 0 and len(warned) == 2, f"a truncated results file and shard are reported and moved aside ({len(warned)} warnings)")
    kept = glob.glob(out + ".unreadable-*") + glob.glob(os.path.join(out + ".parts", "*.unreadable-*"))
    e.check(len(kept) == 2, f"both damaged files are kept under new names ({len(kept)})")
    same_units(e, out, reference, "after salvaging")

    rc, _, err = e.run(spec, out, extra=("--restart",))
    replaced = glob.glob(out + ".replaced-*") + glob.glob(out + ".parts.replaced-*")
    e.check(rc == 0 and len(replaced) == 2, f"--restart moves the results file and its shards aside ({len(replaced)})")
    same_units(e, out, reference, "after --restart")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["faults", "signals", "retries", "salvage", "launcher"])
    ap.add_argument("--dnnsweep", required=True)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--kills", type=int, default=10)
    a = ap.parse_args()
    e = Env(a)
    {"faults": lambda: faults(e, a.kills), "signals": lambda: signals(e), "retries": lambda: retries(e),
     "salvage": lambda: salvage(e), "launcher": lambda: launcher(e)}[a.what]()
    sys.exit(1 if e.failed else 0)


if __name__ == "__main__":
    main()
