/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KUnit's results as TAP tests, for the suites that read them from debugfs
 * (/sys/kernel/debug/kunit/SUITE/results, CONFIG_KUNIT_DEBUGFS): the debug
 * lane's hugesg_kunit.ko (debug_kunit) and the kernel's own suites built
 * into the upstream lane's kernel (upstream_kunit).  One program each: the
 * TAP counter is the program's.
 */
#ifndef HUGESG_KUNIT_TAP_H
#define HUGESG_KUNIT_TAP_H

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

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
	char path[320], line[512], name[256], full[512];
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

#endif /* HUGESG_KUNIT_TAP_H */
