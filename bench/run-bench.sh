#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make bench`: for each kernel, build the modules (with hugesg_bench.ko),
# boot one guest on the wall clock and one on the instruction clock
# (-icount shift=0: 1 ns per instruction), run tests/guest/bench in each,
# and collect the CSV rows into bench/results.csv (and the streaming rows
# into bench/stream.csv); then print a table, draw bench/pin-cost.png and
# print the targets with the measured ratios.
#
# usage: run-bench.sh [SERIES...]    (default: $KERNELS, else
#                                     "6.1 6.12 7.x 7.2-iommufd upstream";
#                                     a series whose kernel cannot be
#                                     had is left out, the others run)
# env:   HUGESG_CACHE, HUGESG_QEMU (as for the rig),
#        HUGESG_BENCH_TIMEOUT (seconds per guest, default 600),
#        HUGESG_BENCH_APPEND (more kernel arguments, e.g.
#        "hugesg_bench.reps=3 hugesg_bench.small=1"),
#        HUGESG_BENCH_CLOCKS (default "wall icount"),
#        HUGESG_BENCH_REPORT_ONLY=1 (no guest: the table, breakdown, plot
#        and targets again from the CSV files of the last run),
#        HUGESG_BENCH_OUT (the folder of the CSV files and the plot,
#        default bench/: a quick run elsewhere, make test-upstream's, leaves
#        the recorded results alone)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
outdir=${HUGESG_BENCH_OUT:-$top/bench}
build=$top/build/bench
csv=$outdir/results.csv
stream_csv=$outdir/stream.csv
png=$outdir/pin-cost.png
tmo=${HUGESG_BENCH_TIMEOUT:-600}
series_list=${*:-${KERNELS:-6.1 6.12 7.x 7.2-iommufd upstream}}
clocks=${HUGESG_BENCH_CLOCKS:-wall icount}
header=kernel,clock,method,page_size,buffer_bytes,register_ns,unregister_ns,transient_bytes,persistent_bytes,sg_entries,dma_segments,pins,mapping
phases_csv=$outdir/breakdown.csv
failed=0

die() { echo "run-bench: $*" >&2; exit 1; }
mkdir -p "$build" "$outdir"
. "$top/tests/vm/rig-lib.sh"

report_only=${HUGESG_BENCH_REPORT_ONLY:-}
[ -n "$report_only" ] && series_list=""
[ -n "$report_only" ] || {
echo "building the in-guest program"
build_guest_tests "$build/guest-build.log" ||
	die "build of tests/guest/bench failed"
echo "building QEMU with the hugesg-fpga model (cached)"
HUGESG_QEMU=$(qemu_bin)
[ -x "$HUGESG_QEMU" ] || { tail -n 20 "$build/qemu-build.log"; die "no QEMU"; }
export HUGESG_QEMU
if ! command -v gnuplot >/dev/null; then
	echo "installing gnuplot-nox"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q gnuplot-nox \
		>"$build/apt.log" 2>&1 || echo "run-bench: no gnuplot, no plot" >&2
fi

}
[ -n "$report_only" ] || {
echo "$header" >"$csv.new"
echo "kernel,clock,mode,bytes,stream_ns,memcpy_ns" >"$stream_csv"
echo "kernel,clock,mapping,page_size,buffer_bytes,hugepages,pin_ns,unpin_ns,table_ns,map_ns,unmap_ns,free_ns,pins" >"$phases_csv.new"
for series in $series_list; do
	read -r krel vmlinux kdir < <("$rig/kernel.sh" "$series") ||
		{ echo "== kernel $series: could not be fetched or built"; failed=1; continue; }
	out=$build/$krel
	mkdir -p "$out"
	echo "== kernel $krel: building the modules (W=1, sparse)"
	build_modules "$kdir" "$out" || { echo "   build failed"; failed=1; continue; }
	# the kernel's own VFIO modules, for vfio_type1 (the guest loads
	# them); none for a kernel of ours, which has VFIO built in
	if grep -qx 'CONFIG_VFIO_PCI=y' "$kdir/.config" 2>/dev/null; then
		vfio=""
	elif ! vfio=$("$top/bench/vfio-modules.sh" "$krel" 2>"$build/vfio-$krel.log"); then
		echo "   no VFIO modules (vfio_type1 empty): $(tail -n 1 "$build/vfio-$krel.log")"
		vfio=""
	fi
	for clock in $clocks; do
		# wall: the guest clock is the host's; icount: 1 ns per instruction.
		# On the wall clock of a loaded host the boot's check of the timer
		# through the interrupt-remapped IO-APIC misses its ticks and
		# panics (seen on 7.2, as boot() in rig-lib.sh says for SMP
		# guests): no_timer_check skips it
		case $clock in
		icount) icount="-icount shift=0,sleep=off" noticks="" ;;
		*) icount="" noticks="no_timer_check" ;;
		esac
		mkdir -p "$out/$clock"
		HUGESG_EXTRA_MODULES=$vfio make_initramfs "$out" "$out/$clock" bench
		start=$(date +%s)
		HUGESG_APPEND="hugesg_bench.clock=$clock $noticks ${HUGESG_BENCH_APPEND:-}" \
			boot "$vmlinux" "$out/$clock" "$tmo"
		rc=$?
		res=$out/$clock/results.txt
		# each buffer's rows together, shared first (vfio_type1 runs last
		# in the guest), the methods in the guest's order
		rows=$(awk -F, -v k="$krel" -v c="$clock" '$1 == k && $2 == c' "$res" |
			sort -s -t, -k13,13r -k4,4n -k5,5n)
		[ -n "$rows" ] && echo "$rows" >>"$csv.new"
		grep "^stream,$krel,$clock," "$res" | cut -d, -f2- >>"$stream_csv"
		grep "^phases,$krel,$clock," "$res" | cut -d, -f2- >>"$phases_csv.new"
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
mv "$phases_csv.new" "$phases_csv"
}

# the table: times in us, sizes in bytes
echo
echo "== results ($csv): median of the runs; max_segment 0xffe00000 (the largest"
echo "   2 MiB multiple in 32 bits) for all but seed_gup, which has no limit;"
echo "   hugesg_drv, vfio_type1 and iommufd timed in user space around the ioctls"
awk -F, 'NR > 1 {
	key = $1 " " $2 " " $13
	if (key != last) {
		printf "\n%s, %s clock, %s buffers\n", $1, $2, $13
		printf "  %-16s %5s %6s %12s %12s %10s %10s %8s %6s %8s\n", "method", "page", "buffer",
			"register us", "unregist us", "transient", "persistent", "entries", "dma", "pins"
		last = key
	}
	ps = $4 >= 2^30 ? $4 / 2^30 "G" : $4 / 2^20 "M"
	bs = $5 >= 2^30 ? $5 / 2^30 "G" : $5 / 2^20 "M"
	if ($6 == "") {
		why = "(not in this kernel)"
		if ($3 ~ /^iommufd/) why = "(no iommufd: CONFIG_IOMMUFD is off)"
		if ($3 ~ /^(memfd_folios|iommufd_map_file)$/ && $13 == "private")
			why = "(needs a memfd: none behind a private mapping)"
		if ($3 == "vfio_type1") why = "(no vfio in this guest)"
		printf "  %-16s %5s %6s %12s\n", $3, ps, bs, why
	} else {
		printf "  %-16s %5s %6s %12.3f %12.3f", $3, ps, bs, $6 / 1e3, $7 / 1e3
		for (i = 8; i <= 12; i++)
			printf(i <= 9 ? " %10s" : (i == 11 ? " %6s" : " %8s"), $i == "" ? "-" : $i)
		printf "\n"
	}
}' "$csv"

# hugesg's own cost per hugepage, phase by phase (HUGESG_BENCH_PHASES)
echo
echo "== hugesg_huge per hugepage, phase by phase ($phases_csv; median ns per hugepage,"
echo "   on the icount clock the guest's instructions): pin = hugesg_get_user_hugepages_fast(),"
echo "   table = hugesg_sg_alloc_table_from_user_pages() less the pin, map/unmap ="
echo "   dma_map/unmap_sgtable() for hugesg-fpga, unpin = hugesg_put_user_hugepages(), free ="
echo "   hugesg_sg_free_table_user_pages() less the unpin"
awk -F, 'NR > 1 {
	key = $1 " " $2
	if (key != last) {
		printf "\n%s, %s clock\n", $1, $2
		printf "  %-8s %5s %6s %6s %9s %9s %9s %9s %9s %9s %10s\n", "mapping", "page", "buffer", "pages",
			"pin", "table", "map", "unmap", "unpin", "free", "reg+unreg"
		last = key
	}
	n = $6
	ps = $4 >= 2^30 ? $4 / 2^30 "G" : $4 / 2^20 "M"
	bs = $5 >= 2^30 ? $5 / 2^30 "G" : $5 / 2^20 "M"
	printf "  %-8s %5s %6s %6d %9.0f %9.0f %9.0f %9.0f %9.0f %9.0f %10.0f\n", $3, ps, bs, n,
		$7 / n, ($9 - $7) / n, $10 / n, $11 / n, $8 / n, ($12 - $8) / n, ($9 + $12) / n
}' "$phases_csv"

# the plot: register + unregister against buffer size, 2 MiB pages, icount;
# a column per kernel, shared buffers above, private below
if command -v gnuplot >/dev/null && grep -q ',icount,' "$csv"; then
	kernels=$(awk -F, 'NR > 1 && $2 == "icount" { print $1 }' "$csv" | awk '!seen[$0]++')
	nk=$(echo "$kernels" | wc -l)
	methods="seed_gup pin_all rdma_chunked iouring_coalesce memfd_folios hugesg_huge hugesg_auto hugesg_drv vfio_type1 iommufd_map iommufd_map_file kernel_ranges kernel_sg"
	for k in $kernels; do
		for map in shared private; do
			for m in $methods; do
				awk -F, -v k="$k" -v m="$m" -v map="$map" '$1 == k && $2 == "icount" &&
					$3 == m && $13 == map && $4 == 2097152 && $6 != "" { print $5, $6 + $7 }' \
					"$csv" >"$build/plot-$k-$map-$m.dat"
			done
		done
	done
	{
		echo "set terminal png size $((560 * nk)),960"
		echo "set output '$png'"
		echo "set termoption noenhanced"
		echo "set multiplot layout 2,$nk title 'pin + sg table (+ IOMMU map for hugesg_drv, vfio_type1, iommufd) + release, 2 MiB hugepages (icount: 1 ns per instruction)'"
		echo "set logscale xy; set grid; set key top left font ',9'; set xrange [1.4e6:1.6e9]"
		# one style per method, the same in every panel
		echo "set style line 1 lc rgb '#7b3294' pt 1; set style line 2 lc rgb '#1b9e77' pt 2"
		echo "set style line 3 lc rgb '#2c7bb6' pt 3; set style line 4 lc rgb '#e66101' pt 4"
		echo "set style line 5 lc rgb '#a6761d' pt 5; set style line 6 lc rgb '#d7191c' pt 7 lw 2"
		echo "set style line 7 lc rgb '#000000' pt 6 dt 2; set style line 8 lc rgb '#e7298a' pt 9 lw 2"
		echo "set style line 9 lc rgb '#666666' pt 11; set style line 10 lc rgb '#66a61e' pt 13"
		echo "set style line 11 lc rgb '#1f78b4' pt 15 dt 3"
		echo "set style line 12 lc rgb '#b15928' pt 8 dt 4; set style line 13 lc rgb '#33a02c' pt 10 lw 2"
		echo "set xlabel 'buffer size'; set ylabel 'register + unregister (ns)'"
		echo "set xtics ('2M' 2097152, '64M' 67108864, '1G' 1073741824)"
		for map in shared private; do
			for k in $kernels; do
				echo "set title '$k, $map'"
				printf 'plot'
				sep=" "
				i=0
				for m in $methods; do
					i=$((i + 1))
					[ -s "$build/plot-$k-$map-$m.dat" ] || continue
					printf "%s'%s' using 1:2 with linespoints ls %d title '%s'" "$sep" \
						"$build/plot-$k-$map-$m.dat" $i "$m"
					sep=", "
				done
				# a panel with no data still needs a plot
				[ "$sep" = " " ] && printf " 1/0 notitle"
				echo
			done
		done
		echo "unset multiplot"
	} >"$build/pin-cost.gp"
	gnuplot "$build/pin-cost.gp" && echo && echo "plot: $png"
fi

# the targets of issue 12 (printed, not judged): measured figure beside each
echo
echo "== targets (icount clock, so ns = guest instructions; cost = register + unregister)"
awk -F, 'NR > 1 && $2 == "icount" && $6 != "" {
	k = $1; if (!(k in kern)) { kern[k] = 1; order[++nk] = k }
	buf = ($4 == 2^30) ? "1Gpage" : ($5 == 2^30 ? "1Gof2M" : $5)
	cost[k, $13, buf, $3] = $6 + $7
	ent[k, $13, buf, $3] = $10
	if ($3 == "hugesg_huge") {
		pers = $9 / ($5 / $4)
		if (pers > maxpers[k]) maxpers[k] = pers
		if ($8 > maxtrans[k]) maxtrans[k] = $8
	}
}
function c(k, map, buf, m) { return cost[k, map, buf, m] }
# "what": figure a (and b, the method compared); ratio r against goal
function line(what, a, b, r, goal, atleast,   verdict) {
	if (a == "" || (b == "-" ? 0 : b == "")) {
		printf "  %-70s %s\n", what, "n/a: no figure"
		return
	}
	verdict = (atleast ? r >= goal : r <= goal) ? "met" : "NOT met"
	if (b == "-")
		printf "  %-70s %11.0f          %8.2fx of target  %s\n", what, a, r, verdict
	else
		printf "  %-70s %11.0f vs %11.0f %8.3gx  %s\n", what, a, b, r, verdict
}
END {
	for (o = 1; o <= nk; o++) {
		k = order[o]
		printf "%s\n", k
		h = c(k, "shared", "1Gof2M", "hugesg_huge"); mf = c(k, "shared", "1Gof2M", "memfd_folios")
		if (k ~ /^7\./)
			line("shared, 1 GiB of 2 MiB: hugesg_huge <= memfd_folios (x = h/m <= 1)",
			     h, mf, mf ? h / mf : 0, 1, 0)
		hp = c(k, "private", "1Gof2M", "hugesg_huge")
		line("private, 1 GiB of 2 MiB: hugesg_huge <= 750 instr/hugepage (per page)",
		     hp == "" ? "" : hp / 512, "-", hp / 512 / 750, 1, 0)
		for (mi = 1; mi <= 2; mi++) {
			map = mi == 1 ? "shared" : "private"
			g = c(k, map, "1Gpage", "hugesg_huge")
			line(map ", one 1 GiB page: hugesg_huge <= 2,500 instr", g, "-", g / 2500, 1, 0)
		}
		g = c(k, "shared", "1Gpage", "hugesg_huge"); mf = c(k, "shared", "1Gpage", "memfd_folios")
		if (mf != "")
			line("shared, one 1 GiB page: hugesg_huge <= 1.25x memfd_folios (h/m)",
			     g, mf, g / mf, 1.25, 0)
		split("seed_gup pin_all rdma_chunked iouring_coalesce", ms, " ")
		for (mi = 1; mi <= 2; mi++) {
			map = mi == 1 ? "shared" : "private"
			h = c(k, map, "1Gof2M", "hugesg_huge")
			for (i = 1; i <= 4; i++) {
				o2 = c(k, map, "1Gof2M", ms[i])
				line(map ", 1 GiB of 2 MiB: >= 50x cheaper than " ms[i] " (o/h)",
				     h, o2, h ? o2 / h : 0, 50, 1)
			}
		}
		# against the cheapest of the VFIO methods this kernel has
		split("vfio_type1 iommufd_map iommufd_map_file", vm, " ")
		for (mi = 1; mi <= 2; mi++) {
			map = mi == 1 ? "shared" : "private"
			for (bi = 1; bi <= 2; bi++) {
				buf = bi == 1 ? "1Gof2M" : "1Gpage"
				d = c(k, map, buf, "hugesg_drv"); v = ""; vn = "vfio_type1"
				for (i = 1; i <= 3; i++) {
					o2 = c(k, map, buf, vm[i])
					if (o2 != "" && (v == "" || o2 < v)) { v = o2; vn = vm[i] }
				}
				line(map ", " (bi == 1 ? "1 GiB of 2 MiB" : "one 1 GiB page") \
				     ": hugesg_drv <= cheapest VFIO, " vn " (d/v)", d, v, v ? d / v : 0, 1, 0)
			}
		}
		printf "  %-70s %11d B  %s\n", "hugesg_huge persistent bytes per hugepage <= 32 (max)",
			maxpers[k], maxpers[k] <= 32 ? "met" : "NOT met"
		printf "  %-70s %11d B  %s\n", "hugesg_huge transient bytes <= 4096 (max)",
			maxtrans[k], maxtrans[k] <= 4096 ? "met" : "NOT met"
		bad = 0; n = 0
		for (kb in ent) {
			split(kb, p, SUBSEP)
			if (p[1] != k || p[4] != "hugesg_huge") continue
			n++
			if (ent[k, p[2], p[3], "pin_all"] != "" && ent[kb] > ent[k, p[2], p[3], "pin_all"]) bad++
		}
		printf "  %-70s %6d of %d  %s\n", "hugesg_huge sg entries more than pin_all (buffers)",
			bad, n, bad ? "NOT met" : "met"
	}
}' "$csv"

# the targets of issue 14 (printed, not judged): the upstream series' own
# pin (kernel_sg, kernel_ranges) on the kernel that has it, that is every
# kernel whose kernel_sg rows have figures (series upstream), against the
# methods of the same boot
echo
echo "== issue 14's targets: the upstream series (icount clock, ns = guest instructions;"
echo "   cost = register + unregister; per hugepage: of 1 GiB of 2 MiB pages, / 512;"
echo "   memfd_folios pins a memfd, so shared only: private rows are compared with the"
echo "   shared memfd_folios of the same boot)"
awk -F, 'NR > 1 && $2 == "icount" && $6 != "" {
	k = $1
	buf = ($4 == 2^30) ? "1Gpage" : ($5 == 2^30 ? "1Gof2M" : $5)
	cost[k, $13, buf, $3] = $6 + $7
	if ($3 == "kernel_sg" && !(k in kern)) { kern[k] = 1; order[++nk] = k }
}
function c(k, map, buf, m) { return cost[k, map, buf, m] }
function line(what, a, b, r, goal, atleast,   verdict) {
	if (a == "" || b == "") {
		printf "  %-80s %s\n", what, "n/a: no figure"
		return
	}
	verdict = (atleast ? r >= goal : r <= goal) ? "met" : "NOT met"
	printf "  %-80s %11.0f vs %11.0f %8.3gx  %s\n", what, a, b, r, verdict
}
# a figure with no target, beside memfd_folios of the same boot
function info(what, a, b) {
	if (a == "" || b == "")
		printf "  %-80s %s\n", what, "n/a: no figure"
	else
		printf "  %-80s %11.0f vs %11.0f %8.3gx\n", what, a, b, a / b
}
function hp(x) { return x == "" ? "" : x / 512 }
END {
	if (!nk)
		print "  n/a: no kernel with the series in the results (no kernel_sg figures)"
	for (o = 1; o <= nk; o++) {
		k = order[o]
		printf "%s\n", k
		mf = hp(c(k, "shared", "1Gof2M", "memfd_folios"))
		for (mi = 1; mi <= 2; mi++) {
			map = mi == 1 ? "shared" : "private"
			for (i = 1; i <= 2; i++) {
				m = i == 1 ? "kernel_sg" : "kernel_ranges"
				a = hp(c(k, map, "1Gof2M", m))
				line(map ", 1 GiB of 2 MiB: " m "/hugepage <= 0.5x shared memfd_folios (x/m)",
				     a, mf, mf ? a / mf : 0, 0.5, 0)
			}
		}
		for (mi = 1; mi <= 2; mi++) {
			map = mi == 1 ? "shared" : "private"
			for (i = 1; i <= 2; i++) {
				m = i == 1 ? "kernel_sg" : "kernel_ranges"
				a = c(k, map, "1Gof2M", m); s = c(k, map, "1Gof2M", "seed_gup")
				line(map ", 1 GiB of 2 MiB: " m " >= 100x cheaper than seed_gup (s/x)",
				     a, s, a ? s / a : 0, 100, 1)
			}
		}
		mf = c(k, "shared", "1Gpage", "memfd_folios")
		for (mi = 1; mi <= 2; mi++) {
			map = mi == 1 ? "shared" : "private"
			a = c(k, map, "1Gpage", "kernel_sg")
			line(map ", one 1 GiB page: kernel_sg <= shared memfd_folios (x/m)",
			     a, mf, mf ? a / mf : 0, 1, 0)
		}
		# hugesg on the same kernel (through the pin of the kernel where
		# hugesg.ko is the thin layer), beside memfd_folios, no target
		mf = hp(c(k, "shared", "1Gof2M", "memfd_folios")); mg = c(k, "shared", "1Gpage", "memfd_folios")
		for (mi = 1; mi <= 2; mi++) {
			map = mi == 1 ? "shared" : "private"
			for (i = 1; i <= 2; i++) {
				m = i == 1 ? "hugesg_huge" : "hugesg_drv"
				info(map ", 1 GiB of 2 MiB: " m "/hugepage vs shared memfd_folios (no target)",
				     hp(c(k, map, "1Gof2M", m)), mf)
				info(map ", one 1 GiB page: " m " vs shared memfd_folios (no target)",
				     c(k, map, "1Gpage", m), mg)
			}
		}
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
