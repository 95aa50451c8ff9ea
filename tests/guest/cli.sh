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
check "a stream is verified to the last byte" 0 " 0 mismatches" \
	hugesg stream --quiet --size 16M --total 64M
check "a descriptor stream is verified too" 0 " 0 mismatches" \
	hugesg stream --quiet --size 16M --total 64M --mode desc --memfd
check "an edu copy is verified" 0 "0 mismatches" hugesg copy --engine edu --size 8k
check "too few 1 GiB pages: exit 3, says how to reserve them" 3 "hugepagesz=1G" \
	hugesg stream --quiet --size 2G --page 1G
echo "1..$n"
