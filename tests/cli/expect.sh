#!/usr/bin/env bash
# Runs one command in a fresh temporary folder and checks its exit code and output.
#
# Usage: expect.sh [checks and set-up...] -- COMMAND [ARGS...]
#   --rc N              exit code must be N (default 0)
#   --stdout REGEX      stdout must match (grep -E, any line); repeatable
#   --stderr REGEX      stderr must match; repeatable
#   --stdout-lines N    stdout must have exactly N lines
#   --stderr-lines N    stderr must have exactly N lines
#   --write FILE TEXT   before running, write TEXT (printf %b escapes: \n) to FILE in the folder
#   --clusters FILE     before running, write a separable 3-class text dataset (make_clusters)
# COMMAND runs with the temporary folder as its working directory, so relative paths reach the
# files written above.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/cli_lib.sh"

rc_want=0
stdout_res=() stderr_res=()
stdout_lines="" stderr_lines=""
tmp="$(make_temp_dir)"
trap 'rm -rf "$tmp"' EXIT

while (($#)); do
  case "$1" in
    --rc) rc_want="$2"; shift 2 ;;
    --stdout) stdout_res+=("$2"); shift 2 ;;
    --stderr) stderr_res+=("$2"); shift 2 ;;
    --stdout-lines) stdout_lines="$2"; shift 2 ;;
    --stderr-lines) stderr_lines="$2"; shift 2 ;;
    --write) printf '%b' "$3" >"$tmp/$2"; shift 3 ;;
    --clusters) make_clusters "$tmp/$2"; shift 2 ;;
    --) shift; break ;;
    *) fail "expect.sh: unknown argument '$1'" ;;
  esac
done
(($#)) || fail "expect.sh: no command after --"
# The command runs from the temporary folder, so a relative path to it must be made absolute.
[[ "$1" == */* && "$1" != /* ]] && set -- "$PWD/$1" "${@:2}"

set +e
(cd "$tmp" && "$@") >"$tmp/.stdout" 2>"$tmp/.stderr"
rc=$?
set -e

problems=()
[[ "$rc" == "$rc_want" ]] || problems+=("exit code $rc, expected $rc_want")
for re in ${stdout_res[@]+"${stdout_res[@]}"}; do
  grep -Eq -- "$re" "$tmp/.stdout" || problems+=("stdout does not match: $re")
done
for re in ${stderr_res[@]+"${stderr_res[@]}"}; do
  grep -Eq -- "$re" "$tmp/.stderr" || problems+=("stderr does not match: $re")
done
if [[ -n "$stdout_lines" ]]; then
  n="$(wc -l <"$tmp/.stdout")"
  ((n == stdout_lines)) || problems+=("stdout has $n lines, expected $stdout_lines")
fi
if [[ -n "$stderr_lines" ]]; then
  n="$(wc -l <"$tmp/.stderr")"
  ((n == stderr_lines)) || problems+=("stderr has $n lines, expected $stderr_lines")
fi

if ((${#problems[@]})); then
  {
    echo "command: $*"
    printf 'FAIL: %s\n' "${problems[@]}"
    echo "--- stdout ---"; head -c 4000 "$tmp/.stdout"
    echo "--- stderr ---"; head -c 4000 "$tmp/.stderr"
  } >&2
  exit 1
fi
echo "ok: $*"
