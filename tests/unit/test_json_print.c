/* k8c_json_print against cJSON_PrintUnformatted: the same text on every
 * tree, but for whole numbers cJSON writes in exponent form and fractions
 * whose 15 digits read back only approximately. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/json_print.h"
#include "tap.h"

static int same_as_cjson(const char *json)
{
	cJSON *t = cJSON_Parse(json);
	char *a, *b;
	size_t len;
	int same;

	if (t == NULL)
		return 0;
	a = k8c_json_print(t, &len);
	b = cJSON_PrintUnformatted(t);
	same = b != NULL && strcmp(a, b) == 0 && len == strlen(a);
	if (!same)
		diag("k8c: %s\ncJSON: %s", a, b ? b : "(null)");
	free(a);
	free(b);
	cJSON_Delete(t);
	return same;
}

static void is_printed(const cJSON *t, const char *want, const char *what)
{
	char *s = k8c_json_print(t, NULL);
	is_str(s, want, "%s", what);
	free(s);
}

/* A random tree of depth <= d over a small alphabet that covers escapes. */
static cJSON *random_tree(unsigned *seed, int d)
{
	static const char chars[] = "a\"\\/\b\f\n\r\t\x01\x1f \xc3\xa9z";
	int kind = rand_r(seed) % (d > 0 ? 7 : 5);
	char s[9];
	int n;

	switch (kind) {
	case 0: return cJSON_CreateNull();
	case 1: return cJSON_CreateBool(rand_r(seed) & 1);
	case 2:
		switch (rand_r(seed) % 4) {
		case 0: return cJSON_CreateNumber(rand_r(seed) % 2000 - 1000);
		case 1: return cJSON_CreateNumber((rand_r(seed) % 100000) / 8.0);
		case 2: return cJSON_CreateNumber((double)(rand_r(seed) % 1000) / 1024.0);
		default: return cJSON_CreateNumber((double)rand_r(seed) * 1e20); /* past int64 */
		}
	case 3:
	case 4:
		n = rand_r(seed) % 8;
		for (int i = 0; i < n; i++)
			s[i] = chars[rand_r(seed) % (sizeof(chars) - 1)];
		s[n] = '\0';
		return cJSON_CreateString(s);
	case 5: {
		cJSON *a = cJSON_CreateArray();
		for (int i = rand_r(seed) % 4; i > 0; i--)
			cJSON_AddItemToArray(a, random_tree(seed, d - 1));
		return a;
	}
	default: {
		cJSON *o = cJSON_CreateObject();
		for (int i = rand_r(seed) % 4; i > 0; i--) {
			snprintf(s, sizeof(s), "k\n%d\"", i);
			cJSON_AddItemToObject(o, s, random_tree(seed, d - 1));
		}
		return o;
	}
	}
}

int main(void)
{
	static const char *const cases[] = {
		"{}", "[]", "null", "true", "false", "0", "-1", "123456789", "-2147483648",
		"2147483647", "0.5", "-0.25", "3.14159265358979", "0.1", "1e-7", "1.5e300",
		"\"\"", "\"plain\"", "\"q\\\"b\\\\s/\"", "\"\\b\\f\\n\\r\\t\"",
		"\"\\u0001\\u001f\\u007f\"", "\"caf\\u00e9 \xe2\x82\xac\"",
		"{\"a\":{\"b\":[1,2,{\"c\":null}],\"d\":\"e\"},\"f\":[[],{}]}",
		"{\"k\\n\\\"\":1}",
		"{\"metadata\":{\"name\":\"p\",\"labels\":{\"app\":\"x\"}},\"spec\":{\"containers\":"
		"[{\"name\":\"c\",\"image\":\"i\",\"ports\":[{\"containerPort\":80}]}]}}",
	};
	unsigned seed = 42;
	int all = 1;
	cJSON *t;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ok(same_as_cjson(cases[i]), "same text as cJSON: %s", cases[i]);

	/* whole numbers past int range: integers, where cJSON writes 1e+15 */
	t = cJSON_CreateNumber(1e15);
	is_printed(t, "1000000000000000", "10^15 as an integer");
	cJSON_Delete(t);
	t = cJSON_CreateNumber(-9007199254740992.0);
	is_printed(t, "-9007199254740992", "-2^53 as an integer");
	cJSON_Delete(t);
	t = cJSON_CreateNumber(4294967296.0);
	is_printed(t, "4294967296", "2^32 as an integer");
	cJSON_Delete(t);
	t = cJSON_CreateNumber(1e16);
	is_printed(t, "10000000000000000", "10^16 (past 2^53) still as digits: Go decodes it into an int64");
	cJSON_Delete(t);
	t = cJSON_CreateNumber(-9.2e18);
	is_printed(t, "-9200000000000000000", "near the int64 limit as digits");
	cJSON_Delete(t);
	t = cJSON_CreateRaw("");
	is_printed(t, "null", "empty raw text prints null");
	cJSON_Delete(t);
	t = cJSON_CreateNumber(1e300);
	is_printed(t, "1e+300", "beyond 2^53: 15 digits when they read back exactly");
	cJSON_Delete(t);
	t = cJSON_CreateNumber(0.1 + 0.2);
	is_printed(t, "0.30000000000000004", "17 digits when 15 do not read back exactly (cJSON: 0.3)");
	cJSON_Delete(t);
	t = cJSON_CreateNumber(0.0 / 0.0);
	is_printed(t, "null", "NaN prints null");
	cJSON_Delete(t);
	t = cJSON_CreateRaw("12345678901234567890");
	is_printed(t, "12345678901234567890", "raw text verbatim (YAML's exact big integers)");
	cJSON_Delete(t);
	is_printed(NULL, "null", "NULL prints null");
	t = cJSON_CreateObject();
	cJSON_AddItemToObject(t, "r", cJSON_CreateRaw("[1, 2]"));
	is_printed(t, "{\"r\":[1, 2]}", "raw inside an object");
	cJSON_Delete(t);

	/* random trees (escapes, nesting, fractions): same text as cJSON, and
	 * the text parses back to an equal tree */
	for (int i = 0; i < 3000 && all; i++) {
		cJSON *r = random_tree(&seed, 4), *back;
		char *a = k8c_json_print(r, NULL), *b = cJSON_PrintUnformatted(r);
		all &= b != NULL && strcmp(a, b) == 0;
		back = cJSON_Parse(a);
		all &= back != NULL && cJSON_Compare(r, back, 1);
		if (!all)
			diag("tree %d\nk8c: %s\ncJSON: %s", i, a, b ? b : "(null)");
		cJSON_Delete(back);
		free(a);
		free(b);
		cJSON_Delete(r);
	}
	ok(all, "3,000 random trees print as cJSON does and parse back equal");
	return done_testing();
}
