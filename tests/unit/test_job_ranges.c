/* The Job controller's completion index sets (plugins/controller-job/
 * job_status.c): parsing, adding out of order, merging, has, and a
 * fragmented set of 50,000 singles parsed in linear time. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "job.h"
#include "tap.h"

/* job_status.c's API calls are not reached here */
int job_request(job_ctl_t *c, const char *method, const char *path, const struct cJSON *body,
                const char *ctype, struct cJSON **out, k8c_error_t *err)
{
	(void)c, (void)method, (void)path, (void)body, (void)ctype, (void)out;
	return k8c_error_make(err, K8C_EINTERNAL, "no API in unit tests");
}

static void roundtrip(const char *in, const char *want)
{
	job_ranges_t s = {0};
	char *out;

	job_ranges_parse(&s, in);
	out = job_ranges_format(&s);
	ok(strcmp(out, want) == 0, "parse \"%s\" -> \"%s\" (want \"%s\")", in, out, want);
	free(out);
	job_ranges_free(&s);
}

int main(void)
{
	job_ranges_t s = {0};
	int64_t v[] = {9, 3, 4, 12, 3, 0, 11, 10};
	char *out;
	int good = 1;

	roundtrip("", "");
	roundtrip("0-2,4", "0-2,4");
	roundtrip("1,2,3,7", "1-3,7");
	roundtrip("5,1-2", "1-2,5");
	roundtrip("1-3,2-6,8", "1-6,8");
	roundtrip("0-9999999999", "0-9999999999");

	job_ranges_parse(&s, "5,7");
	job_ranges_add(&s, 6);
	out = job_ranges_format(&s);
	ok(strcmp(out, "5-7") == 0, "add bridges two ranges: %s", out);
	free(out);
	job_ranges_add_range(&s, 0, 2);
	job_ranges_add_range(&s, 1, 20);
	out = job_ranges_format(&s);
	ok(strcmp(out, "0-20") == 0, "add_range merges: %s", out);
	free(out);
	job_ranges_free(&s);

	job_ranges_parse(&s, "1,6-7");
	job_ranges_add_many(&s, v, sizeof(v) / sizeof(v[0]));
	out = job_ranges_format(&s);
	ok(strcmp(out, "0-1,3-4,6-7,9-12") == 0, "add_many: %s", out);
	free(out);
	ok(job_ranges_has(&s, 0) && job_ranges_has(&s, 4) && job_ranges_has(&s, 12) &&
	   !job_ranges_has(&s, 2) && !job_ranges_has(&s, 5) && !job_ranges_has(&s, 13) &&
	   !job_ranges_has(&s, -1), "has");
	ok(job_ranges_total(&s) == 10, "total %lld", (long long)job_ranges_total(&s));
	job_ranges_free(&s);

	{ /* 50,000 singles: 0,2,4,... */
		size_t len = 50000 * 8 + 1, off = 0;
		char *text = malloc(len);
		for (int i = 0; i < 50000; i++)
			off += (size_t)snprintf(text + off, len - off, "%s%d", i ? "," : "", 2 * i);
		job_ranges_parse(&s, text);
		ok(s.n == 50000 && job_ranges_total(&s) == 50000, "50,000 singles parsed: %zu", s.n);
		for (int i = 0; i < 100000; i++)
			good &= job_ranges_has(&s, i) == !(i & 1);
		ok(good, "has over the fragmented set");
		for (int i = 1; i < 100000; i += 2)
			job_ranges_add(&s, i);
		ok(s.n == 1 && s.r[0][0] == 0 && s.r[0][1] == 99999, "filling the gaps merges to one range");
		free(text);
		job_ranges_free(&s);
	}
	return done_testing();
}
