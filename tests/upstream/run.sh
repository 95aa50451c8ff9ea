#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make test-upstream: the kernel of the upstream series (Debian's 7.2 with
# the patches of upstream/, tests/vm/kernel.sh upstream, cached), then
#  - the whole suite on it (tests/vm/run-suite.sh upstream: everything the
#    7.x series runs, and the lane's own suites: the KUnit suites built in,
#    hugesg's KUnit module, the series' mm selftests and gup_test);
#  - make bench's methods on it, quickly (bench/run-bench.sh upstream:
#    the 2 MiB buffer, one repetition, the icount clock, into
#    build/upstream-bench, bench/'s results left alone).
# Closes with the two added up, "N passed, N failed, N skipped"; fails on
# any failure.
# env:   HUGESG_UPSTREAM (another folder of patches, as kernel.sh takes it),
#        HUGESG_UPSTREAM_BENCH=0 (no bench run)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$top/build
mkdir -p "$build"
# the kernel first, alone: its build log is then the lane's (run-suite.sh
# would only say that it could not be fetched)
start=$(date +%s)
echo "== the upstream kernel (tests/vm/kernel.sh upstream, cached)"
if ! "$top/tests/vm/kernel.sh" upstream > "$build/upstream-kernel.txt"; then
	echo "  FAIL  kernel: the upstream kernel does not build"
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
fi
echo "   $(cat "$build/upstream-kernel.txt") ($(($(date +%s) - start)) s)"

# the series' style on the host: checkpatch and kernel-doc
# (tests/upstream/check-series.sh), against the kernel's patched source
# and the pristine one it was made from (own-kernel.sh's newest unpacked
# linux-source-7.2)
. "$top/tests/vm/rig-lib.sh"
read -r _ _ kdir < "$build/upstream-kernel.txt"
up=${HUGESG_UPSTREAM:-$top/upstream}
pristine=$(ls -d "${HUGESG_CACHE:-/var/cache/hugesg}"/src/linux-7.2-*/.unpacked 2>/dev/null |
	sort -V | tail -n 1)
{
	echo "@@ BEGIN upstream_style"
	"$top/tests/upstream/check-series.sh" "$(dirname "$kdir")/src" \
		"$(dirname "$pristine")" $(ls "$up"/[0-9][0-9][0-9][0-9]-*.patch |
			grep -v '/0000-[^/]*$' | sort)
	echo "@@ END upstream_style rc=$?"
} > "$build/upstream-style.txt" 2>&1
npass=0 nfail=0 nskip=0
pass() { npass=$((npass + 1)); printf '  PASS  %s\n' "$1"; }
fail() { nfail=$((nfail + 1)); printf '  FAIL  %s\n' "$1"; }
skip() { nskip=$((nskip + 1)); printf '  SKIP  %s\n' "$1"; }
echo "== the series' style (checkpatch --strict, kernel-doc -Wall)"
report "$build/upstream-style.txt"
grep '^# ' "$build/upstream-style.txt" | head -n 30 | sed 's/^/    /'
style_pass=$npass style_fail=$nfail

start=$(date +%s)
"$top/tests/vm/run-suite.sh" upstream | tee "$build/upstream-suite.log"
echo "   (the suite took $(($(date +%s) - start)) s)"
summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$build/upstream-suite.log" |
	tail -n 1)
# (a suite that printed no summary counts as one failure)
[ -n "$summary" ] || summary="0 passed, 1 failed, 0 skipped"
read -r p _ f _ s _ <<< "$summary"
p=$((p + style_pass)) f=$((f + style_fail))

# (the methods every kernel has must have figures: the others, VFIO's and
# iommufd's, need a kernel with them)
bench_methods="pin_all hugesg_huge hugesg_auto hugesg_drv"
if [ "${HUGESG_UPSTREAM_BENCH:-1}" != 0 ]; then
	start=$(date +%s)
	echo "== make bench's methods on the upstream kernel (quick: 2 MiB, 1 rep, icount)"
	HUGESG_BENCH_OUT="$build/upstream-bench" HUGESG_BENCH_CLOCKS=icount \
		HUGESG_BENCH_APPEND="hugesg_bench.reps=1 hugesg_bench.small=1" \
		"$top/bench/run-bench.sh" upstream > "$build/upstream-bench.log" 2>&1
	rc=$?
	missing=""
	for m in $bench_methods; do
		awk -F, -v m="$m" 'NR > 1 && $3 == m && $6 != "" { found = 1 }
			END { exit !found }' "$build/upstream-bench/results.csv" 2>/dev/null ||
			missing="$missing $m"
	done
	rows=$(awk -F, 'NR > 1 && $6 != ""' "$build/upstream-bench/results.csv" 2>/dev/null | wc -l)
	if [ $rc -eq 0 ] && [ -z "$missing" ]; then
		p=$((p + 1))
		echo "  PASS  bench: $rows rows with figures, $bench_methods among them ($(($(date +%s) - start)) s)"
	else
		f=$((f + 1))
		echo "  FAIL  bench: run-bench.sh upstream (rc=$rc, no figures for:${missing:- -}; build/upstream-bench.log):"
		tail -n 20 "$build/upstream-bench.log" | sed 's/^/    | /'
	fi
fi
echo "$p passed, $f failed, $s skipped"
[ "$f" -eq 0 ]
