/* Counts and scores per topology pair (key=value), kube-scheduler's
 * topologyToMatchedTermCount and scoreMap: an open-addressing hash map
 * whose strings are borrowed from the node labels of the cycle's
 * snapshot, so that building it copies nothing and a lookup from filter
 * or score (several threads, read-only) allocates nothing. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/mem.h"
#include "inter_pod_affinity.h"

#define FNV_OFFSET 1469598103934665603ULL
#define FNV_PRIME 1099511628211ULL
#define MIN_CAP 16

/* FNV-1a over key, a separator no label holds, and value. */
static uint64_t pair_hash(const char *key, const char *value)
{
	uint64_t h = FNV_OFFSET;

	for (const unsigned char *s = (const unsigned char *)key; *s; s++)
		h = (h ^ *s) * FNV_PRIME;
	h = (h ^ 0xffu) * FNV_PRIME;
	for (const unsigned char *s = (const unsigned char *)value; *s; s++)
		h = (h ^ *s) * FNV_PRIME;
	return h;
}

/* The slot holding (key, value), or the empty slot where it would go. */
static ipa_pair_t *slot(const ipa_pair_map_t *m, const char *key,
                        const char *value, uint64_t h)
{
	size_t mask = m->cap - 1, i = (size_t)h & mask;

	for (;;) {
		ipa_pair_t *p = &m->v[i];

		if (p->key == NULL)
			return p;
		if (p->hash == h && (p->key == key || strcmp(p->key, key) == 0) &&
		    (p->value == value || strcmp(p->value, value) == 0))
			return p;
		i = (i + 1) & mask;
	}
}

static void grow(ipa_pair_map_t *m)
{
	ipa_pair_map_t bigger = {
		.cap = m->cap ? m->cap * 2 : MIN_CAP,
		.n = m->n,
	};

	bigger.v = k8c_xcalloc(bigger.cap, sizeof(ipa_pair_t));
	for (size_t i = 0; i < m->cap; i++)
		if (m->v[i].key != NULL)
			*slot(&bigger, m->v[i].key, m->v[i].value, m->v[i].hash) = m->v[i];
	free(m->v);
	*m = bigger;
}

int ipa_pair_map_add(ipa_pair_map_t *m, const char *key, const char *value,
                     int64_t delta)
{
	uint64_t h = pair_hash(key, value);
	ipa_pair_t *p;

	if ((m->n + 1) * 2 > m->cap)
		grow(m);
	p = slot(m, key, value, h);
	if (p->key != NULL) {
		p->count += delta;
		return 0;
	}
	*p = (ipa_pair_t){.key = key, .value = value, .hash = h, .count = delta};
	m->n++;
	return 1;
}

int64_t ipa_pair_map_get(const ipa_pair_map_t *m, const char *key,
                         const char *value)
{
	const ipa_pair_t *p;

	if (m->n == 0)
		return 0;
	p = slot(m, key, value, pair_hash(key, value));
	return p->key != NULL ? p->count : 0;
}

void ipa_pair_map_free(ipa_pair_map_t *m)
{
	free(m->v);
	memset(m, 0, sizeof(*m));
}

void ipa_keys_add(ipa_keys_t *k, const char *key)
{
	for (size_t i = 0; i < k->n; i++)
		if (strcmp(k->v[i], key) == 0)
			return;
	if (k->n == k->cap) {
		k->cap = k->cap ? k->cap * 2 : 4;
		k->v = k8c_xrealloc(k->v, k->cap * sizeof(char *));
	}
	k->v[k->n++] = key;
}

void ipa_keys_free(ipa_keys_t *k)
{
	free(k->v);
	memset(k, 0, sizeof(*k));
}

const char *ipa_label(const cJSON *labels, const char *key, const char **item_key)
{
	const cJSON *it;

	if (labels == NULL)
		return NULL;
	it = cJSON_GetObjectItemCaseSensitive(labels, key);
	if (!cJSON_IsString(it))
		return NULL;
	if (item_key != NULL)
		*item_key = it->string;
	return it->valuestring;
}
