#!/usr/bin/env python3
"""AWS cloudformation-validate (PyPI, pinned in scripts/tools.txt) on templates, as an oracle.

The package has no command line (FACTS.md §11): this runs `CompositeEngine().validate_template`
on every file given and prints each FATAL or ERROR finding as `file:line:col: SEVERITY RULE
message`. Exit status 1 when there is one, 0 otherwise. Run it with the venv's python:
`.tools/cfnvalidate/bin/python scripts/cloudformation-validate.py FILE...`.
"""

import sys

import cloudformation_validate as cv


def main(paths):
    engine = cv.CompositeEngine()
    found = 0
    for path in paths:
        report = engine.validate_template(path)
        for d in report.diagnostics:
            severity = getattr(d.severity, "name", str(d.severity)).upper()
            if severity in ("FATAL", "ERROR"):
                found += 1
                print(f"{path}:{d.start_line}:{d.start_column}: {severity} {d.rule_id} {d.message}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
