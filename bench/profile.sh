#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Where a method's instructions go: run make bench's guest once on the
# icount clock (one repetition) with QEMU logging every translation block
# it executes in the functions named, and count the guest instructions of
# each function (bench/tb-profile.py).  Only kernels of ours
# (tests/vm/own-kernel.sh's), which keep their vmlinux and System.map, can
# be profiled.
#
# usage: profile.sh SERIES ROOT[,ROOT...] [CALLEE...]
#   ROOT:   functions counted whole, wherever they run (the method's own
#           code: they should run for that method only)
#   CALLEE: functions counted only where a ROOT calls them (the run of
#           their blocks returns right after the ROOT's calling block): a
#           shared helper such as __try_grab_folio_fast is not counted for
#           the other methods
# e.g. profile.sh upstream \
#        sg_alloc_table_from_user_pages,sg_free_table_user_pages,sg_user_entries,pin_user_folio_ranges_fast,unpin_folio_ranges \
#        __try_grab_folio_fast gup_fast_folio_allowed mod_node_page_state
# env:   HUGESG_CACHE, HUGESG_QEMU as for the rig
# prints: per function the instructions counted and the calls (entries at
#         its first instruction) counted, most costly first, and the hottest
#         blocks; the log and the bench's CSV are in build/profile/.
# Instructions are counted from the vmlinux's disassembly over each block's
# bytes; the figures are those of the whole bench run (every buffer, shared
# and private), to be divided by the calls of the function that marks the
# unit (__try_grab_folio_fast: one per pin).
set -eu
[ $# -ge 2 ] || { sed -n '/^# usage/,/^# env/p' "$0" >&2; exit 2; }
series=$1 roots=$2
shift 2
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/profile
mkdir -p "$out"
. "$top/tests/vm/rig-lib.sh"
build=$top/build	# (for rig-lib.sh's qemu_bin)

read -r _ _ kdir < <("$top/tests/vm/kernel.sh" "$series" | tail -n 1)
[ -f "$kdir/vmlinux" ] && [ -f "$kdir/System.map" ] ||
	{ echo "profile: $series has no vmlinux and System.map in $kdir" >&2; exit 1; }
grep -q '^CONFIG_RANDOMIZE_BASE=y' "$kdir/.config" 2>/dev/null &&
	{ echo "profile: $series is built with KASLR" >&2; exit 1; }

# each function's bytes: from its symbol to the next text symbol
funcs=$(echo "$roots" | tr , ' ')
[ $# -gt 0 ] && funcs="$funcs $*"
sort "$kdir/System.map" | awk -v want=" $funcs " '
	$2 ~ /^[tTwW]$/ {
		if (name != "") { print name, start, $1; name = "" }
		if (index(want, " " $3 " ") && !seen[$3]++) { name = $3; start = $1 }
	}' > "$out/functions.txt"
for f in $funcs; do
	grep -q "^$f " "$out/functions.txt" ||
		{ echo "profile: no text symbol $f in $kdir/System.map" >&2; exit 1; }
done
filter=$(awk '{ printf "%s0x%s..0x%s", sep, $2, $3; sep = "," }' "$out/functions.txt")

qemu=$(qemu_bin)
[ -x "$qemu" ] || { echo "profile: no QEMU" >&2; exit 1; }
cat > "$out/qemu.sh" <<-EOF
	#!/bin/sh
	exec "$qemu" -d nochain,exec,in_asm -dfilter "$filter" -D "$out/tb.log" "\$@"
EOF
chmod +x "$out/qemu.sh"
rm -f "$out/tb.log"
echo "profile: make bench's guest on $series, icount, 1 repetition (a few minutes)"
HUGESG_QEMU=$out/qemu.sh HUGESG_BENCH_OUT=$out HUGESG_BENCH_CLOCKS=icount \
	HUGESG_BENCH_APPEND="hugesg_bench.reps=1" \
	"$top/bench/run-bench.sh" "$series" > "$out/bench.log" 2>&1 ||
	{ tail -n 20 "$out/bench.log"; echo "profile: the bench run failed" >&2; exit 1; }
python3 "$top/bench/tb-profile.py" "$kdir/vmlinux" "$out/functions.txt" \
	"$out/tb.log" "$roots"
