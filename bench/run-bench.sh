#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make bench`: for each kernel, build the modules (with hugesg_bench.ko),
# boot one guest on the wall clock and one on the instruction clock
# (-icount shift=0: 1 ns per instruction), run tests/guest/bench in each,
# and collect the CSV rows into bench/results.csv (and the streaming rows
# into bench/stream.csv); then print a table, draw bench/pin-cost.png and
# print the targets with the measured ratios.
#
# usage: run-bench.sh [SERIES...]    (default: $KERNELS, else "6.12 6.1")
# env:   HUGESG_CACHE, HUGESG_QEMU (as for the rig),
#        HUGESG_BENCH_TIMEOUT (seconds per guest, default 600),
#        HUGESG_BENCH_APPEND (more kernel arguments, e.g.
#        "hugesg_bench.reps=3 hugesg_bench.small=1"),
#        HUGESG_BENCH_CLOCKS (default "wall icount")
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
outdir=$top/bench
build=$top/build/bench
csv=$outdir/results.csv
stream_csv=$outdir/stream.csv
png=$outdir/pin-cost.png
tmo=${HUGESG_BENCH_TIMEOUT:-600}
series_list=${*:-${KERNELS:-6.12 6.1}}
clocks=${HUGESG_BENCH_CLOCKS:-wall icount}
header=kernel,clock,method,page_size,buffer_bytes,register_ns,unregister_ns,transient_bytes,persistent_bytes,sg_entries,dma_segments,pins
failed=0

die() { echo "run-bench: $*" >&2; exit 1; }
mkdir -p "$build" "$outdir"
. "$top/tests/vm/rig-lib.sh"

echo "building the in-guest program"
make -s -C "$top" guest-tests >"$build/guest-build.log" 2>&1 ||
	{ cat "$build/guest-build.log"; die "build of tests/guest/bench failed"; }
echo "building QEMU with the hugesg-fpga model (cached)"
HUGESG_QEMU=$(qemu_bin)
[ -x "$HUGESG_QEMU" ] || { tail -n 20 "$build/qemu-build.log"; die "no QEMU"; }
export HUGESG_QEMU
if ! command -v gnuplot >/dev/null; then
	echo "installing gnuplot-nox"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q gnuplot-nox \
		>"$build/apt.log" 2>&1 || echo "run-bench: no gnuplot, no plot" >&2
fi

echo "$header" >"$csv.new"
echo "kernel,clock,mode,bytes,stream_ns,memcpy_ns" >"$stream_csv"
for series in $series_list; do
	read -r krel vmlinux kdir < <("$rig/kernel.sh" "$series") ||
		{ echo "== kernel $series: could not be fetched"; failed=1; continue; }
	out=$build/$krel
	mkdir -p "$out"
	echo "== kernel $krel: building the modules (W=1, sparse)"
	build_modules "$kdir" "$out" || { echo "   build failed"; failed=1; continue; }
	for clock in $clocks; do
		# wall: the guest clock is the host's; icount: 1 ns per instruction
		case $clock in
		icount) icount="-icount shift=0,sleep=off" ;;
		*) icount="" ;;
		esac
		mkdir -p "$out/$clock"
		make_initramfs "$out" "$out/$clock" bench
		start=$(date +%s)
		HUGESG_APPEND="hugesg_bench.clock=$clock ${HUGESG_BENCH_APPEND:-}" \
			boot "$vmlinux" "$out/$clock" "$tmo"
		rc=$?
		res=$out/$clock/results.txt
		rows=$(awk -F, -v k="$krel" -v c="$clock" '$1 == k && $2 == c' "$res")
		[ -n "$rows" ] && echo "$rows" >>"$csv.new"
		grep "^stream,$krel,$clock," "$res" | cut -d, -f2- >>"$stream_csv"
		echo "   $clock clock: $(printf '%s' "$rows" | grep -c .) rows in $(($(date +%s) - start))s"
		grep '^bench: ' "$res" | awk '!seen[$0]++' | sed 's/^/     /'
		if ! grep -q '^@@ END bench rc=0' "$res" || ! grep -q '^@@ DONE' "$res"; then
			echo "   FAILED (qemu rc=$rc): console tail:"
			tail -n 20 "$out/$clock/console.log" | sed 's/^/    | /'
			failed=1
		fi
		if ! problems=$("$rig/scan-log.sh" "$out/$clock/console.log"); then
			echo "   kernel reports in the guest log:"
			echo "$problems" | head -n 10 | sed 's/^/    | /'
			failed=1
		fi
	done
done
mv "$csv.new" "$csv"

# the table: times in ms, sizes in bytes
echo
echo "== results ($csv): median of the runs; max_segment 0xffe00000 (the largest"
echo "   2 MiB multiple in 32 bits) for all but seed_gup, which has no limit"
awk -F, 'NR > 1 {
	key = $1 " " $2
	if (key != last) {
		printf "\n%s, %s clock\n", $1, $2
		printf "  %-16s %5s %6s %12s %12s %10s %10s %8s %6s %8s\n", "method", "page", "buffer",
			"register us", "unregist us", "transient", "persistent", "entries", "dma", "pins"
		last = key
	}
	ps = $4 >= 2^30 ? $4 / 2^30 "G" : $4 / 2^20 "M"
	bs = $5 >= 2^30 ? $5 / 2^30 "G" : $5 / 2^20 "M"
	if ($6 == "")
		printf "  %-16s %5s %6s %12s\n", $3, ps, bs, "(not in this kernel)"
	else
		printf "  %-16s %5s %6s %12.3f %12.3f %10d %10d %8d %6d %8d\n", $3, ps, bs,
			$6 / 1e3, $7 / 1e3, $8, $9, $10, $11, $12
}' "$csv"

# the plot: register + unregister against buffer size, 2 MiB pages, icount
if command -v gnuplot >/dev/null && grep -q ',icount,' "$csv"; then
	kernels=$(awk -F, 'NR > 1 && $2 == "icount" { print $1 }' "$csv" | uniq)
	nk=$(echo "$kernels" | wc -l)
	methods="seed_gup pin_all rdma_chunked iouring_coalesce memfd_folios hugesg_huge hugesg_auto"
	for k in $kernels; do
		for m in $methods; do
			awk -F, -v k="$k" -v m="$m" '$1 == k && $2 == "icount" && $3 == m &&
				$4 == 2097152 && $6 != "" { print $5, $6 + $7 }' "$csv" \
				>"$build/plot-$k-$m.dat"
		done
	done
	{
		echo "set terminal png size $((640 * nk)),520"
		echo "set output '$png'"
		echo "set multiplot layout 1,$nk title 'pin + sg table + release, 2 MiB hugepages (icount: 1 ns per instruction)'"
		echo "set termoption noenhanced"
		echo "set logscale xy; set grid; set key top left; set xrange [1.4e6:1.6e9]"
		# one style per method, the same in every panel
		echo "set style line 1 lc rgb '#7b3294' pt 1; set style line 2 lc rgb '#1b9e77' pt 2"
		echo "set style line 3 lc rgb '#2c7bb6' pt 3; set style line 4 lc rgb '#e66101' pt 4"
		echo "set style line 5 lc rgb '#a6761d' pt 5; set style line 6 lc rgb '#d7191c' pt 7 lw 2"
		echo "set style line 7 lc rgb '#000000' pt 6 dt 2"
		echo "set xlabel 'buffer size'; set ylabel 'register + unregister (ns)'"
		echo "set xtics ('2M' 2097152, '64M' 67108864, '1G' 1073741824)"
		for k in $kernels; do
			echo "set title '$k'"
			printf 'plot'
			sep=" "
			i=0
			for m in $methods; do
				i=$((i + 1))
				[ -s "$build/plot-$k-$m.dat" ] || continue
				printf "%s'%s' using 1:2 with linespoints ls %d title '%s'" "$sep" \
					"$build/plot-$k-$m.dat" $i "$m"
				sep=", "
			done
			echo
		done
		echo "unset multiplot"
	} >"$build/pin-cost.gp"
	gnuplot "$build/pin-cost.gp" && echo && echo "plot: $png"
fi

# the targets (printed, not judged): measured figure beside each
echo
echo "== targets (icount clock; cost = register + unregister)"
awk -F, 'NR > 1 && $2 == "icount" && $6 != "" {
	k = $1; kern[k] = 1
	buf = ($4 == 2^30) ? "1Gpage" : ($5 == 2^30 ? "1Gof2M" : $5)
	cost[k, buf, $3] = $6 + $7
	ent[k, buf, $3] = $10
	if ($3 == "hugesg_huge") {
		pers = $9 / ($5 / $4)
		if (pers > maxpers[k]) maxpers[k] = pers
		if ($8 > maxtrans[k]) maxtrans[k] = $8
	}
}
function ratio(k, buf, m,   a, b) {
	a = cost[k, buf, m]; b = cost[k, buf, "hugesg_huge"]
	return (a == "" || b == "") ? -1 : a / b
}
function line(what, r, goal, above) {
	if (r < 0)
		printf "  %-70s %12s\n", what, "n/a"
	else
		printf "  %-70s %11.1fx  %s\n", what, r,
			(above ? r >= goal : r <= goal) ? "met" : "NOT met"
}
END {
	for (k in kern) {
		printf "%s\n", k
		split("seed_gup pin_all rdma_chunked iouring_coalesce", ms, " ")
		for (i = 1; i <= 4; i++)
			line("1 GiB of 2 MiB pages: hugesg_huge >= 50x cheaper than " ms[i],
			     ratio(k, "1Gof2M", ms[i]), 50, 1)
		line("one 1 GiB page: hugesg_huge >= 1000x cheaper than seed_gup",
		     ratio(k, "1Gpage", "seed_gup"), 1000, 1)
		line("one 1 GiB page: hugesg_huge no more costly than memfd_folios",
		     ratio(k, "1Gpage", "memfd_folios"), 1, 1)
		printf "  %-70s %9d B  %s\n", "hugesg_huge persistent bytes per hugepage <= 32 (max)",
			maxpers[k], maxpers[k] <= 32 ? "met" : "NOT met"
		printf "  %-70s %9d B  %s\n", "hugesg_huge transient bytes <= 4096 (max)",
			maxtrans[k], maxtrans[k] <= 4096 ? "met" : "NOT met"
		bad = 0; n = 0
		for (kb in ent) {
			split(kb, p, SUBSEP)
			if (p[1] != k || p[3] != "hugesg_huge") continue
			n++
			if (ent[k, p[2], "pin_all"] != "" && ent[kb] > ent[k, p[2], "pin_all"]) bad++
		}
		printf "  %-70s %6d of %d  %s\n", "hugesg_huge sg entries never more than pin_all (buffers over)",
			bad, n, bad ? "NOT met" : "met"
	}
}' "$csv"

# streaming: verified stream throughput against memcpy() in the same boot;
# wall clock only (under icount the device's work costs no guest time)
echo
echo "== streaming ($stream_csv, wall clock): 512 MiB through a 64 MiB ring of 2 MiB pages, every word verified"
awk -F, 'NR > 1 && $2 == "wall" {
	mbs = $4 / ($5 / 1e9) / 1048576; cps = $4 / ($6 / 1e9) / 1048576
	ratio = $6 / $5
	printf "  %-22s %-6s %8.1f MB/s, memcpy %8.1f MB/s: %.2f of memcpy (target 0.8: %s)\n",
		$1, $3, mbs, cps, ratio, (ratio >= 0.8 ? "met" : "NOT met")
}' "$stream_csv"
[ $failed -eq 0 ]
