/* Shared object keys (core/common/json_intern.c): two trees end up with
 * the same key pointers, and cJSON's own functions still read, copy,
 * change and free such trees (the sanitizer build checks the frees). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/json_intern.h"
#include "tap.h"

static const char *POD =
	"{\"metadata\":{\"name\":\"a\",\"labels\":{\"app\":\"web\"}},"
	"\"spec\":{\"containers\":[{\"name\":\"c\",\"ports\":[{\"containerPort\":80}]}]}}";

int main(void)
{
	cJSON *a = cJSON_Parse(POD), *b = cJSON_Parse(POD), *dup, *meta;
	const cJSON *ca, *cb;
	size_t before;
	char *text, key[32];

	k8c_json_intern_keys(a);
	k8c_json_intern_keys(b);
	ok(cJSON_GetObjectItem(a, "metadata")->string == cJSON_GetObjectItem(b, "metadata")->string,
	   "two trees share the key \"metadata\"");
	ca = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(a, "spec"), "containers"), 0);
	cb = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(b, "spec"), "containers"), 0);
	ok(cJSON_GetObjectItem(ca, "ports")->string == cJSON_GetObjectItem(cb, "ports")->string,
	   "and the keys deep down, inside arrays");
	ok(cJSON_GetObjectItem(a, "spec")->type & cJSON_StringIsConst, "marked cJSON_StringIsConst");
	ok(cJSON_IsObject(cJSON_GetObjectItem(a, "spec")), "type checks still see an object");
	before = k8c_json_intern_count();
	ok(before >= 8, "the distinct keys are counted (%zu)", before);
	k8c_json_intern_keys(b);
	is_int((int)k8c_json_intern_count(), (int)before, "interning again adds nothing");

	dup = cJSON_Duplicate(a, 1);
	ok(cJSON_Compare(dup, b, 1), "a duplicate compares equal");
	text = cJSON_PrintUnformatted(dup);
	is_str(text, "{\"metadata\":{\"name\":\"a\",\"labels\":{\"app\":\"web\"}},"
	             "\"spec\":{\"containers\":[{\"name\":\"c\",\"ports\":[{\"containerPort\":80}]}]}}",
	       "and prints as the original");
	free(text);
	cJSON_Delete(dup);

	meta = cJSON_GetObjectItem(a, "metadata");
	cJSON_ReplaceItemInObject(meta, "name", cJSON_CreateString("b"));
	cJSON_DeleteItemFromObject(meta, "labels");
	cJSON_AddStringToObject(meta, "namespace", "default");
	text = cJSON_PrintUnformatted(meta);
	is_str(text, "{\"name\":\"b\",\"namespace\":\"default\"}", "members replaced, deleted, added");
	free(text);
	ok(strcmp(cJSON_GetObjectItem(b, "metadata")->child->string, "name") == 0,
	   "the other tree's shared key is untouched");

	/* a tree with no members, NULL: nothing happens */
	k8c_json_intern_keys(NULL);
	dup = cJSON_CreateObject();
	k8c_json_intern_keys(dup);
	ok(dup->child == NULL, "an empty object stays empty");
	cJSON_Delete(dup);

	/* beyond the limit, new keys stay owned by their members */
	dup = cJSON_CreateObject();
	for (int i = 0; i < K8C_JSON_INTERN_MAX; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		cJSON_AddNullToObject(dup, key);
	}
	k8c_json_intern_keys(dup);
	is_int((int)k8c_json_intern_count(), K8C_JSON_INTERN_MAX, "no more than the limit are kept");
	ok(!(cJSON_GetObjectItem(dup, "k65535")->type & cJSON_StringIsConst),
	   "a key past the limit stays its member's");
	cJSON_Delete(dup);

	cJSON_Delete(a);
	cJSON_Delete(b);
	return done_testing();
}
