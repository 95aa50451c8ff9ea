// SPDX-License-Identifier: GPL-2.0
/*
 * The /dev/hugesg ABI can grow as include/uapi/linux/hugesg.h says: every
 * ioctl that takes a struct is known by its number whatever size its command
 * carries, the size field must be that size and at least the first
 * version's, a larger struct works if its tail is zero and is -E2BIG if not,
 * reserved fields and out-fields must come in zero, and INFO overwrites its
 * out-fields.  The second version's fields: a first-version REGISTER
 * takes the first device of its engine, @device is written back, DEVICE
 * lists the devices and INFO counts them.
 */
#include <stddef.h>

#include "drvlib.h"

_Static_assert(offsetof(struct hugesg_info, nr_devices) == HUGESG_INFO_SIZE_VER1, "info");
_Static_assert(sizeof(struct hugesg_info) == HUGESG_INFO_SIZE_VER2, "info 2");
_Static_assert(offsetof(struct hugesg_register, device) == HUGESG_REGISTER_SIZE_VER1, "register");
_Static_assert(sizeof(struct hugesg_register) == HUGESG_REGISTER_SIZE_VER2, "register 2");
_Static_assert(sizeof(struct hugesg_device) == HUGESG_DEVICE_SIZE_VER1, "device");
_Static_assert(sizeof(struct hugesg_unregister) == HUGESG_UNREGISTER_SIZE_VER1, "unregister");
_Static_assert(sizeof(struct hugesg_segments) == HUGESG_SEGMENTS_SIZE_VER1, "segments");
_Static_assert(sizeof(struct hugesg_stream) == HUGESG_STREAM_SIZE_VER1, "stream");
_Static_assert(sizeof(struct hugesg_ring) == HUGESG_RING_SIZE_VER1, "ring");
_Static_assert(sizeof(struct hugesg_transfer) == HUGESG_TRANSFER_SIZE_VER1, "transfer");

/* Bytes a newer caller's struct has past the first version's */
#define EXTRA		64
#define ARG_MAX		4096

struct astate {
	struct tstate *t;
	int fd;
	char *ring;		/* 8 MiB of 2 MiB pages for hugesg-fpga, @h */
	char *spare;		/* 2 MiB more, registered by the tests */
	int h;
	int src, dst;		/* 2 MiB each for edu */
	struct hugesg_segment segs[8];
};

static int asetup(void **state)
{
	struct astate *a = calloc(1, sizeof(*a));
	char *edu;

	if (!a || tstate_setup((void **)&a->t))
		return -1;
	a->fd = hsg_open();
	a->ring = map_huge(a->t, 8 * MiB, 21);
	a->spare = map_huge(a->t, SZ_2M, 21);
	edu = map_huge(a->t, 2 * SZ_2M, 21);
	if (a->fd < 0 || !a->ring || !a->spare || !edu)
		return -1;
	a->h = hsg_register(a->fd, a->ring, 8 * MiB, HUGESG_HUGE | HUGESG_WRITE,
			    HUGESG_ENGINE_FPGA, NULL);
	a->src = hsg_register(a->fd, edu, SZ_2M, HUGESG_HUGE,
			      HUGESG_ENGINE_EDU, NULL);
	a->dst = hsg_register(a->fd, edu + SZ_2M, SZ_2M,
			      HUGESG_HUGE | HUGESG_WRITE, HUGESG_ENGINE_EDU, NULL);
	*state = a;
	return a->h > 0 && a->src > 0 && a->dst > 0 ? 0 : -1;
}

static int ateardown(void **state)
{
	struct astate *a = *state;
	int ret;

	close(a->fd);
	ret = tstate_teardown((void **)&a->t);
	free(a);
	return ret;
}

/*
 * Call @cmd with a struct of @size bytes in both the size field and the
 * command: the first-version struct *@arg (@len bytes; @size may be less),
 * then zeros but for byte @bad of the tail (if below @size - @len), 0xa5.
 * *@arg gets the first @len bytes back; fails the test if the tail changed.
 */
static int call_sized(int fd, unsigned long cmd, void *arg, size_t len,
		      uint32_t size, long bad)
{
	static unsigned char buf[ARG_MAX + EXTRA];
	unsigned char want[ARG_MAX + EXTRA];
	int ret;

	assert_true(size <= sizeof(buf));
	memset(buf, 0, sizeof(buf));
	memcpy(buf, arg, len);
	memcpy(buf, &size, sizeof(size));
	if (bad >= 0 && (size_t)bad < size - len)
		buf[len + bad] = 0xa5;
	memcpy(want, buf, sizeof(want));
	ret = hsg_ioctl(fd, HUGESG_IOC_SIZED(cmd, size), buf);
	if (size > len && memcmp(buf + len, want + len, sizeof(buf) - len))
		fail_msg("the driver wrote past the struct it knows");
	memcpy(arg, buf, len);
	return ret;
}

/* A newer caller's struct, @EXTRA bytes larger, its tail zero. */
#define BIG(fd, cmd, arg) \
	call_sized(fd, cmd, arg, sizeof(*(arg)), sizeof(*(arg)) + EXTRA, -1)
/* The same with the last byte of the tail set. */
#define BIG_DIRTY(fd, cmd, arg) \
	call_sized(fd, cmd, arg, sizeof(*(arg)), sizeof(*(arg)) + EXTRA, EXTRA - 1)

/* First-version arguments that succeed on the fixture's buffers */
static struct hugesg_info info_arg(void)
{
	return (struct hugesg_info){ .size = sizeof(struct hugesg_info) };
}

static struct hugesg_register register_arg(struct astate *a)
{
	return (struct hugesg_register){
		.size = sizeof(struct hugesg_register),
		.flags = HUGESG_HUGE | HUGESG_WRITE, .addr = (uintptr_t)a->spare,
		.len = SZ_2M, .engine = HUGESG_ENGINE_FPGA,
	};
}

static struct hugesg_unregister unregister_arg(unsigned int handle)
{
	return (struct hugesg_unregister){
		.size = sizeof(struct hugesg_unregister), .handle = handle,
	};
}

static struct hugesg_segments segments_arg(struct astate *a)
{
	return (struct hugesg_segments){
		.size = sizeof(struct hugesg_segments), .handle = a->h,
		.count = 8, .segs = (uintptr_t)a->segs,
	};
}

static struct hugesg_stream stream_arg(struct astate *a)
{
	return (struct hugesg_stream){
		.size = sizeof(struct hugesg_stream), .handle = a->h,
		.mode = HUGESG_STREAM_TABLE, .seed = 3, .limit = 4096,
	};
}

static struct hugesg_ring ring_arg(uint64_t bytes, uint32_t timeout_ms)
{
	return (struct hugesg_ring){
		.size = sizeof(struct hugesg_ring), .min_bytes = bytes,
		.timeout_ms = timeout_ms,
	};
}

static struct hugesg_device device_arg(uint32_t id)
{
	return (struct hugesg_device){
		.size = sizeof(struct hugesg_device), .id = id,
	};
}

static struct hugesg_transfer transfer_arg(struct astate *a)
{
	return (struct hugesg_transfer){
		.size = sizeof(struct hugesg_transfer),
		.engine = HUGESG_ENGINE_EDU, .src_handle = a->src,
		.dst_handle = a->dst, .len = 4096, .timeout_ms = 10000,
	};
}

/* A first-version stream of 4096 bytes, all produced. */
static void start_stream(struct astate *a)
{
	struct hugesg_stream s = stream_arg(a);
	struct hugesg_ring r = ring_arg(4096, 5000);

	assert_int_equal(hsg_ioctl(a->fd, HUGESG_IOC_STREAM_START, &s), 0);
	assert_int_equal(hsg_ioctl(a->fd, HUGESG_IOC_RING_WAIT, &r), 0);
	assert_int_equal(r.write_ptr, 4096);
}

static void test_larger_struct_with_zero_tail_works(void **state)
{
	struct astate *a = *state;
	struct hugesg_info info = info_arg();
	struct hugesg_register reg = register_arg(a);
	struct hugesg_unregister u;
	struct hugesg_segments sq = segments_arg(a);
	struct hugesg_stream s = stream_arg(a);
	struct hugesg_ring r = ring_arg(4096, 5000);
	struct hugesg_transfer x = transfer_arg(a);
	struct hugesg_device d = device_arg(0);

	assert_int_equal(BIG(a->fd, HUGESG_IOC_INFO, &info), 0);
	assert_int_equal(info.size, sizeof(info) + EXTRA);
	assert_int_equal(info.abi_version, HUGESG_ABI_VERSION);
	assert_int_equal(info.max_registrations, HUGESG_MAX_REGISTRATIONS);
	assert_true(info.engines & (1U << HUGESG_ENGINE_FPGA));
	assert_true(info.nr_devices >= 2);

	assert_int_equal(BIG(a->fd, HUGESG_IOC_DEVICE, &d), 0);
	assert_true(d.id >= 1);
	assert_true(d.engine == HUGESG_ENGINE_FPGA || d.engine == HUGESG_ENGINE_EDU);

	assert_int_equal(BIG(a->fd, HUGESG_IOC_REGISTER, &reg), 0);
	assert_true(reg.handle > 0);
	assert_true(reg.nr_entries >= 1);
	assert_int_equal(reg.nr_pins, 1);
	assert_int_equal(reg.pinned_bytes, SZ_2M);
	assert_int_equal(reg.page_sizes, SZ_2M);

	if (!geteuid()) {	/* SEGMENTS: CAP_SYS_RAWIO, else -EPERM first */
		assert_int_equal(BIG(a->fd, HUGESG_IOC_SEGMENTS, &sq), 0);
		assert_true(sq.count >= 1 && sq.count <= 4);
	}

	u = unregister_arg(reg.handle);
	assert_int_equal(BIG(a->fd, HUGESG_IOC_UNREGISTER, &u), 0);
	assert_int_equal(hsg_unregister(a->fd, reg.handle), -ENOENT);

	assert_int_equal(BIG(a->fd, HUGESG_IOC_STREAM_START, &s), 0);
	assert_int_equal(BIG(a->fd, HUGESG_IOC_RING_WAIT, &r), 0);
	assert_int_equal(r.write_ptr, 4096);
	assert_int_equal(r.ring_size, 8 * MiB);
	assert_int_equal(pattern_errors((const uint64_t *)a->ring, 4096, 0, 3), 0);
	r = ring_arg(4096, 0);
	assert_int_equal(BIG(a->fd, HUGESG_IOC_RING_ACK, &r), 0);
	assert_int_equal(r.read_ptr, 4096);
	r = ring_arg(0, 0);
	assert_int_equal(BIG(a->fd, HUGESG_IOC_STREAM_STOP, &r), 0);
	assert_true(r.state == HUGESG_RING_DONE || r.state == HUGESG_RING_STOPPED);

	assert_int_equal(BIG(a->fd, HUGESG_IOC_TRANSFER, &x), 0);
}

static void test_larger_struct_with_nonzero_tail_is_e2big(void **state)
{
	struct astate *a = *state;
	struct hugesg_info info = info_arg();
	struct hugesg_register reg = register_arg(a);
	struct hugesg_unregister u = unregister_arg(a->src);
	struct hugesg_segments sq = segments_arg(a);
	struct hugesg_stream s = stream_arg(a);
	struct hugesg_ring r = ring_arg(0, 0);
	struct hugesg_transfer x = transfer_arg(a);
	struct hugesg_device d = device_arg(0);

	assert_int_equal(BIG_DIRTY(a->fd, HUGESG_IOC_INFO, &info), -E2BIG);
	assert_int_equal(BIG_DIRTY(a->fd, HUGESG_IOC_DEVICE, &d), -E2BIG);
	assert_int_equal(d.engine, 0);
	assert_int_equal(BIG_DIRTY(a->fd, HUGESG_IOC_REGISTER, &reg), -E2BIG);
	assert_int_equal(reg.handle, 0);
	if (!geteuid())
		assert_int_equal(BIG_DIRTY(a->fd, HUGESG_IOC_SEGMENTS, &sq), -E2BIG);
	assert_int_equal(BIG_DIRTY(a->fd, HUGESG_IOC_UNREGISTER, &u), -E2BIG);
	assert_int_equal(BIG_DIRTY(a->fd, HUGESG_IOC_TRANSFER, &x), -E2BIG);
	assert_int_equal(BIG_DIRTY(a->fd, HUGESG_IOC_STREAM_START, &s), -E2BIG);
	/* nothing was done: no stream, the handle still there */
	assert_int_equal(hsg_ioctl(a->fd, HUGESG_IOC_RING_ACK, &r), -EINVAL);
	assert_int_equal(hsg_edu_copy(a->fd, a->src, 0, a->dst, 0, 4096), 0);

	start_stream(a);
	r = ring_arg(4096, 5000);
	assert_int_equal(BIG_DIRTY(a->fd, HUGESG_IOC_RING_WAIT, &r), -E2BIG);
	r = ring_arg(4096, 0);
	assert_int_equal(BIG_DIRTY(a->fd, HUGESG_IOC_RING_ACK, &r), -E2BIG);
	r = ring_arg(0, 0);
	assert_int_equal(BIG_DIRTY(a->fd, HUGESG_IOC_STREAM_STOP, &r), -E2BIG);
	/* the ring is as it was: 4096 bytes to acknowledge, then a stop */
	r = ring_arg(4096, 0);
	assert_int_equal(hsg_ioctl(a->fd, HUGESG_IOC_RING_ACK, &r), 0);
	r = ring_arg(0, 0);
	assert_int_equal(hsg_ioctl(a->fd, HUGESG_IOC_STREAM_STOP, &r), 0);
}

static void test_struct_over_4096_bytes_is_e2big(void **state)
{
	struct astate *a = *state;
	struct hugesg_info info = info_arg();
	struct hugesg_unregister u = unregister_arg(999);

	/* zero tails: the largest size is accepted, one more byte is not */
	assert_int_equal(call_sized(a->fd, HUGESG_IOC_INFO, &info, sizeof(info),
				    ARG_MAX, -1), 0);
	assert_int_equal(call_sized(a->fd, HUGESG_IOC_UNREGISTER, &u, sizeof(u),
				    ARG_MAX, -1), -ENOENT);
	assert_int_equal(call_sized(a->fd, HUGESG_IOC_INFO, &info, sizeof(info),
				    ARG_MAX + 8, -1), -E2BIG);
	assert_int_equal(call_sized(a->fd, HUGESG_IOC_UNREGISTER, &u, sizeof(u),
				    ARG_MAX + 8, -1), -E2BIG);
}

/*
 * Each ioctl with its first version's struct, @len bytes (of a struct that
 * may have grown since), good content
 */
struct anyarg {
	const char *name;
	unsigned long cmd;
	size_t len;
	union {
		struct hugesg_info info;
		struct hugesg_register reg;
		struct hugesg_device d;
		struct hugesg_unregister u;
		struct hugesg_segments sq;
		struct hugesg_stream s;
		struct hugesg_ring r;
		struct hugesg_transfer x;
	} v;
};

static int all_args(struct astate *a, struct anyarg *arg)
{
	int n = 0;

#define ARG_VER1(c, field, val, ver1) do {				\
		arg[n].name = #c;					\
		arg[n].cmd = c;						\
		arg[n].len = ver1;					\
		arg[n].v.field = val;					\
		arg[n].v.field.size = ver1;				\
		n++;							\
	} while (0)
#define ARG(c, field, val) ARG_VER1(c, field, val, sizeof(arg[n].v.field))
	ARG_VER1(HUGESG_IOC_INFO, info, info_arg(), HUGESG_INFO_SIZE_VER1);
	ARG_VER1(HUGESG_IOC_REGISTER, reg, register_arg(a), HUGESG_REGISTER_SIZE_VER1);
	ARG(HUGESG_IOC_DEVICE, d, device_arg(0));
	ARG(HUGESG_IOC_UNREGISTER, u, unregister_arg(a->src));
	/* (as nobody SEGMENTS is -EPERM before its argument is read) */
	if (!geteuid())
		ARG(HUGESG_IOC_SEGMENTS, sq, segments_arg(a));
	ARG(HUGESG_IOC_STREAM_START, s, stream_arg(a));
	ARG(HUGESG_IOC_STREAM_STOP, r, ring_arg(0, 0));
	ARG(HUGESG_IOC_RING_WAIT, r, ring_arg(8, 10));
	ARG(HUGESG_IOC_RING_ACK, r, ring_arg(0, 0));
	ARG(HUGESG_IOC_TRANSFER, x, transfer_arg(a));
#undef ARG
#undef ARG_VER1
	return n;
}

static void test_smaller_struct_is_einval(void **state)
{
	struct astate *a = *state;
	struct anyarg arg[16];
	int i, n = all_args(a, arg);

	for (i = 0; i < n; i++) {
		uint32_t len = arg[i].len;

		/* the smaller size in both the command and the size field */
		if (call_sized(a->fd, arg[i].cmd, &arg[i].v, len - 4, len - 4, -1) !=
		    -EINVAL ||
		    call_sized(a->fd, arg[i].cmd, &arg[i].v, 4, 4, -1) != -EINVAL ||
		    call_sized(a->fd, arg[i].cmd, &arg[i].v, 0, 0, -1) != -EINVAL)
			fail_msg("%s: a struct below its first version's size is not -EINVAL",
				 arg[i].name);
	}
	/* the first fixture's registrations are all still there */
	assert_int_equal(hsg_edu_copy(a->fd, a->src, 0, a->dst, 0, 4096), 0);
}

static void test_size_field_other_than_command_size_is_einval(void **state)
{
	struct astate *a = *state;
	struct anyarg arg[16];
	int i, n = all_args(a, arg);

	for (i = 0; i < n; i++) {
		unsigned char buf[512] = { 0 };
		uint32_t len = arg[i].len, big = len + EXTRA;

		/* a larger struct under the first version's command */
		memcpy(buf, &arg[i].v, len);
		memcpy(buf, &big, sizeof(big));
		if (hsg_ioctl(a->fd, HUGESG_IOC_SIZED(arg[i].cmd, len), buf) != -EINVAL)
			fail_msg("%s: size field %u with a command of %u bytes is not -EINVAL",
				 arg[i].name, big, len);
		/* the first version's struct under a larger command */
		memcpy(buf, &arg[i].v, len);
		if (hsg_ioctl(a->fd, HUGESG_IOC_SIZED(arg[i].cmd, big), buf) != -EINVAL)
			fail_msg("%s: size field %u with a command of %u bytes is not -EINVAL",
				 arg[i].name, len, big);
	}
	assert_int_equal(hsg_edu_copy(a->fd, a->src, 0, a->dst, 0, 4096), 0);
}

static void test_nonzero_pad_is_einval(void **state)
{
	struct astate *a = *state;
	struct hugesg_info info = info_arg();
	struct hugesg_register reg = register_arg(a);
	struct hugesg_segments sq = segments_arg(a);
	struct hugesg_transfer x = transfer_arg(a);
	struct hugesg_ring r;
	unsigned long ring_cmds[] = { HUGESG_IOC_RING_WAIT, HUGESG_IOC_RING_ACK,
				      HUGESG_IOC_STREAM_STOP };
	unsigned int i;

	struct hugesg_device d = device_arg(0);

	info.pad = 1;
	assert_int_equal(hsg_ioctl(a->fd, HUGESG_IOC_INFO, &info), -EINVAL);
	info = info_arg();
	info.pad2 = 1;
	assert_int_equal(hsg_ioctl(a->fd, HUGESG_IOC_INFO, &info), -EINVAL);
	reg.pad = 1;
	assert_int_equal(hsg_ioctl(a->fd, HUGESG_IOC_REGISTER, &reg), -EINVAL);
	reg = register_arg(a);
	reg.pad2 = 1;
	assert_int_equal(hsg_ioctl(a->fd, HUGESG_IOC_REGISTER, &reg), -EINVAL);
	d.pad = 1;
	assert_int_equal(hsg_ioctl(a->fd, HUGESG_IOC_DEVICE, &d), -EINVAL);
	d = device_arg(0);
	d.pad2 = 1;
	assert_int_equal(hsg_ioctl(a->fd, HUGESG_IOC_DEVICE, &d), -EINVAL);
	sq.pad = 1;
	assert_int_equal(hsg_ioctl(a->fd, HUGESG_IOC_SEGMENTS, &sq),
			 geteuid() ? -EPERM : -EINVAL);
	x.pad = 1;
	assert_int_equal(hsg_ioctl(a->fd, HUGESG_IOC_TRANSFER, &x), -EINVAL);

	start_stream(a);
	for (i = 0; i < sizeof(ring_cmds) / sizeof(ring_cmds[0]); i++) {
		r = ring_arg(0, 10);
		r.pad = 1;
		if (hsg_ioctl(a->fd, ring_cmds[i], &r) != -EINVAL)
			fail_msg("ring ioctl %u: a non-zero pad is not -EINVAL", i);
	}
	/* the stream still runs: each was refused before it did anything */
	r = ring_arg(4096, 0);
	assert_int_equal(hsg_ioctl(a->fd, HUGESG_IOC_RING_ACK, &r), 0);
	r = ring_arg(0, 0);
	assert_int_equal(hsg_ioctl(a->fd, HUGESG_IOC_STREAM_STOP, &r), 0);
}

static void test_nonzero_register_out_field_is_einval(void **state)
{
	struct astate *a = *state;
	struct hugesg_register reg;
	int i;

	for (i = 0; i < 6; i++) {
		reg = register_arg(a);
		switch (i) {
		case 0: reg.handle = 7; break;
		case 1: reg.nr_entries = 1; break;
		case 2: reg.nr_dma_segments = 1; break;
		case 3: reg.nr_pins = 1; break;
		case 4: reg.pinned_bytes = SZ_2M; break;
		case 5: reg.page_sizes = SZ_2M; break;
		}
		if (hsg_ioctl(a->fd, HUGESG_IOC_REGISTER, &reg) != -EINVAL)
			fail_msg("register: out-field %d set on input is not -EINVAL", i);
	}
	reg = register_arg(a);
	assert_int_equal(hsg_ioctl(a->fd, HUGESG_IOC_REGISTER, &reg), 0);
	/* nothing else was registered: the fixture's three and this one */
	assert_int_equal(reg.handle, 4);
}

static void test_nonzero_ring_out_field_is_einval(void **state)
{
	struct astate *a = *state;
	unsigned long cmds[] = { HUGESG_IOC_RING_WAIT, HUGESG_IOC_RING_ACK,
				 HUGESG_IOC_STREAM_STOP };
	struct hugesg_ring r;
	unsigned int c;
	int i;

	start_stream(a);
	for (c = 0; c < sizeof(cmds) / sizeof(cmds[0]); c++) {
		for (i = 0; i < 8; i++) {
			r = ring_arg(0, 10);
			switch (i) {
			case 0: r.write_ptr = 8; break;
			case 1: r.read_ptr = 8; break;
			case 2: r.ring_size = 8 * MiB; break;
			case 3: r.overruns = 1; break;
			case 4: r.checksum = 1; break;
			case 5: r.mismatches = 1; break;
			case 6: r.dma_errors = 1; break;
			case 7: r.state = HUGESG_RING_RUNNING; break;
			}
			if (hsg_ioctl(a->fd, cmds[c], &r) != -EINVAL)
				fail_msg("ring ioctl %u: out-field %d set on input is not -EINVAL",
					 c, i);
		}
	}
	/* the stream still runs: each was refused before it did anything */
	r = ring_arg(4096, 0);
	assert_int_equal(hsg_ioctl(a->fd, HUGESG_IOC_RING_ACK, &r), 0);
	r = ring_arg(0, 0);
	assert_int_equal(hsg_ioctl(a->fd, HUGESG_IOC_STREAM_STOP, &r), 0);
}

static void test_info_overwrites_out_fields(void **state)
{
	struct astate *a = *state;
	struct hugesg_info want = info_arg(), info = info_arg();

	assert_int_equal(hsg_ioctl(a->fd, HUGESG_IOC_INFO, &want), 0);
	info.abi_version = 0xffffffff;
	info.engines = 0xffffffff;
	info.iommu = 0xffffffff;
	info.max_registrations = 0xffffffff;
	info.nr_devices = 0xffffffff;
	assert_int_equal(hsg_ioctl(a->fd, HUGESG_IOC_INFO, &info), 0);
	assert_int_equal(info.nr_devices, want.nr_devices);
	assert_int_equal(info.abi_version, HUGESG_ABI_VERSION);
	assert_int_equal(info.engines, want.engines);
	assert_int_equal(info.iommu, want.iommu);
	assert_int_equal(info.max_registrations, HUGESG_MAX_REGISTRATIONS);
	assert_int_equal(info.pad, 0);
	assert_int_not_equal(info.engines, 0xffffffff);
}

/* Already so before the ABI could grow: the dispatch must stay this strict. */
static void test_unknown_type_number_or_direction_is_enotty(void **state)
{
	struct astate *a = *state;
	struct hugesg_info info = info_arg();

	assert_int_equal(hsg_ioctl(a->fd, _IOC(_IOC_READ, HUGESG_IOC_MAGIC, 0,
					       sizeof(info)), &info), -ENOTTY);
	assert_int_equal(hsg_ioctl(a->fd, _IOC(_IOC_NONE, HUGESG_IOC_MAGIC, 0,
					       sizeof(info)), &info), -ENOTTY);
	assert_int_equal(hsg_ioctl(a->fd, _IOC(_IOC_READ | _IOC_WRITE,
					       HUGESG_IOC_MAGIC, 10, sizeof(info)),
				   &info), -ENOTTY);
	/* DEVICE is _IOWR: write-only, it is another command */
	assert_int_equal(hsg_ioctl(a->fd, _IOC(_IOC_WRITE, HUGESG_IOC_MAGIC, 9,
					       sizeof(struct hugesg_device)), &info),
			 -ENOTTY);
	assert_int_equal(hsg_ioctl(a->fd, _IOC(_IOC_READ | _IOC_WRITE,
					       HUGESG_IOC_MAGIC + 1, 0, sizeof(info)),
				   &info), -ENOTTY);
	/* UNREGISTER is _IOW: the same number read-write is another command */
	assert_int_equal(hsg_ioctl(a->fd, _IOC(_IOC_READ | _IOC_WRITE,
					       HUGESG_IOC_MAGIC, 2, 8), &info),
			 -ENOTTY);
}

/*
 * A caller of the first version: INFO of 24 bytes is answered in 24 (no
 * device count), REGISTER of 72 takes the first hugesg-fpga board, as
 * before there were several: while a stream runs on that buffer, the first
 * board is busy for another file (-EBUSY) and the second is not.
 */
static void test_first_version_register_takes_the_first_device(void **state)
{
	struct astate *a = *state;
	struct hugesg_info info = info_arg();
	struct hugesg_register reg = register_arg(a);
	struct hugesg_stream s = stream_arg(a);
	struct hugesg_ring r;
	char *other = map_huge(a->t, SZ_2M, 21);
	int fd2 = hsg_open(), h;
	uint32_t ids[2], i;

	two_fpga_boards(ids);
	assert_non_null(other);
	assert_int_equal(call_sized(a->fd, HUGESG_IOC_INFO, &info,
				    HUGESG_INFO_SIZE_VER1, HUGESG_INFO_SIZE_VER1, -1), 0);
	assert_int_equal(info.abi_version, HUGESG_ABI_VERSION);
	assert_int_equal(call_sized(a->fd, HUGESG_IOC_REGISTER, &reg,
				    HUGESG_REGISTER_SIZE_VER1,
				    HUGESG_REGISTER_SIZE_VER1, -1), 0);
	assert_true(reg.handle > 0);
	s.handle = reg.handle;
	s.limit = 0;		/* until stopped, paced */
	s.rate = 64;
	assert_int_equal(hsg_ioctl(a->fd, HUGESG_IOC_STREAM_START, &s), 0);
	for (i = 0; i < 2; i++) {
		h = hsg_register_on(fd2, other, SZ_2M, HUGESG_HUGE | HUGESG_WRITE,
				    HUGESG_ENGINE_FPGA, ids[i], NULL);
		assert_true(h > 0);
		assert_int_equal(hsg_stream(fd2, h, HUGESG_STREAM_TABLE, 5, 4096),
				 i == 0 ? -EBUSY : 0);
		if (i == 1)
			assert_int_equal(hsg_ring(fd2, HUGESG_IOC_STREAM_STOP, 0, 0, &r), 0);
		assert_int_equal(hsg_unregister(fd2, h), 0);
	}
	assert_int_equal(hsg_ring(a->fd, HUGESG_IOC_STREAM_STOP, 0, 0, &r), 0);
	assert_int_equal(hsg_unregister(a->fd, reg.handle), 0);
	close(fd2);
}

/*
 * The second version's @device: 0 takes the first board of the engine, an
 * id that board, and either is written back; INFO of the second version
 * counts what DEVICE lists.
 */
static void test_register_device_is_written_back(void **state)
{
	struct astate *a = *state;
	struct hugesg_info info = info_arg();
	struct hugesg_device d[16];
	struct hugesg_register reg;
	uint32_t ids[2];
	int i;

	two_fpga_boards(ids);
	assert_int_equal(hsg_ioctl(a->fd, HUGESG_IOC_INFO, &info), 0);
	assert_int_equal(info.nr_devices, hsg_list_devices(d, 16));
	for (i = -1; i < 2; i++) {
		assert_true(hsg_register_on(a->fd, a->spare, SZ_2M,
					    HUGESG_HUGE | HUGESG_WRITE,
					    HUGESG_ENGINE_FPGA, i < 0 ? 0 : ids[i],
					    &reg) > 0);
		assert_int_equal(reg.device, ids[i < 0 ? 0 : i]);
		assert_int_equal(reg.pad2, 0);
		assert_int_equal(hsg_unregister(a->fd, reg.handle), 0);
	}
}

/*
 * DEVICE: from id 0 the first device, from each id reported plus 1 the
 * next, from past the last -ENOENT with nothing written; an out-field set
 * on input is -EINVAL.
 */
static void test_device_lists_in_id_order_then_enoent(void **state)
{
	struct astate *a = *state;
	struct hugesg_device d = device_arg(0), prev;
	uint32_t id = 0;
	int n = 0, i;

	while (!hsg_ioctl(a->fd, HUGESG_IOC_DEVICE, &d)) {
		assert_true(d.id >= id && d.id >= 1);
		prev = d;
		id = d.id + 1;
		d = device_arg(id);
		n++;
	}
	assert_int_equal(n, hsg_list_devices(NULL, 0));
	assert_true(n >= 3);
	/* -ENOENT past the last, its out-fields untouched */
	d = device_arg(prev.id + 1);
	assert_int_equal(hsg_ioctl(a->fd, HUGESG_IOC_DEVICE, &d), -ENOENT);
	assert_int_equal(d.id, prev.id + 1);
	assert_int_equal(d.engine, 0);
	d = device_arg(UINT32_MAX);
	assert_int_equal(hsg_ioctl(a->fd, HUGESG_IOC_DEVICE, &d), -ENOENT);
	/* asking for the last's id gives exactly it */
	d = device_arg(prev.id);
	assert_int_equal(hsg_ioctl(a->fd, HUGESG_IOC_DEVICE, &d), 0);
	assert_memory_equal(&d, &prev, sizeof(d));
	for (i = 0; i < 6; i++) {
		d = device_arg(0);
		switch (i) {
		case 0: d.engine = HUGESG_ENGINE_FPGA; break;
		case 1: d.state = HUGESG_DEVICE_READY; break;
		case 2: d.iommu = HUGESG_IOMMU_STRICT; break;
		case 3: d.pci_domain = 1; break;
		case 4: d.pci_bus = 1; break;
		case 5: d.pci_slot = 1; d.pci_func = 1; break;
		}
		if (hsg_ioctl(a->fd, HUGESG_IOC_DEVICE, &d) != -EINVAL)
			fail_msg("device: out-field %d set on input is not -EINVAL", i);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, asetup, ateardown)
		T(test_larger_struct_with_zero_tail_works),
		T(test_larger_struct_with_nonzero_tail_is_e2big),
		T(test_struct_over_4096_bytes_is_e2big),
		T(test_smaller_struct_is_einval),
		T(test_size_field_other_than_command_size_is_einval),
		T(test_nonzero_pad_is_einval),
		T(test_nonzero_register_out_field_is_einval),
		T(test_nonzero_ring_out_field_is_einval),
		T(test_info_overwrites_out_fields),
		T(test_unknown_type_number_or_direction_is_enotty),
		T(test_first_version_register_takes_the_first_device),
		T(test_register_device_is_written_back),
		T(test_device_lists_in_id_order_then_enoent),
	};

	return cmocka_run_group_tests_name("drv_abi", tests, NULL, NULL);
}
