// SPDX-License-Identifier: GPL-2.0
/*
 * kill -9 at a random moment, many times over: while hugesg-fpga streams
 * into a 64 MiB ring of 2 MiB hugepages and an edu copy (TRANSFER) runs,
 * the victim gets SIGKILL after a random delay.  After each trial nothing
 * may be left: no pin (nr_foll_pin_acquired - released back to its value
 * at the start), the 2 MiB and 1 GiB pools whole, no file of /dev/hugesg
 * open, and every free 2 MiB hugepage, taken and filled with a pattern by
 * the test process, does not change for a second.  The driver exposes no
 * count of registrations; they live in their file, so "no file open", no
 * pin and a whole pool are the evidence that none is left.
 *
 * The trials take turns at four shapes of victim:
 *   same-fd     one process: a thread streams, a thread copies, one file
 *   two-fds     one process, the same two threads, a file each
 *   bystander   the streaming process is killed, a copy runs in another
 *               process that is not: its copies must all come out right
 *   two-procs   a streaming and a copying process, killed together
 * and at three ways of holding the memory (the ring and the copier's
 * buffers):
 *   handed-over the test process's last check mapped every free page shared
 *               (MAP_SHARED | MAP_ANONYMOUS | MAP_HUGETLB); the victims
 *               inherit that mapping by fork() and the test unmaps it, so
 *               that the pages return to the pool when the victims are gone
 *   kept        the same, but the test keeps its mapping: after the kill
 *               the pages stay with the test process, which is the
 *               survivor that a device writing on would corrupt; the check
 *               fills and watches them instead of the (empty) free pool
 *   private     the victims map fresh private hugepages (MAP_PRIVATE |
 *               MAP_ANONYMOUS), which return to the pool at their death
 * The delay, the stream's rate (full speed for up to 20 ms, 256 KiB/ms or
 * 64 KiB/ms for up to 300 ms of guest time) and the copies' lengths and
 * offsets (up to 12 KiB, half of them across a hugepage boundary) come
 * from a seeded PRNG.  The seed is printed; hugesg_rig.seed=N on the
 * guest's command line (HUGESG_APPEND) repeats a run,
 * hugesg_rig.kill_trials=N sets the number of trials: 50, or 500 with
 * hugesg_rig.stress=1 (`make stress`).
 *
 * Cost under TCG, where the kernel zeroes a hugepage at about 75 MB/s
 * (about 1 s per 64 MiB), and the choices made for it:
 * - For the duration of the suite the 2 MiB pool is shrunk (nr_hugepages)
 *   to what a trial needs plus two pages of slack: 38 pages, 76 MiB; it is
 *   restored at the end (8-18 s: Debian's kernels zero pages on
 *   allocation, init_on_alloc=1).
 * - Handing the checked pages over to the victim (handed-over, kept)
 *   spares the victim a fault, and kept trials spare the check one: a
 *   handed-over trial zeroes the pool once, a private one twice, a kept
 *   one never.  Each shape takes its turn at each memory: of every 32
 *   trials, 12 are handed over, 16 kept, 4 private.
 * - Paced streams are slow enough that the guest idles between the
 *   device's ticks, and each idle wait was measured at about a
 *   millisecond of wall time under icount: at most one tick per
 *   millisecond of guest time.  Full speed keeps the guest busy instead.
 * - The 1 GiB page, which no trial uses, is filled and checked once per
 *   run, after the loop (test_1g_page_untouched_after_the_loop: 9-29 s);
 *   its pool count is checked after every trial.
 * Measured on a two-core host shared with other builds: the 50 trials
 * 27-60 s, the whole suite 47-100 s; 500 trials 4-7 minutes.
 */
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/wait.h>
#include <time.h>

#include "drvlib.h"

#define RING_LEN	(64 * MiB)
#define EDU_LEN		(2 * SZ_2M)	/* the copier's source and destination */
#define POOL_PAGES	((RING_LEN + 2 * EDU_LEN) / SZ_2M + 2)
#define POOL_LEN	(POOL_PAGES * SZ_2M)
#define NR_HUGEPAGES_2M	"/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages"
#define NR_OVERCOMMIT_2M "/sys/kernel/mm/hugepages/hugepages-2048kB/nr_overcommit_hugepages"
#define PATTERN		0x5a5a5a5a5a5a5a5aULL
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

enum shape { SAME_FD, TWO_FDS, BYSTANDER, TWO_PROCS, NR_SHAPES };
static const char *const shape_name[] = { "same-fd", "two-fds", "bystander",
					  "two-procs" };

/* Stream rates (bytes per ms of device time, 0: full speed), longest delay */
static const struct {
	uint64_t rate, max_delay_us;
} paces[] = { { 0, 20000 }, { 256 * KiB, 300000 }, { 64 * KiB, 300000 } };

enum memory { HANDED_OVER, KEPT, PRIVATE };
static const char *const memory_name[] = { "handed-over", "kept", "private" };
/* trial i: shape i % 4, memory mem_cycle[i / 4 % 8] */
static const enum memory mem_cycle[] = { HANDED_OVER, KEPT, HANDED_OVER, KEPT,
					 PRIVATE, KEPT, HANDED_OVER, KEPT };

/* What the victim's roles tell the test, in a shared anonymous page. */
struct shared {
	_Atomic uint64_t acked;		/* stream bytes consumed */
	_Atomic uint64_t copies;	/* copies done and verified */
	_Atomic uint64_t copy_errors;	/* copies failed or wrong */
	_Atomic int copying;		/* a TRANSFER is in flight */
	_Atomic int stop;		/* the bystander: finish and exit */
};

struct trial {
	unsigned int idx;
	enum shape shape;
	enum memory mem;
	uint64_t delay_us, rate, seed;
	char *pool;		/* the checked pages, inherited; or NULL */
};

static struct {
	uint64_t seed;
	unsigned long trials;
	long saved_nr_2m;	/* of knob */
	const char *knob;	/* pool_knob() */
	struct shared *sh;
} run;

static int write_long(const char *path, long val)
{
	FILE *f = fopen(path, "w");
	int ret;

	if (!f)
		return -1;
	ret = fprintf(f, "%ld\n", val) < 0;
	ret |= fclose(f) != 0;
	return ret ? -1 : 0;
}

/* No early exit: the compiler vectorizes it. */
static uint64_t pattern_diff(const uint64_t *p, size_t words)
{
	uint64_t acc = 0;
	size_t i;

	for (i = 0; i < words; i++)
		acc |= p[i] ^ (PATTERN ^ i);
	return acc;
}

/* Fill @p with the pattern, wait a second, check that no byte changed. */
static void check_pages(uint64_t *p, size_t len)
{
	size_t i;

	for (i = 0; i < len / 8; i++)
		p[i] = PATTERN ^ i;
	sleep(1);
	if (pattern_diff(p, len / 8))
		for (i = 0; i < len / 8; i++)
			if (p[i] != (PATTERN ^ i))
				fail_msg("byte changed at offset %zu of %zu bytes",
					 i * 8, len);
}

/*
 * Take every free 2 MiB hugepage (shared, so that the next victim can
 * inherit it) and check it.  Returns the mapping, POOL_LEN bytes.
 */
static char *take_and_check_free_pages(void)
{
	uint64_t *p;

	assert_int_equal(pool_free(SZ_2M), POOL_PAGES);
	p = mmap(NULL, POOL_LEN, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS | MAP_HUGETLB | MAP_HUGE_2M |
		 MAP_POPULATE, -1, 0);
	assert_true(p != MAP_FAILED);
	assert_int_equal(pool_free(SZ_2M), 0);
	check_pages(p, POOL_LEN);
	return (char *)p;
}

static void signal_ready(int ready)
{
	if (write(ready, "r", 1) != 1)
		_exit(3);
}

/* The streamer: register the ring, start the stream, consume forever. */
static void streamer(int fd, const struct trial *tr, struct shared *sh,
		     int ready)
{
	/* an interrupt, and so an acknowledgement, every 256 KiB */
	struct hugesg_stream s = { .size = sizeof(s), .mode = HUGESG_STREAM_TABLE,
				   .seed = tr->seed, .rate = tr->rate,
				   .irq_threshold = 256 * KiB };
	struct tstate t = { 0 };
	char *ring = tr->pool ? tr->pool : map_huge(&t, RING_LEN, 21);
	struct hugesg_ring st;
	int h;

	h = hsg_register(fd, ring, RING_LEN, HUGESG_HUGE | HUGESG_WRITE,
			 HUGESG_ENGINE_FPGA, NULL);
	s.handle = h;
	if (!ring || h <= 0 || hsg_ioctl(fd, HUGESG_IOC_STREAM_START, &s))
		_exit(10);
	signal_ready(ready);
	for (;;) {
		if (hsg_ring(fd, HUGESG_IOC_RING_WAIT, 8, 1000, &st) == 0 &&
		    st.write_ptr > st.read_ptr &&
		    hsg_ring(fd, HUGESG_IOC_RING_ACK,
			     (st.write_ptr - st.read_ptr) & ~7ULL, 0, &st) == 0)
			sh->acked = st.read_ptr;
	}
}

struct copier {
	int fd, ready;
	uint64_t rng;
	struct shared *sh;
	char *src, *dst;
	int hs, hd;
};

/* Register a source and a destination of two hugepages each for edu. */
static int copier_init(struct copier *c, int fd, const struct trial *tr,
		       struct shared *sh, int ready)
{
	struct tstate t = { 0 };
	size_t i;

	*c = (struct copier){ .fd = fd, .rng = tr->seed, .sh = sh,
			      .ready = ready };
	if (tr->pool) {
		/* the check left its pattern there */
		c->src = tr->pool + RING_LEN;
		c->dst = tr->pool + RING_LEN + EDU_LEN;
	} else {
		c->src = map_huge(&t, EDU_LEN, 21);
		c->dst = map_huge(&t, EDU_LEN, 21);
		for (i = 0; c->src && i < EDU_LEN; i++)
			c->src[i] = (char)(i * 7 + 3);
	}
	if (!c->src || !c->dst)
		return -1;
	c->hs = hsg_register(fd, c->src, EDU_LEN, HUGESG_HUGE, HUGESG_ENGINE_EDU,
			     NULL);
	c->hd = hsg_register(fd, c->dst, EDU_LEN, HUGESG_HUGE | HUGESG_WRITE,
			     HUGESG_ENGINE_EDU, NULL);
	return c->hs > 0 && c->hd > 0 ? 0 : -1;
}

/* An offset for a copy of @len: across the hugepage boundary half the time. */
static uint64_t copy_offset(struct copier *c, uint64_t len)
{
	if (rnd(&c->rng) & 1)
		return SZ_2M - 1 - rnd(&c->rng) % len;
	return rnd(&c->rng) % (EDU_LEN - len);
}

/* Copy, check, again, until killed or told to stop. */
static void *copier_loop(void *arg)
{
	struct copier *c = arg;
	bool first = true;

	while (!c->sh->stop) {
		uint64_t len = 1 + rnd(&c->rng) % (3 * SZ_4K);
		uint64_t so = copy_offset(c, len), dof = copy_offset(c, len), i;
		int ret;

		for (i = 0; i < len; i++)
			c->dst[dof + i] = (char)~c->src[so + i];
		c->sh->copying = 1;
		if (first)
			signal_ready(c->ready);
		first = false;
		ret = hsg_edu_copy(c->fd, c->hs, so, c->hd, dof, len);
		c->sh->copying = 0;
		if (ret || memcmp(c->dst + dof, c->src + so, len))
			c->sh->copy_errors++;
		else
			c->sh->copies++;
	}
	return NULL;
}

/* One process, a thread streaming and one copying, on one file or two. */
static void victim_threads(const struct trial *tr, struct shared *sh, int ready)
{
	int sfd = hsg_open(), cfd = tr->shape == SAME_FD ? sfd : hsg_open();
	static struct copier c;
	pthread_t th;

	if (sfd < 0 || cfd < 0 || copier_init(&c, cfd, tr, sh, ready) ||
	    pthread_create(&th, NULL, copier_loop, &c))
		_exit(11);
	streamer(sfd, tr, sh, ready);
}

static void victim_copier(const struct trial *tr, struct shared *sh, int ready)
{
	struct copier c;

	if (copier_init(&c, hsg_open(), tr, sh, ready))
		_exit(12);
	copier_loop(&c);
	_exit(sh->copy_errors ? 1 : 0);
}

/* Start the trial's processes; returns how many; @pids[0] is killed. */
static int start_victims(const struct trial *tr, struct shared *sh,
			 pid_t pids[2], int *ready_rd)
{
	int pfd[2], n = tr->shape == SAME_FD || tr->shape == TWO_FDS ? 1 : 2;

	assert_int_equal(pipe(pfd), 0);
	pids[0] = fork();
	assert_true(pids[0] >= 0);
	if (!pids[0]) {
		close(pfd[0]);
		setpgid(0, 0);
		if (n == 1)
			victim_threads(tr, sh, pfd[1]);
		streamer(hsg_open(), tr, sh, pfd[1]);
	}
	setpgid(pids[0], pids[0]);
	if (n == 2) {
		pids[1] = fork();
		assert_true(pids[1] >= 0);
		if (!pids[1]) {
			close(pfd[0]);
			/* two-procs: in the victim's process group */
			if (tr->shape == TWO_PROCS)
				setpgid(0, pids[0]);
			victim_copier(tr, sh, pfd[1]);
		}
		if (tr->shape == TWO_PROCS)
			setpgid(pids[1], pids[0]);
	}
	close(pfd[1]);
	*ready_rd = pfd[0];
	return n;
}

/*
 * One trial: start the victims on the checked pages @*pool (or on fresh
 * memory), wait until the stream runs and the first copy is issued, sleep
 * the random delay, SIGKILL, reap, check; the checked pages are left in
 * @*pool.  Returns whether a copy was in flight at the kill.
 */
static bool run_trial(struct trial *tr, char **pool, long pins0,
		      long free1g0, long files0, uint64_t *streamed)
{
	struct shared *sh = run.sh;
	struct timespec d = { tr->delay_us / 1000000,
			      (tr->delay_us % 1000000) * 1000 };
	long free_after = tr->mem == KEPT ? 0 : POOL_PAGES;
	pid_t pids[2];
	int n, status = 0, rd, i;
	bool in_flight;
	char c;

	memset(sh, 0, sizeof(*sh));
	if (tr->mem == PRIVATE) {
		munmap(*pool, POOL_LEN);
		*pool = NULL;
	}
	tr->pool = *pool;
	n = start_victims(tr, sh, pids, &rd);
	if (tr->mem == HANDED_OVER) {
		/* the victims hold the pages now: freed when they are gone */
		munmap(*pool, POOL_LEN);
		*pool = NULL;
	}
	for (i = 0; i < 2; i++)		/* streamer and copier */
		if (read(rd, &c, 1) != 1) {
			waitpid(pids[0], &status, 0);
			fail_msg("trial %u: a victim failed to start (status %#x)",
				 tr->idx, status);
		}
	close(rd);
	nanosleep(&d, NULL);
	/* the bystander's copy is not killed: it does not count */
	in_flight = sh->copying && tr->shape != BYSTANDER;
	if (tr->shape == TWO_PROCS)
		assert_int_equal(kill(-pids[0], SIGKILL), 0);
	else
		assert_int_equal(kill(pids[0], SIGKILL), 0);
	for (i = 0; i < (tr->shape == BYSTANDER ? 1 : n); i++) {
		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFSIGNALED(status));
		assert_int_equal(WTERMSIG(status), SIGKILL);
	}
	*streamed += sh->acked;
	print_message("# trial %u: %s, %s, rate %llu KiB/ms, kill after %llu us: %llu KiB streamed, %llu copies%s\n",
		      tr->idx, shape_name[tr->shape], memory_name[tr->mem],
		      (unsigned long long)(tr->rate / KiB),
		      (unsigned long long)tr->delay_us,
		      (unsigned long long)(sh->acked / KiB),
		      (unsigned long long)sh->copies,
		      in_flight ? ", one in flight" : "");
	if (tr->shape == BYSTANDER) {
		/* the copies of the process that was not killed are right */
		sh->stop = 1;
		assert_int_equal(waitpid(pids[1], &status, 0), pids[1]);
		assert_true(WIFEXITED(status));
		assert_int_equal(sh->copy_errors, 0);
		assert_int_equal(WEXITSTATUS(status), 0);
		assert_true(sh->copies > 0);
	}
	/* release() ran in the victim's exit: allow it a moment all the same */
	for (i = 0; i < 50 && (pins_held() != pins0 ||
			       pool_free(SZ_2M) != free_after); i++)
		usleep(20000);
	assert_int_equal(pins_held(), pins0);
	assert_int_equal(pool_free(SZ_2M), free_after);
	assert_int_equal(pool_free(GiB), free1g0);
	assert_int_equal(hsg_files_open(), files0);
	if (tr->mem == KEPT)
		check_pages((uint64_t *)*pool, POOL_LEN);
	else
		*pool = take_and_check_free_pages();
	return in_flight;
}

static void test_kill_at_random_moments_leaves_no_trace(void **state)
{
	long pins0 = pins_held(), free1g0 = pool_free(GiB),
	     files0 = hsg_files_open();
	uint64_t rng = run.seed, streamed = 0, t0 = now_us();
	unsigned long i, hits = 0, pace;
	struct trial tr;
	char *pool;

	(void)state;
	assert_true(files0 >= 0);
	pool = take_and_check_free_pages();
	for (i = 0; i < run.trials; i++) {
		tr = (struct trial){ .idx = i, .shape = i % NR_SHAPES,
				     .mem = mem_cycle[i / NR_SHAPES % 8] };
		pace = rnd(&rng) % ARRAY_SIZE(paces);
		tr.rate = paces[pace].rate;
		tr.delay_us = rnd(&rng) % (paces[pace].max_delay_us + 1);
		tr.seed = rnd(&rng);
		hits += run_trial(&tr, &pool, pins0, free1g0, files0, &streamed);
	}
	munmap(pool, POOL_LEN);
	print_message("# %lu trials, seed %llu: %lu killed during a copy, %llu MiB streamed, %llu s of guest time\n",
		      run.trials, (unsigned long long)run.seed, hits,
		      (unsigned long long)(streamed / MiB),
		      (unsigned long long)((now_us() - t0) / 1000000));
	/* the kills did land while the engines worked */
	assert_true(hits > 0);
	assert_true(streamed > 0);
}

/* Once per run: the 1 GiB page, which no trial used, did not change either. */
static void test_1g_page_untouched_after_the_loop(void **state)
{
	(void)state;
	assert_int_equal(pool_free(GiB), 1);
	assert_free_hugepages_untouched(GiB);
}

/*
 * What bounds the 2 MiB hugepages a trial can get: the pool's size, or in
 * the rig's surplus guest (every page surplus) the overcommit limit.
 */
static const char *pool_knob(void)
{
	return read_long(NR_OVERCOMMIT_2M) > 0 ? NR_OVERCOMMIT_2M : NR_HUGEPAGES_2M;
}

static int setup(void **state)
{
	long nr = read_long(pool_knob()), used = pool_in_use(SZ_2M);

	(void)state;
	run.trials = rig_param("kill_trials", rig_param("stress", 0) ? 500 : 50);
	run.seed = rig_param("seed", 0);
	if (!run.seed)
		run.seed = now_us() ^ ((uint64_t)time(NULL) << 20);
	print_message("# seed %llu, %lu trials (repeat: HUGESG_APPEND=hugesg_rig.seed=%llu)\n",
		      (unsigned long long)run.seed, run.trials,
		      (unsigned long long)run.seed);
	run.sh = mmap(NULL, sizeof(*run.sh), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (run.sh == MAP_FAILED || nr < 0)
		return -1;
	/* the pool: what a trial needs plus slack, for the suite's duration */
	run.saved_nr_2m = nr;
	run.knob = pool_knob();
	if (write_long(run.knob, used + POOL_PAGES) ||
	    pool_free(SZ_2M) != POOL_PAGES) {
		print_error("could not shrink the 2 MiB pool to %ld free pages\n",
			    (long)POOL_PAGES);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	munmap(run.sh, sizeof(*run.sh));
	if (write_long(run.knob, run.saved_nr_2m) ||
	    read_long(run.knob) != run.saved_nr_2m) {
		print_error("%s not restored to %ld pages: %ld\n", run.knob,
			    run.saved_nr_2m, read_long(run.knob));
		return -1;
	}
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kill_at_random_moments_leaves_no_trace),
		cmocka_unit_test(test_1g_page_untouched_after_the_loop),
	};

	return cmocka_run_group_tests_name("drv_kill_loop", tests, setup, teardown);
}
