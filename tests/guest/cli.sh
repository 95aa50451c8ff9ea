#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The hugesg CLI as a user meets it: help, exit codes, a verified stream
# and copy, and an error that says how to reserve 1 GiB pages.  TAP.
n=0
check() { # DESCRIPTION EXPECTED_EXIT PATTERN COMMAND...
	what=$1 want=$2 pattern=$3
	shift 3
	n=$((n + 1))
	out=$("$@" 2>&1)
	rc=$?
	if [ $rc -eq "$want" ] && echo "$out" | grep -q -- "$pattern"; then
		echo "ok $n - $what"
	else
		echo "not ok $n - $what (exit $rc, wanted $want)"
		echo "$out" | tail -n 5 | sed 's/^/# /'
	fi
}
check "--help exits 0 and lists the commands" 0 "stream" hugesg --help
check "an unknown option is a usage error (2)" 2 "" hugesg stream --bogus
check "info reports both engines" 0 "engine edu: found" hugesg info
# (where every DMA bounces, 256 KiB segments make no hugepage table)
if grep -q 'hugesg_rig.config=swiotlb' /proc/cmdline; then
	check "a table stream where DMA bounces: exit 4, says to use descriptors" 4 \
		"use --mode desc" hugesg stream --quiet --size 16M --total 64M
else
	check "a stream is verified to the last byte" 0 " 0 mismatches" \
		hugesg stream --quiet --size 16M --total 64M
fi
check "a descriptor stream is verified too" 0 " 0 mismatches" \
	hugesg stream --quiet --size 16M --total 64M --mode desc --memfd
# (edu's 28 bits reach no hugepage without an IOMMU: the configuration
# guests noiommu, swiotlb and passthrough, tests/vm/run-suite.sh)
case $(cat /proc/cmdline) in
*hugesg_rig.config=noiommu*|*hugesg_rig.config=swiotlb*|*hugesg_rig.config=passthrough*)
	check "an edu copy without an IOMMU: exit 4, says why" 4 "cannot reach this memory" \
		hugesg copy --engine edu --size 8k ;;
*)
	check "an edu copy is verified" 0 "0 mismatches" hugesg copy --engine edu --size 8k ;;
esac
check "a stream to the device is checked by it" 0 " 0 mismatches, checksum equal" \
	hugesg stream --quiet --size 16M --total 64M --mode desc --to-device
check "too few 1 GiB pages: exit 3, says how to reserve them" 3 "hugepagesz=1G" \
	hugesg stream --quiet --size 2G --page 1G
echo "1..$n"
