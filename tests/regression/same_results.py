#!/usr/bin/env python3
"""Compares two dnnsweep results files, field by field, leaving out what differs between runs
by nature (timings, hosts, ranks, dates, the run's id and version).

    /usr/bin/python3 tests/regression/same_results.py BEFORE.h5 AFTER.h5

Exit 0 when every other field of `configs`, `folds`, `curves` and `grad_norms` (rows matched by
their keys) and the file's attributes are equal, float fields bit for bit (NaN equal to NaN);
exit 1 with one line per difference otherwise.

It checks that a change of structure leaves a sweep's results as they were: run the same spec with
the binary before the change and with the one after, on one rank (with `prune = chance`, whether a
fold whose sibling was pruned still gets started depends on the order in which several ranks
report), then compare:

    OLD/dnnsweep sweep sweeps/quick.ini --out before.h5
    build/runner/dnnsweep sweep sweeps/quick.ini --out after.h5
    /usr/bin/python3 tests/regression/same_results.py before.h5 after.h5

tests/regression/same_results_test.py checks the comparison itself.
"""
import sys

import h5py
import numpy as np

# Differ between two runs of one sweep without being results.
VOLATILE = {"seconds", "finished_at", "rank", "host", "setup_seconds", "memory_mb"}
VOLATILE_ATTRS = {"version", "run_id", "started_at", "finished_at", "ranks", "hosts",
                  "slurm_job_id", "slurm_restart_count"}
KEYS = {"configs": ("config",), "folds": ("unit",), "curves": ("unit", "epoch"),
        "grad_norms": ("unit", "epoch", "layer")}


def rows_by_key(table, key):
    order = np.lexsort(tuple(table[k] for k in reversed(key)))
    return table[order]


def same(a, b):
    if a.dtype.kind == "f":
        return bool(np.array_equal(a, b, equal_nan=True))
    return bool(np.array_equal(a, b))


def compare(before, after):
    problems = []
    for name in sorted(set(before.attrs) | set(after.attrs)):
        if name in VOLATILE_ATTRS:
            continue
        if name not in before.attrs or name not in after.attrs:
            problems.append(f"attribute {name}: only in {'after' if name in after.attrs else 'before'}")
        elif not np.array_equal(np.asarray(before.attrs[name]), np.asarray(after.attrs[name])):
            problems.append(f"attribute {name}: {before.attrs[name]!r} != {after.attrs[name]!r}")
    for table, key in KEYS.items():
        if table not in before or table not in after:
            if (table in before) != (table in after):
                problems.append(f"{table}: in one file only")
            continue
        b, a = before[table][()], after[table][()]
        if len(b) != len(a):
            problems.append(f"{table}: {len(b)} rows before, {len(a)} after")
            continue
        fields_b, fields_a = set(b.dtype.names), set(a.dtype.names)
        for f in sorted(fields_b ^ fields_a):
            problems.append(f"{table}.{f}: only {'after' if f in fields_a else 'before'}")
        b, a = rows_by_key(b, key), rows_by_key(a, key)
        for f in sorted((fields_b & fields_a) - VOLATILE):
            if not same(b[f], a[f]):
                bad = np.flatnonzero(b[f] != a[f])
                row = int(bad[0]) if len(bad) else 0
                problems.append(f"{table}.{f}: differs (first at row {row}: {b[f][row]!r} != {a[f][row]!r})")
    return problems


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    with h5py.File(sys.argv[1], "r") as before, h5py.File(sys.argv[2], "r") as after:
        problems = compare(before, after)
    for p in problems:
        print(p)
    if not problems:
        print(f"same results: {sys.argv[1]} and {sys.argv[2]}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
