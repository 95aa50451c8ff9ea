// SPDX-License-Identifier: GPL-2.0
/*
 * Upstream lane only (make test-upstream): the KUnit suites built into the
 * kernel ran at boot; report each case of each suite in debugfs as a TAP
 * test, and each suite the series adds (/tests/upstream/kunit-suites, one
 * name a line, found by tests/upstream/build-selftests.sh in the patched
 * source) as present.  No suite at all, or an expected one missing, is a
 * failure: a kernel without its tests must not pass.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "kunit_tap.h"

#define KUNIT_DIR "/sys/kernel/debug/kunit"
#define EXPECTED "/tests/upstream/kunit-suites"

static int suite_present(const char *suite)
{
	char path[320];
	struct stat st;

	snprintf(path, sizeof(path), KUNIT_DIR "/%s/results", suite);
	return stat(path, &st) == 0;
}

int main(void)
{
	char line[256], full[512];
	struct dirent *e;
	int nsuites = 0, nexpected = 0;
	DIR *d;
	FILE *f;

	d = opendir(KUNIT_DIR);
	tap(d != NULL, KUNIT_DIR " exists (CONFIG_KUNIT_DEBUGFS)",
	    d ? NULL : strerror(errno));
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		report_suite(e->d_name);
		nsuites++;
	}
	if (d)
		closedir(d);
	snprintf(full, sizeof(full), "the kernel ran KUnit suites at boot (%d)",
		 nsuites);
	tap(nsuites > 0, full, NULL);

	f = fopen(EXPECTED, "r");
	tap(f != NULL, "the series' suites are listed (" EXPECTED ")",
	    f ? NULL : strerror(errno));
	while (f && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!line[0])
			continue;
		nexpected++;
		snprintf(full, sizeof(full), "the series' suite %s is built in and ran",
			 line);
		tap(suite_present(line), full, NULL);
	}
	if (f)
		fclose(f);
	tap(nexpected > 0, "the series adds a KUnit suite", NULL);
	printf("1..%d\n", ntests);
	return 0;
}
