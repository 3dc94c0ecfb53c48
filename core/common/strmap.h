/* A map from strings to pointers: chained hash table that doubles as it
 * fills.  Not thread-safe: callers lock around it.  Keys are copied;
 * values are the caller's (the map never frees them). */
#ifndef K8C_COMMON_STRMAP_H
#define K8C_COMMON_STRMAP_H

#include <stddef.h>

typedef struct k8c_strmap_entry {
	char *key;   /* owned by the map */
	void *value; /* the caller's */
	size_t hash;
	struct k8c_strmap_entry *next;
} k8c_strmap_entry_t;

typedef struct k8c_strmap {
	k8c_strmap_entry_t **buckets; /* owned */
	size_t n_buckets, count;
} k8c_strmap_t;

void k8c_strmap_init(k8c_strmap_t *m);
/* Free the map's memory (not the values: walk them first). */
void k8c_strmap_free(k8c_strmap_t *m);
void *k8c_strmap_get(const k8c_strmap_t *m, const char *key);
/* Set key to value; returns the value it replaced (NULL when new). */
void *k8c_strmap_put(k8c_strmap_t *m, const char *key, void *value);
/* Remove key; returns its value (NULL when absent). */
void *k8c_strmap_remove(k8c_strmap_t *m, const char *key);

/* Walk: for (e = k8c_strmap_first(m, &i); e; e = k8c_strmap_next(m, e, &i)).
 * The map must not change during a walk. */
k8c_strmap_entry_t *k8c_strmap_first(const k8c_strmap_t *m, size_t *i);
k8c_strmap_entry_t *k8c_strmap_next(const k8c_strmap_t *m, k8c_strmap_entry_t *e, size_t *i);

#endif
