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

/* alphabet index + 1 by byte (0: not in the alphabet): decoding is on the
 * etcd store's read path, for every key and value */
static const unsigned char index_of[256] = {
	['A'] = 1,  ['B'] = 2,  ['C'] = 3,  ['D'] = 4,  ['E'] = 5,  ['F'] = 6,  ['G'] = 7,
	['H'] = 8,  ['I'] = 9,  ['J'] = 10, ['K'] = 11, ['L'] = 12, ['M'] = 13, ['N'] = 14,
	['O'] = 15, ['P'] = 16, ['Q'] = 17, ['R'] = 18, ['S'] = 19, ['T'] = 20, ['U'] = 21,
	['V'] = 22, ['W'] = 23, ['X'] = 24, ['Y'] = 25, ['Z'] = 26, ['a'] = 27, ['b'] = 28,
	['c'] = 29, ['d'] = 30, ['e'] = 31, ['f'] = 32, ['g'] = 33, ['h'] = 34, ['i'] = 35,
	['j'] = 36, ['k'] = 37, ['l'] = 38, ['m'] = 39, ['n'] = 40, ['o'] = 41, ['p'] = 42,
	['q'] = 43, ['r'] = 44, ['s'] = 45, ['t'] = 46, ['u'] = 47, ['v'] = 48, ['w'] = 49,
	['x'] = 50, ['y'] = 51, ['z'] = 52, ['0'] = 53, ['1'] = 54, ['2'] = 55, ['3'] = 56,
	['4'] = 57, ['5'] = 58, ['6'] = 59, ['7'] = 60, ['8'] = 61, ['9'] = 62, ['+'] = 63,
	['/'] = 64,
};

static int value(char c)
{
	return (int)index_of[(unsigned char)c] - 1;
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
