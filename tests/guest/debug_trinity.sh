#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Debug lane only: trinity, Debian's system-call fuzzer, against /dev/hugesg
# as an unprivileged user (trinity -X drops to nobody), for a bounded number
# of calls and a bounded time: random ioctls, mmaps, polls, reads, writes
# and closes on the node's files, random arguments.  The log scan fails the
# lane on any KASAN, lockdep, WARN or DMA-API report; a hang is the rig's
# timeout.  Afterwards no file of the node is open and no pin is held.
# Parameters (kernel command line): hugesg_rig.trinity_calls (default
# 3000: about two minutes on the debug kernel), hugesg_rig.trinity_secs
# (default 400), hugesg_rig.trinity_seed (default: from the clock; printed).
param() {
	v=$(tr ' ' '\n' < /proc/cmdline | sed -n "s/^hugesg_rig\.$1=//p" | tail -n 1)
	echo "${v:-$2}"
}
pins() {
	echo 1 > /proc/sys/vm/stat_refresh
	echo $(( $(sed -n 's/^nr_foll_pin_acquired //p' /proc/vmstat) -
		 $(sed -n 's/^nr_foll_pin_released //p' /proc/vmstat) ))
}
calls=$(param trinity_calls 3000)
secs=$(param trinity_secs 400)
seed=$(param trinity_seed $(( $(date +%s) % 100000 )))
echo "1..3"
echo "# trinity seed $seed, $calls calls, at most ${secs}s"
mkdir -p /etc
grep -q "^nobody:" /etc/passwd 2>/dev/null ||
	echo 'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' >> /etc/passwd
grep -q '^nogroup:' /etc/group 2>/dev/null || echo 'nogroup:x:65534:' >> /etc/group
mkdir -p /tmp/trinity && chmod 777 /tmp/trinity && cd /tmp/trinity || exit 1
refs=$(cat /sys/module/hugesg_drv/refcnt)
before=$(pins)
timeout -s KILL "$secs" trinity -X -q -l off -C 2 -N "$calls" -s "$seed" \
	-V /dev/hugesg \
	--disable-fds=sockets,pipes,perf,epoll,eventfd,timerfd,testfile,memfd,drm \
	-c ioctl -c mmap -c munmap -c mremap -c mprotect -c madvise -c poll \
	-c read -c write -c close -c dup -c fcntl > trinity.log 2>&1
rc=$?
sed 's/^/# /' trinity.log | tail -n 15
ran=$(sed -n 's/.*Ran \([0-9][0-9]*\) syscalls.*/\1/p' trinity.log | tail -n 1)
if [ -n "$ran" ] && [ "$ran" -ge "$calls" ] && grep -q /dev/hugesg trinity.log; then
	echo "ok 1 - trinity ran $ran calls as nobody on /dev/hugesg (rc $rc)"
else
	echo "not ok 1 - trinity ran ${ran:-no} calls of $calls on /dev/hugesg (rc $rc)"
fi
sleep 1
now=$(cat /sys/module/hugesg_drv/refcnt)
if [ "$now" = "$refs" ]; then
	echo "ok 2 - no file of /dev/hugesg left open"
else
	echo "not ok 2 - /dev/hugesg module references $now, $refs before"
fi
after=$(pins)
if [ "$after" = "$before" ]; then
	echo "ok 3 - no pin left held"
else
	echo "not ok 3 - $after pins held, $before before"
fi
