#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Debug lane only, last: the lane's negative checks for lockdep and KASAN
# (DMA-API debugging's is debug_dma_api, before the fault injection).
# hugesg_test.ko takes two locks in both orders (provoke_lockdep) and reads
# freed memory (provoke_uaf), each inside a declared window of the log
# scanner, which fails the run unless the checker reports it there.
# Lockdep goes first: a report that taints the kernel (KASAN's does)
# turns lock debugging off for good, and so does lockdep's own first one.
# The guest boots with kasan_multi_shot, so a report does not silence KASAN
# for what comes after.  (kmemleak's negative check is part of debug_leakcheck.)
kmsg() { echo "<4>hugesg-rig: $*" > /dev/kmsg; }
echo "1..2"
kmsg expect-begin lockdep-circular-locking
if echo 1 > /sys/module/hugesg_test/parameters/provoke_lockdep; then
	echo "ok 1 - a lock order inversion is provoked inside a declared window"
else
	echo "not ok 1 - a lock order inversion is provoked inside a declared window"
fi
kmsg expect-end lockdep-circular-locking
kmsg expect-begin kasan-use-after-free
if echo 1 > /sys/module/hugesg_test/parameters/provoke_uaf; then
	echo "ok 2 - a use after free is provoked inside a declared window"
else
	echo "not ok 2 - a use after free is provoked inside a declared window"
fi
kmsg expect-end kasan-use-after-free
