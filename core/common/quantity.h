/* Kubernetes resource quantities ("100m", "1.5Gi", "1e3", "500Mi").
 *
 * A quantity is value * 10^scale with value an int64 and scale >= -9
 * (nano), plus the suffix family it was written in so that formatting
 * gives back Kubernetes' canonical form ("1.5Gi" -> "1536Mi", "1000m" ->
 * "1", "0.1" -> "100m").  Precision finer than 1n is rounded up, as
 * Kubernetes does.  Values whose digits do not fit an int64 at the needed
 * scale are refused with K8C_ETOOLARGE.  Pure code: no allocation. */
#ifndef K8C_COMMON_QUANTITY_H
#define K8C_COMMON_QUANTITY_H

#include <stdint.h>

#include <k8c/error.h>

struct cJSON;

enum k8c_quantity_format {
	K8C_QUANTITY_DECIMAL_SI = 0,       /* m, "", k, M, G, T, P, E */
	K8C_QUANTITY_BINARY_SI = 1,        /* Ki, Mi, Gi, Ti, Pi, Ei */
	K8C_QUANTITY_DECIMAL_EXPONENT = 2, /* 1e3, 1E-3 */
};

typedef struct k8c_quantity {
	int64_t value;
	int32_t scale;  /* power of ten; >= -9 */
	int32_t format; /* enum k8c_quantity_format */
} k8c_quantity_t;

/* Longest canonical string, NUL included. */
#define K8C_QUANTITY_STRLEN 64

/* Parse s.  Leading/trailing blanks, empty strings, unknown suffixes and
 * junk are K8C_EINVAL. */
int k8c_quantity_parse(const char *s, k8c_quantity_t *q, k8c_error_t *err);
/* Parse a JSON string or number. */
int k8c_quantity_from_json(const struct cJSON *j, k8c_quantity_t *q,
                           k8c_error_t *err);
/* -1, 0 or 1. */
int k8c_quantity_cmp(const k8c_quantity_t *a, const k8c_quantity_t *b);
/* *a += b / *a -= b; K8C_ETOOLARGE on overflow (a unchanged). */
int k8c_quantity_add(k8c_quantity_t *a, const k8c_quantity_t *b, k8c_error_t *err);
int k8c_quantity_sub(k8c_quantity_t *a, const k8c_quantity_t *b, k8c_error_t *err);
/* The amount in whole units / in thousandths, rounded up (towards
 * +infinity), saturating at INT64_MIN/INT64_MAX. */
int64_t k8c_quantity_value(const k8c_quantity_t *q);
int64_t k8c_quantity_milli(const k8c_quantity_t *q);
/* Build a quantity of value units (or value thousandths) in a format. */
k8c_quantity_t k8c_quantity_from_int(int64_t value, int format);
k8c_quantity_t k8c_quantity_from_milli(int64_t milli, int format);
int k8c_quantity_is_zero(const k8c_quantity_t *q);
/* Canonical form into buf (at least K8C_QUANTITY_STRLEN bytes); returns
 * buf. */
char *k8c_quantity_format(const k8c_quantity_t *q, char *buf, size_t len);

#endif
