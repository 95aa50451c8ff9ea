// SPDX-License-Identifier: GPL-2.0
/*
 * Run in a guest of its own, whose hugesg-fpga ignores stop and reset (QEMU
 * properties ignore-stop=on,ignore-reset=on): a streaming process killed
 * with SIGKILL leaves a device that keeps writing, and this one ignores
 * bus-master disable too (ignore-bus-master=on).  When stop and reset fail,
 * the driver cuts the device's bus mastering (checked in its PCI command
 * register) and release() unmaps the ring anyway: the IOMMU is then all
 * that stands between the device and memory, faults its every write, and
 * the pages that return to the pool never change.  The runaway writes at
 * full speed.  The log scanner is told of the kill: it requires the
 * driver's alarms until the process is reaped, and the DMAR faults from
 * then on, to the end of the guest (nothing stops such a device), and
 * fails on any other report.  Behind a strict
 * IOMMU the ring is unpinned; where the driver cannot tell that the IOMMU is
 * strict (5.10: see compat.h) the ring stays pinned for good, and the driver
 * says so in the kernel log: then exactly the ring is kept, one pin per
 * hugepage, the pool is short by it.
 */
#include <signal.h>
#include <stdbool.h>
#include <sys/wait.h>

#include "drvlib.h"

/*
 * The PCI address of the rogue board into @bdf (16 bytes): the first
 * hugesg-fpga board, which tests/vm/rig-lib.sh gives the rogue properties
 * and where streaming_child() streams (a registration without a device);
 * the second board is a well-behaved one.  0 or -1.
 */
static int rogue_bdf(char *bdf)
{
	uint32_t id = 0;

	if (hsg_engine_ids(HUGESG_ENGINE_FPGA, &id, 1) != 1 ||
	    hsg_device_pci(id, bdf))
		return -1;
	return 0;
}

/* Unbind the rogue board from hugesg-fpga. */
static int unbind_fpga(void)
{
	char bdf[16];
	int ret;
	FILE *f;

	if (rogue_bdf(bdf))
		return -1;
	f = fopen("/sys/bus/pci/drivers/hugesg-fpga/unbind", "w");
	if (!f)
		return -1;
	ret = fputs(bdf, f) < 0 ? -1 : 0;
	ret |= fclose(f);
	return ret;
}

/* Bit 2 (bus master) of the rogue board's PCI command register, or -1. */
static int fpga_bus_master(void)
{
	unsigned char cmd[2];
	char path[300], bdf[16];
	int ret = -1, fd;

	if (rogue_bdf(bdf))
		return -1;
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/config", bdf);
	fd = open(path, O_RDONLY);
	if (fd >= 0 && pread(fd, cmd, 2, 4) == 2)
		ret = !!(cmd[0] & 0x4);
	if (fd >= 0)
		close(fd);
	return ret;
}

/* The ring of streaming_child() */
#define RING_LEN (64 * MiB)

/*
 * The kernel log as a user reads it: the next record of @fd (/dev/kmsg,
 * O_NONBLOCK) whose text contains @needle, copied to @msg; false when no
 * record is left.
 */
static bool kmsg_next(int fd, const char *needle, char *msg, size_t len)
{
	char rec[1024], *text;
	ssize_t n;

	for (;;) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)	/* overwritten: go on */
			continue;
		if (n <= 0)
			return false;
		rec[n] = 0;
		text = strchr(rec, ';');
		if (text && strstr(text + 1, needle)) {
			snprintf(msg, len, "%s", text + 1);
			return true;
		}
	}
}

/*
 * The IOMMU's invalidation policy as the kernel states it at boot (5.14 and
 * later): 1 strict, 0 lazy, -1 not stated.
 */
static int kernel_iommu_strict(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	char msg[1024];
	int ret = -1;

	if (fd < 0)
		return -1;
	if (kmsg_next(fd, "DMA domain TLB invalidation policy: ", msg, sizeof(msg)))
		ret = strstr(msg, "policy: strict mode") ? 1 : 0;
	close(fd);
	return ret;
}

static void test_killed_stream_on_rogue_device_is_contained(void **state)
{
	struct tstate *t = *state;
	long pins = pins_held(), before = pool_free(SZ_2M), ring_pages;
	bool wedged = false, strict = false, kept = false;
	unsigned long long kept_bytes = 0;
	int pipefd[2], status, i, kmsg, policy;
	char c, msg[1024], *handle;
	pid_t pid;

	policy = kernel_iommu_strict();
	assert_int_equal(pipe(pipefd), 0);
	/* what the driver says from now on */
	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	assert_true(kmsg >= 0);
	assert_true(lseek(kmsg, 0, SEEK_END) >= 0);
	assert_int_equal(fpga_bus_master(), 1);
	pid = fork();
	if (!pid)
		/*
		 * full speed (this stalled 6.12 guests under -icount
		 * shift=auto: tests/vm/rig-lib.sh)
		 */
		streaming_child(pipefd[1], 0);
	assert_int_equal(read(pipefd[0], &c, 1), 1);
	usleep(100000);
	/*
	 * Declared to the log scanner, each with the report it expects: the
	 * release of the killed process's file halts the engine in vain (the
	 * driver's alarms, until the process is reaped), and unmaps the ring
	 * under the running device, whose every write then faults in the
	 * IOMMU for good: the window stays open to the end of the guest.
	 */
	rig_expect("begin", "rogue-halt");
	rig_expect("begin", "rogue-iommu-faults");
	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	rig_expect("end", "rogue-halt");
	/*
	 * The engine ignores stop and reset: the driver says so, and whether
	 * a strict IOMMU blocks it (the ring is unpinned) or the ring stays
	 * pinned for good (how many bytes, when it releases the ring).
	 */
	for (i = 0; i < 100; i++) {
		if (!wedged && kmsg_next(kmsg, "engine ignores stop and reset",
					 msg, sizeof(msg))) {
			wedged = true;
			strict = strstr(msg, "a strict IOMMU blocks it");
		}
		if (wedged && !strict && !kept &&
		    kmsg_next(kmsg, "bytes stay pinned", msg, sizeof(msg))) {
			handle = strstr(msg, "handle ");
			kept = handle && sscanf(handle, "handle %*u: %llu bytes",
						&kept_bytes) == 1;
		}
		if (kept || (strict && pins_held() == pins &&
			     pool_free(SZ_2M) == before))
			break;
		usleep(20000);
	}
	close(kmsg);
	print_message("# kernel's IOMMU policy: %s; the driver %s\n",
		      policy < 0 ? "not stated" : policy ? "strict" : "lazy",
		      strict ? "unpinned the ring" : kept ? "kept the ring pinned" :
		      "said nothing of the ring");
	assert_true(wedged);
	/*
	 * the driver cut the device's bus mastering (which this device
	 * ignores: the IOMMU faults say so)
	 */
	assert_int_equal(fpga_bus_master(), 0);
	ring_pages = strict ? 0 : RING_LEN / SZ_2M;
	if (!strict) {
		/* kept: exactly the ring, one pin per hugepage */
		assert_true(kept);
		assert_int_equal(kept_bytes, RING_LEN);
		t->pins_at_start += ring_pages;
	}
	assert_int_equal(pins_held(), pins + ring_pages);
	assert_int_equal(pool_free(SZ_2M), before - ring_pages);
	/* where the kernel states its policy, the driver goes by it */
	if (policy >= 0)
		assert_int_equal(strict, policy);
	assert_free_pages_untouched();
	/* remove() of a wedged engine: no other report, no alarm */
	assert_int_equal(unbind_fpga(), 0);
	sleep(1);
	close(pipefd[0]);
	close(pipefd[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_killed_stream_on_rogue_device_is_contained,
						tstate_setup, tstate_teardown),
	};

	return cmocka_run_group_tests_name("rogue_kill", tests, NULL, NULL);
}
