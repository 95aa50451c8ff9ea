#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The upstream lane's programs for the guest, from the patched source of the
# kernel's build (tests/vm/own-kernel.sh: KDIR/source, the patches in
# KDIR/../patches): the mm selftests the series adds (its new
# tools/testing/selftests/mm/*.c with a main()) and gup_test, each built
# statically with the host's gcc as tools/testing/selftests/mm/Makefile
# builds them (with vm_util.c and hugepage_settings.c, against the tree's
# exported headers, tools/include/uapi and the tree itself for
# <mm/gup_test.h>); the invocations to run (mm.list); the KUnit suites the
# series adds (kunit-suites), and its programs by name (mm-series).
# tests/guest/upstream_mm.sh and upstream_kunit run them in the guest.
#
# usage: build-selftests.sh KDIR OUT
# writes: OUT/mm/PROGRAM..., OUT/mm.list, OUT/mm-series, OUT/kunit-suites,
#         OUT/build.log
set -eu
kdir=$1 out=$2
src=$(readlink -f "$kdir/source")
patches=$(readlink -f "$kdir/..")/patches
sdir=$src/tools/testing/selftests
log=$out/build.log
[ -d "$sdir/mm" ] || { echo "build-selftests.sh: no $sdir/mm" >&2; exit 1; }
rm -rf "$out"
mkdir -p "$out/mm" "$out/inc"
: > "$log"
: > "$out/mm.list"
: > "$out/mm-series"

# the files the series touches (none without a series: then nothing of its
# own is found, and the guest's suites fail for it)
touched=$(cat "$patches"/* 2>/dev/null | sed -n 's|^+++ b/\([^[:space:]]*\).*|\1|p' | sort -u)

# the exported headers of the patched tree, the selftests' KHDR_INCLUDES
# (make headers: OUT/hdr/usr/include; headers_install would only copy them,
# with rsync); a tree of its own, the source is not written to
make -s -C "$src" O="$out/hdr" ARCH=x86_64 HOSTCC=gcc headers >>"$log" 2>&1 ||
	{ tail -n 20 "$log" >&2; exit 1; }
# check_config.sh's result without liburing (no program here needs it)
echo "// No liburing support found" > "$out/inc/local_config.h"

# build PROGRAM: tools/testing/selftests/mm/PROGRAM.c into OUT/mm/PROGRAM
build() {
	echo "== $1" >>"$log"
	gcc -static -Wall -O2 -U_FORTIFY_SOURCE -D_GNU_SOURCE= -I "$src" \
		-isystem "$out/hdr/usr/include" -isystem "$src/tools/include/uapi" \
		-I "$sdir" -I "$sdir/mm" -I "$out/inc" \
		-o "$out/mm/$1" "$sdir/mm/$1.c" "$sdir/mm/vm_util.c" \
		"$sdir/mm/hugepage_settings.c" -lrt -lpthread -lm >>"$log" 2>&1 ||
		{ tail -n 20 "$log" >&2; echo "build-selftests.sh: $1 does not build" >&2; exit 1; }
}

# the series' programs first, each run without arguments
for f in $touched; do
	case $f in tools/testing/selftests/mm/*.c) ;; *) continue ;; esac
	[ -e "$src/$f" ] && grep -q '^int main(' "$src/$f" || continue
	prog=$(basename "$f" .c)
	build "$prog"
	echo "$prog" >> "$out/mm.list"
	echo "$prog" >> "$out/mm-series"
done
# then gup_test, as run_vmtests.sh runs it (get_user_pages_fast and
# pin_user_pages_fast one page at a time and all at once, the
# FOLL_LONGTERM pin, the same on THP and on hugetlb pages, and the dump of
# pages 0, 19 and 4096 through pin_user_pages): a regression check of
# mm/gup.c
build gup_test
cat >> "$out/mm.list" <<-'LIST'
	gup_test -u -n 1
	gup_test -u -n -1
	gup_test -a -n 1
	gup_test -a -n -1
	gup_test -L -n -1
	gup_test -t -a -n 512
	gup_test -H -m 256 -a -n -1
	gup_test -H -m 256 -L -w -n 512
	gup_test -ct -F 0x1 0 19 0x1000
	LIST

# the KUnit suites of the files the series touches: the names of their
# struct kunit_suite
for f in $touched; do
	[ -e "$src/$f" ] && grep -q 'kunit_test_suite' "$src/$f" || continue
	awk '/struct kunit_suite [a-z0-9_]+ = \{/ { in_suite = 1 }
	     in_suite && match($0, /\.name *= *"[^"]+"/) {
		s = substr($0, RSTART, RLENGTH); sub(/^[^"]*"/, "", s); sub(/"$/, "", s)
		print s; in_suite = 0 }
	     /^\};/ { in_suite = 0 }' "$src/$f"
done | sort -u > "$out/kunit-suites"
progs=$(echo $(cat "$out/mm-series")) suites=$(echo $(cat "$out/kunit-suites"))
echo "build-selftests.sh: the series' programs: ${progs:-none} (and gup_test, $(grep -c . "$out/mm.list") runs in all); its KUnit suites: ${suites:-none}" >&2
