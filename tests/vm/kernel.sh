#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Make one Debian kernel available to the rig, without installing it on the
# host: the image and headers packages are downloaded and unpacked into the
# cache, the uncompressed vmlinux is extracted for PVH boot.
#
# usage: kernel.sh SERIES        (SERIES: 6.1 or 6.12)
# prints: KREL VMLINUX KDIR      (release, bootable image, module build dir)
set -eu
series=$1
cache=${HUGESG_CACHE:-/var/cache/hugesg}
here=$(cd "$(dirname "$0")" && pwd)

apt_known() { apt-cache show "$1" >/dev/null 2>&1; }

resolve() {
	case $series in
	6.1)	# the bookworm default kernel, through its meta package
		apt-cache depends linux-image-amd64 2>/dev/null |
			awk '/Depends: linux-image-6\.1\.[0-9]+-[0-9]+-amd64$/ {print $2; exit}' ;;
	6.12)	# the newest 6.12 of bookworm-security
		apt-cache search --names-only '^linux-image-6\.12\.[0-9]+\+deb12-amd64$' |
			awk '{print $1}' | sort -V | tail -n 1 ;;
	*)	echo "kernel.sh: unknown kernel series '$series' (known: 6.1 6.12)" >&2
		exit 2 ;;
	esac
}

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
	"$here/extract-vmlinux.sh" "$dir/root/boot/vmlinuz-$krel" "$dir/vmlinux"
	rm -rf "$dir/debs" "$dir/root/lib/modules" "$dir/root/usr/lib/modules"
	touch "$dir/ready"
fi
echo "$krel $dir/vmlinux $kdir"
