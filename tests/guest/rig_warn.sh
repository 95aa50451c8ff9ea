#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The rig's own negative check, guest side: provoke a kernel WARN inside a
# declared window.  The host then proves that its log scanner reports that
# WARN when the declaration is ignored, and that it accepts it as declared.
echo "1..1"
echo "<4>hugesg-rig: expect-begin rig-warn" > /dev/kmsg
if echo 1 > /sys/module/hugesg_test/parameters/provoke_warn; then
	echo "ok 1 - a WARN is provoked inside a declared window"
else
	echo "not ok 1 - a WARN is provoked inside a declared window"
fi
# (the WARN is printed before the write returns: the window ends here)
echo "<4>hugesg-rig: expect-end rig-warn" > /dev/kmsg
