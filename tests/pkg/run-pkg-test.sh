#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make test-pkg: the Debian packages and DKMS, end to end.
#  1. make deb: hugesg-dkms, libhugesg1, libhugesg-dev, hugesg-tools; lintian
#     on them (any E: fails)
#  2. a clean Debian 12 chroot (debootstrap --variant=minbase, made once into
#     the cache, copied fresh for every run) with dkms and the headers of the
#     6.1 and 6.12 kernels that tests/vm/kernel.sh resolves: installing the
#     packages with apt makes DKMS build and install both modules for both
#     kernels, each module with VERSION as its version; the library's
#     packages carry its licence (LGPL-2.1-or-later or MIT) in their
#     copyright, libhugesg-dev installs its headers under /usr/include/hugesg/
#     (none under /usr/include/linux/) and a program builds against it with
#     pkg-config;
#     purging hugesg-dkms removes the modules; `make dkms-install` and
#     `make dkms-uninstall` from the tree do the same without packages
#  3. the 6.1 kernel in the rig's QEMU (edu, two hugesg-fpga boards,
#     intel-iommu) with the modules DKMS built, loaded by modprobe, and the
#     packaged hugesg with its shared libraries: both modules report VERSION
#     in sysfs, `hugesg info` must find the driver, both engines and all
#     three devices, both boards with their PCI addresses; `hugesg copy` and
#     a short `hugesg stream` must pass; the console is scanned for kernel
#     reports (tests/vm/scan-log.sh)
# Prints PASS/FAIL/SKIP lines and "N passed, N failed, N skipped".
#
# env: HUGESG_CACHE (default /var/cache/hugesg): the chroot base
#        (pkg-chroot-base) and apt's downloads for it (pkg-chroot-debs)
#      HUGESG_MIRROR, HUGESG_SECURITY_MIRROR (Debian's by default)
#      HUGESG_VM_TIMEOUT (seconds for the guest, default 300)
#      HUGESG_KEEP_CHROOT=1 keeps build/pkg/chroot for inspection
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$top/build
out=$build/pkg
. "$top/tests/vm/rig-lib.sh"
cache=${HUGESG_CACHE:-/var/cache/hugesg}
mirror=${HUGESG_MIRROR:-http://deb.debian.org/debian}
security=${HUGESG_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
base=$cache/pkg-chroot-base
debcache=$cache/pkg-chroot-debs
root=$out/chroot
timeout_s=${HUGESG_VM_TIMEOUT:-300}
# the recipe of the base: a base made by another recipe is made again
base_recipe="minbase bookworm $mirror $security r1"
npass=0 nfail=0 nskip=0
t_start=$(date +%s)

pass() { npass=$((npass + 1)); printf '  PASS  %s\n' "$1"; }
fail() { nfail=$((nfail + 1)); printf '  FAIL  %s\n' "$1"; }
skip() { nskip=$((nskip + 1)); printf '  SKIP  %s\n' "$1"; }
note() { sed 's/^/        /'; }
check() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }
since() { echo "$(($(date +%s) - $1))s"; }
log_tail() { tail -n "${2:-25}" "$1" | sed 's/^/    | /'; }

finish() {
	remove_chroot
	echo "# total $(since "$t_start")"
	echo "$npass passed, $nfail failed, $nskip skipped"
	[ $nfail -eq 0 ]
	exit
}

# Nothing may be mounted under the copy when it is removed (the mounts of
# in_chroot live in their own namespace and end with it).
remove_chroot() {
	[ -n "${HUGESG_KEEP_CHROOT:-}" ] && return 0
	[ -d "$root" ] || return 0
	if grep -q " $root/" /proc/self/mounts; then
		echo "# $root: still mounted, not removed"
		return 0
	fi
	rm -rf "$root"
}

# in_chroot CMD...: run CMD in the chroot, with /proc and apt's
# download cache mounted in a private mount namespace, and a clean
# environment.
in_chroot() {
	unshare --mount --propagation private -- /bin/sh -c '
		r=$1 d=$2
		shift 2
		mount -t proc proc "$r/proc" &&
		mount --bind "$d" "$r/var/cache/apt/archives" &&
		exec chroot "$r" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
			HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"' \
		sh "$root" "$debcache" "$@"
}

# The base: debootstrap --variant=minbase bookworm and apt's sources (main,
# updates, security).  Made once; made again when its recipe changes.
make_base() {
	local tmp=$base.new
	rm -rf "$tmp"
	debootstrap --variant=minbase bookworm "$tmp" "$mirror" >"$out/debootstrap.log" 2>&1 ||
		return 1
	rm -f "$tmp/etc/apt/sources.list"
	cat > "$tmp/etc/apt/sources.list.d/debian.sources" <<-EOF
		Types: deb
		URIs: $mirror
		Suites: bookworm bookworm-updates
		Components: main
		Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

		Types: deb
		URIs: $security
		Suites: bookworm-security
		Components: main
		Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
	EOF
	echo "$base_recipe" > "$tmp/.hugesg-base"
	rm -rf "$base"
	mv "$tmp" "$base"
}

# dkms_state KREL: hugesg's line of `dkms status` for one kernel
dkms_state() {
	in_chroot dkms status -m hugesg -v "$ver" -k "$1" 2>/dev/null
}

# kos KREL: the installed modules of one kernel (.ko, .ko.xz, .ko.zst)
kos() {
	ls "$root/lib/modules/$1/updates/dkms/" 2>/dev/null | grep -E '^hugesg(_drv)?\.ko' | sort | tr '\n' ' '
}

# modules_in KREL WHAT: both modules built and installed for KREL by DKMS
modules_in() {
	local k=$1 what=$2 state files
	state=$(dkms_state "$k")
	files=$(kos "$k")
	if echo "$state" | grep -q ': installed' &&
		echo "$files" | grep -q '^hugesg\.ko[^ ]* hugesg_drv\.ko'; then
		pass "$what: built and installed for $k ($files)"
	else
		fail "$what: built and installed for $k"
		echo "dkms status: ${state:-nothing}; modules: ${files:-none}" | note
	fi
	local m v
	for m in hugesg hugesg_drv; do
		v=$(in_chroot modinfo -k "$k" -F version "$m" 2>/dev/null)
		check "$what: modinfo -k $k -F version $m: ${v:-none} (VERSION $ver)" \
			test "$v" = "$ver"
	done
}

# lib_licence PKG: the License of the lib/* stanza of PKG's installed
# copyright file, and that file's stand-alone paragraphs of both licences
lib_licence() {
	local f=$root/usr/share/doc/$1/copyright lic
	lic=$(awk '/^Files:/ { lib = ($2 == "lib/*") }
		lib && /^License:/ { sub(/^License: */, ""); print; exit }' "$f" 2>/dev/null)
	check "$1: copyright: lib/* is '${lic:-none}', with the LGPL-2.1 reference and the MIT text" \
		eval 'test "$lic" = "LGPL-2.1-or-later or MIT" &&
			grep -qx "License: LGPL-2.1-or-later" "$f" &&
			grep -q "/usr/share/common-licenses/LGPL-2.1" "$f" &&
			grep -qx "License: MIT" "$f" &&
			grep -q "Permission is hereby granted, free of charge" "$f"'
}

# modules_gone WHAT: no hugesg left in DKMS, /usr/src or /lib/modules
modules_gone() {
	local what=$1 left
	left=$(in_chroot dkms status -m hugesg 2>/dev/null)
	left+=$(ls -d "$root/usr/src/hugesg-"* "$root"/lib/modules/*/updates/dkms/hugesg* 2>/dev/null)
	if [ -z "$left" ]; then
		pass "$what: no module, source or DKMS entry left"
	else
		fail "$what: no module, source or DKMS entry left"
		echo "$left" | note
	fi
}

mkdir -p "$out"
ver=$(cat "$top/VERSION")
# the ABI version of the tree, which the packaged header and tool must report
abi=$(sed -n 's/^#define HUGESG_ABI_VERSION[[:space:]]*\([0-9]*\).*/\1/p' "$top/include/uapi/linux/hugesg.h")
arch=$(dpkg --print-architecture)
debs="hugesg-dkms_${ver}_all.deb libhugesg1_${ver}_$arch.deb libhugesg-dev_${ver}_$arch.deb hugesg-tools_${ver}_$arch.deb"

echo "== packages: make deb, lintian"
t=$(date +%s)
if ! make -s -C "$top" deb >"$out/deb.log" 2>&1; then
	fail "deb: make deb"
	log_tail "$out/deb.log" 40
	finish
fi
missing=$(for d in $debs; do [ -f "$build/deb/$d" ] || echo "$d"; done)
if [ -n "$missing" ]; then
	fail "deb: make deb built $(echo $debs)"
	echo "missing: $missing" | note
	finish
fi
pass "deb: make deb built $(echo $debs) ($(since "$t"))"

t=$(date +%s)
changes=$build/deb/hugesg_${ver}_$arch.changes
# not as root when it can be helped (lintian says so)
if [ "$(id -u)" = 0 ] && runuser -u nobody -- test -r "$changes" 2>/dev/null; then
	runuser -u nobody -- env HOME=/tmp lintian -I --pedantic "$changes" >"$out/lintian.txt" 2>&1
else
	lintian -I --pedantic "$changes" >"$out/lintian.txt" 2>&1
fi
grep -vE '^N: |^N:$|running with root privileges' "$out/lintian.txt" | note
nerr=$(grep -c '^E: ' "$out/lintian.txt")
nwarn=$(grep -c '^W: ' "$out/lintian.txt")
if [ "$nerr" = 0 ]; then
	pass "lintian: no error, $nwarn warnings ($(since "$t"))"
else
	fail "lintian: $nerr errors, $nwarn warnings"
fi

echo "== chroot: DKMS for two kernels"
if [ "$(id -u)" != 0 ]; then
	fail "chroot: needs root (debootstrap, chroot, mount namespaces)"
	finish
fi
read -r k61 vmlinux61 _ < <("$rig/kernel.sh" 6.1) || k61=""
read -r k612 _ _ < <("$rig/kernel.sh" 6.12) || k612=""
if [ -z "$k61" ] || [ -z "$k612" ]; then
	fail "kernels: tests/vm/kernel.sh 6.1 and 6.12"
	finish
fi

t=$(date +%s)
mkdir -p "$cache" "$debcache/partial"
exec 9>"$cache/pkg-chroot.lock"
flock 9
if [ "$(cat "$base/.hugesg-base" 2>/dev/null)" != "$base_recipe" ]; then
	echo "  -- debootstrap --variant=minbase bookworm into $base (once)"
	if ! make_base; then
		fail "chroot: debootstrap --variant=minbase bookworm"
		log_tail "$out/debootstrap.log"
		finish
	fi
fi
rm -rf "$root"
cp -a "$base" "$root"
flock -u 9
# dpkg without an fsync per file: the copy is thrown away after the run
echo force-unsafe-io > "$root/etc/dpkg/dpkg.cfg.d/hugesg-unsafe-io"
# linux-headers-6.12 depends on its linux-image: no initramfs for it (the
# guest boots its own), minutes of compressing modules saved
in_chroot dpkg-divert --quiet --local --rename --divert /usr/sbin/update-initramfs.hugesg \
	--add /usr/sbin/update-initramfs
printf '#!/bin/sh\necho "update-initramfs: not in the hugesg package test" >&2\n' \
	> "$root/usr/sbin/update-initramfs"
chmod 755 "$root/usr/sbin/update-initramfs"
# apt's downloads older than 30 days go (a kernel of the past)
find "$debcache" -maxdepth 1 -name '*.deb' -mtime +30 -delete
pass "chroot: a fresh copy of the bookworm minbase ($(since "$t"))"

t=$(date +%s)
if ! in_chroot apt-get update -q >"$out/apt.log" 2>&1; then
	fail "chroot: apt-get update"
	log_tail "$out/apt.log"
	finish
fi
for k in "$k61" "$k612"; do
	if ! in_chroot apt-cache show "linux-headers-$k" >/dev/null 2>&1; then
		fail "chroot: linux-headers-$k is not in the archive any more (run apt-get update on the host: tests/vm/kernel.sh resolves from its lists)"
		finish
	fi
done
if in_chroot apt-get install -y -q --no-install-recommends dkms \
	"linux-headers-$k61" "linux-headers-$k612" libc6-dev pkgconf >>"$out/apt.log" 2>&1; then
	pass "chroot: dkms, linux-headers-$k61 and linux-headers-$k612 installed ($(since "$t"))"
else
	fail "chroot: dkms and the headers of $k61 and $k612"
	log_tail "$out/apt.log"
	finish
fi

t=$(date +%s)
mkdir -p "$root/tmp/debs"
for d in $debs; do cp "$build/deb/$d" "$root/tmp/debs/"; done
if in_chroot apt-get install -y -q --no-install-recommends \
	$(for d in $debs; do echo "/tmp/debs/$d"; done) >"$out/install.log" 2>&1; then
	pass "install: apt-get install of the four packages ($(since "$t"), DKMS builds included)"
else
	fail "install: apt-get install of the four packages"
	log_tail "$out/install.log" 40
fi
for k in "$k61" "$k612"; do
	modules_in "$k" "hugesg-dkms"
	magic=$(in_chroot modinfo -k "$k" -F vermagic hugesg_drv 2>/dev/null)
	dep=$(in_chroot modinfo -k "$k" -F depends hugesg_drv 2>/dev/null)
	check "hugesg-dkms: modinfo -k $k finds hugesg_drv (depends: $dep; vermagic ${magic%% *})" \
		test "${magic%% *}" = "$k" -a "$dep" = hugesg
done
lib=$(in_chroot ldd /usr/bin/hugesg 2>/dev/null | awk '$1 == "libhugesg.so.1" {print $3}')
check "hugesg-tools: /usr/bin/hugesg runs, linked to libhugesg.so.1 (${lib:-not found})" \
	eval 'test -n "$lib" && in_chroot hugesg --help >/dev/null 2>&1'
for p in libhugesg1 libhugesg-dev; do
	lib_licence "$p"
done
spdx=$(sed -n '1s/.*SPDX-License-Identifier: \(.*\) \*\//\1/p' "$root/usr/include/hugesg/libhugesg.h" 2>/dev/null)
check "libhugesg-dev: libhugesg.h says SPDX-License-Identifier: ${spdx:-none}" \
	test "$spdx" = "LGPL-2.1-or-later OR MIT"
headers=$(in_chroot dpkg -L libhugesg-dev 2>/dev/null | grep '^/usr/include/.*\.h$' | sort | tr '\n' ' ')
check "libhugesg-dev: headers ${headers:-none}" \
	test "$headers" = "/usr/include/hugesg/hugesg.h /usr/include/hugesg/libhugesg.h "
inlinux=$(in_chroot dpkg -L hugesg-dkms libhugesg1 libhugesg-dev hugesg-tools 2>/dev/null |
	grep '^/usr/include/linux/')
check "packages: nothing under /usr/include/linux/ (${inlinux:-none})" test -z "$inlinux"
cflags=$(echo $(in_chroot pkg-config --cflags hugesg 2>/dev/null))
check "libhugesg-dev: pkg-config --cflags hugesg: $cflags" test "$cflags" = "-I/usr/include/hugesg"
man=$(in_chroot dpkg -L hugesg-tools 2>/dev/null | grep -c '/man1/hugesg.1')
check "hugesg-tools: the manual page hugesg(1)" test "$man" = 1
cat > "$root/tmp/use-lib.c" <<'EOF'
#include <stdio.h>
#include <libhugesg.h>

int main(void)
{
	uint64_t v;
	char buf[32];

	if (hsg_parse_size("3G", &v) || v != 3 * HSG_PAGE_1G)
		return 1;
	printf("%s %s ABI %d\n", hsg_format_size(v, buf, sizeof(buf)),
	       hsg_engine_name(HUGESG_ENGINE_EDU), HUGESG_ABI_VERSION);
	return 0;
}
EOF
dev_out=$(in_chroot sh -c 'cd /tmp &&
	gcc -Wall -Werror -o use-lib use-lib.c $(pkg-config --cflags --libs hugesg) &&
	./use-lib && gcc -o use-lib-static use-lib.c $(pkg-config --cflags hugesg) \
		-l:libhugesg.a && ./use-lib-static' 2>&1)
check "libhugesg-dev: a program builds with pkg-config hugesg, shared and static (${dev_out//$'\n'/, })" \
	test "$dev_out" = "$(printf '3G edu ABI %s\n3G edu ABI %s' "$abi" "$abi")"
# <libhugesg.h> is found through pkg-config's -I only; <hugesg/libhugesg.h>
# needs none
sed 's|<libhugesg.h>|<hugesg/libhugesg.h>|' "$root/tmp/use-lib.c" > "$root/tmp/use-lib2.c"
check "libhugesg-dev: <libhugesg.h> needs pkg-config's -I; <hugesg/libhugesg.h> builds without" \
	eval '! in_chroot gcc -c -o /tmp/no.o /tmp/use-lib.c >/dev/null 2>&1 &&
		in_chroot sh -c "cd /tmp && gcc -Wall -Werror -o use-lib2 use-lib2.c -lhugesg && ./use-lib2" >/dev/null 2>&1'

# the guest's files, before the packages go
groot=$out/guest/initramfs
rm -rf "$out/guest"
mkdir -p "$groot/bin" "$groot/lib/modules"
cp /bin/busybox "$groot/bin/busybox"
install -m 755 "$top/tests/pkg/init" "$groot/init"
cp -a "$root/lib/modules/$k61" "$groot/lib/modules/"
rm -f "$groot/lib/modules/$k61/build" "$groot/lib/modules/$k61/source"
for z in "$groot/lib/modules/$k61"/updates/dkms/*.ko.xz; do
	[ -e "$z" ] || continue
	xz -d "$z"
	sed -i 's/\.ko\.xz/.ko/g' "$groot/lib/modules/$k61"/modules.dep
done
in_chroot sh -c 'for f in /usr/bin/hugesg $(ldd /usr/bin/hugesg | grep -oE "/[^ ]+"); do
		echo "$f $(readlink -f "$f")"; done' 2>/dev/null |
	while read -r f real; do
		install -D -m 755 "$root$real" "$groot$f"
	done
# the guest boots now, alongside the chroot's next steps
guest_pid=""
HUGESG_QEMU=$(qemu_bin)
if [ ! -x "$HUGESG_QEMU" ]; then
	fail "qemu: build of QEMU with hugesg-fpga"
	log_tail "$build/qemu-build.log"
elif [ ! -e "$groot/lib/modules/$k61/updates/dkms/hugesg_drv.ko" ] || [ ! -x "$groot/usr/bin/hugesg" ]; then
	fail "guest: the modules and the tool from the chroot"
else
	export HUGESG_QEMU
	(cd "$groot" && find . | cpio -o -H newc --quiet) > "$out/guest/initramfs.cpio"
	t_guest=$(date +%s)
	(boot "$vmlinux61" "$out/guest" "$timeout_s"; rc=$?; date +%s > "$out/guest/end"; exit $rc) &
	guest_pid=$!
fi

echo "== chroot: removal, and make dkms-install without packages"
t=$(date +%s)
if in_chroot apt-get purge -y -q hugesg-dkms >"$out/purge.log" 2>&1; then
	pass "purge: apt-get purge hugesg-dkms ($(since "$t"))"
else
	fail "purge: apt-get purge hugesg-dkms"
	log_tail "$out/purge.log"
fi
modules_gone "purge"

t=$(date +%s)
mkdir -p "$root/tmp/src"
tar -C "$top" -cf - --exclude='*.o' --exclude='*.ko' --exclude='*.mod' --exclude='*.mod.c' \
	--exclude='.*.cmd' --exclude=Module.symvers --exclude=modules.order \
	Makefile VERSION dkms.conf lib tools kernel include | tar -C "$root/tmp/src" -xf -
if in_chroot make -C /tmp/src dkms-install DKMS_KERNELS="$k61 $k612" >"$out/dkms-install.log" 2>&1; then
	pass "make dkms-install DKMS_KERNELS=\"$k61 $k612\" ($(since "$t"))"
else
	fail "make dkms-install DKMS_KERNELS=\"$k61 $k612\""
	log_tail "$out/dkms-install.log"
fi
for k in "$k61" "$k612"; do
	modules_in "$k" "make dkms-install"
done
if in_chroot make -C /tmp/src dkms-uninstall >"$out/dkms-uninstall.log" 2>&1; then
	modules_gone "make dkms-uninstall"
else
	fail "make dkms-uninstall"
	log_tail "$out/dkms-uninstall.log"
fi
remove_chroot

echo "== guest: $k61 with the DKMS modules and the packaged hugesg"
[ -n "$guest_pid" ] || finish
wait "$guest_pid"
brc=$?
res=$out/guest/results.txt
# section NAME: the output of one command of the guest's init
section() { sed -n "/^@@ BEGIN $1\$/,/^@@ END $1 /p" "$res" | sed '1d;$d'; }
rc_of() { sed -n "s/^@@ END $1 rc=//p" "$res"; }
if [ $brc -eq 124 ]; then
	fail "guest: hung, killed after ${timeout_s}s"
	tail -n 30 "$out/guest/console.log" | sed 's/^/    | /'
elif ! grep -q '^@@ DONE' "$res"; then
	fail "guest: did not run to the end (qemu rc=$brc)"
	tail -n 30 "$out/guest/console.log" | sed 's/^/    | /'
else
	pass "guest: ran to the end in $(($(cat "$out/guest/end") - t_guest))s"
fi
check "guest: modprobe hugesg_drv loads hugesg and hugesg_drv" \
	eval '[ "$(rc_of modprobe)" = 0 ] && section modules | grep -q "^hugesg_drv " && section modules | grep -q "^hugesg "'
gver=$(section version | tr '\n' ' ')
check "guest: /sys/module/{hugesg,hugesg_drv}/version: ${gver:-none}" \
	test "$gver" = "$ver $ver "
section info | note
info=$(section info)
check "guest: hugesg info exits 0" test "$(rc_of info)" = 0
for want in "module hugesg: loaded" "module hugesg_drv: loaded" \
	"device /dev/hugesg: ABI version $abi (this tool: $abi)" \
	"engine fpga: found, behind a translating IOMMU" \
	"engine edu: found, behind a translating IOMMU" "devices: 3"; do
	check "guest: hugesg info says '$want'" eval 'echo "$info" | grep -qF "$want"'
done
check "guest: hugesg info lists both hugesg-fpga boards, ready behind a strict IOMMU" \
	test "$(echo "$info" | grep -cE '^  device [0-9]+: fpga [0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7], IOMMU strict, ready$')" = 2
section copy | note
check "guest: hugesg copy through edu" test "$(rc_of copy)" = 0
section stream | note
check "guest: hugesg stream of 64M through a ring of 8M" \
	eval '[ "$(rc_of stream)" = 0 ] && section stream | grep -q "67108864 bytes verified, 0 mismatches"'
check "guest: modprobe -r hugesg_drv hugesg" test "$(rc_of rmmod)" = 0
if problems=$("$rig/scan-log.sh" "$out/guest/console.log"); then
	pass "guest: log: no kernel report"
else
	fail "guest: log: kernel reports"
	echo "$problems" | head -n 20 | sed 's/^/    | /'
fi
finish
