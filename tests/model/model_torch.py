"""A model file read by an independent implementation: h5py loads it into a PyTorch
nn.Sequential (the loader docs/model-format.md shows), which must give the same predicted class on
every row as `dnnsweep predict`, and class probabilities within 1e-5, for every activation, every
input normalization (batch-norm included), dropout (off at inference) and both dense kernels
(plain loops for small layers, oneDNN for large ones)."""
import os
import subprocess
import sys

import h5py
import numpy as np
import torch
from torch import nn

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import testlib  # noqa: E402

TOLERANCE = 1e-5


class Maxout(nn.Module):
    """Output u is the largest of inputs u*pieces .. u*pieces+pieces-1 (no torch layer does this)."""

    def __init__(self, pieces):
        super().__init__()
        self.pieces = pieces

    def forward(self, x):
        return x.view(x.shape[0], -1, self.pieces).amax(dim=2)


def load_model(path):
    """The model file as a torch nn.Sequential and its input scaling (docs/model-format.md)."""
    with h5py.File(path, "r") as f:
        assert f.attrs["format"] == "dnnsweep-model" and f.attrs["format_version"] == 1
        shift = f["input_scaling/shift"][()]
        scale = f["input_scaling/scale"][()]
        layers = []
        for name in sorted(f["layers"]):
            g = f["layers"][name]
            kind = g.attrs["type"]
            if kind == "dense":
                kernel = g["kernel"][()]  # in x out
                lin = nn.Linear(*kernel.shape)
                lin.weight.data = torch.from_numpy(kernel.T.copy())
                lin.bias.data = torch.from_numpy(g["bias"][()])
                layers.append(lin)
            elif kind == "batch_norm":
                bn = nn.BatchNorm1d(int(g.attrs["out"]), eps=float(g.attrs["epsilon"]))
                bn.weight.data = torch.from_numpy(g["gamma"][()])
                bn.bias.data = torch.from_numpy(g["beta"][()])
                bn.running_mean = torch.from_numpy(g["moving_mean"][()])
                bn.running_var = torch.from_numpy(g["moving_variance"][()])
                layers.append(bn)
            elif kind == "activation":
                act, alpha = g.attrs["activation"], float(g.attrs["alpha"])
                layers.append({"relu": lambda: nn.ReLU(), "sigmoid": lambda: nn.Sigmoid(), "tanh": lambda: nn.Tanh(),
                               "leaky_relu": lambda: nn.LeakyReLU(alpha), "elu": lambda: nn.ELU(alpha)}[act]())
            elif kind == "maxout":
                layers.append(Maxout(int(g.attrs["pieces"])))
            elif kind == "dropout":
                layers.append(nn.Dropout(float(g.attrs["rate"])))
            elif kind == "softmax":
                layers.append(nn.Softmax(dim=1))
            else:
                raise ValueError(f"{path}: unknown layer type {kind}")
    return nn.Sequential(*layers).eval(), shift, scale


def torch_probabilities(model_path, x):
    net, shift, scale = load_model(model_path)
    with torch.no_grad():
        return net(torch.from_numpy(((x - shift) * scale).astype(np.float32))).numpy()


CASES = [
    # (name, train options)
    ("relu_minmax", ["--activation", "relu", "--normalization", "minmax"]),
    ("sigmoid_zscore", ["--activation", "sigmoid", "--normalization", "zscore", "--learning-rate", "0.05"]),
    ("tanh_none", ["--activation", "tanh", "--normalization", "none"]),
    ("leaky_relu_zscore", ["--activation", "leaky_relu", "--leaky-relu-alpha", "0.2", "--normalization", "zscore"]),
    ("elu_minmax_dropout", ["--activation", "elu", "--elu-alpha", "0.7", "--dropout", "0.3"]),
    ("maxout_zscore", ["--activation", "maxout", "--maxout-pieces", "3", "--normalization", "zscore"]),
    ("relu_batchnorm", ["--activation", "relu", "--normalization", "batchnorm"]),
    ("maxout_batchnorm_dropout", ["--activation", "maxout", "--normalization", "batchnorm", "--dropout", "0.2"]),
    ("tanh_batchnorm_wide", ["--activation", "tanh", "--normalization", "batchnorm", "--width", "160"]),
    ("relu_wide_onednn", ["--activation", "relu", "--width", "160", "--layers", "2"]),
    ("no_hidden_layer", ["--layers", "0"]),
]


def main():
    a = testlib.test_args()
    data = os.path.join(a.workdir, "clusters.txt")
    testlib.write_clusters(data, 400, 7, 4, seed=5, spread=2.0)
    raw = np.loadtxt(data, dtype=np.float32)
    x = raw[:, :-1]
    env = dict(os.environ, OMP_NUM_THREADS="1")
    for name, options in CASES:
        model = os.path.join(a.workdir, name + ".model.h5")
        pred = os.path.join(a.workdir, name + ".pred.h5")
        settings = {"--data": data, "--layers": "2", "--width": "24", "--epochs": "4", "--batch-size": "32",
                    "--seed": "3"}
        settings.update(zip(options[::2], options[1::2]))
        args = [word for pair in settings.items() for word in pair]
        subprocess.run([a.dnnsweep, "train", *args, "--quiet", "--save-model", model, "--force"],
                       check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        subprocess.run([a.dnnsweep, "predict", model, "--data", data, "--out", pred, "--force"], check=True, env=env,
                       stdout=subprocess.DEVNULL)
        with h5py.File(pred, "r") as f:
            ours = f["probabilities"][()]
            ours_class = f["predicted"][()]
        theirs = torch_probabilities(model, x)
        diff = float(np.max(np.abs(ours - theirs)))
        same = int(np.sum(ours_class == theirs.argmax(axis=1)))
        testlib.check(same == len(x), f"{name}: torch predicts the same class on {same} of {len(x)} rows")
        testlib.check(diff <= TOLERANCE, f"{name}: probabilities within {TOLERANCE} of torch's (largest difference "
                      f"{diff:.2e})")
        # Not trivially equal: the network learned something (probabilities are not uniform).
        testlib.check(float(np.std(ours)) > 1e-3, f"{name}: the probabilities vary between rows and classes")
    sys.exit(1 if testlib.check.failed else 0)


if __name__ == "__main__":
    main()
