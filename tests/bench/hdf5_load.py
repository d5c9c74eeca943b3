#!/usr/bin/python3
"""Loading a large HDF5 dataset: dnnsweep against a plain h5py read of the same file, side by side
in one run, and the memory a node holds when a sweep shares it between ranks.

    tests/bench/hdf5_load.py --build build [--rows 1000000] [--features 64] [--repeats 3]
                             [--workdir /tmp/hdf5_load] [--ranks 1,4]

Wall time on a shared machine measures the other work as much as the read; CPU time (user +
system) of the reading process is printed beside it. Writes WORKDIR/large.h5 (float32 X rows x features, uniform [0, 1); int32 y, 10 classes; contiguous,
as h5py writes by default) once, then times, best of --repeats:
  h5py      f["X"][()] and f["y"][()] in a fresh Python (numpy arrays in memory), run with
            `env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE` like every Python anchor here;
  dnnsweep  bench_data_load: load_dataset (features, labels, class mapping, the NaN/Inf check) and
            read_features_into (the features straight into a buffer: how a sweep fills a node's
            shared window).
Then, unless --ranks is empty, tests/bench/rss_per_rank.py runs a small sweep on the file for each
rank count and prints each rank's peak resident and proportional memory.
"""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

H5PY_READ = """
import sys, time, h5py
best = cpu = 1e30
for _ in range(int(sys.argv[2])):
    t0, c0 = time.perf_counter(), time.process_time()
    with h5py.File(sys.argv[1], "r") as f:
        x = f["X"][()]
        y = f["y"][()]
    best = min(best, time.perf_counter() - t0)
    cpu = min(cpu, time.process_time() - c0)
    del x, y
print(best, cpu)
"""


def cpu_name():
    family = model = name = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            key, _, value = line.partition(":")
            key, value = key.strip(), value.strip()
            if key == "cpu family" and family == "?":
                family = value
            elif key == "model" and model == "?":
                model = value
            elif key == "model name" and name == "?":
                name = value
    return f"{name} (family {family}, model {model}), {os.cpu_count()} CPUs"


def write_file(path, rows, features):
    import h5py
    import numpy as np
    if os.path.exists(path):
        with h5py.File(path, "r") as f:
            if f["X"].shape == (rows, features):
                return
    rng = np.random.default_rng(0)
    with h5py.File(path + ".tmp", "w") as f:
        x = f.create_dataset("X", (rows, features), dtype=np.float32)
        step = 100_000
        for at in range(0, rows, step):
            n = min(step, rows - at)
            x[at:at + n] = rng.random((n, features), dtype=np.float32)
        f["y"] = rng.integers(0, 10, rows).astype(np.int32)
    os.replace(path + ".tmp", path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--features", type=int, default=64)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--workdir", default="/tmp/hdf5_load")
    ap.add_argument("--ranks", default="1,4")
    a = ap.parse_args()
    os.makedirs(a.workdir, exist_ok=True)
    path = os.path.join(a.workdir, "large.h5")
    write_file(path, a.rows, a.features)
    size_mb = os.path.getsize(path) / 2**20

    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    h5py_s, h5py_cpu = map(float, subprocess.run(["/usr/bin/python3", "-c", H5PY_READ, path, str(a.repeats)],
                                                 env=env, check=True, capture_output=True, text=True).stdout.split())
    bench = os.path.join(a.build, "tests", "bench", "bench_data_load")
    ours = json.loads(subprocess.run([bench, path, "--repeats", str(a.repeats)], check=True, capture_output=True,
                                     text=True).stdout)
    print(f"CPU: {cpu_name()}")
    print(f"file: {path}, {a.rows} x {a.features} float32 + int32 labels, {size_mb:.0f} MB; "
          f"best of {a.repeats}, page cache warm after the first read\n")
    print("| read | wall s | CPU s (user + sys) | CPU vs h5py |")
    print("|---|---:|---:|---:|")
    for label, s, c in (("h5py `f['X'][()]`, `f['y'][()]`", h5py_s, h5py_cpu),
                        ("dnnsweep load_dataset (labels mapped, NaN/Inf checked)", ours["load_dataset_s"],
                         ours["load_dataset_cpu_s"]),
                        ("dnnsweep read_features_into (features into a buffer)", ours["read_into_s"],
                         ours["read_into_cpu_s"])):
        print(f"| {label} | {s:.3f} | {c:.3f} | {c / h5py_cpu:.2f}x |")
    if a.ranks:
        print()
        sys.stdout.flush()
        subprocess.run(["/usr/bin/python3", os.path.join(HERE, "rss_per_rank.py"), "--binary",
                        "dnnsweep=" + os.path.join(a.build, "runner", "dnnsweep"), "--ranks", a.ranks,
                        "--workdir", os.path.join(a.workdir, "rss"), "--data", path], check=True)


if __name__ == "__main__":
    main()
