/* Helpers for kind descriptors. */
#include "config.h"

#include <string.h>

#include <cjson/cJSON.h>

#include "apiserver/kinds/util.h"
#include "common/timestamp.h"

const char *k8c_meta_str(const cJSON *obj, const char *field)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(obj, "metadata"), field);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

long long k8c_jint(const cJSON *obj, const char *path, long long def)
{
	const cJSON *v = k8c_jget(obj, path);

	return cJSON_IsNumber(v) ? (long long)v->valuedouble : def;
}

int k8c_jbool(const cJSON *obj, const char *path, int def)
{
	const cJSON *v = k8c_jget(obj, path);

	return cJSON_IsBool(v) ? cJSON_IsTrue(v) : def;
}

cJSON *k8c_jobject(cJSON *obj, const char *path)
{
	char key[256];

	while (obj != NULL && path != NULL && *path != '\0') {
		const char *dot = strchr(path, '.');
		size_t n = dot ? (size_t)(dot - path) : strlen(path);
		cJSON *next;
		if (n >= sizeof(key) || !cJSON_IsObject(obj))
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		next = cJSON_GetObjectItemCaseSensitive(obj, key);
		if (next == NULL || cJSON_IsNull(next)) {
			cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
			next = cJSON_AddObjectToObject(obj, key);
		}
		obj = next;
		path = dot ? dot + 1 : NULL;
	}
	return cJSON_IsObject(obj) ? obj : NULL;
}

static int absent(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return v == NULL || cJSON_IsNull(v);
}

void k8c_jdefault_str(cJSON *obj, const char *key, const char *value)
{
	if (cJSON_IsObject(obj) && absent(obj, key)) {
		cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
		cJSON_AddStringToObject(obj, key, value);
	}
}

void k8c_jdefault_int(cJSON *obj, const char *key, long long value)
{
	if (cJSON_IsObject(obj) && absent(obj, key)) {
		cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
		cJSON_AddNumberToObject(obj, key, (double)value);
	}
}

void k8c_jdefault_bool(cJSON *obj, const char *key, int value)
{
	if (cJSON_IsObject(obj) && absent(obj, key)) {
		cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
		cJSON_AddBoolToObject(obj, key, value);
	}
}

char *k8c_human_duration(long long s, char buf[K8C_DURATION_STRLEN])
{
	long long m = s / 60, h = s / 3600, d = h / 24;

	if (s < -1)
		snprintf(buf, K8C_DURATION_STRLEN, "<invalid>");
	else if (s < 0)
		snprintf(buf, K8C_DURATION_STRLEN, "0s");
	else if (s < 120)
		snprintf(buf, K8C_DURATION_STRLEN, "%llds", s);
	else if (m < 10)
		snprintf(buf, K8C_DURATION_STRLEN, s % 60 ? "%lldm%llds" : "%lldm", m, s % 60);
	else if (m < 180)
		snprintf(buf, K8C_DURATION_STRLEN, "%lldm", m);
	else if (h < 8)
		snprintf(buf, K8C_DURATION_STRLEN, m % 60 ? "%lldh%lldm" : "%lldh", h, m % 60);
	else if (h < 48)
		snprintf(buf, K8C_DURATION_STRLEN, "%lldh", h);
	else if (h < 24 * 8)
		snprintf(buf, K8C_DURATION_STRLEN, h % 24 ? "%lldd%lldh" : "%lldd", d, h % 24);
	else if (d < 365 * 2)
		snprintf(buf, K8C_DURATION_STRLEN, "%lldd", d);
	else if (d < 365 * 8)
		snprintf(buf, K8C_DURATION_STRLEN, d % 365 ? "%lldy%lldd" : "%lldy", d / 365, d % 365);
	else
		snprintf(buf, K8C_DURATION_STRLEN, "%lldy", d / 365);
	return buf;
}

char *k8c_age(const cJSON *obj, long long now_s, char buf[K8C_DURATION_STRLEN])
{
	const char *ts = k8c_jstr(obj, "metadata.creationTimestamp");
	int64_t ns;

	if (ts == NULL || k8c_time_parse(ts, &ns, NULL) < 0) {
		snprintf(buf, K8C_DURATION_STRLEN, "<unknown>");
		return buf;
	}
	return k8c_human_duration(now_s - ns / 1000000000LL, buf);
}
