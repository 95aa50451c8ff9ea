#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build a kernel of ours once: Debian's linux-source-SOURCE, x86_64
# tinyconfig plus the fragments, in order, and the patches, in order, on a
# copy of the source.  The build is cached outside the repository in
# $HUGESG_CACHE/NAME-kernel/KEY, KEY from the fragments, the patches, the
# source package's version and the compiler, so only a fresh machine (or a
# changed fragment or patch) pays for it.  Every CONFIG_ line of the
# fragments must survive olddefconfig, or the build fails.
#
# A changed patch does not pay for a whole build again: when the cache holds
# a ready build of the same NAME, fragments, source version and compiler
# (its base key) made with patches, the new key's directory is seeded with
# a copy of its source and build (the mtimes kept), its patches
# (kept in DIR/patches) are reverse-applied, the new ones applied, and make
# rebuilds only what they touched.
#
# The compiler is the host's gcc-12 unless -c names another; one the host
# does not have (gcc-16, that of Debian's 7.x) builds inside the sid chroot
# (tests/vm/sid-chroot.sh), and so do the modules then (build_modules in
# rig-lib.sh reads the compiler from the build's Makefile).
#
# usage: own-kernel.sh [-c gcc-N] NAME SOURCE FRAGMENT... [-- PATCH...]
#        e.g. own-kernel.sh debug 6.1 tests/vm/rig.config tests/debug/debug.config
# prints: KREL IMAGE KDIR   (as tests/vm/kernel.sh does; IMAGE is a bzImage)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cc=gcc-12
[ "${1:-}" = -c ] && { cc=$2; shift 2; }
[ $# -ge 3 ] || { echo "usage: own-kernel.sh [-c gcc-N] NAME SOURCE FRAGMENT... [-- PATCH...]" >&2; exit 2; }
name=$1 src=$2
shift 2
frags=() patches=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do frags+=("$(readlink -f "$1")"); shift; done
[ $# -gt 0 ] && shift
for p in "$@"; do patches+=("$(readlink -f "$p")"); done
cache=${HUGESG_CACHE:-/var/cache/hugesg}
srcdir=$cache/src
me="own-kernel.sh ($name)"
# on the host, or in the sid chroot (the cache bind-mounted at its path)
inside=()
if ! command -v "$cc" >/dev/null; then
	"$here/sid-chroot.sh" create "$cc" libc6-dev make flex bison bc libelf-dev \
		libssl-dev xz-utils >/dev/null
	inside=("$here/sid-chroot.sh" run -b "$cache" --)
fi

newest_deb() { ls "$srcdir"/linux-source-"$src"_*_all.deb 2>/dev/null | sort -V | tail -n 1; }
deb=$(newest_deb)
if [ -z "$deb" ]; then
	mkdir -p "$srcdir"
	(cd "$srcdir" && apt-get download -q "linux-source-$src" 2>&1 | grep -v unsandboxed) >&2 || true
	deb=$(newest_deb)
	[ -n "$deb" ] || { echo "$me: cannot download linux-source-$src" >&2; exit 1; }
fi
ver=$(dpkg-deb -f "$deb" Version)
# (with no patch, the key of the fragments alone: the same as before
# patches could be given)
ccver=$("${inside[@]}" "$cc" --version | head -n 1)
key=$( { cat "${frags[@]}"; echo "$ver"; echo "$ccver"
	[ ${#patches[@]} -eq 0 ] || cat "${patches[@]}"; } | sha256sum | cut -c1-12)
# the key without the patches: the builds an incremental one may start from
basekey=$( { cat "${frags[@]}"; echo "$ver"; echo "$ccver"; } | sha256sum | cut -c1-12)
dir=$cache/$name-kernel/$key
tree=$srcdir/linux-$src-$ver

# seed_from BASE: the new build as a copy of BASE (a ready build with the
# same base key) with BASE's patches reverse-applied and ours applied.  The
# source is a tree of hard links to BASE's (seconds, not the minutes of a
# copy of 1.8 GB): nothing writes into a source tree but patch, which
# writes each file it patches anew, so BASE's files stay as they are; the
# build, which make rewrites in place, is a real copy.
# The build's .cmd files name the source and the build by absolute path
# (an O= build outside the source), and kbuild rebuilds every object whose
# command line changed: they are made to name the new directory, their
# mtimes kept.  A file the patches touched but left as it was in BASE gets
# BASE's mtime back, so that only what really changed is rebuilt.
seed_from() {
	local base=$1 p f i
	local -a old=("$base"/patches/*)
	rm -rf "$dir"
	mkdir -p "$dir"
	cp -al "$base/src" "$dir/src" && cp -a "$base/build" "$dir/build" || return 1
	for ((i = ${#old[@]} - 1; i >= 0; i--)); do
		patch -d "$dir/src" -p1 -R -s < "${old[i]}" || return 1
	done
	for p in "${patches[@]}"; do
		patch -d "$dir/src" -p1 -s < "$p" || return 1
	done
	sed -n 's|^+++ b/\([^[:space:]]*\).*|\1|p' "${old[@]}" "${patches[@]}" | sort -u |
	while read -r f; do
		if [ -e "$dir/src/$f" ] && cmp -s "$dir/src/$f" "$base/src/$f"; then
			touch -r "$base/src/$f" "$dir/src/$f"
		fi
	done
	find "$dir/build" -name '*.cmd' -type f -exec grep -lF "$base/" {} + |
	while read -r f; do
		sed "s|$base/|$dir/|g" "$f" > "$f.new" && touch -r "$f" "$f.new" &&
			mv "$f.new" "$f" || exit 1
	done
}

if [ ! -e "$dir/ready" ]; then
	if [ ! -e "$tree/.unpacked" ]; then
		echo "$me: unpacking linux-source-$src $ver" >&2
		rm -rf "$tree" "$tree.tmp"
		mkdir -p "$tree.tmp"
		dpkg-deb --fsys-tarfile "$deb" | tar -x -O "./usr/src/linux-source-$src.tar.xz" |
			xz -dc | tar -x -C "$tree.tmp" --strip-components=1
		mv "$tree.tmp" "$tree"
		touch "$tree/.unpacked"
	fi
	start=$(date +%s)
	# the newest ready build of the same base key made with patches (a
	# real directory: an entry that links to one names it too)
	base=""
	if [ ${#patches[@]} -gt 0 ]; then
		for d in $(ls -td "$cache/$name-kernel"/*/ready 2>/dev/null); do
			d=${d%/ready}
			if [ ! -L "$d" ] && [ -d "$d/src" ] && [ -d "$d/patches" ] &&
				[ "$(cat "$d/basekey" 2>/dev/null)" = "$basekey" ]; then
				base=$d
				break
			fi
		done
	fi
	if [ -n "$base" ] && seed_from "$base"; then
		echo "$me: rebuilding the kernel ($key) from ${base##*/}: only what the patches changed" >&2
		tree=$dir/src
	else
		[ -n "$base" ] && echo "$me: cannot start from ${base##*/}: a whole build" >&2
		base=""
		echo "$me: building the kernel ($key, 10-20 minutes)" >&2
		rm -rf "$dir"
		mkdir -p "$dir/build"
		if [ ${#patches[@]} -gt 0 ]; then
			cp -a "$tree" "$dir/src"
			tree=$dir/src
			for p in "${patches[@]}"; do
				patch -d "$tree" -p1 -s < "$p" ||
					{ echo "$me: $p does not apply" >&2; exit 1; }
			done
		fi
	fi
	# the patches as applied, in order, for an incremental build after them
	if [ ${#patches[@]} -gt 0 ]; then
		rm -rf "$dir/patches"
		mkdir -p "$dir/patches"
		i=0
		for p in "${patches[@]}"; do
			i=$((i + 1))
			cp "$p" "$dir/patches/$(printf %04d $i)-${p##*/}"
		done
	fi
	echo "$basekey" > "$dir/basekey"
	mk() { "${inside[@]}" make -s -C "$tree" O="$dir/build" ARCH=x86_64 CC="$cc" HOSTCC="$cc" "$@"; }
	cat "${frags[@]}" > "$dir/fragments.config"
	# (each step after the one before: set -e does not stop a function
	# whose status is tested)
	build() {
		mk tinyconfig &&
		"${inside[@]}" "$tree/scripts/kconfig/merge_config.sh" -m -O "$dir/build" \
			"$dir/build/.config" "$dir/fragments.config" &&
		mk olddefconfig &&
		# every line of the fragments must have survived olddefconfig
		grep -E '^CONFIG_[A-Z0-9_]+=' "$dir/fragments.config" |
		while IFS='=' read -r opt val; do
			if [ "$val" = n ]; then
				! grep -q "^$opt=" "$dir/build/.config"
			else
				grep -qxF "$opt=$val" "$dir/build/.config"
			fi || { echo "$me: $opt=$val did not take" >&2; exit 1; }
		done &&
		# modules: none may be configured, but it writes Module.symvers
		mk -j"$(nproc)" bzImage modules modules_prepare &&
		# out-of-tree modules must use the kernel's own compiler (the
		# kernel warns otherwise), named as it was for the build
		sed -i "1a override CC := $cc" "$dir/build/Makefile"
	}
	if ! build > "$dir/build.log" 2>&1; then
		tail -n 40 "$dir/build.log" >&2
		exit 1
	fi
	if [ -n "$base" ]; then
		echo "$me: rebuilt incrementally from ${base##*/} in $(($(date +%s) - start)) s"
	else
		echo "$me: built in $(($(date +%s) - start)) s"
	fi | tee -a "$dir/build.log" >&2
	touch "$dir/ready"
fi
# (an entry may link to a build of the same configuration: its real path,
# which the build's own files name, for the sid chroot's bind mounts)
dir=$(readlink -f "$dir")
krel=$(cat "$dir/build/include/config/kernel.release")
# the bzImage, not vmlinux: 6.1's PVH entry code (xen_prepare_pvh) is
# instrumented by KASAN and faults before KASAN's shadow exists
echo "$krel $dir/build/arch/x86/boot/bzImage $dir/build"
