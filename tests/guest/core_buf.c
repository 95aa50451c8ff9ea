// SPDX-License-Identifier: GPL-2.0
/*
 * hugesg_buf_pin() / hugesg_buf_unpin(): the facts of a pinned buffer,
 * RLIMIT_MEMLOCK accounting in pinned_vm (VmPin) with and without
 * CAP_IPC_LOCK, and a release after the pinning process has exited.
 */
#include <sys/resource.h>
#include <sys/wait.h>

#include "testlib.h"

static struct hugesg_test_entry entries[4096];

static int pin(struct tstate *t, const void *p, size_t len, unsigned int flags,
	       struct hugesg_test_req *r)
{
	return treq(t, HUGESG_TEST_BUF_PIN, p, len, SZ_2M, flags, entries, 4096, r);
}

static void test_facts_of_2m_buffer(void **state)
{
	struct tstate *t = *state;
	struct hugesg_test_req r;
	char *p = map_huge(t, 16 * MiB, 21);
	long pins = pins_held();

	assert_non_null(p);
	assert_int_equal(pin(t, p, 16 * MiB, HUGESG_HUGE | HUGESG_WRITE, &r), 0);
	assert_int_equal(r.nents, 8);
	assert_int_equal(r.nr_pins, 8);
	assert_int_equal(r.pinned_bytes, 16 * MiB);
	assert_int_equal(r.page_sizes, 1UL << 21);
	assert_int_equal(vmpin_kb(), 16 * 1024);
	assert_int_equal(pins_held() - pins, 8);
	trelease(t, HUGESG_TEST_BUF_UNPIN);
	assert_int_equal(vmpin_kb(), 0);
	assert_int_equal(pins_held(), pins);
}

static void test_one_byte_charges_whole_1g_page(void **state)
{
	struct tstate *t = *state;
	struct hugesg_test_req r;
	char *p = map_huge(t, GiB, 30);

	assert_non_null(p);
	assert_int_equal(pin(t, p + 5000, 1, HUGESG_HUGE, &r), 0);
	assert_int_equal(r.nents, 1);
	assert_int_equal(r.pinned_bytes, GiB);
	assert_int_equal(r.page_sizes, 1UL << 30);
	assert_int_equal(vmpin_kb(), 1024 * 1024);
	trelease(t, HUGESG_TEST_BUF_UNPIN);
	assert_int_equal(vmpin_kb(), 0);
}

static void test_mixed_buffer_reports_both_sizes(void **state)
{
	struct tstate *t = *state;
	struct hugesg_test_req r;
	char *p = map_mixed(t, 2);

	assert_non_null(p);
	assert_int_equal(pin(t, p, 2 * SZ_2M + GiB, HUGESG_AUTO, &r), 0);
	assert_int_equal(r.page_sizes, (1UL << 21) | (1UL << 30));
	assert_int_equal(r.nr_pins, 3);
	assert_int_equal(r.pinned_bytes, 2 * SZ_2M + GiB);
}

static void test_ordinary_buffer_one_pin_per_page(void **state)
{
	struct tstate *t = *state;
	struct hugesg_test_req r;
	char *p = map_anon(t, 2 * MiB, 0);

	assert_non_null(p);
	assert_int_equal(pin(t, p, 2 * MiB, HUGESG_NORMAL, &r), 0);
	assert_int_equal(r.nr_pins, 512);
	assert_int_equal(r.page_sizes, 4096);
	assert_int_equal(vmpin_kb(), 2048);
}

/*
 * In a child: RLIMIT_MEMLOCK 4 MiB, optionally without any capability
 * (@drop_caps 2: only the refused pin).
 */
static int child_over_limit(int drop_caps)
{
	struct rlimit rl = { 4 * MiB, 4 * MiB };
	struct tstate t = { 0 };
	struct hugesg_test_req r;
	long pins;
	char *p;

	t.fd = open("/dev/hugesg_test", O_RDWR);
	p = map_huge(&t, 6 * MiB, 21);
	if (t.fd < 0 || !p || setrlimit(RLIMIT_MEMLOCK, &rl))
		return 10;
	if (drop_caps && setuid(65534))
		return 11;
	pins = pins_held();
	if (drop_caps) {
		if (pin(&t, p, 6 * MiB, HUGESG_HUGE, &r) != -ENOMEM)
			return 12;
		if (pins_held() != pins || vmpin_kb() != 0)
			return 13;
		if (drop_caps == 2)
			return 0;
		/* within the limit it works */
		if (pin(&t, p, 4 * MiB, HUGESG_HUGE, &r) || vmpin_kb() != 4096)
			return 14;
	} else {
		if (pin(&t, p, 6 * MiB, HUGESG_HUGE, &r) || vmpin_kb() != 6144)
			return 15;
	}
	if (ioctl(t.fd, HUGESG_TEST_BUF_UNPIN, &r) || vmpin_kb() != 0)
		return 16;
	return 0;
}

static int run_child(int (*fn)(int), int arg)
{
	int status;
	pid_t pid = fork();

	if (pid == 0)
		_exit(fn(arg));
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* Pins ever taken in the system, folded (vm.stat_refresh needs root). */
static long pins_acquired(void)
{
	pins_held();
	return read_counter("/proc/vmstat", "nr_foll_pin_acquired");
}

static void test_over_rlimit_without_cap_ipc_lock_is_enomem(void **state)
{
	(void)state;
	assert_int_equal(run_child(child_over_limit, 1), 0);
}

/*
 * Over the limit, nothing is pinned even for a moment (the charge comes
 * first): the unprivileged child's refused 6 MiB takes no pin at all.
 * Counted here, as root (vm.stat_refresh), around the child.
 */
static void test_over_rlimit_pins_nothing_even_transiently(void **state)
{
	long before = pins_acquired();

	(void)state;
	assert_int_equal(run_child(child_over_limit, 2), 0);
	assert_int_equal(pins_acquired() - before, 0);
}

static void test_over_rlimit_with_cap_ipc_lock_succeeds(void **state)
{
	(void)state;
	assert_int_equal(run_child(child_over_limit, 0), 0);
}

static int child_pin_and_exit(int fd)
{
	struct tstate t = { .fd = fd };
	char *p = map_huge(&t, 3 * SZ_2M, 21);

	if (!p)
		return 10;
	return pin(&t, p, 3 * SZ_2M, HUGESG_HUGE | HUGESG_WRITE, NULL) ? 11 : 0;
}

static void test_release_after_pinning_process_exited(void **state)
{
	struct tstate *t = *state;
	long pins = pins_held(), before = pool_free(SZ_2M);

	/* the child pins through our shared file and exits without unpinning */
	assert_int_equal(run_child(child_pin_and_exit, t->fd), 0);
	assert_int_equal(pins_held() - pins, 3);
	assert_int_equal(pool_free(SZ_2M), before - 3);
	/* the last close unpins and uncharges the exited child's mm */
	close(t->fd);
	t->fd = open("/dev/hugesg_test", O_RDWR);
	assert_int_equal(pins_held(), pins);
	assert_int_equal(pool_free(SZ_2M), before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, tstate_setup, tstate_teardown)
		T(test_facts_of_2m_buffer),
		T(test_one_byte_charges_whole_1g_page),
		T(test_mixed_buffer_reports_both_sizes),
		T(test_ordinary_buffer_one_pin_per_page),
		T(test_over_rlimit_without_cap_ipc_lock_is_enomem),
		T(test_over_rlimit_pins_nothing_even_transiently),
		T(test_over_rlimit_with_cap_ipc_lock_succeeds),
		T(test_release_after_pinning_process_exited),
	};

	return cmocka_run_group_tests_name("core_buf", tests, NULL, NULL);
}
