/* A chained hash table keyed by strings (FNV-1a). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common/mem.h"
#include "common/strmap.h"

static size_t hash_of(const char *s)
{
	size_t h = (size_t)14695981039346656037ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * (size_t)1099511628211ull;
	return h;
}

void k8c_strmap_init(k8c_strmap_t *m)
{
	memset(m, 0, sizeof(*m));
}

void k8c_strmap_free(k8c_strmap_t *m)
{
	for (size_t i = 0; i < m->n_buckets; i++) {
		k8c_strmap_entry_t *e = m->buckets[i];
		while (e != NULL) {
			k8c_strmap_entry_t *n = e->next;
			free(e->key);
			free(e);
			e = n;
		}
	}
	free(m->buckets);
	k8c_strmap_init(m);
}

static k8c_strmap_entry_t **link_of(const k8c_strmap_t *m, const char *key, size_t h)
{
	k8c_strmap_entry_t **pe;

	if (m->n_buckets == 0)
		return NULL;
	pe = &m->buckets[h & (m->n_buckets - 1)];
	while (*pe != NULL && ((*pe)->hash != h || strcmp((*pe)->key, key) != 0))
		pe = &(*pe)->next;
	return pe;
}

void *k8c_strmap_get(const k8c_strmap_t *m, const char *key)
{
	k8c_strmap_entry_t **pe = link_of(m, key, hash_of(key));

	return pe != NULL && *pe != NULL ? (*pe)->value : NULL;
}

static void grow(k8c_strmap_t *m)
{
	size_t n = m->n_buckets ? m->n_buckets * 2 : 16;
	k8c_strmap_entry_t **b = k8c_xcalloc(n, sizeof(*b));

	for (size_t i = 0; i < m->n_buckets; i++) {
		k8c_strmap_entry_t *e = m->buckets[i];
		while (e != NULL) {
			k8c_strmap_entry_t *next = e->next;
			e->next = b[e->hash & (n - 1)];
			b[e->hash & (n - 1)] = e;
			e = next;
		}
	}
	free(m->buckets);
	m->buckets = b;
	m->n_buckets = n;
}

void *k8c_strmap_put(k8c_strmap_t *m, const char *key, void *value)
{
	size_t h = hash_of(key);
	k8c_strmap_entry_t **pe, *e;

	if (m->count + 1 > m->n_buckets)
		grow(m);
	pe = link_of(m, key, h);
	if (*pe != NULL) {
		void *old = (*pe)->value;
		(*pe)->value = value;
		return old;
	}
	e = k8c_xcalloc(1, sizeof(*e));
	e->key = k8c_xstrdup(key);
	e->value = value;
	e->hash = h;
	*pe = e;
	m->count++;
	return NULL;
}

void *k8c_strmap_remove(k8c_strmap_t *m, const char *key)
{
	k8c_strmap_entry_t **pe = link_of(m, key, hash_of(key)), *e;
	void *v;

	if (pe == NULL || *pe == NULL)
		return NULL;
	e = *pe;
	*pe = e->next;
	v = e->value;
	free(e->key);
	free(e);
	m->count--;
	return v;
}

k8c_strmap_entry_t *k8c_strmap_first(const k8c_strmap_t *m, size_t *i)
{
	for (*i = 0; *i < m->n_buckets; (*i)++)
		if (m->buckets[*i] != NULL)
			return m->buckets[*i];
	return NULL;
}

k8c_strmap_entry_t *k8c_strmap_next(const k8c_strmap_t *m, k8c_strmap_entry_t *e, size_t *i)
{
	if (e->next != NULL)
		return e->next;
	for ((*i)++; *i < m->n_buckets; (*i)++)
		if (m->buckets[*i] != NULL)
			return m->buckets[*i];
	return NULL;
}
