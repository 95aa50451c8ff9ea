#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A minimal Debian sid chroot, kept in the cache outside the repository, in
# which the rig builds modules for kernels that need sid's toolchain: 7.x's
# headers name gcc-16 and its kbuild tools (fixdep, modpost, objtool) are
# linked against sid's glibc, neither of which a Debian 12 host has.
#
# usage: sid-chroot.sh create [PKG...]
#            create the chroot once (debootstrap --variant=minbase sid, with
#            the build tools below), then install each PKG that is missing
#            (the compiler the headers name, e.g. gcc-16); prints its path
#        sid-chroot.sh run [-b DIR]... [-C DIR] [--] CMD [ARG...]
#            run CMD inside with /proc and /dev mounted and each DIR of -b
#            bind-mounted at the same path, so that paths are the same inside
#            and outside; CMD starts in the directory of -C (default /).  The
#            mounts are made in a mount namespace of their own (unshare), so
#            they are gone when CMD ends, however it ends, and the host never
#            sees them.
# env:   HUGESG_CACHE (default /var/cache/hugesg), HUGESG_SID_CHROOT (the
#        chroot, default $HUGESG_CACHE/sid-chroot), HUGESG_SID_MIRROR
set -eu
cache=${HUGESG_CACHE:-/var/cache/hugesg}
root=${HUGESG_SID_CHROOT:-$cache/sid-chroot}
mirror=${HUGESG_SID_MIRROR:-http://deb.debian.org/debian}
marker=$root/.hugesg-ready
# besides the compiler: make, sparse for C=1, pahole for the modules' BTF,
# and the libraries of the kbuild tools (as linux-kbuild-7.* depends)
base="make sparse pahole libelf1t64 libssl3t64 zlib1g"

die() { echo "sid-chroot: $*" >&2; exit 1; }

# anything mounted under the chroot (a run interrupted outside a namespace
# of its own, by hand): never remove the tree through a bind mount
mounted_under() { awk -v r="$root/" 'index($2 "/", r) == 1' /proc/self/mounts | grep -q .; }

missing() {
	local p
	for p in "$@"; do
		chroot "$root" dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
			grep -q '^install ok installed' || echo "$p"
	done
}

create() {
	local log=$cache/sid-chroot.log todo start
	[ "$(id -u)" = 0 ] || die "creating the chroot needs root"
	# one creator at a time (make check's lanes): a second waits, then
	# finds the chroot made and its packages installed
	mkdir -p "$(dirname "$root")"
	exec 8>"$root.lock"
	flock 8
	if [ ! -e "$marker" ]; then
		mounted_under && die "something is mounted under $root: unmount it first"
		command -v debootstrap >/dev/null || die "debootstrap is missing (tests/vm/install-deps.sh)"
		echo "sid-chroot: creating $root (debootstrap --variant=minbase sid, log: $log)" >&2
		start=$(date +%s)
		rm -rf "$root"
		mkdir -p "$root"
		if ! debootstrap --variant=minbase --include="$(echo $base "$@" | tr ' ' ,)" \
			sid "$root" "$mirror" >"$log" 2>&1; then
			tail -n 20 "$log" >&2
			die "debootstrap failed"
		fi
		# sid's Release files may be older than their Valid-Until on a
		# snapshot mirror; the chroot is refreshed by apt-get update only
		printf 'Acquire::Check-Valid-Until "false";\n' \
			> "$root/etc/apt/apt.conf.d/99hugesg"
		chroot "$root" apt-get clean
		echo "$base" > "$marker"
		echo "sid-chroot: created in $(($(date +%s) - start))s" >&2
	fi
	todo=$(missing "$@")
	if [ -n "$todo" ]; then
		echo "sid-chroot: installing $(echo $todo)" >&2
		run -- sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -q --no-install-recommends "$@" && apt-get clean' \
			sh $todo >&2
	fi
	echo "$root"
}

run() {
	local binds=() wd=/
	while [ $# -gt 0 ]; do
		case $1 in
		-b)	binds+=("$(readlink -f "$2")"); shift 2 ;;
		-C)	wd=$2; shift 2 ;;
		--)	shift; break ;;
		*)	break ;;
		esac
	done
	[ $# -gt 0 ] || die "run: no command"
	[ -e "$marker" ] || die "no chroot at $root: sid-chroot.sh create"
	unshare --mount --propagation private -- \
		"$0" __inside "$wd" "${#binds[@]}" "${binds[@]}" "$@"
}

# in the new mount namespace: mount, then run the command chrooted
inside() {
	local wd=$1 n=$2 d
	shift 2
	mount -t proc proc "$root/proc"
	mount --rbind /dev "$root/dev"
	while [ "$n" -gt 0 ]; do
		d=$1
		shift
		n=$((n - 1))
		mkdir -p "$root$d"
		mount --bind "$d" "$root$d"
	done
	exec chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 \
		PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin \
		sh -c 'cd "$1" && shift && exec "$@"' sh "$wd" "$@"
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case $cmd in
create)	create "$@" ;;
run)	run "$@" ;;
__inside) inside "$@" ;;
*)	echo "usage: sid-chroot.sh create [PKG...] | run [-b DIR]... [-C DIR] [--] CMD [ARG...]" >&2
	exit 2 ;;
esac
