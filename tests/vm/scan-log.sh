#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Scan a guest console log for kernel reports (WARN, BUG, Oops, lockdep,
# KASAN, kmemleak, DMA-API, IOMMU faults) and for the hugesg drivers' own
# alarms.
#
# Alarms: the guest boots with loglevel=5, so the console shows only
# messages of KERN_WARNING and worse; every line of hugesg's modules there
# is an alarm ("engine did not stop ... resetting it", "engine ignores stop
# and reset", "bytes stay pinned", edu's "DMA did not complete", and any
# added later), except the kernel's own notes on loading them (out-of-tree
# taint, no signature) and the probe's info lines, should a run raise the
# log level.  An alarm is a problem like a kernel report: a kill test that
# a reset rescued is not green unless it said so.
#
# Declared windows: a test that provokes a report or an alarm on purpose
# writes "hugesg-rig: expect-begin TAG" and "hugesg-rig: expect-end TAG" to
# /dev/kmsg around the one step that provokes it (testlib.h: rig_expect()).
# TAG names the report it expects: the table "expected" below gives each tag
# its pattern (an awk regular expression).  Inside a window, a report line
# that matches the pattern of an open window counts for that window, as do
# the "Call Trace" lines of the report it opened; any other report or alarm
# is a problem, as outside.  A window in which its pattern never matched is
# a problem (the provocation did not work, so the test proved nothing), as
# are a tag without a pattern, an expect-end whose tag is not open, a tag
# opened twice and a window never closed (except the windows of a device
# that nothing stops, to_end below, which may stay open to the end of the
# log: it must have seen its report by then all the same).  Several windows may be open at
# once (a step that provokes two kinds of report declares both).
#
# A test that makes allocations fail on purpose (fault injection) writes
# "hugesg-rig: allow-begin alloc-failure" and "allow-end alloc-failure"
# around it: inside, the kernel's ordinary "page allocation failure" warning
# and its stack trace are not reports, nor is DMA-API debugging saying that
# it gave up because its own allocation failed; anything else still is.
#
# One report of the kernel itself is known and not ours: Debian's 6.1.192
# (the debug lane's kernel) warns, with lockdep on, that hugetlb_split()
# runs without the i_mmap lock when a hugetlb VMA is split (a stable
# backport of "mm/hugetlb: unshare page tables during VMA split, not
# before"; any user mmap(MAP_FIXED) over part of a hugetlb mapping shows
# it).  That WARNING is let through only when its own stack trace passes
# through hugetlb_split; docs/debug-lane.md.
#
# The scanner's own tests: tests/vm/scan-log-test.sh.
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
	# the drivers (dev_*: "hugesg-fpga 0000:00:04.0: ") and modules
	# (pr_*: "hugesg_drv: "), at the start of a line, after the time
	alarm = "(^|\\] )(hugesg-(fpga|edu) [0-9a-f]+:[0-9a-f]+:[0-9a-f]+\\.[0-7]: |hugesg(_drv|_test|_bench|_kunit)?: )"
	# (and the test module saying what it provokes on purpose: the
	# provoked report itself is what its window requires)
	not_alarm = "loading out-of-tree module taints kernel|module verification failed|" \
		    "hugesg-fpga engine v|: edu engine|hugesg_test: .* on purpose"

	# the declarations: tag -> the report it expects
	# a buffer larger than the bounce buffers (the swiotlb guest,
	# drv_stream): the DMA layer says so for the device that asked
	expected["swiotlb-full"] = "hugesg-fpga [^ ]+: swiotlb buffer is full"
	# a WARN of hugesg_test.provoke_warn (tests/guest/rig_warn.sh): its
	# message, then the WARNING line
	expected["rig-warn"] = "hugesg_test: WARN provoked on purpose|WARNING: .* provoke_warn"
	# hugesg-fpga ignores stop and reset (tests/guest/rogue_kill.c):
	# release() tries to halt it, then says it is wedged; where the IOMMU
	# is not known to be strict, the ring stays pinned and it says so
	expected["rogue-halt"] = "hugesg-fpga [^ ]+: engine (did not stop \\(status [^)]*\\), resetting it|ignores stop and reset)|" \
				 "hugesg_drv: handle [0-9]+: [0-9]+ bytes stay pinned: a device did not stop"
	# and its writes into the unmapped ring fault in the IOMMU; this
	# device ignores bus-master disable too, so nothing stops it: the
	# window may stay open to the end of the guest (and must have seen
	# its faults by then)
	expected["rogue-iommu-faults"] = "DMAR: \\[DMA Write[^]]*\\] Request device \\[[0-9a-f:.]+\\]"
	to_end["rogue-iommu-faults"] = 1
	# debug lane: lockdep on hugesg_test.provoke_lockdep, and DMA-API
	# debugging on hugesg_test.provoke_dma_debug (debug_negative.sh); each
	# report prints its stack trace later than 30 lines after its header
	expected["lockdep-circular-locking"] = "WARNING: possible circular locking dependency detected|Call Trace"
	expected["dma-api-wrong-size"] = "DMA-API: .*device driver frees DMA memory with different size|WARNING: .* at kernel/dma/debug\\.c|DMA-API: Mapped at:"
	# debug lane: KASAN on hugesg_test.provoke_uaf (debug_negative.sh)
	expected["kasan-use-after-free"] = "BUG: KASAN: [a-z-]*use-after-free in provoke_uaf"
	# debug lane: kmemleak on hugesg_test.provoke_leak, as debug_leakcheck
	# copies its record to /dev/kmsg
	expected["kmemleak-provoked-leak"] = "kmemleak report: "

	nopen = 0; accepted = 0; problems = 0
}
function problem(msg) { printf "%s\n", msg; problems++ }
/hugesg-rig: expect-begin / {
	if (honour) {
		tag = $0; sub(/.*expect-begin /, "", tag); sub(/[ \t\r]+$/, "", tag)
		if (!(tag in expected))
			problem("declared window \"" tag "\" names no expected report (scan-log.sh: expected[])")
		else if (tag in open)
			problem("declared window \"" tag "\" opened twice")
		else {
			open[tag] = 1; seen[tag] = 0; nopen++
		}
	}
	next
}
/hugesg-rig: expect-end / {
	if (honour) {
		tag = $0; sub(/.*expect-end /, "", tag); sub(/[ \t\r]+$/, "", tag)
		if (!(tag in open)) {
			problem("expect-end \"" tag "\" closes no open window")
		} else {
			if (!seen[tag])
				problem("declared report \"" tag "\" never appeared")
			delete open[tag]; nopen--
		}
	}
	next
}
/hugesg-rig: allow-begin alloc-failure/ { allow = 1; next }
/hugesg-rig: allow-end alloc-failure/ { allow = 0; next }
allow && /page allocation failure/ { afail = NR; next }
allow && /DMA-API: cacheline tracking ENOMEM, dma-debug disabled/ { next }
# the known upstream warning: held back until its trace shows hugetlb_split
/WARNING: .* at include\/linux\/fs\.h:[0-9]+ i_mmap_assert_write_locked/ {
	known = 1; known_ok = 0; held = ""
}
known && /[ \t]hugetlb_split\+/ { known_ok = 1 }
known && /---\[ end trace/ {
	if (!known_ok && held != "") { printf "%s", held; problems++ }
	known = 0; held = ""
	next
}
$0 ~ bad || ($0 ~ alarm && $0 !~ not_alarm) {
	what = $0 ~ bad ? "unexpected kernel report: " : "driver alarm: "
	if (nopen) {
		hit = 0
		for (tag in open)
			if ($0 ~ expected[tag]) { seen[tag]++; hit = 1 }
		if (hit) { accepted = NR; next }
		# the stack trace of the report just accepted
		if (accepted && NR - accepted <= 30 && /Call Trace/) next
		accepted = 0
		tags = ""
		for (tag in open) tags = tags (tags == "" ? "" : ", ") tag
		problem(what "(inside the window of " tags ") " $0)
		next
	}
	# (only its own lines: its WARNING and its Call Trace; any other
	# report printed meanwhile, by another CPU say, is a problem at once)
	if (known && (held == "" || /Call Trace/)) { held = held what $0 "\n"; next }
	if (allow && afail && NR - afail <= 6 && /Call Trace/) next
	problem(what $0)
}
END {
	if (known && !known_ok && held != "") { printf "%s", held; problems++ }
	for (tag in open)
		if (!(tag in to_end))
			problem("declared window \"" tag "\" never closed")
		else if (!seen[tag])
			problem("declared report \"" tag "\" never appeared")
	exit problems ? 1 : 0
}' "$1"
