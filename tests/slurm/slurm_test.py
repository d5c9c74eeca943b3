#!/usr/bin/python3
"""`dnnsweep submit` on a real single-node Slurm cluster (slurm/start_test_cluster.sh), results
read back with h5py.

    slurm_test.py dryrun    --dnnsweep PATH --workdir DIR
    slurm_test.py submit    --dnnsweep PATH --workdir DIR
    slurm_test.py timelimit --dnnsweep PATH --workdir DIR
    slurm_test.py array     --dnnsweep PATH --workdir DIR

dryrun:    the script rendered for a multi-node request (--dry-run) has the directives asked for,
           and the launch line of each launcher; bad options exit 2; nothing is written. No
           cluster needed.
submit:    a small sweep submitted with each launcher (srun --mpi=pmix, mpirun), 2 ranks: the job
           id is printed, the saved script is the job's, the job completes, the results hold every
           unit once and the job id; a partition that does not exist or too many nodes are refused
           before anything is queued; sbatch's own error is shown with a non-zero exit.
timelimit: --time=1 (one minute) for a sweep needing about three: each run gets SIGUSR1 before the
           limit, stops cleanly, requeues itself, and a later run completes: every unit exactly
           once, SLURM_RESTART_COUNT >= 1 in the file, never killed by the time limit.
array:     --array 3 (single-rank tasks, mpirun): three array tasks merge into one results file.

The cluster's slurm.conf comes from $SLURM_CONF (tests/slurm/CMakeLists.txt sets it).
"""
import argparse
import os
import re
import subprocess
import sys
import time

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testlib import mpi_env, text, write_clusters  # noqa: E402

SMALL = """data = {data}
folds = 3
split-seed = 3
layers = 1, 2
width = 16
activation = relu, tanh
optimizer = adam
learning-rate = 0.01
batch-size = 16
epochs = 5
"""
# About 4.6 s a unit on one core of the 2-core test machine: 12 configurations x 3 folds, about
# three minutes of training for one worker.
LONG = """data = {data}
folds = 3
split-seed = 3
layers = 2
width = 256
activation = relu, tanh, sigmoid
optimizer = adam
learning-rate = 0.005, 0.002, 0.001, 0.0005
batch-size = 16
epochs = 800
"""
FINAL_STATES = {"COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY", "BOOT_FAIL",
                "DEADLINE", "PREEMPTED"}


class Env:
    def __init__(self, a):
        self.dnnsweep, self.workdir = a.dnnsweep, os.path.abspath(a.workdir)
        subprocess.run(["rm", "-rf", self.workdir], check=True)
        os.makedirs(self.workdir)
        # The job inherits this environment (sbatch exports it): one thread per rank, mpirun as root.
        self.env = mpi_env()
        self.data = self.path("clusters.txt")
        write_clusters(self.data, n=600, features=6, classes=4, seed=2, spread=1.5)
        self.failed = False

    def path(self, *names):
        return os.path.join(self.workdir, *names)

    def spec(self, name, template):
        p = self.path(name)
        with open(p, "w") as f:
            f.write(template.format(data=self.data))
        return p

    def dnn(self, *args):
        return subprocess.run([self.dnnsweep, *args], env=self.env, capture_output=True, text=True, timeout=120)

    def check(self, cond, what):
        print(("ok      " if cond else "FAILED  ") + what, flush=True)
        self.failed |= not cond
        return cond


def job_fields(job_id):
    """scontrol's record of a job (or of each task of an array), as dicts."""
    out = subprocess.run(["scontrol", "-o", "show", "job", str(job_id)], capture_output=True, text=True).stdout
    return [dict(kv.split("=", 1) for kv in line.split() if "=" in kv) for line in out.splitlines() if line.strip()]


def wait_job(job_id, timeout, on_poll=None):
    """Polls until every record of the job is in a final state; returns the records."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        records = job_fields(job_id)
        if on_poll:
            on_poll(records)
        if records and all(r.get("JobState") in FINAL_STATES for r in records):
            return records
        time.sleep(2)
    subprocess.run(["scancel", str(job_id)])
    return job_fields(job_id)


def folds(path):
    with h5py.File(path, "r") as f:  # a plain open, as users do
        return np.asarray(f["folds"]), dict(f.attrs)


def check_results(e, out, units, what):
    rows, attrs = folds(out)
    ids = [text(u) for u in rows["unit_id"]]
    e.check(len(ids) == len(set(ids)) == units, f"{what}: every unit recorded exactly once ({len(ids)} of {units})")
    e.check(all(text(s) == "ok" for s in rows["status"]), f"{what}: every unit ok")
    status = e.dnn("status", out)
    e.check(status.returncode == 0, f"{what}: dnnsweep status says complete (exit {status.returncode})")
    return attrs


def read(path):
    with open(path) as f:
        return f.read()


# ---------------------------------------------------------------------------------------- dryrun

def dryrun(e):
    spec = e.spec("small.ini", SMALL)
    out = e.path("multi", "results.h5")
    r = e.dnn("submit", spec, "--out", out, "--nodes", "4", "--ntasks-per-node", "8", "--cpus-per-task", "2",
              "--time", "2-00:00:00", "--partition", "compute", "--account", "proj42", "--max-requeues", "7",
              "--launcher", "mpirun", "--dry-run")
    e.check(r.returncode == 0, f"multi-node --dry-run exits 0 ({r.returncode}: {r.stderr.strip()})")
    script = r.stdout
    directives = [line[len("#SBATCH "):] for line in script.splitlines() if line.startswith("#SBATCH ")]
    expected = ["--job-name=dnnsweep-small", "--nodes=4", "--ntasks-per-node=8", "--cpus-per-task=2",
                "--time=2-00:00:00", "--partition=compute", "--account=proj42", f"--output={out}.slurm-%j.log",
                "--open-mode=append", "--requeue", "--signal=B:USR1@300"]
    e.check(directives == expected, f"the #SBATCH directives are the ones asked for: {directives}")
    e.check(script.startswith("#!/usr/bin/env bash\n"), "a bash script")
    e.check("{{" not in script, "every field filled in")
    e.check(re.search(r"^MAX_REQUEUES=7$", script, re.M) is not None, "--max-requeues reaches the script")
    e.check(re.search(r"^LAUNCHER=mpirun$", script, re.M) is not None, "--launcher mpirun reaches the script")
    e.check(f"OUT='{out}'" in script and f"SPEC='{spec}'" in script, "absolute spec and results paths")
    e.check(f"DNNSWEEP='{os.path.realpath(e.dnnsweep)}'" in script, "the dnnsweep binary that rendered it")
    e.check('scontrol requeue "$SLURM_JOB_ID"' in script and "SLURM_RESTART_COUNT < MAX_REQUEUES" in script,
            "requeues itself while SLURM_RESTART_COUNT < --max-requeues")
    syntax = subprocess.run(["bash", "-n"], input=script, capture_output=True, text=True)
    e.check(syntax.returncode == 0, f"bash -n accepts it {syntax.stderr.strip()}")
    e.check(not os.path.exists(os.path.dirname(out)), "--dry-run writes nothing")

    r = e.dnn("submit", spec, "--out", out, "--array", "3", "--time", "1", "--dry-run")
    d = [line for line in r.stdout.splitlines() if line.startswith("#SBATCH ")]
    e.check("#SBATCH --array=0-2" in d and f"#SBATCH --output={out}.slurm-%A_%a.log" in d,
            "--array 3: a job array 0-2 with one log per task")
    e.check("#SBATCH --signal=B:USR1@30" in d and "#SBATCH --time=1" in d, "--time 1: SIGUSR1 30 s before the limit")
    e.check(not any(x.startswith(("#SBATCH --partition", "#SBATCH --account")) for x in d),
            "no partition or account line when none is given")
    e.check(re.search(r"^LAUNCHER=srun$", r.stdout, re.M) is not None, "srun is the default launcher")
    e.check("srun --mpi=pmix" in r.stdout, "srun starts the ranks with PMIx")

    for bad in (["--nodes", "0"], ["--launcher", "ssh"], ["--time", "1:2:3:4"], ["--time", "soon"],
                ["--array", "0"], ["--partition", "a b"], ["--time", "1", "--signal-seconds", "60"],
                ["--no-such-option"]):
        r = e.dnn("submit", spec, "--out", out, *bad)
        e.check(r.returncode == 2 and r.stderr.count("\n") == 1 and "error" in r.stderr,
                f"{' '.join(bad)}: exit 2 with one line ({r.returncode}: {r.stderr.strip()})")
    halving = e.spec("halving.ini", SMALL + "prune = halving\n")
    r = e.dnn("submit", halving, "--out", out, "--array", "2", "--dry-run")
    e.check(r.returncode == 2 and r.stderr.count("\n") == 1 and "prune = halving" in r.stderr,
            f"--array with a halving spec: exit 2 with one line ({r.returncode}: {r.stderr.strip()})")
    template = e.path("site.sbatch")
    with open(template, "w") as f:
        f.write("#!/bin/bash\n#SBATCH --nodes={{nodes}}\n#SBATCH --partition={{partition}}\nmodule load mpi\n"
                "srun {{dnnsweep}} sweep {{spec}} --out {{out}}\n")
    r = e.dnn("submit", spec, "--out", out, "--nodes", "2", "--template", template, "--dry-run")
    e.check(r.returncode == 0 and r.stdout == f"#!/bin/bash\n#SBATCH --nodes=2\nmodule load mpi\n"
            f"srun '{os.path.realpath(e.dnnsweep)}' sweep '{spec}' --out '{out}'\n",
            f"--template: a site's own template rendered ({r.stderr.strip()})")
    with open(template, "a") as f:
        f.write("echo {{no_such_field}}\n")
    r = e.dnn("submit", spec, "--out", out, "--template", template, "--dry-run")
    e.check(r.returncode == 2 and "no_such_field" in r.stderr, f"--template: an unknown field, exit 2 ({r.stderr.strip()})")
    r = e.dnn("submit", e.path("missing.ini"), "--out", out)
    e.check(r.returncode == 2 and "missing.ini" in r.stderr, f"a missing spec: exit 2 naming it ({r.stderr.strip()})")
    e.check(not os.path.exists(os.path.dirname(out)), "refused submissions write nothing")


# ---------------------------------------------------------------------------------------- submit

def submit(e):
    spec = e.spec("small.ini", SMALL)
    jobs = {}
    for launcher in ("srun", "mpirun"):
        out = e.path(launcher, "results.h5")
        r = e.dnn("submit", spec, "--out", out, "--ntasks-per-node", "2", "--launcher", launcher, "--time", "5")
        ok = e.check(r.returncode == 0 and re.fullmatch(r"\d+\n", r.stdout) is not None,
                     f"{launcher}: submit prints the job id ({r.returncode}: {r.stdout.strip()} {r.stderr.strip()})")
        if ok:
            jobs[launcher] = (r.stdout.strip(), out)
            dry = e.dnn("submit", spec, "--out", out, "--ntasks-per-node", "2", "--launcher", launcher, "--time", "5",
                        "--dry-run")
            e.check(read(out + ".sbatch") == dry.stdout, f"{launcher}: the saved script is the rendered one")
    for launcher, (job_id, out) in jobs.items():
        records = wait_job(job_id, 300)
        state = records[0].get("JobState") if records else None
        e.check(state == "COMPLETED" and records[0].get("ExitCode") == "0:0",
                f"{launcher}: job {job_id} completed ({state}, exit {records[0].get('ExitCode') if records else None})")
        if not os.path.exists(out):
            e.check(False, f"{launcher}: {out} written")
            continue
        attrs = check_results(e, out, 12, launcher)
        e.check(text(attrs.get("slurm_job_id")) == job_id and attrs.get("slurm_restart_count") == 0,
                f"{launcher}: the job id and restart count 0 recorded "
                f"({attrs.get('slurm_job_id')}, {attrs.get('slurm_restart_count')})")
        e.check(attrs.get("ranks") == 2, f"{launcher}: 2 ranks ({attrs.get('ranks')})")
        log = out + f".slurm-{job_id}.log"
        e.check(os.path.exists(log) and "results: " in read(log), f"{launcher}: the job's log next to the results")
        e.check("complete" in read(out + ".requeue.log"), f"{launcher}: the requeue log notes the complete run")

    # A request the cluster cannot meet is refused before anything is queued (sinfo), one line, exit 2.
    for bad, words in ((["--partition", "nosuchpartition"], ["--partition", "nosuchpartition", "debug"]),
                       (["--nodes", "2"], ["--nodes", "partition debug has 1"])):
        out = e.path("refused", "results.h5")
        r = e.dnn("submit", spec, "--out", out, *bad)
        e.check(r.returncode == 2 and r.stderr.count("\n") == 1 and all(w in r.stderr for w in words),
                f"{' '.join(bad)}: refused in one line naming it, exit 2 ({r.returncode}: {r.stderr.strip()})")
        e.check(not os.path.exists(out + ".sbatch"), f"{' '.join(bad)}: nothing written")
    # sbatch's own message, as it is, and a non-zero exit (an array beyond Slurm's MaxArraySize, 1001).
    out = e.path("huge-array", "results.h5")
    r = e.dnn("submit", spec, "--out", out, "--array", "5000")
    e.check(r.returncode == 1 and "sbatch: error:" in r.stderr,
            f"sbatch's error shown as it is, exit 1 ({r.returncode}: {r.stderr.strip()})")


# ------------------------------------------------------------------------------------- timelimit

def timelimit(e):
    spec = e.spec("long.ini", LONG)
    out = e.path("long", "results.h5")
    started = time.monotonic()
    # slurmctld checks time limits every 30 s and sends the signal at the last check before it is
    # due: with @5 a run gets it 25 to 55 s after it starts, and the kill for the limit comes at a
    # later check, 30 s on at the least. (With @30, the default for --time 1, runs would last 0 to
    # 30 s: twice the requeues, a slower test.)
    r = e.dnn("submit", spec, "--out", out, "--ntasks-per-node", "2", "--time", "1", "--signal-seconds", "5",
              "--max-requeues", "12")
    if not e.check(r.returncode == 0, f"submit --time 1 ({r.returncode}: {r.stderr.strip()})"):
        return
    job_id = r.stdout.strip()
    print(f"job {job_id}: one-minute limit, about three minutes of work", flush=True)
    seen = {"restarts": 0}

    def progress(records):
        if records and int(records[0].get("Restarts", 0)) > seen["restarts"]:
            seen["restarts"] = int(records[0]["Restarts"])
            print(f"  {time.monotonic() - started:5.0f} s: requeued ({seen['restarts']})", flush=True)

    records = wait_job(job_id, 720, progress)
    print(f"  {time.monotonic() - started:5.0f} s: {records[0].get('JobState') if records else 'no record'}", flush=True)
    rec = records[0] if records else {}
    e.check(rec.get("JobState") == "COMPLETED" and rec.get("ExitCode") == "0:0",
            f"job {job_id} completed in the end ({rec.get('JobState')}, exit {rec.get('ExitCode')})")
    e.check(int(rec.get("Restarts", 0)) >= 1, f"it requeued itself (Restarts={rec.get('Restarts')})")
    if not os.path.exists(out):
        e.check(False, f"{out} written")
        return
    attrs = check_results(e, out, 36, "time limit")
    e.check(text(attrs.get("slurm_job_id")) == job_id and attrs.get("slurm_restart_count", 0) >= 1,
            f"SLURM_RESTART_COUNT >= 1 recorded in the results ({attrs.get('slurm_restart_count')})")
    log = read(out + f".slurm-{job_id}.log")
    notes = read(out + ".requeue.log").splitlines()
    restarts = int(rec.get("Restarts", 0))
    # The batch script's own notes, not the ranks' stderr: srun may drop a task's last lines when it
    # tears the step down after rank 0's exit 3, and the notes say what the script forwarded.
    stops = sum(": exit 3 after SIGUSR1, incomplete: requeued" in n for n in notes)
    ok = e.check(stops >= 1 and stops == restarts,
                 f"every run but the last got SIGUSR1 and exited 3, incomplete ({stops} such runs, {restarts} restarts; "
                 f"{log.count('stopped by SIGUSR1')} 'stopped by SIGUSR1' lines in the job log)")
    e.check("DUE TO TIME LIMIT" not in log, "no run was killed by the time limit")
    ok &= e.check(sum(": started:" in n for n in notes) == restarts + 1 and
                  sum("incomplete: requeued" in n for n in notes) == restarts and
                  notes[-1].endswith("exit 0, complete"),
                  "the requeue log has every run: started, requeued, and the last one complete")
    if not ok:
        print("requeue log:\n  " + "\n  ".join(notes), flush=True)
        print("job log (dnnsweep, srun and Slurm lines):\n  " + "\n  ".join(
            l for l in log.splitlines() if re.search(r"dnnsweep|srun|slurmstepd|error|results:", l)), flush=True)


# ----------------------------------------------------------------------------------------- array

def array(e):
    spec = e.spec("small.ini", SMALL)
    out = e.path("array", "results.h5")
    r = e.dnn("submit", spec, "--out", out, "--array", "3", "--launcher", "mpirun", "--time", "5")
    if not e.check(r.returncode == 0, f"submit --array 3 ({r.returncode}: {r.stderr.strip()})"):
        return
    job_id = r.stdout.strip()
    records = wait_job(job_id, 300)
    tasks = sorted(rec.get("ArrayTaskId", "?") for rec in records)
    e.check(tasks == ["0", "1", "2"], f"three array tasks ({tasks})")
    e.check(all(rec.get("JobState") == "COMPLETED" for rec in records),
            f"each completed ({[rec.get('JobState') for rec in records]})")
    if not os.path.exists(out):
        e.check(False, f"{out} written")
        return
    check_results(e, out, 12, "array")
    for t in range(3):
        log = out + f".slurm-{job_id}_{t}.log"
        e.check(os.path.exists(log) and f"array task {t} of 3" in read(log), f"task {t}: its log, its share of the units")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("what", choices=["dryrun", "submit", "timelimit", "array"])
    p.add_argument("--dnnsweep", required=True)
    p.add_argument("--workdir", required=True)
    a = p.parse_args()
    e = Env(a)
    if a.what != "dryrun" and not os.environ.get("SLURM_CONF"):
        print("SLURM_CONF is not set: start the cluster with slurm/start_test_cluster.sh", file=sys.stderr)
        return 1
    started = time.monotonic()
    globals()[a.what](e)
    print(f"{a.what}: {time.monotonic() - started:.0f} s, {'FAILED' if e.failed else 'passed'}", flush=True)
    return 1 if e.failed else 0


if __name__ == "__main__":
    sys.exit(main())
