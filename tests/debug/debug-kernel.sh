#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the debug kernel of `make test-debug` once: Debian's linux-source-6.1,
# x86_64 tinyconfig plus tests/debug/debug.config (KASAN, kmemleak, lockdep,
# DMA-API debugging, fault injection, KUnit).  The build is cached outside
# the repository, keyed by the fragment, the source package and the
# compiler, so only a fresh machine (or a changed fragment) pays for it.
#
# usage: debug-kernel.sh
# prints: KREL IMAGE KDIR   (as tests/vm/kernel.sh does; IMAGE is a bzImage)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cache=${HUGESG_CACHE:-/var/cache/hugesg}
frag=$here/debug.config
srcdir=$cache/src

deb=$(ls "$srcdir"/linux-source-6.1_*_all.deb 2>/dev/null | sort -V | tail -n 1)
if [ -z "$deb" ]; then
	mkdir -p "$srcdir"
	(cd "$srcdir" && apt-get download -q linux-source-6.1 2>&1 | grep -v unsandboxed) >&2 || true
	deb=$(ls "$srcdir"/linux-source-6.1_*_all.deb 2>/dev/null | sort -V | tail -n 1)
	[ -n "$deb" ] || { echo "debug-kernel.sh: cannot download linux-source-6.1" >&2; exit 1; }
fi
ver=$(dpkg-deb -f "$deb" Version)
key=$( { cat "$frag"; echo "$ver"; gcc-12 --version | head -n 1; } | sha256sum | cut -c1-12)
dir=$cache/debug-kernel/$key
tree=$srcdir/linux-6.1-$ver

if [ ! -e "$dir/ready" ]; then
	if [ ! -e "$tree/.unpacked" ]; then
		echo "debug-kernel.sh: unpacking linux-source-6.1 $ver" >&2
		rm -rf "$tree" "$tree.tmp"
		mkdir -p "$tree.tmp"
		dpkg-deb --fsys-tarfile "$deb" | tar -x -O ./usr/src/linux-source-6.1.tar.xz |
			xz -dc | tar -x -C "$tree.tmp" --strip-components=1
		mv "$tree.tmp" "$tree"
		touch "$tree/.unpacked"
	fi
	echo "debug-kernel.sh: building the debug kernel ($key, about 10-15 minutes)" >&2
	rm -rf "$dir"
	mkdir -p "$dir/build"
	mk() { make -s -C "$tree" O="$dir/build" ARCH=x86_64 CC=gcc-12 HOSTCC=gcc-12 "$@"; }
	{
		mk tinyconfig
		"$tree/scripts/kconfig/merge_config.sh" -m -O "$dir/build" \
			"$dir/build/.config" "$frag"
		mk olddefconfig
		# every line of the fragment must have survived olddefconfig
		grep -E '^CONFIG_[A-Z0-9_]+=' "$frag" | while IFS== read -r opt val; do
			if [ "$val" = n ]; then
				! grep -q "^$opt=" "$dir/build/.config"
			else
				grep -qx "$opt=$val" "$dir/build/.config"
			fi || { echo "debug-kernel.sh: $opt=$val did not take" >&2; exit 1; }
		done
		# modules: none are configured, but it writes Module.symvers
		mk -j"$(nproc)" bzImage modules modules_prepare
		# out-of-tree modules must use the kernel's own compiler (the
		# kernel warns otherwise): gcc-12, named as it was for the build
		sed -i "1a override CC := gcc-12" "$dir/build/Makefile"
	} > "$dir/build.log" 2>&1 || {
		tail -n 40 "$dir/build.log" >&2
		exit 1
	}
	touch "$dir/ready"
fi
krel=$(cat "$dir/build/include/config/kernel.release")
# the bzImage, not vmlinux: 6.1's PVH entry code (xen_prepare_pvh) is
# instrumented by KASAN and faults before KASAN's shadow exists
echo "$krel $dir/build/arch/x86/boot/bzImage $dir/build"
