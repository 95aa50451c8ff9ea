// SPDX-License-Identifier: GPL-2.0
/*
 * A randomized differential fuzzer of the core API, seeded and reproducible.
 *
 * Each TAP test drives one entry point (the table, the managed buffer, the
 * hugepage array) through fuzz_calls / 3 calls on random layouts of memory:
 * 2 MiB slots of ordinary, THP, shmem, hugetlb (private, shared, hugetlbfs
 * file, memfd, SysV SHM, one memfd page mapped in several adjacent slots),
 * PROT_NONE, read-only, holes and the test driver's VM_IO/VM_PFNMAP and
 * VM_IO-over-ordinary-page mappings, around a 1 GiB hugetlb page, plus the
 * last pages below the user-space limit.  The pool of 2 MiB pages is put in
 * a random state per layout: whole, shrunk below its use (pages in use
 * become surplus) or empty with overcommit (every page is surplus).
 * Ranges are random, with the edges: address 0, the last user page, the
 * user-space limit, the top of the address space, wrapping.
 *
 * Every call is judged against a model of the layout: it must succeed and
 * equal the oracle (HUGESG_TEST_ORACLE: sg_alloc_table_from_pages_segment()
 * over a pin per 4 KiB page; for the hugepage array, the head page under
 * the first byte of each hugepage), with one pin per hugepage and per
 * ordinary page, or fail with the documented errno, leaving nothing pinned.
 * After every release (some after unmapping the memory first, the kill -9
 * case) the FOLL_PIN counters balance and the pools hold exactly what the
 * layout maps.
 *
 * The errno rule of the model: bad arguments first (-EINVAL: len 0, a range
 * that wraps past 0, unknown flags, mode 3, max_segment < PAGE_SIZE for the
 * tables, a mode other than HUGE or an empty array for the hugepage array),
 * then a range that ends above the user-space limit (-EFAULT), then the
 * first offending page in address order decides: -EFAULT for a hole,
 * PROT_NONE, VM_IO/VM_PFNMAP, or a read-only page pinned for write, -EINVAL
 * for a page of the wrong kind for the mode.  Where two argument errors of
 * different errno meet (bad flags with a range above the limit), or a
 * page of the wrong kind comes before the limit, either errno is accepted.
 * The hugepage array stops at its capacity: a fault past the last hugepage
 * it has room for may or may not be reported.
 *
 * Kernel command line (HUGESG_APPEND): hugesg_rig.fuzz_seed=N replays a
 * run, hugesg_rig.fuzz_calls=N (default 20000, all three tests together;
 * 200000 with hugesg_rig.stress=1, `make stress`),
 * hugesg_rig.fuzz_layout=N calls per layout (default 96),
 * hugesg_rig.fuzz_avoid=MASK leaves out classes of input: 1 ranges whose
 * last page ends at the top of the address space (end > ~0UL - 4095),
 * 2 the VM_IO mapping of an ordinary page, 4 unmap before release,
 * 8 ranges that end above the user-space limit.
 */
#include "testlib.h"
#include <sys/ipc.h>
#include <sys/shm.h>

#ifndef MFD_HUGE_1GB
#define MFD_HUGE_1GB (30U << 26)
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif
#ifndef SHM_HUGETLB
#define SHM_HUGETLB 04000
#endif
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#define PG		4096UL
#define USER_LIMIT	0x7ffffffff000UL	/* TASK_SIZE, x86-64 4-level */
/*
 * TASK_SIZE with 5-level paging (LA57): a kernel that switches to it (our
 * bzImage kernels; a PVH-booted vmlinux stays 4-level) takes ranges up to
 * here, where above USER_LIMIT nothing is mapped unless asked for: a hole.
 */
#define USER_LIMIT_LA57	((1UL << 56) - 4096)
#define H2SYS		"/sys/kernel/mm/hugepages/hugepages-2048kB/"
#define H1SYS		"/sys/kernel/mm/hugepages/hugepages-1048576kB/"

/* The layout: NPRE 2 MiB slots, the 1 GiB slot at G, NPOST 2 MiB slots. */
#define NPRE		6
#define NPOST		6
#define NSLOTS		(NPRE + 1 + NPOST)
#define G		0x200040000000UL
#define LAY_START	(G - NPRE * SZ_2M)
#define LAY_END		(G + GiB + NPOST * SZ_2M)
/* The top: a 2 MiB hugetlb slot, then ordinary pages up to the limit. */
#define TOP_H		0x7fffffc00000UL
#define TOP_N		0x7fffffe00000UL

#define MAXE		(1UL << 19)	/* entries: a 1 GiB page at 4 KiB */

enum rtype { T_NONE, T_IO, T_NORMAL, T_H2M, T_H1G };

struct run {
	uint64_t s, e;
	uint8_t type;
	uint8_t ro;
	int8_t slot;		/* layout slot, -1: the top */
};

enum kind {
	K_HOLE, K_PROT_NONE, K_ANON, K_THP, K_SHMEM, K_MIXED,
	K_H_PRIV, K_H_SHARED, K_H_FILE, K_H_MEMFD, K_H_SHM, K_H_ALIAS,
	K_NKINDS
};
static const char *const kind_names[] = {
	"hole", "prot_none", "anon", "thp", "shmem", "mixed",
	"h2m_priv", "h2m_shared", "h2m_file", "h2m_memfd", "h2m_shm", "h2m_alias",
};
/* weights of the 2 MiB slot kinds */
static const int kind_weight[K_NKINDS] = { 1, 1, 3, 3, 2, 4, 5, 2, 2, 2, 2, 3 };

enum pool_state { P_WHOLE, P_SHRUNK, P_OVERCOMMIT };

struct fuzz {
	int fd;
	uint64_t rng;
	uint64_t seed;
	unsigned int avoid;
	int memfd_1g;		/* the persistent 1 GiB page */
	struct run runs[256];
	int nruns;
	int top_runs;		/* runs[0..top_runs) are the top's */
	int slot_kind[NSLOTS];
	int slot_ro[NSLOTS];
	int slot_mapped[NSLOTS];
	int slot_dropped[NSLOTS];	/* unmapped by a release: rebuild next */
	int alias_mapped;	/* slots mapping the alias page */
	int alias_fd;		/* its memfd, open for the whole test */
	int alias_faulted;
	int no_sysv;		/* the kernel has no SysV IPC (the debug kernel) */
	int la57;		/* 5-level paging: TASK_SIZE is USER_LIMIT_LA57 */
	int top_ok;
	enum pool_state pool;
	long nr_work;		/* the working size of the 2 MiB pool */
	long base_2m, base_1g;	/* in use by others when we started */
	/* counters */
	unsigned long calls, ok, errs, mismatches, layouts, unmapped_releases;
	unsigned long walker_case;	/* split hugepage, surplus, unmapped */
	unsigned long edge_calls;
	uint64_t us_layout, us_pool;
	unsigned long einval, efault, ehole, enone, eio, ero;
	char first[512];
	char lay[NSLOTS + 1];	/* the layout at the start of the call */
};

static struct hugesg_test_entry *got, *want;

static uint64_t rn(struct fuzz *f, uint64_t n)
{
	return n ? rnd(&f->rng) % n : 0;
}

static int chance(struct fuzz *f, unsigned int pct)
{
	return rn(f, 100) < pct;
}

/* ---- the kernel's counters ---------------------------------------------- */

static long pins_now(void)
{
	static char buf[16384];
	int fd = open("/proc/sys/vm/stat_refresh", O_WRONLY);
	long acq = -1, rel = -1;
	ssize_t n;
	char *p;

	if (fd >= 0) {
		if (write(fd, "1", 1) != 1)
			acq = -1000000;
		close(fd);
	}
	fd = open("/proc/vmstat", O_RDONLY);
	if (fd < 0)
		return -1000000;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1000000;
	buf[n] = 0;
	p = strstr(buf, "\nnr_foll_pin_acquired ");
	if (p)
		acq = strtol(p + 22, NULL, 10);
	p = strstr(buf, "\nnr_foll_pin_released ");
	if (p)
		rel = strtol(p + 22, NULL, 10);
	return acq - rel;
}

static long sys_long(const char *dir, const char *name)
{
	char path[160], buf[32];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s%s", dir, name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	return strtol(buf, NULL, 10);
}

static int sys_set(const char *dir, const char *name, long val)
{
	char path[160], v[32];

	snprintf(path, sizeof(path), "%s%s", dir, name);
	snprintf(v, sizeof(v), "%ld", val);
	return write_str(path, v);
}

/* Hugepages of a pool in use: all its pages (nr_hugepages counts the surplus) less free. */
static long in_use(const char *dir)
{
	return sys_long(dir, "nr_hugepages") - sys_long(dir, "free_hugepages");
}

/* ---- the model -------------------------------------------------------- */

static void add_run(struct fuzz *f, uint64_t s, uint64_t e, int type, int ro,
		    int slot)
{
	struct run *r = &f->runs[f->nruns];

	if (s >= e)
		return;
	if (f->nruns && r[-1].e == s && r[-1].type == type && r[-1].ro == ro &&
	    r[-1].slot == slot && type != T_H2M && type != T_H1G) {
		r[-1].e = e;
		return;
	}
	*r = (struct run){ s, e, type, ro, slot };
	f->nruns++;
}

/* 2 MiB hugepages the layout (and the top) holds. */
static long model_2m(struct fuzz *f)
{
	long n = f->alias_faulted ? 1 : 0;
	int i;

	for (i = 0; i < NSLOTS; i++)
		if (i != NPRE && f->slot_mapped[i] && f->slot_kind[i] >= K_H_PRIV &&
		    f->slot_kind[i] != K_H_ALIAS)
			n++;
	return n + (f->top_ok ? 1 : 0);
}

static const struct run *find_run(struct fuzz *f, uint64_t a)
{
	int i;

	for (i = 0; i < f->nruns; i++)
		if (a >= f->runs[i].s && a < f->runs[i].e)
			return &f->runs[i];
	return NULL;
}

struct expect {
	int err;		/* 0 or the errno the model decides */
	int alt;		/* another acceptable errno, or 0 */
	int cap_alt;		/* GET: the capped count is acceptable too */
	long pins;		/* on success */
	uint64_t pinned_bytes;
	uint64_t page_sizes;
	unsigned long nhp;	/* GET: hugepages, up to the capacity */
	uint64_t hp_va[64];	/* GET: first byte in the range of each */
	uint32_t hp_size[64];
	uint64_t hp_start[64];
	int split_huge;		/* a hugepage of the range spans > max_segment */
	uint64_t where;		/* the offending page */
	int has_huge, has_normal, has_ro;
};

/*
 * Walk [a, e) (e <= USER_LIMIT) as the kernel does: the first offending page
 * in address order gives the errno; else count pins.  @cap: stop after this
 * many hugepages (GET), 0: no limit; then *@capped is set.
 */
static int walk(struct fuzz *f, uint64_t a, uint64_t e, int mode, int write,
		uint64_t cap, uint64_t start, uint64_t max_seg,
		struct expect *x, int *capped)
{
	uint64_t pos = a & ~(PG - 1);

	*capped = 0;
	while (pos < e) {
		const struct run *r = find_run(f, pos);
		uint64_t seg_end, hs, h;

		x->where = pos;
		if (!r || r->type == T_NONE || r->type == T_IO)
			return EFAULT;
		if (r->ro)
			x->has_ro = 1;
		if (write && r->ro)
			return EFAULT;
		if (r->type == T_NORMAL) {
			x->has_normal = 1;
			if (mode == HUGESG_HUGE)
				return EINVAL;
			seg_end = r->e < e ? r->e : e;
			seg_end = (seg_end + PG - 1) & ~(PG - 1);
			x->pins += (seg_end - pos) / PG;
			x->pinned_bytes += seg_end - pos;
			x->page_sizes |= PG;
			pos = seg_end;
			continue;
		}
		x->has_huge = 1;
		if (mode == HUGESG_NORMAL)
			return EINVAL;
		hs = r->type == T_H1G ? GiB : SZ_2M;
		for (h = pos & ~(hs - 1); h < r->e && h < e; h += hs) {
			uint64_t from = h > start ? h : start;
			uint64_t to = h + hs < e ? h + hs : e;

			if (((to + PG - 1) & ~(PG - 1)) - (from & ~(PG - 1)) >
			    (max_seg & ~(PG - 1)))
				x->split_huge = 1;
			if (x->nhp < 64) {
				x->hp_va[x->nhp] = from;
				x->hp_size[x->nhp] = hs >> 12;
				x->hp_start[x->nhp] = h;
			}
			x->nhp++;
			x->pins++;
			x->pinned_bytes += hs;
			x->page_sizes |= hs;
			if (cap && x->nhp == cap) {
				*capped = 1;
				return 0;
			}
		}
		pos = h;
	}
	return 0;
}

/* ---- building layouts -------------------------------------------------- */

static void *map_at(uint64_t a, size_t len, int prot, int flags, int fd,
		    off_t off)
{
	void *p = mmap((void *)a, len, prot, flags | MAP_FIXED, fd, off);

	return p == (void *)a ? p : NULL;
}

static void populate(void *p, size_t len)
{
	if (madvise(p, len, MADV_POPULATE_WRITE))
		touch(p, len);
}

static int pick_kind(struct fuzz *f)
{
	int total = 0, i, r;

	for (i = 0; i < K_NKINDS; i++)
		total += kind_weight[i];
	r = rn(f, total);
	for (i = 0; i < K_NKINDS; i++) {
		if (r < kind_weight[i])
			return i;
		r -= kind_weight[i];
	}
	return K_ANON;
}

/* A 2 MiB hugetlb file of some kind; -1 on failure. */
static int huge_file(int kind)
{
	char path[] = "/mnt/huge2m/fuzzXXXXXX";
	int fd;

	if (kind == K_H_FILE) {
		fd = mkstemp(path);
		if (fd < 0)
			return -1;
		unlink(path);
		if (ftruncate(fd, SZ_2M)) {
			close(fd);
			return -1;
		}
		return fd;
	}
	return memfd_huge(SZ_2M);
}

/* Map slot @i at @a; the model's runs for it; 0 or -1 (environment). */
static int build_slot(struct fuzz *f, int i, uint64_t a)
{
	const int rw = PROT_READ | PROT_WRITE, priv = MAP_PRIVATE | MAP_ANONYMOUS;
	int kind = pick_kind(f), ro = 0, fd, id;
	uint8_t pa[512];	/* MIXED: per page, enum rtype | 0x80 ro, 0xff hole */
	unsigned int j, n, k, m, npieces, pass, pw[4], pj[4], pn[4];
	void *p;

	f->slot_kind[i] = kind;
	f->slot_mapped[i] = 1;
	if (kind >= K_H_PRIV)
		ro = chance(f, 15) ? 1 : chance(f, 6) ? 2 : 0;	/* 2: PROT_NONE */
	else if (kind != K_MIXED && kind != K_HOLE && kind != K_PROT_NONE)
		ro = chance(f, 10);
	f->slot_ro[i] = ro;

	switch (kind) {
	case K_HOLE:
		f->slot_mapped[i] = 0;
		return munmap((void *)a, SZ_2M);
	case K_PROT_NONE:
		add_run(f, a, a + SZ_2M, T_NONE, 0, i);
		return 0;
	case K_ANON:
	case K_THP:
		p = map_at(a, SZ_2M, rw, priv, -1, 0);
		if (!p)
			return -1;
		madvise(p, SZ_2M, kind == K_THP ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
		populate(p, SZ_2M);
		break;
	case K_SHMEM:
		p = map_at(a, SZ_2M, rw, MAP_SHARED | MAP_ANONYMOUS | MAP_POPULATE,
			   -1, 0);
		if (!p)
			return -1;
		break;
	case K_MIXED:
		p = map_at(a, SZ_2M, rw, priv, -1, 0);
		if (!p)
			return -1;
		madvise(p, SZ_2M, MADV_NOHUGEPAGE);
		populate(p, SZ_2M);
		memset(pa, T_NORMAL, sizeof(pa));
		npieces = 1 + rn(f, 4);
		for (k = 0; k < npieces; k++) {
			pw[k] = rn(f, 5);
			pj[k] = rn(f, 512);
			pn[k] = 1 + (chance(f, 50) ? 0 : rn(f, 16));
			if (pj[k] + pn[k] > 512)
				pn[k] = 512 - pj[k];
			if (pw[k] == 3 && (f->avoid & 2))
				pw[k] = 2;
		}
		/* the holes last: mprotect() refuses a range with a hole */
		for (pass = 0; pass < 2; pass++)
		for (k = 0; k < npieces; k++) {
			unsigned int what = pw[k];

			j = pj[k];
			n = pn[k];
			if ((what == 0) != (pass == 1))
				continue;
			switch (what) {
			case 0:		/* hole */
				if (munmap((char *)p + j * PG, n * PG))
					return -1;
				memset(pa + j, 0xff, n);
				break;
			case 1:		/* PROT_NONE */
			case 2:		/* read-only */
				if (mprotect((char *)p + j * PG, n * PG,
					     what == 1 ? PROT_NONE : PROT_READ))
					return -1;
				/* the driver's pages stay VM_IO whatever their protection */
				for (m = j; m < j + n; m++)
					if (pa[m] != T_IO)
						pa[m] = what == 1 ? T_NONE : T_NORMAL | 0x80;
				break;
			default:	/* the driver's page: 4: VM_PFNMAP, 3: VM_IO */
				if (!map_at(a + j * PG, PG, rw, MAP_SHARED, f->fd,
					    what == 3 ? PG : 0))
					return -1;
				pa[j] = T_IO;
				break;
			}
		}
		for (j = 0; j < 512; j++)
			if (pa[j] != 0xff)
				add_run(f, a + j * PG, a + (j + 1) * PG, pa[j] & 0x7f,
					!!(pa[j] & 0x80), i);
		return 0;
	case K_H_PRIV:
	case K_H_SHARED:
		p = map_at(a, SZ_2M, rw, (kind == K_H_PRIV ? MAP_PRIVATE : MAP_SHARED) |
			   MAP_ANONYMOUS | MAP_HUGETLB | MAP_HUGE_2M | MAP_POPULATE,
			   -1, 0);
		if (!p)
			return -1;
		break;
	case K_H_FILE:
	case K_H_MEMFD:
		fd = huge_file(kind);
		if (fd < 0)
			return -1;
		p = map_at(a, SZ_2M, rw, MAP_SHARED | MAP_POPULATE, fd, 0);
		close(fd);
		if (!p)
			return -1;
		break;
	case K_H_ALIAS:
		if (f->alias_fd < 0)
			f->alias_fd = memfd_huge(SZ_2M);
		if (f->alias_fd < 0)
			return -1;
		p = map_at(a, SZ_2M, rw, MAP_SHARED | MAP_POPULATE, f->alias_fd, 0);
		if (!p)
			return -1;
		f->alias_mapped++;
		f->alias_faulted = 1;
		break;
	case K_H_SHM:
		id = shmget(IPC_PRIVATE, SZ_2M, IPC_CREAT | SHM_HUGETLB | 0600);
		if (id < 0 && errno == ENOSYS) {
			/*
			 * a kernel without SysV IPC: the nearest kind, so that
			 * the calls drawn stay those of the seed
			 */
			if (!f->no_sysv)
				print_message("# no SysV IPC here: SHM_HUGETLB slots are shared anonymous hugetlb\n");
			f->no_sysv = 1;
			p = map_at(a, SZ_2M, rw, MAP_SHARED | MAP_ANONYMOUS | MAP_HUGETLB |
				   MAP_HUGE_2M | MAP_POPULATE, -1, 0);
			if (!p)
				return -1;
			break;
		}
		if (id < 0)
			return -1;
		p = shmat(id, (void *)a, SHM_REMAP);
		shmctl(id, IPC_RMID, NULL);
		if (p != (void *)a)
			return -1;
		touch(p, SZ_2M);
		break;
	default:
		return -1;
	}
	if (ro && mprotect(p, SZ_2M, ro == 2 ? PROT_NONE : PROT_READ))
		return -1;
	add_run(f, a, a + SZ_2M, ro == 2 ? T_NONE : kind >= K_H_PRIV ? T_H2M : T_NORMAL,
		ro == 1, i);
	return 0;
}

static void unmap_layout(struct fuzz *f)
{
	munmap((void *)LAY_START, LAY_END - LAY_START);
	memset(f->slot_mapped, 0, sizeof(f->slot_mapped));
	memset(f->slot_kind, 0, sizeof(f->slot_kind));
	f->alias_mapped = 0;
	f->nruns = f->top_runs;
}

static uint64_t slot_start(int i)
{
	return i < NPRE ? LAY_START + i * SZ_2M :
		i == NPRE ? G : G + GiB + (i - NPRE - 1) * SZ_2M;
}

static uint64_t slot_len(int i)
{
	return i == NPRE ? GiB : SZ_2M;
}

/* Forget slot @i in the model, after it was unmapped. */
static void drop_slot(struct fuzz *f, int i)
{
	int j;

	if (f->slot_mapped[i] && f->slot_kind[i] == K_H_ALIAS)
		f->alias_mapped--;
	f->slot_mapped[i] = 0;
	f->slot_kind[i] = K_HOLE;
	for (j = f->top_runs; j < f->nruns; j++)
		if (f->runs[j].slot == i) {
			memmove(&f->runs[j], &f->runs[j + 1],
				(f->nruns - j - 1) * sizeof(f->runs[0]));
			f->nruns--;
			j--;
		}
}

/* Set the 2 MiB pool back to its working size; 0 or -1. */
static int pool_restore(struct fuzz *f)
{
	sys_set(H2SYS, "nr_overcommit_hugepages", 0);
	if (sys_set(H2SYS, "nr_hugepages", f->nr_work) ||
	    sys_long(H2SYS, "nr_hugepages") != f->nr_work)
		return -1;
	f->pool = P_WHOLE;
	return 0;
}

/* (Re)build slot @i: 0, or -1 with a message in f->first. */
static int rebuild_slot(struct fuzz *f, int i)
{
	uint64_t a = slot_start(i);
	int k;

	munmap((void *)a, slot_len(i));
	drop_slot(f, i);
	f->slot_dropped[i] = 0;
	if (!map_at(a, slot_len(i), PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)) {
		snprintf(f->first, sizeof(f->first), "slot %d: %s", i, strerror(errno));
		return -1;
	}
	if (i != NPRE) {
		if (build_slot(f, i, a)) {
			snprintf(f->first, sizeof(f->first), "slot %d (%s): %s", i,
				 kind_names[f->slot_kind[i]], strerror(errno));
			return -1;
		}
		return 0;
	}
	/* the 1 GiB slot: the persistent page (maybe read-only), a hole or PROT_NONE */
	k = rn(f, 10);
	if (k < 8 && f->memfd_1g >= 0) {
		int ro = k == 7;

		if (!map_at(G, GiB, ro ? PROT_READ : PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_POPULATE, f->memfd_1g, 0)) {
			snprintf(f->first, sizeof(f->first), "1 GiB slot: %s",
				 strerror(errno));
			return -1;
		}
		f->slot_kind[i] = K_H_SHARED;
		f->slot_ro[i] = ro;
		f->slot_mapped[i] = 1;
		add_run(f, G, G + GiB, T_H1G, ro, i);
	} else if (k < 9) {
		munmap((void *)G, GiB);
	} else {
		f->slot_kind[i] = K_PROT_NONE;
		add_run(f, G, G + GiB, T_NONE, 0, i);
	}
	return 0;
}

/*
 * The next layout and pool state: every eighth time all slots anew, else
 * two to four of them (the zeroing of fresh pages is what layouts cost).
 * 0, or -1 with a message in f->first.
 */
static int new_layout(struct fuzz *f)
{
	int full = f->layouts % 16 == 0, i, n, mode;
	uint64_t t0 = now_us();

	/* the pool changes state every third layout or so: it is slow */
	mode = full || chance(f, 35) ? (int)rn(f, 100) : -1;
	if ((mode >= 0 || full) && f->pool != P_WHOLE && pool_restore(f)) {
		snprintf(f->first, sizeof(f->first), "could not restore the pool to %ld",
			 f->nr_work);
		return -1;
	}
	f->layouts++;
	if (mode >= 0)
		f->pool = mode < 50 ? P_WHOLE : mode < 80 ? P_SHRUNK : P_OVERCOMMIT;
	if (mode >= 0 && f->pool == P_OVERCOMMIT) {
		/* no free page left: pages in use and new ones are all surplus */
		sys_set(H2SYS, "nr_overcommit_hugepages", NSLOTS + 4);
		sys_set(H2SYS, "nr_hugepages", 0);
	}
	f->us_pool += now_us() - t0;
	if (full) {
		unmap_layout(f);
		for (i = 0; i < NSLOTS; i++)
			if (rebuild_slot(f, i))
				return -1;
	} else {
		n = 1 + rn(f, 3);
		while (n--)
			if (rebuild_slot(f, rn(f, NSLOTS)))
				return -1;
		for (i = 0; i < NSLOTS; i++)
			if (f->slot_dropped[i] && rebuild_slot(f, i))
				return -1;
	}
	if (mode >= 0 && f->pool == P_SHRUNK) {
		/*
		 * Shrink below use: some in-use pages become surplus; the
		 * layouts that follow in this state get surplus pages too.
		 */
		long use = in_use(H2SYS);
		long k = 1 + rn(f, model_2m(f) + 1);

		sys_set(H2SYS, "nr_overcommit_hugepages", NSLOTS + 4);
		sys_set(H2SYS, "nr_hugepages", use - k > 0 ? use - k : 0);
	}
	return 0;
}

/* The layout in one line: a letter per slot, upper case when read-only. */
static const char *layout_str(struct fuzz *f)
{
	static char buf[NSLOTS + 1];
	int i;

	for (i = 0; i < NSLOTS; i++) {
		char ch = "-nat smPSFMHA"[f->slot_kind[i]];

		if (f->slot_ro[i] == 1 && f->slot_mapped[i])
			ch = ch == ' ' ? ch : ch - 32;
		if (f->slot_ro[i] == 2 && f->slot_kind[i] >= K_H_PRIV)
			ch = 'x';
		buf[i] = ch;
	}
	buf[NSLOTS] = 0;
	return buf;
}

/* Does the kernel map above USER_LIMIT when asked (5-level paging)? */
static int la57(void)
{
	void *want = (void *)(1UL << 50);
	void *p = mmap(want, PG, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	if (p == MAP_FAILED)
		return 0;
	munmap(p, PG);
	return p == want;
}

/* The top: a 2 MiB hugetlb slot and ordinary pages up to the limit. */
static void build_top(struct fuzz *f)
{
	void *p;

	f->nruns = 0;
	f->top_ok = 0;
	p = mmap((void *)TOP_H, USER_LIMIT - TOP_H, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE,
		 -1, 0);
	if (p != (void *)TOP_H) {
		if (p != MAP_FAILED)
			munmap(p, USER_LIMIT - TOP_H);
		print_message("# the top of user space is taken: no top layout\n");
		f->top_runs = 0;
		return;
	}
	if (map_at(TOP_H, SZ_2M, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_HUGE_2M | MAP_POPULATE,
		   -1, 0) &&
	    map_at(TOP_N, USER_LIMIT - TOP_N, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0)) {
		f->top_ok = 1;
		add_run(f, TOP_H, TOP_H + SZ_2M, T_H2M, 0, -1);
		add_run(f, TOP_N, USER_LIMIT - 2 * PG, T_NORMAL, 0, -1);
		/* the last user page read-only */
		if (!mprotect((void *)(USER_LIMIT - 2 * PG), 2 * PG, PROT_READ)) {
			add_run(f, USER_LIMIT - 2 * PG, USER_LIMIT, T_NORMAL, 1, -1);
		} else {
			add_run(f, USER_LIMIT - 2 * PG, USER_LIMIT, T_NORMAL, 0, -1);
		}
	} else {
		munmap((void *)TOP_H, USER_LIMIT - TOP_H);
		print_message("# the top layout could not be mapped: %s\n", strerror(errno));
	}
	f->top_runs = f->nruns;
}

/* ---- calls ------------------------------------------------------------- */

struct call {
	uint64_t start, len;
	unsigned int flags, max_seg;
	uint64_t max_entries;
	unsigned int dirty;
	int unmap_first;	/* unmap the layout's slots in the range first */
	int edge;
};

/* An interesting address of the layout. */
static uint64_t pick_addr(struct fuzz *f)
{
	uint64_t a;
	int w = rn(f, 100);

	if (w < 45) {
		/* a slot boundary, give or take */
		int b = rn(f, NSLOTS + 1);

		a = b <= NPRE ? LAY_START + b * SZ_2M :
			G + GiB + (b - NPRE - 1) * SZ_2M;
		switch (rn(f, 5)) {
		case 0: break;
		case 1: a -= PG; break;
		case 2: a += PG * rn(f, 512); break;
		case 3: a -= PG * rn(f, 512); break;
		default: a += rn(f, 2 * PG) - PG; break;
		}
	} else if (w < 80) {
		a = chance(f, 50) ? LAY_START + rn(f, NPRE * SZ_2M) :
			G + GiB + rn(f, NPOST * SZ_2M);
	} else if (w < 90) {
		a = chance(f, 50) ? G + rn(f, 8 * MiB) : G + GiB - rn(f, 8 * MiB);
	} else {
		a = TOP_H + rn(f, USER_LIMIT - TOP_H);
	}
	if (chance(f, 50))
		a &= ~(PG - 1);
	return a;
}

static unsigned int pick_max_seg(struct fuzz *f)
{
	static const unsigned int fixed[] = {
		4096, 8192, 65536, 1 << 20, 2 << 20, (2 << 20) - 4096,
		(2 << 20) + 4096, 3 << 20, 4 << 20, 1 << 30, 0x80000000u,
		0xfffff000u, 0xffffffffu, 12288, 5000, (1 << 20) + 1,
	};
	int w = rn(f, 100);

	if (w < 3)
		return 0;
	if (w < 6)
		return 1 + rn(f, 4095);
	if (w < 50)
		return fixed[rn(f, sizeof(fixed) / sizeof(fixed[0]))];
	if (w < 80)
		return PG * (1 + rn(f, 600)) + (chance(f, 30) ? rn(f, PG) : 0);
	return (unsigned int)rnd(&f->rng) | 0x1000;
}

static unsigned int pick_flags(struct fuzz *f, int get)
{
	unsigned int mode, fl;
	int w = rn(f, 100);

	if (w < 8) {
		static const unsigned int bad[] = { 3, 7, 8, 0x10, 0x80000000u,
						    ~0u, 0x9, 0x100 };
		return bad[rn(f, 8)];
	}
	if (get)
		mode = w < 90 ? HUGESG_HUGE : w < 95 ? HUGESG_NORMAL : HUGESG_AUTO;
	else
		mode = w < 45 ? HUGESG_AUTO : w < 75 ? HUGESG_HUGE : HUGESG_NORMAL;
	fl = mode | (chance(f, 50) ? HUGESG_WRITE : 0);
	return fl;
}

static int walk(struct fuzz *f, uint64_t a, uint64_t e, int mode, int write,
		uint64_t cap, uint64_t start, uint64_t max_seg,
		struct expect *x, int *capped);

/*
 * The case of the unpin walker: a hugepage split over several entries by a
 * small max_segment, its mapping gone before the release, the pool below
 * its use.  Returns 0 when the layout has no hugetlb slot.
 */
static int pick_walker_case(struct fuzz *f, struct call *c)
{
	static const unsigned int segs[] = { 4096, 65536, 1 << 20, (1 << 20) + 4096,
					     768 << 10, 12288, 5000 };
	const struct run *h[NSLOTS];
	int i, n = 0;

	for (i = f->top_runs; i < f->nruns && n < NSLOTS; i++)
		if (f->runs[i].type == T_H2M && !f->runs[i].ro)
			h[n++] = &f->runs[i];
	if (!n)
		return 0;
	i = rn(f, n);
	c->start = h[i]->s + (chance(f, 70) ? 0 : rn(f, MiB));
	c->len = h[i]->s + SZ_2M * (1 + rn(f, 2)) - c->start - (chance(f, 50) ? 0 : rn(f, PG));
	c->max_seg = segs[rn(f, sizeof(segs) / sizeof(segs[0]))];
	c->flags = (chance(f, 50) ? HUGESG_AUTO : HUGESG_HUGE) |
		(chance(f, 50) ? HUGESG_WRITE : 0);
	c->unmap_first = 1;
	return 1;
}

static void pick_call(struct fuzz *f, int get, struct call *c)
{
	uint64_t b;
	int w = rn(f, 100);

	memset(c, 0, sizeof(*c));
	c->flags = pick_flags(f, get);
	c->max_seg = pick_max_seg(f);
	c->max_entries = get ? 64 : MAXE;
	if (get && chance(f, 15))
		c->max_entries = rn(f, 5);
	c->dirty = rn(f, 2);
	c->unmap_first = !(f->avoid & 4) &&
		chance(f, f->pool == P_WHOLE ? 5 : 25);
	if (w < 14) {
		c->edge = 1 + rn(f, 12);
		switch (c->edge) {
		case 1: c->start = pick_addr(f); c->len = 0; break;
		case 2: c->start = rn(f, 3 * PG);
			c->len = chance(f, 50) ? 1 + rn(f, 4 * MiB) : rnd(&f->rng) >> rn(f, 64);
			break;
		case 3: c->start = pick_addr(f); c->len = ~0UL - c->start; break;
		case 4: c->start = pick_addr(f);
			c->len = ~0UL - c->start - rn(f, PG); break;
		case 5: c->start = pick_addr(f);
			c->len = ~0UL - c->start + 1 + rn(f, 3 * PG); break;
		case 6: c->start = TOP_H + rn(f, USER_LIMIT - TOP_H);
			c->len = USER_LIMIT - c->start; break;
		case 7: c->start = TOP_N + rn(f, USER_LIMIT - TOP_N);
			c->len = USER_LIMIT - c->start + 1 + rn(f, 3 * PG); break;
		case 8: {
			static const uint64_t k[] = { USER_LIMIT, 0x800000000000UL,
				0xffff800000000000UL, 0xffffffffff600000UL, ~0UL - 4095 };
			c->start = k[rn(f, 5)] + rn(f, 2 * PG);
			c->len = 1 + rn(f, 8 * PG);
			break;
		}
		case 9: c->start = ~0UL - rn(f, 2 * PG); c->len = 1 + rn(f, 4 * PG); break;
		case 10: c->start = pick_addr(f); c->len = USER_LIMIT - c->start; break;
		case 11: c->start = USER_LIMIT - PG + rn(f, PG);
			c->len = 1 + rn(f, USER_LIMIT - c->start); break;
		default: c->start = USER_LIMIT - rn(f, 4 * PG);
			c->len = rn(f, 8 * PG) + 1; break;
		}
		if (c->edge == 3 || c->edge == 4) {
			if (f->avoid & 1)
				c->len = (~0UL - 4096) - c->start - rn(f, 1 << 20);
		}
		if ((f->avoid & 8) && c->start < USER_LIMIT &&
		    c->start + c->len > USER_LIMIT && c->start + c->len >= c->start)
			c->len = USER_LIMIT - c->start;
		if ((f->avoid & 8) && c->start >= USER_LIMIT)
			c->start = 0;
		return;
	}
	if (!get && f->pool != P_WHOLE && !(f->avoid & 4) && w < 30 &&
	    pick_walker_case(f, c))
		return;
	c->start = pick_addr(f);
	if (w < 55) {
		b = pick_addr(f);
		if (b <= c->start)
			b = c->start + 1 + rn(f, 4 * MiB);
		/* a range over the whole 1 GiB page is rare: clip most */
		if (c->start < G && b > G + GiB && !chance(f, 4))
			b = G + rn(f, 4 * MiB) + 1;
		else if (b - c->start > 6 * MiB && !chance(f, 10))
			b = c->start + 1 + rn(f, 6 * MiB);
		c->len = b - c->start;
	} else if (w < 80) {
		c->len = 1 + rn(f, chance(f, 50) ? 3 * PG : 6 * MiB);
	} else {
		c->len = PG * (1 + rn(f, 1024)) - (chance(f, 50) ? 0 : rn(f, PG));
	}
	if (c->start >= TOP_H && c->start + c->len > USER_LIMIT && (f->avoid & 8))
		c->len = USER_LIMIT - c->start;
	if (chance(f, 60) && c->start + c->len > c->start) {
		/* most calls fit the mode to the memory, so that they succeed */
		struct expect y = { 0 };
		uint64_t e = c->start + c->len;
		int capped, fit = rn(f, 2);

		walk(f, c->start, e < USER_LIMIT ? e : USER_LIMIT, HUGESG_AUTO, 0, 0,
		     c->start, PG, &y, &capped);
		if (get)
			c->flags = HUGESG_HUGE;
		else if (y.has_huge && !y.has_normal)
			c->flags = fit ? HUGESG_HUGE : HUGESG_AUTO;
		else if (y.has_normal && !y.has_huge)
			c->flags = fit ? HUGESG_NORMAL : HUGESG_AUTO;
		else
			c->flags = HUGESG_AUTO;
		if (y.has_ro ? chance(f, 20) : chance(f, 50))
			c->flags |= HUGESG_WRITE;
	}
}

/* What the model says @c must give. */
static void expect_call(struct fuzz *f, const struct call *c, int get,
			struct expect *x)
{
	uint64_t end = c->start + c->len;
	int mode = c->flags & HUGESG_MODE_MASK, capped = 0, argerr = 0;
	int write = !!(c->flags & HUGESG_WRITE);

	memset(x, 0, sizeof(*x));
	if (!c->len || end < c->start) {
		x->err = EINVAL;
		return;
	}
	if ((c->flags & ~HUGESG_FLAGS_MASK) || mode == HUGESG_MODE_MASK)
		argerr = 1;
	if (!get && c->max_seg < PG)
		argerr = 1;
	if (get && (mode != HUGESG_HUGE || !c->max_entries))
		argerr = 1;
	if (argerr) {
		x->err = EINVAL;
		if (end > USER_LIMIT)
			x->alt = EFAULT;
		return;
	}
	if (end > USER_LIMIT && f->la57 && end <= USER_LIMIT_LA57) {
		/* below TASK_SIZE: a hole from USER_LIMIT on, in address order */
		x->err = c->start < USER_LIMIT ?
			 walk(f, c->start, USER_LIMIT, mode, write,
			      get ? c->max_entries : 0, c->start, c->max_seg, x,
			      &capped) : 0;
		if (capped) {
			x->alt = EFAULT;
			x->cap_alt = 1;
		} else if (!x->err) {
			x->err = EFAULT;
			x->where = USER_LIMIT;
		}
		return;
	}
	if (end > USER_LIMIT) {
		struct expect y = { 0 };

		x->err = EFAULT;
		if (c->start < USER_LIMIT &&
		    walk(f, c->start, USER_LIMIT, mode, write, 0, c->start,
			 c->max_seg, &y, &capped) == EINVAL)
			x->alt = EINVAL;
		return;
	}
	x->err = walk(f, c->start, end, mode, write, get ? c->max_entries : 0,
		      c->start, c->max_seg, x, &capped);
	if (capped) {
		/* the array is full: a fault further on may go unseen */
		struct expect y = { 0 };
		uint64_t from = x->hp_start[(x->nhp - 1) % 64] +
			((uint64_t)x->hp_size[(x->nhp - 1) % 64] << 12);

		if (from < end) {
			int e = walk(f, from, end, mode, write, 0, from, c->max_seg,
				     &y, &capped);
			if (e) {
				x->alt = e;
				x->cap_alt = 1;
			}
		}
	}
}

static void mismatch(struct fuzz *f, const char *what, const struct call *c,
		     const char *fmt, ...)
{
	char detail[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	f->mismatches++;
	if (f->mismatches <= 8)
		print_message("# MISMATCH %s call %lu: start %#llx len %#llx flags %#x max_segment %#x max_entries %llu edge %d pool %d unmap %d layout %s: %s\n",
			      what, f->calls, (unsigned long long)c->start,
			      (unsigned long long)c->len, c->flags, c->max_seg,
			      (unsigned long long)c->max_entries, c->edge, f->pool,
			      c->unmap_first, f->lay, detail);
	if (!f->first[0])
		snprintf(f->first, sizeof(f->first),
			 "%s call %lu (replay: hugesg_rig.fuzz_seed=%#llx): layout %s start %#llx len %#llx flags %#x max_segment %#x: %s",
			 what, f->calls, (unsigned long long)f->seed, f->lay,
			 (unsigned long long)c->start, (unsigned long long)c->len,
			 c->flags, c->max_seg, detail);
}

/* Unmap the layout's 2 MiB slots (and the 1 GiB one) that the range touches. */
static void unmap_range(struct fuzz *f, const struct call *c)
{
	uint64_t end = c->start + c->len;
	int i;

	if (end < c->start)
		return;
	for (i = 0; i < NSLOTS; i++) {
		uint64_t s = slot_start(i), e = s + slot_len(i);

		if (end <= s || c->start >= e)
			continue;
		if (munmap((void *)s, e - s) == 0) {
			drop_slot(f, i);
			f->slot_dropped[i] = 1;
		}
	}
}

static const unsigned long alloc_cmd[] = {
	HUGESG_TEST_SG_ALLOC, HUGESG_TEST_BUF_PIN, HUGESG_TEST_GET_HUGEPAGES,
};
static const unsigned long free_cmd[] = {
	HUGESG_TEST_SG_FREE, HUGESG_TEST_BUF_UNPIN, HUGESG_TEST_PUT_HUGEPAGES,
};
static const char *const api_names[] = { "sg_alloc", "buf_pin", "get_hugepages" };

static int ioc(struct fuzz *f, unsigned long cmd, const struct call *c,
	       uint64_t start, uint64_t len, unsigned int flags,
	       struct hugesg_test_entry *e, struct hugesg_test_req *out)
{
	struct hugesg_test_req r = {
		.start = start, .len = len, .flags = flags,
		.max_segment = c ? c->max_seg : 0xfffff000u,
		.entries = (uintptr_t)e, .max_entries = c ? c->max_entries : MAXE,
		.dirty = c ? c->dirty : 0,
	};

	if (ioctl(f->fd, cmd, &r))
		return -errno;
	if (out)
		*out = r;
	return 0;
}

/* Compare a successful call with the oracle and the model. */
static void check_success(struct fuzz *f, int api, const struct call *c,
			  const struct expect *x, const struct hugesg_test_req *r,
			  long pins_before)
{
	const char *name = api_names[api];
	struct hugesg_test_req o;
	long pins = pins_now() - pins_before, want_pins = x->pins;
	unsigned long i;
	int ret;

	if (api == 2) {
		unsigned long n = x->nhp < c->max_entries ? x->nhp : c->max_entries;

		if (r->nents != n || pins != (long)n) {
			mismatch(f, name, c, "%llu hugepages, %ld pins, model %lu",
				 (unsigned long long)r->nents, pins, n);
			return;
		}
		for (i = 0; i < n && i < 64; i++) {
			ret = ioc(f, HUGESG_TEST_ORACLE, NULL, x->hp_va[i], 1, 0,
				  want, &o);
			if (ret || o.nents != 1) {
				mismatch(f, name, c, "oracle of %#llx: %d",
					 (unsigned long long)x->hp_va[i], ret);
				return;
			}
			if (got[i].phys != want[0].phys - (x->hp_va[i] - x->hp_start[i]) ||
			    got[i].len != (uint64_t)x->hp_size[i] << 12) {
				mismatch(f, name, c, "hugepage %lu: (%#llx, %#llx), oracle (%#llx, %#llx)",
					 i, (unsigned long long)got[i].phys,
					 (unsigned long long)got[i].len,
					 (unsigned long long)(want[0].phys -
							      (x->hp_va[i] - x->hp_start[i])),
					 (unsigned long long)x->hp_size[i] << 12);
				return;
			}
		}
		return;
	}
	/*
	 * Where the kernel pins (kernel_pin()), one pin per folio range of
	 * the pages pinned: counted from the pages themselves.
	 */
	if (kernel_pin())
		want_pins = folio_ranges((const void *)(uintptr_t)c->start,
					 c->len);
	if (pins != want_pins) {
		mismatch(f, name, c, "%ld pins held, model %ld", pins, want_pins);
		return;
	}
	if (api == 1 && (r->nr_pins != (uint64_t)want_pins ||
			 r->pinned_bytes != x->pinned_bytes ||
			 r->page_sizes != x->page_sizes)) {
		mismatch(f, name, c, "nr_pins %llu pinned_bytes %#llx page_sizes %#llx, model %ld %#llx %#llx",
			 (unsigned long long)r->nr_pins,
			 (unsigned long long)r->pinned_bytes,
			 (unsigned long long)r->page_sizes, want_pins,
			 (unsigned long long)x->pinned_bytes,
			 (unsigned long long)x->page_sizes);
		return;
	}
	if (api == 1 && vmpin_kb() != (long)(x->pinned_bytes / KiB)) {
		mismatch(f, name, c, "VmPin %ld kB, pinned %llu kB", vmpin_kb(),
			 (unsigned long long)x->pinned_bytes / KiB);
		return;
	}
	ret = ioc(f, HUGESG_TEST_ORACLE, c, c->start, c->len,
		  c->flags & HUGESG_WRITE, want, &o);
	if (ret) {
		mismatch(f, name, c, "the oracle failed: %d", ret);
		return;
	}
	if (r->nents != o.nents) {
		mismatch(f, name, c, "%llu entries, oracle %llu",
			 (unsigned long long)r->nents, (unsigned long long)o.nents);
		return;
	}
	for (i = 0; i < r->nents && i < MAXE; i++)
		if (got[i].phys != want[i].phys || got[i].len != want[i].len) {
			mismatch(f, name, c, "entry %lu: (%#llx, %#llx), oracle (%#llx, %#llx)",
				 i, (unsigned long long)got[i].phys,
				 (unsigned long long)got[i].len,
				 (unsigned long long)want[i].phys,
				 (unsigned long long)want[i].len);
			return;
		}
}

static void one_call(struct fuzz *f, int api)
{
	struct hugesg_test_req r;
	struct expect x;
	struct call c;
	long pins, after;
	int ret, exp_ok, surplus_case = 0;

	pick_call(f, api == 2, &c);
	expect_call(f, &c, api == 2, &x);
	memcpy(f->lay, layout_str(f), sizeof(f->lay));
	f->calls++;
	if (c.edge)
		f->edge_calls++;
	pins = pins_now();
	ret = ioc(f, alloc_cmd[api], &c, c.start, c.len, c.flags, got, &r);
	if (ret) {
		f->errs++;
		if (ret == -EINVAL)
			f->einval++;
		if (ret == -EFAULT) {
			const struct run *rr = find_run(f, x.where);

			f->efault++;
			if (!rr)
				f->ehole++;
			else if (rr->type == T_NONE)
				f->enone++;
			else if (rr->type == T_IO)
				f->eio++;
			else
				f->ero++;
		}
		if (-ret != x.err && -ret != x.alt)
			mismatch(f, api_names[api], &c, "errno %d, model %s%d%s at %#llx",
				 -ret, x.err ? "-" : "success ", x.err,
				 x.alt ? (x.alt == EINVAL ? " or -22" : " or -14") : "",
				 (unsigned long long)x.where);
		if ((after = pins_now()) != pins) {
			mismatch(f, api_names[api], &c, "failed with errno %d and left %ld pins",
				 -ret, after - pins);
		}
		if (c.unmap_first)
			unmap_range(f, &c);
	} else {
		f->ok++;
		exp_ok = !x.err || (x.cap_alt && api == 2);
		if (!exp_ok)
			mismatch(f, api_names[api], &c, "success (%llu entries), model -%d%s at %#llx",
				 (unsigned long long)r.nents, x.err,
				 x.alt ? (x.alt == EINVAL ? " or -22" : " or -14") : "",
				 (unsigned long long)x.where);
		else
			check_success(f, api, &c, &x, &r, pins);
		if (c.unmap_first) {
			surplus_case = api != 2 && x.split_huge && x.nhp &&
				sys_long(H2SYS, "surplus_hugepages") > 0;
			unmap_range(f, &c);
			f->unmapped_releases++;
		}
		{
			struct hugesg_test_req rr = { .dirty = c.dirty };

			if (ioctl(f->fd, free_cmd[api], &rr))
				mismatch(f, api_names[api], &c, "release: %s", strerror(errno));
		}
		if ((after = pins_now()) != pins)
			mismatch(f, api_names[api], &c, "%ld pins left after the release%s",
				 after - pins, surplus_case ? " (surplus, unmapped, split)" : "");
		if (surplus_case)
			f->walker_case++;
		if (api == 1 && vmpin_kb() != 0)
			mismatch(f, api_names[api], &c, "VmPin %ld kB after the release",
				 vmpin_kb());
	}
	if (in_use(H2SYS) - f->base_2m != model_2m(f) ||
	    in_use(H1SYS) - f->base_1g != (f->memfd_1g >= 0 ? 1 : 0)) {
		mismatch(f, api_names[api], &c, "pools: 2 MiB %ld in use, model %ld; 1 GiB %ld",
			 in_use(H2SYS) - f->base_2m, model_2m(f),
			 in_use(H1SYS) - f->base_1g);
		f->base_2m = in_use(H2SYS) - model_2m(f);
	}
}

/* ---- the tests ------------------------------------------------------------ */

static uint64_t g_seed;
static int g_memfd_1g = -1;
static long g_nr_orig, g_nr_work;
static long g_base_1g;
static unsigned long g_calls, g_per_layout;
static unsigned int g_avoid;

static void fuzz_api(void **state, int api)
{
	struct tstate *t = *state;
	struct fuzz *f = calloc(1, sizeof(*f));
	unsigned long n = g_calls / 3 + (api == 0 ? g_calls % 3 : 0), i;
	uint64_t t0 = now_us(), us;
	int failed_env = 0;

	assert_non_null(f);
	f->fd = t->fd;
	f->seed = g_seed;
	f->rng = g_seed ^ (0x5851f42d4c957f2dULL * (api + 1));
	f->avoid = g_avoid;
	f->base_2m = in_use(H2SYS);
	f->pool = P_WHOLE;
	f->alias_fd = -1;
	f->nr_work = g_nr_work;
	assert_int_equal(sys_long(H2SYS, "nr_hugepages"), g_nr_work);

	f->memfd_1g = g_memfd_1g;
	f->base_1g = g_base_1g;
	f->la57 = la57();
	if (f->la57)
		print_message("# 5-level paging: TASK_SIZE %#lx, a hole above %#lx\n",
			      USER_LIMIT_LA57, USER_LIMIT);
	build_top(f);

	for (i = 0; i < n && !failed_env; i++) {
		if (i % g_per_layout == 0) {
			uint64_t t1 = now_us();

			if (new_layout(f)) {
				failed_env = 1;
				break;
			}
			f->us_layout += now_us() - t1;
		}
		one_call(f, api);
	}
	us = now_us() - t0;
	unmap_layout(f);
	if (f->top_runs || f->top_ok)
		munmap((void *)TOP_H, USER_LIMIT - TOP_H);
	if (f->alias_fd >= 0)
		close(f->alias_fd);
	pool_restore(f);
	print_message("# %s: %lu calls (%lu succeeded, %lu failed, %lu edge), %lu layouts, %lu unmapped before release, %lu of them split surplus hugepages; %lu mismatches; %.1f s (%.1f s building layouts, %.1f s of it the pool), %.0f calls/s\n# errors: %lu EINVAL, %lu EFAULT (%lu hole, %lu PROT_NONE, %lu VM_IO, %lu other)\n",
		      api_names[api], f->calls, f->ok, f->errs, f->edge_calls,
		      f->layouts, f->unmapped_releases, f->walker_case,
		      f->mismatches, us / 1e6, f->us_layout / 1e6, f->us_pool / 1e6,
		      f->calls * 1e6 / (us ? us : 1), f->einval, f->efault, f->ehole,
		      f->enone, f->eio, f->ero);
	if (sys_long(H2SYS, "nr_hugepages") != g_nr_work ||
	    in_use(H2SYS) != f->base_2m ||
	    sys_long(H2SYS, "surplus_hugepages") != 0) {
		if (!f->first[0])
			snprintf(f->first, sizeof(f->first),
				 "pool not whole at the end: nr %ld (was %ld), in use %ld (was %ld), surplus %ld",
				 sys_long(H2SYS, "nr_hugepages"), g_nr_work, in_use(H2SYS),
				 f->base_2m, sys_long(H2SYS, "surplus_hugepages"));
		f->mismatches++;
	}
	if (failed_env || f->mismatches) {
		char msg[600];

		snprintf(msg, sizeof(msg), "%s%s", failed_env ? "environment: " : "",
			 f->first);
		free(f);
		fail_msg("%s", msg);
	}
	free(f);
}

static void test_fuzz_sg_alloc(void **state) { fuzz_api(state, 0); }
static void test_fuzz_buf_pin(void **state) { fuzz_api(state, 1); }
static void test_fuzz_get_hugepages(void **state) { fuzz_api(state, 2); }

static int suite_setup(void **state)
{
	void *p;

	(void)state;
	got = calloc(MAXE, sizeof(*got));
	want = calloc(MAXE, sizeof(*want));
	/* the persistent 1 GiB page, faulted in once: its zeroing is slow */
	g_base_1g = in_use(H1SYS);
	g_memfd_1g = memfd_create("fuzz1g", MFD_HUGETLB | MFD_HUGE_1GB);
	if (g_memfd_1g >= 0 && ftruncate(g_memfd_1g, GiB)) {
		close(g_memfd_1g);
		g_memfd_1g = -1;
	}
	if (g_memfd_1g >= 0) {
		p = mmap(NULL, GiB, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
			 g_memfd_1g, 0);
		if (p == MAP_FAILED) {
			close(g_memfd_1g);
			g_memfd_1g = -1;
		} else {
			munmap(p, GiB);
		}
	}
	if (g_memfd_1g < 0)
		print_message("# no 1 GiB page: %s\n", strerror(errno));
	/* the fuzzer works with a small pool; the rest goes back at the end */
	g_nr_orig = sys_long(H2SYS, "nr_hugepages");
	g_nr_work = in_use(H2SYS) + NSLOTS + 3;
	if (g_nr_work > g_nr_orig)
		g_nr_work = g_nr_orig;
	if (sys_set(H2SYS, "nr_hugepages", g_nr_work))
		return -1;
	return got && want ? 0 : -1;
}

static int suite_teardown(void **state)
{
	int i;

	(void)state;
	if (g_memfd_1g >= 0)
		close(g_memfd_1g);
	for (i = 0; i < 5 && sys_long(H2SYS, "nr_hugepages") != g_nr_orig; i++) {
		if (i)
			write_str("/proc/sys/vm/compact_memory", "1");
		sys_set(H2SYS, "nr_hugepages", g_nr_orig);
	}
	if (sys_long(H2SYS, "nr_hugepages") != g_nr_orig) {
		print_message("# the 2 MiB pool could not be given back its %ld pages: %ld\n",
			      g_nr_orig, sys_long(H2SYS, "nr_hugepages"));
		return -1;
	}
	free(got);
	free(want);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fuzz_sg_alloc, tstate_setup,
						tstate_teardown),
		cmocka_unit_test_setup_teardown(test_fuzz_buf_pin, tstate_setup,
						tstate_teardown),
		cmocka_unit_test_setup_teardown(test_fuzz_get_hugepages,
						tstate_setup, tstate_teardown),
	};

	g_seed = rig_param("fuzz_seed", 0);
	if (!g_seed)
		g_seed = now_us() ^ ((uint64_t)time(NULL) << 20) ^ getpid();
	g_calls = rig_param("fuzz_calls", rig_param("stress", 0) ? 200000 : 20000);
	g_per_layout = rig_param("fuzz_layout", 96);
	if (!g_per_layout)
		g_per_layout = 1;
	g_avoid = rig_param("fuzz_avoid", 0);
	print_message("# seed %#llx, %lu calls, %lu per layout, avoid %#x (replay: HUGESG_APPEND=hugesg_rig.fuzz_seed=%#llx)\n",
		      (unsigned long long)g_seed, g_calls, g_per_layout, g_avoid,
		      (unsigned long long)g_seed);
	return cmocka_run_group_tests_name("core_fuzz", tests, suite_setup,
					   suite_teardown);
}
