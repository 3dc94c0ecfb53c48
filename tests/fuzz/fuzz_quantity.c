/* libFuzzer target for Kubernetes quantities: whatever parses must print a
 * canonical form that parses back to the same amount and prints the same
 * again (a fixed point, after at most one more round), and the arithmetic
 * on it must stay consistent. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/quantity.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char buf[K8C_QUANTITY_STRLEN], buf2[K8C_QUANTITY_STRLEN];
	k8c_quantity_t q, q2, d;
	k8c_error_t err;
	char *s = malloc(size + 1);

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';

	if (k8c_quantity_parse(s, &q, &err) < 0) {
		/* Refusals are only ever these two. */
		if (err.code != K8C_EINVAL && err.code != K8C_ETOOLARGE)
			abort();
		free(s);
		return 0;
	}
	if (q.scale < -9)
		abort();

	k8c_quantity_format(&q, buf, sizeof(buf));
	if (strlen(buf) + 1 >= sizeof(buf)) /* never near truncation */
		abort();
	if (k8c_quantity_parse(buf, &q2, &err) < 0)
		abort();
	if (k8c_quantity_cmp(&q, &q2) != 0 || k8c_quantity_cmp(&q2, &q) != 0)
		abort();
	k8c_quantity_format(&q2, buf2, sizeof(buf2));
	if (strcmp(buf, buf2) != 0) {
		/* Only a binary amount printed without a binary suffix
		 * ("812.5Ki" -> "832000") reads back as decimal ("832k"), as
		 * in Kubernetes; that form is then stable. */
		if (q.format != K8C_QUANTITY_BINARY_SI || q2.format != K8C_QUANTITY_DECIMAL_SI)
			abort();
		if (k8c_quantity_parse(buf2, &d, &err) < 0 || k8c_quantity_cmp(&d, &q) != 0 ||
		    strcmp(k8c_quantity_format(&d, buf, sizeof(buf)), buf2) != 0)
			abort();
	}

	/* q - q2 is exactly zero; q + q is twice q or an overflow. */
	d = q;
	if (k8c_quantity_sub(&d, &q2, &err) < 0 || !k8c_quantity_is_zero(&d))
		abort();
	d = q;
	if (k8c_quantity_add(&d, &q2, &err) == 0) {
		int sign = (q.value > 0) - (q.value < 0);
		if (k8c_quantity_cmp(&d, &q) != sign)
			abort();
		if (k8c_quantity_sub(&d, &q, &err) < 0 || k8c_quantity_cmp(&d, &q) != 0)
			abort();
	} else if (err.code != K8C_ETOOLARGE) {
		abort();
	}

	/* Rounding up: milli >= 1000 * value - 999 ... and ordering. */
	int64_t v = k8c_quantity_value(&q), m = k8c_quantity_milli(&q);
	if (v > 0 && m < v && m != INT64_MAX)
		abort();
	if ((q.value > 0 && (v <= 0 || m <= 0)) || (q.value < 0 && (v > 0 || m > 0)))
		abort();
	free(s);
	return 0;
}
