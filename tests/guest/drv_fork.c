// SPDX-License-Identifier: GPL-2.0
/*
 * fork() after register: where the DMA lands and what the child sees.
 *
 * The driver pins with FOLL_PIN | FOLL_LONGTERM (and FOLL_WRITE when the
 * device writes).  On 6.1 and 6.12, fork() copies a pinned hugepage of a
 * private mapping for the child at once (page_needs_cow_for_dma(), "early
 * COW"; upstream "hugetlb: do early cow when page pinned on src mm",
 * which we believe is 5.12; only 5.10 and 6.x are tested) instead of
 * sharing it copy-on-write: the registering parent keeps the pinned page,
 * and with it the device's view, whoever writes first; the child has its
 * own copy from the fork on, which the device never touches.  Debian's
 * 5.10 shares the pinned hugepage copy-on-write like any other: if
 * the child writes first, the parent keeps the pinned page and all is
 * well, but once the parent writes first, the parent moves to a new page
 * and the device goes on with the old one, which is the child's: the DMA
 * lands in the child, a read-only registration reads stale data.  The
 * tests assert each kernel's behaviour.  A shared mapping is never copied:
 * parent, child and device see the same pages.
 *
 * Each test registers before the fork, then has the child and the parent
 * write in some order, then DMAs (an edu copy, or a hugesg-fpga stream),
 * and checks both views.  The child also exits, copies on the inherited
 * file, and registers on it.  "pages copied at fork" is the drop of the
 * 2 MiB pool across fork().
 */
#include <stdbool.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include "drvlib.h"

#define BUF_LEN		(2 * SZ_2M)
#define XFER_OFF	(SZ_2M - 4096)	/* 8 KiB across the hugepage boundary */
#define XFER_LEN	8192
#define PARENT_BYTE	0x11
#define CHILD_BYTE	0x22

/* A child driven step by step: it waits for a byte, acts, answers one. */
struct kid {
	pid_t pid;
	int to, from;
};

typedef int (*kid_fn)(int step, void *arg);

/*
 * Fork a child that runs @fn(step, @arg) for step 0, 1, ... each time the
 * parent calls kid_step(), answering fn's result, until the parent closes
 * the pipe; then it exits 0.
 */
static void kid_start(struct kid *k, kid_fn fn, void *arg)
{
	int down[2], up[2], step = 0;
	char c;

	assert_int_equal(pipe(down), 0);
	assert_int_equal(pipe(up), 0);
	k->pid = fork();
	assert_true(k->pid >= 0);
	if (!k->pid) {
		close(down[1]);
		close(up[0]);
		while (read(down[0], &c, 1) == 1) {
			c = (char)fn(step++, arg);
			if (write(up[1], &c, 1) != 1)
				_exit(100);
		}
		_exit(0);
	}
	close(down[0]);
	close(up[1]);
	k->to = down[1];
	k->from = up[0];
}

/* Run the child's next step; returns its result. */
static int kid_step(struct kid *k)
{
	char c = 's';

	assert_int_equal(write(k->to, &c, 1), 1);
	assert_int_equal(read(k->from, &c, 1), 1);
	return c;
}

/* Let the child exit; returns its exit status. */
static int kid_end(struct kid *k)
{
	int status;

	close(k->to);
	close(k->from);
	assert_int_equal(waitpid(k->pid, &status, 0), k->pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static bool all_bytes(const char *p, size_t len, int val)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != (char)val)
			return false;
	return true;
}

static char src_byte(size_t i)
{
	return (char)(i * 7 + 3);
}

static void fill_src(char *p)
{
	size_t i;

	for (i = 0; i < BUF_LEN; i++)
		p[i] = src_byte(i);
}

/*
 * Does fork() copy pinned hugepages of private mappings?  Debian's 5.10:
 * no; 6.1 and 6.12: yes.  The line at 5.12 is our reading of upstream.
 */
static bool early_cow(void)
{
	struct utsname u;
	int major = 0, minor = 0, n;

	assert_int_equal(uname(&u), 0);
	n = sscanf(u.release, "%d.%d", &major, &minor);
	assert_int_equal(n, 2);
	return major > 5 || (major == 5 && minor >= 12);
}

/* The parent's view after the copy: the source's bytes there, @val around. */
static void assert_copied(const char *dst, const char *src, int val)
{
	assert_memory_equal(dst + XFER_OFF, src + XFER_OFF, XFER_LEN);
	assert_true(all_bytes(dst, XFER_OFF, val));
	assert_true(all_bytes(dst + XFER_OFF + XFER_LEN,
			      BUF_LEN - XFER_OFF - XFER_LEN, val));
}

static char *map_shared_huge(struct tstate *t, size_t len)
{
	return track(t, mmap(NULL, len, PROT_READ | PROT_WRITE,
			     MAP_SHARED | MAP_ANONYMOUS | MAP_HUGETLB |
			     MAP_HUGE_2M | MAP_POPULATE, -1, 0), len);
}

/* A registered edu source and destination on a fresh file. */
struct pair {
	int fd, hs, hd;
	char *src, *dst;
};

static void pair_init(struct tstate *t, struct pair *p, bool shared)
{
	skip_unless_edu_reaches_pools();
	p->src = shared ? map_shared_huge(t, BUF_LEN) : map_huge(t, BUF_LEN, 21);
	p->dst = shared ? map_shared_huge(t, BUF_LEN) : map_huge(t, BUF_LEN, 21);
	assert_non_null(p->src);
	assert_non_null(p->dst);
	fill_src(p->src);
	memset(p->dst, PARENT_BYTE, BUF_LEN);
	p->fd = hsg_open();
	assert_true(p->fd >= 0);
	p->hs = hsg_register(p->fd, p->src, BUF_LEN, HUGESG_HUGE,
			     HUGESG_ENGINE_EDU, NULL);
	p->hd = hsg_register(p->fd, p->dst, BUF_LEN, HUGESG_HUGE | HUGESG_WRITE,
			     HUGESG_ENGINE_EDU, NULL);
	assert_true(p->hs > 0);
	assert_true(p->hd > 0);
}

static int pair_copy(struct pair *p)
{
	return hsg_edu_copy(p->fd, p->hs, XFER_OFF, p->hd, XFER_OFF, XFER_LEN);
}

/* What a view of the destination holds. */
enum view {
	UNTOUCHED = 0,	/* the child's bytes only: no DMA there */
	GOT_DMA = 1,	/* the child's bytes around the copied ones */
	OTHER = 2,
	VMPIN = 3,	/* the child's VmPin is not 0 */
};

static int child_view(const struct pair *p)
{
	if (all_bytes(p->dst, BUF_LEN, CHILD_BYTE))
		return UNTOUCHED;
	if (!memcmp(p->dst + XFER_OFF, p->src + XFER_OFF, XFER_LEN) &&
	    all_bytes(p->dst, XFER_OFF, CHILD_BYTE) &&
	    all_bytes(p->dst + XFER_OFF + XFER_LEN,
		      BUF_LEN - XFER_OFF - XFER_LEN, CHILD_BYTE))
		return GOT_DMA;
	return OTHER;
}

/* Child steps: 0 overwrite its view of dst; 1 tell what it holds now. */
static int child_writes_then_checks(int step, void *arg)
{
	struct pair *p = arg;

	if (step == 0) {
		memset(p->dst, CHILD_BYTE, BUF_LEN);
		return 0;
	}
	/* VmPin is the parent's: the child's mm pinned nothing */
	if (vmpin_kb() != 0)
		return VMPIN;
	return child_view(p);
}

static long fork_kid(struct kid *k, kid_fn fn, void *arg)
{
	long before = pool_free(SZ_2M);

	kid_start(k, fn, arg);
	/* our fork() returns after the copies were made */
	return before - pool_free(SZ_2M);
}

static void test_private_child_writes_dma_lands_in_parent(void **state)
{
	struct tstate *t = *state;
	struct pair p;
	struct kid k;
	long copied;

	pair_init(t, &p, false);
	copied = fork_kid(&k, child_writes_then_checks, &p);
	print_message("# private: %ld pages copied at fork\n", copied);
	/* early COW: the four pinned pages (source, destination) are copied */
	assert_int_equal(copied, early_cow() ? 2 * BUF_LEN / SZ_2M : 0);
	assert_int_equal(kid_step(&k), 0);		/* the child writes */
	assert_int_equal(pair_copy(&p), 0);
	assert_copied(p.dst, p.src, PARENT_BYTE);
	assert_int_equal(kid_step(&k), UNTOUCHED);
	assert_int_equal(kid_end(&k), 0);
	close(p.fd);
}

/*
 * The hazard of pins and fork: the parent writes first.  Where the pages
 * are shared copy-on-write (5.10), the parent's write moves it to a new
 * page and leaves the device with the pinned one, which the child then
 * reuses for its own write: the DMA lands in the child.
 */
static void test_private_parent_writes_first_dma_lands_in_parent(void **state)
{
	struct tstate *t = *state;
	struct pair p;
	struct kid k;

	pair_init(t, &p, false);
	fork_kid(&k, child_writes_then_checks, &p);
	memset(p.dst, 0x33, BUF_LEN);
	assert_int_equal(kid_step(&k), 0);
	assert_int_equal(pair_copy(&p), 0);
	if (early_cow()) {
		assert_copied(p.dst, p.src, 0x33);
		assert_int_equal(kid_step(&k), UNTOUCHED);
	} else {
		print_message("# 5.10: the DMA landed in the child's page\n");
		assert_true(all_bytes(p.dst, BUF_LEN, 0x33));
		assert_int_equal(kid_step(&k), GOT_DMA);
	}
	assert_int_equal(kid_end(&k), 0);
	close(p.fd);
}

/*
 * A read-only registration (the device reads) of private memory: what the
 * parent writes after the fork is what the device reads, where fork()
 * copies early; on 5.10 the device reads the pinned page, which the
 * parent's write left behind: the data as it was at register.
 */
static void test_private_source_written_after_fork_is_what_device_reads(void **state)
{
	struct tstate *t = *state;
	struct pair p;
	struct kid k;
	size_t i;

	pair_init(t, &p, false);
	fork_kid(&k, child_writes_then_checks, &p);
	memset(p.src, 0x44, BUF_LEN);
	assert_int_equal(kid_step(&k), 0);
	assert_int_equal(pair_copy(&p), 0);
	if (early_cow()) {
		assert_true(all_bytes(p.dst + XFER_OFF, XFER_LEN, 0x44));
	} else {
		print_message("# 5.10: the device read the source as it was at register\n");
		for (i = XFER_OFF; i < XFER_OFF + XFER_LEN; i++)
			assert_int_equal(p.dst[i], src_byte(i));
	}
	assert_int_equal(kid_step(&k), UNTOUCHED);
	assert_int_equal(kid_end(&k), 0);
	close(p.fd);
}

/* Child step: the destination is not in the child at all. */
static int child_without_dst(int step, void *arg)
{
	struct pair *p = arg;

	(void)step;
	/* madvise() on a range with no mapping: ENOMEM */
	return madvise(p->dst, BUF_LEN, MADV_NORMAL) == -1 && errno == ENOMEM ?
		0 : 1;
}

/*
 * The remedy where fork() does not copy early (5.10), as RDMA's
 * ibv_fork_init() does it: MADV_DONTFORK on the registered buffers.  The
 * child does not inherit them, nothing is shared, the parent may write
 * first on every kernel.
 */
static void test_private_dontfork_parent_writes_first_dma_lands_in_parent(void **state)
{
	struct tstate *t = *state;
	struct pair p;
	struct kid k;

	pair_init(t, &p, false);
	assert_int_equal(madvise(p.src, BUF_LEN, MADV_DONTFORK), 0);
	assert_int_equal(madvise(p.dst, BUF_LEN, MADV_DONTFORK), 0);
	assert_int_equal(fork_kid(&k, child_without_dst, &p), 0);
	memset(p.dst, 0x33, BUF_LEN);
	assert_int_equal(kid_step(&k), 0);
	assert_int_equal(pair_copy(&p), 0);
	assert_copied(p.dst, p.src, 0x33);
	assert_int_equal(kid_end(&k), 0);
	close(p.fd);
}

/* Child steps for shared memory: 0 write its half; 1 check it sees the DMA. */
static int child_shared(int step, void *arg)
{
	struct pair *p = arg;

	if (step == 0) {
		memset(p->dst, CHILD_BYTE, XFER_OFF);
		return 0;
	}
	if (memcmp(p->dst + XFER_OFF, p->src + XFER_OFF, XFER_LEN))
		return 2;
	return all_bytes(p->dst, XFER_OFF, CHILD_BYTE) ? 0 : 4;
}

static void test_shared_dma_seen_by_parent_and_child(void **state)
{
	struct tstate *t = *state;
	struct pair p;
	struct kid k;
	long copied;

	pair_init(t, &p, true);
	copied = fork_kid(&k, child_shared, &p);
	print_message("# shared: %ld pages copied at fork\n", copied);
	assert_int_equal(copied, 0);
	assert_int_equal(kid_step(&k), 0);
	/* the child's write is ours too: one memory */
	assert_true(all_bytes(p.dst, XFER_OFF, CHILD_BYTE));
	assert_int_equal(pair_copy(&p), 0);
	assert_memory_equal(p.dst + XFER_OFF, p.src + XFER_OFF, XFER_LEN);
	assert_int_equal(kid_step(&k), 0);		/* and the child's */
	assert_int_equal(kid_end(&k), 0);
	close(p.fd);
}

/* Child step 0 for a ring: overwrite it; 1: check it still holds that. */
static int child_ring(int step, void *arg)
{
	char *ring = arg;

	if (step == 0) {
		memset(ring, CHILD_BYTE, BUF_LEN);
		return 0;
	}
	return all_bytes(ring, BUF_LEN, CHILD_BYTE) ? 0 : 2;
}

static void test_private_stream_lands_in_parent(void **state)
{
	struct tstate *t = *state;
	char *ring = map_huge(t, BUF_LEN, 21);
	struct hugesg_ring st;
	int fd = hsg_open(), h;
	struct kid k;

	assert_non_null(ring);
	memset(ring, PARENT_BYTE, BUF_LEN);
	h = hsg_register(fd, ring, BUF_LEN, HUGESG_HUGE | HUGESG_WRITE,
			 HUGESG_ENGINE_FPGA, NULL);
	assert_true(h > 0);
	assert_int_equal(fork_kid(&k, child_ring, ring),
			 early_cow() ? BUF_LEN / SZ_2M : 0);
	assert_int_equal(kid_step(&k), 0);
	assert_int_equal(hsg_stream(fd, h, HUGESG_STREAM_TABLE, 77, BUF_LEN), 0);
	assert_int_equal(hsg_ring(fd, HUGESG_IOC_RING_WAIT, BUF_LEN, 5000, &st), 0);
	assert_int_equal(st.state, HUGESG_RING_DONE);
	assert_int_equal(pattern_errors((const uint64_t *)ring, BUF_LEN, 0, 77), 0);
	assert_int_equal(kid_step(&k), 0);
	assert_int_equal(kid_end(&k), 0);
	close(fd);
}

/* The child's close of its copy of the file is not the last one. */
static void test_child_exit_leaves_parent_registration(void **state)
{
	struct tstate *t = *state;
	long before, pins;
	struct pair p;
	pid_t pid;
	int status;

	pair_init(t, &p, false);
	before = pool_free(SZ_2M);
	pins = pins_held();
	pid = fork();
	if (!pid)
		_exit(0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(status, 0);
	/* its copies are freed, our pins are all there */
	assert_int_equal(pool_free(SZ_2M), before);
	assert_int_equal(pins_held(), pins);
	assert_int_equal(pair_copy(&p), 0);
	assert_copied(p.dst, p.src, PARENT_BYTE);
	close(p.fd);
}

/*
 * Child steps: 0 write its view, then copy with the parent's handles on
 * the inherited file; 1 check its view did not change.
 */
static int child_copies(int step, void *arg)
{
	struct pair *p = arg;

	if (step == 0) {
		memset(p->dst, CHILD_BYTE, BUF_LEN);
		return pair_copy(p) ? 5 : 0;
	}
	return child_view(p);
}

/* A handle names the pages pinned at register, whoever uses it. */
static void test_child_copy_on_inherited_file_lands_in_parent(void **state)
{
	struct tstate *t = *state;
	struct pair p;
	struct kid k;

	pair_init(t, &p, false);
	fork_kid(&k, child_copies, &p);
	assert_int_equal(kid_step(&k), 0);	/* the child's copy works */
	assert_copied(p.dst, p.src, PARENT_BYTE);
	assert_int_equal(kid_step(&k), UNTOUCHED);	/* not into its pages */
	assert_int_equal(kid_end(&k), 0);
	close(p.fd);
}

/* A child registers its own hugepage on the inherited file, then exits. */
static void test_child_registration_outlives_child(void **state)
{
	skip_unless_edu_reaches_pools();
	struct tstate *t = *state;
	char *src = map_huge(t, SZ_2M, 21);
	long before = pool_free(SZ_2M), pins = pins_held();
	int fd = hsg_open(), pfd[2], h = 0, hs, status;
	pid_t pid;

	assert_true(fd >= 0);
	assert_non_null(src);
	memset(src, 0x55, SZ_2M);
	assert_int_equal(pipe(pfd), 0);
	pid = fork();
	if (!pid) {
		struct tstate ct = { 0 };
		char *mine = map_huge(&ct, SZ_2M, 21);

		h = mine ? hsg_register(fd, mine, SZ_2M, HUGESG_HUGE | HUGESG_WRITE,
					HUGESG_ENGINE_EDU, NULL) : -ENOMEM;
		_exit(write(pfd[1], &h, sizeof(h)) == sizeof(h) ? 0 : 1);
	}
	assert_int_equal(read(pfd[0], &h, sizeof(h)), sizeof(h));
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(status, 0);
	assert_true(h > 0);
	/* the child is gone, its page is not: pinned, out of the pool */
	assert_int_equal(pins_held() - pins, 1);
	assert_int_equal(pool_free(SZ_2M), before - 1);
	/* the file is ours too: copy into the orphan, then let it go */
	hs = hsg_register(fd, src, SZ_2M, HUGESG_HUGE, HUGESG_ENGINE_EDU, NULL);
	assert_true(hs > 0);
	assert_int_equal(hsg_edu_copy(fd, hs, 0, h, 0, 4096), 0);
	assert_int_equal(hsg_unregister(fd, h), 0);
	assert_int_equal(pool_free(SZ_2M), before);
	assert_int_equal(pins_held() - pins, 1);
	close(fd);
	assert_int_equal(pins_held(), pins);
	close(pfd[0]);
	close(pfd[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, tstate_setup, tstate_teardown)
		T(test_private_child_writes_dma_lands_in_parent),
		T(test_private_parent_writes_first_dma_lands_in_parent),
		T(test_private_source_written_after_fork_is_what_device_reads),
		T(test_private_dontfork_parent_writes_first_dma_lands_in_parent),
		T(test_shared_dma_seen_by_parent_and_child),
		T(test_private_stream_lands_in_parent),
		T(test_child_exit_leaves_parent_registration),
		T(test_child_copy_on_inherited_file_lands_in_parent),
		T(test_child_registration_outlives_child),
	};

	return cmocka_run_group_tests_name("drv_fork", tests, NULL, NULL);
}
