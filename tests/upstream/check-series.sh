#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The upstream series' style, on the host (TAP output; tests/upstream/run.sh
# runs it once the kernel is built): scripts/checkpatch.pl --strict on each
# patch of upstream/ prints nothing, and scripts/kernel-doc -Wall on each
# C file or header the series touches prints no warning that the same file
# of the pristine source does not print already (the base's own warnings,
# line numbers left out).
# usage: check-series.sh PATCHED-SOURCE PRISTINE-SOURCE PATCH...
set -u
src=$1 base=$2
shift 2
# (Debian's perl and python: checkpatch's spelling and SPDX checks need
# python3-ply and python3-git, which a python of a user's own lacks)
export PATH=/usr/bin:/bin:$PATH
n=0 fails=0
ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		fails=$((fails + 1))
	fi
}
# kdoc FILE: the warnings of kernel-doc -Wall on FILE, without line numbers
kdoc() {
	[ -e "$1" ] || return 0
	(cd "$(dirname "$1")" && "$src/scripts/kernel-doc" -Wall -none "$(basename "$1")" 2>&1) |
		sed -E 's/:[0-9]+ / /; s|^(Warning: )?[^ ]*/||' | sort -u
}
for p; do
	# (in the kernel's tree: not a .checkpatch.conf of the caller's)
	out=$(cd "$src" && scripts/checkpatch.pl --strict -q "$p" 2>&1)
	ok $([ -z "$out" ]; echo $?) "checkpatch --strict: ${p##*/}"
	[ -z "$out" ] || echo "$out" | head -n 20 | sed 's/^/# /'
done
for f in $(sed -n 's|^+++ b/\([^[:space:]]*\.[ch]\)$|\1|p' "$@" | sort -u); do
	new=$(comm -13 <(kdoc "$base/$f") <(kdoc "$src/$f"))
	ok $([ -z "$new" ]; echo $?) "kernel-doc -Wall: $f, no new warning"
	[ -z "$new" ] || echo "$new" | head -n 20 | sed 's/^/# /'
done
echo "1..$n"
[ $fails -eq 0 ]
