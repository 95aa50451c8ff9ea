// SPDX-License-Identifier: GPL-2.0
/*
 * Bad input to /dev/hugesg: each gets a clear errno, and once the file is
 * closed nothing is left pinned (checked by every test's teardown).
 */
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "drvlib.h"

struct dstate {
	struct tstate *t;
	int fd;
	char *huge;		/* 8 MiB of 2 MiB pages, registered as @h */
	int h;
};

static int dsetup(void **state)
{
	struct dstate *d = calloc(1, sizeof(*d));

	if (!d || tstate_setup((void **)&d->t))
		return -1;
	d->fd = hsg_open();
	d->huge = map_huge(d->t, 8 * MiB, 21);
	if (d->fd < 0 || !d->huge)
		return -1;
	d->h = hsg_register(d->fd, d->huge, 8 * MiB, HUGESG_HUGE | HUGESG_WRITE,
			    HUGESG_ENGINE_FPGA, NULL);
	*state = d;
	return d->h > 0 ? 0 : -1;
}

static int dteardown(void **state)
{
	struct dstate *d = *state;
	int ret;

	close(d->fd);
	ret = tstate_teardown((void **)&d->t);
	free(d);
	return ret;
}

static void test_unknown_handle_is_enoent(void **state)
{
	struct dstate *d = *state;

	assert_int_equal(hsg_unregister(d->fd, 999), -ENOENT);
	assert_int_equal(hsg_stream(d->fd, 999, HUGESG_STREAM_TABLE, 0, 0), -ENOENT);
}

static void test_other_files_handle_is_enoent(void **state)
{
	struct dstate *d = *state;
	int fd2 = hsg_open();

	assert_int_equal(hsg_unregister(fd2, d->h), -ENOENT);
	assert_int_equal(hsg_stream(fd2, d->h, HUGESG_STREAM_TABLE, 0, 0), -ENOENT);
	close(fd2);
}

static void test_transfer_outside_buffer_is_einval(void **state)
{
	skip_unless_edu_reaches_pools();
	struct dstate *d = *state;
	struct hugesg_transfer x = { .size = sizeof(x), .engine = HUGESG_ENGINE_EDU,
				     .len = 4096 };
	/* memory of its own: d->huge is mapped for the device to write already */
	char *other = map_huge(d->t, 8 * MiB, 21);
	int h = hsg_register(d->fd, other, 8 * MiB, HUGESG_HUGE | HUGESG_WRITE,
			     HUGESG_ENGINE_EDU, NULL);

	assert_true(h > 0);
	x.src_handle = x.dst_handle = h;
	x.src_offset = 8 * MiB - 100;
	assert_int_equal(hsg_ioctl(d->fd, HUGESG_IOC_TRANSFER, &x), -EINVAL);
	x.src_offset = 0;
	x.dst_offset = ~0ULL - 10;
	assert_int_equal(hsg_ioctl(d->fd, HUGESG_IOC_TRANSFER, &x), -EINVAL);
}

static void test_zero_length_is_einval(void **state)
{
	skip_unless_edu_reaches_pools();
	struct dstate *d = *state;
	struct hugesg_transfer x = { .size = sizeof(x), .engine = HUGESG_ENGINE_EDU };
	char *other = map_huge(d->t, 8 * MiB, 21);
	int h = hsg_register(d->fd, other, 8 * MiB, HUGESG_HUGE | HUGESG_WRITE,
			     HUGESG_ENGINE_EDU, NULL);

	assert_true(h > 0);
	x.src_handle = x.dst_handle = h;
	assert_int_equal(hsg_ioctl(d->fd, HUGESG_IOC_TRANSFER, &x), -EINVAL);
	assert_int_equal(hsg_register(d->fd, d->huge, 0, HUGESG_HUGE,
				      HUGESG_ENGINE_FPGA, NULL), -EINVAL);
}

static void test_unknown_engine_is_enodev(void **state)
{
	struct dstate *d = *state;

	assert_int_equal(hsg_register(d->fd, d->huge, SZ_2M, HUGESG_HUGE, 99, NULL),
			 -ENODEV);
	assert_int_equal(hsg_register(d->fd, d->huge, SZ_2M, HUGESG_HUGE, 0, NULL),
			 -ENODEV);
}

/*
 * REGISTER's @device names no device: an id never given (past the last
 * one, or the largest there is) is -ENODEV, nothing pinned; a device of
 * another engine is -EINVAL.  (A removed device: drv_lifetime.)
 */
static void test_register_on_unknown_device_is_enodev(void **state)
{
	struct dstate *d = *state;
	struct hugesg_device dev[16];
	long pins = pins_held();
	int n = hsg_list_devices(dev, 16);

	assert_true(n > 0 && n <= 16);
	assert_int_equal(hsg_register_on(d->fd, d->huge, SZ_2M, HUGESG_HUGE,
					 HUGESG_ENGINE_FPGA, dev[n - 1].id + 1, NULL),
			 -ENODEV);
	assert_int_equal(hsg_register_on(d->fd, d->huge, SZ_2M, HUGESG_HUGE,
					 HUGESG_ENGINE_FPGA, UINT32_MAX, NULL),
			 -ENODEV);
	assert_int_equal(pins_held(), pins);
}

static void test_register_on_device_of_other_engine_is_einval(void **state)
{
	struct dstate *d = *state;
	uint32_t fpga[2], edu;
	long pins = pins_held();

	two_fpga_boards(fpga);
	assert_int_equal(hsg_engine_ids(HUGESG_ENGINE_EDU, &edu, 1), 1);
	assert_int_equal(hsg_register_on(d->fd, d->huge, SZ_2M, HUGESG_HUGE,
					 HUGESG_ENGINE_FPGA, edu, NULL), -EINVAL);
	assert_int_equal(hsg_register_on(d->fd, d->huge, SZ_2M, HUGESG_HUGE,
					 HUGESG_ENGINE_EDU, fpga[1], NULL), -EINVAL);
	/* an engine that does not exist, with a device that does */
	assert_int_equal(hsg_register_on(d->fd, d->huge, SZ_2M, HUGESG_HUGE,
					 99, fpga[0], NULL), -EINVAL);
	assert_int_equal(pins_held(), pins);
}

/*
 * A board runs one stream at a time: another file's STREAM_START on a
 * buffer of the busy board is -EBUSY, on a buffer of the other board it
 * runs.
 */
static void test_busy_board_leaves_the_other_free(void **state)
{
	struct dstate *d = *state;
	char *other = map_huge(d->t, 2 * SZ_2M, 21);
	int fd2 = hsg_open(), h[2], i;
	struct hugesg_ring st;
	uint32_t ids[2];

	two_fpga_boards(ids);
	assert_non_null(other);
	for (i = 0; i < 2; i++) {
		h[i] = hsg_register_on(fd2, other + i * SZ_2M, SZ_2M,
				       HUGESG_HUGE | HUGESG_WRITE,
				       HUGESG_ENGINE_FPGA, ids[i], NULL);
		assert_true(h[i] > 0);
	}
	/* the fixture's buffer is on the first board */
	assert_int_equal(hsg_stream(d->fd, d->h, HUGESG_STREAM_TABLE, 0, 0), 0);
	assert_int_equal(hsg_stream(fd2, h[0], HUGESG_STREAM_TABLE, 0, 0), -EBUSY);
	assert_int_equal(hsg_stream(fd2, h[1], HUGESG_STREAM_TABLE, 0, 0), 0);
	assert_int_equal(hsg_ring(fd2, HUGESG_IOC_STREAM_STOP, 0, 0, &st), 0);
	assert_int_equal(hsg_ring(d->fd, HUGESG_IOC_STREAM_STOP, 0, 0, &st), 0);
	close(fd2);
}

static void test_unknown_flags_or_mode_is_einval(void **state)
{
	struct dstate *d = *state;
	struct hugesg_stream s = { .size = sizeof(s), .handle = d->h, .flags = 0x80 };

	assert_int_equal(hsg_register(d->fd, d->huge, SZ_2M, HUGESG_HUGE | 0x100,
				      HUGESG_ENGINE_FPGA, NULL), -EINVAL);
	assert_int_equal(hsg_stream(d->fd, d->h, 7, 0, 0), -EINVAL);
	assert_int_equal(hsg_ioctl(d->fd, HUGESG_IOC_STREAM_START, &s), -EINVAL);
}

static void test_unregister_while_streaming_is_ebusy(void **state)
{
	struct dstate *d = *state;
	struct hugesg_ring st;

	assert_int_equal(hsg_stream(d->fd, d->h, HUGESG_STREAM_TABLE, 0, 0), 0);
	assert_int_equal(hsg_unregister(d->fd, d->h), -EBUSY);
	assert_int_equal(hsg_ring(d->fd, HUGESG_IOC_STREAM_STOP, 0, 0, &st), 0);
	assert_int_equal(hsg_unregister(d->fd, d->h), 0);
}

static void test_second_stream_is_ebusy(void **state)
{
	struct dstate *d = *state;
	int fd2 = hsg_open(), h2;
	char *other = map_huge(d->t, 8 * MiB, 21);

	h2 = hsg_register(fd2, other, 8 * MiB, HUGESG_HUGE | HUGESG_WRITE,
			  HUGESG_ENGINE_FPGA, NULL);
	assert_true(h2 > 0);
	assert_int_equal(hsg_stream(d->fd, d->h, HUGESG_STREAM_TABLE, 0, 0), 0);
	assert_int_equal(hsg_stream(d->fd, d->h, HUGESG_STREAM_TABLE, 0, 0), -EBUSY);
	/* the engine has one channel: another file waits its turn */
	assert_int_equal(hsg_stream(fd2, h2, HUGESG_STREAM_TABLE, 0, 0), -EBUSY);
	close(fd2);
}

static void test_too_many_registrations_is_enospc(void **state)
{
	struct dstate *d = *state;
	int i;

	/* the fixture holds one already */
	for (i = 1; i < HUGESG_MAX_REGISTRATIONS; i++)
		assert_true(hsg_register(d->fd, d->huge, SZ_4K, HUGESG_HUGE,
					 HUGESG_ENGINE_FPGA, NULL) > 0);
	assert_int_equal(hsg_register(d->fd, d->huge, SZ_4K, HUGESG_HUGE,
				      HUGESG_ENGINE_FPGA, NULL), -ENOSPC);
}

static void test_segments_without_cap_sys_rawio_is_eperm(void **state)
{
	struct dstate *d = *state;
	struct hugesg_segment seg[8];
	struct hugesg_segments sq = { .size = sizeof(sq), .handle = d->h,
				      .count = 8, .segs = (uintptr_t)seg };
	int status;
	pid_t pid = fork();

	if (!pid)
		_exit(setuid(65534) ? 2 :
		      hsg_ioctl(d->fd, HUGESG_IOC_SEGMENTS, &sq) == -EPERM ? 0 : 1);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	skip_unless_root("the same call with CAP_SYS_RAWIO");
	assert_int_equal(hsg_ioctl(d->fd, HUGESG_IOC_SEGMENTS, &sq), 0);
	assert_true(sq.count >= 1 && sq.count <= 4);
}

static void test_wrong_size_field_is_einval(void **state)
{
	struct dstate *d = *state;
	struct {
		struct hugesg_unregister u;
		uint32_t tail[2];
	} big = { { sizeof(big), 999 }, { 1, 0 } };
	struct hugesg_unregister u = { .size = 4, .handle = d->h };
	struct hugesg_info info = { .size = 0 };

	assert_int_equal(hsg_ioctl(d->fd, HUGESG_IOC_UNREGISTER, &u), -EINVAL);
	assert_int_equal(hsg_ioctl(d->fd, HUGESG_IOC_INFO, &info), -EINVAL);
	info.size = 8192;
	assert_int_equal(hsg_ioctl(d->fd, HUGESG_IOC_INFO, &info), -EINVAL);
	/*
	 * a larger struct under the first version's command, whatever its
	 * tail: the size field is not the command's (drv_abi sends it right)
	 */
	assert_int_equal(hsg_ioctl(d->fd, HUGESG_IOC_UNREGISTER, &big), -EINVAL);
	big.tail[0] = 0;
	assert_int_equal(hsg_ioctl(d->fd, HUGESG_IOC_UNREGISTER, &big), -EINVAL);
}

static void test_table_of_other_page_size_is_einval(void **state)
{
	struct dstate *d = *state;
	struct hugesg_stream s = { .size = sizeof(s), .handle = d->h,
				   .mode = HUGESG_STREAM_TABLE, .page_shift = 30 };
	char *small = map_anon(d->t, 4 * MiB, 0);
	int h;

	assert_int_equal(hsg_ioctl(d->fd, HUGESG_IOC_STREAM_START, &s), -EINVAL);
	assert_non_null(small);
	h = hsg_register(d->fd, small, 4 * MiB, HUGESG_NORMAL | HUGESG_WRITE,
			 HUGESG_ENGINE_FPGA, NULL);
	assert_true(h > 0);
	/* a table of 2 MiB pages over ordinary pages */
	s.handle = h;
	s.page_shift = 21;
	assert_int_equal(hsg_ioctl(d->fd, HUGESG_IOC_STREAM_START, &s), -EINVAL);
}

static void test_stream_into_read_only_buffer_is_einval(void **state)
{
	struct dstate *d = *state;
	int h = hsg_register(d->fd, d->huge, 8 * MiB, HUGESG_HUGE,
			     HUGESG_ENGINE_FPGA, NULL);

	assert_true(h > 0);
	assert_int_equal(hsg_stream(d->fd, h, HUGESG_STREAM_TABLE, 0, 0), -EINVAL);
}

/*
 * To-device streams: a buffer the device may write (HUGESG_WRITE, mapped
 * DMA_FROM_DEVICE) is no source; an unknown flag is -EINVAL; a hand-over
 * of a part word, of more than the room, or past the limit is -EINVAL and
 * moves nothing.
 */
static void test_to_device_bad_inputs_are_einval(void **state)
{
	struct dstate *d = *state;
	struct hugesg_stream s = { .size = sizeof(s), .handle = d->h,
				   .mode = HUGESG_STREAM_TABLE,
				   .flags = HUGESG_STREAM_TO_DEVICE,
				   .limit = 12 * MiB, .rate = 1 };
	char *src = map_huge(d->t, 8 * MiB, 21);
	struct hugesg_ring st;
	int h;

	assert_non_null(src);
	assert_int_equal(hsg_ioctl(d->fd, HUGESG_IOC_STREAM_START, &s), -EINVAL);
	h = hsg_register(d->fd, src, 8 * MiB, HUGESG_HUGE, HUGESG_ENGINE_FPGA, NULL);
	assert_true(h > 0);
	s.handle = h;
	s.flags = HUGESG_STREAM_TO_DEVICE | 0x2;
	assert_int_equal(hsg_ioctl(d->fd, HUGESG_IOC_STREAM_START, &s), -EINVAL);
	s.flags = HUGESG_STREAM_TO_DEVICE;
	assert_int_equal(hsg_ioctl(d->fd, HUGESG_IOC_STREAM_START, &s), 0);
	/* the room is the whole ring, the device paced to a crawl */
	assert_int_equal(hsg_ring(d->fd, HUGESG_IOC_RING_ACK, 4, 0, &st), -EINVAL);
	assert_int_equal(hsg_ring(d->fd, HUGESG_IOC_RING_ACK, 8 * MiB + 8, 0, &st),
			 -EINVAL);
	assert_int_equal(hsg_ring(d->fd, HUGESG_IOC_RING_ACK, 8 * MiB, 0, &st), 0);
	assert_int_equal(st.write_ptr, 8 * MiB);
	/* all 8 MiB in flight: no room for a word more until it consumes */
	assert_int_equal(hsg_ring(d->fd, HUGESG_IOC_RING_ACK, 8 * MiB, 0, &st),
			 -EINVAL);
	assert_int_equal(hsg_ring(d->fd, HUGESG_IOC_STREAM_STOP, 0, 0, &st), 0);
	assert_int_equal(st.write_ptr, 8 * MiB);
	/* past the limit: 4 MiB to go, a full ring of room */
	s.limit = 4 * MiB;
	s.rate = 0;
	assert_int_equal(hsg_ioctl(d->fd, HUGESG_IOC_STREAM_START, &s), 0);
	assert_int_equal(hsg_ring(d->fd, HUGESG_IOC_RING_ACK, 4 * MiB + 8, 0, &st),
			 -EINVAL);
	assert_int_equal(hsg_ring(d->fd, HUGESG_IOC_RING_ACK, 4 * MiB, 0, &st), 0);
	assert_int_equal(hsg_ring(d->fd, HUGESG_IOC_RING_WAIT, 8 * MiB, 10000, &st), 0);
	assert_int_equal(st.state, HUGESG_RING_DONE);
	assert_int_equal(st.read_ptr, 4 * MiB);
	assert_int_equal(hsg_ring(d->fd, HUGESG_IOC_STREAM_STOP, 0, 0, &st), 0);
}

static void test_ring_calls_without_stream_or_past_data_are_einval(void **state)
{
	struct dstate *d = *state;
	struct hugesg_ring st;

	assert_int_equal(hsg_ring(d->fd, HUGESG_IOC_RING_WAIT, 8, 10, &st), -EINVAL);
	assert_int_equal(hsg_ring(d->fd, HUGESG_IOC_RING_ACK, 8, 0, &st), -EINVAL);
	assert_int_equal(hsg_stream(d->fd, d->h, HUGESG_STREAM_TABLE, 0, 4096), 0);
	assert_int_equal(hsg_ring(d->fd, HUGESG_IOC_RING_WAIT, 4096, 5000, &st), 0);
	assert_int_equal(hsg_ring(d->fd, HUGESG_IOC_RING_ACK, 4, 0, &st), -EINVAL);
	assert_int_equal(hsg_ring(d->fd, HUGESG_IOC_RING_ACK, 8192, 0, &st), -EINVAL);
	assert_int_equal(hsg_ring(d->fd, HUGESG_IOC_RING_ACK, 4096, 0, &st), 0);
}

struct ring_waiter {
	int fd;
	int tid;
	int ret;
	struct hugesg_ring st;
};

static void *ring_wait_thread(void *arg)
{
	struct ring_waiter *w = arg;

	__atomic_store_n(&w->tid, (int)syscall(SYS_gettid), __ATOMIC_RELEASE);
	/* the whole ring, no timeout: only the stop ends this wait */
	w->ret = hsg_ring(w->fd, HUGESG_IOC_RING_WAIT, 8 * MiB, 0, &w->st);
	return NULL;
}

/* Start a thread that waits on @w->fd's stream; return once it sleeps. */
static void start_ring_waiter(struct ring_waiter *w, pthread_t *th)
{
	assert_int_equal(pthread_create(th, NULL, ring_wait_thread, w), 0);
	while (!__atomic_load_n(&w->tid, __ATOMIC_ACQUIRE))
		usleep(1000);
	assert_int_equal(wait_in_ioctl(w->tid, 'S'), 0);
}

/*
 * A RING_WAIT whose stream another thread stops, while the engine goes on
 * to stream for another file, is -ECANCELED: it does not report (or sync)
 * the other file's ring.
 */
static void test_ring_wait_on_stopped_stream_is_ecanceled(void **state)
{
	struct dstate *d = *state;
	struct hugesg_stream s = { .size = sizeof(s), .handle = d->h,
				   .mode = HUGESG_STREAM_TABLE, .seed = 3,
				   .rate = 1 };
	struct ring_waiter w = { .fd = d->fd, .tid = 0 };
	char *ring2 = map_huge(d->t, 2 * MiB, 21);
	int fd2 = hsg_open(), h2;
	struct hugesg_ring st;
	pthread_t th;

	assert_non_null(ring2);
	h2 = hsg_register(fd2, ring2, 2 * MiB, HUGESG_HUGE | HUGESG_WRITE,
			  HUGESG_ENGINE_FPGA, NULL);
	assert_true(h2 > 0);
	assert_int_equal(hsg_ioctl(d->fd, HUGESG_IOC_STREAM_START, &s), 0);
	start_ring_waiter(&w, &th);
	assert_int_equal(hsg_ring(d->fd, HUGESG_IOC_STREAM_STOP, 0, 0, &st), 0);
	/* the engine belongs to fd2 now */
	assert_int_equal(hsg_stream(fd2, h2, HUGESG_STREAM_TABLE, 4, 0), 0);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(w.ret, -ECANCELED);
	assert_int_equal(hsg_ring(fd2, HUGESG_IOC_STREAM_STOP, 0, 0, &st), 0);
	close(fd2);
}

/*
 * The same file stops its stream and starts another on the same ring while
 * a thread waits on the first: the engine's owner never changes, so only
 * the stream's generation tells the waiter that its stream is gone; it must
 * not sleep on, nor report, the new one.  (STOP wakes the waiter, and on
 * one vCPU the restart runs before it is scheduled.)
 */
static void test_ring_wait_across_stop_and_restart_is_ecanceled(void **state)
{
	struct dstate *d = *state;
	struct hugesg_stream s = { .size = sizeof(s), .handle = d->h,
				   .mode = HUGESG_STREAM_TABLE, .seed = 3,
				   .rate = 1 };
	struct ring_waiter w = { .fd = d->fd, .tid = 0 };
	struct hugesg_ring st;
	pthread_t th;

	assert_int_equal(hsg_ioctl(d->fd, HUGESG_IOC_STREAM_START, &s), 0);
	start_ring_waiter(&w, &th);
	assert_int_equal(hsg_ring(d->fd, HUGESG_IOC_STREAM_STOP, 0, 0, &st), 0);
	/* the new stream fills the whole ring at once: were the old wait
	 * carried over, it would return 0 with the new stream's state */
	s.seed = 4;
	s.rate = 0;
	s.limit = 8 * MiB;
	assert_int_equal(hsg_ioctl(d->fd, HUGESG_IOC_STREAM_START, &s), 0);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(w.ret, -ECANCELED);
	assert_int_equal(hsg_ring(d->fd, HUGESG_IOC_STREAM_STOP, 0, 0, &st), 0);
}

/*
 * A stream paced to 256 bytes a millisecond with one data interrupt per
 * ring (irq_threshold = the ring): in 500 ms the device moves about
 * 128 KiB and raises no interrupt.  The caller acks everything it sees
 * (RING_ACK of 0 reports it): a wait for half the ring then times out,
 * and poll() reports nothing ready in a second.  When waits and poll()
 * counted from the interrupt handler's copy of the device pointer alone,
 * the acked pointer passed that copy (still 0), the ready bytes wrapped,
 * and both said ready at once (from the device: data; to it: room).
 */
static void ack_all_shown_then_wait(int fd, int h, unsigned int flags,
				    uint64_t ring)
{
	struct hugesg_stream s = { .size = sizeof(s), .handle = h,
				   .mode = HUGESG_STREAM_DESC, .flags = flags,
				   .irq_threshold = ring, .rate = 256 };
	bool to_dev = flags & HUGESG_STREAM_TO_DEVICE;
	struct pollfd pfd = { .fd = fd, .events = to_dev ? POLLOUT : POLLIN };
	struct hugesg_ring st;
	uint64_t shown;

	assert_int_equal(hsg_ioctl(fd, HUGESG_IOC_STREAM_START, &s), 0);
	if (to_dev)	/* the whole ring handed over */
		assert_int_equal(hsg_ring(fd, HUGESG_IOC_RING_ACK, ring, 0, &st), 0);
	usleep(500000);
	assert_int_equal(hsg_ring(fd, HUGESG_IOC_RING_ACK, 0, 0, &st), 0);
	/* from the device: what it wrote; to it: the room it made */
	shown = to_dev ? st.read_ptr : st.write_ptr;
	print_message("# device moved %llu bytes in 500 ms\n",
		      (unsigned long long)shown);
	assert_true(shown > 0 && shown < ring / 2);
	assert_int_equal(hsg_ring(fd, HUGESG_IOC_RING_ACK, shown, 0, &st), 0);
	assert_int_equal(hsg_ring(fd, HUGESG_IOC_RING_WAIT, ring / 2, 1000, &st),
			 -ETIMEDOUT);
	assert_int_equal(st.state, HUGESG_RING_RUNNING);
	assert_true(to_dev ? ring - (st.write_ptr - st.read_ptr) < ring / 2 :
		    st.write_ptr - st.read_ptr < ring / 2);
	assert_int_equal(poll(&pfd, 1, 1000), 0);
	assert_int_equal(hsg_ring(fd, HUGESG_IOC_STREAM_STOP, 0, 0, &st), 0);
}

static void test_wait_after_acking_all_data_is_no_false_ready(void **state)
{
	struct dstate *d = *state;

	ack_all_shown_then_wait(d->fd, d->h, 0, 8 * MiB);
}

static void test_wait_after_handing_all_room_is_no_false_ready(void **state)
{
	struct dstate *d = *state;
	char *src = map_huge(d->t, 8 * MiB, 21);
	int h;

	assert_non_null(src);
	h = hsg_register(d->fd, src, 8 * MiB, HUGESG_HUGE, HUGESG_ENGINE_FPGA, NULL);
	assert_true(h > 0);
	ack_all_shown_then_wait(d->fd, h, HUGESG_STREAM_TO_DEVICE, 8 * MiB);
}

/*
 * An interrupt threshold beyond the ring could never be reached (poll()
 * would never report the ring ready): -EINVAL.  So is a table page shift
 * outside what the device takes (4 KiB to 1 GiB), however large.
 */
static void test_threshold_beyond_ring_or_huge_page_shift_is_einval(void **state)
{
	struct dstate *d = *state;
	struct hugesg_stream s = { .size = sizeof(s), .handle = d->h,
				   .mode = HUGESG_STREAM_DESC,
				   .irq_threshold = 8 * MiB + 8 };
	unsigned int shifts[] = { 31, 63, 64, 65, 0xffffffff };
	struct hugesg_ring st;
	unsigned int i;

	assert_int_equal(hsg_ioctl(d->fd, HUGESG_IOC_STREAM_START, &s), -EINVAL);
	s.mode = HUGESG_STREAM_TABLE;
	s.irq_threshold = 0;
	for (i = 0; i < sizeof(shifts) / sizeof(shifts[0]); i++) {
		s.page_shift = shifts[i];
		assert_int_equal(hsg_ioctl(d->fd, HUGESG_IOC_STREAM_START, &s),
				 -EINVAL);
	}
	/* the largest threshold, the ring itself, is taken */
	s.mode = HUGESG_STREAM_DESC;
	s.page_shift = 0;
	s.irq_threshold = 8 * MiB;
	assert_int_equal(hsg_ioctl(d->fd, HUGESG_IOC_STREAM_START, &s), 0);
	assert_int_equal(hsg_ring(d->fd, HUGESG_IOC_STREAM_STOP, 0, 0, &st), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, dsetup, dteardown)
		T(test_unknown_handle_is_enoent),
		T(test_other_files_handle_is_enoent),
		T(test_transfer_outside_buffer_is_einval),
		T(test_zero_length_is_einval),
		T(test_unknown_engine_is_enodev),
		T(test_register_on_unknown_device_is_enodev),
		T(test_register_on_device_of_other_engine_is_einval),
		T(test_busy_board_leaves_the_other_free),
		T(test_unknown_flags_or_mode_is_einval),
		T(test_unregister_while_streaming_is_ebusy),
		T(test_second_stream_is_ebusy),
		T(test_too_many_registrations_is_enospc),
		T(test_segments_without_cap_sys_rawio_is_eperm),
		T(test_wrong_size_field_is_einval),
		T(test_table_of_other_page_size_is_einval),
		T(test_stream_into_read_only_buffer_is_einval),
		T(test_to_device_bad_inputs_are_einval),
		T(test_ring_calls_without_stream_or_past_data_are_einval),
		T(test_ring_wait_on_stopped_stream_is_ecanceled),
		T(test_ring_wait_across_stop_and_restart_is_ecanceled),
		T(test_wait_after_acking_all_data_is_no_false_ready),
		T(test_wait_after_handing_all_room_is_no_false_ready),
		T(test_threshold_beyond_ring_or_huge_page_shift_is_einval),
	};

	return cmocka_run_group_tests_name("drv_errors", tests, NULL, NULL);
}
