#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Host-side style checks of the kernel code, TAP output:
#  - checkpatch.pl (from Debian's linux-source-6.1, unpacked into the cache)
#  - kernel-doc (the same source's script): no warnings, and a kernel-doc
#    comment on every export
# Both scripts come from that one package, fetched here if missing, so the
# checks do not depend on a kernel that another step fetched first.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${HUGESG_CACHE:-/var/cache/hugesg}
src=$cache/src/linux-source-6.1
kdoc=$src/scripts/kernel-doc
cd "$top"
# kernel/: compat.h, lib/ (hugesg.ko), driver/ and driver/engines/ (hugesg_drv.ko)
ksrc=$(find kernel -name '*.[ch]' ! -name '*.mod.c' | sort)
files="$ksrc include/linux/*.h include/uapi/linux/*.h tests/kmod/*.c tests/kmod/*.h"

if [ ! -x "$src/scripts/checkpatch.pl" ] || [ ! -f "$kdoc" ]; then
	mkdir -p "$cache/src"
	(cd "$cache/src" && apt-get download -q linux-source-6.1 2>&1 | grep -v unsandboxed) >&2
	dpkg-deb --fsys-tarfile "$cache"/src/linux-source-6.1_*.deb |
		tar -x -O ./usr/src/linux-source-6.1.tar.xz | xz -dc |
		tar -x -C "$cache/src" --wildcards 'linux-source-6.1/scripts/checkpatch.pl' \
			'linux-source-6.1/scripts/spelling.txt' \
			'linux-source-6.1/scripts/const_structs.checkpatch' \
			'linux-source-6.1/scripts/kernel-doc'
	rm -f "$cache"/src/linux-source-6.1_*.deb
fi

echo "1..4"
out=$("$src/scripts/checkpatch.pl" --no-tree --terse --show-types -f $files 2>&1)
if [ -z "$out" ] && [ -x "$src/scripts/checkpatch.pl" ]; then
	echo "ok 1 - checkpatch: no error, no warning"
else
	echo "not ok 1 - checkpatch: no error, no warning"
	echo "$out" | sed 's/^/# /'
fi

out=$(perl "$kdoc" -none $files 2>&1)
if [ -f "$kdoc" ] && [ -z "$out" ]; then
	echo "ok 2 - kernel-doc: no warning"
else
	echo "not ok 2 - kernel-doc: no warning"
	echo "$out" | sed 's/^/# /'
fi

missing=""
for f in $(find kernel -name '*.c' ! -name '*.mod.c' | sort); do
	for sym in $(sed -n 's/^EXPORT_SYMBOL_GPL(\(.*\));/\1/p' "$f"); do
		grep -q "^ \* $sym() - " "$f" || missing="$missing $sym"
	done
done
if [ -z "$missing" ]; then
	echo "ok 3 - kernel-doc on every exported function"
else
	echo "not ok 3 - kernel-doc on every exported function"
	echo "# missing:$missing"
fi

# The reference driver's char device and its engines meet only in
# kernel/driver/hugesg_drv.h (docs/driver-guide.md): comments stripped,
# the char device names no identifier of an engine (hugesg_<name>_...),
# not even its driver, which HUGESG_ENGINES() names; no engine names
# another's.
engines=$(sed -n 's/^hugesg_drv_engines := //p' kernel/Kbuild)
idents() { gcc -fpreprocessed -dD -E -P "$@" 2>/dev/null | grep -oE '\<hugesg_[a-z0-9]+_[A-Za-z0-9_]*'; }
cross=""
for e in $engines; do
	for n in $(idents kernel/driver/hugesg_drv_main.c kernel/driver/hugesg_drv.h | grep "^hugesg_${e}_" | sort -u); do
		cross="$cross main:$n"
	done
	for o in $engines; do
		[ "$o" = "$e" ] && continue
		for n in $(idents "kernel/driver/engines/hugesg_$o.c" | grep "^hugesg_${e}_" | sort -u); do
			cross="$cross $o:$n"
		done
	done
done
if [ -n "$engines" ] && [ -z "$cross" ]; then
	echo "ok 4 - the char device and the engines ($engines) cross only through hugesg_drv.h"
else
	echo "not ok 4 - the char device and the engines cross only through hugesg_drv.h"
	echo "# crossing:${cross:- no engine in kernel/Kbuild}"
fi
