/* store-etcd: the unary operations — kv/range, kv/txn guarded by
 * mod_revision (as the Kubernetes API server does it), kv/deleterange,
 * kv/compaction — and the JSON helpers they share with the watch. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "common/base64.h"
#include "common/json_print.h"
#include "common/mem.h"
#include "store_etcd.h"

int64_t etcd_int(const cJSON *obj, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);

	if (cJSON_IsString(v))
		return strtoll(v->valuestring, NULL, 10);
	if (cJSON_IsNumber(v))
		return (int64_t)v->valuedouble;
	return 0;
}

static int decode_field(const cJSON *obj, const char *name, char **buf, size_t *len)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
	unsigned char *out = NULL;

	if (v == NULL) { /* etcd leaves empty values out */
		*buf = k8c_xstrdup("");
		*len = 0;
		return 0;
	}
	if (!cJSON_IsString(v) || k8c_base64_decode(v->valuestring, &out, len) != 0)
		return -1;
	*buf = (char *)out;
	return 0;
}

int etcd_kv(const cJSON *kv, k8c_store_kv_t *out, char **key_buf, char **value_buf)
{
	size_t klen, vlen;

	*key_buf = *value_buf = NULL;
	if (!cJSON_IsObject(kv) || decode_field(kv, "key", key_buf, &klen) < 0 ||
	    decode_field(kv, "value", value_buf, &vlen) < 0 || strlen(*key_buf) != klen) {
		free(*key_buf);
		free(*value_buf);
		*key_buf = *value_buf = NULL;
		return -1;
	}
	*out = (k8c_store_kv_t){
		.key = *key_buf,
		.value = *value_buf,
		.value_len = vlen,
		.create_revision = etcd_int(kv, "create_revision"),
		.mod_revision = etcd_int(kv, "mod_revision"),
	};
	return 0;
}

static void add_b64(cJSON *obj, const char *name, const char *data, size_t len)
{
	_cleanup_free_ char *b = k8c_base64_encode(data, len);

	cJSON_AddStringToObject(obj, name, b);
}

static void add_int(cJSON *obj, const char *name, int64_t v)
{
	char s[24];

	snprintf(s, sizeof(s), "%lld", (long long)v);
	cJSON_AddStringToObject(obj, name, s);
}

void etcd_add_range(cJSON *req, const char *key, const char *range_end)
{
	add_b64(req, "key", key, strlen(key));
	if (range_end != NULL)
		/* "" is every key from key on: etcd's "\0" */
		add_b64(req, "range_end", range_end[0] ? range_end : "", range_end[0] ? strlen(range_end) : 1);
}

/* POST req (consumed) to path. */
static int call(etcd_t *e, const char *path, cJSON *req, enum etcd_retry retry, cJSON **out,
                k8c_error_t *err)
{
	_cleanup_free_ char *body = k8c_json_print(req, NULL);

	cJSON_Delete(req);
	return etcd_call(e, path, body, retry, out, err);
}

static int malformed(const char *what, k8c_error_t *err)
{
	return k8c_error_make(err, K8C_EIO, "etcd: malformed %s answer", what);
}

/* Hand every kv of an array to fn; returns fn's stop value, or 0. */
static int each_kv(const cJSON *kvs, k8c_store_kv_fn fn, void *udata, k8c_error_t *err)
{
	const cJSON *kv;

	cJSON_ArrayForEach(kv, kvs) {
		k8c_store_kv_t p;
		char *k, *v;
		int ret;
		if (etcd_kv(kv, &p, &k, &v) < 0)
			return malformed("key-value", err);
		ret = fn != NULL ? fn(udata, &p) : 0;
		free(k);
		free(v);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int etcd_revision(void *cookie, int64_t *revision, k8c_error_t *err)
{
	cJSON *req = cJSON_CreateObject(), *ans = NULL;
	int ret;

	/* the smallest read there is: one key, count only */
	etcd_add_range(req, "\x01", NULL);
	cJSON_AddTrueToObject(req, "count_only");
	ret = call(cookie, "kv/range", req, ETCD_READ, &ans, err);
	if (ret == 0) {
		*revision = etcd_int(cJSON_GetObjectItemCaseSensitive(ans, "header"), "revision");
		if (*revision <= 0)
			ret = malformed("range", err);
	}
	cJSON_Delete(ans);
	return ret;
}

int etcd_range(void *cookie, const char *key, const char *range_end, int64_t revision,
               int64_t limit, k8c_store_kv_fn fn, void *udata, k8c_store_range_info_t *info,
               k8c_error_t *err)
{
	cJSON *req, *ans = NULL;
	int ret;

	if (revision < 0 || limit < 0)
		return k8c_error_make(err, K8C_EINVAL, "etcd range: negative revision or limit");
	req = cJSON_CreateObject();
	etcd_add_range(req, key, range_end);
	if (revision > 0)
		add_int(req, "revision", revision);
	if (limit > 0)
		add_int(req, "limit", limit);
	ret = call(cookie, "kv/range", req, ETCD_READ, &ans, err);
	if (ret < 0)
		return ret;
	if (info != NULL) {
		const cJSON *more = cJSON_GetObjectItemCaseSensitive(ans, "more");
		/* etcd's header has the current revision; a read at a revision
		 * was served at that one */
		info->revision = revision > 0 ? revision
		                              : etcd_int(cJSON_GetObjectItemCaseSensitive(ans, "header"), "revision");
		info->count = etcd_int(ans, "count");
		info->more = cJSON_IsTrue(more);
	}
	ret = each_kv(cJSON_GetObjectItemCaseSensitive(ans, "kvs"), fn, udata, err);
	cJSON_Delete(ans);
	return ret;
}

typedef struct one {
	k8c_store_kv_fn fn;
	void *udata;
	int seen;
} one_t;

static int count_one(void *udata, const k8c_store_kv_t *kv)
{
	one_t *o = udata;

	o->seen = 1;
	return o->fn != NULL ? o->fn(o->udata, kv) : 0;
}

int etcd_get(void *cookie, const char *key, int64_t revision, k8c_store_kv_fn fn, void *udata,
             k8c_error_t *err)
{
	one_t o = {fn, udata, 0};
	int ret = etcd_range(cookie, key, NULL, revision, 0, count_one, &o, NULL, err);

	if (ret == 0 && !o.seen)
		return k8c_error_make(err, K8C_ENOTFOUND, "%s: not found", key);
	return ret;
}

/* A txn comparing key's mod revision with expected, running then when it
 * holds and a read of the key when it does not. */
static cJSON *guarded(const char *key, int64_t expected, const char *op, cJSON *then)
{
	cJSON *txn = cJSON_CreateObject();
	cJSON *cmp = cJSON_CreateObject(), *ok_op = cJSON_CreateObject();
	cJSON *fail_op = cJSON_CreateObject(), *read = cJSON_CreateObject();

	add_b64(cmp, "key", key, strlen(key));
	cJSON_AddStringToObject(cmp, "target", "MOD");
	cJSON_AddStringToObject(cmp, "result", "EQUAL");
	add_int(cmp, "mod_revision", expected);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(txn, "compare"), cmp);
	cJSON_AddItemToObject(ok_op, op, then);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(txn, "success"), ok_op);
	add_b64(read, "key", key, strlen(key));
	cJSON_AddItemToObject(fail_op, "request_range", read);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(txn, "failure"), fail_op);
	return txn;
}

static cJSON *put_op(const char *key, const char *value, size_t value_len, int64_t lease)
{
	cJSON *put = cJSON_CreateObject();

	add_b64(put, "key", key, strlen(key));
	add_b64(put, "value", value, value_len);
	if (lease != 0) /* a put without one detaches the key from its lease */
		add_int(put, "lease", lease);
	return put;
}

/* The first response of a txn answer, inside its wrapper ("response_range"). */
static const cJSON *txn_response(const cJSON *ans, const char *which)
{
	const cJSON *r = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(ans, "responses"), 0);

	return cJSON_GetObjectItemCaseSensitive(r, which);
}

/* A failed guard: the key's current pair (to fn) or ENOTFOUND. */
static int guard_failed(const cJSON *ans, const char *key, k8c_store_kv_fn fn, void *udata,
                        k8c_error_t *err)
{
	const cJSON *kvs = cJSON_GetObjectItemCaseSensitive(txn_response(ans, "response_range"), "kvs");
	int ret;

	if (cJSON_GetArraySize(kvs) == 0)
		return k8c_error_make(err, K8C_ENOTFOUND, "%s: not found", key);
	ret = each_kv(kvs, fn, udata, err);
	if (ret < 0)
		return ret;
	return k8c_error_make(err, K8C_ECONFLICT, "%s: modified since the revision expected", key);
}

static int create_with(etcd_t *e, const char *key, const char *value, size_t value_len,
                       int64_t lease, int64_t *revision, k8c_error_t *err)
{
	cJSON *ans = NULL;
	int ret;

	/* mod_revision 0 holds for an absent key only */
	ret = call(e, "kv/txn", guarded(key, 0, "request_put", put_op(key, value, value_len, lease)),
	           ETCD_WRITE, &ans, err);
	if (ret < 0)
		return ret;
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ans, "succeeded")))
		*revision = etcd_int(cJSON_GetObjectItemCaseSensitive(ans, "header"), "revision");
	else
		ret = k8c_error_make(err, K8C_EEXIST, "%s: already exists", key);
	cJSON_Delete(ans);
	return ret;
}

static int update_with(etcd_t *e, const char *key, const char *value, size_t value_len,
                       int64_t expected_revision, int64_t lease, int64_t *revision,
                       k8c_store_kv_fn current_fn, void *udata, k8c_error_t *err)
{
	cJSON *ans = NULL;
	int ret;

	if (expected_revision <= 0) {
		/* no key has mod revision 0 (etcd's guard would create it) */
		ret = etcd_get(e, key, 0, current_fn, udata, err);
		if (ret < 0)
			return ret;
		return k8c_error_make(err, K8C_ECONFLICT, "%s: modified since the revision expected", key);
	}
	ret = call(e, "kv/txn",
	           guarded(key, expected_revision, "request_put", put_op(key, value, value_len, lease)),
	           ETCD_WRITE, &ans, err);
	if (ret < 0)
		return ret;
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ans, "succeeded")))
		*revision = etcd_int(cJSON_GetObjectItemCaseSensitive(ans, "header"), "revision");
	else
		ret = guard_failed(ans, key, current_fn, udata, err);
	cJSON_Delete(ans);
	return ret;
}

int etcd_delete(void *cookie, const char *key, int64_t expected_revision, int64_t *revision,
                k8c_store_kv_fn prev_fn, void *udata, k8c_error_t *err)
{
	cJSON *del = cJSON_CreateObject(), *ans = NULL;
	const cJSON *res;
	int ret;

	add_b64(del, "key", key, strlen(key));
	cJSON_AddTrueToObject(del, "prev_kv");
	if (expected_revision == 0) {
		ret = call(cookie, "kv/deleterange", del, ETCD_WRITE, &ans, err);
		res = ans;
	} else {
		ret = call(cookie, "kv/txn", guarded(key, expected_revision, "request_delete_range", del),
		           ETCD_WRITE, &ans, err);
		res = txn_response(ans, "response_delete_range");
		if (ret == 0 && !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ans, "succeeded"))) {
			ret = guard_failed(ans, key, prev_fn, udata, err);
			cJSON_Delete(ans);
			return ret;
		}
	}
	if (ret < 0)
		return ret;
	if (etcd_int(res, "deleted") == 0) {
		ret = k8c_error_make(err, K8C_ENOTFOUND, "%s: not found", key);
	} else {
		*revision = etcd_int(cJSON_GetObjectItemCaseSensitive(ans, "header"), "revision");
		ret = each_kv(cJSON_GetObjectItemCaseSensitive(res, "prev_kvs"), prev_fn, udata, err);
	}
	cJSON_Delete(ans);
	return ret;
}

int etcd_compact(void *cookie, int64_t revision, k8c_error_t *err)
{
	cJSON *req = cJSON_CreateObject(), *ans = NULL;
	int ret;

	add_int(req, "revision", revision);
	cJSON_AddTrueToObject(req, "physical"); /* answer once it is done */
	ret = call(cookie, "kv/compaction", req, ETCD_WRITE, &ans, err);
	cJSON_Delete(ans);
	return ret;
}

int etcd_create(void *cookie, const char *key, const char *value, size_t value_len,
                int64_t *revision, k8c_error_t *err)
{
	return create_with(cookie, key, value, value_len, 0, revision, err);
}

int etcd_update(void *cookie, const char *key, const char *value, size_t value_len,
                int64_t expected_revision, int64_t *revision, k8c_store_kv_fn current_fn,
                void *udata, k8c_error_t *err)
{
	return update_with(cookie, key, value, value_len, expected_revision, 0, revision, current_fn,
	                   udata, err);
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A lease for a write with ttl: the shared one while it is young enough
 * (as the Kubernetes API server does, so that events do not each cost a
 * lease), else a new one granted for ttl plus the reuse window. */
static int lease_for(etcd_t *e, int64_t ttl, int64_t *id, k8c_error_t *err)
{
	int64_t now = mono_ms(), granted;
	cJSON *req, *ans = NULL;
	int ret;

	if (ttl < 1 || ttl > INT64_C(1) << 40)
		return k8c_error_make(err, K8C_EINVAL, "TTL %lld s", (long long)ttl);
	pthread_mutex_lock(&e->lease_mu);
	if (e->lease_id != 0 && e->lease_ttl == ttl && now - e->lease_granted_ms < e->conf.lease_reuse_ms) {
		*id = e->lease_id;
		pthread_mutex_unlock(&e->lease_mu);
		return 0;
	}
	pthread_mutex_unlock(&e->lease_mu);
	req = cJSON_CreateObject();
	cJSON_AddNumberToObject(req, "TTL", (double)(ttl + e->conf.lease_reuse_ms / 1000));
	ret = call(e, "lease/grant", req, ETCD_WRITE, &ans, err);
	if (ret < 0)
		return ret;
	granted = etcd_int(ans, "ID");
	cJSON_Delete(ans);
	if (granted == 0)
		return malformed("lease/grant", err);
	pthread_mutex_lock(&e->lease_mu);
	e->lease_id = granted;
	e->lease_ttl = ttl;
	e->lease_granted_ms = now;
	pthread_mutex_unlock(&e->lease_mu);
	*id = granted;
	return 0;
}

/* The shared lease is gone (revoked, or expired while unused): forget
 * it, so that the retry grants a new one. */
static int lease_lost(etcd_t *e, int ret, const k8c_error_t *err)
{
	if (ret >= 0 || err == NULL || strstr(err->message, "lease not found") == NULL)
		return 0;
	pthread_mutex_lock(&e->lease_mu);
	e->lease_id = 0;
	pthread_mutex_unlock(&e->lease_mu);
	return 1;
}

int etcd_create_ttl(void *cookie, const char *key, const char *value, size_t value_len,
                    int64_t ttl_seconds, int64_t *revision, k8c_error_t *err)
{
	k8c_error_t local; /* lease_lost reads the message even when err is NULL */
	int64_t lease;
	int ret, tries = 0;

	do
		ret = lease_for(cookie, ttl_seconds, &lease, &local);
	while (ret == 0 && lease_lost(cookie, ret = create_with(cookie, key, value, value_len, lease,
	                                                        revision, &local),
	                              &local) &&
	       ++tries < 2);
	if (ret < 0 && err != NULL)
		*err = local;
	return ret;
}

int etcd_update_ttl(void *cookie, const char *key, const char *value, size_t value_len,
                    int64_t expected_revision, int64_t ttl_seconds, int64_t *revision,
                    k8c_store_kv_fn current_fn, void *udata, k8c_error_t *err)
{
	k8c_error_t local;
	int64_t lease;
	int ret, tries = 0;

	do
		ret = lease_for(cookie, ttl_seconds, &lease, &local);
	while (ret == 0 && lease_lost(cookie, ret = update_with(cookie, key, value, value_len,
	                                                        expected_revision, lease, revision,
	                                                        current_fn, udata, &local),
	                              &local) &&
	       ++tries < 2);
	if (ret < 0 && err != NULL)
		*err = local;
	return ret;
}
