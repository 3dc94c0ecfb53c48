/* Values at dotted paths in JSON objects (see json_path.h). */
#include "config.h"

#include <string.h>

#include <cjson/cJSON.h>

#include "common/json_path.h"

const cJSON *k8c_jget(const cJSON *obj, const char *path)
{
	char key[256];

	while (obj != NULL && path != NULL && *path != '\0') {
		const char *dot = strchr(path, '.');
		size_t n = dot ? (size_t)(dot - path) : strlen(path);
		if (n >= sizeof(key) || !cJSON_IsObject(obj))
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		obj = cJSON_GetObjectItemCaseSensitive(obj, key);
		path = dot ? dot + 1 : NULL;
	}
	return obj;
}

const char *k8c_jstr(const cJSON *obj, const char *path)
{
	const cJSON *v = k8c_jget(obj, path);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}
