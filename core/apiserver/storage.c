/* Objects in the datastore: keys, encoding, and the resourceVersion, which
 * is the key's mod revision and never stored inside the value. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "apiserver/internal.h"
#include "apiserver/kinds/util.h"
#include "apiserver/metrics.h"
#include "common/json_print.h"
#include "common/timestamp.h"
#include "common/mem.h"

char *k8c_storage_key(const k8c_kind_t *kind, const char *ns, const char *name)
{
	const char *g;

	if (kind->stored_as != NULL)
		kind = kind->stored_as;
	g = kind->group[0] ? kind->group : "core";

	if (!kind->namespaced || ns == NULL)
		return name ? k8c_xasprintf("/registry/%s/%s/%s", g, kind->resource, name)
		            : k8c_xasprintf("/registry/%s/%s/", g, kind->resource);
	return name ? k8c_xasprintf("/registry/%s/%s/%s/%s", g, kind->resource, ns, name)
	            : k8c_xasprintf("/registry/%s/%s/%s/", g, kind->resource, ns);
}

char *k8c_storage_prefix_end(const char *prefix)
{
	char *end = k8c_xstrdup(prefix);

	end[strlen(end) - 1]++;
	return end;
}

int64_t k8c_storage_rv(const cJSON *obj)
{
	const cJSON *md = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
	const cJSON *rv = cJSON_GetObjectItemCaseSensitive(md, "resourceVersion");
	char *end;
	long long v;

	if (!cJSON_IsString(rv) || rv->valuestring[0] == '\0')
		return 0;
	v = strtoll(rv->valuestring, &end, 10);
	return *end == '\0' && v > 0 ? v : -1;
}

static void set_rv(cJSON *obj, int64_t rev)
{
	cJSON *md = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
	char buf[32];

	if (!cJSON_IsObject(md))
		return;
	snprintf(buf, sizeof(buf), "%lld", (long long)rev);
	cJSON_DeleteItemFromObjectCaseSensitive(md, "resourceVersion");
	cJSON_AddStringToObject(md, "resourceVersion", buf);
}

cJSON *k8c_storage_decode(const k8c_kind_t *kind, const char *value, size_t len, int64_t rev)
{
	cJSON *obj = cJSON_ParseWithLength(value, len);

	if (obj == NULL)
		return NULL;
	if (kind != NULL && kind->from_stored != NULL)
		kind->from_stored(obj);
	set_rv(obj, rev);
	return obj;
}

char *k8c_storage_item_json(const k8c_kind_t *kind, const k8c_store_kv_t *kv, size_t *len)
{
	char *json = NULL;
	cJSON *o;

	if (kind == NULL || kind->from_stored == NULL) {
		json = k8c_storage_splice_rv(kv->value, kv->value_len, kv->mod_revision, len);
		if (json != NULL)
			return json;
	}
	/* converted, or no top-level metadata: parse and print */
	o = k8c_storage_decode(kind, kv->value, kv->value_len, kv->mod_revision);
	if (o != NULL)
		json = k8c_json_print(o, len);
	cJSON_Delete(o);
	return json;
}

/* Put metadata right after apiVersion and kind, so that a reader finds it
 * within the first bytes of the stored value (k8c_storage_splice_rv). */
static void metadata_third(cJSON *obj)
{
	cJSON *md = cJSON_DetachItemFromObjectCaseSensitive(obj, "metadata");
	cJSON *after = NULL, *c;

	if (md == NULL)
		return;
	cJSON_ArrayForEach(c, obj)
		if (strcmp(c->string, "apiVersion") == 0 || strcmp(c->string, "kind") == 0)
			after = c;
		else
			break;
	if (after == NULL) { /* at the head */
		md->next = obj->child;
		md->prev = obj->child ? obj->child->prev : md;
		if (obj->child)
			obj->child->prev = md;
		obj->child = md;
		return;
	}
	md->next = after->next;
	md->prev = after;
	if (after->next)
		after->next->prev = md;
	else
		obj->child->prev = md; /* the new tail */
	after->next = md;
}

/* The value to store: obj without its resourceVersion, in the stored
 * kind's form. */
static char *encode(const k8c_kind_t *kind, cJSON *obj)
{
	cJSON *md = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
	cJSON *rv = cJSON_DetachItemFromObjectCaseSensitive(md, "resourceVersion");
	char *s;

	metadata_third(obj);
	if (kind->to_stored != NULL) {
		cJSON *copy = cJSON_Duplicate(obj, 1);
		kind->to_stored(copy);
		metadata_third(copy);
		s = k8c_json_print(copy, NULL);
		cJSON_Delete(copy);
	} else {
		s = k8c_json_print(obj, NULL);
	}
	cJSON_Delete(rv);
	return s;
}

char *k8c_storage_splice_rv(const char *value, size_t len, int64_t rev, size_t *out_len)
{
	static const char key[] = "\"metadata\":{";
	int depth = 0, in_str = 0;
	char rv[64];
	size_t rvlen, i;

	for (i = 0; i < len; i++) {
		char c = value[i];
		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = 0;
			continue;
		}
		if (depth == 1 && c == '"' && len - i >= sizeof(key) - 1 &&
		    memcmp(value + i, key, sizeof(key) - 1) == 0)
			break;
		if (c == '"')
			in_str = 1;
		else if (c == '{' || c == '[')
			depth++;
		else if (c == '}' || c == ']')
			depth--;
	}
	if (i >= len)
		return NULL;
	i += sizeof(key) - 1; /* just after the metadata's '{' */
	rvlen = (size_t)snprintf(rv, sizeof(rv), "\"resourceVersion\":\"%lld\"%s", (long long)rev,
	                         i < len && value[i] == '}' ? "" : ",");
	{
		char *out = k8c_xmalloc(len + rvlen + 1);
		memcpy(out, value, i);
		memcpy(out + i, rv, rvlen);
		memcpy(out + i + rvlen, value + i, len - i);
		out[len + rvlen] = '\0';
		*out_len = len + rvlen;
		return out;
	}
}

/* The index of kind in k8c_kinds, or -1. */
static int kind_slot(const k8c_kind_t *kind)
{
	int i = 0;

	for (const k8c_kind_t *const *k = k8c_kinds; *k != NULL && i < K8C_MAX_HUBS; k++, i++)
		if (*k == kind)
			return i;
	return -1;
}

static void count_write(k8c_apiserver_t *srv, const k8c_kind_t *kind)
{
	int slot = kind_slot(kind);

	if (slot >= 0)
		__atomic_fetch_add(&srv->kind_writes[slot], 1, __ATOMIC_RELEASE);
}

uint64_t k8c_storage_writes(k8c_apiserver_t *srv, const k8c_kind_t *kind)
{
	int slot = kind_slot(kind);

	return slot >= 0 ? __atomic_load_n(&srv->kind_writes[slot], __ATOMIC_ACQUIRE) : 0;
}

typedef struct raw_got {
	const k8c_kind_t *kind;
	char *json;
	size_t len;
} raw_got_t;

static int raw_kv(void *udata, const k8c_store_kv_t *kv)
{
	raw_got_t *g = udata;

	free(g->json);
	g->json = k8c_storage_item_json(g->kind, kv, &g->len);
	if (g->json == NULL)
		g->len = 0;
	return 0;
}

int k8c_storage_get_json(k8c_apiserver_t *srv, const k8c_kind_t *kind, const char *ns,
                         const char *name, char **json, size_t *len, k8c_error_t *err)
{
	_cleanup_free_ char *key = k8c_storage_key(kind, ns, name);
	raw_got_t g = {kind, NULL, 0};
	int64_t t0 = k8c_time_monotonic_ns();
	int ret = srv->store->get(srv->store_cookie, key, 0, raw_kv, &g, err);

	k8c_metrics_store(K8C_MS_GET, k8c_time_monotonic_ns() - t0);
	if (ret < 0) {
		free(g.json);
		return ret;
	}
	if (g.json == NULL)
		return k8c_error_make(err, K8C_EINTERNAL, "stored value of %s is not JSON", key);
	*json = g.json;
	*len = g.len;
	return 0;
}

typedef struct got {
	const k8c_kind_t *kind;
	cJSON *obj;
} got_t;

static int got_kv(void *udata, const k8c_store_kv_t *kv)
{
	got_t *g = udata;

	cJSON_Delete(g->obj);
	g->obj = k8c_storage_decode(g->kind, kv->value, kv->value_len, kv->mod_revision);
	return 0;
}

int k8c_storage_get(k8c_apiserver_t *srv, const k8c_kind_t *kind, const char *ns,
                    const char *name, cJSON **obj, k8c_error_t *err)
{
	_cleanup_free_ char *key = k8c_storage_key(kind, ns, name);
	got_t g = {kind, NULL};
	int64_t t0 = k8c_time_monotonic_ns();
	int ret = srv->store->get(srv->store_cookie, key, 0, got_kv, &g, err);

	k8c_metrics_store(K8C_MS_GET, k8c_time_monotonic_ns() - t0);
	if (ret < 0)
		return ret;
	if (g.obj == NULL)
		return k8c_error_make(err, K8C_EINTERNAL, "stored value of %s is not JSON", key);
	*obj = g.obj;
	return 0;
}

/* The time to live of a kind's objects in seconds, 0 for good: events
 * expire (--event-ttl) when the store has TTL keys, as in Kubernetes. */
static int64_t ttl_of(const k8c_apiserver_t *srv, const k8c_kind_t *kind)
{
	const k8c_store_ops_t *ops = srv->store;

	if (srv->cfg.event_ttl_seconds <= 0 || strcmp(kind->resource, "events") != 0 ||
	    !K8C_HAS_MEMBER(ops->struct_size, k8c_store_ops_t, update_ttl) || ops->create_ttl == NULL ||
	    ops->update_ttl == NULL)
		return 0;
	return srv->cfg.event_ttl_seconds;
}

int k8c_storage_create_json(k8c_apiserver_t *srv, const k8c_kind_t *kind, cJSON *obj,
                            char **json, size_t *json_len, k8c_error_t *err)
{
	_cleanup_free_ char *key = k8c_storage_key(kind, k8c_meta_str(obj, "namespace"),
	                                           k8c_meta_str(obj, "name"));
	_cleanup_free_ char *value = encode(kind, obj);
	size_t len = strlen(value);
	int64_t rev = 0, t0 = k8c_time_monotonic_ns(), ttl = ttl_of(srv, kind);
	int ret = ttl > 0 ? srv->store->create_ttl(srv->store_cookie, key, value, len, ttl, &rev, err)
	                  : srv->store->create(srv->store_cookie, key, value, len, &rev, err);

	k8c_metrics_store(K8C_MS_CREATE, k8c_time_monotonic_ns() - t0);
	if (ret < 0)
		return ret;
	count_write(srv, kind);
	set_rv(obj, rev);
	if (json != NULL && kind->to_stored == NULL) /* the stored bytes are the response */
		*json = k8c_storage_splice_rv(value, len, rev, json_len);
	return 0;
}

int k8c_storage_create(k8c_apiserver_t *srv, const k8c_kind_t *kind, cJSON *obj,
                       k8c_error_t *err)
{
	return k8c_storage_create_json(srv, kind, obj, NULL, NULL, err);
}

int k8c_storage_update(k8c_apiserver_t *srv, const k8c_kind_t *kind, cJSON *obj,
                       int64_t expected, k8c_error_t *err)
{
	_cleanup_free_ char *key = k8c_storage_key(kind, k8c_meta_str(obj, "namespace"),
	                                           k8c_meta_str(obj, "name"));
	_cleanup_free_ char *value = NULL;
	int64_t rev = 0;
	int ret;

	if (expected == 0)
		expected = k8c_storage_rv(obj);
	value = encode(kind, obj);
	{
		int64_t t0 = k8c_time_monotonic_ns();
		int64_t ttl = ttl_of(srv, kind);
		ret = ttl > 0 ? srv->store->update_ttl(srv->store_cookie, key, value, strlen(value),
		                                       expected, ttl, &rev, NULL, NULL, err)
		              : srv->store->update(srv->store_cookie, key, value, strlen(value), expected,
		                                   &rev, NULL, NULL, err);
		k8c_metrics_store(K8C_MS_UPDATE, k8c_time_monotonic_ns() - t0);
	}
	if (ret < 0)
		return ret;
	count_write(srv, kind);
	set_rv(obj, rev);
	return 0;
}

int k8c_storage_delete(k8c_apiserver_t *srv, const k8c_kind_t *kind, const char *ns,
                       const char *name, int64_t expected, int64_t *rev, k8c_error_t *err)
{
	_cleanup_free_ char *key = k8c_storage_key(kind, ns, name);
	int64_t r = 0, t0 = k8c_time_monotonic_ns();
	int ret = srv->store->delete(srv->store_cookie, key, expected, &r, NULL, NULL, err);

	k8c_metrics_store(K8C_MS_DELETE, k8c_time_monotonic_ns() - t0);
	if (ret >= 0)
		count_write(srv, kind);
	if (rev != NULL)
		*rev = r;
	return ret;
}

typedef struct names_ctx {
	cJSON *names;
} names_ctx_t;

static int add_name(void *udata, const k8c_store_kv_t *kv)
{
	names_ctx_t *c = udata;
	const char *slash = strrchr(kv->key, '/');

	cJSON_AddItemToArray(c->names, cJSON_CreateString(slash ? slash + 1 : kv->key));
	return 0;
}

int k8c_storage_list_names(k8c_apiserver_t *srv, const char *prefix, const char *end,
                           cJSON *names, k8c_error_t *err)
{
	names_ctx_t c = {names};

	return srv->store->range(srv->store_cookie, prefix, end, 0, 1000, add_name, &c, NULL, err);
}

typedef struct list_ctx {
	const k8c_kind_t *kind;
	cJSON *items;
} list_ctx_t;

static int add_item(void *udata, const k8c_store_kv_t *kv)
{
	list_ctx_t *c = udata;
	cJSON *obj = k8c_storage_decode(c->kind, kv->value, kv->value_len, kv->mod_revision);

	if (obj != NULL)
		cJSON_AddItemToArray(c->items, obj);
	return 0;
}

int k8c_storage_list(k8c_apiserver_t *srv, const k8c_kind_t *kind, const char *ns,
                     cJSON *items, k8c_error_t *err)
{
	_cleanup_free_ char *prefix = k8c_storage_key(kind, ns, NULL);
	_cleanup_free_ char *end = k8c_storage_prefix_end(prefix);
	list_ctx_t c = {kind, items};

	return srv->store->range(srv->store_cookie, prefix, end, 0, 0, add_item, &c, NULL, err);
}
