#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Parse reStructuredText files with docutils; fail on any warning.

Usage: rst-check.py FILE.rst...

Sphinx's own directives (toctree, and the kernel's kernel-doc) are known
to Sphinx, not to docutils: they are accepted here as empty.  Everything
else (a table whose columns do not line up, a broken title underline, an
unknown role) is reported with file and line, and the exit status is 1.
"""
import io
import sys

from docutils.core import publish_doctree
from docutils.parsers.rst import Directive, directives


class Ignored(Directive):
    """A Sphinx-only directive: no output, no complaint."""
    has_content = True
    optional_arguments = 1
    final_argument_whitespace = True

    def run(self):
        return []


class AnyOption(dict):
    """Option spec that takes every option as a plain string."""

    def __contains__(self, key):
        return True

    def __getitem__(self, key):
        return directives.unchanged


Ignored.option_spec = AnyOption()
for name in ("toctree", "kernel-doc"):
    directives.register_directive(name, Ignored)


def main(paths):
    bad = 0
    for path in paths:
        err = io.StringIO()
        with open(path, encoding="utf-8") as f:
            publish_doctree(f.read(), source_path=path, settings_overrides={
                "report_level": 2, "halt_level": 5, "warning_stream": err})
        if err.getvalue():
            sys.stdout.write(err.getvalue())
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
