/* Unit tests for core/common/names.c: the syntax of Kubernetes names, label
 * keys and label values, with Kubernetes' messages. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/names.h"
#include "tap.h"

typedef int (*check_fn)(const char *, char *, size_t);

typedef struct name_case {
	const char *s;
	int valid;
	const char *msg; /* exact message wanted, or NULL: any non-empty one */
} name_case_t;

#define LABEL_MSG                                                            \
	"a lowercase RFC 1123 label must consist of lower case alphanumeric " \
	"characters or '-', and must start and end with an alphanumeric "    \
	"character (e.g. 'my-name',  or '123-abc', regex used for "          \
	"validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
#define SUBDOMAIN_MSG                                                        \
	"a lowercase RFC 1123 subdomain must consist of lower case "         \
	"alphanumeric characters, '-' or '.', and must start and end with "  \
	"an alphanumeric character (e.g. 'example.com', regex used for "     \
	"validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]"           \
	"([-a-z0-9]*[a-z0-9])?)*')"
#define DNS1035_MSG                                                          \
	"a DNS-1035 label must consist of lower case alphanumeric "          \
	"characters or '-', start with an alphabetic character, and end "    \
	"with an alphanumeric character (e.g. 'my-name',  or 'abc-123', "    \
	"regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
#define QNAME_BODY                                                           \
	"must consist of alphanumeric characters, '-', '_' or '.', and must " \
	"start and end with an alphanumeric character (e.g. 'MyName',  or "  \
	"'my.name',  or '123-abc', regex used for validation is "            \
	"'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
#define VALUE_MSG                                                            \
	"a valid label must be an empty string or consist of alphanumeric "  \
	"characters, '-', '_' or '.', and must start and end with an "       \
	"alphanumeric character (e.g. 'MyValue',  or 'my_value',  or "       \
	"'12345', regex used for validation is "                             \
	"'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"

/* Long test strings, built once. */
static char a63[64], a64[65], sub253[254], sub254[255];
static char prefix253_name[253 + 1 + 63 + 1], prefix254_name[254 + 1 + 2];
static char name63_prefixed[32 + 63], name64_prefixed[32 + 64];

static void build_strings(void)
{
	memset(a63, 'a', 63);
	memset(a64, 'a', 64);
	/* 63 + 1 + 63 + 1 + 63 + 1 + 61 = 253 */
	memset(sub253, 'b', 253);
	sub253[63] = sub253[127] = sub253[191] = '.';
	memcpy(sub254, sub253, 253);
	sub254[253] = 'c';
	snprintf(prefix253_name, sizeof(prefix253_name), "%s/%s", sub253, a63);
	snprintf(prefix254_name, sizeof(prefix254_name), "%s/x", sub254);
	snprintf(name63_prefixed, sizeof(name63_prefixed), "example.com/%s", a63);
	snprintf(name64_prefixed, sizeof(name64_prefixed), "example.com/%s", a64);
}

static void run(const char *what, check_fn fn, const name_case_t *cases,
                size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char msg[K8C_NAME_MSG_MAX];
		int got;

		memset(msg, 'X', sizeof(msg));
		got = fn(cases[i].s, msg, sizeof(msg));
		is_int(got, cases[i].valid, "%s(\"%.40s%s\") is %s", what,
		       cases[i].s, strlen(cases[i].s) > 40 ? "..." : "",
		       cases[i].valid ? "valid" : "invalid");
		if (cases[i].valid)
			is_str(msg, "", "%s: no message when valid", what);
		else if (cases[i].msg != NULL && strlen(cases[i].msg) >= sizeof(msg))
			/* Too long for K8C_NAME_MSG_MAX: cut, still terminated. */
			ok(strlen(msg) == sizeof(msg) - 1 &&
			   strncmp(msg, cases[i].msg, sizeof(msg) - 1) == 0,
			   "%s(\"%.40s\") message, truncated", what, cases[i].s);
		else if (cases[i].msg != NULL)
			is_str(msg, cases[i].msg, "%s(\"%.40s\") message", what,
			       cases[i].s);
		else
			ok(msg[0] != '\0' && memchr(msg, '\0', sizeof(msg)) != NULL,
			   "%s(\"%.40s\") has a message: %s", what, cases[i].s, msg);
	}
}

#define RUN(fn, cases) run(#fn, fn, cases, sizeof(cases) / sizeof(cases[0]))

static void test_dns1123_label(void)
{
	const name_case_t cases[] = {
		{"a", 1, NULL}, {"0", 1, NULL}, {"a-b", 1, NULL},
		{"a--b", 1, NULL}, {"abc123", 1, NULL}, {"1-2-3", 1, NULL},
		{a63, 1, NULL},
		{a64, 0, "must be no more than 63 characters"},
		{"", 0, LABEL_MSG},
		{"A", 0, LABEL_MSG},
		{"aB", 0, LABEL_MSG},
		{"-a", 0, LABEL_MSG},
		{"a-", 0, LABEL_MSG},
		{"a_b", 0, LABEL_MSG},
		{"a b", 0, LABEL_MSG},
		{"\xc3\xa9", 0, LABEL_MSG},
		{"a\xc3\xa9", 0, LABEL_MSG},
		{".a", 0, LABEL_MSG},
		{"a.b", 0, "must not contain dots"},
		{"a.", 0, LABEL_MSG},
	};
	RUN(k8c_is_dns1123_label, cases);
}

static void test_dns1123_subdomain(void)
{
	const name_case_t cases[] = {
		{"a", 1, NULL}, {"a.b", 1, NULL}, {"example.com", 1, NULL},
		{"a-b.c-d", 1, NULL}, {"0.0.0", 1, NULL}, {sub253, 1, NULL},
		{sub254, 0, "must be no more than 253 characters"},
		{"", 0, SUBDOMAIN_MSG},
		{".a", 0, SUBDOMAIN_MSG},
		{"a.", 0, SUBDOMAIN_MSG},
		{"a..b", 0, SUBDOMAIN_MSG},
		{"A.b", 0, SUBDOMAIN_MSG},
		{"a_b.c", 0, SUBDOMAIN_MSG},
		{"-a.b", 0, SUBDOMAIN_MSG},
		{"a-.b", 0, SUBDOMAIN_MSG},
		{"a.-b", 0, SUBDOMAIN_MSG},
		{"exa\xc3\xa9mple.com", 0, SUBDOMAIN_MSG},
	};
	RUN(k8c_is_dns1123_subdomain, cases);
}

static void test_dns1035_label(void)
{
	const name_case_t cases[] = {
		{"a", 1, NULL}, {"a1", 1, NULL}, {"a-1", 1, NULL},
		{"my-service", 1, NULL}, {a63, 1, NULL},
		{a64, 0, "must be no more than 63 characters"},
		{"1a", 0, DNS1035_MSG},
		{"", 0, DNS1035_MSG},
		{"a-", 0, DNS1035_MSG},
		{"-a", 0, DNS1035_MSG},
		{"A", 0, DNS1035_MSG},
		{"a.b", 0, DNS1035_MSG},
		{"\xe2\x82\xac", 0, DNS1035_MSG},
	};
	RUN(k8c_is_dns1035_label, cases);
}

static void test_qualified_name(void)
{
	const name_case_t cases[] = {
		{"a", 1, NULL}, {"A", 1, NULL}, {"1", 1, NULL}, {"a.b", 1, NULL},
		{"a_b", 1, NULL}, {"A-b.C_d", 1, NULL},
		{"example.com/a", 1, NULL}, {"k8s.io/Name_1", 1, NULL},
		{"kubernetes.io/hostname", 1, NULL},
		{a63, 1, NULL}, {name63_prefixed, 1, NULL},
		{prefix253_name, 1, NULL},
		{"", 0, "name part must be non-empty; name part " QNAME_BODY},
		{"/a", 0, "prefix part must be non-empty"},
		{"a/", 0, "name part must be non-empty; name part " QNAME_BODY},
		{"a/b/c", 0, "a qualified name " QNAME_BODY " with an optional "
		             "DNS subdomain prefix and '/' (e.g. "
		             "'example.com/MyName')"},
		{"-a", 0, "name part " QNAME_BODY},
		{"a-", 0, "name part " QNAME_BODY},
		{"_a", 0, "name part " QNAME_BODY},
		{".a", 0, "name part " QNAME_BODY},
		{"a b", 0, "name part " QNAME_BODY},
		{"a:b", 0, "name part " QNAME_BODY},
		{"\xc3\xa9t\xc3\xa9", 0, "name part " QNAME_BODY},
		{"Example.com/a", 0, "prefix part " SUBDOMAIN_MSG},
		{"-example.com/a", 0, "prefix part " SUBDOMAIN_MSG},
		{a64, 0, "name part must be no more than 63 characters"},
		{name64_prefixed, 0, "name part must be no more than 63 characters"},
		{prefix254_name, 0, "prefix part must be no more than 253 characters"},
		{"Bad_Prefix/-bad", 0, "prefix part " SUBDOMAIN_MSG
		                       "; name part " QNAME_BODY},
	};
	RUN(k8c_is_qualified_name, cases);
}

static void test_label_value(void)
{
	const name_case_t cases[] = {
		{"", 1, NULL}, {"a", 1, NULL}, {"1", 1, NULL},
		{"A_b.c-d", 1, NULL}, {"MyValue", 1, NULL}, {a63, 1, NULL},
		{a64, 0, "must be no more than 63 characters"},
		{"-a", 0, VALUE_MSG},
		{"a-", 0, VALUE_MSG},
		{".", 0, VALUE_MSG},
		{"a b", 0, VALUE_MSG},
		{"a/b", 0, VALUE_MSG},
		{"a,b", 0, VALUE_MSG},
		{"\xc3\xa9", 0, VALUE_MSG},
	};
	RUN(k8c_is_label_value, cases);
}

/* Two failures at once are joined with "; ". */
static void test_joined_and_truncated(void)
{
	char a64up[66], msg[K8C_NAME_MSG_MAX], small[8];

	memcpy(a64up, a64, 65);
	a64up[0] = 'A';
	ok(!k8c_is_dns1123_label(a64up, msg, sizeof(msg)), "long uppercase label");
	is_str(msg, "must be no more than 63 characters; " LABEL_MSG,
	       "both messages, joined with '; '");

	a64up[0] = '-';
	ok(!k8c_is_label_value(a64up, msg, sizeof(msg)), "long bad label value");
	is_str(msg, "must be no more than 63 characters; " VALUE_MSG,
	       "label value: both messages");

	ok(!k8c_is_dns1123_label("A", small, sizeof(small)),
	   "small message buffer");
	is_str(small, "a lower", "message truncated to the buffer");
	ok(!k8c_is_dns1123_label("A", NULL, 0), "NULL message buffer is fine");
	ok(k8c_is_label_value(NULL, NULL, 0), "NULL label value is empty");
	ok(!k8c_is_qualified_name(NULL, NULL, 0), "NULL name is empty, invalid");
}

static void test_validate_labels(void)
{
	static const struct { const char *json; int valid; } cases[] = {
		{"{}", 1},
		{"null", 1},
		{"{\"app\":\"web\",\"k8s.io/x\":\"\",\"tier\":\"A_1\"}", 1},
		{"{\"bad key\":\"x\"}", 0},
		{"{\"a\":\"-x\"}", 0},
		{"{\"a\":1}", 0},
		{"{\"a/b/c\":\"x\"}", 0},
		{"[]", 0},
		{"\"a=b\"", 0},
	};
	char msg[K8C_NAME_MSG_MAX];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cJSON *j = cJSON_Parse(cases[i].json);
		is_int(k8c_validate_labels(j, msg, sizeof(msg)), cases[i].valid,
		       "labels %s %s", cases[i].json,
		       cases[i].valid ? "valid" : "invalid");
		ok(cases[i].valid == (msg[0] == '\0'), "message iff invalid: %s",
		   msg);
		cJSON_Delete(j);
	}
	ok(k8c_validate_labels(NULL, msg, sizeof(msg)), "NULL labels valid");
	{
		cJSON *j = cJSON_Parse("{\"ok\":\"1\",\"a\":\"x y\"}");
		k8c_validate_labels(j, msg, sizeof(msg));
		ok(strstr(msg, "[a]") != NULL && strstr(msg, "\"x y\"") != NULL,
		   "message names the key and value: %s", msg);
		cJSON_Delete(j);
	}
}

static void test_validate_annotations(void)
{
	char msg[K8C_NAME_MSG_MAX];
	cJSON *j;
	char *big;

	j = cJSON_Parse("{\"Example.COM/Thing\":\"any text, even = and !\","
	                "\"UPPER\":\"\"}");
	ok(k8c_validate_annotations(j, msg, sizeof(msg)),
	   "annotation keys are checked lower-cased, values are free");
	cJSON_Delete(j);

	j = cJSON_Parse("{\"a b\":\"x\"}");
	ok(!k8c_validate_annotations(j, msg, sizeof(msg)), "bad annotation key");
	ok(strstr(msg, "name part") != NULL, "message explains: %s", msg);
	cJSON_Delete(j);

	j = cJSON_Parse("{\"a\":true}");
	ok(!k8c_validate_annotations(j, msg, sizeof(msg)),
	   "non-string annotation value");
	cJSON_Delete(j);

	/* key "a" (1 byte) + value: exactly at the limit, then one over. */
	big = malloc(K8C_ANNOTATIONS_SIZE_MAX + 1);
	memset(big, 'v', K8C_ANNOTATIONS_SIZE_MAX);
	big[K8C_ANNOTATIONS_SIZE_MAX - 1] = '\0';
	j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "a", big);
	ok(k8c_validate_annotations(j, msg, sizeof(msg)),
	   "annotations of exactly 256 KiB are valid");
	cJSON_Delete(j);
	big[K8C_ANNOTATIONS_SIZE_MAX - 1] = 'v';
	big[K8C_ANNOTATIONS_SIZE_MAX] = '\0';
	j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "a", big);
	ok(!k8c_validate_annotations(j, msg, sizeof(msg)),
	   "annotations of 256 KiB + 1 are refused");
	is_str(msg, "Too long: may not be more than 262144 bytes",
	       "size message in Kubernetes' wording");
	cJSON_Delete(j);
	free(big);
	ok(k8c_validate_annotations(NULL, NULL, 0), "NULL annotations valid");
}

int main(void)
{
	build_strings();
	test_dns1123_label();
	test_dns1123_subdomain();
	test_dns1035_label();
	test_qualified_name();
	test_label_value();
	test_joined_and_truncated();
	test_validate_labels();
	test_validate_annotations();
	return done_testing();
}
