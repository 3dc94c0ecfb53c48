/* Shared object keys of long-lived cJSON trees (see json_intern.h). */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "common/json_intern.h"
#include "common/mem.h"
#include "common/strmap.h"

static pthread_mutex_t intern_lock = PTHREAD_MUTEX_INITIALIZER;
static k8c_strmap_t interned; /* key -> its shared copy (owned, never freed) */
static int interned_init;

/* The shared copy of key, made if there is room; NULL when full.  Lock held. */
static const char *shared(const char *key)
{
	char *copy = k8c_strmap_get(&interned, key);

	if (copy != NULL || interned.count >= K8C_JSON_INTERN_MAX)
		return copy;
	copy = k8c_xstrdup(key);
	k8c_strmap_put(&interned, key, copy);
	return copy;
}

static void intern_tree(cJSON *item)
{
	for (; item != NULL; item = item->next) {
		if (item->string != NULL && !(item->type & cJSON_StringIsConst)) {
			const char *s = shared(item->string);

			if (s != NULL) {
				free(item->string);
				item->string = (char *)s;
				item->type |= cJSON_StringIsConst;
			}
		}
		if (item->child != NULL)
			intern_tree(item->child);
	}
}

void k8c_json_intern_keys(cJSON *tree)
{
	if (tree == NULL)
		return;
	pthread_mutex_lock(&intern_lock);
	if (!interned_init) {
		k8c_strmap_init(&interned);
		interned_init = 1;
	}
	/* the root's own key (a member of some object) stays as it is */
	if (tree->child != NULL)
		intern_tree(tree->child);
	pthread_mutex_unlock(&intern_lock);
}

size_t k8c_json_intern_count(void)
{
	size_t n;

	pthread_mutex_lock(&intern_lock);
	n = interned_init ? interned.count : 0;
	pthread_mutex_unlock(&intern_lock);
	return n;
}
