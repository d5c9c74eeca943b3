#!/usr/bin/python3
"""Draws the figures of `dnnsweep report RESULTS.h5 --plots DIR` (docs/analysis.md).

    /usr/bin/python3 scripts/dnnsweep_plots.py --input PLAN.json --out DIR

`dnnsweep report` decides what to draw (the leaderboard order, the not_training and
vanishing-gradient configurations, the influence ranking: computed once, in C++, for the text, JSON,
HTML and these figures alike) and writes it as PLAN.json; this script only draws it, each figure as
DIR/NAME.png and DIR/NAME.svg, and prints the PNG paths, one per line. Uses Debian's
python3-matplotlib (Agg backend: no display needed).
Exit codes: 0 done, 2 bad input, 3 matplotlib missing.
"""
import argparse
import json
import os
import sys

try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.ticker
    import matplotlib.pyplot as plt
    import numpy as np
except ImportError as e:
    sys.stderr.write(f"dnnsweep_plots.py: error: {e}: install python3-matplotlib and python3-numpy "
                     "(bash scripts/setup.sh --no-data --no-build)\n")
    sys.exit(3)

VERDICT_COLOURS = {
    "not_training": "#b00020",
    "underfitting": "#d4a000",
    "overfitting": "#e06000",
    "good": "#087f23",
    "failed": "#777777",
}


def arr(values):
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def band(ax, epochs, series, colour, label):
    mean, lo, hi = arr(series["mean"]), arr(series["min"]), arr(series["max"])
    ax.plot(epochs, mean, color=colour, label=label, marker="o" if len(epochs) < 12 else None, markersize=3)
    ax.fill_between(epochs, lo, hi, color=colour, alpha=0.2, linewidth=0)


def learning_curves(fig_spec):
    epochs = np.array(fig_spec["epochs"], dtype=float)
    fig, (acc, loss) = plt.subplots(1, 2, figsize=(9, 3.4))
    band(acc, epochs, fig_spec["train_acc"], "#1f77b4", "train")
    band(acc, epochs, fig_spec["val_acc"], "#e06000", "validation")
    if fig_spec.get("chance") is not None:
        acc.axhline(fig_spec["chance"], color="#888888", linestyle=":", linewidth=1, label="chance")
    acc.set_ylim(0, 1.02)
    acc.set_xlabel("epoch")
    acc.set_ylabel("accuracy")
    acc.legend(loc="lower right", fontsize=8)
    band(loss, epochs, fig_spec["train_loss"], "#1f77b4", "train")
    band(loss, epochs, fig_spec["val_loss"], "#e06000", "validation")
    loss.set_xlabel("epoch")
    loss.set_ylabel("loss")
    finite = arr(fig_spec["train_loss"]["max"] + fig_spec["val_loss"]["max"])
    finite = finite[np.isfinite(finite)]
    if finite.size and finite.min() > 0 and finite.max() / finite.min() > 100:
        loss.set_yscale("log")
    elif not finite.size:  # a run that diverged at once has no finite loss to draw
        loss.text(0.5, 0.5, "no finite loss (NaN/Inf: diverged)", ha="center", va="center",
                  transform=loss.transAxes, color="#b00020")
    for ax in (acc, loss):
        ax.grid(alpha=0.3)
        ax.set_xlim(0.5, max(epochs.max(), 1) + 0.5)
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    fig.suptitle(fig_spec["title"], fontsize=9, color=VERDICT_COLOURS.get(fig_spec["verdict"], "black"))
    return fig


def bias_variance(fig_spec):
    fig, ax = plt.subplots(figsize=(6.5, 4.8))
    seen = set()
    for p in fig_spec["points"]:
        if p["bias"] is None or p["variance"] is None:
            continue
        v = p["verdict"]
        ax.scatter(p["bias"], p["variance"], color=VERDICT_COLOURS.get(v, "black"), s=28, alpha=0.8,
                   label=None if v in seen else v, edgecolors="none")
        seen.add(v)
    t = fig_spec["thresholds"]
    ax.axhline(t["overfit_gap"], color="#e06000", linestyle="--", linewidth=1,
               label=f'overfit-gap {t["overfit_gap"]:g}')
    ax.axvline(t["underfit_error"], color="#d4a000", linestyle="--", linewidth=1,
               label=f'underfit-error {t["underfit_error"]:g}')
    if t.get("not_training_error") is not None:
        ax.axvline(t["not_training_error"], color="#b00020", linestyle="--", linewidth=1,
                   label=f'not training beyond {t["not_training_error"]:.2f}')
    ax.set_xlabel("training error (bias) = 1 - mean train accuracy")
    ax.set_ylabel("generalization gap (variance) = val error - train error")
    ax.set_xlim(-0.02, 1.0)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper right")
    ax.set_title(fig_spec["title"], fontsize=10)
    return fig


def influence(fig_spec):
    options = fig_spec["options"]
    cols = min(3, max(1, len(options)))
    rows = (len(options) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.2 * rows), squeeze=False)
    for ax in axes.flat[len(options):]:
        ax.set_visible(False)
    for ax, opt in zip(axes.flat, options):
        labels = [v["value"] for v in opt["values"]]
        data = [arr(v["accuracies"]) for v in opt["values"]]
        ax.boxplot([d if d.size else [np.nan] for d in data], labels=labels, widths=0.5, showfliers=False)
        for i, d in enumerate(data, start=1):
            ax.scatter(np.full(d.size, i) + np.linspace(-0.12, 0.12, d.size) if d.size > 1 else np.full(d.size, i),
                       d, s=10, color="#1f77b4", alpha=0.6, zorder=3)
        ax.plot(range(1, len(data) + 1), arr([v["mean"] for v in opt["values"]]), "D", color="#e06000",
                markersize=5, zorder=4)
        ax.set_ylim(0, 1.02)
        ax.set_title(f'{opt["option"]} (spread {opt["spread"]:.3f})', fontsize=9)
        ax.tick_params(axis="x", labelsize=8, rotation=20 if len(labels) > 3 else 0)
        ax.grid(alpha=0.3, axis="y")
    axes[0][0].set_ylabel("mean validation accuracy")
    fig.suptitle(fig_spec["title"], fontsize=10)
    fig.tight_layout()
    return fig


def grad_norms(fig_spec):
    fig, ax = plt.subplots(figsize=(6.5, 4))
    layers = fig_spec["layers"]
    cmap = plt.get_cmap("viridis")
    for i, layer in enumerate(layers):
        norm = arr(layer["norm"])
        norm[norm <= 0] = np.nan  # log scale
        last = layer["layer"] == len(layers) - 1
        ax.plot(layer["epochs"], norm, color=cmap(i / max(1, len(layers) - 1)),
                label=f'layer {layer["layer"]}' + (" (input)" if layer["layer"] == 0 else " (output)" if last else ""))
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("gradient L2 norm (mean over steps and folds)")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=7, ncol=2 if len(layers) > 6 else 1)
    ax.set_title(fig_spec["title"], fontsize=9)
    return fig


DRAW = {"curves": learning_curves, "bias_variance": bias_variance, "influence": influence, "grad_norms": grad_norms}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--input", required=True, help="the plan dnnsweep report writes")
    ap.add_argument("--out", required=True, help="folder for the PNG and SVG files")
    a = ap.parse_args()
    try:
        with open(a.input) as f:
            plan = json.load(f)
    except (OSError, ValueError) as e:
        sys.stderr.write(f"dnnsweep_plots.py: error: {a.input}: {e}\n")
        sys.exit(2)
    os.makedirs(a.out, exist_ok=True)
    plt.rcParams.update({"figure.dpi": 100, "savefig.dpi": 100, "svg.fonttype": "none"})
    for fig_spec in plan["figures"]:
        fig = DRAW[fig_spec["kind"]](fig_spec)
        if plan.get("partial"):
            fig.text(0.99, 0.01, "PARTIAL: sweep still running", ha="right", va="bottom", fontsize=8, color="#b00020")
        base = os.path.join(a.out, fig_spec["file"])
        fig.savefig(base + ".png", bbox_inches="tight")
        fig.savefig(base + ".svg", bbox_inches="tight")
        plt.close(fig)
        print(base + ".png", flush=True)


if __name__ == "__main__":
    main()
