#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Make one Debian kernel available to the rig, without installing it on the
# host: the image and headers packages are downloaded and unpacked into the
# cache, the uncompressed vmlinux is extracted for PVH boot.
#
# usage: kernel.sh SERIES        (SERIES: 5.10, 6.1, 6.12, 7.x, or one of
#                                 ours: debug, 7.2-iommufd, upstream)
# prints: KREL VMLINUX KDIR      (release, bootable image, module build dir)
# env:   HUGESG_UPSTREAM (series upstream: the folder of the patch series,
#        default upstream/ of the repository; a scratch series to try the
#        lane with)
#
# Headers whose compiler is newer than the host's gcc-12 (7.x: sid's gcc-16,
# with kbuild tools linked against sid's glibc) are left as they are: the
# rig builds their modules inside a sid chroot (tests/vm/sid-chroot.sh,
# chosen by build_modules in rig-lib.sh from .kernelvariables' compiler).
set -eu
series=$1
cache=${HUGESG_CACHE:-/var/cache/hugesg}
here=$(cd "$(dirname "$0")" && pwd)

apt_known() { apt-cache show "$1" >/dev/null 2>&1; }

# 5.10 is Debian 11's kernel: bullseye's suites go into apt's sources of
# their own, pinned to 100 so that nothing on the host is upgraded from them
# or switched to them (only packages asked for by name, and absent from the
# host's release, are taken from bullseye).  Done once; apt-get update when
# either file changed.
bullseye_sources() {
	local src=/etc/apt/sources.list.d/hugesg-bullseye.sources
	local pin=/etc/apt/preferences.d/hugesg-bullseye
	local want_src want_pin
	want_src=$(cat <<-EOF
		# Added by hugesg tests/vm/kernel.sh: Debian 11's 5.10 kernel
		Types: deb
		URIs: http://deb.debian.org/debian
		Suites: bullseye bullseye-updates
		Components: main
		Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

		Types: deb
		URIs: http://deb.debian.org/debian-security
		Suites: bullseye-security
		Components: main
		Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
		EOF
	)
	want_pin=$(cat <<-EOF
		# Added by hugesg tests/vm/kernel.sh: bullseye only when asked for
		Package: *
		Pin: release n=bullseye*
		Pin-Priority: 100
		EOF
	)
	apt_source_files bullseye 100 "$src" "$want_src" "$pin" "$want_pin"
}

# apt_source_files SUITE PRIO SRC WANT_SRC PIN WANT_PIN: write apt's sources
# and preferences files for SUITE when they differ, then apt-get update
apt_source_files() {
	local suite=$1 prio=$2 src=$3 want_src=$4 pin=$5 want_pin=$6
	if [ "$(cat "$src" 2>/dev/null)" = "$want_src" ] &&
		[ "$(cat "$pin" 2>/dev/null)" = "$want_pin" ]; then
		return 0
	fi
	if [ "$(id -u)" != 0 ]; then
		echo "kernel.sh: series $series needs $suite in apt's sources (run as root)" >&2
		exit 1
	fi
	echo "kernel.sh: adding $suite to apt's sources ($src, pinned to $prio)" >&2
	# the pin first: no moment with the suite in the sources unpinned
	printf '%s\n' "$want_pin" > "$pin"
	printf '%s\n' "$want_src" > "$src"
	apt-get update -qq >&2
}

# 7.x is Debian unstable's kernel: sid goes into apt's sources of its own,
# pinned to 50, below the installed versions (100), so that no installed
# package is ever upgraded from sid, whatever its origin; only packages that
# the host does not have and that are asked for by name come from sid.  The
# rig only downloads from it (the packages here, debootstrap's own fetches
# for tests/vm/sid-chroot.sh are separate).
sid_sources() {
	local src=/etc/apt/sources.list.d/hugesg-sid.sources
	local pin=/etc/apt/preferences.d/hugesg-sid
	local want_src want_pin
	want_src=$(cat <<-EOF
		# Added by hugesg tests/vm/kernel.sh: Debian unstable's 7.x kernel
		Types: deb
		URIs: http://deb.debian.org/debian
		Suites: sid
		Components: main
		Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
		EOF
	)
	want_pin=$(cat <<-EOF
		# Added by hugesg tests/vm/kernel.sh: sid only when asked for
		Package: *
		Pin: release n=sid
		Pin-Priority: 50
		EOF
	)
	apt_source_files sid 50 "$src" "$want_src" "$pin" "$want_pin"
}

# the kernels of ours are built (tests/vm/own-kernel.sh), not downloaded:
# the debug kernel of `make test-debug`, and the benchmark's 7.2 with
# iommufd (Debian's kernels have no CONFIG_IOMMUFD), and `make
# test-upstream`'s 7.2 with the series of upstream/ applied: its
# format-patch files in order, without the cover letter (0000, no patch),
# and the series' own options only when the series defines them (they do
# not exist without it, and every fragment line must take)
case $series in
debug)	exec "$here/own-kernel.sh" debug 6.1 "$here/rig.config" \
		"$here/../debug/debug.config" ;;
7.2-iommufd)
	exec "$here/own-kernel.sh" -c gcc-16 7.2-iommufd 7.2 "$here/rig.config" \
		"$here/../../bench/iommufd.config" ;;
upstream)
	# (linux-source-7.2 is sid's: make test-upstream alone on a fresh
	# machine has not fetched 7.x before)
	sid_sources
	up=${HUGESG_UPSTREAM:-$here/../../upstream}
	series_patches=$(ls "$up"/[0-9][0-9][0-9][0-9]-*.patch 2>/dev/null |
		grep -v '/0000-[^/]*$' | sort || true)
	frags=("$here/rig.config" "$here/../upstream/upstream.config")
	# series.config once the series defines each of its options (a draft
	# without its KUnit suite still builds; the lane then fails for the
	# missing suite)
	if [ -n "$series_patches" ] &&
		sed -n 's/^CONFIG_\([A-Z0-9_]*\)=.*/\1/p' "$here/../upstream/series.config" |
		while read -r opt; do
			grep -qx "+config $opt" $series_patches || exit 1
		done; then
		frags+=("$here/../upstream/series.config")
	fi
	exec "$here/own-kernel.sh" -c gcc-16 upstream 7.2 "${frags[@]}" \
		-- $series_patches ;;
esac

resolve() {
	case $series in
	5.10)	# the newest 5.10 of bullseye and bullseye-security
		apt-cache search --names-only '^linux-image-5\.10\.[0-9]+-[0-9]+-amd64$' |
			awk '{print $1}' | sort -V | tail -n 1 ;;
	6.1)	# the bookworm default kernel, through its meta package
		apt-cache depends linux-image-amd64 2>/dev/null |
			awk '/Depends: linux-image-6\.1\.[0-9]+-[0-9]+-amd64$/ {print $2; exit}' ;;
	6.12)	# the newest 6.12 of bookworm-security
		apt-cache search --names-only '^linux-image-6\.12\.[0-9]+\+deb12-amd64$' |
			awk '{print $1}' | sort -V | tail -n 1 ;;
	7.x)	# the newest 7.x of sid, generic flavour (not cloud, rt or dbg);
		# names carry a moving ABI: 7.2.13+deb14-amd64 or 7.0.0-1-amd64
		apt-cache search --names-only '^linux-image-7\.[0-9][^ -]*(-[0-9]+)?-amd64$' |
			awk '{print $1}' | sort -V | tail -n 1 ;;
	*)	echo "kernel.sh: unknown kernel series '$series' (known: 5.10 6.1 6.12 7.x debug 7.2-iommufd upstream)" >&2
		exit 2 ;;
	esac
}

[ "$series" = 5.10 ] && bullseye_sources
[ "$series" = 7.x ] && sid_sources
img=$(resolve)
if [ -z "$img" ]; then
	apt-get update -qq >&2
	img=$(resolve)
fi
[ -n "$img" ] || { echo "kernel.sh: no Debian package found for $series" >&2; exit 1; }
krel=${img#linux-image-}
dir=$cache/kernels/$krel
kdir=$dir/root/usr/src/linux-headers-$krel

if [ ! -e "$dir/ready" ]; then
	echo "kernel.sh: fetching $krel" >&2
	rm -rf "$dir"
	mkdir -p "$dir/debs" "$dir/root"
	hdr=linux-headers-$krel
	apt_known "$hdr" || apt-get update -qq >&2
	# the headers' own dependencies that hold the tree: -common and kbuild
	deps=$(apt-cache depends "$hdr" |
		awk '/Depends: linux-(headers-.*-common|kbuild-).*/ {print $2}' | sort -u)
	# since 7.x the image package is a meta package: the kernel itself is
	# in linux-binary-KREL (signed; -unsigned has the same vmlinuz)
	deps="$deps $(apt-cache depends "$img" |
		awk '/Depends: linux-binary-/ {print $2}' | sort -u)"
	(cd "$dir/debs" && apt-get download -q "$img" "$hdr" $deps >&2) 2>&1 |
		grep -v 'unsandboxed' >&2 || true
	for deb in "$dir"/debs/*.deb; do
		dpkg-deb -x "$deb" "$dir/root"
	done
	# the arch Makefile includes the -common tree by absolute path (and
	# since 7.x names itself as KBUILD_OUTPUT, by absolute path too)
	sed -i -e "s|^include /usr/src/|include $dir/root/usr/src/|" \
		-e "s|^KBUILD_OUTPUT=/usr/src/|KBUILD_OUTPUT=$dir/root/usr/src/|" "$kdir/Makefile"
	# the headers name their release's compiler (.kernelvariables: gcc-10
	# for bullseye's 5.10, which bookworm does not have): the rig builds
	# every series up to gcc-12 with the host's gcc-12, warning-free with
	# W=1 and sparse; newer ones keep theirs and are built in the sid chroot
	sed -i -E 's/\<gcc-([0-9]|1[0-2])$/gcc-12/' "$kdir/.kernelvariables"
	# since 7.0 the Makefile checks that sparse knows __typeof_unqual__
	# before C=1 ("compiler: Use __typeof_unqual__() for
	# __unqual_scalar_typeof()", adc00a0daf1b) with scripts/checker-valid.sh,
	# which linux-kbuild-7.2 does not ship: C=1 would quietly become C=0
	# (sid's sparse passes the check).  The same check, where it is missing:
	kbuild_scripts=$(readlink -f "$kdir/scripts")
	if grep -qs 'scripts/checker-valid.sh' "$dir"/root/usr/src/linux-headers-*-common/Makefile &&
		[ ! -e "$kbuild_scripts/checker-valid.sh" ]; then
		cat > "$kbuild_scripts/checker-valid.sh" <<-'EOF'
			#!/bin/sh -eu
			# SPDX-License-Identifier: GPL-2.0
			# Added by hugesg tests/vm/kernel.sh, as the kernel's own: prints 1
			# when the checker "$@" parses __typeof_unqual__ without error.
			[ ! -x "$(command -v "$1")" ] && exit 1
			tmp_file=$(mktemp)
			trap 'rm -f "$tmp_file"' EXIT
			printf '%s\n' 'static inline int u(const int *q)' '{' \
				'	__typeof_unqual__(*q) v = *q;' '	return v;' '}' >"$tmp_file"
			"$@" "$tmp_file" 2>&1 | awk -v c=1 '/error/{c=0}END{print c}'
			EOF
		chmod 755 "$kbuild_scripts/checker-valid.sh"
	fi
	# /boot/vmlinuz-KREL up to 6.12, /usr/lib/modules/KREL/vmlinuz since
	vmlinuz=$dir/root/boot/vmlinuz-$krel
	[ -e "$vmlinuz" ] || vmlinuz=$dir/root/usr/lib/modules/$krel/vmlinuz
	"$here/extract-vmlinux.sh" "$vmlinuz" "$dir/vmlinux"
	rm -rf "$dir/debs" "$dir/root/lib/modules" "$dir/root/usr/lib/modules"
	touch "$dir/ready"
fi
echo "$krel $dir/vmlinux $kdir"
