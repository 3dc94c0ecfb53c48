/* The configmaps and secrets resources: key and size validation, the
 * `immutable` rules, Secret types (defaulted to Opaque, immutable, with
 * their required keys), stringData folded into data as the v1 conversion
 * does, and their Table rows. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "apiserver/kind.h"
#include "apiserver/kinds/core.h"
#include "apiserver/kinds/core_internal.h"
#include "apiserver/kinds/util.h"
#include "common/mem.h"

/* core.MaxSecretSize, also the ConfigMap limit */
#define MAX_DATA_SIZE (1024 * 1024)

static const char b64chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static char *b64_encode(const unsigned char *in, size_t n)
{
	char *out = k8c_xmalloc((n + 2) / 3 * 4 + 1), *o = out;

	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)in[i] << 16 | (i + 1 < n ? (unsigned)in[i + 1] << 8 : 0) |
		             (i + 2 < n ? in[i + 2] : 0);
		*o++ = b64chars[v >> 18 & 63];
		*o++ = b64chars[v >> 12 & 63];
		*o++ = i + 1 < n ? b64chars[v >> 6 & 63] : '=';
		*o++ = i + 2 < n ? b64chars[v & 63] : '=';
	}
	*o = '\0';
	return out;
}

/* Decode valid base64 (see k8c_core_b64_len); caller frees; *n the
 * length.  NULL when malformed. */
static unsigned char *b64_decode(const char *s, size_t *n)
{
	long long len = k8c_core_b64_len(s);
	unsigned char *out;
	unsigned v = 0;
	int bits = 0;
	size_t o = 0;

	if (len < 0)
		return NULL;
	out = k8c_xmalloc((size_t)len + 1);
	for (const char *p = s; *p != '\0' && *p != '='; p++) {
		const char *c = strchr(b64chars, *p);
		if (c == NULL || *p == '\0')
			continue; /* line breaks */
		v = v << 6 | (unsigned)(c - b64chars);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(v >> bits & 0xff);
		}
	}
	*n = o;
	out[o] = '\0';
	return out;
}

/* The keys and decoded sizes of a data map; base64 when b64. */
static long long data_map(k8c_field_errors_t *e, const cJSON *map, const char *name, int b64)
{
	const cJSON *it;
	long long total = 0;
	char p[CORE_PATH_MAX];

	cJSON_ArrayForEach(it, map)
	{
		const char *v = cJSON_IsString(it) ? it->valuestring : "";
		CORE_PATH(p, "%s[%s]", name, it->string);
		k8c_core_config_key(e, p, it->string);
		if (b64) {
			long long n = k8c_core_b64_len(v);
			if (n < 0) {
				char d[64];
				snprintf(d, sizeof(d), "illegal base64 data at input byte %lld",
				         -1 - n);
				k8c_core_invalid_str(e, p, "<secret contents redacted>", d);
			} else {
				total += n;
			}
		} else {
			total += (long long)strlen(v);
		}
	}
	return total;
}

/* --- configmaps ------------------------------------------------------------------------------ */

static void immutable_rules(k8c_field_errors_t *e, const cJSON *obj, const cJSON *old, int binary)
{
	if (!k8c_core_bool(old, "immutable", 0))
		return;
	if (!k8c_core_bool(obj, "immutable", 0))
		k8c_core_forbidden(e, "immutable", "field is immutable when `immutable` is set");
	if (!k8c_core_equal(k8c_core_member(obj, "data"), k8c_core_member(old, "data")))
		k8c_core_forbidden(e, "data", "field is immutable when `immutable` is set");
	if (binary &&
	    !k8c_core_equal(k8c_core_member(obj, "binaryData"), k8c_core_member(old, "binaryData")))
		k8c_core_forbidden(e, "binaryData", "field is immutable when `immutable` is set");
}

static void configmap_validate(int op, const cJSON *cm, const cJSON *old, k8c_field_errors_t *e)
{
	const cJSON *data = k8c_core_object(cm, "data"), *bin = k8c_core_object(cm, "binaryData"),
	            *it;
	long long total;
	char p[CORE_PATH_MAX];

	if (op == K8C_OP_UPDATE)
		immutable_rules(e, cm, old, 1);
	total = 0;
	cJSON_ArrayForEach(it, data)
	{
		CORE_PATH(p, "data[%s]", it->string);
		k8c_core_config_key(e, p, it->string);
		if (k8c_core_member(bin, it->string) != NULL)
			k8c_core_invalid_str(e, p, it->string,
			                     "duplicate of key present in binaryData");
		total += cJSON_IsString(it) ? (long long)strlen(it->valuestring) : 0;
	}
	total += data_map(e, bin, "binaryData", 1);
	if (total > MAX_DATA_SIZE)
		k8c_core_too_long(e, "", MAX_DATA_SIZE);
}

static const k8c_table_column_t configmap_columns[] = {
    {"Name", "string", "name", "Name of the config map, unique within its namespace.", 0},
    {"Data", "string", "", "Number of keys in data and binaryData.", 0},
    {"Age", "string", "", "Time since the config map was created.", 0},
};

static void configmap_row(const cJSON *cm, cJSON *cells, long long now_s)
{
	k8c_core_cell_str(cells, k8c_jstr(cm, "metadata.name"));
	k8c_core_cell_int(cells, k8c_core_count(cm, "data") + k8c_core_count(cm, "binaryData"));
	k8c_core_cell_age(cells, cm, now_s);
}

static const char *const configmap_short[] = {"cm", NULL};

const k8c_kind_t k8c_kind_configmaps = {
    .group = "",
    .version = "v1",
    .resource = "configmaps",
    .singular = "configmap",
    .kind = "ConfigMap",
    .namespaced = 1,
    .short_names = configmap_short,
    .verbs = K8C_VERBS_ALL,
    .subresources = 0,
    .schema_type = "io.k8s.api.core.v1.ConfigMap",
    .has_status = 0,
    .has_generation = 0,
    .validate = configmap_validate,
    .columns = configmap_columns,
    .n_columns = sizeof(configmap_columns) / sizeof(configmap_columns[0]),
    .row = configmap_row,
};

/* --- secrets ---------------------------------------------------------------------------------- */

static void secret_defaults(cJSON *secret)
{
	cJSON *sd, *data, *it;

	if (!cJSON_IsObject(secret))
		return;
	if (k8c_core_strz(secret, "type")[0] == '\0')
		k8c_core_set(secret, "type", cJSON_CreateString("Opaque"));
	/* v1 conversion: stringData is write-only, merged over data */
	sd = cJSON_GetObjectItemCaseSensitive(secret, "stringData");
	if (cJSON_IsObject(sd) && sd->child != NULL) {
		data = k8c_jobject(secret, "data");
		cJSON_ArrayForEach(it, sd)
		{
			const char *v = cJSON_IsString(it) ? it->valuestring : "";
			_cleanup_free_ char *enc = b64_encode((const unsigned char *)v, strlen(v));
			if (data != NULL)
				k8c_core_set(data, it->string, cJSON_CreateString(enc));
		}
	}
	cJSON_DeleteItemFromObjectCaseSensitive(secret, "stringData");
}

static int has_key(const cJSON *data, const char *key)
{
	return k8c_core_member(data, key) != NULL;
}

static void dockercfg(k8c_field_errors_t *e, const cJSON *data, const char *key)
{
	char p[CORE_PATH_MAX];
	size_t n;
	_cleanup_free_ unsigned char *raw = NULL;
	cJSON *parsed;

	CORE_PATH(p, "data[%s]", key);
	if (!has_key(data, key)) {
		k8c_core_required(e, p, NULL);
		return;
	}
	raw = b64_decode(k8c_core_strz(data, key), &n);
	if (raw == NULL)
		return; /* reported with the keys */
	parsed = cJSON_ParseWithLength((const char *)raw, n);
	if (!cJSON_IsObject(parsed))
		k8c_core_invalid_str(e, p, "<secret contents redacted>",
		                     n == 0 ? "unexpected end of JSON input"
		                            : "invalid character looking for beginning of value");
	cJSON_Delete(parsed);
}

static void secret_validate(int op, const cJSON *secret, const cJSON *old, k8c_field_errors_t *e)
{
	const cJSON *data = k8c_core_object(secret, "data");
	const char *type = k8c_core_strz(secret, "type");
	long long total;

	if (op == K8C_OP_UPDATE) {
		if (strcmp(type, k8c_core_strz(old, "type")) != 0)
			k8c_core_invalid_str(e, "type", type, "field is immutable");
		immutable_rules(e, secret, old, 0);
	}
	total = data_map(e, data, "data", 1);
	if (total > MAX_DATA_SIZE)
		k8c_core_too_long(e, "data", MAX_DATA_SIZE);
	if (strcmp(type, "kubernetes.io/service-account-token") == 0) {
		const cJSON *ann =
		    k8c_core_object(k8c_core_object(secret, "metadata"), "annotations");
		if (k8c_core_strz(ann, "kubernetes.io/service-account.name")[0] == '\0')
			k8c_core_required(
			    e, "metadata.annotations[kubernetes.io/service-account.name]", NULL);
	} else if (strcmp(type, "kubernetes.io/dockercfg") == 0) {
		dockercfg(e, data, ".dockercfg");
	} else if (strcmp(type, "kubernetes.io/dockerconfigjson") == 0) {
		dockercfg(e, data, ".dockerconfigjson");
	} else if (strcmp(type, "kubernetes.io/basic-auth") == 0) {
		if (!has_key(data, "username") && !has_key(data, "password")) {
			k8c_core_required(e, "data[username]", NULL);
			k8c_core_required(e, "data[password]", NULL);
		}
	} else if (strcmp(type, "kubernetes.io/ssh-auth") == 0) {
		if (k8c_core_strz(data, "ssh-privatekey")[0] == '\0')
			k8c_core_required(e, "data[ssh-privatekey]", NULL);
	} else if (strcmp(type, "kubernetes.io/tls") == 0) {
		if (!has_key(data, "tls.crt"))
			k8c_core_required(e, "data[tls.crt]", NULL);
		if (!has_key(data, "tls.key"))
			k8c_core_required(e, "data[tls.key]", NULL);
	}
}

static const k8c_table_column_t secret_columns[] = {
    {"Name", "string", "name", "Name of the secret, unique within its namespace.", 0},
    {"Type", "string", "", "The type of the secret.", 0},
    {"Data", "string", "", "Number of keys in data.", 0},
    {"Age", "string", "", "Time since the secret was created.", 0},
};

static void secret_row(const cJSON *secret, cJSON *cells, long long now_s)
{
	k8c_core_cell_str(cells, k8c_jstr(secret, "metadata.name"));
	k8c_core_cell_str(cells, k8c_core_strz(secret, "type"));
	k8c_core_cell_int(cells, k8c_core_count(secret, "data"));
	k8c_core_cell_age(cells, secret, now_s);
}

static const char *const secret_fields[] = {"type", NULL};

const k8c_kind_t k8c_kind_secrets = {
    .group = "",
    .version = "v1",
    .resource = "secrets",
    .singular = "secret",
    .kind = "Secret",
    .namespaced = 1,
    .short_names = NULL,
    .verbs = K8C_VERBS_ALL,
    .subresources = 0,
    .schema_type = "io.k8s.api.core.v1.Secret",
    .has_status = 0,
    .has_generation = 0,
    .defaults = secret_defaults,
    .validate = secret_validate,
    .columns = secret_columns,
    .n_columns = sizeof(secret_columns) / sizeof(secret_columns[0]),
    .row = secret_row,
    .field_selectors = secret_fields,
};
