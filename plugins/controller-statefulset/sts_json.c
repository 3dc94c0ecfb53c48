/* Small JSON helpers of the StatefulSet controller, and the canonical JSON
 * text its ControllerRevisions hold (what Go's json.Marshal of a
 * map[string]interface{} writes: keys sorted, HTML characters escaped), so
 * that revision data compares byte for byte with what kubectl computes. */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/json_path.h"
#include "common/json_print.h"
#include "common/mem.h"
#include "sts.h"

long long sts_jint(const cJSON *obj, const char *path, long long def)
{
	const cJSON *v = k8c_jget(obj, path);

	if (!cJSON_IsNumber(v))
		return def;
	/* out of range, the conversion would be undefined: saturate */
	if (v->valuedouble >= 9223372036854775807.0)
		return LLONG_MAX;
	if (v->valuedouble <= -9223372036854775807.0)
		return LLONG_MIN;
	return (long long)v->valuedouble;
}

int sts_requeue_ms(long long seconds)
{
	if (seconds <= 0)
		return 0;
	return seconds > INT_MAX / 1000 ? INT_MAX : (int)(seconds * 1000);
}

cJSON *sts_jobj(cJSON *obj, const char *key)
{
	cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (cJSON_IsObject(v))
		return v;
	v = cJSON_CreateObject();
	sts_jset(obj, key, v);
	return v;
}

void sts_jset(cJSON *obj, const char *key, cJSON *item)
{
	if (cJSON_GetObjectItemCaseSensitive(obj, key) != NULL)
		cJSON_ReplaceItemInObjectCaseSensitive(obj, key, item);
	else
		cJSON_AddItemToObject(obj, key, item);
}

/* Go's encodeState.string with HTML escaping on. */
static void go_string(k8c_json_out_t *o, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *start = p;

	k8c_json_out_raw(o, "\"", 1);
	for (; *p; p++) {
		const char *esc = NULL;
		char u[7];
		size_t skip = 1;

		switch (*p) {
		case '"':
			esc = "\\\"";
			break;
		case '\\':
			esc = "\\\\";
			break;
		case '\n':
			esc = "\\n";
			break;
		case '\r':
			esc = "\\r";
			break;
		case '\t':
			esc = "\\t";
			break;
		case '\b':
			esc = "\\b";
			break;
		case '\f':
			esc = "\\f";
			break;
		default:
			if (*p < 0x20 || *p == '<' || *p == '>' || *p == '&') {
				memcpy(u, "\\u00", 4);
				u[4] = hex[*p >> 4];
				u[5] = hex[*p & 15];
				u[6] = '\0';
				esc = u;
			} else if (p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9)) {
				esc = p[2] == 0xa8 ? "\\u2028" : "\\u2029";
				skip = 3;
			}
		}
		if (esc == NULL)
			continue;
		k8c_json_out_raw(o, (const char *)start, (size_t)(p - start));
		k8c_json_out_raw(o, esc, strlen(esc));
		p += skip - 1;
		start = p + 1;
	}
	k8c_json_out_raw(o, (const char *)start, (size_t)(p - start));
	k8c_json_out_raw(o, "\"", 1);
}

static int by_key(const void *a, const void *b)
{
	return strcmp((*(const cJSON *const *)a)->string, (*(const cJSON *const *)b)->string);
}

static void canonical(k8c_json_out_t *o, const cJSON *item)
{
	const cJSON *c;
	size_t n = 0, i = 0;

	if (cJSON_IsString(item)) {
		go_string(o, item->valuestring);
	} else if (cJSON_IsArray(item)) {
		k8c_json_out_raw(o, "[", 1);
		cJSON_ArrayForEach(c, item)
		{
			if (c != item->child)
				k8c_json_out_raw(o, ",", 1);
			canonical(o, c);
		}
		k8c_json_out_raw(o, "]", 1);
	} else if (cJSON_IsObject(item)) {
		cJSON_ArrayForEach(c, item) n++;
		const cJSON **kids = k8c_xcalloc(n ? n : 1, sizeof(*kids));
		cJSON_ArrayForEach(c, item) kids[i++] = c;
		if (n > 1)
			qsort(kids, n, sizeof(*kids), by_key);
		k8c_json_out_raw(o, "{", 1);
		for (i = 0; i < n; i++) {
			if (i > 0)
				k8c_json_out_raw(o, ",", 1);
			go_string(o, kids[i]->string ? kids[i]->string : "");
			k8c_json_out_raw(o, ":", 1);
			canonical(o, kids[i]);
		}
		k8c_json_out_raw(o, "}", 1);
		free(kids);
	} else {
		k8c_json_out_item(o, item);
	}
}

char *sts_canonical_json(const cJSON *item)
{
	k8c_json_out_t o;

	k8c_json_out_init(&o);
	canonical(&o, item);
	return k8c_json_out_finish(&o, NULL);
}

cJSON *sts_controller_ref(const cJSON *set)
{
	cJSON *ref = cJSON_CreateObject();

	cJSON_AddStringToObject(ref, "apiVersion", "apps/v1");
	cJSON_AddStringToObject(ref, "kind", "StatefulSet");
	cJSON_AddStringToObject(ref, "name", k8c_jstr(set, "metadata.name") ?: "");
	cJSON_AddStringToObject(ref, "uid", k8c_jstr(set, "metadata.uid") ?: "");
	cJSON_AddBoolToObject(ref, "controller", 1);
	cJSON_AddBoolToObject(ref, "blockOwnerDeletion", 1);
	return ref;
}

const char *sts_controller_uid(const cJSON *obj)
{
	const cJSON *ref;

	cJSON_ArrayForEach(ref, k8c_jget(obj, "metadata.ownerReferences")) if (
	    cJSON_IsTrue(
	        cJSON_GetObjectItemCaseSensitive(ref, "controller"))) return k8c_jstr(ref, "uid");
	return NULL;
}

int sts_is_terminating(const cJSON *obj)
{
	const char *ts = k8c_jstr(obj, "metadata.deletionTimestamp");

	return ts != NULL && ts[0] != '\0';
}

const char *sts_label(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(k8c_jget(obj, "metadata.labels"), key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

void sts_vec_push_copy(sts_vec_t *vec, const cJSON *item)
{
	if (vec->n == vec->cap) {
		vec->cap = vec->cap ? 2 * vec->cap : 16;
		vec->v = k8c_xrealloc(vec->v, vec->cap * sizeof(*vec->v));
	}
	vec->v[vec->n++] = cJSON_Duplicate(item, 1);
}

void sts_vec_free(sts_vec_t *vec)
{
	for (size_t i = 0; i < vec->n; i++)
		cJSON_Delete(vec->v[i]);
	free(vec->v);
	vec->v = NULL;
	vec->n = vec->cap = 0;
}
