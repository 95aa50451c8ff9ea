#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The benchmark's quick check for `make test`: `bench --small` (the 2 MiB
# buffer, every method) must print well-formed CSV, and the figures that do
# not depend on the clock must be what the methods promise.  Needs
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
bench --small --reps 1 >/tmp/bench.csv 2>/tmp/bench.err
check $? "bench --small exits 0"
acq=$(($(vmstat_pins acquired) - acq0)) rel=$(($(vmstat_pins released) - rel0))
sed 's/^/# /' /tmp/bench.err
sed 's/^/# /' /tmp/bench.csv

head -n 1 /tmp/bench.csv | grep -qx 'kernel,clock,method,page_size,buffer_bytes,register_ns,unregister_ns,transient_bytes,persistent_bytes,sg_entries,dma_segments,pins'
check $? "the header names the 12 columns"

awk -F, 'NR > 1 && NF != 12 { bad = 1 } END { exit bad || NR != 8 }' /tmp/bench.csv
check $? "7 rows of 12 columns, one per method"

# where a row has figures, all are numbers; all but transient are positive
awk -F, 'NR > 1 && $6 != "" {
	for (i = 6; i <= 12; i++)
		if ($i !~ /^[0-9]+$/ || (i != 8 && $i == 0)) bad = 1
} NR > 1 && $6 == "" {
	for (i = 6; i <= 12; i++) if ($i != "") bad = 1
} END { exit bad }' /tmp/bench.csv
check $? "figures are positive numbers where present, all empty otherwise"

for m in seed_gup pin_all iouring_coalesce hugesg_huge hugesg_auto; do
	awk -F, -v m="$m" '$3 == m && $6 != "" { ok = 1 } END { exit !ok }' /tmp/bench.csv
	check $? "$m has figures on every kernel"
done

field() { awk -F, -v m="$1" -v c="$2" '$3 == m { print $c }' /tmp/bench.csv; }
[ "$(field hugesg_huge 12)" = 1 ] && [ "$(field hugesg_huge 10)" = 1 ]
check $? "hugesg_huge on 2 MiB: 1 pin and 1 sg entry"
[ "$(field seed_gup 12)" = 512 ]
check $? "seed_gup on 2 MiB: 512 references, one per 4 KiB page"
[ "$(field pin_all 12)" = 512 ]
check $? "pin_all on 2 MiB: 512 pins"

# /proc/vmstat, not the module's own count: each method's pins (bench
# compares them for each run and says where they differ), and in all the
# pins of every method but seed_gup (get_user_pages references are no
# FOLL_PIN) acquired during the run, every one of them released
! grep 'module counted' /tmp/bench.err
check $? "each method's pins are the ones /proc/vmstat saw"
want=$(awk -F, 'NR > 1 && $3 != "seed_gup" && $12 != "" { s += $12 } END { print s + 0 }' /tmp/bench.csv)
echo "# /proc/vmstat: $acq pins acquired, $rel released; the CSV: $want"
[ "$acq" = "$want" ] && [ "$want" -gt 0 ]
check $? "/proc/vmstat counted as many pins acquired as the CSV's pins column"
[ "$rel" = "$acq" ]
check $? "/proc/vmstat: every pin acquired was released"

echo "1..$n"
[ $fails -eq 0 ]
