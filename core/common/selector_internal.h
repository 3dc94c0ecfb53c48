/* Helpers shared by label_selector.c and field_selector.c only: a growing
 * string for the canonical printed forms, and a qsort comparator.  Not part
 * of the public selector API (selector.h). */
#ifndef K8C_COMMON_SELECTOR_INTERNAL_H
#define K8C_COMMON_SELECTOR_INTERNAL_H

#include <stddef.h>
#include <string.h>

#include "common/mem.h"

typedef struct strbuf {
	char *s;
	size_t len, cap;
} strbuf_t;

static inline void sb_addn(strbuf_t *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = k8c_xrealloc(b->s, b->cap);
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static inline void sb_add(strbuf_t *b, const char *s)
{
	sb_addn(b, s, strlen(s));
}

/* The string, never NULL; the caller frees it. */
static inline char *sb_take(strbuf_t *b)
{
	if (b->s == NULL)
		return k8c_xstrdup("");
	return b->s;
}

/* qsort comparator for an array of char *. */
static inline int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

#endif
