#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Print "passed failed skipped" for a kunit.py --json results file.

Every leaf case counts once (a parameterised case once per parameter, as
kunit.py counts); a case that did not pass or skip (failed, crashed, no
result) counts as failed.  Used by scripts/kunit.sh and its check.
"""
import json
import sys


def count(group, tally):
    for case in group.get("test_cases", []):
        st = case.get("status")
        if st == "PASS":
            tally[0] += 1
        elif st == "SKIP":
            tally[2] += 1
        else:
            tally[1] += 1
    for sub in group.get("sub_groups", []):
        count(sub, tally)


def main():
    tally = [0, 0, 0]
    with open(sys.argv[1]) as f:
        count(json.load(f), tally)
    print(*tally)


if __name__ == "__main__":
    main()
