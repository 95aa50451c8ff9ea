#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The hugesg CLI as a user meets it: help, exit codes, a verified stream
# and copy, and an error that says how to reserve 1 GiB pages; `hugesg
# info` lists both hugesg-fpga boards, --device picks one by id or PCI
# address, and a bad --device says what is wrong.  TAP.
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
# "  device 2: fpga 0000:00:04.0, IOMMU strict, ready"
info=$(hugesg info 2>&1)
boards=$(echo "$info" | sed -n 's/^  device \([0-9]*\): fpga \([0-9a-f:.]*\), IOMMU \([a-z]*\), \([a-z]*\)$/\1 \2 \3 \4/p')
edu=$(echo "$info" | sed -n 's/^  device \([0-9]*\): edu .*/\1/p' | head -n 1)
n=$((n + 1))
if [ "$(echo "$boards" | grep -c .)" = 2 ] && echo "$info" | grep -q "^devices: 3$" &&
	[ "$(echo "$boards" | awk '{ print $2 }' | sort -u | grep -c .)" = 2 ]; then
	echo "ok $n - info lists both hugesg-fpga boards, each with its PCI address, IOMMU mode and state"
else
	echo "not ok $n - info lists both hugesg-fpga boards, each with its PCI address, IOMMU mode and state"
	echo "$info" | sed 's/^/# /'
fi
second=$(echo "$boards" | sed -n 2p | cut -d' ' -f1)
second_pci=$(echo "$boards" | sed -n 2p | cut -d' ' -f2)
n=$((n + 1))
# (on 5.10 the driver cannot tell that the IOMMU is strict: it says lazy)
want_iommu=strict
case $(uname -r) in 5.10.*) want_iommu=lazy ;; esac
case $(cat /proc/cmdline) in
*hugesg_rig.config=noiommu*|*hugesg_rig.config=swiotlb*|*hugesg_rig.config=passthrough*)
	want_iommu=none ;;
esac
if [ -n "$boards" ] && [ -z "$(echo "$boards" | awk -v w="$want_iommu" '$3 != w || $4 != "ready"')" ] &&
	[ -e "/sys/bus/pci/devices/$second_pci" ]; then
	echo "ok $n - the boards are ready, IOMMU $want_iommu, at addresses sysfs knows"
else
	echo "not ok $n - the boards are ready, IOMMU $want_iommu, at addresses sysfs knows"
	echo "$boards" | sed 's/^/# /'
fi
check "--device ID streams on that board" 0 " 0 mismatches.*device $second\$" \
	hugesg stream --quiet --size 16M --total 32M --mode desc --device "$second"
check "--device PCI-ADDRESS streams to that board" 0 " 0 mismatches, checksum equal.*device $second\$" \
	hugesg stream --quiet --size 16M --total 32M --mode desc --to-device --device "$second_pci"
check "--device of no device: exit 3, says so" 3 "no device 999" \
	hugesg stream --quiet --size 16M --total 32M --device 999
check "--device that is no id or address: usage error (2)" 2 "bad device 'board2'" \
	hugesg stream --quiet --size 16M --total 32M --device board2
check "--device of another engine: usage error (2), says which" 2 "is an edu device, not fpga" \
	hugesg stream --quiet --size 16M --total 32M --device "$edu"
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
	check "an edu copy is verified" 0 "0 mismatches" hugesg copy --engine edu --size 8k
	check "an edu copy on --device of edu is verified" 0 "0 mismatches" \
		hugesg copy --engine edu --size 8k --device "$edu" ;;
esac
check "copy --device of a board: usage error (2), says which" 2 "is an fpga device, not edu" \
	hugesg copy --size 8k --device "$second"
check "a stream to the device is checked by it" 0 " 0 mismatches, checksum equal" \
	hugesg stream --quiet --size 16M --total 64M --mode desc --to-device
check "too few 1 GiB pages: exit 3, says how to reserve them" 3 "hugepagesz=1G" \
	hugesg stream --quiet --size 2G --page 1G
echo "1..$n"
