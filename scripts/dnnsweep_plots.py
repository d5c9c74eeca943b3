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
    import matplotlib.collections
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


# Past this many configurations with one value, the influence figure's points are that many of them at
# evenly spaced ranks of their accuracies (the same spread; scattering 100,000 points per setting was
# most of that figure's time); its box is of them all.
INFLUENCE_POINTS = 1000


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
    pts = fig_spec["points"]
    bias, variance, verdict = arr(pts["bias"]), arr(pts["variance"]), np.array(pts["verdict"], dtype=object)
    many = bias.size > 2000  # thousands of points: smaller, and rasterized in the SVG
    for v, colour in VERDICT_COLOURS.items():
        sel = (verdict == v) & np.isfinite(bias) & np.isfinite(variance)
        if sel.any():
            ax.scatter(bias[sel], variance[sel], color=colour, s=4 if many else 28, alpha=0.5 if many else 0.8,
                       label=f"{v} ({int(sel.sum())})", edgecolors="none", rasterized=many)
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
        many = sum(d.size for d in data) > 2000
        sampled = False
        for i, d in enumerate(data, start=1):
            if d.size > INFLUENCE_POINTS:  # the box is of every configuration; the points a sample of the same spread
                d = np.sort(d)[np.linspace(0, d.size - 1, INFLUENCE_POINTS).round().astype(int)]
                x = i + np.random.default_rng(i).uniform(-0.12, 0.12, d.size)
                sampled = True
            else:
                x = np.full(d.size, i) + np.linspace(-0.12, 0.12, d.size) if d.size > 1 else np.full(d.size, i)
            ax.scatter(x, d, s=2 if many else 10, color="#1f77b4", alpha=0.15 if many else 0.6, zorder=3,
                       rasterized=many)
        if sampled:
            ax.text(0.01, 0.01, f"points: {INFLUENCE_POINTS:,} per value at evenly spaced ranks", fontsize=6,
                    color="#555555", transform=ax.transAxes)
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


def importance(fig_spec):
    terms, fractions, pairs = fig_spec["terms"], arr(fig_spec["fractions"]), fig_spec["pairs"]
    fig, ax = plt.subplots(figsize=(7, 0.35 * len(terms) + 1.2))
    y = np.arange(len(terms))[::-1]
    colours = ["#e06000" if p else ("#999999" if t == "three-way and higher" else "#1f77b4")
               for t, p in zip(terms, pairs)]
    ax.barh(y, 100 * fractions, color=colours)
    ax.set_yticks(y, terms, fontsize=8)
    for yi, f in zip(y, fractions):
        ax.text(100 * f, yi, f" {100 * f:.1f}%", va="center", fontsize=7)
    ax.set_xlabel("share of the validation accuracy's variance (%)  blue: one setting, orange: a pair")
    ax.set_xlim(0, max(5.0, 100 * float(np.nanmax(fractions)) * 1.15))
    ax.grid(alpha=0.3, axis="x")
    ax.set_title(fig_spec["title"], fontsize=10)
    return fig


def heatmap(fig_spec):
    mean = arr([v for row in fig_spec["mean"] for v in row]).reshape(len(fig_spec["row_values"]),
                                                                      len(fig_spec["col_values"]))
    rows, cols = fig_spec["row_values"], fig_spec["col_values"]
    fig, ax = plt.subplots(figsize=(min(14, 1.2 + 0.6 * len(cols) + 1.5), min(12, 1.2 + 0.4 * len(rows) + 1)))
    im = ax.imshow(np.ma.masked_invalid(mean), cmap="viridis", vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(range(len(cols)), cols, rotation=45 if len(cols) > 6 else 0, fontsize=8)
    ax.set_yticks(range(len(rows)), rows, fontsize=8)
    ax.set_xlabel(fig_spec["cols"])
    ax.set_ylabel(fig_spec["rows"])
    if mean.size <= 400:
        for (i, j), v in np.ndenumerate(mean):
            if np.isfinite(v):
                ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=7, color="white" if v < 0.6 else "black")
    fig.colorbar(im, ax=ax, label="mean validation accuracy")
    ax.set_title(fig_spec["title"], fontsize=10)
    return fig


def parallel_density(ax, ys, acc, k):
    """Every line as a density image: each pixel's colour is the mean accuracy of the lines through it,
    its opacity how many cross it (log scale). Cost grows with the lines times the image's width, not
    with matplotlib's per-line drawing, which took minutes for 100,000 lines."""
    width, height, lo, hi = 160, 360, -0.05, 1.05  # pixels per segment between two axes, rows
    count = np.zeros((height, k * width))
    total = np.zeros((height, k * width))
    for s in range(k):
        for start in range(0, width, 16):  # 16 columns at a time: bounded memory at any size
            t = (np.arange(start, min(width, start + 16)) + 0.5) / width
            y = ys[:, s][None, :] * (1 - t[:, None]) + ys[:, s + 1][None, :] * t[:, None]
            row = np.clip(((y - lo) / (hi - lo) * height).astype(np.int64), 0, height - 1)
            cell = (row * (k * width) + (s * width + start + np.arange(t.size))[:, None]).ravel()
            count.ravel()[:] += np.bincount(cell, minlength=count.size)
            total.ravel()[:] += np.bincount(cell, weights=np.broadcast_to(acc, y.shape).ravel(), minlength=count.size)
    seen = count > 0
    rgba = plt.get_cmap("viridis")(np.divide(total, count, out=np.zeros_like(total), where=seen))
    rgba[..., 3] = np.where(seen, 0.15 + 0.85 * np.log1p(count) / np.log1p(max(count.max(), 1)), 0.0)
    ax.imshow(rgba, extent=(0, k, lo, hi), origin="lower", aspect="auto", interpolation="nearest", zorder=1)


def parallel(fig_spec):
    axes, levels = fig_spec["axes"], fig_spec["levels"]
    acc = arr(fig_spec["val_acc"])
    keep = np.isfinite(acc)
    k = len(axes)
    # Each setting's levels spread over [0, 1]; the last axis is the accuracy itself. A small
    # deterministic jitter keeps lines through the same level apart.
    cols = []
    for a, lv in zip(axes, levels):
        n = max(1, len(a["values"]) - 1)
        cols.append(np.asarray(lv, dtype=float)[keep] / n)
    acc_k = acc[keep]
    jitter = (np.arange(acc_k.size) % 97 / 97.0 - 0.5) * 0.03
    ys = np.column_stack([c + jitter for c in cols] + [acc_k])
    order = np.argsort(acc_k)  # best drawn last, on top
    xs = np.arange(k + 1, dtype=float)
    fig, ax = plt.subplots(figsize=(max(6, 1.6 * (k + 1)), 4.8))
    # The plan says when there are too many lines to draw one by one: then all of them as a density,
    # and only the best as lines on top.
    lines = fig_spec.get("top_lines")
    if lines is not None:
        parallel_density(ax, ys, acc_k, k)
        order = order[max(0, order.size - lines):]
    segs = np.stack([np.broadcast_to(xs, ys.shape), ys], axis=-1)[order]
    many = acc_k.size > 2000 and lines is None
    lc = matplotlib.collections.LineCollection(segs, cmap="viridis", norm=plt.Normalize(0, 1),
                                               linewidths=0.4 if many else 1.0, alpha=0.25 if many else 0.8,
                                               rasterized=many, zorder=1 if lines is None else 2)
    lc.set_array(acc_k[order])
    ax.add_collection(lc)
    for i, a in enumerate(axes):
        ax.axvline(i, color="#444444", linewidth=0.8)
        vals = a["values"]
        step = max(1, len(vals) // 12)
        for j in range(0, len(vals), step):
            ax.text(i + 0.03, j / max(1, len(vals) - 1), vals[j], fontsize=7, va="center",
                    bbox=dict(facecolor="white", alpha=0.7, edgecolor="none", pad=0.5))
    ax.axvline(k, color="#444444", linewidth=0.8)
    ax.set_xticks(xs, [a["option"] for a in axes] + ["val acc"], fontsize=8, rotation=15 if k > 5 else 0)
    ax.set_xlim(-0.1, k + 0.1)
    ax.set_ylim(-0.05, 1.05)
    ax.set_yticks([])
    fig.colorbar(lc, ax=ax, label="mean validation accuracy")
    ax.set_title(fig_spec["title"], fontsize=10)
    return fig


def confusion(fig_spec):
    counts = np.array(fig_spec["counts"], dtype=float)
    names = fig_spec["names"]
    k = len(names)
    rows = counts.sum(axis=1, keepdims=True)
    share = np.divide(counts, rows, out=np.zeros_like(counts), where=rows > 0)
    side = min(10.0, 2.5 + 0.55 * k)
    fig, ax = plt.subplots(figsize=(side + 1.2, side))
    im = ax.imshow(share, cmap="Blues", vmin=0, vmax=1)
    for t in range(k):
        for p in range(k):
            ax.text(p, t, f"{int(counts[t, p])}", ha="center", va="center", fontsize=7 if k > 10 else 9,
                    color="white" if share[t, p] > 0.6 else "#222222")
    ax.set_xticks(range(k))
    ax.set_yticks(range(k))
    ax.set_xticklabels(names, rotation=45 if max(len(n) for n in names) > 3 else 0, ha="right", fontsize=8)
    ax.set_yticklabels(names, fontsize=8)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04, label="share of the true class's rows")
    ax.set_title(fig_spec["title"], fontsize=9)
    return fig


DRAW = {"curves": learning_curves, "bias_variance": bias_variance, "influence": influence, "grad_norms": grad_norms,
        "importance": importance, "heatmap": heatmap, "parallel": parallel, "confusion": confusion}


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
