#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check: the whole test suite, its three lanes one after the other
# (make test: Debian's four kernels; make test-debug: the debug kernel;
# make test-pkg: DKMS and the Debian packages), then one line per lane and,
# last, the lanes' "N passed, N failed, N skipped" added up (a lane that
# printed none counts as one failure).
# The debug kernel is built (once, then cached) while the first lane runs:
# its guests keep one core busy, the build takes the other.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
mkdir -p build
tests/debug/debug-kernel.sh > build/debug-kernel.log 2>&1 &
dk=$!
declare -A verdict
status=0
for lane in test test-debug test-pkg; do
	# the debug lane needs its kernel: wait for the build started above
	# (a failed build is reported by the lane, which runs the script again)
	[ "$lane" = test-debug ] && wait $dk
	start=$(date +%s)
	if make --no-print-directory "$lane" 2>&1 | tee "build/check-$lane.log"; [ "${PIPESTATUS[0]}" = 0 ]; then
		verdict[$lane]="passed"
	else
		verdict[$lane]="FAILED"
		status=1
	fi
	verdict[$lane]+=" in $(( ($(date +%s) - start) / 60 )) min"
done
echo "== make check"
for lane in test test-debug test-pkg; do
	printf '  make %-10s %s\n' "$lane" "${verdict[$lane]}"
done
# the last line: the three lanes' summaries added up
for lane in test test-debug test-pkg; do
	grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "build/check-$lane.log" |
		tail -n 1 | grep . || echo "0 passed, 1 failed, 0 skipped"
done | awk '{ p += $1; f += $3; s += $5 }
	END { printf "%d passed, %d failed, %d skipped\n", p, f, s }'
exit $status
