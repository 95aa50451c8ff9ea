// SPDX-License-Identifier: GPL-2.0
/*
 * Debug lane only: register under fault injection.  For a few hundred
 * registrations, slab and page allocations fail at random (failslab and
 * fail_page_alloc, limited to this process and to the ioctl itself through
 * /proc/self/make-it-fail).  Each registration either works or fails with
 * -ENOMEM, and after each one nothing is left pinned and the pool is whole;
 * kmemleak (debug_leakcheck, later) finds nothing either.  Both kinds of
 * buffer are used: 2 MiB hugepages (few entries) and ordinary pages (a
 * table of several chunks and a page-array batch).
 *
 * A failed page allocation prints a "page allocation failure" warning with a
 * stack trace: that is the kernel's normal behaviour, so the suite allows
 * exactly that report in its window (scan-log.sh: allow-begin alloc-failure),
 * and nothing else.
 */
#include "drvlib.h"

#define ITERATIONS	300
#define PROBABILITY	"3"	/* percent of allocations that fail */

/* Tell the log scanner which reports the next steps may cause. */
static void rig_allow(const char *what)
{
	FILE *f = fopen("/dev/kmsg", "w");

	if (f) {
		fprintf(f, "<4>hugesg-rig: allow-%s alloc-failure\n", what);
		fclose(f);
	}
}

/* Arm one fault-injection facility of debugfs for tasks that ask for it. */
static int arm(const char *dir)
{
	static const char *const attrs[][2] = {
		{ "probability", PROBABILITY }, { "interval", "1" },
		{ "times", "-1" }, { "space", "0" }, { "verbose", "0" },
		{ "task-filter", "Y" }, { "ignore-gfp-wait", "N" },
	};
	char path[256];
	unsigned int i;

	for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
		snprintf(path, sizeof(path), "/sys/kernel/debug/%s/%s", dir,
			 attrs[i][0]);
		if (write_str(path, attrs[i][1]))
			return -1;
	}
	return 0;
}

static void test_register_under_fault_injection_leaks_nothing(void **state)
{
	struct tstate *t = *state;
	char *huge = map_huge(t, 8 * MiB, 21);
	char *normal = map_anon(t, 2 * MiB, 0);
	long pool = pool_free(SZ_2M), pins = pins_held();
	int fd = hsg_open(), i, h, ok = 0, enomem = 0;
	/* opened once: under injection, opening it could fail */
	int fail = open("/proc/self/make-it-fail", O_WRONLY);

	assert_true(fd >= 0);
	assert_true(fail >= 0);
	assert_non_null(huge);
	assert_non_null(normal);
	assert_int_equal(arm("failslab"), 0);
	assert_int_equal(arm("fail_page_alloc"), 0);
	assert_int_equal(write_str("/sys/kernel/debug/fail_page_alloc/min-order", "0"), 0);
	rig_allow("begin");

	for (i = 0; i < ITERATIONS; i++) {
		int huge_buf = i % 2 == 0;

		assert_int_equal(pwrite(fail, "1", 1, 0), 1);
		h = hsg_register(fd, huge_buf ? huge : normal,
				 huge_buf ? 8 * MiB : 2 * MiB,
				 (huge_buf ? HUGESG_HUGE : HUGESG_NORMAL) | HUGESG_WRITE,
				 huge_buf ? HUGESG_ENGINE_FPGA : HUGESG_ENGINE_EDU, NULL);
		assert_int_equal(pwrite(fail, "0", 1, 0), 1);
		if (h > 0) {
			ok++;
			assert_int_equal(hsg_unregister(fd, h), 0);
		} else {
			if (h != -ENOMEM)
				print_message("# iteration %d: %s\n", i, strerror(-h));
			assert_int_equal(h, -ENOMEM);
			enomem++;
		}
		assert_int_equal(pins_held(), pins);
		assert_int_equal(pool_free(SZ_2M), pool);
	}
	rig_allow("end");
	close(fail);
	close(fd);
	print_message("# %d registered, %d failed with ENOMEM\n", ok, enomem);
	/* the injection did something, and not everything */
	assert_true(enomem > 0);
	assert_true(ok > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_register_under_fault_injection_leaks_nothing,
						tstate_setup, tstate_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
