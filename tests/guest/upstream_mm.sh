#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Upstream lane only (make test-upstream): the mm selftests of the patched
# source, built statically on the host by tests/upstream/build-selftests.sh
# into /tests/upstream/mm, each invocation of /tests/upstream/mm.list (one a
# line: the program and its arguments) in turn: the series' own programs
# (/tests/upstream/mm-series: none is a failure) and gup_test's usual ones.  Their KTAP results become this suite's, one
# TAP stream renumbered, named "PROGRAM ARGS: RESULT".  A missing program,
# a SKIP (this guest has what they need: debugfs, gup_test, hugepages), a
# result count that is not the program's plan, no result at all and a
# non-zero exit each fail.
dir=/tests/upstream
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() { n=$((n + 1)); echo "not ok $n - $1"; }

if [ ! -s $dir/mm.list ]; then
	nok "the selftests to run are listed ($dir/mm.list)"
	echo "1..$n"
	exit 1
fi
if [ -s $dir/mm-series ]; then
	ok "the series adds mm selftests: $(echo $(cat $dir/mm-series))"
else
	nok "the series adds mm selftests (tools/testing/selftests/mm/*.c with a main())"
fi
while read -r prog args <&3; do
	[ -n "$prog" ] || continue
	what="$prog${args:+ $args}"
	if [ ! -x "$dir/mm/$prog" ]; then
		nok "$what: the program is there"
		continue
	fi
	# (from its own folder, as run_vmtests.sh runs them)
	(cd $dir/mm && ./$prog $args) > /tmp/selftest.out 2>&1
	rc=$?
	plan="" got=0
	while IFS= read -r line; do
		case $line in
		1..[0-9]*)
			plan=${line#1..} ;;
		"ok "*"# SKIP"*|"not ok "*"# SKIP"*)
			got=$((got + 1))
			nok "$what: skipped: ${line#*# SKIP}" ;;
		"ok "*)
			got=$((got + 1))
			ok "$what: $(echo "${line#ok }" | sed 's/^[0-9]* *//')" ;;
		"not ok "*)
			got=$((got + 1))
			nok "$what: $(echo "${line#not ok }" | sed 's/^[0-9]* *//')" ;;
		esac
		echo "# $line"
	done < /tmp/selftest.out
	if [ $got -eq 0 ]; then
		nok "$what: reports a result (exit status $rc)"
	elif [ "$plan" != "$got" ]; then
		nok "$what: reports as many results as its plan (1..$plan, $got)"
	fi
	[ $rc -eq 0 ] || nok "$what: exits 0 (exit status $rc)"
done 3< $dir/mm.list
echo "1..$n"
