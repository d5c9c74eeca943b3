# Shared helpers of the CLI tests (sourced, not run).

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

make_temp_dir() {
  mktemp -d "${TMPDIR:-/tmp}/dnnsweep-cli.XXXXXX"
}

# make_clusters FILE: 200 rows of 4 features and an integer class 0..2, three well separated
# Gaussian-ish clusters, so a small network beats chance within a few epochs. Deterministic: the
# generator is a fixed LCG, not awk's rand(), whose sequence differs between awks.
make_clusters() {
  awk 'BEGIN {
    s = 12345
    for (i = 0; i < 200; i++) {
      c = i % 3
      line = ""
      for (f = 0; f < 4; f++) {
        s = (s * 16807) % 2147483647  # Park-Miller: exact in awk doubles
        noise = s / 2147483647 - 0.5
        center = (f == c) ? 3 : (f == 3 ? c : 0)
        line = line sprintf("%.4f ", center + noise)
      }
      print line c
    }
  }' >"$1"
}
