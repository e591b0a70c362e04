#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Print "passed failed skipped" for a kunit.py --json results file.

Every leaf case counts once (a parameterised case once per parameter, as
kunit.py counts); a case that did not pass or skip (failed, crashed, no
result) counts as failed.  Used by scripts/kunit.sh and its check.

    kunit-count.py RESULTS.json [XFAIL]

XFAIL (kunit/kasan.xfail) lists cases known to fail, one a line: the
case's full name (suite.case, suite.case.parameter), then the reason;
"#" starts a comment.  A listed case that fails counts as passed; one that
passes or skips counts as failed, so the list cannot go stale; one that
did not run (another filter, another configuration) does not count.  A
listed case that crashed, or has no result, stays a failure: only a
case's own FAIL is the failure the list expects.  What was expected is
said on stderr.
"""
import json
import sys


def load_xfail(path):
    """The listed names, each with its reason."""
    listed = {}
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            words = line.split(None, 1)
            if len(words) < 2:
                sys.exit(f"{path}:{n}: a case needs a reason: {line}")
            listed[words[0]] = words[1]
    return listed


def count(group, prefix, tally, listed, seen):
    for case in group.get("test_cases", []):
        name = prefix + case.get("name", "")
        st = case.get("status")
        if name in listed:
            seen.add(name)
            if st == "FAIL":
                tally[0] += 1
                print(f"kunit-count: expected failure: {name}: "
                      f"{listed[name]}", file=sys.stderr)
            else:
                tally[1] += 1
                print(f"kunit-count: FAIL: {name} is listed as failing "
                      f"but its status is {st}", file=sys.stderr)
        elif st == "PASS":
            tally[0] += 1
        elif st == "SKIP":
            tally[2] += 1
        else:
            tally[1] += 1
    for sub in group.get("sub_groups", []):
        count(sub, prefix + sub.get("name", "") + ".", tally, listed, seen)


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: kunit-count.py RESULTS.json [XFAIL]")
    listed = load_xfail(sys.argv[2]) if len(sys.argv) == 3 else {}
    tally = [0, 0, 0]
    seen = set()
    with open(sys.argv[1]) as f:
        results = json.load(f)
    # The root group is the whole run, not a suite: its name is no prefix.
    for case in results.get("test_cases", []):
        count({"test_cases": [case]}, "", tally, listed, seen)
    for sub in results.get("sub_groups", []):
        count(sub, sub.get("name", "") + ".", tally, listed, seen)
    if seen:
        print(f"kunit-count: {len(seen)} listed case(s) ran, "
              f"of {len(listed)} listed", file=sys.stderr)
    print(*tally)


if __name__ == "__main__":
    main()
