# SPDX-License-Identifier: GPL-2.0
# The rig's building blocks, sourced by tests/vm/run-suite.sh and
# bench/run-bench.sh: QEMU, module build, initramfs, one guest boot.
# The caller sets: top (the repository), build (its output directory).

rig=$top/tests/vm
modules="hugesg hugesg_drv hugesg_test hugesg_bench"
module_dir() { case $1 in hugesg_test|hugesg_bench) echo tests/kmod ;; *) echo kernel ;; esac; }
# Virtual time is the guest's instruction count, 1 ns each (shift=0), and
# with sleep=off it jumps over idle waits (edu's DMAs complete 100 ms of
# virtual time after they start).  Not shift=auto: QEMU then raises the
# shift whenever virtual time falls behind real time, and a device model
# whose ticks cost more real time than the virtual time between them (the
# runaway hugesg-fpga writing at full speed, 256 KiB every 20 us) keeps it
# behind, so the guest gets ever fewer instructions per tick: a 6.12 guest
# stalled right after the kill, before any unmap, in 3 of 4 runs on a
# loaded host, and in none of 3 with shift=0 (docs/hugesg-fpga.md).
icount=${HUGESG_ICOUNT--icount shift=0,sleep=off}

# QEMU with the hugesg-fpga model, built once into the cache
qemu_bin() {
	if [ -z "${HUGESG_QEMU:-}" ]; then
		HUGESG_QEMU=$("$top/qemu/build-qemu.sh" 2>"$build/qemu-build.log" | tail -n 1)
	fi
	echo "$HUGESG_QEMU"
}

# build_guest_tests LOG [MAKE ARGS...]: make guest-tests (or the targets
# given), one caller at a time.  make check's lanes run at once and share
# build/guest: two makes that both find a file missing both install it,
# and the second fails ("cannot create regular file ...: File exists").
# On failure the log is printed.
build_guest_tests() {
	local log=$1
	shift
	mkdir -p "$top/build"
	(
		flock 9
		make -s -C "$top" "${@:-guest-tests}" >"$log" 2>&1 ||
			{ cat "$log"; exit 1; }
	) 9>"$top/build/.guest-build.lock"
}

# build_modules KDIR OUT: out-of-tree build of every module for one kernel.
# Kernels whose compiler the host does not have (Debian's headers name it in
# .kernelvariables: 7.x's gcc-16, whose kbuild tools also need sid's glibc;
# kernel.sh maps older ones to the host's gcc-12; a kernel of ours,
# tests/vm/own-kernel.sh, in its build's Makefile) are built inside the sid
# chroot (tests/vm/sid-chroot.sh), with the repository, OUT and the
# kernel's unpacked tree (and the source of a build of ours) bind-mounted
# at the same paths.
build_modules() {
	local kdir=$1 out=$2 log=$2/build.log cc
	local -a inside=()
	rm -rf "$out/src"
	mkdir -p "$out/src"
	cp -r "$top/kernel" "$top/include" "$top/tests" "$out/src/" || return 1
	local -a ccarg=()
	cc=$(grep -oE '\<gcc-[0-9]+$' "$kdir/.kernelvariables" 2>/dev/null | tail -n 1)
	# (a build of ours: given on the command line too, since 7.2's kbuild
	# makes external modules in a sub-make that reads the source tree's
	# Makefile, not the build's)
	if [ -z "$cc" ]; then
		cc=$(sed -n 's/^override CC := \(gcc-[0-9]*\)$/\1/p' "$kdir/Makefile" 2>/dev/null)
		# (or a tree built by hand with make CC=gcc-NN O=: its .config
		# names the compiler)
		[ -n "$cc" ] || cc=$(sed -n 's/^CONFIG_CC_VERSION_TEXT="\(gcc-[0-9]*\) .*/\1/p' \
			"$kdir/.config" 2>/dev/null)
		[ -n "$cc" ] && ccarg=(CC="$cc")
	fi
	if [ -n "$cc" ] && ! command -v "$cc" >/dev/null; then
		"$rig/sid-chroot.sh" create "$cc" >/dev/null || return 1
		inside=("$rig/sid-chroot.sh" run -b "$top" -b "$out" -b "${kdir%/usr/src/*}" --)
		[ -e "$kdir/source" ] && inside=("${inside[@]:0:${#inside[@]}-1}" \
			-b "$(readlink -f "$kdir/source")" --)
	fi
	"${inside[@]}" make -s -C "$top" KDIR="$kdir" SRC="$out/src" "${ccarg[@]}" modules-in >"$log" 2>&1
	local rc=$?
	# (and C=1 that the kernel's Makefile turned off: no sparse ran)
	if [ $rc -ne 0 ] || grep -qE 'warning:|error:|C=1 specified, but' "$log"; then
		sed 's/^/    /' "$log" | tail -n 40
		return 1
	fi
	return 0
}

# make_initramfs SRC OUT SUITES...: busybox, init, the suites with their
# shared libraries, the modules built in SRC; and with HUGESG_EXTRA_MODULES
# (a directory: *.ko and their "order"), those into /modules/extra, for
# the suite to load itself (the benchmark's VFIO modules)
make_initramfs() {
	local src=$1 out=$2 root=$2/initramfs bin lib
	shift 2
	rm -rf "$root"
	mkdir -p "$root/bin" "$root/tests" "$root/modules"
	cp /bin/busybox "$root/bin/busybox"
	install -m 755 "$rig/init" "$root/init"
	cp "$top"/build/guest/* "$top/build/tools/hugesg" "$root/tests/"
	printf '%s\n' "$@" > "$root/tests/list"
	for m in $modules; do
		cp "$src/src/$(module_dir $m)/$m.ko" "$root/modules/"
	done
	# loaded by its suite, where the kernel has KUnit (the debug lane)
	[ -e "$src/src/tests/kmod/hugesg_kunit.ko" ] &&
		cp "$src/src/tests/kmod/hugesg_kunit.ko" "$root/modules/"
	printf '%s\n' $modules > "$root/tests/modules"
	# the upstream lane's programs and lists (tests/upstream/build-selftests.sh)
	if [ -d "$src/upstream" ]; then
		mkdir -p "$root/tests/upstream"
		cp -r "$src/upstream/mm" "$src/upstream/mm.list" "$src/upstream/mm-series" \
			"$src/upstream/kunit-suites" "$root/tests/upstream/"
	fi
	if [ -n "${HUGESG_EXTRA_MODULES:-}" ]; then
		mkdir -p "$root/modules/extra"
		cp "$HUGESG_EXTRA_MODULES"/*.ko "$HUGESG_EXTRA_MODULES/order" "$root/modules/extra/"
	fi
	# Debian's trinity, for the suite that fuzzes the node with it
	local extra=""
	case " $* " in *" debug_trinity "*)
		extra=/usr/bin/trinity
		cp "$extra" "$root/bin/" ;;
	esac
	for bin in "$top"/build/guest/* "$top/build/tools/hugesg" $extra; do
		ldd "$bin" 2>/dev/null | grep -oE '/[^ ]+'
	done | sort -u | while read -r lib; do
		cp --parents -L "$lib" "$root"
	done
	(cd "$root" && find . | cpio -o -H newc --quiet) > "$out/initramfs.cpio"
}

# report FILE: print each TAP verdict of each suite in a results file, with
# the caller's pass, fail and skip.  A suite fails also when it exited with
# an error but reported no failed test, when it printed no TAP plan, or more
# than one, when its results do not number what its plan ("1..N") says, and
# when it never ended.
report() {
	local file=$1 suite="" line rc plan n
	while IFS= read -r line; do
		case $line in
		"@@ BEGIN "*) suite=${line#@@ BEGIN } plan="" n=0 ;;
		"@@ END "*)
			rc=${line##*rc=}
			[ "$rc" = 0 ] || [ -n "$(sed -n "/^@@ BEGIN $suite\$/,/^@@ END $suite /p" "$file" | grep '^not ok' | grep -v SKIP)" ] ||
				fail "$suite: exited with status $rc"
			if [ -z "$plan" ]; then
				fail "$suite: no TAP plan (1..N)"
			elif [ "$plan" != "$n" ]; then
				fail "$suite: TAP plan 1..$plan, $n results"
			fi
			suite="" ;;
		"@@ INSMOD-FAILED "*|"@@ RMMOD-FAILED "*) fail "${line#@@ }" ;;
		1..[0-9]*)
			[ -n "$suite" ] || continue
			if [ -n "$plan" ]; then
				fail "$suite: a second TAP plan: $line"
			else
				plan=${line#1..}
				plan=${plan%%[!0-9]*}
			fi ;;
		"not ok "*"# SKIP"*) [ -n "$suite" ] && n=$((n + 1)) &&
			skip "$suite/$(echo "$line" | sed 's/.*# SKIP *//')" ;;
		"not ok "*) [ -n "$suite" ] && n=$((n + 1)) && fail "$suite/${line#* - }" ;;
		"ok "*) [ -n "$suite" ] && n=$((n + 1)) && pass "$suite/${line#* - }" ;;
		"# "*) [ -n "${HUGESG_SHOW_COMMENTS:-}" ] && [ -n "$suite" ] &&
			printf '        %s\n' "${line#\# }" ;;
		esac
	done < "$file"
	[ -z "$suite" ] || fail "$suite: never ended"
}

# boot VMLINUX OUT TIMEOUT [APPEND [FPGA_PROPS [SMP [IOMMU]]]]: run one
# guest, with SMP vCPUs (default 1), behind the Intel IOMMU unless IOMMU is
# "off" (no intel-iommu device: DMA goes direct, or through swiotlb where
# a device's mask is short); 0 = powered off, 124 = hung.
# The guest has edu and two hugesg-fpga boards, in this order on the bus.
# FPGA_PROPS go to the first board only, which the driver probes first:
# it is device 1, the one a registration without a device takes (the
# rogue suites' broken device); the second is always a well-behaved one.
# With -icount QEMU runs a guest's vCPUs one after the other on one host
# thread: a guest of 2 or more vCPUs runs without it, each vCPU a host
# thread of its own (MTTCG, thread=multi), so that they truly run at the
# same time; edu's DMAs then take 100 ms of real time.  On the real clock
# of a loaded host the boot's check that the timer interrupt ticks through
# the interrupt-remapped IO-APIC can miss its ticks, and with interrupt
# remapping the kernel panics on that ("timer doesn't work through
# Interrupt-remapped IO-APIC", seen on 6.1): no_timer_check skips it.
# The IOMMU is strict on every kernel: iommu.strict=1, and for 5.10
# intel_iommu=strict too, as 5.10's Intel driver keeps its own flush queue
# and is strict only with it (6.1 still takes intel_iommu=strict, but warns
# that it is deprecated: it is not passed there)
boot() {
	local vmlinux=$1 out=$2 tmo=$3 extra="${4:-} ${HUGESG_APPEND:-}" fpga=${5:-}
	local smp=${6:-1} strict="iommu.strict=1" accel=tcg clock=$icount
	local iommu="intel_iommu=on" iommu_dev="-device intel-iommu"
	[ "$smp" -gt 1 ] && accel=tcg,thread=multi clock="" extra="no_timer_check $extra"
	grep -aqm1 'Linux version 5\.10\.' "$vmlinux" && strict="$strict intel_iommu=strict"
	[ "${7:-on}" = off ] && iommu="" iommu_dev="" strict=""
	rm -f "$out/console.log" "$out/results.log"
	# (in a subshell: the kill at the timeout is reported below, not by bash)
	(timeout --foreground --signal=KILL "$tmo" "$(qemu_bin)" \
		-machine q35 -accel "$accel" -cpu max -smp "$smp" -m 4096 $clock \
		-nic none -display none -monitor none -no-reboot \
		-L /usr/share/qemu -L /usr/share/seabios \
		$iommu_dev -device edu \
		-device "hugesg-fpga$fpga" -device hugesg-fpga \
		-kernel "$vmlinux" -initrd "$out/initramfs.cpio" \
		-append "console=ttyS0 loglevel=5 panic=-1 $iommu $strict default_hugepagesz=2M hugepagesz=1G hugepages=1 hugepagesz=2M hugepages=640 $extra" \
		-serial "file:$out/console.log" -serial "file:$out/results.log" \
		</dev/null >"$out/qemu.log" 2>&1) 2>/dev/null
	local rc=$?
	[ $rc -eq 137 ] && rc=124
	tr -d '\r' < "$out/results.log" > "$out/results.txt" 2>/dev/null
	return $rc
}

