// SPDX-License-Identifier: GPL-2.0
/*
 * How long things live: a buffer unmapped while the engine writes into it
 * stays pinned (and out of the pool) until unregister; a file passed to
 * another process keeps its buffers until the last close; the module cannot
 * go while a file is open; an edu device unbound during a copy fails the
 * copy with -ENODEV and works again once bound back; an epoll entry on a
 * streaming file outlives hugesg-fpga's unbind; a board unbound is no
 * device any more (REGISTER naming it: -ENODEV, also while it goes), and
 * bound back it gets a new id; a board removed from the PCI bus while
 * threads register and unregister on it.
 */
#include <dirent.h>
#include <pthread.h>
#include <sys/prctl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "drvlib.h"

static void test_munmap_while_streaming_keeps_pages_until_unregister(void **state)
{
	struct tstate *t = *state;
	long before = pool_free(SZ_2M), pins = pins_held();
	char *ring = map_huge(t, 16 * MiB, 21);
	struct hugesg_ring st;
	int fd = hsg_open(), h;

	assert_non_null(ring);
	h = hsg_register(fd, ring, 16 * MiB, HUGESG_HUGE | HUGESG_WRITE,
			 HUGESG_ENGINE_FPGA, NULL);
	assert_true(h > 0);
	assert_int_equal(hsg_stream(fd, h, HUGESG_STREAM_TABLE, 3, 0), 0);
	assert_int_equal(munmap(ring, 16 * MiB), 0);
	t->nmaps--;
	/* the engine goes on writing into the pinned pages, nowhere else */
	assert_int_equal(hsg_ring(fd, HUGESG_IOC_RING_WAIT, 16 * MiB, 5000, &st), 0);
	assert_int_equal(st.state, HUGESG_RING_RUNNING);
	assert_int_equal(pool_free(SZ_2M), before - 8);
	assert_int_equal(pins_held() - pins, 8);
	assert_int_equal(hsg_ring(fd, HUGESG_IOC_STREAM_STOP, 0, 0, &st), 0);
	assert_int_equal(pool_free(SZ_2M), before - 8);
	assert_int_equal(hsg_unregister(fd, h), 0);
	assert_int_equal(pool_free(SZ_2M), before);
	assert_int_equal(pins_held(), pins);
	close(fd);
}

static int send_fd(int sock, int fd)
{
	char c = 0, buf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { &c, 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = buf, .msg_controllen = sizeof(buf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

static int recv_fd(int sock)
{
	char c, buf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &c, 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = buf, .msg_controllen = sizeof(buf) };
	int fd = -1;

	if (recvmsg(sock, &msg, 0) == 1 && CMSG_FIRSTHDR(&msg))
		memcpy(&fd, CMSG_DATA(CMSG_FIRSTHDR(&msg)), sizeof(int));
	return fd;
}

/* A child registers a buffer, streams into it, sends us the file, exits. */
static int child_register_and_pass(int sock)
{
	struct tstate t = { 0 };
	char *ring = map_huge(&t, 8 * MiB, 21);
	int fd = hsg_open(), h;

	h = hsg_register(fd, ring, 8 * MiB, HUGESG_HUGE | HUGESG_WRITE,
			 HUGESG_ENGINE_FPGA, NULL);
	if (!ring || h <= 0 || hsg_stream(fd, h, HUGESG_STREAM_TABLE, 9, 0))
		return 1;
	return send_fd(sock, fd) ? 2 : 0;
}

static void test_passed_file_keeps_buffer_until_last_close(void **state)
{
	long before = pool_free(SZ_2M), pins = pins_held();
	struct hugesg_ring st;
	int sv[2], status, fd;
	pid_t pid;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	pid = fork();
	if (!pid)
		_exit(child_register_and_pass(sv[1]));
	fd = recv_fd(sv[0]);
	assert_true(fd >= 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	/* its owner is gone; the buffer and the stream are still there */
	assert_int_equal(pins_held() - pins, 4);
	assert_int_equal(hsg_ring(fd, HUGESG_IOC_RING_WAIT, 8 * MiB, 5000, &st), 0);
	assert_int_equal(st.state, HUGESG_RING_RUNNING);
	assert_int_equal(st.write_ptr - st.read_ptr, 8 * MiB);
	close(fd);
	assert_int_equal(pins_held(), pins);
	assert_int_equal(pool_free(SZ_2M), before);
	close(sv[0]);
	close(sv[1]);
}

static void test_rmmod_while_open_is_refused(void **state)
{
	skip_unless_root("rmmod; as nobody it fails whatever the driver does");
	int fd = hsg_open();

	(void)state;
	assert_true(fd >= 0);
	assert_int_not_equal(system("rmmod hugesg_drv 2>/dev/null"), 0);
	close(fd);
}

/* Write @bdf to /sys/bus/pci/drivers/@drv/@file (bind, unbind). */
static int driver_ctl(const char *drv, const char *file, const char *bdf)
{
	char path[128];
	FILE *f;
	int ret;

	snprintf(path, sizeof(path), "/sys/bus/pci/drivers/%s/%s", drv, file);
	f = fopen(path, "w");
	if (!f)
		return -1;
	ret = fputs(bdf, f) < 0;
	ret |= fclose(f) != 0;
	return ret ? -1 : 0;
}

/* The PCI address of the device bound to driver @drv. */
static int driver_bdf(const char *drv, char *bdf, size_t len)
{
	char path[128];
	struct dirent *e;
	int ret = -1;
	DIR *d;

	snprintf(path, sizeof(path), "/sys/bus/pci/drivers/%s", drv);
	d = opendir(path);
	while (d && (e = readdir(d)))
		if (strchr(e->d_name, ':')) {
			snprintf(bdf, len, "%s", e->d_name);
			ret = 0;
			break;
		}
	if (d)
		closedir(d);
	return ret;
}

/* The id of the device at PCI address @bdf now, 0 if there is none. */
static uint32_t device_at(const char *bdf)
{
	struct hugesg_device d[16];
	int i, n = hsg_list_devices(d, 16);
	char name[16];

	for (i = 0; i < n && i < 16; i++)
		if (!strcmp(hsg_pci_name(&d[i], name), bdf))
			return d[i].id;
	return 0;
}

static int edu_driver_ctl(const char *file, const char *bdf)
{
	return driver_ctl("hugesg-edu", file, bdf);
}

static int edu_bdf(char *bdf, size_t len)
{
	return driver_bdf("hugesg-edu", bdf, len);
}

static void test_edu_unbind_during_copy_is_enodev(void **state)
{
	skip_unless_root("unbinds the device in sysfs");
	skip_unless_edu_reaches_pools();
	struct tstate *t = *state;
	char *a = map_huge(t, 2 * SZ_2M, 21), *b = map_huge(t, 2 * SZ_2M, 21);
	struct hugesg_transfer x = { .size = sizeof(x), .engine = HUGESG_ENGINE_EDU,
				     .len = 2 * SZ_2M };
	int fd = hsg_open(), status;
	char bdf[256];
	pid_t pid;

	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(edu_bdf(bdf, sizeof(bdf)), 0);
	x.src_handle = hsg_register(fd, a, 2 * SZ_2M, HUGESG_HUGE, HUGESG_ENGINE_EDU, NULL);
	x.dst_handle = hsg_register(fd, b, 2 * SZ_2M, HUGESG_HUGE | HUGESG_WRITE,
				    HUGESG_ENGINE_EDU, NULL);
	assert_true((int)x.src_handle > 0 && (int)x.dst_handle > 0);
	pid = fork();
	if (!pid) {
		/* a 4 MiB copy takes about 1000 edu DMAs: unbind in the middle */
		usleep(200000);
		_exit(edu_driver_ctl("unbind", bdf) ? 1 : 0);
	}
	assert_int_equal(hsg_ioctl(fd, HUGESG_IOC_TRANSFER, &x), -ENODEV);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(WEXITSTATUS(status), 0);
	/* the buffers were unmapped with the device: nothing more to do */
	assert_int_equal(hsg_ioctl(fd, HUGESG_IOC_TRANSFER, &x), -ENODEV);
	close(fd);
	/* bound back, the engine works again */
	assert_int_equal(edu_driver_ctl("bind", bdf), 0);
	fd = hsg_open();
	x.src_handle = hsg_register(fd, a, 2 * SZ_2M, HUGESG_HUGE, HUGESG_ENGINE_EDU, NULL);
	x.dst_handle = hsg_register(fd, b, 2 * SZ_2M, HUGESG_HUGE | HUGESG_WRITE,
				    HUGESG_ENGINE_EDU, NULL);
	assert_true((int)x.src_handle > 0 && (int)x.dst_handle > 0);
	memset(a, 0x3c, 4096);
	x.len = 4096;
	assert_int_equal(hsg_ioctl(fd, HUGESG_IOC_TRANSFER, &x), 0);
	assert_memory_equal(a, b, 4096);
	close(fd);
}

/*
 * An epoll entry on a streaming file outlives the engine: hugesg-fpga is
 * unbound and its last reference dropped (stop, unregister) while the
 * entry still hangs on the file's wait queue, then epoll is closed.  The
 * queue was the engine's and was freed with it (a use after free in
 * epoll's close, reported by KASAN, a hang or an oops under slub_debug=P);
 * it is the file's now.
 */
static void test_epoll_outlives_fpga_unbind(void **state)
{
	skip_unless_root("unbinds the device in sysfs");
	struct tstate *t = *state;
	struct hugesg_info info = { .size = sizeof(info) };
	struct hugesg_stream s = { .size = sizeof(s), .mode = HUGESG_STREAM_TABLE,
				   .seed = 7, .rate = 64 };
	struct epoll_event ev = { .events = EPOLLIN }, out;
	char *ring = map_huge(t, 4 * MiB, 21);
	long pins = pins_held();
	struct hugesg_register r;
	struct hugesg_ring st;
	int fd = hsg_open(), ep, h;
	char bdf[16];

	assert_non_null(ring);
	h = hsg_register(fd, ring, 4 * MiB, HUGESG_HUGE | HUGESG_WRITE,
			 HUGESG_ENGINE_FPGA, &r);
	assert_true(h > 0);
	/* the board the buffer went to (the first): that one goes */
	assert_int_equal(hsg_device_pci(r.device, bdf), 0);
	s.handle = h;
	assert_int_equal(hsg_ioctl(fd, HUGESG_IOC_STREAM_START, &s), 0);
	ep = epoll_create1(0);
	assert_true(ep >= 0);
	assert_int_equal(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev), 0);

	assert_int_equal(driver_ctl("hugesg-fpga", "unbind", bdf), 0);
	/* the stream ended with the device: a hang-up, at once */
	assert_int_equal(epoll_wait(ep, &out, 1, 0), 1);
	assert_true(out.events & EPOLLHUP);
	assert_int_equal(hsg_ring(fd, HUGESG_IOC_STREAM_STOP, 0, 0, &st), -ENODEV);
	assert_int_equal(hsg_unregister(fd, h), 0);
	assert_int_equal(pins_held(), pins);
	/* the engine is gone; the entry still hangs on the file */
	assert_int_equal(epoll_wait(ep, &out, 1, 0), 1);
	assert_true(out.events & EPOLLHUP);
	assert_int_equal(close(ep), 0);
	close(fd);

	/* bound back, the engine is there again */
	assert_int_equal(driver_ctl("hugesg-fpga", "bind", bdf), 0);
	fd = hsg_open();
	assert_int_equal(hsg_ioctl(fd, HUGESG_IOC_INFO, &info), 0);
	assert_int_equal(info.engines & (1 << HUGESG_ENGINE_FPGA),
			 1 << HUGESG_ENGINE_FPGA);
	close(fd);
	assert_true(device_at(bdf) > r.device);
}

/*
 * The second board unbound: DEVICE lists it no more, REGISTER naming its
 * id is -ENODEV; bound back it is listed again under an id larger than
 * any before, and the old id still names nothing.
 */
static void test_removed_device_is_enodev_its_id_not_given_again(void **state)
{
	skip_unless_root("unbinds the device in sysfs");
	struct tstate *t = *state;
	struct hugesg_device d[16];
	char *buf = map_huge(t, SZ_2M, 21);
	struct hugesg_register r;
	int fd = hsg_open(), n;
	uint32_t ids[2], id;
	long pins = pins_held();
	char bdf[16], other[16];

	assert_non_null(buf);
	two_fpga_boards(ids);
	assert_int_equal(hsg_device_pci(ids[1], bdf), 0);
	n = hsg_list_devices(d, 16);
	assert_true(n > 0 && n <= 16);
	assert_int_equal(driver_ctl("hugesg-fpga", "unbind", bdf), 0);
	assert_int_equal(hsg_list_devices(NULL, 0), n - 1);
	assert_int_equal(device_at(bdf), 0);
	assert_int_equal(hsg_device_pci(ids[1], other), -ENODEV);
	assert_int_equal(hsg_register_on(fd, buf, SZ_2M, HUGESG_HUGE | HUGESG_WRITE,
					 HUGESG_ENGINE_FPGA, ids[1], NULL), -ENODEV);
	assert_int_equal(pins_held(), pins);

	assert_int_equal(driver_ctl("hugesg-fpga", "bind", bdf), 0);
	assert_int_equal(hsg_list_devices(NULL, 0), n);
	id = device_at(bdf);
	assert_true(id > d[n - 1].id);
	assert_int_equal(hsg_register_on(fd, buf, SZ_2M, HUGESG_HUGE | HUGESG_WRITE,
					 HUGESG_ENGINE_FPGA, ids[1], NULL), -ENODEV);
	assert_true(hsg_register_on(fd, buf, SZ_2M, HUGESG_HUGE | HUGESG_WRITE,
				    HUGESG_ENGINE_FPGA, id, &r) > 0);
	assert_int_equal(r.device, id);
	close(fd);
	assert_int_equal(pins_held(), pins);
}

/*
 * REGISTER naming a board while the board is unbound: a child registers
 * and unregisters on it in a loop; every call either registers on that
 * board or is -ENODEV, and once one was -ENODEV every later one is (the
 * id is not given again); nothing stays pinned.
 */
static void test_register_racing_removal_is_enodev(void **state)
{
	skip_unless_root("unbinds the device in sysfs");
	struct tstate *t = *state;
	char *buf = map_huge(t, SZ_2M, 21);
	long pins = pins_held();
	int ready[2], status, i;
	uint32_t ids[2];
	char bdf[16], c;
	pid_t pid;

	assert_non_null(buf);
	two_fpga_boards(ids);
	assert_int_equal(hsg_device_pci(ids[1], bdf), 0);
	assert_int_equal(pipe(ready), 0);
	pid = fork();
	if (!pid) {
		struct hugesg_register r;
		int fd = hsg_open(), h, gone = 0, ok = 0;

		for (i = 0; gone < 200 && i < 1000000; i++) {
			h = hsg_register_on(fd, buf, SZ_2M, HUGESG_HUGE | HUGESG_WRITE,
					    HUGESG_ENGINE_FPGA, ids[1], &r);
			if (h > 0 && !gone && r.device == ids[1] &&
			    !hsg_unregister(fd, h)) {
				if (!ok++ && write(ready[1], "r", 1) != 1)
					_exit(3);
			} else if (h == -ENODEV && ok) {
				gone++;
			} else {
				_exit(1);	/* another errno, or a register after -ENODEV */
			}
		}
		_exit(gone ? 0 : 2);
	}
	close(ready[1]);
	assert_int_equal(read(ready[0], &c, 1), 1);
	usleep(20000);
	assert_int_equal(driver_ctl("hugesg-fpga", "unbind", bdf), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	close(ready[0]);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(pins_held(), pins);
	assert_int_equal(driver_ctl("hugesg-fpga", "bind", bdf), 0);
	assert_true(device_at(bdf) > ids[1]);
}

/* A thread that registers and unregisters a buffer on hugesg-fpga. */
struct reg_loop {
	pthread_t th;
	int fd;
	const char *buf;
	size_t len;
	volatile int *stop;
	const char *comm;	/* a name of its own, or NULL */
	uint32_t device;	/* the board it registers on */
	int once;		/* one register, kept: the delayed one */
	int handle;		/* once: its result */
	long ok, enodev, bad;
	int last_bad;
};

static void *reg_loop(void *arg)
{
	struct reg_loop *l = arg;
	int h;

	if (l->comm)
		prctl(PR_SET_NAME, l->comm, 0, 0, 0);
	do {
		h = hsg_register_on(l->fd, l->buf, l->len, HUGESG_HUGE | HUGESG_WRITE,
				    HUGESG_ENGINE_FPGA, l->device, NULL);
		if (h > 0) {
			l->ok++;
			if (!l->once && hsg_unregister(l->fd, h)) {
				l->bad++;
				l->last_bad = h;
			}
		} else if (h == -ENODEV) {
			l->enodev++;
		} else {
			l->bad++;
			l->last_bad = h;
		}
		l->handle = h;
	} while (!l->once && !*l->stop);
	return NULL;
}

/*
 * hugesg-fpga is removed from the PCI bus (sysfs remove: its struct
 * pci_dev is freed once the last reference goes) while threads register
 * and unregister on it, then found again by a rescan.  One register is
 * made to sleep 2 s (hugesg_test's delay_dev_read_ms) right before it
 * reads the device's DMA limits, and the remove starts while it sleeps:
 * with the limits read before the engine's removal is ruled out, the
 * remove runs to its end meanwhile, and the read is of a deleted pci_dev
 * that the engine holds no reference on, freed once the last one goes
 * (hugesg_test counts such a read in delay_dead_reads; KASAN reports it
 * on the debug kernel, where that kernel has kprobes).  Every register is
 * a handle or -ENODEV; nothing stays pinned or out of the pool; the
 * rescanned device works.
 */
#define REMOVE_LOOPS	3

static void test_fpga_pci_remove_while_registering(void **state)
{
	skip_unless_root("removes and rescans the device in sysfs");
	struct tstate *t = *state;
	struct reg_loop loops[REMOVE_LOOPS + 1] = { 0 }, *delayed = &loops[REMOVE_LOOPS];
	struct hugesg_info info = { .size = sizeof(info) };
	const char *delay = "/sys/module/hugesg_test/parameters/delay_dev_read_ms";
	const char *dead_path = "/sys/module/hugesg_test/parameters/delay_dead_reads";
	volatile int stop = 0;
	char bdf[16], path[320];
	long pins, pool, enodev = 0, dead = 0;
	int i, fd, h, widened;
	uint32_t ids[2], id;

	/* the first board goes; every register names it */
	two_fpga_boards(ids);
	assert_int_equal(hsg_device_pci(ids[0], bdf), 0);
	for (i = 0; i <= REMOVE_LOOPS; i++) {
		loops[i].device = ids[0];
		loops[i].buf = map_huge(t, 2 * SZ_2M, 21);
		assert_non_null(loops[i].buf);
		loops[i].len = 2 * SZ_2M;
		loops[i].fd = hsg_open();
		assert_true(loops[i].fd >= 0);
		loops[i].stop = &stop;
	}
	pins = pins_held();
	pool = pool_free(SZ_2M);
	for (i = 0; i < REMOVE_LOOPS; i++)
		assert_int_equal(pthread_create(&loops[i].th, NULL, reg_loop,
						&loops[i]), 0);

	/*
	 * One register sleeps before it reads the device; remove meanwhile.
	 * Where the kernel has no kprobes (the debug kernel's tinyconfig),
	 * the delay cannot be set: the loops race the remove alone.
	 */
	delayed->comm = HUGESG_TEST_DELAY_COMM;
	delayed->once = 1;
	widened = !write_str(delay, "2000");
	if (widened) {
		dead = read_long(dead_path);
		assert_true(dead >= 0);
		assert_int_equal(pthread_create(&delayed->th, NULL, reg_loop,
						delayed), 0);
		for (i = 0; i < 10000 && read_long(delay) != 0; i++)
			usleep(1000);
		assert_int_equal(read_long(delay), 0);	/* it sleeps now */
	} else {
		print_message("# no delay (no kprobes here): the remove races the loops alone\n");
		usleep(200000);
	}
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/remove", bdf);
	assert_int_equal(write_str(path, "1"), 0);
	if (widened) {
		assert_int_equal(pthread_join(delayed->th, NULL), 0);
		print_message("# the delayed read found %ld references on the device\n",
			      read_long("/sys/module/hugesg_test/parameters/delay_last_refs"));
		/* the device it read was not removed under it */
		assert_int_equal(read_long(dead_path), dead);
	}
	/* the engine is gone: every register after the remove is -ENODEV */
	h = hsg_register_on(loops[0].fd, loops[0].buf, loops[0].len, HUGESG_HUGE,
			    HUGESG_ENGINE_FPGA, ids[0], NULL);
	assert_int_equal(h, -ENODEV);

	/* found again, the board is a device under a new id */
	assert_int_equal(write_str("/sys/bus/pci/rescan", "1"), 0);
	for (i = 0; i < 5000 && !device_at(bdf); i++)
		usleep(1000);
	id = device_at(bdf);
	assert_true(id > ids[1]);
	usleep(100000);	/* the loops go on meeting the old id's -ENODEV */
	stop = 1;
	for (i = 0; i < REMOVE_LOOPS; i++)
		assert_int_equal(pthread_join(loops[i].th, NULL), 0);
	if (widened)
		assert_int_equal(write_str(delay, "0"), 0);

	for (i = 0; i <= REMOVE_LOOPS; i++) {
		print_message("# thread %d: %ld handles, %ld -ENODEV, %ld other (last %d)\n",
			      i, loops[i].ok, loops[i].enodev, loops[i].bad,
			      loops[i].last_bad);
		assert_int_equal(loops[i].bad, 0);
		enodev += loops[i].enodev;
	}
	if (widened)
		assert_true(delayed->handle > 0 || delayed->handle == -ENODEV);
	if (delayed->handle > 0)	/* registered before the remove */
		assert_int_equal(hsg_unregister(delayed->fd, delayed->handle), 0);
	assert_true(enodev > 0);	/* the loops did meet the removal */
	for (i = 0; i <= REMOVE_LOOPS; i++)
		close(loops[i].fd);
	assert_released(pins, pool);

	/* rescanned, the device is an engine again, and it registers */
	fd = hsg_open();
	assert_int_equal(hsg_ioctl(fd, HUGESG_IOC_INFO, &info), 0);
	assert_int_equal(info.engines & (1 << HUGESG_ENGINE_FPGA),
			 1 << HUGESG_ENGINE_FPGA);
	h = hsg_register_on(fd, loops[0].buf, loops[0].len, HUGESG_HUGE | HUGESG_WRITE,
			    HUGESG_ENGINE_FPGA, id, NULL);
	assert_true(h > 0);
	assert_int_equal(hsg_unregister(fd, h), 0);
	close(fd);
	assert_int_equal(pins_held(), pins);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, tstate_setup, tstate_teardown)
		T(test_munmap_while_streaming_keeps_pages_until_unregister),
		T(test_passed_file_keeps_buffer_until_last_close),
		T(test_rmmod_while_open_is_refused),
		T(test_edu_unbind_during_copy_is_enodev),
		T(test_epoll_outlives_fpga_unbind),
		T(test_fpga_pci_remove_while_registering),
		T(test_removed_device_is_enodev_its_id_not_given_again),
		T(test_register_racing_removal_is_enodev),
	};

	return cmocka_run_group_tests_name("drv_lifetime", tests, NULL, NULL);
}
