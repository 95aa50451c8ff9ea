#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Count the guest instructions of kernel functions in a QEMU TB log.

usage: tb-profile.py VMLINUX FUNCTIONS TB_LOG ROOTS

FUNCTIONS: lines "name start end" (hex, end exclusive), the functions that
QEMU's -dfilter let into TB_LOG, a log of -d nochain,exec,in_asm (each
translation's bytes as OBJD-T lines, each execution a Trace line).  ROOTS:
the comma-separated names counted whole; the others only in a run of their
blocks that a block of a root calls and that returns to it: the root's
block before the run ends where the root's block after it starts (a block
ends at a call; bench/profile.sh explains why).  A block's instructions
are counted from VMLINUX's disassembly over the block's bytes.
"""
import bisect
import collections
import re
import subprocess
import sys


def insn_addresses(vmlinux, funcs):
    addrs = []
    for _, start, end in funcs:
        out = subprocess.run(['objdump', '-d', '--no-show-raw-insn',
                              f'--start-address=0x{start:x}',
                              f'--stop-address=0x{end:x}', vmlinux],
                             capture_output=True, text=True, check=True).stdout
        for line in out.splitlines():
            m = re.match(r'^\s*([0-9a-f]{16}):', line)
            if m:
                addrs.append(int(m.group(1), 16))
    return sorted(addrs)


def read_log(path):
    """The executions in order, as (start address, bytes of the block).

    QEMU prints a translation (IN:, its bytes as OBJD-T lines) just before
    its first execution (a Trace line with the host address of the code):
    the size goes with that host address, since one start address can have
    translations of different lengths (with icount, a block is cut short
    where the instruction budget ends).
    """
    by_host, execs, in_block, new = {}, [], False, None
    with open(path, errors='replace') as log:
        for line in log:
            if line.startswith('IN:'):
                in_block = True
            elif in_block and new is None and line.startswith('0x'):
                new = [int(line.split(':')[0], 16), 0]
            elif line.startswith('OBJD-T:') and new:
                new[1] += len(line.split()[1]) // 2
            elif line.startswith('Trace'):
                in_block = False
                m = re.search(r': (0x[0-9a-f]+) \[[0-9a-f]+/([0-9a-f]+)/',
                              line)
                host, pc = int(m.group(1), 16), int(m.group(2), 16)
                if new and new[0] == pc:
                    by_host[host] = new[1]
                new = None
                execs.append((pc, by_host.get(host, 0)))
    return execs


def main():
    vmlinux, functions, tb_log, roots = sys.argv[1:5]
    roots = set(roots.split(','))
    funcs = []
    with open(functions) as f:
        for line in f:
            name, start, end = line.split()
            funcs.append((name, int(start, 16), int(end, 16)))
    starts = sorted((s, e, n) for n, s, e in funcs)
    start_addrs = [s for s, _, _ in starts]
    addrs = insn_addresses(vmlinux, funcs)
    execs = read_log(tb_log)
    if not execs:
        sys.exit('tb-profile: no block executed in the functions named')
    unknown = sum(1 for _, nbytes in execs if not nbytes)
    if unknown:
        print(f'tb-profile: {unknown} executions of blocks whose translation'
              ' is not in the log, not counted', file=sys.stderr)

    def func_of(pc):
        i = bisect.bisect_right(start_addrs, pc) - 1
        return starts[i][2] if i >= 0 and pc < starts[i][1] else '?'

    def insns(pc, nbytes):
        return (bisect.bisect_left(addrs, pc + nbytes) -
                bisect.bisect_left(addrs, pc))

    entry = {s: n for n, s, _ in funcs}
    names = [func_of(pc) for pc, _ in execs]
    cost, calls, hot = (collections.Counter() for _ in range(3))

    def count(i):
        pc, nbytes = execs[i]
        n = insns(pc, nbytes)
        cost[names[i]] += n
        hot[pc, n] += 1
        if pc in entry:
            calls[names[i]] += 1

    i = 0
    while i < len(execs):
        if names[i] in roots:
            count(i)
            i += 1
            continue
        j = i
        while j < len(execs) and names[j] not in roots:
            j += 1
        # a call from a root: the run returns right after the calling block
        if i > 0 and j < len(execs) and \
                execs[j][0] == execs[i - 1][0] + execs[i - 1][1]:
            for k in range(i, j):
                count(k)
        i = j
    print(f'{"instructions":>14} {"calls":>8}  function')
    for name, n in cost.most_common():
        if not n:
            continue
        print(f'{n:14d} {calls[name]:8d}  {name}')
    print(f'{sum(cost.values()):14d} {"":8}  (all)')
    print('\nhottest blocks (executions x instructions):')
    for (pc, n), k in sorted(hot.items(), key=lambda x: -x[1] * x[0][1])[:20]:
        print(f'  0x{pc:x} {func_of(pc):32s} {k:8d} x {n:3d} = {k * n}')


if __name__ == '__main__':
    main()
