#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Debug lane only, last: the lane's negative check for KASAN.  hugesg_test.ko
# reads freed memory (provoke_uaf) inside a declared window of the log
# scanner, which fails the run unless KASAN reports it there.  The guest
# boots with kasan_multi_shot, so a report does not silence KASAN for what
# comes after.  (kmemleak's negative check is part of debug_leakcheck.)
kmsg() { echo "<4>hugesg-rig: $*" > /dev/kmsg; }
echo "1..1"
kmsg expect-begin kasan-use-after-free
if echo 1 > /sys/module/hugesg_test/parameters/provoke_uaf; then
	echo "ok 1 - a use after free is provoked inside a declared window"
else
	echo "not ok 1 - a use after free is provoked inside a declared window"
fi
kmsg expect-end kasan-use-after-free
