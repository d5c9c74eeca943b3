#!/usr/bin/python3
"""dnnsweep against the peer a Python user would pick: scikit-learn's
`GridSearchCV(Pipeline(MinMaxScaler, MLPClassifier), cv=FOLDS, n_jobs=2)` and `mpirun -np 3 dnnsweep
sweep` on the same grid, the same folds, the same epochs, side by side in one run. Wall time of each
side and mean validation accuracy per configuration. A benchmark (docs/PERFORMANCE.md), not a test.

    /usr/bin/python3 tests/bench/sklearn_grid.py                  # the default grid: a few minutes
    /usr/bin/python3 tests/bench/sklearn_grid.py --size issue     # 2 and 6 layers x 256, 10 epochs
    /usr/bin/python3 tests/bench/sklearn_grid.py --layers 1,2,3 --widths 64,256 --epochs 8 --out grid.md

The grid (both sides): activation x layers x width x batch size x L2, times two optimizers each
with its own rate (sgd 0.1, adam 0.001: a [section] each in dnnsweep's spec, a dict each in
GridSearchCV's list of grids). What is made equal, and how:

- Folds: `bench_fold_rows` prints the fold assignment of dnnsweep's study (engine/folds: stratified,
  seeded by split-seed 0) and GridSearchCV gets those (train, test) index pairs as `cv`. They are
  stratified k folds as StratifiedKFold(k) deals them, dealt by dnnsweep's seeded shuffle. The
  tool calls the sweep's own unit_rows with the spec's split (split-seed 0, no test set); the script
  also checks each unit's validation rows per class (its confusion matrix) against the file, which
  catches a different fold count or test set (not a different seed: the sizes do not depend on it).
- Epochs: MLPClassifier(max_iter=E, tol=0, n_iter_no_change=E + 1, early_stopping=False) trains
  exactly E epochs (sklearn's stopping rule never fires); dnnsweep trains E with `prune = none`.
- Scaling: MinMaxScaler fit on each training fold inside the pipeline = dnnsweep's
  `normalization = minmax` (per-pixel min/max of the training part; a constant pixel maps to 0).
- Optimizers: sgd with momentum 0 (plain, as dnnsweep's sgd), constant rate; adam with
  beta 0.9/0.999 and epsilon 1e-7 (dnnsweep's, Keras'). Cross-entropy on softmax on both sides.
- L2: dnnsweep's `weight-decay` w adds w * W to each step's mean gradient; MLPClassifier's alpha
  adds alpha * W / batch, so alpha = w * batch size.
- float32 on both sides (MLPClassifier keeps float32 input).
- One thread per process: dnnsweep's workers (`threads = 1`), and OMP/OPENBLAS/MKL_NUM_THREADS=1
  for the sklearn process and its joblib workers. The sklearn process runs without
  OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE (these machines set them; they hold OpenBLAS to old
  AVX2 kernels); the kernel threadpoolctl reports is printed.

What still differs: initialisation (both Glorot uniform for relu; for logistic scikit-learn uses
the bound sqrt(2 / (fan_in + fan_out)), dnnsweep Keras' sqrt(6 / ...)) and the random streams
(initial weights, batch order); dnnsweep also evaluates the validation fold after every epoch
(its curves) and records per-unit diagnosis figures, which GridSearchCV does not.
The scikit-learn side scores with return_train_score (train accuracy, as dnnsweep records) and
refit=False (dnnsweep refits only with `refit = true`).

The ceiling's bound: after both sides, bench_matmul_ceiling measures the core's matmul ceiling and
the report gives the grid's useful arithmetic (every dense layer's products, nothing else) done at
that ceiling on the sweep's cores: the best wall ratio any implementation could show against the
scikit-learn run, with and without a validation pass after every epoch.

Timing: each side's whole command, start-up and data loading included (`mpirun ...` and
`python3 this-script --sklearn-side ...`), plus GridSearchCV.fit's own wall time. Order: dnnsweep
then scikit-learn, --repeat times (alternated), medians reported.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests"))
from testlib import mpi_env, text  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from anchor_blas import anchor_env, require_fast_blas  # noqa: E402
from dense_flop import ceiling_line, forward_flop, training_flop  # noqa: E402

ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
RATES = {"sgd": 0.1, "adam": 0.001}
# dnnsweep's activation names and scikit-learn's
SKLEARN_ACTIVATION = {"relu": "relu", "sigmoid": "logistic"}
FEATURES = 784  # MNIST's pixels: the first layer's inputs
SIZES = {
    # a few minutes on 2 shared cores: 2 x 2 x 2 x 2 x 2 = 32 configurations x 3 folds
    "small": dict(activations="relu,sigmoid", layers="1,2", widths="128", batch_sizes="50,200", l2="0,0.0001",
                  optimizers="sgd,adam", epochs=4, folds=3),
    # the grid: 2 and 6 layers x 256, relu and logistic, SGD 0.1 and Adam, 10 epochs, 3 folds
    "issue": dict(activations="relu,sigmoid", layers="2,6", widths="256", batch_sizes="100", l2="0",
                  optimizers="sgd,adam", epochs=10, folds=3),
}


def log(msg):
    print(f"sklearn_grid: {msg}", file=sys.stderr, flush=True)


def die(msg, code=1):
    log(f"error: {msg}")
    sys.exit(code)


def ints(s):
    return [int(v) for v in s.split(",") if v]


def floats(s):
    return [float(v) for v in s.split(",") if v]


def read_idx(path):
    """An IDX file (MNIST's format) as a numpy array: big-endian header, uint8 data."""
    with open(path, "rb") as f:
        raw = f.read()
    if raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        die(f"{path}: not an unsigned-byte IDX file")
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load_digits(folder):
    x = read_idx(os.path.join(folder, "train-images-idx3-ubyte"))
    y = read_idx(os.path.join(folder, "train-labels-idx1-ubyte"))
    return x.reshape(len(x), -1).astype(np.float32), y.astype(np.int64)


def grid_of(a):
    """The configurations, as dicts of dnnsweep's option names."""
    out = []
    for opt in a.optimizers.split(","):
        for act in a.activations.split(","):
            for layers in ints(a.layers):
                for width in ints(a.widths):
                    for batch in ints(a.batch_sizes):
                        for l2 in floats(a.l2):
                            out.append({"optimizer": opt, "learning-rate": RATES[opt], "activation": act,
                                        "layers": layers, "width": width, "batch-size": batch, "weight-decay": l2})
    return out


def key(c):
    # Rates and L2 rounded to 6 digits: scikit-learn's side is alpha / batch, which need not be the
    # value's exact double.
    return (c["optimizer"], float(f"{c['learning-rate']:.6g}"), c["activation"], int(c["layers"]), int(c["width"]),
            int(c["batch-size"]), float(f"{c['weight-decay']:.6g}"))


# ---------------------------------------------------------------------------------------------
# the scikit-learn side (run as a child process, so its environment and start-up are its own)


def sklearn_side(a):
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import GridSearchCV
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import MinMaxScaler
    from threadpoolctl import threadpool_info

    warnings.filterwarnings("ignore", category=ConvergenceWarning)  # max_iter reached: on purpose
    t_start = time.perf_counter()
    x, y = load_digits(a.data)
    fold_lines = np.loadtxt(a.fold_file, dtype=np.int64, ndmin=2)
    if len(fold_lines) != len(y) or not np.array_equal(fold_lines[:, 0], y):
        die(f"{a.fold_file}: its labels are not {a.data}'s in order: the folds would not be dnnsweep's")
    fold = fold_lines[:, 1]
    rows = np.arange(len(y))
    cv = [(rows[(fold != f) & (fold >= 0)], rows[fold == f]) for f in range(a.folds)]
    pipe = Pipeline([("scale", MinMaxScaler()),
                     ("mlp", MLPClassifier(max_iter=a.epochs, tol=0.0, n_iter_no_change=a.epochs + 1,
                                           early_stopping=False, shuffle=True, random_state=0, momentum=0.0,
                                           nesterovs_momentum=False, learning_rate="constant", beta_1=0.9,
                                           beta_2=0.999, epsilon=1e-7))])
    grids = []
    for opt in a.optimizers.split(","):
        for batch in ints(a.batch_sizes):
            grids.append({"mlp__solver": [opt], "mlp__learning_rate_init": [RATES[opt]],
                          "mlp__activation": [SKLEARN_ACTIVATION[v] for v in a.activations.split(",")],
                          "mlp__hidden_layer_sizes": [(w,) * n for n in ints(a.layers) for w in ints(a.widths)],
                          "mlp__batch_size": [batch], "mlp__alpha": [l2 * batch for l2 in floats(a.l2)]})
    search = GridSearchCV(pipe, grids, cv=cv, n_jobs=a.jobs, scoring="accuracy", refit=False,
                          return_train_score=True, error_score="raise")
    t0 = time.perf_counter()
    search.fit(x, y)
    fit_seconds = time.perf_counter() - t0
    r = search.cv_results_
    configs = []
    inverse = {v: k for k, v in SKLEARN_ACTIVATION.items()}
    for i, p in enumerate(r["params"]):
        sizes = p["mlp__hidden_layer_sizes"]
        batch = int(p["mlp__batch_size"])
        configs.append({"optimizer": p["mlp__solver"], "learning-rate": p["mlp__learning_rate_init"],
                        "activation": inverse[p["mlp__activation"]], "layers": len(sizes), "width": sizes[0],
                        "batch-size": batch, "weight-decay": p["mlp__alpha"] / batch,
                        "mean_val_acc": float(r["mean_test_score"][i]), "std_val_acc": float(r["std_test_score"][i]),
                        "mean_train_acc": float(r["mean_train_score"][i]),
                        "mean_fit_seconds": float(r["mean_fit_time"][i])})
    blas = [{k: d.get(k) for k in ("internal_api", "version", "architecture", "num_threads")}
            for d in threadpool_info() if d.get("user_api") == "blas"]
    print(json.dumps({"fit_seconds": fit_seconds, "process_seconds": time.perf_counter() - t_start,
                      "blas": blas, "configs": configs}))


# ---------------------------------------------------------------------------------------------
# the dnnsweep side


def spec_text(a, data):
    lines = ["# written by tests/bench/sklearn_grid.py",
             f"activation    = {a.activations}", f"layers        = {a.layers}", f"width         = {a.widths}",
             f"batch-size    = {a.batch_sizes}", f"weight-decay  = {a.l2}", f"epochs        = {a.epochs}",
             "normalization = minmax", "loss          = crossentropy", "init          = glorot_uniform",
             "seed          = 0", f"data          = {data}", "test-fraction = 0", f"folds         = {a.folds}",
             "split-seed    = 0", "prune         = none", "threads       = 1", ""]
    for opt in a.optimizers.split(","):
        lines += [f"[{opt}]", f"optimizer     = {opt}", f"learning-rate = {RATES[opt]}", ""]
    return "\n".join(lines)


def check_folds(a, folds, confusion, fold_file):
    """Each unit's validation rows per class (its confusion matrix's row sums) against the fold file:
    the same fold count and parts as bench_fold_rows dealt (the sizes alone: not the seed)."""
    lines = np.loadtxt(fold_file, dtype=np.int64, ndmin=2)
    classes = int(lines[:, 0].max()) + 1
    fold_of_unit = {int(u): int(k) for u, k in zip(folds["unit"], folds["fold"])}
    val = confusion[np.array([text(x) == "val" for x in confusion["split"]])]
    for unit, fold in fold_of_unit.items():
        v = val[val["unit"] == unit]
        got = np.bincount(v["true_class"], weights=v["count"], minlength=classes).astype(np.int64)
        want = np.bincount(lines[lines[:, 1] == fold, 0], minlength=classes)
        if not np.array_equal(got, want):
            die(f"unit {unit} (fold {fold}) validated on {got.tolist()} rows per class, the fold file says "
                f"{want.tolist()}: the sweep's folds are not bench_fold_rows'")


def run_dnnsweep(a, spec, out, fold_file):
    if os.path.exists(out):
        os.remove(out)
    shutil.rmtree(out + ".parts", ignore_errors=True)
    cmd = ["mpirun", "-np", str(a.ranks), "--oversubscribe", a.dnnsweep, "sweep", spec, "--out", out]
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, env=mpi_env())
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        die(f"{' '.join(cmd)} exited {p.returncode}:\n{p.stderr[-2000:]}")
    import h5py
    with h5py.File(out, "r") as f:
        rows = np.asarray(f["configs"])
        check_folds(a, np.asarray(f["folds"]), np.asarray(f["confusion"]), fold_file)
    configs = []
    for r in rows:
        c = {"optimizer": text(r["optimizer"]), "learning-rate": float(r["learning-rate"]),
             "activation": text(r["activation"]), "layers": int(r["layers"]), "width": int(r["width"]),
             "batch-size": int(text(r["batch-size"])) if isinstance(r["batch-size"], bytes) else int(r["batch-size"]),
             "weight-decay": float(r["weight-decay"]), "mean_val_acc": float(r["mean_val_acc"]),
             "std_val_acc": float(r["std_val_acc"]), "mean_train_acc": float(r["mean_train_acc"]),
             "mean_fit_seconds": float(r["seconds"]) / max(1, int(r["folds_done"])),
             "folds_done": int(r["folds_done"])}
        configs.append(c)
    summary = [line for line in (p.stdout + p.stderr).splitlines() if "efficiency" in line]
    return {"wall": wall, "configs": configs, "summary": summary[-1].strip() if summary else ""}


def run_sklearn(a, fold_file):
    env = anchor_env(os.environ)
    env.update(ONE_THREAD)
    require_fast_blas(a.python, env, "sklearn")
    env["PYTHONWARNINGS"] = "ignore::UserWarning"  # ConvergenceWarning in the joblib workers: max_iter on purpose
    cmd = [a.python, os.path.abspath(__file__), "--sklearn-side", "--fold-file", fold_file, "--data", a.data,
           "--folds", str(a.folds), "--epochs", str(a.epochs), "--jobs", str(a.jobs), "--activations", a.activations,
           "--layers", a.layers, "--widths", a.widths, "--batch-sizes", a.batch_sizes, "--l2", a.l2,
           "--optimizers", a.optimizers]
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        die(f"the scikit-learn side exited {p.returncode}:\n{p.stderr[-2000:]}")
    r = json.loads(p.stdout.strip().splitlines()[-1])
    r["wall"] = wall
    return r


def cpu_name():
    info = {}
    with open("/proc/cpuinfo") as f:
        for line in f:
            if ":" in line:
                k, v = (s.strip() for s in line.split(":", 1))
                info.setdefault(k, v)
    return (f"{info.get('model name', '?')} (family {info.get('cpu family', '?')}, model {info.get('model', '?')}), "
            f"{os.cpu_count()} logical CPUs")


def measure_ceiling(a):
    """bench_matmul_ceiling's ceiling line (the best one-thread f32 GFLOP/s of oneDNN's forward
    products at 100 x 689 x 689), or None when the bench is not built or --ceiling-seconds is 0."""
    if a.ceiling_seconds <= 0 or not os.access(a.ceiling_bench, os.X_OK):
        return None
    p = subprocess.run([a.ceiling_bench, "--seconds", str(a.ceiling_seconds)], capture_output=True, text=True)
    return ceiling_line(p.stdout)


def grid_flop(grid, fold_sizes, rows, epochs, features, classes, val_every_epoch):
    """The grid's useful arithmetic: every unit's training steps (forward, backward-data except the
    first layer's, backward-weights), one inference pass over its training rows and its validation
    rows (GridSearchCV's scores with return_train_score), and with val_every_epoch a validation pass
    after every epoch instead (dnnsweep's curves)."""
    total = 0.0
    for c in grid:
        shape = (features, int(c["width"]), int(c["layers"]), classes)
        p, step = forward_flop(*shape), training_flop(*shape)
        for val_rows in fold_sizes:
            train_rows = rows - val_rows
            total += epochs * train_rows * step + train_rows * p + (epochs if val_every_epoch else 1) * val_rows * p
    return total


def ceiling_lines(a, grid, fold_file, sk_wall, dn_wall):
    """What the matmul ceiling allows: the grid's arithmetic on the sweep's cores at the ceiling."""
    line = measure_ceiling(a)
    if line is None:
        return ["Matmul ceiling: not measured (build bench_matmul_ceiling, or --ceiling-seconds > 0)."]
    ceiling = float(line["ceiling_gflops"]) * 1e9
    lines = np.loadtxt(fold_file, dtype=np.int64, ndmin=2)
    fold_sizes = np.bincount(lines[:, 1]).tolist()
    classes = int(lines[:, 0].max()) + 1
    cores = a.ranks - 1
    bare = grid_flop(grid, fold_sizes, len(lines), a.epochs, FEATURES, classes, False) / (cores * ceiling)
    curves = grid_flop(grid, fold_sizes, len(lines), a.epochs, FEATURES, classes, True) / (cores * ceiling)
    return [f"Matmul ceiling (bench_matmul_ceiling --seconds {a.ceiling_seconds:g}, {line.get('ceiling_kind')}): "
            f"{line['ceiling_gflops']:.1f} GFLOP/s a core. The grid's arithmetic on {cores} cores at that ceiling: "
            f"{bare:.2f} s as GridSearchCV does it (training, one pass over each unit's training and validation "
            f"rows), {curves:.2f} s with a validation pass after every epoch (dnnsweep's curves). The best wall "
            f"ratio any implementation could show against this scikit-learn run: {sk_wall / bare:.2f}x without "
            f"curves, {sk_wall / curves:.2f}x with them; dnnsweep's {sk_wall / dn_wall:.2f}x is "
            f"{100 * curves / dn_wall:.0f}% of the latter."]


def report(a, cmdline, dn_runs, sk_runs, grid, fold_file):
    dn = {key(c): c for c in dn_runs[-1]["configs"]}
    sk = {key(c): c for c in sk_runs[-1]["configs"]}
    missing = [k for k in map(key, grid) if k not in dn or k not in sk]
    if missing:
        die(f"configurations missing from a side: {missing[:3]}")
    dn_wall = statistics.median(r["wall"] for r in dn_runs)
    sk_wall = statistics.median(r["wall"] for r in sk_runs)
    sk_fit = statistics.median(r["fit_seconds"] for r in sk_runs)
    out = []
    out.append(f"CPU: {cpu_name()}; load average at the start {a.load_before}, at the end "
               f"{' '.join(f'{v:.1f}' for v in os.getloadavg())}")
    out.append(f"command: `{cmdline}`")
    out.append(f"grid: {len(grid)} configurations x {a.folds} folds, {a.epochs} epochs, MNIST digits "
               f"({a.data}); dnnsweep `mpirun -np {a.ranks}`, GridSearchCV n_jobs={a.jobs}; "
               f"repeats {a.repeat} (medians)")
    blas = sk_runs[-1]["blas"]
    out.append("scikit-learn's BLAS (threadpoolctl): " +
               ", ".join(f"{b['internal_api']} {b['version']} {b['architecture']}, {b['num_threads']} thread(s)"
                         for b in blas))
    if dn_runs[-1]["summary"]:
        out.append(f"dnnsweep: {dn_runs[-1]['summary']}")
    out.append("")
    out.append("| side | wall s (whole command) | fit s | ratio (wall) |")
    out.append("|---|---:|---:|---:|")
    out.append(f"| dnnsweep sweep | {dn_wall:.1f} | | {sk_wall / dn_wall:.2f}x |")
    out.append(f"| scikit-learn GridSearchCV | {sk_wall:.1f} | {sk_fit:.1f} | 1.00x |")
    out.append("")
    out += ceiling_lines(a, grid, fold_file, sk_wall, dn_wall)
    out.append("")
    out.append("| optimizer | activation | layers x width | batch | L2 | dnnsweep val acc | sklearn val acc | "
               "difference | dnnsweep s/unit | sklearn s/unit |")
    out.append("|---|---|---|---:|---:|---:|---:|---:|---:|---:|")
    diffs = []
    for k in map(key, grid):
        d, s = dn[k], sk[k]
        diffs.append(d["mean_val_acc"] - s["mean_val_acc"])
        out.append(f"| {k[0]} {k[1]:g} | {k[2]} | {k[3]} x {k[4]} | {k[5]} | {k[6]:g} | "
                   f"{d['mean_val_acc']:.4f} ± {d['std_val_acc']:.4f} | {s['mean_val_acc']:.4f} ± {s['std_val_acc']:.4f} | "
                   f"{diffs[-1]:+.4f} | {d['mean_fit_seconds']:.2f} | {s['mean_fit_seconds']:.2f} |")
    dn_unit = sum(c["mean_fit_seconds"] for c in dn.values())
    sk_unit = sum(c["mean_fit_seconds"] for c in sk.values())
    out.append("")
    out.append(f"Mean validation accuracy, dnnsweep minus scikit-learn: mean {statistics.mean(diffs):+.4f}, "
               f"range {min(diffs):+.4f} to {max(diffs):+.4f}. Training seconds per unit summed over the grid: "
               f"dnnsweep {dn_unit:.1f}, scikit-learn {sk_unit:.1f} ({sk_unit / dn_unit:.2f}x).")
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", choices=sorted(SIZES), default="small", help="a preset grid; the options below override it")
    for name in ("activations", "layers", "widths", "batch-sizes", "l2", "optimizers"):
        ap.add_argument(f"--{name}", help="comma-separated")
    ap.add_argument("--epochs", type=int)
    ap.add_argument("--folds", type=int)
    ap.add_argument("--ranks", type=int, default=3, help="mpirun -np for dnnsweep (1 coordinator + workers)")
    ap.add_argument("--jobs", type=int, default=2, help="GridSearchCV n_jobs")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--dnnsweep", default=os.path.join(ROOT, "build", "runner", "dnnsweep"))
    ap.add_argument("--fold-rows", default=os.path.join(ROOT, "build", "tests", "bench", "bench_fold_rows"))
    ap.add_argument("--data", default=os.path.join(ROOT, "data", "mnist"), help="a folder of MNIST IDX files")
    ap.add_argument("--python", default="/usr/bin/python3")
    ap.add_argument("--ceiling-bench", default=os.path.join(ROOT, "build", "tests", "bench", "bench_matmul_ceiling"))
    ap.add_argument("--ceiling-seconds", type=float, default=0.5,
                    help="bench_matmul_ceiling --seconds, run after both sides (0: skip the ceiling's bound)")
    ap.add_argument("--workdir", help="default: a temporary folder, removed")
    ap.add_argument("--out", help="also write the Markdown here")
    ap.add_argument("--sklearn-side", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--fold-file", help=argparse.SUPPRESS)
    a = ap.parse_args()
    for k, v in SIZES[a.size].items():
        if getattr(a, k) is None:
            setattr(a, k, v)
    a.data = os.path.abspath(a.data)
    for opt in a.optimizers.split(","):
        if opt not in RATES:
            die(f"--optimizers: {opt!r} is not one of {', '.join(RATES)}")
    for act in a.activations.split(","):
        if act not in SKLEARN_ACTIVATION:
            die(f"--activations: {act!r} is not one of {', '.join(SKLEARN_ACTIVATION)} (sigmoid = logistic)")
    if a.sklearn_side:
        return sklearn_side(a)
    if a.epochs < 1 or a.folds < 2 or a.repeat < 1:
        die("--epochs must be >= 1, --folds >= 2, --repeat >= 1")
    for exe in (a.dnnsweep, a.fold_rows):
        if not os.access(exe, os.X_OK):
            die(f"{exe} not found: cmake --build build --target dnnsweep bench_fold_rows")
    a.load_before = " ".join(f"{v:.1f}" for v in os.getloadavg())
    cmdline = " ".join(["/usr/bin/python3", "tests/bench/sklearn_grid.py"] + sys.argv[1:])
    workdir = a.workdir or tempfile.mkdtemp(prefix="sklearn_grid.")
    os.makedirs(workdir, exist_ok=True)
    try:
        fold_file = os.path.join(workdir, "folds.txt")
        with open(fold_file, "w") as f:
            p = subprocess.run([a.fold_rows, "--data", a.data, "--folds", str(a.folds), "--split-seed", "0",
                                "--test-fraction", "0"], stdout=f, stderr=subprocess.PIPE, text=True)
        if p.returncode != 0:
            die(f"bench_fold_rows exited {p.returncode}: {p.stderr.strip()}")
        spec = os.path.join(workdir, "grid.ini")
        with open(spec, "w") as f:
            f.write(spec_text(a, a.data))
        grid = grid_of(a)
        dn_runs, sk_runs = [], []
        for i in range(a.repeat):
            log(f"run {i + 1}/{a.repeat}: dnnsweep ({len(grid)} configurations x {a.folds} folds)")
            dn_runs.append(run_dnnsweep(a, spec, os.path.join(workdir, "grid.h5"), fold_file))
            log(f"  dnnsweep {dn_runs[-1]['wall']:.1f} s; scikit-learn")
            sk_runs.append(run_sklearn(a, fold_file))
            log(f"  scikit-learn {sk_runs[-1]['wall']:.1f} s (fit {sk_runs[-1]['fit_seconds']:.1f} s)")
        md = report(a, cmdline, dn_runs, sk_runs, grid, fold_file)
        print(md)
        if a.out:
            with open(a.out, "w") as f:
                f.write(md + "\n")
    finally:
        if not a.workdir:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
