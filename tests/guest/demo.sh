#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The main demo, run in the guest by `make demo`: what the machine has, a
# 1 GiB stream through a hugepage table of 2 MiB pages, a stream through
# descriptors on one 1 GiB page, 1 GiB played out to the device and checked
# by it, an edu copy across hugepage boundaries,
# then hugesg against the old way of pinning.  TAP: one line per step.
n=0
fails=0
step() {
	what=$1
	shift
	n=$((n + 1))
	out=$("$@" 2>&1)
	rc=$?
	echo "$out" | sed 's/^/# /'
	if [ $rc -eq 0 ]; then
		echo "ok $n - $what"
	else
		echo "not ok $n - $what (exit $rc)"
		fails=$((fails + 1))
	fi
}
step "hugesg info" hugesg info
step "1 GiB stream, 64 MiB ring of 2 MiB pages, hugepage table" \
	hugesg stream --quiet --size 64M --page 2M --mode table --total 1G
step "1 GiB stream into one 1 GiB page, descriptors" \
	hugesg stream --quiet --size 1G --page 1G --mode desc --total 1G
step "1 GiB played out to the device, 64 MiB ring of 2 MiB pages, hugepage table" \
	hugesg stream --quiet --size 64M --page 2M --mode table --total 1G --to-device
step "edu copy across a hugepage boundary" hugesg copy --engine edu --size 64k
n=$((n + 1))
if demo_pins > /tmp/pins.txt 2>&1; then
	echo "ok $n - hugesg against the old way of pinning"
else
	echo "not ok $n - hugesg against the old way of pinning"
	fails=$((fails + 1))
fi
grep '^#' /tmp/pins.txt | grep -v 'demo verdict'
echo "1..$n"
[ $fails -eq 0 ] && echo "# demo verdict: OK" || echo "# demo verdict: FAILED"
[ $fails -eq 0 ]
