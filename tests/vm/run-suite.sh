#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The test rig: for each kernel series given, build the modules against that
# Debian kernel's headers, pack the in-guest suites into a busybox initramfs,
# boot it under QEMU (TCG, intel-iommu, edu), collect the TAP results from the
# second serial port and scan the console log.  Prints each test's verdict
# per kernel and closes with "N passed, N failed, N skipped".
#
# usage: run-suite.sh SERIES...      (e.g. run-suite.sh 6.1 6.12)
# env:   HUGESG_CACHE (downloads, default /var/cache/hugesg)
#        HUGESG_VM_TIMEOUT (seconds per guest, default 900)
#        HUGESG_QEMU (QEMU binary), HUGESG_SUITES (subset of suites to run),
#        HUGESG_SHOW_COMMENTS (print the suites' "# " lines too)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
rig=$top/tests/vm
build=$top/build
timeout_s=${HUGESG_VM_TIMEOUT:-900}
npass=0 nfail=0 nskip=0

pass() { npass=$((npass + 1)); printf '  PASS  %s\n' "$1"; }
fail() { nfail=$((nfail + 1)); printf '  FAIL  %s\n' "$1"; }
skip() { nskip=$((nskip + 1)); printf '  SKIP  %s\n' "$1"; }

# QEMU with the hugesg-fpga model, built once into the cache
qemu_bin() {
	if [ -z "${HUGESG_QEMU:-}" ]; then
		HUGESG_QEMU=$("$top/qemu/build-qemu.sh" 2>"$build/qemu-build.log" | tail -n 1)
	fi
	echo "$HUGESG_QEMU"
}

# build_modules KDIR OUT: out-of-tree build of every module for one kernel
build_modules() {
	local kdir=$1 out=$2 log=$2/build.log
	rm -rf "$out/src"
	mkdir -p "$out/src"
	cp -r "$top/kernel" "$top/include" "$top/tests" "$out/src/" || return 1
	make -s -C "$top" KDIR="$kdir" SRC="$out/src" modules-in >"$log" 2>&1
	local rc=$?
	if [ $rc -ne 0 ] || grep -qE 'warning:|error:' "$log"; then
		sed 's/^/    /' "$log" | tail -n 40
		return 1
	fi
	return 0
}

# make_initramfs SRC OUT SUITES...: busybox, init, the suites with their
# shared libraries, the modules built in SRC
make_initramfs() {
	local src=$1 out=$2 root=$2/initramfs bin lib
	shift 2
	rm -rf "$root"
	mkdir -p "$root/bin" "$root/tests" "$root/modules"
	cp /bin/busybox "$root/bin/busybox"
	install -m 755 "$rig/init" "$root/init"
	cp "$build"/guest/* "$build/tools/hugesg" "$root/tests/"
	printf '%s\n' "$@" > "$root/tests/list"
	for m in $modules; do
		cp "$src/src/$(module_dir $m)/$m.ko" "$root/modules/"
	done
	printf '%s\n' $modules > "$root/tests/modules"
	for bin in "$build"/guest/* "$build/tools/hugesg"; do
		ldd "$bin" 2>/dev/null | grep -oE '/[^ ]+'
	done | sort -u | while read -r lib; do
		cp --parents -L "$lib" "$root"
	done
	(cd "$root" && find . | cpio -o -H newc --quiet) > "$out/initramfs.cpio"
}

modules="hugesg hugesg_drv hugesg_test"
# edu's DMAs complete 100 ms of virtual time after they start: with icount
# and sleep=off, virtual time jumps over the idle wait instead of sleeping
icount=${HUGESG_ICOUNT--icount shift=auto,sleep=off}
module_dir() { case $1 in hugesg_test) echo tests/kmod ;; *) echo kernel ;; esac; }

# boot VMLINUX OUT TIMEOUT [APPEND [FPGA_PROPS]]: run one guest;
# 0 = powered off, 124 = hung
boot() {
	local vmlinux=$1 out=$2 tmo=$3 extra="${4:-} ${HUGESG_APPEND:-}" fpga=${5:-}
	rm -f "$out/console.log" "$out/results.log"
	# (in a subshell: the kill at the timeout is reported below, not by bash)
	(timeout --foreground --signal=KILL "$tmo" "$(qemu_bin)" \
		-machine q35 -accel tcg -cpu max -smp 1 -m 4096 $icount \
		-nic none -display none -monitor none -no-reboot \
		-L /usr/share/qemu -L /usr/share/seabios \
		-device intel-iommu -device edu,dma_mask=0xffffffffffffffff \
		-device "hugesg-fpga$fpga" \
		-kernel "$vmlinux" -initrd "$out/initramfs.cpio" \
		-append "console=ttyS0 loglevel=5 panic=-1 intel_iommu=on iommu.strict=1 default_hugepagesz=2M hugepagesz=1G hugepages=1 hugepagesz=2M hugepages=640 $extra" \
		-serial "file:$out/console.log" -serial "file:$out/results.log" \
		</dev/null >"$out/qemu.log" 2>&1) 2>/dev/null
	local rc=$?
	[ $rc -eq 137 ] && rc=124
	tr -d '\r' < "$out/results.log" > "$out/results.txt" 2>/dev/null
	return $rc
}

# report FILE: print each TAP verdict of each suite in a results file
report() {
	local file=$1 suite="" line rc
	while IFS= read -r line; do
		case $line in
		"@@ BEGIN "*) suite=${line#@@ BEGIN } ;;
		"@@ END "*)
			rc=${line##*rc=}
			[ "$rc" = 0 ] || [ -n "$(sed -n "/^@@ BEGIN $suite\$/,/^@@ END $suite /p" "$file" | grep '^not ok' | grep -v SKIP)" ] ||
				fail "$suite: exited with status $rc"
			suite="" ;;
		"@@ INSMOD-FAILED "*|"@@ RMMOD-FAILED "*) fail "${line#@@ }" ;;
		"not ok "*"# SKIP"*) [ -n "$suite" ] && skip "$suite/$(echo "$line" | sed 's/.*# SKIP *//')" ;;
		"not ok "*) [ -n "$suite" ] && fail "$suite/${line#* - }" ;;
		"ok "*) [ -n "$suite" ] && pass "$suite/${line#* - }" ;;
		"# "*) [ -n "${HUGESG_SHOW_COMMENTS:-}" ] && [ -n "$suite" ] &&
			printf '        %s\n' "${line#\# }" ;;
		esac
	done < "$file"
}

# run_boot VMLINUX SRC OUT FPGA_PROPS SUITES...: one guest, reported
run_boot() {
	local vmlinux=$1 src=$2 out=$3 props=$4 start brc problems
	shift 4
	mkdir -p "$out"
	make_initramfs "$src" "$out" "$@"
	[ -n "$props" ] && echo "  -- guest with hugesg-fpga$props: $*"
	start=$(date +%s)
	boot "$vmlinux" "$out" "$timeout_s" "" "$props"
	brc=$?
	report "$out/results.txt"
	if [ $brc -eq 124 ]; then
		fail "guest: hung, killed after ${timeout_s}s; console tail:"
		tail -n 30 "$out/console.log" | sed 's/^/    | /'
	elif ! grep -q '^@@ DONE' "$out/results.txt"; then
		fail "guest: did not finish the suite (qemu rc=$brc); console tail:"
		tail -n 30 "$out/console.log" | sed 's/^/    | /'
	else
		pass "guest: ran to the end in $(($(date +%s) - start))s"
	fi
	if problems=$("$rig/scan-log.sh" "$out/console.log"); then
		pass "log: no undeclared kernel report"
	else
		fail "log: kernel reports"
		echo "$problems" | head -n 20 | sed 's/^/    | /'
		grep -B2 -A25 -E 'WARNING:|BUG:|Oops' "$out/console.log" | head -n 60 | sed 's/^/    | /'
	fi
}

series_list=${*:-6.1 6.12}
mkdir -p "$build"
echo "building the in-guest suites"
if ! make -s -C "$top" guest-tests >"$build/guest-build.log" 2>&1; then
	cat "$build/guest-build.log"
	echo "0 passed, 1 failed"
	exit 1
fi
echo "building QEMU with the hugesg-fpga model (cached)"
HUGESG_QEMU=$(qemu_bin)
if [ ! -x "$HUGESG_QEMU" ]; then
	tail -n 30 "$build/qemu-build.log"
	fail "qemu: build of QEMU with hugesg-fpga"
	echo "$npass passed, $nfail failed, $nskip skipped"
	exit 1
fi
export HUGESG_QEMU

if [ -z "${HUGESG_SUITES:-}" ]; then
echo "== host: style of the kernel code"
{
	echo "@@ BEGIN lint"
	"$top/tests/lint.sh"
	echo "@@ END lint rc=$?"
} > "$build/lint.txt" 2>&1
report "$build/lint.txt"
grep '^# ' "$build/lint.txt" | head -n 30 | sed 's/^/    /'
fi

all_suites=$(ls "$build/guest" | grep -vxE "demo|demo_pins")
main_suites=$(printf '%s\n' ${HUGESG_SUITES:-$all_suites} | grep -v '^rogue_')
rogue_suites=$(printf '%s\n' ${HUGESG_SUITES:-$all_suites} | grep '^rogue_')

first=1
for series in $series_list; do
	if ! read -r krel vmlinux kdir < <("$rig/kernel.sh" "$series"); then
		echo "== kernel $series"
		fail "kernel $series: could not be fetched"
		continue
	fi
	out=$build/$krel
	mkdir -p "$out"
	echo "== kernel $krel ($series)"
	if ! build_modules "$kdir" "$out"; then
		fail "build: modules for $krel (W=1, sparse)"
		continue
	fi
	pass "build: modules for $krel (W=1, sparse)"
	[ -n "$main_suites" ] && run_boot "$vmlinux" "$out" "$out" "" $main_suites
	[ -n "$rogue_suites" ] &&
		run_boot "$vmlinux" "$out" "$out/rogue" ",ignore-stop=on,ignore-reset=on" \
			$rogue_suites
	# the rig's own negative checks: a declared WARN must be found when the
	# declaration is ignored, and a hung guest must be killed and reported
	if grep -q 'expect-begin rig-warn' "$out/console.log"; then
		if "$rig/scan-log.sh" --ignore-declarations "$out/console.log" |
			grep -q 'unexpected kernel report: .*WARNING:'; then
			pass "rig: an undeclared WARN fails the log scan"
		else
			fail "rig: an undeclared WARN fails the log scan"
		fi
	fi
	if [ $first = 1 ] && [ -z "${HUGESG_SUITES:-}" ]; then
		mkdir -p "$out/hang"
		cp "$out/initramfs.cpio" "$out/hang/"
		boot "$vmlinux" "$out/hang" 40 hugesg_rig.hang=1
		hrc=$?
		if [ $hrc -eq 124 ] && grep -q '^@@ HANG' "$out/hang/results.txt"; then
			pass "rig: a hung guest is killed at its timeout and reported"
		else
			fail "rig: a hung guest is killed at its timeout and reported (rc=$hrc)"
		fi
	fi
	first=0
done
echo "$npass passed, $nfail failed, $nskip skipped"
[ $nfail -eq 0 ]
