#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build-qemu.sh - build (once) a QEMU x86_64-softmmu from Debian's qemu
# source package with the hugesg-fpga device model added, and cache it.
#
# Usage: bash qemu/build-qemu.sh
#
# On success the LAST line on stdout is the absolute path of the cached
# qemu-system-x86_64; everything else goes to stderr.  Run it with
#   -L /usr/share/qemu -L /usr/share/seabios
# (the firmware path compiled in is Debian's, so -L is optional there).
#
# Cache layout (HUGESG_CACHE defaults to /var/cache/hugesg):
#   $HUGESG_CACHE/qemu/<ver>-<hash>/qemu-system-x86_64   the result
#   $HUGESG_CACHE/qemu/src/                   Debian source package files
#   $HUGESG_CACHE/qemu/build-<ver>/           source tree + build/ (kept for
#                                             incremental rebuilds, unless
#                                             HUGESG_QEMU_KEEP_BUILD=0)
# <ver>  = Debian source version of qemu, epoch dropped (7.2+dfsg-7+deb12u18)
# <hash> = first 12 hex of sha256(qemu/hugesg-fpga.c +
#          kernel/driver/engines/hugesg_fpga_regs.h + this script),
#          concatenated in that order.
#
# Needs root for apt-get (deb-src list, build dependencies) on the first run.
# The fast path (binary already cached) needs neither root nor network.

set -euo pipefail
exec 3>&1 1>&2          # stdout is reserved for the result

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
self=$here/$(basename "${BASH_SOURCE[0]}")
model=$here/hugesg-fpga.c
regs=$repo/kernel/driver/engines/hugesg_fpga_regs.h
root=$(realpath -m "${HUGESG_CACHE:-/var/cache/hugesg}")/qemu
srclist=/etc/apt/sources.list.d/hugesg-deb-src.sources
deps=(make gcc libc6-dev binutils dpkg-dev xz-utils python3 ninja-build meson
      pkg-config libglib2.0-dev libpixman-1-dev zlib1g-dev libfdt-dev)
configure_args=(
    --target-list=x86_64-softmmu
    --without-default-features
    --disable-docs
    --disable-install-blobs
    --enable-fdt=system
    --firmwarepath=/usr/share/qemu:/usr/share/seabios:/usr/lib/ipxe/qemu
)

# Register the device: built for every target that has PCI and MSI
# (default y like edu, so for x86_64-softmmu).
kconfig_add='
config HUGESG_FPGA
    bool
    default y if TEST_DEVICES
    depends on PCI && MSI_NONBROKEN'
meson_add="softmmu_ss.add(when: 'CONFIG_HUGESG_FPGA', if_true: files('hugesg-fpga.c'))"

log() { printf 'build-qemu: %s\n' "$*"; }
die() { log "ERROR: $*"; exit 1; }
emit() { printf '%s\n' "$1" >&3; exit 0; }

for f in "$model" "$regs" "$self"; do
    [ -r "$f" ] || die "missing $f"
done
hash=$(cat "$model" "$regs" "$self" | sha256sum | cut -c1-12)

# Newest qemu source version apt knows (what `apt-get source qemu` takes).
src_version() {
    local v best=
    for v in $(apt-cache showsrc --only-source qemu 2>/dev/null |
               sed -n 's/^Version: *//p'); do
        if [ -z "$best" ] || dpkg --compare-versions "$v" gt "$best"; then
            best=$v
        fi
    done
    printf '%s\n' "$best"
}

# Fast path: no lock, no network.  The result directory appears atomically.
cached_bin() {
    local ver
    ver=$(src_version)
    if [ -n "$ver" ]; then
        [ -x "$root/${ver#*:}-$hash/qemu-system-x86_64" ] &&
            printf '%s\n' "$root/${ver#*:}-$hash/qemu-system-x86_64"
        return 0
    fi
    # apt knows no qemu source (fresh machine, cache carried over): take
    # the newest cached build of this exact model/header/script.
    { ls -1d "$root"/*-"$hash"/qemu-system-x86_64 2>/dev/null || true; } |
        sort -V | tail -n 1
}
bin=$(cached_bin)
[ -n "$bin" ] && emit "$bin"

[ "$(id -u)" = 0 ] || die "not cached yet; the first build needs root (apt-get)"
mkdir -p "$root"
exec 9>"$root/.lock"
log "waiting for $root/.lock"
flock 9

# deb-src entries: same URIs/suites/components as the binary entries.
deb_src_stanzas() {
    if [ -r /etc/apt/sources.list.d/debian.sources ]; then
        # deb822: copy each stanza whose Types has "deb", as deb-src
        awk '
            function flush() {
                if (isdeb && body != "") printf "Types: deb-src\n%s\n", body
                body = ""; isdeb = 0
            }
            /^[ \t]*#/ { next }
            /^[ \t]*$/ { flush(); next }
            /^Types:/ { if ($0 ~ /[ \t]deb([ \t]|$)/) isdeb = 1; next }
            { body = body $0 "\n" }
            END { flush() }
        ' /etc/apt/sources.list.d/debian.sources
    elif grep -qs '^[[:space:]]*deb[[:space:]]' /etc/apt/sources.list; then
        # one-line format: deb [opts] URI suite components...
        awk '
            $1 != "deb" { next }
            {
                i = 2; signed = ""
                if ($2 ~ /^\[/) {
                    while (i <= NF) {
                        o = $i; gsub(/[][]/, "", o)
                        if (o ~ /^signed-by=/) { sub(/^signed-by=/, "", o); signed = o }
                        if ($i ~ /\]$/) { i++; break }
                        i++
                    }
                }
                printf "Types: deb-src\nURIs: %s\nSuites: %s\nComponents:", $i, $(i + 1)
                for (j = i + 2; j <= NF; j++) printf " %s", $j
                printf "\n"
                if (signed != "") printf "Signed-By: %s\n", signed
                printf "\n"
            }
        ' /etc/apt/sources.list
    else
        local s
        for s in "http://deb.debian.org/debian bookworm bookworm-updates" \
                 "http://deb.debian.org/debian-security bookworm-security"; do
            set -- $s
            printf 'Types: deb-src\nURIs: %s\nSuites: %s\n' "$1" "${*:2}"
            printf 'Components: main\n'
            printf 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\n'
        done
    fi
}

setup_apt() {
    local other new
    other=$(grep -rlsE '^[[:space:]]*deb-src[[:space:]]|^Types:.*deb-src' \
            /etc/apt/sources.list /etc/apt/sources.list.d/ |
            grep -vxF "$srclist" || true)
    if [ -n "$other" ]; then
        log "deb-src already configured in: $other"
    else
        new=$(printf '# Added by hugesg qemu/build-qemu.sh: source of qemu\n'
              deb_src_stanzas)
        if [ "$new" != "$(cat "$srclist" 2>/dev/null)" ]; then
            log "writing $srclist"
            printf '%s\n' "$new" > "$srclist"
        fi
    fi
    log "apt-get update"
    apt-get update -qq || log "WARNING: apt-get update failed, using old lists"
    log "installing build dependencies: ${deps[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        --no-install-recommends "${deps[@]}" >/dev/null
}

setup_apt
ver=$(src_version)
[ -n "$ver" ] || die "apt knows no qemu source package (deb-src missing?)"
uver=${ver#*:}
dest=$root/$uver-$hash
[ -x "$dest/qemu-system-x86_64" ] && emit "$dest/qemu-system-x86_64"
log "building qemu $ver with hugesg-fpga (model hash $hash)"
t0=$(date +%s)

# Debian source package
srcdir=$root/src
mkdir -p "$srcdir"
chown _apt "$srcdir" 2>/dev/null || true   # apt downloads as _apt
dsc=$srcdir/qemu_$uver.dsc
if [ ! -r "$dsc" ]; then
    log "apt-get source qemu=$ver"
    (cd "$srcdir" && apt-get source -qq --download-only "qemu=$ver")
fi

# Source tree, configured once per Debian version and configure line;
# model changes are incremental rebuilds.
tree=$root/build-$uver
stamp=$tree/.hugesg-configured
# The stamp covers everything that shapes the configured tree.
want_stamp=$(printf '%s\n' "${configure_args[@]}" "$kconfig_add" "$meson_add" \
             pc-bios-v1 | sha256sum | cut -c1-12)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want_stamp" ]; then
    rm -rf "$tree"
    log "unpacking source into $tree"
    dpkg-source --no-copy -x "$dsc" "$tree" >/dev/null
    cd "$tree"

    # Debian DFSG-removed the firmware blobs (pc-bios/edk2-*.fd.bz2 and
    # more) that pc-bios/meson.build lists; its patch
    # skip-meson-pc-bios.diff therefore drops subdir('pc-bios').  Do the
    # same if that patch is missing (firmware comes from Debian's packages
    # at run time via -L / --firmwarepath).
    if grep -q "^subdir('pc-bios')" meson.build; then
        log "disabling subdir('pc-bios') (firmware blobs not in the source)"
        sed -i "s/^subdir('pc-bios')/#&/" meson.build
    fi
    grep -q "^#subdir('pc-bios')" meson.build ||
        die "cannot find subdir('pc-bios') in meson.build"

    # Register the device (see kconfig_add/meson_add above)
    printf '%s\n' "$kconfig_add" >> hw/misc/Kconfig
    printf '%s\n' "$meson_add" >> hw/misc/meson.build
    cp "$model" hw/misc/hugesg-fpga.c
    cp "$regs" hw/misc/hugesg_fpga_regs.h

    log "configure ${configure_args[*]}"
    mkdir build
    cd build
    if ! ../configure "${configure_args[@]}" \
            --with-pkgversion="Debian $ver + hugesg-fpga" > configure.log 2>&1; then
        tail -n 40 configure.log
        die "configure failed, see $tree/build/configure.log"
    fi
    printf '%s\n' "$want_stamp" > "$stamp"
fi

cd "$tree"
# cp only on change so that ninja rebuilds only what depends on them
cmp -s "$model" hw/misc/hugesg-fpga.c || cp "$model" hw/misc/hugesg-fpga.c
cmp -s "$regs" hw/misc/hugesg_fpga_regs.h || cp "$regs" hw/misc/hugesg_fpga_regs.h

log "ninja -j2 qemu-system-x86_64 (log: $tree/build/ninja.log)"
cd build
if ! ninja -j2 qemu-system-x86_64 > ninja.log 2>&1; then
    grep -E -B2 -A10 'error:|FAILED' ninja.log | tail -n 60
    die "build failed, see $tree/build/ninja.log"
fi

help=$(./qemu-system-x86_64 -device help 2>&1)
for d in hugesg-fpga edu intel-iommu; do
    grep -q "name \"$d\"" <<<"$help" || die "device $d missing from the build"
done

tmp=$(mktemp -d "$root/.install.XXXXXX")
objcopy --strip-debug qemu-system-x86_64 "$tmp/qemu-system-x86_64"
chmod 755 "$tmp" "$tmp/qemu-system-x86_64"
mv -T "$tmp" "$dest"

if [ "${HUGESG_QEMU_KEEP_BUILD:-1}" = 0 ]; then
    rm -rf "$tree"
fi
# build trees of other Debian versions are dead weight
for old in "$root"/build-*; do
    [ "$old" = "$tree" ] || [ ! -d "$old" ] || rm -rf "$old"
done
# keep the 8 most recent results
ls -1dt "$root"/*-*/ 2>/dev/null | grep -v '/build-' | tail -n +9 |
    while read -r old; do rm -rf "$old"; done

log "built in $(($(date +%s) - t0)) s: $dest/qemu-system-x86_64"
emit "$dest/qemu-system-x86_64"
