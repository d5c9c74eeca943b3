#!/usr/bin/python3
"""Prints the end of each failed test's output from a build folder's last ctest run.

    ctest_failures.py BUILD_DIR [LINES]

scripts/test.sh calls it after all its runs, so a CI log whose tail is all that is kept still
shows why a test failed (ctest's --output-on-failure prints it where the test ended, long before).
"""
import os
import sys


def main():
    build = sys.argv[1]
    keep = int(sys.argv[2]) if len(sys.argv) > 2 else 40
    temporary = os.path.join(build, "Testing", "Temporary")
    try:
        with open(os.path.join(temporary, "LastTestsFailed.log")) as f:
            failed = [line.strip().split(":", 1)[1] for line in f if ":" in line]
        with open(os.path.join(temporary, "LastTest.log"), errors="replace") as f:
            log = f.read().splitlines()
    except OSError:
        return 0
    for name in failed:
        try:
            start = next(i for i, line in enumerate(log) if line.startswith(f'"{name}" start time:'))
        except StopIteration:
            print(f"--- {name}: no output recorded")
            continue
        output = []
        for line in log[start + 3:]:
            if line == "<end of output>":
                break
            output.append(line)
        print(f"--- {name} ({build}): the last {min(keep, len(output))} of {len(output)} lines of its output")
        print("\n".join(output[-keep:]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
