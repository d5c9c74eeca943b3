"""What the Python benchmarks count against the matmul ceiling: the useful arithmetic of a fully
connected network (dense layers' products only), and the ceiling line bench_matmul_ceiling prints.

    from dense_flop import forward_flop, training_flop, ceiling_line
"""
import json


def forward_flop(features, width, layers, classes):
    """FLOP of one row's forward pass: 2 * sum(K * N) over the dense layers."""
    dims = [features] + [width] * layers + [classes]
    return 2 * sum(k * n for k, n in zip(dims, dims[1:]))


def training_flop(features, width, layers, classes):
    """FLOP of one row's training step: forward, backward-data and backward-weights of every dense
    layer (3 x the forward), less the first layer's backward-data, which nobody needs."""
    return 3 * forward_flop(features, width, layers, classes) - 2 * features * width


def ceiling_line(stdout):
    """bench_matmul_ceiling's last JSON line (the one with `ceiling_gflops`), or None."""
    for line in stdout.splitlines():
        if line.startswith("{") and "ceiling_gflops" in line:
            return json.loads(line)
    return None
