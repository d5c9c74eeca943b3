#!/usr/bin/python3
"""`dnnsweep report` on a study of N configurations (default 100,000), written without training by
write_study_results (tests/report/write_study_results.cpp): wall and CPU time and peak memory of
reading the file alone (`--format csv --top 1`), of the text report, of `--format json`, and of
`--plots DIR --html FILE`, and how many files the plots folder holds (docs/PERFORMANCE.md, "Reports at scale"). Not a test: nothing here is registered with CTest.

    /usr/bin/python3 tests/bench/report_scale.py --build build [--case large] [--workdir DIR]
"""
import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testlib import write_clusters  # noqa: E402


def cpu_model():
    info = {}
    for line in open("/proc/cpuinfo"):
        key, _, value = line.partition(":")
        info.setdefault(key.strip(), value.strip())
    return f'{info.get("model name", "unknown CPU")} (family {info.get("cpu family", "?")}, model {info.get("model", "?")})'


def timed(cmd):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, after.ru_maxrss / 1024


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--case", default="large")
    ap.add_argument("--workdir", default=None)
    a = ap.parse_args()
    work = a.workdir or tempfile.mkdtemp(prefix="dnnsweep-report-scale-")
    os.makedirs(work, exist_ok=True)
    data, results = os.path.join(work, "data.txt"), os.path.join(work, "results.h5")
    write_clusters(data, 300, 4, 3, seed=5, spread=1.0)
    dnnsweep = os.path.join(a.build, "runner", "dnnsweep")
    print(f"CPU: {cpu_model()} ({os.cpu_count()} logical CPUs, shared: timings are noisy)")
    wall, cpu, _ = timed([os.path.join(a.build, "tests", "report", "write_study_results"), results, data, a.case])
    print(f"write the study ({a.case}): {wall:.1f} s")
    for name, extra in (("reading only (--format csv --top 1)", ["--format", "csv", "--top", "1"]),
                        ("text", []), ("json", ["--format", "json"]),
                        ("--plots --html", ["--plots", os.path.join(work, "plots"), "--html", os.path.join(work, "r.html")])):
        wall, cpu, rss = timed([dnnsweep, "report", results] + extra)
        print(f"report {name}: {wall:.1f} s wall, {cpu:.1f} s CPU, peak RSS of any child so far {rss:.0f} MiB")
    files = os.listdir(os.path.join(work, "plots"))
    size = sum(os.path.getsize(os.path.join(work, "plots", f)) for f in files) / 2**20
    print(f"plots folder: {len(files)} files, {size:.1f} MiB; page {os.path.getsize(os.path.join(work, 'r.html')) / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
