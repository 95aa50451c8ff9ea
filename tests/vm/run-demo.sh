#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The main demo: boot one kernel and run the demo program in the guest,
# showing its report and a one-line verdict.
# usage: run-demo.sh [SERIES]
set -u
here=$(cd "$(dirname "$0")" && pwd)
if HUGESG_SUITES=demo HUGESG_SHOW_COMMENTS=1 "$here/run-suite.sh" "${1:-6.1}"; then
	echo "hugesg demo: OK"
else
	echo "hugesg demo: FAILED"
	exit 1
fi
