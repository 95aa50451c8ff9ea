// SPDX-License-Identifier: GPL-2.0
/*
 * Eight threads over four open files of /dev/hugesg, for a bounded time
 * (30 s of guest time, a few seconds of wall time under TCG, as the
 * threads mostly wait for edu; 300 s with hugesg_rig.stress=1, or
 * hugesg_rig.conc_ms=N), in an order drawn from a seeded PRNG (the seed is
 * printed, hugesg_rig.seed=N repeats it): register a buffer (for edu or
 * hugesg-fpga), copy with edu and check the copy, unregister, copy across
 * engines (-EINVAL), close a file and open it again.  Then the files are
 * closed with whatever is still registered in them, and every counter is
 * back: no pin held, the pool whole, no file open, no VmPin.
 *
 * Each thread owns its buffers and its registrations, so that every
 * request has one right answer, which the thread checks; the files are
 * shared.  A request holds its file slot's read lock; a close and re-open
 * holds the write lock, so that the close is the file's last and its
 * release() frees what is registered there at once, while the requests
 * on the other files go on (and on the same engines).  Registrations on
 * a file that was re-opened since are forgotten, as release() freed them.
 * A buffer the device writes has one registration at a time (see
 * op_register()); the read-only source may have several.
 *
 * No kernel report may appear (the log scanner fails the run on any; the
 * debug kernel's lane adds lockdep).
 *
 * And an edu copy in flight in one process does not hold up another
 * process's register, unregister and close, nor another copy's timeout;
 * nor does a SEGMENTS whose destination waits in a page fault.
 */
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "drvlib.h"

#define NR_THREADS	8
#define NR_FILES	4
#define MAX_REGS	6	/* per thread: at most 48 per file, of 64 */

enum kind { SRC, DST, RING, NR_KINDS };
enum op { OP_REGISTER, OP_TRANSFER, OP_UNREGISTER, OP_CROSS, OP_REOPEN,
	  NR_OPS };
static const char *const op_name[] = { "register", "transfer", "unregister",
				       "cross-engine", "reopen" };

static struct slot {
	pthread_rwlock_t lock;
	int fd;
	unsigned int gen;	/* opens so far */
} slots[NR_FILES];

struct reg {
	int slot, handle;
	unsigned int gen;
	enum kind kind;
};

struct worker {
	pthread_t th;
	int idx;
	uint64_t rng, deadline_us;
	char *buf[NR_KINDS];	/* a hugepage each */
	struct reg regs[MAX_REGS];
	int nregs;
	unsigned long ops[NR_OPS], errors;
	char first_error[160];
};

static struct {
	uint64_t seed, duration_ms;
} run;

static void record_error(struct worker *w, const char *what, long got)
{
	if (!w->errors++)
		snprintf(w->first_error, sizeof(w->first_error),
			 "thread %d: %s: %ld", w->idx, what, got);
}

/* Slot @s's file for a request, until put(); @gen: its generation. */
static int grab(int s, unsigned int *gen)
{
	pthread_rwlock_rdlock(&slots[s].lock);
	*gen = slots[s].gen;
	return slots[s].fd;
}

static void put(int s)
{
	pthread_rwlock_unlock(&slots[s].lock);
}

/* Forget registrations of files that were closed since. */
static void forget_stale(struct worker *w)
{
	int i = 0;

	while (i < w->nregs) {
		struct reg *r = &w->regs[i];
		unsigned int gen;

		pthread_rwlock_rdlock(&slots[r->slot].lock);
		gen = slots[r->slot].gen;
		pthread_rwlock_unlock(&slots[r->slot].lock);
		if (gen != r->gen)
			w->regs[i] = w->regs[--w->nregs];
		else
			i++;
	}
}

/* A registration of @kind (any kind: NR_KINDS) on a file, or NULL. */
static struct reg *find(struct worker *w, int slot, enum kind kind)
{
	int i, n = w->nregs ? (int)(rnd(&w->rng) % w->nregs) : 0;

	for (i = 0; i < w->nregs; i++) {
		struct reg *r = &w->regs[(n + i) % w->nregs];

		if ((slot < 0 || r->slot == slot) &&
		    (kind == NR_KINDS || r->kind == kind))
			return r;
	}
	return NULL;
}

/* Register the thread's buffer of @kind on file @s. */
static void op_register(struct worker *w, int s, enum kind kind)
{
	unsigned int gen;
	int fd, h;

	if (w->nregs == MAX_REGS)
		return;
	/*
	 * A buffer the device writes is registered once at a time: two
	 * registrations would be overlapping DMA mappings that the device may
	 * write, which the DMA API does not support (DMA-API debugging
	 * reports them; docs/driver-guide.md).  The read-only source may be
	 * registered on several files at once.
	 */
	if (kind != SRC && find(w, -1, kind))
		return;
	fd = grab(s, &gen);
	h = hsg_register(fd, w->buf[kind], SZ_2M,
			 HUGESG_HUGE | (kind == SRC ? 0 : HUGESG_WRITE),
			 kind == RING ? HUGESG_ENGINE_FPGA : HUGESG_ENGINE_EDU,
			 NULL);
	put(s);
	if (h <= 0) {
		record_error(w, "register", h);
		return;
	}
	w->regs[w->nregs++] = (struct reg){ .slot = s, .handle = h,
					    .gen = gen, .kind = kind };
	w->ops[OP_REGISTER]++;
}

static void op_unregister(struct worker *w)
{
	struct reg *r = find(w, -1, NR_KINDS);
	unsigned int gen;
	int fd, ret;

	if (!r)
		return;
	fd = grab(r->slot, &gen);
	if (gen != r->gen) {		/* re-opened meanwhile: gone */
		put(r->slot);
		return;
	}
	ret = hsg_unregister(fd, r->handle);
	put(r->slot);
	if (ret)
		record_error(w, "unregister", ret);
	*r = w->regs[--w->nregs];
	w->ops[OP_UNREGISTER]++;
}

/*
 * A registration of @first and one of @other on the same file; when the
 * second is missing, register it (and return NULL).
 */
static struct reg *find_pair(struct worker *w, enum kind first,
			     enum kind other, struct reg **second)
{
	struct reg *r = find(w, -1, first);

	*second = r ? find(w, r->slot, other) : NULL;
	if (!r)
		op_register(w, rnd(&w->rng) % NR_FILES, first);
	else if (!*second)
		op_register(w, r->slot, other);
	return *second ? r : NULL;
}

/* An edu copy between the thread's two hugepages, checked. */
static void op_transfer(struct worker *w)
{
	uint64_t len = 1 + rnd(&w->rng) % 8192, so, dof, i;
	char *d = w->buf[DST], *sb = w->buf[SRC];
	struct reg *src, *dst = find_pair(w, DST, SRC, &src);
	unsigned int gen;
	int fd, ret;

	if (!dst)
		return;
	so = rnd(&w->rng) % (SZ_2M - len);
	dof = 1 + rnd(&w->rng) % (SZ_2M - len - 2);
	for (i = 0; i < len; i++)
		d[dof + i] = (char)~sb[so + i];
	d[dof - 1] = d[dof + len] = 0x5a;
	fd = grab(src->slot, &gen);
	if (gen != src->gen) {
		put(src->slot);
		return;
	}
	ret = hsg_edu_copy(fd, src->handle, so, dst->handle, dof, len);
	put(src->slot);
	if (ret)
		record_error(w, "transfer", ret);
	else if (memcmp(d + dof, sb + so, len) || d[dof - 1] != 0x5a ||
		 d[dof + len] != 0x5a)
		record_error(w, "transfer: wrong data", (long)len);
	w->ops[OP_TRANSFER]++;
}

/* A hugesg-fpga buffer as the source of an edu copy: -EINVAL. */
static void op_cross(struct worker *w)
{
	struct reg *src, *ring = find_pair(w, RING, SRC, &src);
	unsigned int gen;
	int fd, ret;

	if (!ring)
		return;
	fd = grab(ring->slot, &gen);
	if (gen != ring->gen) {
		put(ring->slot);
		return;
	}
	ret = hsg_edu_copy(fd, ring->handle, 0, src->handle, 0, 64);
	put(ring->slot);
	if (ret != -EINVAL)
		record_error(w, "cross-engine transfer", ret);
	w->ops[OP_CROSS]++;
}

static void op_reopen(struct worker *w)
{
	int s = rnd(&w->rng) % NR_FILES, fd;

	pthread_rwlock_wrlock(&slots[s].lock);
	close(slots[s].fd);
	fd = hsg_open();
	slots[s].fd = fd;
	slots[s].gen++;
	pthread_rwlock_unlock(&slots[s].lock);
	if (fd < 0)
		record_error(w, "reopen", -errno);
	w->ops[OP_REOPEN]++;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	while (now_us() < w->deadline_us && !w->errors) {
		unsigned int pick = rnd(&w->rng) % 100;

		forget_stale(w);
		if (pick < 35)
			op_register(w, rnd(&w->rng) % NR_FILES,
				    rnd(&w->rng) % NR_KINDS);
		else if (pick < 60)
			op_transfer(w);
		else if (pick < 88)
			op_unregister(w);
		else if (pick < 93)
			op_cross(w);
		else
			op_reopen(w);
	}
	return NULL;
}

static void test_threads_register_copy_unregister_reopen(void **state)
{
	static struct worker w[NR_THREADS];
	long pins0 = pins_held(), free0 = pool_free(SZ_2M),
	     files0 = hsg_files_open();
	unsigned long total[NR_OPS] = { 0 }, errors = 0;
	struct tstate *t = *state;
	uint64_t t0 = now_us();
	char *bufs = map_huge(t, NR_THREADS * NR_KINDS * SZ_2M, 21);
	pthread_rwlockattr_t attr;
	int i, k;
	size_t j;

	assert_non_null(bufs);
	/* a re-open must not wait for ever behind the requests */
	assert_int_equal(pthread_rwlockattr_init(&attr), 0);
	assert_int_equal(pthread_rwlockattr_setkind_np(&attr,
			 PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP), 0);
	for (i = 0; i < NR_FILES; i++) {
		slots[i].fd = hsg_open();
		assert_true(slots[i].fd >= 0);
		assert_int_equal(pthread_rwlock_init(&slots[i].lock, &attr), 0);
	}
	pthread_rwlockattr_destroy(&attr);
	for (i = 0; i < NR_THREADS; i++) {
		w[i] = (struct worker){ .idx = i, .rng = run.seed + i,
					.deadline_us = t0 + run.duration_ms * 1000 };
		for (k = 0; k < NR_KINDS; k++)
			w[i].buf[k] = bufs + (i * NR_KINDS + k) * SZ_2M;
		for (j = 0; j < SZ_2M; j++)
			w[i].buf[SRC][j] = (char)(j * 13 + i);
	}
	for (i = 0; i < NR_THREADS; i++)
		assert_int_equal(pthread_create(&w[i].th, NULL, worker_main, &w[i]), 0);
	for (i = 0; i < NR_THREADS; i++) {
		assert_int_equal(pthread_join(w[i].th, NULL), 0);
		for (k = 0; k < NR_OPS; k++)
			total[k] += w[i].ops[k];
		if (w[i].errors && !errors)
			print_error("%s\n", w[i].first_error);
		errors += w[i].errors;
	}
	print_message("# %llu ms of guest time: %lu register, %lu transfer, %lu unregister, %lu cross-engine, %lu reopen\n",
		      (unsigned long long)((now_us() - t0) / 1000),
		      total[OP_REGISTER], total[OP_TRANSFER],
		      total[OP_UNREGISTER], total[OP_CROSS], total[OP_REOPEN]);
	assert_int_equal(errors, 0);
	for (k = 0; k < NR_OPS; k++)
		if (!total[k])
			fail_msg("no %s happened", op_name[k]);
	/* close with whatever is registered: release() frees it all */
	for (i = 0; i < NR_FILES; i++) {
		close(slots[i].fd);
		pthread_rwlock_destroy(&slots[i].lock);
	}
	assert_int_equal(pins_held(), pins0);
	assert_int_equal(hsg_files_open(), files0);
	assert_int_equal(vmpin_kb(), 0);
	/* our buffers are still mapped: the pool is short by them only */
	assert_int_equal(pool_free(SZ_2M), free0 - NR_THREADS * NR_KINDS);
}

/*
 * A child copying 4 MiB with edu from a buffer of its own into @dst
 * (shared with the parent), then waiting to be killed.
 */
static void copying_child(int ready, char *dst)
{
	struct hugesg_transfer x = { .size = sizeof(x), .engine = HUGESG_ENGINE_EDU,
				     .len = 4 * MiB, .timeout_ms = 600000 };
	struct tstate t = { 0 };
	char *src = map_huge(&t, 4 * MiB, 21);
	int fd = hsg_open();

	if (!src || fd < 0)
		_exit(1);
	memset(src, 0xa5, 4 * MiB);
	x.src_handle = hsg_register(fd, src, 4 * MiB, HUGESG_HUGE, HUGESG_ENGINE_EDU, NULL);
	x.dst_handle = hsg_register(fd, dst, 4 * MiB, HUGESG_HUGE | HUGESG_WRITE,
				    HUGESG_ENGINE_EDU, NULL);
	if ((int)x.src_handle <= 0 || (int)x.dst_handle <= 0 ||
	    write(ready, "r", 1) != 1)
		_exit(1);
	hsg_ioctl(fd, HUGESG_IOC_TRANSFER, &x);
	for (;;)
		pause();
}

/*
 * Fork copying_child() into @dst and return once it is inside its
 * TRANSFER: its pid in @pid, the pipe it reported ready on in @ready
 * (closed by the caller).
 */
static void start_copying_child(char *dst, pid_t *pid, int ready[2])
{
	char c;

	assert_int_equal(pipe(ready), 0);
	*pid = fork();
	assert_true(*pid >= 0);
	if (!*pid)
		copying_child(ready[1], dst);
	assert_int_equal(read(ready[0], &c, 1), 1);
	assert_int_equal(wait_in_ioctl(*pid, 0), 0);
}

/* Wait up to @ms for @flag, set by another thread; whether it was set. */
static bool wait_flag(bool *flag, int ms)
{
	int i;

	for (i = 0; i < ms && !__atomic_load_n(flag, __ATOMIC_ACQUIRE); i++)
		usleep(1000);
	return __atomic_load_n(flag, __ATOMIC_ACQUIRE);
}

/*
 * An edu copy in flight (about 2000 DMAs, in order) does not hold up
 * another process's register, unregister and close of buffers for the
 * same engine: they complete while the copy is still running, so that
 * when it is killed right after them the end of its target was never
 * written.  When the copy held the engine lock for its whole length, they
 * waited (in D state) until it was done, target written to the end.
 */
static void test_register_and_close_complete_during_a_copy(void **state)
{
	struct tstate *t = *state;
	char *dst = map_hugetlbfs_shared(t, 4 * MiB), *buf = map_huge(t, 2 * MiB, 21);
	long pins = pins_held(), before = pool_free(SZ_2M);
	int ready[2], status, fd, h;
	pid_t pid;

	assert_non_null(dst);
	assert_non_null(buf);
	memset(dst, 0, 4 * MiB);
	start_copying_child(dst, &pid, ready);

	fd = hsg_open();
	assert_true(fd >= 0);
	h = hsg_register(fd, buf, 2 * MiB, HUGESG_HUGE | HUGESG_WRITE,
			 HUGESG_ENGINE_EDU, NULL);
	assert_true(h > 0);
	assert_int_equal(hsg_unregister(fd, h), 0);
	h = hsg_register(fd, buf, 2 * MiB, HUGESG_HUGE, HUGESG_ENGINE_EDU, NULL);
	assert_true(h > 0);
	assert_int_equal(close(fd), 0);

	/* ... while the copy is still in flight: stop it there */
	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGKILL);
	print_message("# target: first byte %#x, last byte %#x\n",
		      (unsigned char)dst[0], (unsigned char)dst[4 * MiB - 1]);
	assert_int_equal((unsigned char)dst[4 * MiB - 1], 0);
	assert_released(pins, before);
	close(ready[0]);
	close(ready[1]);
}

struct transfer_call {
	struct hugesg_transfer x;
	int fd, ret;
	bool done;
};

static void *transfer_thread(void *arg)
{
	struct transfer_call *c = arg;

	c->ret = hsg_ioctl(c->fd, HUGESG_IOC_TRANSFER, &c->x);
	__atomic_store_n(&c->done, true, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * A copy that queues behind another process's (edu has one DMA engine,
 * and that copy runs for minutes) keeps its own timeout: with 500 ms it
 * fails with -ETIMEDOUT, nothing copied, while the other copy still runs.
 * When the queue was a plain wait for the engine, it waited for the whole
 * of the other copy (here it would still wait after 10 s), and only then
 * timed out.
 */
static void test_queued_copy_keeps_its_timeout(void **state)
{
	struct tstate *t = *state;
	char *dst = map_hugetlbfs_shared(t, 4 * MiB), *buf = map_huge(t, 2 * MiB, 21);
	char *to = map_huge(t, 2 * MiB, 21);
	long pins = pins_held(), before = pool_free(SZ_2M);
	struct transfer_call c = { .x = { .size = sizeof(c.x),
					  .engine = HUGESG_ENGINE_EDU,
					  .len = 4096, .timeout_ms = 500 } };
	int ready[2], status;
	bool done_in_time;
	pthread_t th;
	pid_t pid;

	assert_non_null(dst);
	assert_non_null(buf);
	assert_non_null(to);
	memset(dst, 0, 4 * MiB);
	memset(buf, 0x3c, 2 * MiB);
	memset(to, 0, 2 * MiB);
	start_copying_child(dst, &pid, ready);

	c.fd = hsg_open();
	assert_true(c.fd >= 0);
	c.x.src_handle = hsg_register(c.fd, buf, 2 * MiB, HUGESG_HUGE,
				      HUGESG_ENGINE_EDU, NULL);
	c.x.dst_handle = hsg_register(c.fd, to, 2 * MiB, HUGESG_HUGE | HUGESG_WRITE,
				      HUGESG_ENGINE_EDU, NULL);
	assert_true((int)c.x.src_handle > 0);
	assert_true((int)c.x.dst_handle > 0);
	assert_int_equal(pthread_create(&th, NULL, transfer_thread, &c), 0);
	done_in_time = wait_flag(&c.done, 10000);

	/* stop the long copy (which lets a waiting one through) */
	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(pthread_join(th, NULL), 0);
	print_message("# queued copy returned while the other copied: %s (%d)\n",
		      done_in_time ? "yes" : "no", c.ret);
	assert_true(done_in_time);
	assert_int_equal(c.ret, -ETIMEDOUT);
	/* nothing copied: the target range is as it was */
	assert_int_equal((unsigned char)to[0], 0);
	assert_int_equal((unsigned char)dst[4 * MiB - 1], 0);
	assert_int_equal(close(c.fd), 0);
	assert_released(pins, before);
	close(ready[0]);
	close(ready[1]);
}

struct segments_call {
	int fd;
	struct hugesg_segments req;
	int ret;
};

static void *segments_thread(void *arg)
{
	struct segments_call *c = arg;

	c->ret = hsg_ioctl(c->fd, HUGESG_IOC_SEGMENTS, &c->req);
	return NULL;
}

struct register_call {
	char *buf;
	int ret;
	bool done;
};

static void *register_thread(void *arg)
{
	struct register_call *c = arg;
	int fd = hsg_open();

	c->ret = fd < 0 ? -errno :
		 hsg_register(fd, c->buf, 2 * MiB, HUGESG_HUGE | HUGESG_WRITE,
			      HUGESG_ENGINE_FPGA, NULL);
	if (fd >= 0)
		close(fd);
	__atomic_store_n(&c->done, true, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * A SEGMENTS whose destination waits in a page fault (a userfaultfd page
 * nobody fills yet) holds up no other file's register for the same engine:
 * the register completes while the copy-out still waits.  When SEGMENTS
 * copied out under the engine's lock, the register waited (in D state)
 * until the fault was resolved, here after 10 s.  Then the fault is filled
 * and SEGMENTS returns the buffer's one segment of 2 MiB.
 */
static void test_register_completes_while_segments_faults(void **state)
{
	struct tstate *t = *state;
	char *buf = map_huge(t, 2 * MiB, 21), *other = map_huge(t, 2 * MiB, 21);
	long page = sysconf(_SC_PAGESIZE), pins = pins_held();
	long before = pool_free(SZ_2M);
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register ureg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	struct uffdio_zeropage zero = { 0 };
	struct register_call rc = { .buf = other };
	struct segments_call sc = { 0 };
	pthread_t seg_th, reg_th;
	struct pollfd pfd;
	struct uffd_msg msg;
	bool done_in_time;
	struct hugesg_segment *dest;
	int uffd, fd, h;

	skip_unless_root("SEGMENTS needs CAP_SYS_RAWIO");
	assert_non_null(buf);
	assert_non_null(other);
	uffd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (uffd < 0 && errno == ENOSYS) {
		print_message("# no userfaultfd in this kernel\n");
		skip();
	}
	assert_true(uffd >= 0);
	dest = mmap(NULL, page, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(dest != MAP_FAILED);
	assert_int_equal(ioctl(uffd, UFFDIO_API, &api), 0);
	ureg.range.start = (unsigned long)dest;
	ureg.range.len = page;
	assert_int_equal(ioctl(uffd, UFFDIO_REGISTER, &ureg), 0);

	fd = hsg_open();
	assert_true(fd >= 0);
	h = hsg_register(fd, buf, 2 * MiB, HUGESG_HUGE | HUGESG_WRITE,
			 HUGESG_ENGINE_FPGA, NULL);
	assert_true(h > 0);
	sc.fd = fd;
	sc.req = (struct hugesg_segments){ .size = sizeof(sc.req), .handle = h,
					   .count = 1,
					   .segs = (uintptr_t)dest };
	assert_int_equal(pthread_create(&seg_th, NULL, segments_thread, &sc), 0);

	/* SEGMENTS is in its copy-out now, waiting for the page */
	pfd = (struct pollfd){ .fd = uffd, .events = POLLIN };
	assert_int_equal(poll(&pfd, 1, 10000), 1);
	assert_int_equal(read(uffd, &msg, sizeof(msg)), (ssize_t)sizeof(msg));
	assert_int_equal(msg.event, UFFD_EVENT_PAGEFAULT);

	assert_int_equal(pthread_create(&reg_th, NULL, register_thread, &rc), 0);
	done_in_time = wait_flag(&rc.done, 10000);

	/* fill the page: SEGMENTS goes on */
	zero.range.start = (unsigned long)dest;
	zero.range.len = page;
	assert_int_equal(ioctl(uffd, UFFDIO_ZEROPAGE, &zero), 0);
	assert_int_equal(pthread_join(seg_th, NULL), 0);
	assert_int_equal(pthread_join(reg_th, NULL), 0);
	print_message("# register done while SEGMENTS faulted: %s\n",
		      done_in_time ? "yes" : "no");
	assert_true(done_in_time);
	assert_true(rc.ret > 0);
	assert_int_equal(sc.ret, 0);
	assert_int_equal(sc.req.count, 1);
	assert_int_equal(dest[0].len, 2 * MiB);
	if (rig_iommu_translates())
		assert_true(dest[0].dma_addr != 0);

	assert_int_equal(close(fd), 0);
	close(uffd);
	munmap(dest, page);
	assert_released(pins, before);
}

static int setup(void **state)
{
	(void)state;
	run.duration_ms = rig_param("conc_ms", rig_param("stress", 0) ? 300000 : 30000);
	run.seed = rig_param("seed", 0);
	if (!run.seed)
		run.seed = now_us() ^ ((uint64_t)time(NULL) << 20);
	print_message("# seed %llu, %llu ms (repeat: HUGESG_APPEND=hugesg_rig.seed=%llu)\n",
		      (unsigned long long)run.seed,
		      (unsigned long long)run.duration_ms,
		      (unsigned long long)run.seed);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_threads_register_copy_unregister_reopen,
						tstate_setup, tstate_teardown),
		cmocka_unit_test_setup_teardown(test_register_and_close_complete_during_a_copy,
						tstate_setup, tstate_teardown),
		cmocka_unit_test_setup_teardown(test_register_completes_while_segments_faults,
						tstate_setup, tstate_teardown),
		cmocka_unit_test_setup_teardown(test_queued_copy_keeps_its_timeout,
						tstate_setup, tstate_teardown),
	};

	return cmocka_run_group_tests_name("drv_concurrency", tests, setup, NULL);
}
