#!/usr/bin/python3
"""Prediction throughput: `dnnsweep predict` against PyTorch's model.eval() forward of the same
model file, one thread each, on MNIST-sized rows (784 features).

A model of the seed table's shape (3 x 689 relu, minmax) is trained for one epoch with `dnnsweep
train --save-model`, then, alternately (--repeat R times each), `dnnsweep predict MODEL --data
mnist` (its own "predicted in S s" figure: the forward passes and softmax, loading excluded) and
the model loaded into torch through docs/model-format.md's h5py loader, timed over the same rows
in the same 256-row chunks under torch.no_grad(), torch.set_num_threads(1), run without
OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE. Prints rows/s of each side (medians) and the ratio.

    /usr/bin/python3 tests/bench/predict_vs_torch.py --repeat 3
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from anchor_blas import anchor_env, require_fast_blas  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

TORCH_SIDE = r"""
import sys, time, numpy as np, torch
sys.path.insert(0, sys.argv[1])
from model_torch import load_model
torch.set_num_threads(1)
net, shift, scale = load_model(sys.argv[2])
x = np.fromfile(sys.argv[3], dtype=np.float32).reshape(-1, shift.size)
t0 = time.perf_counter()
with torch.no_grad():
    xs = torch.from_numpy(x)
    for start in range(0, len(x), 256):
        net((xs[start:start + 256] - torch.from_numpy(shift)) * torch.from_numpy(scale))
print(len(x) / (time.perf_counter() - t0))
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dnnsweep", default=os.path.join(REPO, "build/runner/dnnsweep"))
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    torch_env = anchor_env(env)
    print(f"PyTorch's BLAS: {require_fast_blas('/usr/bin/python3', torch_env, 'torch')}", file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        model = os.path.join(tmp, "m.h5")
        subprocess.run([a.dnnsweep, "train", "--data", "mnist", "--layers", "3", "--width", "689", "--epochs", "1",
                        "--quiet", "--save-model", model], check=True, env=env, stdout=subprocess.DEVNULL)
        # The same rows for torch: MNIST's images as read (dnnsweep applies the model's scaling itself).
        sys.path.insert(0, os.path.join(REPO, "tests"))
        import h5py  # noqa: F401  (the torch side needs it)
        rows_file = os.path.join(tmp, "x.f32")
        dump = ("import numpy as np, sys\n"
                "d = open(sys.argv[1], 'rb').read()\n"
                "n = int.from_bytes(d[4:8], 'big'); r = int.from_bytes(d[8:12], 'big'); c = int.from_bytes(d[12:16], 'big')\n"
                "np.frombuffer(d, np.uint8, n * r * c, 16).astype(np.float32).tofile(sys.argv[2])\n")
        images = os.path.join(REPO, "data/mnist/train-images-idx3-ubyte")
        subprocess.run(["/usr/bin/python3", "-c", dump, images, rows_file], check=True)
        ours, theirs = [], []
        for _ in range(a.repeat):
            out = subprocess.run([a.dnnsweep, "predict", model, "--data", "mnist"], check=True, env=env,
                                 capture_output=True, text=True).stdout
            ours.append(float(re.search(r"\(([\d,]+) rows/s\)", out).group(1).replace(",", "")))
            t = subprocess.run(["/usr/bin/python3", "-c", TORCH_SIDE, os.path.join(REPO, "tests/model"), model,
                                rows_file], check=True, env=torch_env, capture_output=True, text=True).stdout
            theirs.append(float(t.strip()))
        cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
                   "?")
        print(f"CPU: {cpu}")
        print("| side | rows/s (median of {}) | runs |".format(a.repeat))
        print("|---|---|---|")
        print(f"| dnnsweep predict | {statistics.median(ours):,.0f} | {', '.join(f'{v:,.0f}' for v in ours)} |")
        print(f"| torch eval() | {statistics.median(theirs):,.0f} | {', '.join(f'{v:,.0f}' for v in theirs)} |")
        print(f"ratio dnnsweep / torch: {statistics.median(ours) / statistics.median(theirs):.2f}")


if __name__ == "__main__":
    main()
