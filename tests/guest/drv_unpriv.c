// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/hugesg as the users it is open to see it: each test forks a child
 * that sets RLIMIT_MEMLOCK to 32 MiB and becomes nobody (no capability at
 * all), then streams, copies, registers over its limit, asks for what
 * needs privilege, or is killed mid-stream.  The parent, root, counts pins
 * (vm.stat_refresh needs root), files and pools around the child.
 */
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "drvlib.h"

#define LIMIT (32 * MiB)

/* Become an unprivileged user whose pinned memory may reach LIMIT. */
static int drop_to_nobody(void)
{
	struct rlimit rl = { LIMIT, LIMIT };

	if (setrlimit(RLIMIT_MEMLOCK, &rl) || setgid(65534) || setuid(65534))
		return -1;
	return getuid() == 65534 && geteuid() == 65534 ? 0 : -1;
}

/* Run @fn(@arg) in an unprivileged child; its exit status, or -1. */
static int run_unprivileged(int (*fn)(int), int arg)
{
	int status;
	pid_t pid = fork();

	if (pid == 0)
		_exit(drop_to_nobody() ? 100 : fn(arg));
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static char *huge_map(size_t len)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_HUGE_2M |
		       MAP_POPULATE, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* 256 MiB through a 16 MiB ring, every word checked; VmPin back to 0. */
static int child_stream(int unused)
{
	uint64_t seed = 0x0b0d1e5ULL;
	struct hugesg_ring st;
	char *ring = huge_map(16 * MiB);
	int fd = hsg_open(), h;
	int64_t bad;

	(void)unused;
	if (!ring || fd < 0)
		return 10;
	h = hsg_register(fd, ring, 16 * MiB, HUGESG_HUGE | HUGESG_WRITE,
			 HUGESG_ENGINE_FPGA, NULL);
	if (h <= 0)
		return 11;
	if (vmpin_kb() != 16 * 1024)
		return 12;
	if (hsg_stream(fd, h, HUGESG_STREAM_TABLE, seed, 256 * MiB))
		return 13;
	bad = consume_stream(fd, ring, 16 * MiB, 256 * MiB, seed, &st);
	if (bad != 0 || st.write_ptr != 256 * MiB || st.dma_errors)
		return 14;
	if (hsg_ring(fd, HUGESG_IOC_STREAM_STOP, 0, 0, &st) ||
	    hsg_unregister(fd, h) || vmpin_kb() != 0)
		return 15;
	close(fd);
	return 0;
}

/* An edu copy across a hugepage boundary, checked byte by byte. */
static int child_copy(int unused)
{
	char *src = huge_map(4 * MiB), *dst = huge_map(4 * MiB);
	size_t len = 12345, so = SZ_2M - 1000, dof = SZ_2M - 3000, i;
	int fd = hsg_open(), hs, hd;

	(void)unused;
	if (!src || !dst || fd < 0)
		return 10;
	for (i = 0; i < 4 * MiB; i++) {
		src[i] = (char)(i * 7 + 3);
		dst[i] = 0x5a;
	}
	hs = hsg_register(fd, src, 4 * MiB, HUGESG_HUGE, HUGESG_ENGINE_EDU, NULL);
	hd = hsg_register(fd, dst, 4 * MiB, HUGESG_HUGE | HUGESG_WRITE,
			  HUGESG_ENGINE_EDU, NULL);
	if (hs <= 0 || hd <= 0)
		return 11;
	if (hsg_edu_copy(fd, hs, so, hd, dof, len))
		return 12;
	for (i = 0; i < len; i++)
		if (dst[dof + i] != src[so + i])
			return 13;
	if (dst[dof - 1] != 0x5a || dst[dof + len] != 0x5a)
		return 14;
	close(fd);
	return 0;
}

/* Over RLIMIT_MEMLOCK: -ENOMEM, no VmPin; the same buffer's half works. */
static int child_over_limit(int unused)
{
	char *p = huge_map(LIMIT + SZ_2M);
	int fd = hsg_open(), h;

	(void)unused;
	if (!p || fd < 0)
		return 10;
	if (hsg_register(fd, p, LIMIT + SZ_2M, HUGESG_HUGE | HUGESG_WRITE,
			 HUGESG_ENGINE_FPGA, NULL) != -ENOMEM)
		return 11;
	if (vmpin_kb() != 0)
		return 12;
	h = hsg_register(fd, p, LIMIT / 2, HUGESG_HUGE | HUGESG_WRITE,
			 HUGESG_ENGINE_FPGA, NULL);
	if (h <= 0 || vmpin_kb() != (long)(LIMIT / 2 / KiB))
		return 13;
	close(fd);
	return 0;
}

/* Only the refused registration: the parent counts the pins it took. */
static int child_only_over_limit(int unused)
{
	char *p = huge_map(LIMIT + SZ_2M);
	int fd = hsg_open();

	(void)unused;
	if (!p || fd < 0)
		return 10;
	return hsg_register(fd, p, LIMIT + SZ_2M, HUGESG_HUGE | HUGESG_WRITE,
			    HUGESG_ENGINE_FPGA, NULL) == -ENOMEM ? 0 : 11;
}

/* The bus addresses of a buffer are for CAP_SYS_RAWIO only. */
static int child_segments(int unused)
{
	struct hugesg_segment seg[4];
	struct hugesg_segments sq = {
		.size = sizeof(sq), .segs = (uintptr_t)seg, .count = 4,
	};
	char *p = huge_map(4 * MiB);
	int fd = hsg_open();

	(void)unused;
	if (!p || fd < 0)
		return 10;
	sq.handle = hsg_register(fd, p, 4 * MiB, HUGESG_HUGE | HUGESG_WRITE,
				 HUGESG_ENGINE_FPGA, NULL);
	if ((int)sq.handle <= 0)
		return 11;
	return hsg_ioctl(fd, HUGESG_IOC_SEGMENTS, &sq) == -EPERM ? 0 : 12;
}

static void test_unprivileged_stream_verifies(void **state)
{
	long pins = pins_held();

	(void)state;
	assert_int_equal(run_unprivileged(child_stream, 0), 0);
	assert_int_equal(pins_held(), pins);
}

static void test_unprivileged_edu_copy_verifies(void **state)
{
	skip_unless_edu_reaches_pools();
	long pins = pins_held();

	(void)state;
	assert_int_equal(run_unprivileged(child_copy, 0), 0);
	assert_int_equal(pins_held(), pins);
}

static void test_unprivileged_over_rlimit_is_enomem(void **state)
{
	long pins = pins_held();

	(void)state;
	assert_int_equal(run_unprivileged(child_over_limit, 0), 0);
	assert_int_equal(pins_held(), pins);
}

static void test_unprivileged_over_rlimit_pins_nothing(void **state)
{
	long before;

	(void)state;
	pins_held();
	before = read_counter("/proc/vmstat", "nr_foll_pin_acquired");
	assert_int_equal(run_unprivileged(child_only_over_limit, 0), 0);
	pins_held();
	assert_int_equal(read_counter("/proc/vmstat", "nr_foll_pin_acquired"),
			 before);
}

static void test_unprivileged_segments_is_eperm(void **state)
{
	long pins = pins_held();

	(void)state;
	assert_int_equal(run_unprivileged(child_segments, 0), 0);
	assert_int_equal(pins_held(), pins);
}

/* An unprivileged process killed mid-stream: pins, files and pool back. */
static void test_unprivileged_kill_while_streaming_leaves_no_trace(void **state)
{
	long pins = pins_held(), before = pool_free(SZ_2M);
	long files = hsg_files_open();
	int pipefd[2], status;
	char c;
	pid_t pid;

	(void)state;
	assert_int_equal(pipe(pipefd), 0);
	pid = fork();
	if (!pid) {
		if (drop_to_nobody())
			_exit(100);
		streaming_child_len(pipefd[1], 0, 16 * MiB);
	}
	assert_int_equal(read(pipefd[0], &c, 1), 1);
	usleep(50000);
	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_released(pins, before);
	assert_int_equal(hsg_files_open(), files);
	assert_free_pages_untouched();
	close(pipefd[0]);
	close(pipefd[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, tstate_setup, tstate_teardown)
		T(test_unprivileged_stream_verifies),
		T(test_unprivileged_edu_copy_verifies),
		T(test_unprivileged_over_rlimit_is_enomem),
		T(test_unprivileged_over_rlimit_pins_nothing),
		T(test_unprivileged_segments_is_eperm),
		T(test_unprivileged_kill_while_streaming_leaves_no_trace),
	};

	return cmocka_run_group_tests_name("drv_unpriv", tests, NULL, NULL);
}
