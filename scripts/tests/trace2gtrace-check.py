#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""make check: scripts/trace2gtrace on tracefs text in the shapes real
kernels print (6.12's kmalloc with node/accounted, 6.1's kmalloc_node,
hashed pointers, irq-flag columns), against the gtrace it must give."""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOOL = os.path.join(HERE, '..', 'trace2gtrace')

TRACE = """\
# tracer: nop
#
# entries-in-buffer/entries-written: 12/12   #P:2
#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION
#              | |         |   |||||     |         |
            bash-412     [001] ..... 12.000001: kmalloc: call_site=alloc_pipe_info+0x4a/0x1c0 ptr=00000000a1b2c3d4 bytes_req=64 bytes_alloc=64 gfp_flags=GFP_KERNEL_ACCOUNT|__GFP_ZERO node=-1 accounted=true
          <idle>-0       [000] d.h1. 12.000002: kmalloc: call_site=__alloc_skb+0x9c/0x1e0 ptr=00000000deadbeef bytes_req=1500 bytes_alloc=2048 gfp_flags=GFP_ATOMIC|__GFP_NOWARN node=-1 accounted=false
            bash-412     [001] ..... 12.000003: kmalloc: call_site=foo+0x1/0x2 ptr=0000000000000010 bytes_req=0 bytes_alloc=0 gfp_flags=GFP_KERNEL node=-1 accounted=false
     kworker/0:1-30      [000] ..... 12.000004: kfree: call_site=pipe_release+0x70/0x90 ptr=00000000a1b2c3d4
     kworker/0:1-30      [000] ..... 12.000005: kfree: call_site=bar+0x1/0x2 ptr=00000000cafe0001
     kworker/0:1-30      [000] ..... 12.000006: kfree: call_site=bar+0x1/0x2 ptr=0000000000000000
            bash-412     [001] ..... 12.000007: kmalloc_node: call_site=old+0x1/0x2 ptr=00000000feed0001 bytes_req=100 bytes_alloc=128 gfp_flags=GFP_NOFS node=0
            bash-412     [001] ..... 12.000008: kmalloc: call_site=big+0x1/0x2 ptr=00000000b16b16b1 bytes_req=8388608 bytes_alloc=8388608 gfp_flags=GFP_KERNEL node=-1 accounted=false
            bash-412     [001] ..... 12.000009: kfree: call_site=big+0x1/0x2 ptr=00000000b16b16b1
          <idle>-0       [000] ..s1. 12.000010: kmalloc: call_site=x+0x1/0x2 ptr=00000000deadbeef bytes_req=40 bytes_alloc=64 gfp_flags=GFP_NOWAIT node=-1 accounted=false
            bash-412     [001] ..... 12.000011: kfree: call_site=y+0x1/0x2 ptr=00000000deadbeef
            bash-412     [001] ..... 12.000012: kmalloc: call_site=z+0x1/0x2 ptr=00000000abcdef01 bytes_req=24 bytes_alloc=32 gfp_flags=0x0 node=-1 accounted=false
"""

# Object 1 lives and dies across CPUs; 2 is left live when its address
# comes back (a lost free) as 4, which is freed; 3 is a 6.1 kmalloc_node;
# the 8 MiB one is dropped with its free; NULL/ZERO_SIZE_PTR and unknown
# frees are skipped; a gfp without a reclaim flag counts as atomic.
WANT = """\
a 001 1 64 0
a 000 2 1500 1
f 000 1
a 001 3 100 0
a 000 4 40 1
f 001 4
a 001 5 24 1
"""


def main():
    r = subprocess.run([sys.executable, TOOL], input=TRACE, text=True,
                       capture_output=True, check=False)
    got = ''.join(line + '\n' for line in r.stdout.splitlines()
                  if not line.startswith('#'))
    ok = r.returncode == 0 and got == WANT
    head = [line for line in r.stdout.splitlines() if line.startswith('#')]
    ok = ok and len(head) == 2 and '5 allocations, 2 frees, 3 live' in head[1]
    if not ok:
        print('trace2gtrace: FAIL (rc %d)\n--- want\n%s--- got\n%s--- stderr\n%s'
              % (r.returncode, WANT, r.stdout, r.stderr))
        return 1
    print('trace2gtrace: PASS conversion of a tracefs capture')
    return 0


if __name__ == '__main__':
    sys.exit(main())
