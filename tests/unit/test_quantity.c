/* Kubernetes resource quantities: parsing, canonical form, comparison,
 * arithmetic and rounding, against the behaviour of apimachinery's
 * resource.Quantity (cases from its quantity_test.go where they apply). */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "common/quantity.h"
#include "tap.h"

static const char *canon(const k8c_quantity_t *q)
{
	static char buf[K8C_QUANTITY_STRLEN];
	return k8c_quantity_format(q, buf, sizeof(buf));
}

/* s with control and non-ASCII bytes escaped, for test names. */
static const char *show(const char *s)
{
	static char buf[4][128];
	static int next;
	char *out = buf[next++ % 4], *p = out;

	for (; *s != '\0' && p < out + sizeof(buf[0]) - 5; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 || c >= 0x7f || c == '#')
			p += sprintf(p, "\\x%02x", c);
		else
			*p++ = (char)c;
	}
	*p = '\0';
	return out;
}

/* Parse s or fail the test; returns a zero quantity on failure. */
static k8c_quantity_t must(const char *s)
{
	k8c_quantity_t q = {0, 0, 0};
	k8c_error_t err;

	if (k8c_quantity_parse(s, &q, &err) < 0)
		ok(0, "parse \"%s\": %s", s, err.message);
	return q;
}

static void test_canonical(void)
{
	static const struct {
		const char *in, *out;
		int format; /* format recorded by the parse */
	} cases[] = {
	    {"0", "0", K8C_QUANTITY_DECIMAL_SI},
	    {"0n", "0", K8C_QUANTITY_DECIMAL_SI},
	    {"0Ki", "0", K8C_QUANTITY_BINARY_SI},
	    {"-0", "0", K8C_QUANTITY_DECIMAL_SI},
	    {"0e5", "0", K8C_QUANTITY_DECIMAL_EXPONENT},
	    {"0e99999999999999999999", "0", K8C_QUANTITY_DECIMAL_EXPONENT},
	    {"1", "1", K8C_QUANTITY_DECIMAL_SI},
	    {"+1", "1", K8C_QUANTITY_DECIMAL_SI},
	    {"001", "1", K8C_QUANTITY_DECIMAL_SI},
	    {"1.", "1", K8C_QUANTITY_DECIMAL_SI},
	    {"1.000", "1", K8C_QUANTITY_DECIMAL_SI},
	    {"1000m", "1", K8C_QUANTITY_DECIMAL_SI},
	    {"0.1", "100m", K8C_QUANTITY_DECIMAL_SI},
	    {"1.5", "1500m", K8C_QUANTITY_DECIMAL_SI},
	    {".001", "1m", K8C_QUANTITY_DECIMAL_SI},
	    {".0001k", "100m", K8C_QUANTITY_DECIMAL_SI},
	    {"0.0005k", "500m", K8C_QUANTITY_DECIMAL_SI},
	    {"-1m", "-1m", K8C_QUANTITY_DECIMAL_SI},
	    {"5n", "5n", K8C_QUANTITY_DECIMAL_SI},
	    {"4u", "4u", K8C_QUANTITY_DECIMAL_SI},
	    {"1000u", "1m", K8C_QUANTITY_DECIMAL_SI},
	    {"3m", "3m", K8C_QUANTITY_DECIMAL_SI},
	    {"8k", "8k", K8C_QUANTITY_DECIMAL_SI},
	    {"50k", "50k", K8C_QUANTITY_DECIMAL_SI},
	    {"100M", "100M", K8C_QUANTITY_DECIMAL_SI},
	    {"1000M", "1G", K8C_QUANTITY_DECIMAL_SI},
	    {"6G", "6G", K8C_QUANTITY_DECIMAL_SI},
	    {"40T", "40T", K8C_QUANTITY_DECIMAL_SI},
	    {"300T", "300T", K8C_QUANTITY_DECIMAL_SI},
	    {"0.001T", "1G", K8C_QUANTITY_DECIMAL_SI},
	    {"2P", "2P", K8C_QUANTITY_DECIMAL_SI},
	    {"1E", "1E", K8C_QUANTITY_DECIMAL_SI},
	    {"12E", "12E", K8C_QUANTITY_DECIMAL_SI},
	    {"1.G", "1G", K8C_QUANTITY_DECIMAL_SI},
	    {"1000E", "1e21", K8C_QUANTITY_DECIMAL_SI},
	    {"5000E", "5e21", K8C_QUANTITY_DECIMAL_SI},
	    {"1000000E", "1e24", K8C_QUANTITY_DECIMAL_SI},
	    {"100.035k", "100035", K8C_QUANTITY_DECIMAL_SI},
	    {"10.035M", "10035k", K8C_QUANTITY_DECIMAL_SI},
	    {"9.01", "9010m", K8C_QUANTITY_DECIMAL_SI},
	    {"-9.01", "-9010m", K8C_QUANTITY_DECIMAL_SI},
	    {"8.1k", "8100", K8C_QUANTITY_DECIMAL_SI},
	    {"7.123456M", "7123456", K8C_QUANTITY_DECIMAL_SI},
	    {"6.987654321G", "6987654321", K8C_QUANTITY_DECIMAL_SI},
	    {"5.444T", "5444G", K8C_QUANTITY_DECIMAL_SI},
	    {"2.5P", "2500T", K8C_QUANTITY_DECIMAL_SI},
	    {"1.01E", "1010P", K8C_QUANTITY_DECIMAL_SI},
	    {"1.08", "1080m", K8C_QUANTITY_DECIMAL_SI},
	    {"1080000000n", "1080m", K8C_QUANTITY_DECIMAL_SI},
	    /* decimal exponents */
	    {"1e3", "1e3", K8C_QUANTITY_DECIMAL_EXPONENT},
	    {"1E3", "1e3", K8C_QUANTITY_DECIMAL_EXPONENT},
	    {"1e+3", "1e3", K8C_QUANTITY_DECIMAL_EXPONENT},
	    {"1e4", "10e3", K8C_QUANTITY_DECIMAL_EXPONENT},
	    {"1E-3", "1e-3", K8C_QUANTITY_DECIMAL_EXPONENT},
	    {"0.001e0", "1e-3", K8C_QUANTITY_DECIMAL_EXPONENT},
	    {"1e-9", "1e-9", K8C_QUANTITY_DECIMAL_EXPONENT},
	    {"1000e-12", "1e-9", K8C_QUANTITY_DECIMAL_EXPONENT},
	    {".001e12", "1e9", K8C_QUANTITY_DECIMAL_EXPONENT},
	    {"80e-3", "80e-3", K8C_QUANTITY_DECIMAL_EXPONENT},
	    {"300e6", "300e6", K8C_QUANTITY_DECIMAL_EXPONENT},
	    {"1E12", "1e12", K8C_QUANTITY_DECIMAL_EXPONENT},
	    {"1e007", "10e6", K8C_QUANTITY_DECIMAL_EXPONENT},
	    {"1e-0", "1", K8C_QUANTITY_DECIMAL_EXPONENT},
	    {"1.2e3", "1200", K8C_QUANTITY_DECIMAL_EXPONENT},
	    {"1.3E+6", "1300e3", K8C_QUANTITY_DECIMAL_EXPONENT},
	    {"1.40e9", "1400e6", K8C_QUANTITY_DECIMAL_EXPONENT},
	    {"0.5e0", "500e-3", K8C_QUANTITY_DECIMAL_EXPONENT},
	    {"1e2147483647", "10e2147483646", K8C_QUANTITY_DECIMAL_EXPONENT},
	    /* binary */
	    {"1Ki", "1Ki", K8C_QUANTITY_BINARY_SI},
	    {"8Ki", "8Ki", K8C_QUANTITY_BINARY_SI},
	    {"7Mi", "7Mi", K8C_QUANTITY_BINARY_SI},
	    {"6Gi", "6Gi", K8C_QUANTITY_BINARY_SI},
	    {"5Ti", "5Ti", K8C_QUANTITY_BINARY_SI},
	    {"4Pi", "4Pi", K8C_QUANTITY_BINARY_SI},
	    {"3Ei", "3Ei", K8C_QUANTITY_BINARY_SI},
	    {"7Ei", "7Ei", K8C_QUANTITY_BINARY_SI},
	    {"100Ti", "100Ti", K8C_QUANTITY_BINARY_SI},
	    {"1024Ki", "1Mi", K8C_QUANTITY_BINARY_SI},
	    {"1024Mi", "1Gi", K8C_QUANTITY_BINARY_SI},
	    {"307200Ki", "300Mi", K8C_QUANTITY_BINARY_SI},
	    {"1025024Mi", "1001Gi", K8C_QUANTITY_BINARY_SI},
	    {"1536Ki", "1536Ki", K8C_QUANTITY_BINARY_SI},
	    {"2048Ki", "2Mi", K8C_QUANTITY_BINARY_SI},
	    {"1.5Gi", "1536Mi", K8C_QUANTITY_BINARY_SI},
	    {"-1.5Gi", "-1536Mi", K8C_QUANTITY_BINARY_SI},
	    {"0.5Mi", "512Ki", K8C_QUANTITY_BINARY_SI},
	    {"1.5Ki", "1536", K8C_QUANTITY_BINARY_SI},
	    {"0.5Ki", "512", K8C_QUANTITY_BINARY_SI},
	    {"1.1Ki", "1126400m", K8C_QUANTITY_BINARY_SI},
	    {"100.035Ki", "102435840m", K8C_QUANTITY_BINARY_SI},
	    {"0.05Gi", "53687091200m", K8C_QUANTITY_BINARY_SI},
	    {"0.025Ti", "27487790694400m", K8C_QUANTITY_BINARY_SI},
	    {".001Ki", "1024m", K8C_QUANTITY_BINARY_SI},
	    {".000001Ki", "1024u", K8C_QUANTITY_DECIMAL_SI},
	    {".000000001Ki", "1024n", K8C_QUANTITY_DECIMAL_SI},
	    {".000000000001Ki", "2n", K8C_QUANTITY_DECIMAL_SI},
	    {"-.000000000001Ki", "-2n", K8C_QUANTITY_DECIMAL_SI},
	    {"0.000000000000000000000000000001Ei", "1n", K8C_QUANTITY_DECIMAL_SI},
	    {"0.000000000000000000000000000001Ki", "1n", K8C_QUANTITY_DECIMAL_SI},
	    {"0.0000000000000000001Ei", "115292151n", K8C_QUANTITY_DECIMAL_SI},
	    {"1.000000000000000000000000000001Ki", "1024000000001n", K8C_QUANTITY_BINARY_SI},
	    /* rounding up to the nano, away from zero */
	    {"3.001n", "4n", K8C_QUANTITY_DECIMAL_SI},
	    {"1.1E-9", "2e-9", K8C_QUANTITY_DECIMAL_EXPONENT},
	    {"0.0000000001", "1n", K8C_QUANTITY_DECIMAL_SI},
	    {"0.0000000005", "1n", K8C_QUANTITY_DECIMAL_SI},
	    {"0.00000000050", "1n", K8C_QUANTITY_DECIMAL_SI},
	    {"0.5e-9", "1e-9", K8C_QUANTITY_DECIMAL_EXPONENT},
	    {"0.9n", "1n", K8C_QUANTITY_DECIMAL_SI},
	    {"0.00000012345", "124n", K8C_QUANTITY_DECIMAL_SI},
	    {"0.00000012354", "124n", K8C_QUANTITY_DECIMAL_SI},
	    {"-0.00000012345", "-124n", K8C_QUANTITY_DECIMAL_SI},
	    {"1e-1000000", "1e-9", K8C_QUANTITY_DECIMAL_EXPONENT},
	    {"99999999999.999999999999", "100G", K8C_QUANTITY_DECIMAL_SI},
	    {"1234567890.1234567891", "1234567890123456790n", K8C_QUANTITY_DECIMAL_SI},
	    /* the int64 edge */
	    {"9223372036854775807", "9223372036854775807", K8C_QUANTITY_DECIMAL_SI},
	    {"-9223372036854775807", "-9223372036854775807", K8C_QUANTITY_DECIMAL_SI},
	    {"9223372036854775807k", "9223372036854775807k", K8C_QUANTITY_DECIMAL_SI},
	    {"92233720368547758070", "92233720368547758070", K8C_QUANTITY_DECIMAL_SI},
	    {"8589934591.5Gi", "8796093021696Mi", K8C_QUANTITY_BINARY_SI},
	    {"12345678901.1234567891", "12345678901123456790n", K8C_QUANTITY_DECIMAL_SI},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		k8c_quantity_t q, q2;
		k8c_error_t err;
		int ret = k8c_quantity_parse(cases[i].in, &q, &err);
		if (!ok(ret == 0, "parse \"%s\"", cases[i].in)) {
			diag("%s", err.message);
			continue;
		}
		is_str(canon(&q), cases[i].out, "\"%s\" -> \"%s\"", cases[i].in, cases[i].out);
		is_int(q.format, cases[i].format, "\"%s\" keeps format %d", cases[i].in,
		       cases[i].format);
		/* The canonical form is a fixed point and the same amount. */
		ret = k8c_quantity_parse(cases[i].out, &q2, &err);
		ok(ret == 0 && k8c_quantity_cmp(&q, &q2) == 0 &&
		       strcmp(canon(&q2), cases[i].out) == 0,
		   "\"%s\" reparses to the same amount", cases[i].out);
	}
}

/* Kubernetes prints a binary amount that is whole but not a multiple of
 * 1024 without a suffix; read back, that string is decimal and prints in
 * decimal SI.  Same amount, two spellings. */
static void test_binary_reparse(void)
{
	k8c_quantity_t q = must("812.5Ki"), q2;

	is_str(canon(&q), "832000", "812.5Ki -> 832000");
	q2 = must("832000");
	ok(k8c_quantity_cmp(&q, &q2) == 0, "832000 is the same amount");
	is_str(canon(&q2), "832k", "832000 read back is decimal: 832k");
	q = must("1.25Ki");
	is_str(canon(&q), "1280", "1.25Ki -> 1280");
}

static void test_malformed(void)
{
	static const char *const einval[] = {
	    "",
	    " ",
	    " 1",
	    "1 ",
	    "\t1",
	    "1\n",
	    "1 Ki",
	    "1Ki ",
	    "1e 3",
	    "1.2.3",
	    "1.1.M",
	    "1+1.0M",
	    "0.1mi",
	    "0.1am",
	    "aoeu",
	    ".5i",
	    "1i",
	    "-3.01i",
	    "-3.01e-",
	    "Ki",
	    "Mi",
	    "m",
	    "k",
	    "E",
	    "e3",
	    "-",
	    "+",
	    ".",
	    "-.",
	    "+.",
	    ".e3",
	    "1e",
	    "1e+",
	    "1e-",
	    "1ee3",
	    "1e3.5",
	    "1e3k",
	    "1Ke3",
	    "1K",
	    "1ki",
	    "1KI",
	    "1KiB",
	    "1Kib",
	    "1b",
	    "1B",
	    "1mm",
	    "1kk",
	    "--1",
	    "+-1",
	    "-+1",
	    "1-",
	    "0x10",
	    "1,5",
	    "1_000",
	    "NaN",
	    "inf",
	    "-Inf",
	    "1/2",
	    "\xef\xbc\x91",
	    "1\xc2\xa0",
	    "1e3e3",
	    "1E+-3",
	    "1.5.",
	    "..5",
	};
	for (size_t i = 0; i < sizeof(einval) / sizeof(einval[0]); i++) {
		k8c_quantity_t q = {42, 7, 1};
		k8c_error_t err = {0, ""};
		int ret = k8c_quantity_parse(einval[i], &q, &err);
		is_int(ret, -K8C_EINVAL, "\"%s\" is refused with EINVAL", show(einval[i]));
		ok(err.code == K8C_EINVAL && err.message[0] != '\0', "\"%s\" has a message (%s)",
		   show(einval[i]), show(err.message));
	}
	k8c_error_t err;
	k8c_quantity_t q;
	is_int(k8c_quantity_parse(NULL, &q, &err), -K8C_EINVAL, "NULL refused");
	is_int(k8c_quantity_parse("1", &q, NULL), 0, "err may be NULL");
	is_int(k8c_quantity_parse("x", &q, NULL), -K8C_EINVAL, "err may be NULL on failure");

	static const char *const toolarge[] = {
	    "9223372036854775808",
	    "-9223372036854775808",
	    "12345678901234567891",
	    "12345678901.1234567811",
	    "8589934591.999999999Gi",
	    "8589934591.99999999Gi",
	    "8589934592Gi",
	    "8Ei",
	    "10Ei",
	    "9223372036854775807Ki",
	    "100000000000000000000Ki",
	    "1e2147483648",
	    "1e99999999999999999999",
	    "10e2147483647",
	    "18446744073709551616m",
	};
	for (size_t i = 0; i < sizeof(toolarge) / sizeof(toolarge[0]); i++) {
		k8c_error_t e2 = {0, ""};
		is_int(k8c_quantity_parse(toolarge[i], &q, &e2), -K8C_ETOOLARGE,
		       "\"%s\" is refused with ETOOLARGE", toolarge[i]);
	}
}

static void test_cmp(void)
{
	static const struct {
		const char *a, *b;
		int want;
	} cases[] = {
	    {"0", "0", 0},
	    {"0", "0Ki", 0},
	    {"100m", "50m", 1},
	    {"50m", "100m", -1},
	    {"10000T", "100Gi", 1},
	    {"1Ki", "1024", 0},
	    {"1k", "1Ki", -1},
	    {"-1", "1m", -1},
	    {"-1", "-2", 1},
	    {"1e3", "1k", 0},
	    {"1Mi", "1048576", 0},
	    {"1.5Gi", "1536Mi", 0},
	    {"1n", "0", 1},
	    {"-1n", "0", -1},
	    {"0.5", "499999999n", 1},
	    {"9223372036854775807", "1e19", -1},
	    {"1e100", "9223372036854775807", 1},
	    {"-1e100", "-9223372036854775807", -1},
	    {"1e100", "1e99", 1},
	    {"1n", "1e-9", 0},
	    {"999999999n", "1", -1},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		k8c_quantity_t a = must(cases[i].a), b = must(cases[i].b);
		is_int(k8c_quantity_cmp(&a, &b), cases[i].want, "cmp(%s, %s)", cases[i].a,
		       cases[i].b);
		is_int(k8c_quantity_cmp(&b, &a), -cases[i].want, "cmp(%s, %s)", cases[i].b,
		       cases[i].a);
	}

	/* Unnormalised values, as a caller may build them. */
	static const struct {
		k8c_quantity_t a, b;
		int want;
	} raw[] = {
	    {{901, -2, 0}, {901, -2, 0}, 0},
	    {{90, -1, 0}, {901, -2, 0}, -1},
	    {{0, 1, 0}, {0, -1, 0}, 0},
	    {{800, -3, 0}, {1, 0, 0}, -1},
	    {{800, -3, 0}, {79, -2, 0}, 1},
	    {{INT64_MAX, 0, 0}, {1, -1, 0}, 1},
	    {{INT64_MAX, 1, 0}, {1, 1, 0}, 1},
	    {{INT64_MAX, -16, 0}, {1, 3, 0}, -1},
	    {{INT64_MIN, 0, 0}, {0, 0, 0}, -1},
	    {{INT64_MIN, -18, 0}, {-1, 0, 0}, -1},
	    {{INT64_MIN, -19, 0}, {-1, 0, 0}, 1},
	    {{1000000000000000000, -17, 0}, {1, 1, 0}, 0},
	    {{1000000000000000000, -17, 0}, {-10, 0, 0}, 1},
	    {{-1000000000000000000, -17, 0}, {-10, 0, 0}, 0},
	    {{1000000000000000001, -17, 0}, {1, 1, 0}, 1},
	    {{999999999999999999, -17, 0}, {1, 1, 0}, -1},
	    {{1, INT32_MAX, 0}, {INT64_MAX, INT32_MIN, 0}, 1},
	};
	for (size_t i = 0; i < sizeof(raw) / sizeof(raw[0]); i++) {
		is_int(k8c_quantity_cmp(&raw[i].a, &raw[i].b), raw[i].want, "raw cmp case %zu", i);
		is_int(k8c_quantity_cmp(&raw[i].b, &raw[i].a), -raw[i].want,
		       "raw cmp case %zu inverted", i);
	}
}

static void test_add_sub(void)
{
	static const struct {
		const char *a;
		char op;
		const char *b, *want; /* NULL: ETOOLARGE */
	} cases[] = {
	    {"1", '+', "1m", "1001m"},
	    {"1Gi", '+', "512Mi", "1536Mi"},
	    {"1Ki", '+', "1Ki", "2Ki"},
	    {"1Ki", '+', "1k", "2024"},
	    {"1k", '+', "1Ki", "2024"},
	    {"1Ki", '+', "0.5", "1024500m"},
	    {"1e3", '+', "1", "1001"},
	    {"100m", '+', "0", "100m"},
	    {"0", '+', "100m", "100m"},
	    {"0", '+', "1Gi", "1Gi"},
	    {"1Gi", '-', "0", "1Gi"},
	    {"100m", '-', "0", "100m"},
	    {"0", '-', "1Gi", "-1Gi"},
	    {"0", '-', "100m", "-100m"},
	    {"1", '-', "1", "0"},
	    {"1", '-', "1m", "999m"},
	    {"1m", '-', "1", "-999m"},
	    {"-1", '+', "-1", "-2"},
	    {"1e30", '+', "1e30", "2e30"},
	    {"1e40", '-', "1e40", "0"},
	    {"5Ei", '+', "5Ei", "10Ei"},
	    {"1n", '+', "1e9", "1000000000000000001n"},
	    {"4611686018427387904", '+', "4611686018427387903", "9223372036854775807"},
	    {"9223372036854775807", '+', "1", NULL},
	    {"-9223372036854775807", '-', "1", NULL},
	    {"9223372036854775807", '-', "-1", NULL},
	    {"1e30", '+', "1", NULL},
	    {"1", '+', "1e38", NULL},
	    {"1", '+', "1e39", NULL},
	    {"1n", '+', "1e10", NULL},
	    {"1e2147483647", '+', "9e2147483647", NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		k8c_quantity_t a = must(cases[i].a), b = must(cases[i].b);
		k8c_quantity_t before = a;
		k8c_error_t err;
		int ret = cases[i].op == '+' ? k8c_quantity_add(&a, &b, &err)
		                             : k8c_quantity_sub(&a, &b, &err);
		if (cases[i].want == NULL) {
			is_int(ret, -K8C_ETOOLARGE, "%s %c %s overflows", cases[i].a, cases[i].op,
			       cases[i].b);
			ok(memcmp(&a, &before, sizeof(a)) == 0, "%s %c %s leaves a unchanged",
			   cases[i].a, cases[i].op, cases[i].b);
		} else {
			is_int(ret, 0, "%s %c %s succeeds", cases[i].a, cases[i].op, cases[i].b);
			is_str(canon(&a), cases[i].want, "%s %c %s = %s", cases[i].a, cases[i].op,
			       cases[i].b, cases[i].want);
		}
	}

	/* Sums are exact, whatever the scales. */
	k8c_quantity_t acc = k8c_quantity_from_int(0, K8C_QUANTITY_DECIMAL_SI);
	k8c_quantity_t third = must("333333333n");
	for (int i = 0; i < 3; i++)
		k8c_quantity_add(&acc, &third, NULL);
	k8c_quantity_t one_n = must("1n");
	k8c_quantity_add(&acc, &one_n, NULL);
	is_str(canon(&acc), "1", "3 x 333333333n + 1n = 1");
}

static void test_rounding(void)
{
	static const struct {
		const char *in;
		int64_t value, milli;
	} cases[] = {
	    {"0", 0, 0},
	    {"1", 1, 1000},
	    {"1m", 1, 1},
	    {"1n", 1, 1},
	    {"-1n", 0, 0},
	    {"1.5", 2, 1500},
	    {"-1.5", -1, -1500},
	    {"100m", 1, 100},
	    {"0.0015", 1, 2},
	    {"-0.0015", 0, -1},
	    {"1234567u", 2, 1235},
	    {"1Ki", 1024, 1024000},
	    {"1.5Gi", 1610612736, 1610612736000},
	    {"1e-100", 1, 1},
	    {"9223372036854775.807", 9223372036854776, INT64_MAX},
	    {"9223372036854775807", INT64_MAX, INT64_MAX},
	    {"-9223372036854775807", -INT64_MAX, INT64_MIN},
	    {"9223372036854775807m", 9223372036854776, INT64_MAX},
	    {"1e100", INT64_MAX, INT64_MAX},
	    {"-1e100", INT64_MIN, INT64_MIN},
	    {"7Ei", 8070450532247928832, INT64_MAX},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		k8c_quantity_t q = must(cases[i].in);
		is_int(k8c_quantity_value(&q), cases[i].value, "value(%s)", cases[i].in);
		is_int(k8c_quantity_milli(&q), cases[i].milli, "milli(%s)", cases[i].in);
	}
	k8c_quantity_t q = must("0n");
	ok(k8c_quantity_is_zero(&q), "0n is zero");
	q = must("1n");
	ok(!k8c_quantity_is_zero(&q), "1n is not zero");
}

static void test_constructors(void)
{
	static const struct {
		int milli;
		int64_t v;
		int format;
		const char *want;
	} cases[] = {
	    {0, 1, K8C_QUANTITY_DECIMAL_SI, "1"},
	    {0, 1000, K8C_QUANTITY_DECIMAL_SI, "1k"},
	    {0, 1234000, K8C_QUANTITY_DECIMAL_SI, "1234k"},
	    {0, 1024, K8C_QUANTITY_BINARY_SI, "1Ki"},
	    {0, 1000000, 99, "1e6"},
	    {0, 1024 * 1024, K8C_QUANTITY_BINARY_SI, "1Mi"},
	    {0, 5, K8C_QUANTITY_BINARY_SI, "5"},
	    {0, 1025, K8C_QUANTITY_BINARY_SI, "1025"},
	    {0, 6 * 1024, K8C_QUANTITY_BINARY_SI, "6Ki"},
	    {0, 0, K8C_QUANTITY_BINARY_SI, "0"},
	    {0, INT64_MIN, K8C_QUANTITY_DECIMAL_SI, "-9223372036854775808"},
	    {0, -3000, K8C_QUANTITY_DECIMAL_EXPONENT, "-3e3"},
	    {1, 1, K8C_QUANTITY_DECIMAL_SI, "1m"},
	    {1, 1000, K8C_QUANTITY_DECIMAL_SI, "1"},
	    {1, 1234000, K8C_QUANTITY_DECIMAL_SI, "1234"},
	    {1, 1024, K8C_QUANTITY_BINARY_SI, "1024m"},
	    {1, 1000000, 99, "1e3"},
	    {1, 1024 * 1024, K8C_QUANTITY_BINARY_SI, "1048576m"},
	    {1, 500, K8C_QUANTITY_BINARY_SI, "500m"},
	    {1, 1024000, K8C_QUANTITY_BINARY_SI, "1Ki"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		k8c_quantity_t q = cases[i].milli
		                       ? k8c_quantity_from_milli(cases[i].v, cases[i].format)
		                       : k8c_quantity_from_int(cases[i].v, cases[i].format);
		is_str(canon(&q), cases[i].want, "from_%s(%lld, %d) = %s",
		       cases[i].milli ? "milli" : "int", (long long)cases[i].v, cases[i].format,
		       cases[i].want);
	}

	/* Raw amounts from Kubernetes' TestQuantityString. */
	static const struct {
		k8c_quantity_t q;
		const char *want;
	} raw[] = {
	    {{1080, -3, K8C_QUANTITY_DECIMAL_SI}, "1080m"},
	    {{108, -2, K8C_QUANTITY_DECIMAL_SI}, "1080m"},
	    {{10800, -4, K8C_QUANTITY_DECIMAL_SI}, "1080m"},
	    {{108, -8, K8C_QUANTITY_DECIMAL_SI}, "1080n"},
	    {{10800, -10, K8C_QUANTITY_DECIMAL_SI}, "1080n"},
	    {{1234567, -3, K8C_QUANTITY_BINARY_SI}, "1234567m"},
	    {{1, 21, K8C_QUANTITY_DECIMAL_SI}, "1e21"},
	    {{1, -9, K8C_QUANTITY_DECIMAL_EXPONENT}, "1e-9"},
	    {{80, -3, K8C_QUANTITY_DECIMAL_EXPONENT}, "80e-3"},
	    {{3, 3, K8C_QUANTITY_DECIMAL_EXPONENT}, "3e3"},
	    {{-80, -6, K8C_QUANTITY_DECIMAL_SI}, "-80u"},
	    {{1152921504606846976, 4, K8C_QUANTITY_BINARY_SI}, "10000Ei"},
	    /* too big for 128 bits: printed in decimal, still exact */
	    {{1, 40, K8C_QUANTITY_BINARY_SI}, "10e39"},
	};
	for (size_t i = 0; i < sizeof(raw) / sizeof(raw[0]); i++)
		is_str(canon(&raw[i].q), raw[i].want, "raw %lld*10^%d -> %s",
		       (long long)raw[i].q.value, raw[i].q.scale, raw[i].want);

	/* A short buffer is truncated, never overrun. */
	char small[5];
	k8c_quantity_t q = must("1536Mi");
	is_str(k8c_quantity_format(&q, small, sizeof(small)), "1536",
	       "format truncates to the buffer");
}

static void test_json(void)
{
	static const struct {
		const char *json, *want; /* want NULL: EINVAL */
	} cases[] = {
	    {"\"100m\"", "100m"}, {"\" 1 \"", "1"},   {"\"1\\n\"", "1"},   {"1", "1"},
	    {"-1", "-1"},         {"10", "10"},       {"1.5", "1500m"},    {"0.1", "100m"},
	    {"1e3", "1k"},        {"1e20", "100e18"}, {"2.5e-3", "2500u"}, {"null", "0"},
	    {"\"abc\"", NULL},    {"\"\"", NULL},     {"true", NULL},      {"{}", NULL},
	    {"[\"1\"]", NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cJSON *j = cJSON_Parse(cases[i].json);
		k8c_quantity_t q;
		k8c_error_t err;
		int ret = k8c_quantity_from_json(j, &q, &err);
		if (cases[i].want == NULL)
			is_int(ret, -K8C_EINVAL, "from_json(%s) refused", cases[i].json);
		else if (ok(ret == 0, "from_json(%s) parses", cases[i].json))
			is_str(canon(&q), cases[i].want, "from_json(%s) = %s", cases[i].json,
			       cases[i].want);
		cJSON_Delete(j);
	}
	k8c_quantity_t q;
	is_int(k8c_quantity_from_json(NULL, &q, NULL), -K8C_EINVAL, "from_json(NULL) refused");
}

int main(void)
{
	test_canonical();
	test_binary_reparse();
	test_malformed();
	test_cmp();
	test_add_sub();
	test_rounding();
	test_constructors();
	test_json();
	return done_testing();
}
