/* Base64 with the standard alphabet and padding. */
#include "config.h"

#include <string.h>

#include "common/base64.h"
#include "common/mem.h"

static const char alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *k8c_base64_encode(const void *data, size_t len)
{
	const unsigned char *in = data;
	char *out = k8c_xmalloc(((len + 2) / 3) * 4 + 1), *o = out;
	size_t i;

	for (i = 0; i + 2 < len; i += 3) {
		*o++ = alphabet[in[i] >> 2];
		*o++ = alphabet[((in[i] & 3) << 4) | (in[i + 1] >> 4)];
		*o++ = alphabet[((in[i + 1] & 15) << 2) | (in[i + 2] >> 6)];
		*o++ = alphabet[in[i + 2] & 63];
	}
	if (i < len) {
		*o++ = alphabet[in[i] >> 2];
		if (i + 1 < len) {
			*o++ = alphabet[((in[i] & 3) << 4) | (in[i + 1] >> 4)];
			*o++ = alphabet[(in[i + 1] & 15) << 2];
		} else {
			*o++ = alphabet[(in[i] & 3) << 4];
			*o++ = '=';
		}
		*o++ = '=';
	}
	*o = '\0';
	return out;
}

static int value(char c)
{
	const char *p = c ? strchr(alphabet, c) : NULL;

	return p ? (int)(p - alphabet) : -1;
}

int k8c_base64_decode(const char *s, unsigned char **out, size_t *len)
{
	size_t n = strlen(s), o = 0;
	unsigned char *buf;

	if (n % 4 != 0)
		return -1;
	buf = k8c_xmalloc(n / 4 * 3 + 1);
	for (size_t i = 0; i < n; i += 4) {
		int a = value(s[i]), b = value(s[i + 1]);
		int c = s[i + 2] == '=' ? -2 : value(s[i + 2]);
		int d = s[i + 3] == '=' ? -2 : value(s[i + 3]);
		int last = i + 4 == n;
		if (a < 0 || b < 0 || c == -1 || d == -1 || (!last && (c < 0 || d < 0)) ||
		    (c == -2 && d != -2)) {
			free(buf);
			return -1;
		}
		buf[o++] = (unsigned char)((a << 2) | (b >> 4));
		if (c >= 0)
			buf[o++] = (unsigned char)(((b & 15) << 4) | (c >> 2));
		if (d >= 0)
			buf[o++] = (unsigned char)(((c & 3) << 6) | d);
	}
	buf[o] = '\0';
	*out = buf;
	*len = o;
	return 0;
}
