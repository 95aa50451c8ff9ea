#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Make one Debian kernel available to the rig, without installing it on the
# host: the image and headers packages are downloaded and unpacked into the
# cache, the uncompressed vmlinux is extracted for PVH boot.
#
# usage: kernel.sh SERIES        (SERIES: 5.10, 6.1 or 6.12)
# prints: KREL VMLINUX KDIR      (release, bootable image, module build dir)
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
	if [ "$(cat "$src" 2>/dev/null)" = "$want_src" ] &&
		[ "$(cat "$pin" 2>/dev/null)" = "$want_pin" ]; then
		return 0
	fi
	if [ "$(id -u)" != 0 ]; then
		echo "kernel.sh: series 5.10 needs bullseye in apt's sources (run as root)" >&2
		exit 1
	fi
	echo "kernel.sh: adding bullseye to apt's sources ($src, pinned to 100)" >&2
	# the pin first: no moment with bullseye in the sources unpinned
	printf '%s\n' "$want_pin" > "$pin"
	printf '%s\n' "$want_src" > "$src"
	apt-get update -qq >&2
}

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
	*)	echo "kernel.sh: unknown kernel series '$series' (known: 5.10 6.1 6.12)" >&2
		exit 2 ;;
	esac
}

[ "$series" = 5.10 ] && bullseye_sources
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
	(cd "$dir/debs" && apt-get download -q "$img" "$hdr" $deps >&2) 2>&1 |
		grep -v 'unsandboxed' >&2 || true
	for deb in "$dir"/debs/*.deb; do
		dpkg-deb -x "$deb" "$dir/root"
	done
	# the arch Makefile includes the -common tree by absolute path
	sed -i "s|^include /usr/src/|include $dir/root/usr/src/|" "$kdir/Makefile"
	# the headers name their release's compiler (.kernelvariables: gcc-10
	# for bullseye's 5.10, which bookworm does not have): the rig builds
	# every series with the host's gcc-12, warning-free with W=1 and sparse
	sed -i -E 's/\<gcc-[0-9]+$/gcc-12/' "$kdir/.kernelvariables"
	"$here/extract-vmlinux.sh" "$dir/root/boot/vmlinuz-$krel" "$dir/vmlinux"
	rm -rf "$dir/debs" "$dir/root/lib/modules" "$dir/root/usr/lib/modules"
	touch "$dir/ready"
fi
echo "$krel $dir/vmlinux $kdir"
