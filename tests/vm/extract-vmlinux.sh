#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Extract the uncompressed ELF vmlinux from a bzImage, so QEMU can boot it
# through its PVH entry point instead of running the decompressor under TCG.
# usage: extract-vmlinux.sh BZIMAGE OUT
set -eu
img=$1 out=$2
try() { # magic-regex decompressor
	local off
	for off in $(LC_ALL=C grep -obUaP "$1" "$img" | cut -d: -f1); do
		tail -c +$((off + 1)) "$img" | $2 > "$out.tmp" 2>/dev/null || true
		if [ "$(head -c 4 "$out.tmp" | od -An -c | tr -d ' \n')" = '177ELF' ]; then
			mv "$out.tmp" "$out"
			return 0
		fi
	done
	rm -f "$out.tmp"
	return 1
}
try '\xfd7zXZ\x00' 'xz -dc' || try '\x28\xb5\x2f\xfd' 'zstd -dcq' ||
	try '\x1f\x8b\x08' 'gzip -dc' || { echo "no vmlinux found in $img" >&2; exit 1; }
