// SPDX-License-Identifier: GPL-2.0
/*
 * hugesg_buf_pin() / hugesg_buf_unpin(): the facts of a pinned buffer,
 * RLIMIT_MEMLOCK accounting in pinned_vm (VmPin) with and without
 * CAP_IPC_LOCK, the charge of a range remapped between the scan and the
 * pins, and a release after the pinning process has exited.
 */
#include <linux/capability.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <stdbool.h>
#include <pthread.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
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
	assert_int_equal(r.nr_pins, kernel_pin() ? folio_ranges(p, 2 * MiB) : 512);
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

/*
 * The remap race of hugesg_buf_pin(): the charge comes from a scan of the
 * range's mappings, the pins after it, and the process may remap the range
 * in between.  Made deterministic with userfaultfd: the range is
 *
 *   A + 2M - 4K: one ordinary page, watched (the scan charges 4 KiB)
 *   A + 2M .. A + 10M: a hole (the scan charges nothing)
 *   A + 10M: one ordinary page, watched (4 KiB more)
 *
 * The first pin waits in the fault of the first page; the handler maps
 * five 2 MiB hugepages over [A, A + 10M) and wakes it: the build now pins
 * 10 MiB against a charge of 8 KiB and a limit of 64 KiB.  Each pin beyond
 * the charge must be charged as it is taken, so the build fails at the
 * first hugepage; had it pinned on, it would wait again in the fault of
 * the last page, and the handler sees there how much it holds.
 */
#define RACE_LIMIT	(64 * KiB)
#define RACE_SPAN	(12 * MiB)

struct race {
	int uffd;
	char *a;		/* 2 MiB aligned */
	volatile int done;
	long pins_before;
	int faults;
	long pins_at_last_fault;	/* -1: the build never got there */
	int handler_error;
};

static void *race_handler(void *arg)
{
	struct race *r = arg;
	static char page[SZ_4K] __attribute__((aligned(4096)));
	struct pollfd pfd = { .fd = r->uffd, .events = POLLIN };
	struct uffd_msg msg;

	while (!r->done) {
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		if (read(r->uffd, &msg, sizeof(msg)) != sizeof(msg) ||
		    msg.event != UFFD_EVENT_PAGEFAULT)
			continue;
		r->faults++;
		if (msg.arg.pagefault.address ==
		    (uintptr_t)(r->a + SZ_2M - SZ_4K)) {
			struct uffdio_range wake = {
				.start = msg.arg.pagefault.address,
				.len = SZ_4K,
			};

			if (mmap(r->a, 10 * MiB, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB |
				 MAP_HUGE_2M | MAP_FIXED, -1, 0) != r->a ||
			    ioctl(r->uffd, UFFDIO_WAKE, &wake))
				r->handler_error = errno ? errno : -1;
		} else {
			struct uffdio_copy copy = {
				.dst = msg.arg.pagefault.address,
				.src = (uintptr_t)page,
				.len = SZ_4K,
			};

			r->pins_at_last_fault = pins_held() - r->pins_before;
			if (ioctl(r->uffd, UFFDIO_COPY, &copy))
				r->handler_error = errno;
		}
	}
	return NULL;
}

/* What the child saw, for the parent's assertions. */
struct race_result {
	int setup;		/* 0, or the step that failed */
	int ret;		/* the pin's 0 or -errno */
	uint64_t pinned_bytes;
	long vmpin_kb_held;	/* VmPin while held (0 after a failure) */
	long vmpin_kb_after;
	long pins_after;	/* pins held, against before */
	int faults;
	long pins_at_last_fault;
	int handler_error;
};

static int drop_cap_ipc_lock(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -1;
	d[CAP_IPC_LOCK / 32].effective &= ~(1U << (CAP_IPC_LOCK % 32));
	d[CAP_IPC_LOCK / 32].permitted &= ~(1U << (CAP_IPC_LOCK % 32));
	d[CAP_IPC_LOCK / 32].inheritable &= ~(1U << (CAP_IPC_LOCK % 32));
	return syscall(SYS_capset, &h, d) ? -1 : 0;
}

static void child_remap_race(struct race_result *res)
{
	struct rlimit rl = { RACE_LIMIT, RACE_LIMIT };
	struct race r = { .pins_at_last_fault = -1 };
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	struct tstate t = { 0 };
	struct hugesg_test_req q;
	pthread_t th;
	char *base;

	/*
	 * The handler first, its stack and heap allocated before the holes
	 * are made: nothing may be placed in them but what the handler maps.
	 */
	res->setup = 1;
	t.fd = open("/dev/hugesg_test", O_RDWR);
	r.uffd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (t.fd < 0 || r.uffd < 0 || ioctl(r.uffd, UFFDIO_API, &api))
		return;
	res->setup = 2;
	r.pins_before = pins_held();
	if (pthread_create(&th, NULL, race_handler, &r))
		return;
	res->setup = 3;
	base = mmap(NULL, RACE_SPAN, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		    -1, 0);
	if (base == MAP_FAILED)
		goto out;
	r.a = (char *)(((uintptr_t)base + SZ_2M - 1) & ~(SZ_2M - 1));
	/* the two watched pages, nothing else mapped in [a, a + 10M + 4K] */
	res->setup = 4;
	if (munmap(base, RACE_SPAN) ||
	    mmap(r.a + SZ_2M - SZ_4K, SZ_4K, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED ||
	    mmap(r.a + 10 * MiB, SZ_4K, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
		goto out;
	res->setup = 5;
	reg.range.start = (uintptr_t)(r.a + SZ_2M - SZ_4K);
	reg.range.len = SZ_4K;
	if (ioctl(r.uffd, UFFDIO_REGISTER, &reg))
		goto out;
	reg.range.start = (uintptr_t)(r.a + 10 * MiB);
	if (ioctl(r.uffd, UFFDIO_REGISTER, &reg))
		goto out;
	res->setup = 6;
	if (setrlimit(RLIMIT_MEMLOCK, &rl) || drop_cap_ipc_lock())
		goto out;
	res->setup = 0;

	memset(&q, 0, sizeof(q));
	res->ret = pin(&t, r.a + SZ_2M - SZ_4K, 8 * MiB + 2 * SZ_4K,
		       HUGESG_AUTO | HUGESG_WRITE, &q);
	if (!res->ret) {
		res->pinned_bytes = q.pinned_bytes;
		res->vmpin_kb_held = vmpin_kb();
		ioctl(t.fd, HUGESG_TEST_BUF_UNPIN, &q);
	}
	res->vmpin_kb_after = vmpin_kb();
	res->pins_after = pins_held() - r.pins_before;
out:
	r.done = 1;
	pthread_join(th, NULL);
	res->faults = r.faults;
	res->pins_at_last_fault = r.pins_at_last_fault;
	res->handler_error = r.handler_error;
	close(t.fd);
}

/*
 * A long-term pin waits for userfaultfd only since 6.3: before, GUP faults
 * with FOLL_LONGTERM without FAULT_FLAG_ALLOW_RETRY, and userfaultfd
 * answers SIGBUS (the pin fails with -EFAULT, and CONFIG_DEBUG_VM dumps a
 * stack).
 */
static bool longterm_pin_waits_for_userfaultfd(void)
{
	struct utsname u;
	int major = 0, minor = 0;

	assert_int_equal(uname(&u), 0);
	assert_int_equal(sscanf(u.release, "%d.%d", &major, &minor), 2);
	return major > 6 || (major == 6 && minor >= 3);
}

static void test_remap_between_scan_and_pin_stays_within_limit(void **state)
{
	struct race_result *res;
	long pins = pins_held(), pool = pool_free(SZ_2M);
	int status;
	pid_t pid;

	(void)state;
	skip_unless_root("creates a userfaultfd for kernel faults");
	if (!longterm_pin_waits_for_userfaultfd()) {
		print_message("# before 6.3 a long-term pin cannot wait for userfaultfd\n");
		skip();
	}
	res = mmap(NULL, sizeof(*res), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	assert_true(res != MAP_FAILED);
	memset(res, 0, sizeof(*res));
	pid = fork();
	if (!pid) {
		child_remap_race(res);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	print_message("# child: status %#x, setup step %d, pin %d, %d faults\n",
		      status, res->setup, res->ret, res->faults);
	assert_true(WIFEXITED(status));
	assert_int_equal(res->setup, 0);
	assert_int_equal(res->handler_error, 0);
	/* the range was remapped: the first pin waited for the handler */
	assert_true(res->faults >= 1);
	print_message("# faults %d, pins held at the last page's fault %ld\n",
		      res->faults, res->pins_at_last_fault);
	if (kernel_pin()) {
		/*
		 * The kernel's function pins the whole range in one call, the
		 * five hugepages before the last page (hugesg_buf_pin()): they
		 * are held over the limit until it returns, -ENOMEM.
		 */
		assert_int_equal(res->ret, -ENOMEM);
		assert_true(res->pins_at_last_fault >= 5);
		assert_true(res->pins_at_last_fault <=
			    (long)((8 * MiB + 2 * SZ_4K) / SZ_4K));
	} else {
		/*
		 * Refused, or held within the limit; and never more than the
		 * one hugepage over the limit while pinning: the build does
		 * not go on to the last page with the hugepages it could not
		 * charge.
		 */
		if (res->ret) {
			assert_int_equal(res->ret, -ENOMEM);
		} else {
			assert_true(res->pinned_bytes <= RACE_LIMIT);
			assert_true(res->vmpin_kb_held * KiB <= RACE_LIMIT);
		}
		assert_true(res->pins_at_last_fault <= 1);
	}
	/* nothing left charged or pinned */
	assert_int_equal(res->vmpin_kb_after, 0);
	assert_int_equal(res->pins_after, 0);
	assert_int_equal(pins_held(), pins);
	assert_int_equal(pool_free(SZ_2M), pool);
	munmap(res, sizeof(*res));
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
		T(test_remap_between_scan_and_pin_stays_within_limit),
		T(test_release_after_pinning_process_exited),
	};

	return cmocka_run_group_tests_name("core_buf", tests, NULL, NULL);
}
