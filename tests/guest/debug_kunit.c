// SPDX-License-Identifier: GPL-2.0
/*
 * Debug lane only: load the KUnit tests of hugesg.ko's internals
 * (tests/kmod/hugesg_kunit.ko) and report each KUnit case as a TAP test.
 * This process is the one that loads the module, so the KUnit suites run
 * while its memory is mapped: two 2 MiB hugepages and eight ordinary pages
 * at the addresses of hugesg_kunit.h, which the unpin-walker tests pin.
 * A case KUnit skips is a failure here: the memory is there.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "testlib.h"
#include "hugesg_kunit.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

static int ntests;

static void tap(int ok, const char *name, const char *why)
{
	printf("%sok %d - %s%s%s\n", ok ? "" : "not ", ++ntests, name,
	       why ? " # " : "", why ? why : "");
}

static int indent(const char *line)
{
	return (int)strspn(line, " \t");
}

/*
 * "ok 3 name # SKIP why" (KTAP of 6.1; later ones write "ok 3 - name"):
 * the case name, its verdict, skip or not; -1 for any other line
 */
static int parse_result(const char *line, char *name, size_t len, int *skip)
{
	const char *p = line + indent(line), *hash;
	int ok;

	if (!strncmp(p, "ok ", 3)) {
		ok = 1;
		p += 3;
	} else if (!strncmp(p, "not ok ", 7)) {
		ok = 0;
		p += 7;
	} else {
		return -1;
	}
	if (!isdigit((unsigned char)*p))
		return -1;
	p += strspn(p, "0123456789");
	p += strspn(p, " ");
	if (!strncmp(p, "- ", 2))
		p += 2;
	hash = strstr(p, " #");
	snprintf(name, len, "%.*s", (int)(hash ? hash - p : (long)strcspn(p, "\n")), p);
	*skip = hash && strstr(hash, "SKIP");
	return ok;
}

/* Report the cases of one suite from its debugfs results. */
static void report_suite(const char *suite)
{
	char path[256], line[512], name[256], full[512];
	int suite_indent = -1, case_indent = -1, ok, skip, n = 0, suite_ok = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/debug/kunit/%s/results", suite);
	f = fopen(path, "r");
	if (!f) {
		snprintf(full, sizeof(full), "%s: results", suite);
		tap(0, full, strerror(errno));
		return;
	}
	/* the suite's own line has the smallest indent; its cases the next */
	while (fgets(line, sizeof(line), f)) {
		printf("# %s", line);
		ok = parse_result(line, name, sizeof(name), &skip);
		if (ok < 0)
			continue;
		if (!strcmp(name, suite)) {
			suite_indent = indent(line);
			suite_ok = ok && !skip;
		}
	}
	rewind(f);
	while (fgets(line, sizeof(line), f)) {
		int in = indent(line);

		if (parse_result(line, name, sizeof(name), &skip) < 0 ||
		    in <= suite_indent)
			continue;
		if (case_indent < 0 || in < case_indent)
			case_indent = in;
	}
	rewind(f);
	while (fgets(line, sizeof(line), f)) {
		ok = parse_result(line, name, sizeof(name), &skip);
		if (ok < 0 || indent(line) != case_indent)
			continue;
		snprintf(full, sizeof(full), "%s/%s", suite, name);
		tap(ok && !skip, full, skip ? "KUnit skipped it" : NULL);
		n++;
	}
	fclose(f);
	/*
	 * and the suite's own verdict: a case whose messages overflow the
	 * results log (512 bytes a case on 6.1) may lose its own line
	 */
	snprintf(full, sizeof(full), "%s: KUnit ran its cases, the suite passed",
		 suite);
	tap(n > 0 && suite_ok, full, NULL);
}

static void *map_at(unsigned long addr, size_t len, int extra)
{
	void *p = mmap((void *)addr, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE |
		       MAP_POPULATE | extra, -1, 0);

	if (p == MAP_FAILED || p != (void *)addr)
		return NULL;
	memset(p, 0x3c, len);
	return p;
}

int main(void)
{
	long pins = pins_held();
	void *huge, *normal;
	int fd, ret;

	huge = map_at(HUGESG_KUNIT_HUGE_ADDR, HUGESG_KUNIT_HUGE_LEN,
		      MAP_HUGETLB | MAP_HUGE_2M);
	normal = map_at(HUGESG_KUNIT_NORMAL_ADDR,
			HUGESG_KUNIT_NORMAL_PAGES * SZ_4K, 0);
	tap(huge && normal, "the walker tests' memory is mapped", NULL);

	fd = open("/modules/hugesg_kunit.ko", O_RDONLY | O_CLOEXEC);
	ret = fd < 0 ? -1 : (int)syscall(SYS_finit_module, fd, "", 0);
	tap(ret == 0, "hugesg_kunit.ko loads (KUnit runs its suites)",
	    ret ? strerror(errno) : NULL);
	if (fd >= 0)
		close(fd);
	if (ret == 0) {
		report_suite("hugesg_sgbuild");
		report_suite("hugesg_unpin_walker");
		report_suite("hugesg_max_segment");
		ret = (int)syscall(SYS_delete_module, "hugesg_kunit", O_NONBLOCK);
		tap(ret == 0, "hugesg_kunit.ko unloads", ret ? strerror(errno) : NULL);
	}
	if (huge)
		munmap(huge, HUGESG_KUNIT_HUGE_LEN);
	if (normal)
		munmap(normal, HUGESG_KUNIT_NORMAL_PAGES * SZ_4K);
	tap(pins_held() == pins, "no pin is left after the KUnit run", NULL);
	printf("1..%d\n", ntests);
	return 0;
}
