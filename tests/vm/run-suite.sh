#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The test rig: for each kernel series given, build the modules against that
# Debian kernel's headers, pack the in-guest suites into a busybox initramfs,
# boot it under QEMU (TCG, intel-iommu, edu), collect the TAP results from the
# second serial port and scan the console log.  Prints each test's verdict
# per kernel and closes with "N passed, N failed, N skipped".
#
# usage: run-suite.sh [SERIES...]    (default and "all": 5.10 6.1 6.12 7.x;
#                                     "debug": the debug kernel, tests/debug;
#                                     "upstream": 7.2 with the series of
#                                     upstream/, tests/upstream)
# env:   HUGESG_CACHE (downloads, default /var/cache/hugesg)
#        HUGESG_BUILD_ONLY=1 (only build the modules, W=1 and sparse, one
#        verdict per kernel; no guest: `make matrix`)
#        HUGESG_VM_TIMEOUT (seconds per guest, default 900)
#        HUGESG_QEMU (QEMU binary), HUGESG_SUITES (subset of suites to run),
#        HUGESG_SHOW_COMMENTS (print the suites' "# " lines too)
#        HUGESG_SMP_SUITES (the suites run again on 2 vCPUs, default
#        drv_concurrency drv_kill_loop drv_lifetime; empty: none)
#        HUGESG_CONFIG_KERNELS (the series that boot the configuration
#        guests: no IOMMU, passthrough, swiotlb=force, surplus hugepages,
#        unprivileged; default "6.12 debug", "all": every series, "": none)
#        HUGESG_DEBUG_CONFIGS (those the debug kernel boots, default
#        "noiommu swiotlb")
#        HUGESG_CONFIGS (a subset of them by name), HUGESG_CONFIGS_ONLY=1
#        (boot only the configuration guests)
#        HUGESG_SMP_KERNELS (the series that get the 2-vCPU guest, default
#        "6.12 debug": the newest stable kernel and the one with lockdep
#        and KASAN, which CI's time allows; "all": every series)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$top/build
. "$top/tests/vm/rig-lib.sh"
timeout_s=${HUGESG_VM_TIMEOUT:-900}
npass=0 nfail=0 nskip=0

pass() { npass=$((npass + 1)); printf '  PASS  %s\n' "$1"; }
fail() { nfail=$((nfail + 1)); printf '  FAIL  %s\n' "$1"; }
skip() { nskip=$((nskip + 1)); printf '  SKIP  %s\n' "$1"; }

# run_boot VMLINUX SRC OUT FPGA_PROPS APPEND SMP SUITES...: one guest with
# SMP vCPUs, reported; behind the IOMMU unless $iommu is "off"
run_boot() {
	local vmlinux=$1 src=$2 out=$3 props=$4 append=$5 smp=$6 start brc problems
	shift 6
	mkdir -p "$out"
	make_initramfs "$src" "$out" "$@"
	[ -n "$props" ] && echo "  -- guest with hugesg-fpga$props: $*"
	[ "$smp" != 1 ] && echo "  -- guest with $smp vCPUs: $*"
	start=$(date +%s)
	boot "$vmlinux" "$out" "$timeout_s" "$append" "$props" "$smp" "${iommu:-on}"
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

series_list=$(for s in ${*:-5.10 6.1 6.12 7.x}; do
	[ "$s" = all ] && echo 5.10 6.1 6.12 7.x || echo "$s"
done)
mkdir -p "$build"
if [ -n "${HUGESG_BUILD_ONLY:-}" ]; then
	for series in $series_list; do
		if ! read -r krel vmlinux kdir < <("$rig/kernel.sh" "$series"); then
			fail "kernel $series: could not be fetched"
			continue
		fi
		mkdir -p "$build/$krel"
		if build_modules "$kdir" "$build/$krel"; then
			pass "build: modules for $krel ($series, W=1, sparse)"
		else
			fail "build: modules for $krel ($series, W=1, sparse)"
		fi
	done
	echo "$npass passed, $nfail failed, $nskip skipped"
	[ $nfail -eq 0 ]
	exit
fi
echo "building the in-guest suites"
# (the host files of this run are named after its kernels: make check's
# lanes run this script at once)
tag=$(echo $series_list | tr ' ' +)
if ! build_guest_tests "$build/guest-build-$tag.log"; then
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

# the rig's own evidence first, on the host: the log scanner and report()
# on sample logs (fast, so whatever the subset; one line when all pass)
echo "== host: the rig's log scanner, TAP report and guest build"
{
	echo "@@ BEGIN rig_scan"
	"$rig/scan-log-test.sh"
	echo "@@ END rig_scan rc=$?"
} > "$build/rig-scan-$tag.txt" 2>&1
if grep -q '^@@ END rig_scan rc=0$' "$build/rig-scan-$tag.txt" &&
	! grep -q '^not ok' "$build/rig-scan-$tag.txt"; then
	pass "rig: the log scanner and report() pass their $(grep -c '^ok' "$build/rig-scan-$tag.txt") tests on sample logs"
else
	report "$build/rig-scan-$tag.txt"
	fail "rig: the log scanner's own tests (build/rig-scan-$tag.txt)"
fi

# and the guest build's lock, which make check's lanes rely on
{
	echo "@@ BEGIN rig_build"
	"$rig/guest-build-test.sh"
	echo "@@ END rig_build rc=$?"
} > "$build/rig-build-$tag.txt" 2>&1
report "$build/rig-build-$tag.txt"

if [ -z "${HUGESG_SUITES:-}" ]; then
echo "== host: style of the kernel code"
{
	echo "@@ BEGIN lint"
	"$top/tests/lint.sh"
	echo "@@ END lint rc=$?"
} > "$build/lint-$tag.txt" 2>&1
report "$build/lint-$tag.txt"
grep '^# ' "$build/lint-$tag.txt" | head -n 30 | sed 's/^/    /'
fi

# debug_* suites run only on the debug kernel (make test-debug), after all
# the others, in this order: KUnit, the DMA-API negative check and trinity
# on the node (both before the fault injection, which can turn DMA-API
# debugging off), fault injection, the kmemleak scan, and last the lockdep
# and KASAN negative checks (each report turns lockdep off)
all_suites=$(ls "$build/guest" | grep -vxE "demo|demo_pins|bench" | grep -v '^debug_' |
	grep -v '^upstream_')
debug_suites="debug_kunit debug_dma_api debug_trinity debug_faults debug_leakcheck debug_negative"
# upstream_* suites run only on the upstream kernel (make test-upstream),
# after all the others: the KUnit suites built in (they ran at boot), the
# KUnit tests of hugesg.ko as the debug lane runs them, and the mm
# selftests of the patched source (tests/upstream/build-selftests.sh)
upstream_suites="upstream_kunit debug_kunit upstream_mm"
main_suites=$(printf '%s\n' ${HUGESG_SUITES:-$all_suites} | grep -v '^rogue_' | grep -v '^debug_' |
	grep -v '^upstream_')
rogue_suites=$(printf '%s\n' ${HUGESG_SUITES:-$all_suites} | grep '^rogue_')
# run again in a guest of 2 vCPUs (MTTCG, no icount: rig-lib.sh boot())
smp_suites=${HUGESG_SMP_SUITES-drv_concurrency drv_kill_loop drv_lifetime}
smp_kernels=${HUGESG_SMP_KERNELS-6.12 debug}

# The configuration guests (hugesg_rig.config=NAME on the command line;
# tests/guest/testlib.h rig_config() tells the suites): NAME, the IOMMU on
# or off, the kernel command line.  noiommu: no IOMMU at all, edu's 28-bit
# mask then bounces through swiotlb what lies above 256 MiB; passthrough:
# the IOMMU in identity mode (iommu=pt); swiotlb: every DMA bounced
# (swiotlb=force, 512 MiB of bounce buffers), as in a confidential guest;
# surplus: every 2 MiB hugepage surplus (the pool emptied, overcommit
# allowed: the guest's init), so the last unpin frees it; unpriv: the
# driver suites run as nobody (RLIMIT_MEMLOCK unlimited).
configs="noiommu off
passthrough on iommu=pt
swiotlb off swiotlb=262144,force
surplus on
unpriv on"
# The suites each runs: what its configuration changes.  Without a
# translating IOMMU, the driver's DMA (drv_abi's parsing does not depend on
# it); where every DMA bounces, the streams' data and the CLI; with surplus
# hugepages, pins and their release (core_surplus makes its pages surplus
# itself, from the pool this guest does not have); as nobody, every driver
# suite.
config_suites() {
	case $1 in
	noiommu|passthrough) printf '%s\n' cli drv_errors drv_fork drv_lifetime \
		drv_stream drv_unpriv ;;
	swiotlb) printf '%s\n' cli drv_stream ;;
	surplus) printf '%s\n' core_buf core_hugepages core_sgtable \
		drv_fork drv_kill_loop drv_lifetime drv_stream ;;
	unpriv) printf '%s\n' cli drv_abi drv_errors drv_fork drv_lifetime \
		drv_stream drv_unpriv ;;
	esac
}
# HUGESG_CONFIG_KERNELS: the series that get them, default 6.12 (the newest
# stable kernel) and the debug kernel, whose DMA-API debugging checks the
# direct and bounced mappings too; "all": every series, "": none.  The debug
# kernel boots only those (HUGESG_DEBUG_CONFIGS, default noiommu swiotlb):
# the others cost its lane more than they add there.
config_kernels=${HUGESG_CONFIG_KERNELS-6.12 debug}
debug_configs=${HUGESG_DEBUG_CONFIGS-noiommu swiotlb}

first=1
for series in $series_list; do
	# the debug kernel: built from source (tests/debug), its own suites
	# added, KASAN kept reporting after the first report
	suites=$main_suites append=""
	timeout_s=${HUGESG_VM_TIMEOUT:-900}
	if [ "$series" = debug ]; then
		timeout_s=${HUGESG_VM_TIMEOUT:-2700}
		suites="$main_suites $(printf '%s\n' ${HUGESG_SUITES:-$debug_suites} | grep '^debug_')"
		append=kasan_multi_shot
	fi
	# the upstream kernel: the 7.x suites and its own (the KUnit suites of
	# a kernel built with them run at boot, before the first suite)
	if [ "$series" = upstream ]; then
		timeout_s=${HUGESG_VM_TIMEOUT:-1800}
		suites="$main_suites $(printf '%s\n' ${HUGESG_SUITES:-$upstream_suites} |
			grep -xF "$(printf '%s\n' $upstream_suites)")"
	fi
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
	# the selftests of the upstream kernel's patched source, for the guest
	# (make_initramfs takes OUT/upstream)
	if [ "$series" = upstream ]; then
		if "$top/tests/upstream/build-selftests.sh" "$kdir" "$out/upstream" 2>"$out/selftests.err"; then
			pass "build: the mm selftests of the patched source ($(tail -n 1 "$out/selftests.err" | sed 's/^build-selftests.sh: //'))"
		else
			sed 's/^/    /' "$out/selftests.err" | tail -n 20
			fail "build: the mm selftests of the patched source"
		fi
	fi
	# (HUGESG_CONFIGS_ONLY: only the configuration guests)
	if [ -z "${HUGESG_CONFIGS_ONLY:-}" ]; then
		[ -n "$(echo $suites)" ] && run_boot "$vmlinux" "$out" "$out" "" "$append" 1 $suites
		[ -n "$rogue_suites" ] &&
			run_boot "$vmlinux" "$out" "$out/rogue" ",ignore-stop=on,ignore-reset=on,ignore-bus-master=on" \
				"$append" 1 $rogue_suites
		# the suites of threads and processes that race, again on 2 vCPUs
		smp_run=""
		case " $smp_kernels " in *" $series "*|*" all "*)
			smp_run=$([ -n "$smp_suites" ] && printf '%s\n' $suites | grep -xF "$(printf '%s\n' $smp_suites)") ;;
		esac
		[ -n "$smp_run" ] && run_boot "$vmlinux" "$out" "$out/smp2" "" "$append" 2 $smp_run
	fi
	# the configurations a user's machine may have, each in a guest of its
	# own with the suites it concerns (the table above)
	case " $config_kernels " in *" $series "*|*" all "*)
		while read -r name iommu cmdline <&3; do
			[ -n "$name" ] || continue
			case " ${HUGESG_CONFIGS:-$name} " in *" $name "*) ;; *) continue ;; esac
			[ "$series" = debug ] && case " $debug_configs " in
				*" $name "*) ;; *) continue ;; esac
			run=$(printf '%s\n' $suites | grep -xF "$(config_suites "$name")")
			[ -n "$run" ] || continue
			echo "  -- configuration $name ($([ "$iommu" = off ] && echo "no IOMMU" || echo IOMMU) $cmdline): $run" | tr '\n' ' '
			echo
			run_boot "$vmlinux" "$out" "$out/config-$name" "" \
				"$append $cmdline hugesg_rig.config=$name" 1 $run
		done 3<<< "$configs"
		iommu=on ;;
	esac
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
	if [ $first = 1 ] && [ -z "${HUGESG_SUITES:-}${HUGESG_CONFIGS_ONLY:-}" ]; then
		mkdir -p "$out/hang"
		cp "$out/initramfs.cpio" "$out/hang/"
		boot "$vmlinux" "$out/hang" 90 hugesg_rig.hang=1
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
