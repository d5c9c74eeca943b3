"""The BLAS a Python anchor (PyTorch, numpy, scikit-learn) runs on, checked before it is timed.

Debian's python3-torch and python3-numpy call whatever `libblas.so.3` the alternatives system
selects. Without `libopenblas0-pthread` that is the reference BLAS (libblas3), about 20x slower
than OpenBLAS on these machines (a 100 x 689 x 689 product: 7.5 GFLOP/s against 150 and more):
timed against it, dnnsweep would look many times faster than a fairly configured PyTorch. The
anchors also run without OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE, which these machines set and which
hold OpenBLAS to old AVX2 kernels (docs/PERFORMANCE.md).

    from anchor_blas import anchor_env, require_fast_blas
    env = anchor_env(os.environ)
    kernel = require_fast_blas("/usr/bin/python3", env, "torch")   # "openblas 0.3.21 (Cooperlake)"
"""
import json
import subprocess
import sys

OPENBLAS_HOLDBACK = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
FAST = ("openblas", "mkl", "blis")
SETUP = "bash tests/bench/setup_bench.sh"

PROBE = """
import json, sys
import {module}
from threadpoolctl import threadpool_info
print(json.dumps([{{k: d.get(k) for k in ("internal_api", "version", "architecture", "filepath")}}
                  for d in threadpool_info() if d.get("user_api") == "blas"]))
"""


def anchor_env(env):
    """`env` without the variables that hold OpenBLAS back."""
    return {k: v for k, v in env.items() if k not in OPENBLAS_HOLDBACK}


def blas_of(python, env, module):
    """The BLAS libraries threadpoolctl finds once `module` is imported, as dicts (empty: none it
    knows, i.e. the reference BLAS)."""
    p = subprocess.run([python, "-c", PROBE.format(module=module)], capture_output=True, text=True, env=env)
    if p.returncode != 0:
        sys.exit(f"anchor_blas: {python} cannot import {module} and threadpoolctl: {p.stderr.strip()[-300:]} "
                 f"(run `{SETUP}`)")
    return json.loads(p.stdout.strip().splitlines()[-1])


def require_fast_blas(python, env, module):
    """Exits with a one-line message when `module` would run on the reference BLAS; returns the
    optimised BLAS it runs on as text ("openblas 0.3.21 (Cooperlake)")."""
    found = [d for d in blas_of(python, env, module) if d.get("internal_api") in FAST]
    if not found:
        sys.exit(f"anchor_blas: {module} under {python} runs on the reference BLAS (libblas3, about 20x slower "
                 f"than OpenBLAS here), which is no fair anchor: run `{SETUP}` (installs libopenblas0-pthread)")
    return ", ".join(f"{d['internal_api']} {d.get('version') or ''} ({d.get('architecture') or 'unknown kernel'})"
                     .replace("  ", " ") for d in found)
