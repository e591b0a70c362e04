#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""make check: scripts/bench/footprint.py on a small trace whose figures
are worked out by hand below, one object per way of packing."""
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOOL = os.path.join(HERE, '..', 'bench', 'footprint.py')

# Live at the end: 8, 100, 100, 3000, 5000 and 40000 bytes; 500 is freed
# and the free of an unknown id is ignored.
TRACE = """\
# a hand-made trace
a 0 1 8 0
a 0 2 100 0
a 1 3 100 0
a 0 4 3000 0
a 1 5 5000 1
a 0 6 40000 0
a 0 7 500 0
f 1 7
f 0 99
"""

WANT = {
    # the sizes asked for
    'requested': 8 + 100 + 100 + 3000 + 5000 + 40000,
    # kmalloc-8, -128 twice, -4k, -8k, and 16 pages for 40000
    'kmalloc': 8 + 128 + 128 + 4096 + 8192 + 65536,
    # Go's classes 8, 112, 3072, 5376; 5 pages of 8 KiB for 40000
    'go classes': 8 + 112 + 112 + 3072 + 5376 + 40960,
    # one span each: 1 page (8 and 112), 3 (3072), 2 (5376), 5 (large)
    'go spans': (1 + 1 + 3 + 2 + 5) * 8192,
    # 5376 is shared per node: its first span is the 1 page it fits in
    'goslab spans': (1 + 1 + 3 + 1 + 5) * 8192,
}


def main():
    with tempfile.NamedTemporaryFile('w', suffix='.gtrace',
                                     delete=False) as f:
        f.write(TRACE)
        path = f.name
    try:
        out = subprocess.run([sys.executable, TOOL, path], check=True,
                             capture_output=True, text=True).stdout
    finally:
        os.unlink(path)
    got = {}
    for line in out.splitlines()[1:]:
        words = line.split()
        name = ' '.join(words[:-4])
        got[name] = int(words[-4])
    ok = got == WANT and out.startswith(
        os.path.basename(path) + ': 6 live objects, 1 over 32 KiB')
    if not ok:
        print('footprint-check: want %s\ngot %s' % (WANT, out))
    print('footprint-check: %s' % ('ok' if ok else 'FAIL'))
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
