#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check: the whole test suite, its four lanes (make test: Debian's four
# kernels; make test-debug: the debug kernel; make test-pkg: DKMS and the
# Debian packages; make test-upstream: the upstream series' kernel), then
# one line per lane and, last, the lanes' "N passed, N failed, N skipped"
# added up (a lane that printed none counts as one failure).
# Two chains share the machine's two cores: the debug kernel's build (once,
# then cached) and then the debug lane on one; make test and then make
# test-pkg on the other.  Each guest takes one core, so the chains overlap
# instead of the debug lane waiting for the four kernels.  QEMU is built
# and the kernels fetched first, once, for both.  The upstream kernel
# (7.2 with upstream/'s patches, about 15 minutes of both cores alone) is
# built from then on beside all that, niced: it takes what the chains
# leave (a guest waiting, a single-threaded module build), and its sid
# chroot is made long before make test's 7.x needs it.  Its lane runs when
# it is built and the first chain is done, on the core that chain frees.
# Each lane's output goes to build/check-LANE.log and is printed whole at
# the end.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
mkdir -p build
start_all=$(date +%s)
tests/vm/kernel.sh debug > build/debug-kernel.log 2>&1 &
dk=$!
# QEMU with our model: built here so that the two chains do not both build it
build=$top/build
. tests/vm/rig-lib.sh
# and the four kernels fetched meanwhile, so that every apt-get update they
# need is over before two lanes use apt at once
(for s in 5.10 6.1 6.12 7.x; do tests/vm/kernel.sh "$s"; done) \
	> build/check-kernels.log 2>&1 &
kf=$!
echo "building QEMU with the hugesg-fpga model (cached)"
qemu_bin >/dev/null
wait $kf
# (after the fetches: its source is sid's, whose apt sources 7.x's fetch
# adds; no two apt-get update at once)
nice -n 10 tests/vm/kernel.sh upstream > build/upstream-kernel.log 2>&1 &
uk=$!

# lane LANE: run one lane into its log; its verdict and minutes into a file
lane() {
	local l=$1 start rc
	start=$(date +%s)
	make --no-print-directory "$l" > "build/check-$l.log" 2>&1
	rc=$?
	echo "$rc $(( ($(date +%s) - start) / 60 ))" > "build/check-$l.rc"
}
rm -f build/check-*.rc build/check-*.done
(
	# (not a child of this subshell: wait for it by polling)  A failed
	# build is reported by the lane, which runs the script again.
	while kill -0 $dk 2>/dev/null; do sleep 5; done
	lane test-debug
	touch build/check-debug-chain.done
) &
debug_chain=$!
( lane test; lane test-pkg; touch build/check-main-chain.done ) &
main_chain=$!
(
	# the upstream lane: its kernel built, and a core free
	while kill -0 $uk 2>/dev/null; do sleep 5; done
	while [ ! -e build/check-debug-chain.done ] &&
		[ ! -e build/check-main-chain.done ]; do sleep 5; done
	lane test-upstream
) &
upstream_chain=$!
wait $main_chain
wait $debug_chain
wait $upstream_chain
wait $dk $uk 2>/dev/null

declare -A verdict
status=0
for l in test test-debug test-pkg test-upstream; do
	echo "== make $l"
	cat "build/check-$l.log"
	read -r rc min < "build/check-$l.rc" 2>/dev/null || { rc=1; min=0; }
	if [ "$rc" = 0 ]; then
		verdict[$l]="passed in $min min"
	else
		verdict[$l]="FAILED in $min min"
		status=1
	fi
done
echo "== make check ($(( ($(date +%s) - start_all) / 60 )) min)"
for l in test test-debug test-pkg test-upstream; do
	printf '  make %-13s %s\n' "$l" "${verdict[$l]}"
done
# the last line: the four lanes' summaries added up
for l in test test-debug test-pkg test-upstream; do
	grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "build/check-$l.log" |
		tail -n 1 | grep . || echo "0 passed, 1 failed, 0 skipped"
done | awk '{ p += $1; f += $3; s += $5 }
	END { printf "%d passed, %d failed, %d skipped\n", p, f, s }'
exit $status
