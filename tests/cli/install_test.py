#!/usr/bin/python3
"""`cmake --install` into a fresh prefix: the installed dnnsweep finds its files from where it lies.

    install_test.py --build BUILD_DIR --source SOURCE_DIR --workdir DIR

- bin/dnnsweep, share/dnnsweep/dnnsweep_plots.py and share/dnnsweep/sweep.sbatch are installed, and
  the binary names no path of the source or the build tree.
- The built-in digits are looked for in PREFIX/share/dnnsweep/mnist (not installed: the error names
  that folder); a small IDX pair put there trains, as does one named by DNNSWEEP_DATA_DIR.
- With the prefix moved elsewhere, `dnnsweep report --plots` runs the plotting script of the new
  place: nothing depends on the prefix it was installed to.
"""
import argparse
import os
import shutil
import struct
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testlib import check, mpi_env  # noqa: E402

SPEC = """data = mnist
folds = 2
layers = 1
width = 8
learning-rate = 0.1, 0.01
epochs = 2
"""


def write_idx(folder, n=120):
    """A tiny MNIST-named IDX pair: 2x2 images of 3 separable classes."""
    os.makedirs(folder, exist_ok=True)
    labels = [i % 3 for i in range(n)]
    pixels = bytearray()
    for i, c in enumerate(labels):
        pixels += bytes(200 if p == c else (i * 37 + p * 11) % 60 for p in range(4))
    with open(os.path.join(folder, "train-images-idx3-ubyte"), "wb") as f:
        f.write(struct.pack(">IIII", 0x803, n, 2, 2) + pixels)
    with open(os.path.join(folder, "train-labels-idx1-ubyte"), "wb") as f:
        f.write(struct.pack(">II", 0x801, n) + bytes(labels))


def run(cmd, env, cwd):
    return subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, timeout=120)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--workdir", required=True)
    a = ap.parse_args()
    shutil.rmtree(a.workdir, ignore_errors=True)
    os.makedirs(a.workdir)
    prefix = os.path.join(a.workdir, "prefix")
    env = mpi_env()
    for var in ("DNNSWEEP_DATA_DIR", "DNNSWEEP_SHARE_DIR", "DNNSWEEP_PLOTS_SCRIPT"):
        env.pop(var, None)

    # --strip: a debug build's line tables name the sources, which is no look-up path.
    r = run(["cmake", "--install", a.build, "--prefix", prefix, "--strip"], env, a.workdir)
    check(r.returncode == 0, "cmake --install: " + r.stderr.strip()[-300:])
    for f in ("bin/dnnsweep", "share/dnnsweep/dnnsweep_plots.py", "share/dnnsweep/sweep.sbatch"):
        check(os.path.isfile(os.path.join(prefix, f)), f + " installed")
    with open(os.path.join(prefix, "bin/dnnsweep"), "rb") as f:
        binary = f.read()
    for tree in {os.path.realpath(a.source), os.path.realpath(a.build), a.source, a.build}:
        check(tree.encode() not in binary, "bin/dnnsweep holds no path of " + tree)

    # Moved after installing: every lookup must follow the binary, not the install prefix.
    moved = os.path.join(a.workdir, "moved")
    os.rename(prefix, moved)
    dnnsweep = os.path.join(moved, "bin", "dnnsweep")
    share = os.path.join(os.path.realpath(moved), "share", "dnnsweep")
    tiny = ["--layers", "1", "--width", "8", "--epochs", "1", "--quiet"]

    r = run([dnnsweep, "train", "--data", "mnist"] + tiny, env, a.workdir)
    check(r.returncode == 2 and os.path.join(share, "mnist") in r.stderr,
          "without the digits, the error names PREFIX/share/dnnsweep/mnist: " + r.stderr.strip())
    write_idx(os.path.join(a.workdir, "elsewhere"))
    r = run([dnnsweep, "train", "--data", "mnist"] + tiny,
            dict(env, DNNSWEEP_DATA_DIR=os.path.join(a.workdir, "elsewhere")), a.workdir)
    check(r.returncode == 0 and r.stdout.startswith("Result: ok"), "DNNSWEEP_DATA_DIR: " + (r.stdout + r.stderr).strip())
    write_idx(os.path.join(share, "mnist"))
    r = run([dnnsweep, "train", "--data", "mnist"] + tiny, env, a.workdir)
    check(r.returncode == 0 and r.stdout.startswith("Result: ok"),
          "the digits in PREFIX/share/dnnsweep/mnist: " + (r.stdout + r.stderr).strip())

    spec = os.path.join(a.workdir, "s.ini")
    with open(spec, "w") as f:
        f.write(SPEC)
    results = os.path.join(a.workdir, "r.h5")
    r = run([dnnsweep, "sweep", spec, "--out", results], env, a.workdir)
    check(r.returncode == 0, "sweep on the installed digits: " + r.stderr.strip()[-300:])
    figures = os.path.join(a.workdir, "figures")
    r = run([dnnsweep, "report", results, "--plots", figures], env, a.workdir)
    pngs = [f for f in os.listdir(figures) if f.endswith(".png")] if os.path.isdir(figures) else []
    check(r.returncode == 0 and pngs, f"report --plots with the installed script: {len(pngs)} PNGs " + r.stderr.strip())
    os.remove(os.path.join(share, "dnnsweep_plots.py"))
    r = run([dnnsweep, "report", results, "--plots", figures], env, a.workdir)
    check(r.returncode == 1 and os.path.join(share, "dnnsweep_plots.py") in r.stderr and "DNNSWEEP_PLOTS_SCRIPT" in r.stderr,
          "without the script, the error names where it looked: " + r.stderr.strip())
    return 1 if check.failed else 0


if __name__ == "__main__":
    sys.exit(main())
