// SPDX-License-Identifier: GPL-2.0
/*
 * Debug lane only, after every other suite: kmemleak.  Its list was cleared
 * by the guest's init after boot, so only objects allocated while the
 * suites ran can be reported.  kmemleak reports an object that is older
 * than 5 s and unreferenced in a scan whose checksum of the object did not
 * change since the scan before: a new object needs two scans.  So: leave
 * the 1 GiB hugepage out of the scans (it comes from memblock, so it is a
 * kmemleak object whose gigabyte every scan would read, minutes under
 * emulation: its physical address from /proc/self/pagemap goes to
 * hugesg_test.kmemleak_ignore_phys), have hugesg_test.ko leak four
 * allocations on purpose (provoke_leak, in a child that exits, so that no
 * stale pointer stays on a live task's stack), wait 6 s, scan twice.
 *
 * Every suspected leak whose backtrace is not provoke_leak_set() goes to
 * the kernel log, undeclared: the log scanner fails the run on it.  The
 * provoked ones go to the log inside a declared window, which fails the
 * run if kmemleak did not find them: the lane's negative check.
 */
#include <inttypes.h>
#include <sys/wait.h>

#include "testlib.h"

#define KMEMLEAK "/sys/kernel/debug/kmemleak"

static int ntests;

static void tap(int ok, const char *name)
{
	printf("%sok %d - %s\n", ok ? "" : "not ", ++ntests, name);
}

/* Physical address of the page mapped at @p, or 0. */
static uint64_t phys_of(const void *p)
{
	uint64_t entry = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0)
		return 0;
	if (pread(fd, &entry, sizeof(entry),
		  (uintptr_t)p / SZ_4K * sizeof(entry)) != sizeof(entry))
		entry = 0;
	close(fd);
	if (!(entry >> 63) || !(entry & ((1ULL << 55) - 1)))
		return 0;
	return (entry & ((1ULL << 55) - 1)) * SZ_4K;
}

static int ignore_gigantic_page(void)
{
	char val[32];
	uint64_t phys;
	void *p = mmap(NULL, GiB, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_HUGE_1G |
		       MAP_POPULATE, -1, 0);

	if (p == MAP_FAILED)
		return -1;
	phys = phys_of(p);
	munmap(p, GiB);
	if (!phys)
		return -1;
	snprintf(val, sizeof(val), "0x%" PRIx64, phys);
	return write_str("/sys/module/hugesg_test/parameters/kmemleak_ignore_phys",
			 val);
}

/* A kmemleak record: "unreferenced object ..." up to the next one. */
struct record {
	char text[4096];
	size_t len;
};

static void flush(struct record *r, FILE *kmsg, int *provoked, int *other)
{
	char *line, *save;
	int ours;

	if (!r->len)
		return;
	ours = strstr(r->text, "provoke_leak_set") != NULL;
	if (ours)
		++*provoked;
	else
		++*other;
	if (ours && *provoked == 1)
		rig_expect("begin", "kmemleak-provoked-leak");
	for (line = strtok_r(r->text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		printf("# %s\n", line);
		if (kmsg && (!ours || *provoked == 1)) {
			fprintf(kmsg, "<3>kmemleak report: %s\n", line);
			fflush(kmsg);
		}
	}
	if (ours && *provoked == 1)
		rig_expect("end", "kmemleak-provoked-leak");
	r->len = 0;
	r->text[0] = 0;
}

int main(void)
{
	static struct record rec;
	int provoked = 0, other = 0, ret;
	char line[512];
	FILE *f, *kmsg;
	pid_t pid;

	tap(access(KMEMLEAK, W_OK) == 0, "kmemleak is on");
	tap(ignore_gigantic_page() == 0,
	    "the 1 GiB hugepage is left out of kmemleak's scans");
	pid = fork();
	if (pid == 0)
		_exit(write_str("/sys/module/hugesg_test/parameters/provoke_leak",
				"1") ? 1 : 0);
	tap(pid > 0 && waitpid(pid, &ret, 0) == pid && WIFEXITED(ret) &&
	    WEXITSTATUS(ret) == 0, "hugesg_test leaks four allocations on purpose");
	sleep(6);
	tap(write_str(KMEMLEAK, "scan") == 0 && write_str(KMEMLEAK, "scan") == 0,
	    "kmemleak scans twice");
	f = fopen(KMEMLEAK, "r");
	kmsg = fopen("/dev/kmsg", "w");
	while (f && fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "unreferenced object", 19))
			flush(&rec, kmsg, &provoked, &other);
		if (rec.len + strlen(line) < sizeof(rec.text)) {
			memcpy(rec.text + rec.len, line, strlen(line) + 1);
			rec.len += strlen(line);
		}
	}
	flush(&rec, kmsg, &provoked, &other);
	if (f)
		fclose(f);
	if (kmsg)
		fclose(kmsg);
	write_str(KMEMLEAK, "clear");
	tap(f && other == 0, "kmemleak suspects nothing else");
	tap(provoked == 4, "kmemleak reports the four provoked leaks");
	printf("1..%d\n", ntests);
	return 0;
}
