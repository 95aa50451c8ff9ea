#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Scan a guest console log for kernel reports: WARN, BUG, Oops, lockdep,
# KASAN, kmemleak, DMA-API and IOMMU faults.  A test that provokes one on
# purpose declares it by writing "hugesg-rig: expect-begin TAG" and
# "hugesg-rig: expect-end TAG" to /dev/kmsg around the provocation: reports
# inside such a window are expected, and a window without any report is
# itself an error (the provocation did not work, so the test proved nothing).
#
# usage: scan-log.sh [--ignore-declarations] CONSOLE_LOG
# prints one line per problem; exit 0 when clean, 1 otherwise.
set -eu
honour=1
if [ "${1:-}" = --ignore-declarations ]; then
	honour=0
	shift
fi
awk -v honour=$honour '
BEGIN {
	bad = "WARNING:|BUG:|Oops|Call Trace|KASAN|kmemleak|UBSAN|possible circular locking|" \
	      "INFO:|DMA-API|DMAR: \\[DMA [A-Za-z]+.*\\] Request device|general protection fault|" \
	      "Kernel panic|kernel BUG|refcount_t:|list_(add|del) corruption"
	win = ""; problems = 0
}
/hugesg-rig: expect-begin / {
	if (honour) {
		win = $0; sub(/.*expect-begin /, "", win); seen = 0
	}
	next
}
/hugesg-rig: expect-end / {
	if (honour && win != "") {
		if (!seen) {
			printf "declared report \"%s\" never appeared\n", win; problems++
		}
		win = ""
	}
	next
}
$0 ~ bad {
	if (win != "") { seen++; next }
	printf "unexpected kernel report: %s\n", $0; problems++
}
END {
	if (win != "") { printf "declared window \"%s\" never closed\n", win; problems++ }
	exit problems ? 1 : 0
}' "$1"
