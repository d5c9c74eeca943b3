"""Refit and the model commands' bad input: a refit from a results file equals `train
--save-model` with the same configuration and seed; `refit = true` writes RESULTS.model.h5 at the
end of a sweep (under mpirun too); bad input is one line on stderr, exit code 2, and nothing
overwritten."""
import hashlib
import json
import os
import shutil
import subprocess
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import testlib  # noqa: E402


def run(cmd, cwd, **kw):
    return subprocess.run(cmd, cwd=cwd, env=testlib.mpi_env(), capture_output=True, text=True, **kw)


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def layer_arrays(path):
    with h5py.File(path, "r") as f:
        return {f"{n}/{k}": f["layers"][n][k][()] for n in f["layers"] for k in f["layers"][n]}


def refused(r, pattern, what):
    lines = r.stderr.strip().splitlines()
    testlib.check(r.returncode == 2 and len(lines) == 1 and pattern in r.stderr,
                  f"{what}: exit 2 and one line naming it (rc {r.returncode}: {r.stderr.strip()})")


def main():
    a = testlib.test_args()
    d, w = a.dnnsweep, a.workdir
    testlib.write_clusters(os.path.join(w, "c.txt"), 300, 5, 3, seed=9, spread=1.5)
    spec = "data = c.txt\nlayers = 1, 2\nwidth = 12\nepochs = 3\nbatch-size = 30\nfolds = 2\nseed = 4\n"
    with open(os.path.join(w, "s.ini"), "w") as f:
        f.write(spec + "test-fraction = 0\n")
    testlib.fresh(os.path.join(w, "r.h5"))
    for p in ("r.model.h5", "t.model.h5"):
        if os.path.exists(os.path.join(w, p)):
            os.remove(os.path.join(w, p))
    run([d, "sweep", "s.ini", "--out", "r.h5"], w, check=True)

    # Refit of layers=1 (by its id) equals train --save-model on the whole file, same seed.
    with h5py.File(os.path.join(w, "r.h5"), "r") as f:
        configs = f["configs"][()]
        ids = [testlib.text(c) for c in configs["config_id"]]
        one_layer = ids[[int(v) for v in configs["layers"]].index(1)]
    r = run([d, "refit", "r.h5", "--config", one_layer, "--model", "r.model.h5", "--quiet"], w)
    testlib.check(r.returncode == 0 and "model: r.model.h5" in r.stdout, f"refit --config writes the model ({r.stderr})")
    r = run([d, "train", "--data", "c.txt", "--layers", "1", "--width", "12", "--epochs", "3", "--batch-size", "30",
             "--seed", "4", "--validation-fraction", "0", "--quiet", "--save-model", "t.model.h5"], w)
    testlib.check(r.returncode == 0, f"train --save-model ({r.stderr})")
    ours, theirs = layer_arrays(os.path.join(w, "r.model.h5")), layer_arrays(os.path.join(w, "t.model.h5"))
    testlib.check(ours.keys() == theirs.keys() and len(ours) == 4 and
                  all(np.array_equal(ours[k], theirs[k]) for k in ours),
                  "the refit's weights equal train --save-model's, array for array")
    with h5py.File(os.path.join(w, "r.model.h5"), "r") as f:
        testlib.check(testlib.text(f.attrs["origin"]) == "refit" and testlib.text(f.attrs["config_id"]) == one_layer
                      and len(f.attrs["data_fingerprint"]) == 32 and int(f.attrs["trained_rows"]) == 300,
                      "the refit model records its configuration, data fingerprint and rows")

    # Bad input: one line, exit 2, nothing overwritten.
    before = digest(os.path.join(w, "r.model.h5"))
    refused(run([d, "refit", "r.h5", "--model", "r.model.h5"], w), "r.model.h5 exists", "refit onto an existing model")
    refused(run([d, "refit", "r.h5", "--config", "ffffffff", "--model", "x.h5"], w), "no configuration 'ffffffff'",
            "a config id not in the results")
    refused(run([d, "refit", "missing.h5", "--model", "x.h5"], w), "missing.h5", "a missing results file")
    refused(run([d, "train", "--data", "c.txt", "--epochs", "1", "--save-model", "r.model.h5"], w),
            "r.model.h5 exists", "train --save-model onto an existing model")
    testlib.check(digest(os.path.join(w, "r.model.h5")) == before and not os.path.exists(os.path.join(w, "x.h5")),
                  "the refused commands left the model file as it was and wrote nothing")
    testlib.write_clusters(os.path.join(w, "six.txt"), 50, 6, 3, seed=2, spread=1.0)
    refused(run([d, "predict", "r.model.h5", "--data", "six.txt"], w), "6 features", "data of another feature count")
    shutil.copy(os.path.join(w, "r.model.h5"), os.path.join(w, "v2.h5"))
    with h5py.File(os.path.join(w, "v2.h5"), "a") as f:
        f.attrs["format_version"] = np.int64(2)
    refused(run([d, "predict", "v2.h5", "--data", "c.txt"], w), "format version 2", "a model of another format version")
    run([d, "predict", "r.model.h5", "--data", "c.txt", "--out", "p.csv", "--force"], w, check=True)
    csv_before = digest(os.path.join(w, "p.csv"))
    refused(run([d, "predict", "r.model.h5", "--data", "c.txt", "--out", "p.csv"], w), "p.csv exists",
            "predict --out onto an existing file")
    testlib.check(digest(os.path.join(w, "p.csv")) == csv_before, "the refused predict left p.csv as it was")
    # A results file where no fold finished ok: a learning rate that makes every fold diverge.
    with open(os.path.join(w, "nan.ini"), "w") as f:
        f.write(spec + "test-fraction = 0.2\nlearning-rate = 1e30\n")
    testlib.fresh(os.path.join(w, "nan.h5"))
    run([d, "sweep", "nan.ini", "--out", "nan.h5"], w)
    refused(run([d, "refit", "nan.h5", "--model", "x.h5"], w), "no fold finished ok",
            "a results file with no successful fold")

    # refit = true: the sweep writes RESULTS.model.h5 at its end, under mpirun with 3 ranks.
    with open(os.path.join(w, "auto.ini"), "w") as f:
        f.write(spec + "test-fraction = 0.2\nrefit = true\n")
    testlib.fresh(os.path.join(w, "auto.h5"))
    if os.path.exists(os.path.join(w, "auto.model.h5")):
        os.remove(os.path.join(w, "auto.model.h5"))
    r = run(["mpirun", "-np", "3", "--oversubscribe", d, "sweep", "auto.ini", "--out", "auto.h5"], w)
    testlib.check(r.returncode == 0 and os.path.exists(os.path.join(w, "auto.model.h5")) and
                  "refit: test accuracy" in r.stdout, f"refit = true writes auto.model.h5 ({r.stderr[-300:]})")
    # dnnsweep refit under mpirun: rank 0 trains, the others exit 0; the same model as the sweep's.
    r = run(["mpirun", "-np", "2", "--oversubscribe", d, "refit", "auto.h5", "--model", "again.h5", "--force",
             "--quiet"], w)
    testlib.check(r.returncode == 0 and r.stdout.count("model: again.h5") == 1,
                  f"refit under mpirun: one rank refits, every rank exits 0 ({r.stderr[-300:]})")
    same = layer_arrays(os.path.join(w, "auto.model.h5"))
    again = layer_arrays(os.path.join(w, "again.h5"))
    testlib.check(same.keys() == again.keys() and all(np.array_equal(same[k], again[k]) for k in same),
                  "the sweep's refit and dnnsweep refit give the same weights")
    # The report lists both model files of the study, with the leaderboard's rank of their configuration.
    with h5py.File(os.path.join(w, "auto.model.h5"), "r") as f:
        config_id = f.attrs["config_id"]
        config_id = config_id.decode() if isinstance(config_id, bytes) else str(config_id)
    rep = run([d, "report", "auto.h5"], w)
    lines = [x for x in rep.stdout.splitlines() if config_id in x and ".h5" in x]
    testlib.check(rep.returncode == 0 and "Saved models" in rep.stdout and len(lines) == 2 and
                  any(x.strip().startswith("#1 ") and x.rstrip().endswith(")") and "auto.model.h5" in x
                      for x in lines) and any("again.h5" in x for x in lines),
                  f"report lists the saved models by rank ({lines})")
    rj = json.loads(run([d, "report", "auto.h5", "--format", "json"], w).stdout)
    testlib.check(sorted(os.path.basename(m["path"]) for m in rj["saved_models"]) == ["again.h5", "auto.model.h5"],
                  f"report --format json: saved_models ({rj.get('saved_models')})")
    sys.exit(1 if testlib.check.failed else 0)


if __name__ == "__main__":
    main()
