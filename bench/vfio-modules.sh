#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The VFIO modules of one Debian kernel, for the benchmark's guest only
# (vfio_type1): the rig keeps no modules tree (tests/vm/kernel.sh drops it),
# so the package that holds the modules is downloaded again, into the
# cache, and only irqbypass, vfio (with vfio_virqfd where it is a module of
# its own, as on 6.1), vfio_iommu_type1, vfio-pci-core and vfio-pci are
# taken out of it, decompressed (.ko.xz, .ko.zst), with the order to load
# them in (each after what modinfo says it depends on).  Never loaded on
# the host.
#
# usage: vfio-modules.sh KREL     prints the directory (its *.ko, "order")
set -eu
krel=$1
cache=${HUGESG_CACHE:-/var/cache/hugesg}
dir=$cache/kernels/$krel/vfio
want="irqbypass vfio_virqfd vfio vfio_iommu_type1 vfio-pci-core vfio-pci"

if [ ! -e "$dir/ready" ]; then
	rm -rf "$dir"
	mkdir -p "$dir/deb" "$dir/x"
	# up to 6.12 the modules are in the image package; since 7.x the image
	# is a meta package, and they are in linux-modules-KREL
	pkg=linux-image-$krel
	mods=$(apt-cache depends "$pkg" 2>/dev/null |
		awk '/Depends: linux-modules-/ {print $2; exit}')
	[ -n "$mods" ] && pkg=$mods
	(cd "$dir/deb" && apt-get download -q "$pkg" 2>&1 | grep -v unsandboxed >&2) || true
	deb=$(ls "$dir"/deb/*.deb 2>/dev/null | head -n 1)
	[ -n "$deb" ] || { echo "vfio-modules.sh: could not download $pkg" >&2; exit 1; }
	dpkg-deb --fsys-tarfile "$deb" |
		tar -x -C "$dir/x" --wildcards '*/kernel/drivers/vfio/*.ko*' \
			'*/kernel/virt/lib/irqbypass.ko*'
	: > "$dir/order"
	for m in $want; do
		f=$(find "$dir/x" -name "$m.ko*" | head -n 1)
		[ -n "$f" ] || continue
		case $f in
		*.ko.xz) xz -dc "$f" > "$dir/$m.ko" ;;
		*.ko.zst) zstd -qdc "$f" > "$dir/$m.ko" ;;
		*.ko) cp "$f" "$dir/$m.ko" ;;
		esac
		echo "$m" >> "$dir/order"
	done
	rm -rf "$dir/deb" "$dir/x"
	for m in vfio vfio_iommu_type1 vfio-pci-core vfio-pci; do
		grep -qx "$m" "$dir/order" ||
			{ echo "vfio-modules.sh: $pkg has no $m.ko" >&2; exit 1; }
	done
	touch "$dir/ready"
fi
echo "$dir"
