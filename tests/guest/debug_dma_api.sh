#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Debug lane only, before the fault injection: the lane's negative check for
# DMA-API debugging.  hugesg_test.ko unmaps a streaming DMA mapping of a
# platform device of its own with the wrong size (provoke_dma_debug) inside
# a declared window of the log scanner, which fails the run unless DMA-API
# debugging reports it there.  It must come before debug_faults: an
# allocation that fails inside DMA-API debugging's own bookkeeping
# ("cacheline tracking ENOMEM") turns it off for the rest of the boot (seen:
# this window stayed empty when it came after the fault injection).
kmsg() { echo "<4>hugesg-rig: $*" > /dev/kmsg; }
echo "1..1"
kmsg expect-begin dma-api-wrong-size
if echo 1 > /sys/module/hugesg_test/parameters/provoke_dma_debug; then
	echo "ok 1 - a DMA unmap of the wrong size is provoked inside a declared window"
else
	echo "not ok 1 - a DMA unmap of the wrong size is provoked inside a declared window"
fi
kmsg expect-end dma-api-wrong-size
