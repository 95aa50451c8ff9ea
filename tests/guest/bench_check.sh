#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The benchmark's quick check for `make test`: `bench --small` (the 2 MiB
# buffer, shared and private, every method) must print well-formed CSV,
# and the figures that do not depend on the clock must be what the methods
# promise.  This guest has no VFIO modules and no iommufd: those rows are
# empty; so are kernel_ranges' and kernel_sg's but on a kernel with the
# upstream series of issue 14.  Needs
# hugesg_bench.ko, which the rig loads.  TAP output.
if [ ! -e /dev/hugesg_bench ]; then
	echo "1..1"
	echo "not ok 1 - /dev/hugesg_bench exists (hugesg_bench.ko loaded)"
	exit 1
fi
n=0
fails=0
check() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		fails=$((fails + 1))
	fi
}

# FOLL_PIN pins of the whole system, acquired and released, per-CPU
# deltas folded first (exact when nothing else runs)
vmstat_pins() {
	echo 1 > /proc/sys/vm/stat_refresh || echo "# stat_refresh failed"
	awk -v k="nr_foll_pin_$1" '$1 == k { print $2 }' /proc/vmstat
}
acq0=$(vmstat_pins acquired) rel0=$(vmstat_pins released)
bench --small --reps 1 >/tmp/bench.out 2>/tmp/bench.err
check $? "bench --small exits 0"
acq=$(($(vmstat_pins acquired) - acq0)) rel=$(($(vmstat_pins released) - rel0))
sed 's/^/# /' /tmp/bench.err
sed 's/^/# /' /tmp/bench.out
grep -v '^phases,' /tmp/bench.out >/tmp/bench.csv
grep '^phases,' /tmp/bench.out >/tmp/bench.phases

head -n 1 /tmp/bench.csv | grep -qx 'kernel,clock,method,page_size,buffer_bytes,register_ns,unregister_ns,transient_bytes,persistent_bytes,sg_entries,dma_segments,pins,mapping'
check $? "the header names the 13 columns, mapping last"

methods="seed_gup pin_all rdma_chunked iouring_coalesce memfd_folios hugesg_huge hugesg_auto hugesg_drv iommufd_map iommufd_map_file vfio_type1 kernel_ranges kernel_sg"
for map in shared private; do
	awk -F, -v map="$map" -v want="$methods" 'NR > 1 && $13 == map { n[$3]++; rows++ }
	NR > 1 && NF != 13 { bad = 1 }
	END { k = split(want, w, " "); for (i = 1; i <= k; i++) if (n[w[i]] != 1) bad = 1
	      exit bad || rows != k }' /tmp/bench.csv
	check $? "$map: one row of 13 columns per method (13)"
done

# where a row has figures: the times and the pins are positive numbers, the
# others numbers (but transient, positive) or empty (not known to a method
# of user space); where it has none, all are empty
awk -F, 'NR > 1 && $6 != "" {
	for (i = 6; i <= 12; i++) {
		if ($i == "" && i >= 8 && i <= 11) continue
		if ($i !~ /^[0-9]+$/ || (i != 8 && $i == 0)) bad = 1
	}
} NR > 1 && $6 == "" {
	for (i = 6; i <= 12; i++) if ($i != "") bad = 1
} NR > 1 && $13 != "shared" && $13 != "private" { bad = 1 }
END { exit bad }' /tmp/bench.csv
check $? "figures are positive numbers where present, all empty otherwise"

for m in seed_gup pin_all iouring_coalesce hugesg_huge hugesg_auto hugesg_drv; do
	for map in shared private; do
		awk -F, -v m="$m" -v map="$map" '$3 == m && $13 == map && $6 != "" { ok = 1 } END { exit !ok }' /tmp/bench.csv
		check $? "$m has figures on every kernel, $map"
	done
done
awk -F, '$3 == "memfd_folios" && $13 == "private" && $6 == "" { ok = 1 } END { exit !ok }' /tmp/bench.csv
check $? "memfd_folios has no figures for a private buffer"
for m in vfio_type1 iommufd_map iommufd_map_file; do
	awk -F, -v m="$m" '$3 == m && $6 != "" { bad = 1 } END { exit bad }' /tmp/bench.csv
	check $? "$m is empty in this guest (no VFIO modules, no iommufd)"
done

field() { awk -F, -v m="$1" -v c="$2" -v map="${3:-shared}" '$3 == m && $13 == map { print $c }' /tmp/bench.csv; }
for map in shared private; do
	[ "$(field hugesg_huge 12 $map)" = 1 ] && [ "$(field hugesg_huge 10 $map)" = 1 ]
	check $? "hugesg_huge on 2 MiB, $map: 1 pin and 1 sg entry"
	[ "$(field hugesg_drv 12 $map)" = 1 ] && [ "$(field hugesg_drv 10 $map)" = 1 ] &&
		[ "$(field hugesg_drv 11 $map)" = 1 ]
	check $? "hugesg_drv on 2 MiB, $map: 1 pin, 1 sg entry, 1 DMA segment"
	[ "$(field seed_gup 12 $map)" = 512 ]
	check $? "seed_gup on 2 MiB, $map: 512 references, one per 4 KiB page"
	[ "$(field pin_all 12 $map)" = 512 ]
	check $? "pin_all on 2 MiB, $map: 512 pins"
	for m in kernel_ranges kernel_sg; do
		[ -z "$(field $m 6 $map)" ] ||
			{ [ "$(field $m 12 $map)" = 1 ] && [ "$(field $m 10 $map)" = 1 ]; }
		check $? "$m on 2 MiB, $map: 1 pin and 1 sg entry, or empty (no upstream series)"
	done
done

# hugesg's phases: a row per mapping, one hugepage, every time positive,
# two pins (the pin alone, then the table's)
awk -F, '{ n++; if ($7 != 1 || $14 != 2) bad = 1
	   for (i = 8; i <= 13; i++) if ($i !~ /^[0-9]+$/ || $i == 0) bad = 1 }
END { exit bad || n != 2 }' /tmp/bench.phases
check $? "phases: one row per mapping, 1 hugepage, 2 pins, positive times"

# /proc/vmstat, not the module's own count: each method's pins (bench
# compares them for each run and says where they differ), and in all the
# pins of every method but seed_gup (get_user_pages references are no
# FOLL_PIN) and of the phases acquired during the run, every one of them
# released
! grep 'module counted' /tmp/bench.err
check $? "each method's pins are the ones /proc/vmstat saw"
want=$(awk -F, 'NR > 1 && $3 != "seed_gup" && $12 != "" { s += $12 } END { print s + 0 }' /tmp/bench.csv)
want=$((want + $(awk -F, '{ s += $14 } END { print s + 0 }' /tmp/bench.phases)))
echo "# /proc/vmstat: $acq pins acquired, $rel released; the CSV: $want"
[ "$acq" = "$want" ] && [ "$want" -gt 0 ]
check $? "/proc/vmstat counted as many pins acquired as the CSV's pins column"
[ "$rel" = "$acq" ]
check $? "/proc/vmstat: every pin acquired was released"

echo "1..$n"
[ $fails -eq 0 ]
