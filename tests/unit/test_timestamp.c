/* RFC 3339 parsing and metav1.Time / MicroTime formatting. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "common/timestamp.h"
#include "tap.h"

#define S 1000000000LL

static void test_parse(void)
{
	static const struct {
		const char *in;
		int64_t ns;
		const char *sec, *micro; /* formatted back */
	} cases[] = {
	    {"1970-01-01T00:00:00Z", 0, "1970-01-01T00:00:00Z", "1970-01-01T00:00:00.000000Z"},
	    {"2006-01-02T15:04:05Z", 1136214245 * S, "2006-01-02T15:04:05Z",
	     "2006-01-02T15:04:05.000000Z"},
	    {"2006-01-02T15:04:05-07:00", 1136239445 * S, "2006-01-02T22:04:05Z",
	     "2006-01-02T22:04:05.000000Z"},
	    {"2006-01-02T15:04:05+07:00", 1136189045 * S, "2006-01-02T08:04:05Z",
	     "2006-01-02T08:04:05.000000Z"},
	    {"2006-01-02t15:04:05z", 1136214245 * S, "2006-01-02T15:04:05Z",
	     "2006-01-02T15:04:05.000000Z"},
	    {"2006-01-02 15:04:05Z", 1136214245 * S, "2006-01-02T15:04:05Z",
	     "2006-01-02T15:04:05.000000Z"},
	    {"2006-01-02T15:04:05.999999999Z", 1136214245 * S + 999999999, "2006-01-02T15:04:05Z",
	     "2006-01-02T15:04:05.999999Z"},
	    {"2006-01-02T15:04:05.5Z", 1136214245 * S + 500000000, "2006-01-02T15:04:05Z",
	     "2006-01-02T15:04:05.500000Z"},
	    {"2006-01-02T15:04:05.000001Z", 1136214245 * S + 1000, "2006-01-02T15:04:05Z",
	     "2006-01-02T15:04:05.000001Z"},
	    {"2006-01-02T15:04:05.123456789+00:00", 1136214245 * S + 123456789,
	     "2006-01-02T15:04:05Z", "2006-01-02T15:04:05.123456Z"},
	    {"2024-02-29T12:00:00Z", 1709208000 * S, "2024-02-29T12:00:00Z",
	     "2024-02-29T12:00:00.000000Z"},
	    {"2000-02-29T00:00:00Z", 951782400 * S, "2000-02-29T00:00:00Z",
	     "2000-02-29T00:00:00.000000Z"},
	    {"2023-12-31T23:59:59Z", 1704067199 * S, "2023-12-31T23:59:59Z",
	     "2023-12-31T23:59:59.000000Z"},
	    /* the offset crosses a day, a month and a year */
	    {"2024-01-01T00:30:00+01:00", 1704065400 * S, "2023-12-31T23:30:00Z",
	     "2023-12-31T23:30:00.000000Z"},
	    {"2024-02-28T23:30:00-01:00", 1709166600 * S, "2024-02-29T00:30:00Z",
	     "2024-02-29T00:30:00.000000Z"},
	    {"2024-01-01T00:00:00+23:59", 1703980860 * S, "2023-12-31T00:01:00Z",
	     "2023-12-31T00:01:00.000000Z"},
	    /* a leap second counts as the next minute's first */
	    {"2016-12-31T23:59:60Z", 1483228800 * S, "2017-01-01T00:00:00Z",
	     "2017-01-01T00:00:00.000000Z"},
	    /* before 1970 */
	    {"1969-12-31T23:59:59Z", -1 * S, "1969-12-31T23:59:59Z", "1969-12-31T23:59:59.000000Z"},
	    {"1969-12-31T23:59:59.5Z", -S / 2, "1969-12-31T23:59:59Z",
	     "1969-12-31T23:59:59.500000Z"},
	    {"1969-12-31T23:59:59.999999999Z", -1, "1969-12-31T23:59:59Z",
	     "1969-12-31T23:59:59.999999Z"},
	    {"1900-01-01T00:00:00Z", -2208988800 * S, "1900-01-01T00:00:00Z",
	     "1900-01-01T00:00:00.000000Z"},
	    {"1904-02-29T06:07:08Z", -2077725172 * S, "1904-02-29T06:07:08Z",
	     "1904-02-29T06:07:08.000000Z"},
	    /* the ends of the int64 nanosecond range */
	    {"2262-04-11T23:47:16.854775807Z", INT64_MAX, "2262-04-11T23:47:16Z",
	     "2262-04-11T23:47:16.854775Z"},
	    {"1677-09-21T00:12:43.145224192Z", INT64_MIN, "1677-09-21T00:12:43Z",
	     "1677-09-21T00:12:43.145224Z"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t ns = 42;
		k8c_error_t err;
		char buf[K8C_TIME_STRLEN];
		int ret = k8c_time_parse(cases[i].in, &ns, &err);
		if (!ok(ret == 0, "parse %s", cases[i].in)) {
			diag("%s", err.message);
			continue;
		}
		is_int(ns, cases[i].ns, "%s = %lld ns", cases[i].in, (long long)cases[i].ns);
		is_str(k8c_time_format(ns, buf), cases[i].sec, "%s formats as %s", cases[i].in,
		       cases[i].sec);
		is_str(k8c_time_format_micro(ns, buf), cases[i].micro, "%s formats as %s",
		       cases[i].in, cases[i].micro);
	}
}

static void test_malformed(void)
{
	static const char *const einval[] = {
	    "",
	    "2006",
	    "2006-01-02",
	    "2006-01-02T",
	    "2006-01-02T15:04",
	    "2006-01-02T15:04:05",
	    "2006-01-02T15:04:05z1",
	    "2006-01-02T15:04:05ZZ",
	    "2006-01-02T15:04:05Z ",
	    " 2006-01-02T15:04:05Z",
	    "2006-01-02X15:04:05Z",
	    "2006-01-02T15:04:05.Z",
	    "2006-01-02T15:04:05.1234567891Z",
	    "2006-01-02T15:04:05,5Z",
	    "2006-1-02T15:04:05Z",
	    "06-01-02T15:04:05Z",
	    "2006/01/02T15:04:05Z",
	    "2006-01-02T15-04-05Z",
	    "2006-01-02T1:04:05Z",
	    "2006-00-02T15:04:05Z",
	    "2006-13-02T15:04:05Z",
	    "2006-01-00T15:04:05Z",
	    "2006-01-32T15:04:05Z",
	    "2006-04-31T15:04:05Z",
	    "2023-02-29T00:00:00Z",
	    "1900-02-29T00:00:00Z",
	    "2024-02-30T00:00:00Z",
	    "2006-01-02T24:00:00Z",
	    "2006-01-02T23:60:00Z",
	    "2006-01-02T23:59:61Z",
	    "2006-01-02T15:04:05+0700",
	    "2006-01-02T15:04:05+07",
	    "2006-01-02T15:04:05+7:00",
	    "2006-01-02T15:04:05+24:00",
	    "2006-01-02T15:04:05+07:60",
	    "2006-01-02T15:04:05+07:00:00",
	    "2006-01-02T15:04:05 +07:00",
	    "+2006-01-02T15:04:05Z",
	    "-2006-01-02T15:04:05Z",
	    "2006-01-02T15:04:05UTC",
	    "2006-01-02T15:04:05GMT",
	    "2006-0a-02T15:04:05Z",
	    "2006-01-02T15:04:05.5e3Z",
	    "2006-01-02T15:04:05.-5Z",
	    "2006-01-02T15:04:05Z\n",
	};
	for (size_t i = 0; i < sizeof(einval) / sizeof(einval[0]); i++) {
		int64_t ns = 42;
		k8c_error_t err = {0, ""};
		int ret = k8c_time_parse(einval[i], &ns, &err);
		is_int(ret, -K8C_EINVAL, "refused: \"%.*s\"", (int)strcspn(einval[i], "\n"),
		       einval[i]);
		ok(ns == 42 && err.message[0] != '\0', "no result and a message (%.*s)",
		   (int)strcspn(err.message, "\n"), err.message);
	}
	int64_t ns;
	k8c_error_t err;
	is_int(k8c_time_parse(NULL, &ns, &err), -K8C_EINVAL, "NULL refused");
	is_int(k8c_time_parse("2006-13-02T15:04:05Z", &ns, NULL), -K8C_EINVAL, "err may be NULL");

	static const char *const toolarge[] = {
	    "2262-04-11T23:47:16.854775808Z", "1677-09-21T00:12:43.145224191Z",
	    "9999-12-31T23:59:59Z",           "0000-01-01T00:00:00Z",
	    "2262-04-12T00:00:00Z",           "2262-04-11T23:47:17+00:00",
	};
	for (size_t i = 0; i < sizeof(toolarge) / sizeof(toolarge[0]); i++)
		is_int(k8c_time_parse(toolarge[i], &ns, &err), -K8C_ETOOLARGE,
		       "out of int64 range: %s", toolarge[i]);
	/* An offset can bring an edge time back into range. */
	is_int(k8c_time_parse("2262-04-12T00:47:16+01:00", &ns, &err), 0,
	       "offset brings 2262-04-12 back into range");
}

/* Every day from 1678 to 2261 round-trips, and days are contiguous. */
static void test_every_day(void)
{
	int64_t prev = 0;
	int bad = 0, days = 0;
	char in[K8C_TIME_STRLEN], out[K8C_TIME_STRLEN];

	for (int y = 1678; y <= 2261; y++) {
		for (int m = 1; m <= 12; m++) {
			for (int d = 1; d <= 31; d++) {
				int64_t ns;
				snprintf(in, sizeof(in), "%04d-%02d-%02dT12:34:56Z", y, m, d);
				if (k8c_time_parse(in, &ns, NULL) < 0)
					continue; /* 30 Feb and friends */
				if (days > 0 && ns - prev != 86400 * S)
					bad++;
				if (strcmp(k8c_time_format(ns, out), in) != 0)
					bad++;
				prev = ns;
				days++;
			}
		}
	}
	/* 584 years, 141 of them leap years (1700, 1800, 1900, 2100, 2200
	 * are not, 2000 is). */
	is_int(days, 584 * 365 + 141, "days in 1678..2261");
	is_int(bad, 0, "every day parses, formats back and is 86400 s apart");
}

static void test_clocks(void)
{
	int64_t now = k8c_time_now_ns();
	int64_t m1 = k8c_time_monotonic_ns(), m2 = k8c_time_monotonic_ns();
	int64_t y2020, y2200;

	k8c_time_parse("2020-01-01T00:00:00Z", &y2020, NULL);
	k8c_time_parse("2200-01-01T00:00:00Z", &y2200, NULL);
	ok(now > y2020 && now < y2200, "now is after 2020 and before 2200");
	ok(m2 >= m1 && m1 > 0, "monotonic clock does not go back");
}

static void test_durations(void)
{
	static const struct {
		const char *in;
		long long want; /* -1: refused */
	} cases[] = {
		{"1h", 3600}, {"30m", 1800}, {"90s", 90}, {"1h30m", 5400}, {"1h0m0s", 3600},
		{"0", 0}, {"45", 45}, {"2h5s", 7205}, {"", -1}, {"h", -1}, {"1x", -1},
		{"1.5h", -1}, {"-1h", -1}, {"1h30", -1}, {"99999999999999h", -1},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t got = -1;
		k8c_error_t err;
		int ret = k8c_duration_parse(cases[i].in, &got, &err);
		if (cases[i].want < 0)
			ok(ret < 0 && err.code == K8C_EINVAL, "duration \"%s\" refused: %s", cases[i].in,
			   ret < 0 ? err.message : "(accepted)");
		else
			ok(ret == 0 && got == cases[i].want, "duration \"%s\" = %lld s", cases[i].in,
			   (long long)got);
	}
}

int main(void)
{
	test_durations();
	/* Nothing may depend on the time zone. */
	setenv("TZ", "America/Los_Angeles", 1);
	test_parse();
	test_malformed();
	test_every_day();
	test_clocks();
	return done_testing();
}
