/* Field errors become 422 Invalid Status objects worded as Kubernetes'; the
 * kind helpers read, default and age objects. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "apiserver/field_errors.h"
#include "apiserver/kinds/util.h"
#include "tap.h"

static void test_status(void)
{
	k8c_field_errors_t errs = K8C_FIELD_ERRORS_INIT;
	cJSON *v = cJSON_CreateString("Web");
	cJSON *st, *cause;
	char *s;

	k8c_field_error_add(&errs, K8C_FIELD_REQUIRED, "spec.containers[0].image", NULL, NULL);
	st = k8c_field_errors_status(&errs, "", "Pod", "web");
	is_str(cJSON_GetObjectItem(st, "message")->valuestring,
	       "Pod \"web\" is invalid: spec.containers[0].image: Required value", "one error: message");
	is_int(cJSON_GetObjectItem(st, "code")->valueint, 422, "code 422");
	is_str(cJSON_GetObjectItem(st, "reason")->valuestring, "Invalid", "reason Invalid");
	is_str(cJSON_GetObjectItem(st, "status")->valuestring, "Failure", "status Failure");
	cause = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(st, "details"), "causes"), 0);
	is_str(cJSON_GetObjectItem(cause, "reason")->valuestring, "FieldValueRequired", "cause reason");
	is_str(cJSON_GetObjectItem(cause, "message")->valuestring, "Required value", "cause message");
	is_str(cJSON_GetObjectItem(cause, "field")->valuestring, "spec.containers[0].image", "cause field");
	ok(cJSON_GetObjectItem(cJSON_GetObjectItem(st, "details"), "group") == NULL, "no group for core");
	cJSON_Delete(st);

	k8c_field_error_add(&errs, K8C_FIELD_INVALID, "metadata.name", v,
	                    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters");
	k8c_field_error_add_raw(&errs, K8C_FIELD_NOT_SUPPORTED, "spec.restartPolicy", "\"Sometimes\"",
	                        "supported values: \"Always\", \"Never\", \"OnFailure\"");
	st = k8c_field_errors_status(&errs, "apps", "Deployment", "web");
	s = cJSON_GetObjectItem(st, "message")->valuestring;
	ok(strncmp(s, "Deployment.apps \"web\" is invalid: [spec.containers[0].image: Required value, "
	              "metadata.name: Invalid value: \"Web\": a lowercase", 107) == 0,
	   "several errors: bracketed, group-qualified kind: %s", s);
	ok(strstr(s, "spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\"") != NULL,
	   "unsupported value with the supported ones");
	is_str(cJSON_GetObjectItem(cJSON_GetObjectItem(st, "details"), "group")->valuestring, "apps",
	       "details.group");
	is_int(cJSON_GetArraySize(cJSON_GetObjectItem(cJSON_GetObjectItem(st, "details"), "causes")), 3,
	       "one cause per error");
	cJSON_Delete(st);
	k8c_field_errors_free(&errs);
	ok(errs.n == 0 && errs.items == NULL, "freed");

	cJSON_SetValuestring(v, "a\"b");
	k8c_field_error_add(&errs, K8C_FIELD_DUPLICATE, "x", v, NULL);
	s = k8c_field_error_message(&errs.items[0]);
	is_str(s, "Duplicate value: \"a\\\"b\"", "values are quoted and escaped");
	free(s);
	k8c_field_errors_free(&errs);
	cJSON_Delete(v);
	v = cJSON_CreateNumber(3);
	k8c_field_error_add(&errs, K8C_FIELD_INVALID, "spec.replicas", v, "must be greater than or equal to 0");
	s = k8c_field_error_message(&errs.items[0]);
	is_str(s, "Invalid value: 3: must be greater than or equal to 0", "numbers print bare");
	free(s);
	k8c_field_errors_free(&errs);
	cJSON_Delete(v);
	k8c_field_error_add(&errs, K8C_FIELD_FORBIDDEN, "spec", NULL, "pod updates may not change fields other than %s", "`spec.containers[*].image`");
	s = k8c_field_error_message(&errs.items[0]);
	is_str(s, "Forbidden: pod updates may not change fields other than `spec.containers[*].image`", "forbidden with detail");
	free(s);
	k8c_field_errors_free(&errs);
}

static void test_util(void)
{
	char buf[K8C_DURATION_STRLEN];
	cJSON *o = cJSON_Parse("{\"metadata\":{\"name\":\"a\",\"creationTimestamp\":\"2026-11-27T10:00:00Z\"},"
	                       "\"spec\":{\"replicas\":3,\"paused\":true,\"x\":null}}");
	static const struct { long long s; const char *want; } durations[] = {
		{-5, "<invalid>"}, {-1, "0s"}, {0, "0s"}, {59, "59s"}, {119, "119s"}, {120, "2m"},
		{200, "3m20s"}, {599, "9m59s"}, {600, "10m"}, {3600, "60m"}, {10799, "179m"},
		{10800, "3h"}, {5 * 3600 + 30 * 60, "5h30m"}, {8 * 3600, "8h"}, {47 * 3600, "47h"},
		{48 * 3600, "2d"}, {76 * 3600, "3d4h"}, {8 * 86400, "8d"}, {120 * 86400, "120d"},
		{730 * 86400, "2y"}, {(3 * 365 + 20) * 86400LL, "3y20d"}, {10 * 365 * 86400LL, "10y"},
	};

	for (size_t i = 0; i < sizeof(durations) / sizeof(durations[0]); i++)
		is_str(k8c_human_duration(durations[i].s, buf), durations[i].want, "duration %lld s", durations[i].s);
	is_str(k8c_age(o, 1795773600LL + 3600, buf), "60m", "age from creationTimestamp");
	is_str(k8c_age(cJSON_GetObjectItem(o, "spec"), 0, buf), "<unknown>", "no timestamp: <unknown>");

	is_str(k8c_jstr(o, "metadata.name"), "a", "jstr");
	ok(k8c_jstr(o, "spec.replicas") == NULL, "jstr of a number is NULL");
	is_int(k8c_jint(o, "spec.replicas", -1), 3, "jint");
	is_int(k8c_jint(o, "spec.nope", -1), -1, "jint default");
	is_int(k8c_jbool(o, "spec.paused", 0), 1, "jbool");
	ok(k8c_jget(o, "metadata.name.deeper") == NULL, "no path through a string");
	ok(k8c_jobject(o, "spec.template.metadata") != NULL, "jobject creates parents");
	ok(k8c_jobject(o, "metadata.name") == NULL, "jobject refuses a non-object");
	ok(cJSON_IsObject(k8c_jobject(o, "spec.x")), "jobject replaces null");
	k8c_jdefault_int(cJSON_GetObjectItem(o, "spec"), "replicas", 1);
	is_int(k8c_jint(o, "spec.replicas", -1), 3, "defaults keep set values");
	k8c_jdefault_int(cJSON_GetObjectItem(o, "spec"), "revisionHistoryLimit", 10);
	is_int(k8c_jint(o, "spec.revisionHistoryLimit", -1), 10, "defaults fill absent values");
	k8c_jdefault_str(cJSON_GetObjectItem(o, "spec"), "policy", "Always");
	is_str(k8c_jstr(o, "spec.policy"), "Always", "string default");
	k8c_jdefault_bool(cJSON_GetObjectItem(o, "spec"), "paused", 0);
	is_int(k8c_jbool(o, "spec.paused", 0), 1, "bool default keeps true");
	cJSON_Delete(o);
}

int main(void)
{
	test_status();
	test_util();
	return done_testing();
}
