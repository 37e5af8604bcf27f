#!/usr/bin/env python3
"""Add up the JUnit reports of the pytest runs of ``make test`` into one closing line.

Usage: ``test_totals.py NAME=EXIT_CODE:REPORT.xml ...``; prints ``total: N passed, N failed, N skipped``.
A run that exited non-zero without recording a failure (no tests collected, a usage error, a crash
before the report) counts as one failure, so the line never reads better than the exit codes.
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET  # reports written by our own pytest runs
from pathlib import Path


def count(report: Path) -> tuple[int, int, int]:
    """(tests, failed, skipped) of one JUnit report; failed includes errors."""
    root = ET.parse(report).getroot()
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    tests = failed = skipped = 0
    for suite in suites:
        tests += int(suite.get("tests", 0))
        failed += int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        skipped += int(suite.get("skipped", 0))
    return tests, failed, skipped


def main(args: list[str]) -> int:
    passed = failed = skipped = 0
    for arg in args:
        name, _, rest = arg.partition("=")
        code, _, path = rest.partition(":")
        report = Path(path)
        tests = run_failed = run_skipped = 0
        if report.is_file():
            try:
                tests, run_failed, run_skipped = count(report)
            except (ET.ParseError, ValueError):
                print(f"{name}: unreadable report {report}")
        if code != "0" and run_failed == 0:
            run_failed = 1
        # An error during a test's setup is counted in "errors" as well as in "tests".
        passed += max(tests - run_failed - run_skipped, 0)
        failed += run_failed
        skipped += run_skipped
    print(f"total: {passed} passed, {failed} failed, {skipped} skipped")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
