#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install what the rig needs on a Debian 12 machine, when it is missing:
# QEMU and its firmware, busybox for the initramfs, the compilers and tools
# that Debian's kernel headers build with, cmocka for the in-guest suites,
# sparse, and the plotter of the benchmark; for the packages (make deb,
# make test-pkg) debhelper with dh-dkms, lintian, fakeroot and debootstrap;
# for the debug kernel of make test-debug, what a kernel build needs;
# debootstrap also makes the sid chroot of the 7.x series (sid-chroot.sh);
# trinity, the system-call fuzzer, runs in the debug lane's guest only;
# python3 with ply and git for checkpatch and kernel-doc on the upstream
# series (make test-upstream).
# Kernel packages are not installed: tests/vm/kernel.sh unpacks them into
# the cache.
set -eu
pkgs="make gcc gcc-12 libc6-dev libcmocka-dev libcmocka0 qemu-system-x86
      qemu-system-data seabios busybox-static cpio kmod sparse xz-utils zstd
      libelf1 libssl3 zlib1g pahole
      flex bison bc libelf-dev libssl-dev
      dpkg-dev debhelper dh-dkms fakeroot lintian debootstrap trinity
      python3 python3-ply python3-git"
missing=$(for p in $pkgs; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
		echo "$p"
done)
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing packages (run as root): $missing" >&2
	exit 1
fi
echo "install-deps: installing $(echo $missing)" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >&2
apt-get install -y -q --no-install-recommends $missing >&2
