/* Base64 (RFC 4648 standard alphabet, padded): vectors, round trips,
 * malformed input. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common/base64.h"
#include "tap.h"

static int decodes_to(const char *in, const char *want, size_t want_len)
{
	unsigned char *out = NULL;
	size_t len = 0;
	int good;

	if (k8c_base64_decode(in, &out, &len) != 0)
		return 0;
	good = len == want_len && memcmp(out, want, len) == 0 && out[len] == '\0';
	free(out);
	return good;
}

int main(void)
{
	static const char *const vec[][2] = {
		{"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"},
		{"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
	};
	static const char *const bad[] = {
		"Zg=", "Zm9", "Zg==Zg==", "Z===", "Zm9v!A==", "Zm9v\x80\x80==", "=Zm9", "Zm=v", "Zg=a",
	};
	unsigned char data[300];
	unsigned seed = 7;
	int all = 1;

	for (size_t i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
		char *e = k8c_base64_encode(vec[i][0], strlen(vec[i][0]));
		is_str(e, vec[i][1], "encode \"%s\"", vec[i][0]);
		ok(decodes_to(vec[i][1], vec[i][0], strlen(vec[i][0])), "decode %s", vec[i][1]);
		free(e);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		unsigned char *out = NULL;
		size_t len;
		ok(k8c_base64_decode(bad[i], &out, &len) != 0 && out == NULL, "rejects malformed #%zu", i);
	}
	ok(decodes_to("AA==", "\0", 1), "a NUL byte decodes (etcd's range_end \"\\0\")");
	ok(decodes_to("+/+/", "\xfb\xff\xbf", 3), "the last two letters of the alphabet");
	for (size_t n = 0; n < sizeof(data) && all; n++) {
		char *e;
		for (size_t i = 0; i < n; i++)
			data[i] = (unsigned char)rand_r(&seed);
		e = k8c_base64_encode(data, n);
		all &= strlen(e) == (n + 2) / 3 * 4 && decodes_to(e, (const char *)data, n);
		free(e);
	}
	ok(all, "random data of 0..299 bytes round-trips");
	return done_testing();
}
