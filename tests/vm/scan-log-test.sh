#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The rig's own evidence, tested on the host (TAP output; run-suite.sh runs
# it before any guest): tests/vm/scan-log.sh on sample console logs put
# together from tests/vm/scan-samples/ (lines as the guests' kernels print
# them), and rig-lib.sh's report() on sample TAP results.  Each case says
# whether the scan, or the report, must pass or fail.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
rig=$top/tests/vm
samples=$rig/scan-samples
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 fails=0

# compose ITEM...: a console log on stdout.  An item is a sample's name
# (scan-samples/NAME.inc), "begin TAG" / "end TAG" (a declaration as
# rig_expect() writes it) or "=LINE" (the line itself).
compose() {
	local item
	for item; do
		case $item in
		begin\ *|end\ *) echo "[   20.000000] hugesg-rig: expect-$item" ;;
		=*) echo "${item#=}" ;;
		*) cat "$samples/$item.inc" ;;
		esac
	done
}

# scan VERDICT NAME [--ignore-declarations] -- ITEM...: scan the composed
# log; VERDICT is pass or fail; for fail, an optional WANT (grep -E) must be
# in what the scanner printed
scan() {
	local want_verdict=$1 name=$2 want="" opt="" out rc got
	shift 2
	while [ "$1" != -- ]; do
		case $1 in
		--ignore-declarations) opt=$1 ;;
		*) want=$1 ;;
		esac
		shift
	done
	shift
	n=$((n + 1))
	compose "$@" > "$tmp/console.log"
	out=$("$rig/scan-log.sh" $opt "$tmp/console.log")
	rc=$?
	got=fail
	[ $rc = 0 ] && got=pass
	if [ "$got" = "$want_verdict" ] && { [ -z "$want" ] || echo "$out" | grep -qE -- "$want"; }; then
		echo "ok $n - scan: $name"
	else
		echo "not ok $n - scan: $name (scan: $got, want $want_verdict${want:+ with /$want/})"
		fails=$((fails + 1))
	fi
	echo "$out" | sed '/^$/d; s/^/#   /'
}

# what every guest's log looks like
scan pass "a boot with the modules' taint notes only" -- boot
# (3) a matching report in its window passes
scan pass "a WARN in its rig-warn window passes, with its stack trace" -- \
	boot "begin rig-warn" warn-block "end rig-warn"
scan pass "rogue_kill's halt alarms and DMAR faults in their two windows pass" -- \
	boot "begin rogue-halt" "begin rogue-iommu-faults" rogue-halt dmar-faults \
	"end rogue-halt" dmar-faults "end rogue-iommu-faults"
scan pass "5.10's DMAR fault format and its \"stay pinned\" line pass too" -- \
	boot "begin rogue-halt" "begin rogue-iommu-faults" rogue-halt alarm-pinned \
	dmar-faults-5.10 "end rogue-halt" "end rogue-iommu-faults"
scan pass "a KASAN use after free in its window passes" -- \
	boot "begin kasan-use-after-free" kasan-block "end kasan-use-after-free"
scan pass "the copied kmemleak record in its window passes" -- \
	boot "begin kmemleak-provoked-leak" kmemleak "end kmemleak-provoked-leak"
# (1) a report of another kind inside a declared window fails
scan fail "a KASAN report inside the rig-warn window fails" \
	"unexpected kernel report: \(inside the window of rig-warn\) .*BUG: KASAN" -- \
	boot "begin rig-warn" warn-block kasan-block "end rig-warn"
scan fail "a WARN inside rogue_kill's DMAR window fails" \
	"inside the window of rogue-iommu-faults.*WARNING:" -- \
	boot "begin rogue-iommu-faults" dmar-faults warn-block "end rogue-iommu-faults"
scan fail "a DMAR fault inside the halt window alone fails" \
	"inside the window of rogue-halt.*DMAR: \[DMA Write" -- \
	boot "begin rogue-halt" rogue-halt dmar-faults "end rogue-halt"
scan fail "a WARN inside the KASAN window fails" "inside the window of kasan.*WARNING:" -- \
	boot "begin kasan-use-after-free" kasan-block warn-block "end kasan-use-after-free"
scan fail "a stack trace without its report inside a window fails" \
	"inside the window of rig-warn.*Call Trace" -- \
	boot "begin rig-warn" warn-block \
	=$'[   21.0] a\n[   21.0] b\n[   21.0] c\n[   21.0] d\n[   21.0] e\n[   21.0] f\n[   21.0] g\n[   21.0] h\n[   21.0] i\n[   21.0] j' \
	=$'[   21.0] k\n[   21.0] l\n[   21.0] m\n[   21.0] n\n[   21.0] o\n[   21.0] p\n[   21.0] q\n[   21.0] r\n[   21.0] s\n[   21.0] t' \
	=$'[   21.0] u\n[   21.0] v\n[   21.0] w\n[   21.0] x\n[   21.0] y\n[   21.0] z\n[   21.0] Call Trace:' "end rig-warn"
scan fail "a lockdep report inside the DMAR window fails" "possible circular locking" -- \
	boot "begin rogue-iommu-faults" dmar-faults \
	"=[   12.2] WARNING: possible circular locking dependency detected" "end rogue-iommu-faults"
# (2) a driver alarm line fails the scan
scan fail "\"engine did not stop ... resetting it\" outside a window fails" \
	"driver alarm: .*engine did not stop" -- \
	boot "=[   11.902000] hugesg-fpga 0000:00:04.0: engine did not stop (status 0x1), resetting it"
scan fail "\"engine ignores stop and reset\" outside a window fails" \
	"driver alarm: .*engine ignores stop and reset" -- \
	boot "=[   12.004000] hugesg-fpga 0000:00:04.0: engine ignores stop and reset: its buffers are unmapped and stay pinned for good"
scan fail "\"bytes stay pinned\" outside a window fails" "driver alarm: .*stay pinned" -- \
	boot alarm-pinned
scan fail "edu's \"DMA did not complete\" fails" "driver alarm: .*DMA did not complete" -- \
	boot alarm-edu
scan fail "edu's \"DMA did not complete\" inside rogue_kill's windows fails" \
	"driver alarm: \(inside the window of .*DMA did not complete" -- \
	boot "begin rogue-halt" rogue-halt alarm-edu "end rogue-halt"
scan fail "a driver line added later, at warning level, fails" "driver alarm: .*hugesg_drv: " -- \
	boot "=[   13.0] hugesg_drv: something new went wrong"
scan pass "the probe's info lines, were the log level raised, do not" -- \
	boot "=[    2.2] hugesg-fpga 0000:00:04.0: hugesg-fpga engine v0x10000" \
	"=[    2.3] hugesg-edu 0000:00:03.0: edu engine"
# (4) a mismatched expect-end fails
scan fail "an expect-end whose tag is not the open window's fails" \
	"expect-end \"rogue-halt\" closes no open window" -- \
	boot "begin rig-warn" warn-block "end rogue-halt" "end rig-warn"
scan fail "an expect-end with no window open fails" "closes no open window" -- \
	boot "end rig-warn"
scan fail "a window closed by another tag is left open, and fails" \
	"declared window \"rig-warn\" never closed" -- \
	boot "begin rig-warn" warn-block "end rogue-halt"
# and the rest of the declarations' rules
scan fail "a window in which its report never appeared fails" \
	"declared report \"rogue-iommu-faults\" never appeared" -- \
	boot "begin rogue-iommu-faults" "end rogue-iommu-faults"
scan fail "a window with only other reports fails twice" "never appeared" -- \
	boot "begin rig-warn" dmar-faults "end rig-warn"
scan fail "a tag the scanner has no pattern for fails" "names no expected report" -- \
	boot "begin anything-goes" warn-block "end anything-goes"
scan fail "a window opened twice fails" "opened twice" -- \
	boot "begin rig-warn" "begin rig-warn" warn-block "end rig-warn"
scan fail "a DMAR fault after its window closed fails" \
	"^unexpected kernel report: .*DMAR: \[DMA Write" -- \
	boot "begin rogue-iommu-faults" dmar-faults "end rogue-iommu-faults" dmar-faults
scan fail "with declarations ignored, the rig-warn WARN fails (the rig's own check)" \
	--ignore-declarations "unexpected kernel report: .*WARNING:" -- \
	boot "begin rig-warn" warn-block "end rig-warn"

# a device that nothing stops: its window may stay open to the end
scan pass "rogue_kill's DMAR window left open to the end of the log passes" -- \
	boot "begin rogue-halt" "begin rogue-iommu-faults" rogue-halt dmar-faults \
	"end rogue-halt" dmar-faults dmar-faults
scan fail "a DMAR window left open that saw no fault fails" \
	"declared report \"rogue-iommu-faults\" never appeared" -- \
	boot "begin rogue-iommu-faults"
scan fail "a WARN in a DMAR window left open to the end fails" \
	"inside the window of rogue-iommu-faults.*WARNING:" -- \
	boot "begin rogue-iommu-faults" dmar-faults warn-block
scan fail "another window left open fails" \
	"declared window \"rig-warn\" never closed" -- \
	boot "begin rig-warn" warn-block

# the known 6.1.192 hugetlb_split warning hides only itself
scan pass "the known hugetlb_split warning with its own trace passes" -- \
	boot "=[   40.1] WARNING: CPU: 0 PID: 99 at include/linux/fs.h:455 i_mmap_assert_write_locked+0x30/0x40" \
	"=[   40.2] Call Trace:" "=[   40.3]  hugetlb_split+0x21/0x80" \
	"=[   40.4] ---[ end trace 0000000000000000 ]---"
scan fail "a KASAN report inside the known warning's trace fails" "KASAN" -- \
	boot "=[   40.1] WARNING: CPU: 0 PID: 99 at include/linux/fs.h:455 i_mmap_assert_write_locked+0x30/0x40" \
	"=[   40.2] Call Trace:" kasan-block "=[   40.3]  hugetlb_split+0x21/0x80" \
	"=[   40.4] ---[ end trace 0000000000000000 ]---"

# the debug lane's negative checks for lockdep and DMA-API debugging
scan pass "lockdep's report in its window passes" -- \
	boot "begin lockdep-circular-locking" \
	"=[   30.1] WARNING: possible circular locking dependency detected" \
	"=[   30.2] 6.1.192 #1 Tainted: G           O" \
	"=[   30.3] Call Trace:" "end lockdep-circular-locking"
scan fail "a KASAN report in lockdep's window fails" \
	"inside the window of lockdep-circular-locking.*KASAN" -- \
	boot "begin lockdep-circular-locking" kasan-block "end lockdep-circular-locking"
scan pass "DMA-API debugging's report in its window passes" -- \
	boot "begin dma-api-wrong-size" \
	"=[   31.1] DMA-API: hugesg_test_dma hugesg_test_dma: device driver frees DMA memory with different size [device address=0x000000003c83d000] [map size=256 bytes] [unmap size=128 bytes]" \
	"=[   31.2] WARNING: CPU: 0 PID: 360 at kernel/dma/debug.c:973 check_unmap+0x6d3/0xb60" \
	"=[   31.3] Call Trace:" "=[   31.4] DMA-API: Mapped at:" "end dma-api-wrong-size"
scan pass "the test module's note of what it provokes is no alarm" -- \
	boot "begin lockdep-circular-locking" \
	"=[   30.1] WARNING: possible circular locking dependency detected" \
	"=[   30.5] hugesg_test: lock order inverted on purpose" \
	"end lockdep-circular-locking"
scan fail "an empty DMA-API window fails" "never appeared" -- \
	boot "begin dma-api-wrong-size" "end dma-api-wrong-size"

# report(): the TAP plan must number the results
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1"; }
skip() { echo "SKIP $1"; }
. "$rig/rig-lib.sh"
# tap NAME WANT RESULTS: report() on RESULTS must print WANT (grep -E)
tap() {
	n=$((n + 1))
	printf '%s\n' "$3" > "$tmp/results.txt"
	out=$(report "$tmp/results.txt")
	if echo "$out" | grep -qE -- "$2"; then
		echo "ok $n - report: $1"
	else
		echo "not ok $n - report: $1"
		fails=$((fails + 1))
	fi
	echo "$out" | sed 's/^/#   /'
}
tap "a plan numbering the results is accepted" '^PASS s/b$' \
	$'@@ BEGIN s\n1..2\nok 1 - a\nok 2 - b\n@@ END s rc=0'
tap "a result missing from the plan fails the suite" '^FAIL s: TAP plan 1..3, 2 results$' \
	$'@@ BEGIN s\n1..3\nok 1 - a\nok 2 - b\n@@ END s rc=0'
tap "no plan fails the suite" '^FAIL s: no TAP plan' \
	$'@@ BEGIN s\nok 1 - a\n@@ END s rc=0'
tap "a suite that never ended fails" '^FAIL s: never ended$' \
	$'@@ BEGIN s\n1..2\nok 1 - a'
echo "1..$n"
[ $fails -eq 0 ]
