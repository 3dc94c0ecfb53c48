/* pod-topology-spread: a topology domain table, string -> count.
 *
 * One per constraint per cycle, filled in pre_filter and pre_score and
 * read by filter and score from several threads.  A hostname constraint
 * has as many domains as nodes, so the table takes no allocation per
 * entry: open addressing over arrays, the keys copied into one buffer. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common/mem.h"
#include "spread.h"

static uint64_t hash_of(const char *s)
{
	uint64_t h = 14695981039346656037ull; /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

/* The slot where value is or would go. */
static size_t probe(const domains_t *d, const char *value, uint64_t h)
{
	size_t i = (size_t)h & d->mask;

	while (d->slot[i] != 0) {
		size_t e = d->slot[i] - 1;

		if (d->hash[e] == h && strcmp(d->keys + d->key[e], value) == 0)
			break;
		i = (i + 1) & d->mask;
	}
	return i;
}

int64_t *domain_find(const domains_t *d, const char *value)
{
	size_t i;

	if (d->n == 0)
		return NULL;
	i = probe(d, value, hash_of(value));
	return d->slot[i] != 0 ? &d->count[d->slot[i] - 1] : NULL;
}

static void rehash(domains_t *d, size_t slots)
{
	free(d->slot);
	d->slot = k8c_xcalloc(slots, sizeof(uint32_t));
	d->mask = slots - 1;
	for (size_t e = 0; e < d->n; e++) {
		size_t i = (size_t)d->hash[e] & d->mask;

		while (d->slot[i] != 0)
			i = (i + 1) & d->mask;
		d->slot[i] = (uint32_t)(e + 1);
	}
}

int64_t *domain_add(domains_t *d, const char *value)
{
	uint64_t h = hash_of(value);
	size_t len = strlen(value) + 1, i;

	if (d->slot == NULL || (d->n + 1) * 2 > d->mask + 1)
		rehash(d, d->slot == NULL ? 16 : (d->mask + 1) * 2);
	i = probe(d, value, h);
	if (d->slot[i] != 0)
		return &d->count[d->slot[i] - 1];
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 8;
		d->hash = k8c_xrealloc(d->hash, d->cap * sizeof(uint64_t));
		d->key = k8c_xrealloc(d->key, d->cap * sizeof(size_t));
		d->count = k8c_xrealloc(d->count, d->cap * sizeof(int64_t));
	}
	if (d->keys_len + len > d->keys_cap) {
		d->keys_cap = (d->keys_len + len) * 2;
		d->keys = k8c_xrealloc(d->keys, d->keys_cap);
	}
	memcpy(d->keys + d->keys_len, value, len);
	d->hash[d->n] = h;
	d->key[d->n] = d->keys_len;
	d->count[d->n] = 0;
	d->keys_len += len;
	d->slot[i] = (uint32_t)(d->n + 1);
	return &d->count[d->n++];
}

void domains_clear(domains_t *d)
{
	free(d->slot);
	free(d->hash);
	free(d->key);
	free(d->count);
	free(d->keys);
	memset(d, 0, sizeof(*d));
}

/* --- pointer -> small integer ------------------------------------------------ */

static size_t ptr_hash(const void *p)
{
	uint64_t h = (uint64_t)(uintptr_t)p * 0x9e3779b97f4a7c15ull;

	return (size_t)(h >> 17);
}

void ptrmap_reset(ptrmap_t *p, size_t n)
{
	size_t slots = 16;

	while (slots < n * 2)
		slots *= 2;
	if (slots != p->mask + 1 || p->key == NULL) {
		free(p->key);
		free(p->val);
		p->key = k8c_xcalloc(slots, sizeof(void *));
		p->val = k8c_xcalloc(slots, sizeof(uint32_t));
		p->mask = slots - 1;
	} else {
		memset(p->key, 0, slots * sizeof(void *));
	}
	p->n = 0;
}

void ptrmap_put(ptrmap_t *p, const void *key, uint32_t val)
{
	size_t i = ptr_hash(key) & p->mask;

	if (key == NULL || (p->n + 1) * 2 > p->mask + 1)
		return; /* sized by ptrmap_reset: never full */
	while (p->key[i] != NULL && p->key[i] != key)
		i = (i + 1) & p->mask;
	if (p->key[i] == NULL)
		p->n++;
	p->key[i] = key;
	p->val[i] = val;
}

int ptrmap_get(const ptrmap_t *p, const void *key, uint32_t *val)
{
	size_t i;

	if (p->key == NULL || key == NULL)
		return 0;
	for (i = ptr_hash(key) & p->mask; p->key[i] != NULL; i = (i + 1) & p->mask)
		if (p->key[i] == key) {
			*val = p->val[i];
			return 1;
		}
	return 0;
}

void ptrmap_clear(ptrmap_t *p)
{
	free(p->key);
	free(p->val);
	memset(p, 0, sizeof(*p));
}
