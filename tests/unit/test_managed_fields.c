/* managedFields of a create: the set written straight as text must be the
 * set k8c_managed_fields_of builds, printed. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "apiserver/kind.h"
#include "apiserver/managed_fields.h"
#include "apiserver/schema.h"
#include "common/json_print.h"
#include "tap.h"

static void check(const char *group, const char *resource, const char *json, const char *what,
                  const char *must_contain)
{
	const k8c_kind_t *kind = k8c_kind_by_resource(group, "v1", resource);
	cJSON *obj = cJSON_Parse(json), *mf, *e;
	cJSON *tree;
	char *want;

	if (kind == NULL || obj == NULL) {
		ok(0, "%s: fixture (kind %s, JSON)", what, resource);
		cJSON_Delete(obj);
		return;
	}
	tree = k8c_managed_fields_of(kind, obj);
	want = k8c_json_print(tree, NULL);
	k8c_managed_fields_update(kind, obj, NULL, "kubectl-create", NULL);
	mf = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(obj, "metadata"),
	                                      "managedFields");
	e = cJSON_GetArrayItem(mf, 0);
	is_int(cJSON_GetArraySize(mf), 1, "%s: one entry", what);
	is_str(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "manager")), "kubectl-create",
	       "%s: manager", what);
	is_str(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "operation")), "Update",
	       "%s: operation", what);
	{
		const cJSON *f = cJSON_GetObjectItemCaseSensitive(e, "fieldsV1");
		cJSON *back = f && f->valuestring ? cJSON_Parse(f->valuestring) : NULL;
		is_str(f && cJSON_IsRaw(f) ? f->valuestring : "(not raw)", want, "%s: fieldsV1 text", what);
		ok(back != NULL && cJSON_Compare(back, tree, 1), "%s: parses back to the set", what);
		cJSON_Delete(back);
	}
	ok(strstr(want, must_contain) != NULL, "%s: the set has %s", what, must_contain);
	free(want);
	cJSON_Delete(tree);
	cJSON_Delete(obj);
}

int main(void)
{
	k8c_error_t err;

	if (!ok(k8c_schema_init(&err) == 0, "the built-in schema loads"))
		return done_testing();
	check("", "pods",
	      "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\",\"namespace\":\"d\","
	      "\"uid\":\"u\",\"creationTimestamp\":\"2026-01-01T00:00:00Z\",\"labels\":{\"app\":\"x\","
	      "\"tier\":\"web\"},\"annotations\":{\"a/b\":\"c\"}},\"spec\":{\"restartPolicy\":\"Always\","
	      "\"containers\":[{\"name\":\"c\",\"image\":\"i\",\"ports\":[{\"containerPort\":80,"
	      "\"protocol\":\"TCP\"},{\"containerPort\":443}],\"env\":[{\"name\":\"E\",\"value\":\"v\"}],"
	      "\"resources\":{\"requests\":{\"cpu\":\"100m\"},\"limits\":{\"cpu\":\"1\"}},"
	      "\"args\":[\"a\",\"b\"]},{\"name\":\"d\",\"image\":\"j\"}],\"tolerations\":[{\"key\":\"k\"}],"
	      "\"nodeSelector\":{}},\"status\":{\"phase\":\"Pending\"}}",
	      "pod: merge keys, atomic lists, maps, empty map, status left out",
	      "\"k:{\\\"name\\\":\\\"c\\\"}\":{\"f:name\":{},\"f:image\":{}");
	check("", "pods",
	      "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\",\"uid\":\"u\","
	      "\"generation\":1},\"spec\":{\"containers\":[{\"image\":\"no-name\"}]}}",
	      "pod: metadata with only server fields is left out; item without its key skipped",
	      "{\"f:spec\":{\"f:containers\":{}}}");
	check("", "configmaps",
	      "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\",\"labels\":"
	      "{\"we\\\"ird\\\\key\\n\":\"1\"}},\"data\":{\"k\\u0001\":\"v\",\"caf\\u00e9\":\"w\"}}",
	      "configmap: keys that need escapes", "\"f:we\\\"ird\\\\key\\n\"");
	check("apps", "deployments",
	      "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"d\"},"
	      "\"spec\":{\"replicas\":3,\"selector\":{\"matchLabels\":{\"app\":\"x\"}},\"template\":"
	      "{\"metadata\":{\"labels\":{\"app\":\"x\"},\"name\":\"kept-in-template\"},\"spec\":"
	      "{\"containers\":[{\"name\":\"c\",\"image\":\"i\"}]}}}}",
	      "deployment: nested metadata keeps name", "\"f:name\":{}");
	check("", "services",
	      "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"s\"},\"spec\":"
	      "{\"ports\":[{\"port\":80,\"targetPort\":8080},{\"port\":1.5e3}],\"selector\":{\"a\":\"b\"}}}",
	      "service: numeric merge keys", "\"k:{\\\"port\\\":1500}\"");
	check("", "namespaces", "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"n\"}}",
	      "namespace: nothing but the name: empty set", "{}");
	k8c_schema_fini();
	return done_testing();
}
