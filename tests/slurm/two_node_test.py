#!/usr/bin/python3
"""`dnnsweep submit --nodes 2` on a real two-node Slurm cluster on this machine
(slurm/start_two_node_cluster.sh: one slurmd per network namespace, hosts node1 and node2), results
read back with h5py.

    two_node_test.py spread    --dnnsweep PATH --workdir DIR --cluster DIR
    two_node_test.py nodefail  --dnnsweep PATH --workdir DIR --cluster DIR
    two_node_test.py timelimit --dnnsweep PATH --workdir DIR --cluster DIR

spread:    --nodes 3 refused before anything is queued; a sweep submitted with --nodes 2
           --ntasks-per-node 2, with each launcher (srun, mpirun):
           units recorded from both hosts, results equal to a one-machine run of the same spec
           (every field but timings, ranks and hosts), and one copy of the dataset per node: the
           node without rank 0 holds about one copy less (its ranks' Pss when a unit ends, as they
           record it in `folds`, each rank's median summed) than the same job with the node-shared
           window turned off; the report gives the ranks' memory.
nodefail:  every process of node2 (its slurmd, the job step, the ranks) killed mid-sweep: the job
           is requeued, runs again once node2 is back, and its results equal an uninterrupted run.
timelimit: --time 1 on two nodes for a sweep needing more: SIGUSR1 before the limit, requeue, a
           later run completes every unit exactly once.

Exit 77 (ctest: skipped) when the cluster could not be started here (no namespaces allowed).
"""
import argparse
import hashlib
import os
import re
import subprocess
import sys
import time

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "regression"))
from same_results import compare  # noqa: E402
from slurm_test import LONG as SLURM_LONG  # noqa: E402
from slurm_test import Env, check_results, read, wait_job  # noqa: E402
from testlib import text  # noqa: E402

SKIP = 77
# Eight units on the digits; each rank records its memory when a unit ends (folds `memory_mb`).
DIGITS = """data = mnist
folds = 2
split-seed = 5
test-fraction = 0.1
layers = 1, 2
width = 64
activation = relu, tanh
optimizer = sgd
learning-rate = 0.1
batch-size = 100
epochs = 8
# Every unit trained in full: with chance pruning, whether a fold whose sibling was pruned still
# starts depends on the order several ranks report in, and the runs are compared field by field.
prune = none
"""
# slurm_test.py's LONG at twice its epochs: 36 units of 2.8-9.0 s each on a quiet core (1.3-4.3 s
# at its 800 epochs, 85 s in all, which the engine's speed-ups brought near one run's share of the
# one-minute limit); with three workers on two cores well over it, so the job must requeue itself.
LONGER = SLURM_LONG.replace("epochs = 800", "epochs = 1600")
# Half of it, at half the epochs (18 units of about 2 s): still running when node2 is killed.
LONG = SLURM_LONG.replace("0.005, 0.002, 0.001, 0.0005", "0.005, 0.002").replace("epochs = 800", "epochs = 400")


def netns_inode(cluster, node):
    """The inode of node's network namespace (slurm/two_node_lib.sh names it after the folder)."""
    tag = hashlib.md5(os.path.realpath(cluster).encode()).hexdigest()[:6]
    return os.stat(f"/run/netns/dns{tag}-{node}").st_ino


def node_pids(cluster, node):
    """Every process in node's network namespace: its slurmd, job steps and ranks."""
    try:
        inode = netns_inode(cluster, node)
    except OSError:
        return []
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.stat(f"/proc/{entry}/ns/net").st_ino == inode:
                    pids.append(int(entry))
            except OSError:
                pass
    return pids


def node_footprint(out, host):
    """The memory the job's ranks on `host` held while training, from the results: each rank records
    its proportional set size when a unit ends (folds `memory_mb`; a page shared by n processes counts
    1/n in each, so the node-shared rows count once per node). Per rank the median over its units,
    summed over the node's ranks: (MB, the ranks summed, units measured). The ranks measure
    themselves at the same point of every unit, so how busy the machine is does not move the figure,
    as it moved a sampling from outside (which could miss a short training entirely)."""
    with h5py.File(out, "r") as f:
        folds = f["folds"][...]
    per_rank = {}
    for row in folds:
        if text(row["host"]) == host and np.isfinite(row["memory_mb"]):
            per_rank.setdefault(int(row["rank"]), []).append(float(row["memory_mb"]))
    total = sum(float(np.median(v)) for v in per_rank.values())
    return total, len(per_rank), sum(len(v) for v in per_rank.values())


def local_run(e, spec, out, ranks):
    """The same spec on this machine under mpirun, as the reference."""
    r = subprocess.run(["mpirun", "--oversubscribe", "-np", str(ranks), e.dnnsweep, "sweep", spec, "--out", out],
                       env=e.env, capture_output=True, text=True, timeout=600)
    e.check(r.returncode == 0, f"the one-machine reference run ({r.returncode}: {r.stderr.strip()[-300:]})")
    return r.returncode == 0


def same_as(e, reference, out, what):
    with h5py.File(reference, "r") as a, h5py.File(out, "r") as b:
        problems = compare(a, b)
    e.check(not problems, f"{what}: results equal the one-machine run's {problems[:3]}")


def hosts_of(out):
    with h5py.File(out, "r") as f:
        return sorted({text(h) for h in f["folds"]["host"]})


def submit(e, spec, out, *extra):
    r = e.dnn("submit", spec, "--out", out, "--nodes", "2", "--ntasks-per-node", "2", *extra)
    ok = e.check(r.returncode == 0 and re.fullmatch(r"\d+\n", r.stdout) is not None,
                 f"submit --nodes 2 {' '.join(extra)} prints the job id ({r.returncode}: {r.stderr.strip()})")
    return r.stdout.strip() if ok else None


# ---------------------------------------------------------------------------------------- spread

def spread(e, a):
    spec = e.spec("digits.ini", DIGITS)
    reference = e.path("reference.h5")
    if not local_run(e, spec, reference, 4):
        return
    units = 8
    r = e.dnn("submit", spec, "--out", e.path("three", "results.h5"), "--nodes", "3", "--ntasks-per-node", "2")
    e.check(r.returncode == 2 and r.stderr.count("\n") == 1 and "--nodes: 3 nodes requested, partition debug has 2"
            in r.stderr and not os.path.exists(e.path("three")),
            f"--nodes 3 on two nodes: refused in one line before anything is queued ({r.returncode}: {r.stderr.strip()})")
    footprints = {}
    for launcher, window in (("srun", True), ("mpirun", True), ("srun", False)):
        name = f"{launcher}{'' if window else '-copies'}"
        out = e.path(name, "results.h5")
        # Without a usable folder for shared windows every rank keeps its own copy of the rows: the
        # comparison that shows what the window saves on each node.
        env = dict(e.env)
        if not window:
            env["OMPI_MCA_osc_sm_backing_directory"] = e.path("no-such-folder")
        r = subprocess.run([e.dnnsweep, "submit", spec, "--out", out, "--nodes", "2", "--ntasks-per-node", "2",
                            "--launcher", launcher, "--time", "5"], env=env, capture_output=True, text=True)
        if not e.check(r.returncode == 0, f"{name}: submit --nodes 2 --ntasks-per-node 2 ({r.stderr.strip()})"):
            continue
        job_id = r.stdout.strip()
        records = wait_job(job_id, 300)
        rec = records[0] if records else {}
        e.check(rec.get("JobState") == "COMPLETED" and rec.get("ExitCode") == "0:0",
                f"{name}: job {job_id} completed on {rec.get('NodeList')} ({rec.get('JobState')}, {rec.get('ExitCode')})")
        if not os.path.exists(out):
            e.check(False, f"{name}: {out} written")
            continue
        attrs = check_results(e, out, units, name)
        e.check(attrs.get("ranks") == 4 and sorted({text(h) for h in attrs.get("hosts", [])}) == ["node1", "node2"],
                f"{name}: 4 ranks on node1 and node2 ({attrs.get('ranks')}, {attrs.get('hosts')})")
        e.check(hosts_of(out) == ["node1", "node2"], f"{name}: units trained on both hosts ({hosts_of(out)})")
        same_as(e, reference, out, name)
        if not window:
            e.check("every rank of this node keeps its own copy" in read(out + f".slurm-{job_id}.log"),
                    f"{name}: the job's log says the ranks keep copies")
        measured = {node: node_footprint(out, node) for node in ("node1", "node2")}
        footprints[name] = {node: mb for node, (mb, _, _) in measured.items()}
        (node1, r1, n1), (node2, r2, n2) = measured["node1"], measured["node2"]
        e.check(r2 == 2 and n2 > 0 and node2 > 0,
                f"{name}: node2's two ranks recorded their memory ({r2} ranks, {n2} units)")
        print(f"  {name}: Pss per node when units end (MB, each rank's median summed): node1 {node1:.1f} "
              f"({r1} ranks, {n1} units), node2 {node2:.1f} ({r2} ranks, {n2} units)", flush=True)
        report = e.dnn("report", out)
        e.check(report.returncode == 0 and "memory per rank when a unit ended (Pss): median " in report.stdout,
                f"{name}: the report gives the ranks' memory ({report.returncode})")
    if "srun" in footprints and "srun-copies" in footprints:
        copy_mb = 10000 * (784 * 4 + 4) / 2**20  # the digits as loaded: float32 features, int32 labels
        saved = footprints["srun-copies"]["node2"] - footprints["srun"]["node2"]
        e.check(saved > 0.7 * copy_mb,
                f"node2 (two workers) holds one copy of the {copy_mb:.0f} MB of rows, not two: {saved:.1f} MB less "
                f"with the window ({footprints['srun']['node2']:.1f} vs {footprints['srun-copies']['node2']:.1f} MB)")


# -------------------------------------------------------------------------------------- nodefail

def nodefail(e, a):
    spec = e.spec("long.ini", LONG)
    reference = e.path("reference.h5")
    out = e.path("nodefail", "results.h5")
    job_id = submit(e, spec, out, "--time", "10", "--max-requeues", "3")
    if job_id is None:
        return
    # Kill node2 once some units are recorded (a shard of a worker there, or any unit at all).
    deadline = time.monotonic() + 240
    killed = []
    while time.monotonic() < deadline:
        status = e.dnn("status", out)
        done = re.search(r"(\d+) recorded", status.stdout + status.stderr)
        if done and int(done.group(1)) >= 3:
            killed = node_pids(a.cluster, "node2")
            for pid in killed:
                try:
                    os.kill(pid, 9)
                except ProcessLookupError:
                    pass
            break
        time.sleep(1)
    if not e.check(bool(killed), f"node2's processes killed mid-sweep ({len(killed)} of them)"):
        return
    print(f"  node2 killed ({len(killed)} processes) after {done.group(1)} units", flush=True)
    # As on a cluster whose node died: Slurm finds node2 not responding (SlurmdTimeout), sets it
    # DOWN and requeues the job (--requeue), which waits for two nodes; then node2 comes back, as a
    # rebooted machine would, and the job runs again and resumes.
    deadline = time.monotonic() + 180
    state = ""
    while time.monotonic() < deadline:
        state = subprocess.run(["sinfo", "-h", "-n", "node2", "-o", "%t"], capture_output=True, text=True).stdout.strip()
        if state.startswith("down"):
            break
        time.sleep(2)
    e.check(state.startswith("down"), f"Slurm set node2 down ({state})")
    r = subprocess.run(["bash", "-c", f'source "{REPO}/slurm/two_node_lib.sh"; two_node_names "$1" "$2"; '
                        'restart_node "$1" node2', "x", a.cluster, os.environ.get("DNNSWEEP_SLURM2_NET", "10.213.7")],
                       capture_output=True, text=True)
    e.check(r.returncode == 0, f"node2's slurmd restarted ({r.stderr.strip()})")
    records = wait_job(job_id, 600)
    rec = records[0] if records else {}
    e.check(rec.get("JobState") == "COMPLETED" and int(rec.get("Restarts", 0)) >= 1,
            f"job {job_id} requeued and completed ({rec.get('JobState')}, Restarts={rec.get('Restarts')})")
    if not os.path.exists(out):
        e.check(False, f"{out} written")
        return
    check_results(e, out, 18, "after node2's loss")
    e.check(hosts_of(out) == ["node1", "node2"], f"units from both hosts ({hosts_of(out)})")
    if local_run(e, spec, reference, 4):
        same_as(e, reference, out, "after node2's loss")


# ------------------------------------------------------------------------------------- timelimit

def timelimit(e, a):
    spec = e.spec("longer.ini", LONGER)
    out = e.path("long", "results.h5")
    job_id = submit(e, spec, out, "--time", "1", "--signal-seconds", "5", "--max-requeues", "12")
    if job_id is None:
        return
    records = wait_job(job_id, 720)
    rec = records[0] if records else {}
    e.check(rec.get("JobState") == "COMPLETED" and rec.get("ExitCode") == "0:0",
            f"job {job_id} completed in the end ({rec.get('JobState')}, exit {rec.get('ExitCode')})")
    e.check(int(rec.get("Restarts", 0)) >= 1, f"it requeued itself (Restarts={rec.get('Restarts')})")
    if not os.path.exists(out):
        e.check(False, f"{out} written")
        return
    attrs = check_results(e, out, 36, "time limit, two nodes")
    e.check(attrs.get("slurm_restart_count", 0) >= 1, f"SLURM_RESTART_COUNT >= 1 ({attrs.get('slurm_restart_count')})")
    notes = read(out + ".requeue.log")
    e.check(": exit 3 after SIGUSR1, incomplete: requeued" in notes and notes.rstrip().endswith("exit 0, complete"),
            "a run stopped by SIGUSR1 requeued itself, the last one completed")
    e.check("DUE TO TIME LIMIT" not in read(out + f".slurm-{job_id}.log"), "no run was killed by the time limit")
    e.check(hosts_of(out) == ["node1", "node2"], f"units from both hosts ({hosts_of(out)})")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("what", choices=["spread", "nodefail", "timelimit"])
    p.add_argument("--dnnsweep", required=True)
    p.add_argument("--workdir", required=True)
    p.add_argument("--cluster", required=True, help="the folder slurm/start_two_node_cluster.sh started")
    a = p.parse_args()
    if os.path.exists(os.path.join(a.cluster, "skipped")):
        print(f"SKIP: {read(os.path.join(a.cluster, 'skipped')).strip()}", flush=True)
        return SKIP
    os.environ["SLURM_CONF"] = os.path.join(a.cluster, "slurm.conf")
    os.environ.setdefault("DNNSWEEP_DATA_DIR", os.path.join(REPO, "data", "mnist"))
    e = Env(a)
    started = time.monotonic()
    globals()[a.what](e, a)
    print(f"{a.what}: {time.monotonic() - started:.0f} s, {'FAILED' if e.failed else 'passed'}", flush=True)
    return 1 if e.failed else 0


if __name__ == "__main__":
    sys.exit(main())
