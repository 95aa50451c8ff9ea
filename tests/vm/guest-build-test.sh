#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The rig's guest build under make check's lanes, tested on the host (TAP
# output; run-suite.sh runs it before any guest): three makes of the
# in-guest scripts into one empty directory at once, as three lanes start,
# through rig-lib.sh's build_guest_tests(), must all succeed, round after
# round; and the same race without it must fail (make installs a file that
# another make is installing: "cannot create regular file: File exists"),
# which shows the first case can fail.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$top/build
. "$top/tests/vm/rig-lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 fails=0
rounds=20
targets=$(ls "$top"/tests/guest/*.sh | sed "s,.*/\(.*\)\.sh$,$tmp/out/\1,")

# race BUILD: three BUILDs of the scripts into an empty $tmp/out at once;
# succeeds when all three did
race() {
	local j rc=0
	rm -rf "$tmp/out"
	for j in 1 2 3; do
		"$@" "$tmp/log$j" GUEST_OUT="$tmp/out" $targets &
	done
	for j in 1 2 3; do
		wait -n || rc=1
	done
	return $rc
}
unlocked() {
	local log=$1
	shift
	make -s -C "$top" "$@" >"$log" 2>&1
}
ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		fails=$((fails + 1))
	fi
}

bad=0
for i in $(seq $rounds); do
	race build_guest_tests >/dev/null || { bad=$i; cat "$tmp"/log[123]; break; }
done
ok $bad "build_guest_tests: three at once into one directory, $rounds rounds, all built"
bad=1
for i in $(seq 50); do
	race unlocked || { bad=0; break; }
done
ok $bad "plain make: three at once fail within 50 rounds (the race is real)"
echo "1..$n"
[ $fails -eq 0 ]
