/* The GET/create fast path: "resourceVersion" spliced into the top-level
 * metadata of stored JSON without parsing it, and the result is what
 * parsing and stamping would give. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "apiserver/internal.h"
#include "tap.h"

static void check(const char *stored, long long rev, const char *want, const char *what)
{
	size_t len = 0;
	char *out = k8c_storage_splice_rv(stored, strlen(stored), rev, &len);

	if (want == NULL) {
		ok(out == NULL, "%s: no top-level metadata, no splice", what);
		free(out);
		return;
	}
	is_str(out, want, "%s", what);
	ok(out != NULL && len == strlen(out), "%s: length", what);
	if (out != NULL) {
		/* the same as parsing and stamping */
		cJSON *a = cJSON_Parse(out), *b = k8c_storage_decode(NULL, stored, strlen(stored), rev);
		ok(a != NULL && cJSON_Compare(a, b, 1), "%s: equals decode + stamp", what);
		cJSON_Delete(a);
		cJSON_Delete(b);
	}
	free(out);
}

int main(void)
{
	check("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"a\"},\"spec\":{}}", 42,
	      "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"resourceVersion\":\"42\",\"name\":\"a\"},\"spec\":{}}",
	      "metadata third");
	check("{\"kind\":\"X\",\"metadata\":{}}", 7, "{\"kind\":\"X\",\"metadata\":{\"resourceVersion\":\"7\"}}",
	      "empty metadata");
	check("{\"spec\":{\"template\":{\"metadata\":{\"labels\":{}}}},\"metadata\":{\"name\":\"d\"}}", 9,
	      "{\"spec\":{\"template\":{\"metadata\":{\"labels\":{}}}},\"metadata\":{\"resourceVersion\":\"9\",\"name\":\"d\"}}",
	      "a nested metadata first is skipped");
	check("{\"kind\":\"a\\\"metadata\\\":{\",\"metadata\":{\"name\":\"q\"}}", 3,
	      "{\"kind\":\"a\\\"metadata\\\":{\",\"metadata\":{\"resourceVersion\":\"3\",\"name\":\"q\"}}",
	      "a string that looks like the key is not the key");
	check("{\"data\":[{\"metadata\":{}}],\"metadata\":{\"name\":\"l\"}}", 5,
	      "{\"data\":[{\"metadata\":{}}],\"metadata\":{\"resourceVersion\":\"5\",\"name\":\"l\"}}",
	      "metadata inside a list is skipped");
	check("{\"kind\":\"X\"}", 1, NULL, "no metadata");
	check("{\"kind\":\"X\",\"spec\":{\"metadata\":{}}}", 1, NULL, "only nested metadata");
	check("{\"metadata\":", 1, NULL, "truncated value");
	return done_testing();
}
