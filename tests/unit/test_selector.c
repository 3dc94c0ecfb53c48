/* Unit tests for core/common/selector.c: label selectors (string and
 * LabelSelector forms) and field selectors, as apimachinery parses, prints
 * and matches them. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/selector.h"
#include "tap.h"

/* s with control characters escaped, for test names (one line each). */
static const char *shown(const char *s)
{
	static char buf[4][256];
	static int k;
	char *b = buf[k++ % 4], *o = b;

	for (; *s != '\0' && o < b + sizeof(buf[0]) - 5; s++) {
		if ((unsigned char)*s < 0x20)
			o += sprintf(o, "\\x%02x", (unsigned char)*s);
		else
			*o++ = *s;
	}
	*o = '\0';
	return b;
}

/* --- label selector strings --------------------------------------------- */

typedef struct parse_case {
	const char *in;
	const char *want;   /* canonical string, or NULL when refused */
	const char *errsub; /* when refused: a part of the message */
} parse_case_t;

static const parse_case_t label_cases[] = {
	/* accepted, with the canonical string Kubernetes prints */
	{"", "", NULL},
	{"   \t\n", "", NULL},
	{"x", "x", NULL},
	{"!x", "!x", NULL},
	{" ! x ", "!x", NULL},
	{"x=a", "x=a", NULL},
	{"x==a", "x==a", NULL},
	{"x!=a", "x!=a", NULL},
	{"x = a", "x=a", NULL},
	{"x\t=\na", "x=a", NULL},
	{"x=", "x=", NULL},
	{"x==", "x==", NULL},
	{"x= ,y", "x=,y", NULL},
	{"x in (a,b)", "x in (a,b)", NULL},
	{"x in (b,a,a)", "x in (a,b)", NULL},
	{"x in(a)", "x in (a)", NULL},
	{"x notin (a)", "x notin (a)", NULL},
	{"x notin(a , b )", "x notin (a,b)", NULL},
	{"x in ()", "x in ()", NULL},
	{"x notin ()", "x notin ()", NULL},
	{"x in (,a)", "x in (,a)", NULL},
	{"x in (a,,b)", "x in (,a,b)", NULL},
	{"x in (a,)", "x in (,a)", NULL},
	{"x in (,)", "x in ()", NULL},
	{"x>1", "x>1", NULL},
	{"x < 10", "x<10", NULL},
	{"x>007", "x>007", NULL},
	{"x>9223372036854775807", "x>9223372036854775807", NULL},
	{"b=1,a=2", "a=2,b=1", NULL},
	{"a=2,a=1", "a=2,a=1", NULL},
	{"a,a", "a,a", NULL},
	{"x=a,y!=b,z in (c),!w", "!w,x=a,y!=b,z in (c)", NULL},
	{"example.com/x=y", "example.com/x=y", NULL},
	{"in in (in, notin)", "in in (in,notin)", NULL},
	{"notin", "notin", NULL},
	{"!in", "!in", NULL},
	{"x=in", "x=in", NULL},
	{"a,b", "a,b", NULL},
	{"A_b.c-D=Z_9", "A_b.c-D=Z_9", NULL},
	/* refused */
	{"x in", NULL, "found '' expected: '('"},
	{"x in a", NULL, "found 'a' expected: '('"},
	{"x in (", NULL, "found '', expected: ',', ')' or identifier"},
	{"x in (=)", NULL, "found '=', expected: ',', ')' or identifier"},
	{"x in (a", NULL, "found '', expected: ',' or ')'"},
	{"x in (a b)", NULL, "found 'b', expected: ',' or ')'"},
	{"x in (a,=)", NULL, "found '=', expected: ',', or identifier"},
	{"x in (a,", NULL, "found '', expected: ',', or identifier"},
	{"x y", NULL, "found 'y', expected: in, notin, =, ==, !=, gt, lt"},
	{"x!", NULL, "found '!', expected: in, notin, =, ==, !=, gt, lt"},
	{"=a", NULL, "found '=', expected: !, identifier, or 'end of string'"},
	{",x", NULL, "found ',', expected: !, identifier, or 'end of string'"},
	{")", NULL, "found ')', expected: !, identifier, or 'end of string'"},
	{"x=a,", NULL, "found '', expected: identifier after ','"},
	{"x=a,,y", NULL, "found ',', expected: identifier after ','"},
	{"x in (a),", NULL, "found '', expected: identifier after ','"},
	{"x=a b", NULL, "found 'b', expected: ',' or 'end of string'"},
	{"!x=a", NULL, "found '=', expected: ',' or 'end of string'"},
	{"x in (a)(b)", NULL, "found '(', expected: ',' or 'end of string'"},
	{"!", NULL, "unable to parse requirement: found '', expected: identifier"},
	{"!!x", NULL, "found '!', expected: identifier"},
	{"x=(a)", NULL, "found '(', expected: identifier"},
	{"x ==== a", NULL, "found '==', expected: identifier"},
	{"x>=1", NULL, "found '=', expected: identifier"},
	{"x>a", NULL, "for 'Gt', 'Lt' operators, the value must be an integer"},
	{"x>", NULL, "for 'Gt', 'Lt' operators, the value must be an integer"},
	{"x<1.5", NULL, "the value must be an integer"},
	{"x>9223372036854775808", NULL, "the value must be an integer"},
	{"x<-1", NULL, "a valid label must be an empty string"},
	{"-x=a", NULL, "key: Invalid value: \"-x\": name part must consist"},
	{"a/b/c=d", NULL, "a qualified name must consist"},
	{"/x", NULL, "prefix part must be non-empty"},
	{"x=-a", NULL, "values[0][x]: Invalid value: \"-a\": a valid label"},
	{"x in (a,-b)", NULL, "Invalid value: \"-b\""},
	{"x=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	 NULL, "must be no more than 63 characters"},
	{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	 NULL, "name part must be no more than 63 characters"},
	{"\xc3\xa9=a", NULL, "name part must consist"},
	{"x=\xc3\xa9", NULL, "a valid label must be"},
	{"x in (a;b)", NULL, "a valid label must be"},
	{"k8s.io/=x", NULL, "name part must be non-empty"},
};

static void test_label_parse(void)
{
	for (size_t i = 0; i < sizeof(label_cases) / sizeof(label_cases[0]); i++) {
		const parse_case_t *c = &label_cases[i];
		k8c_label_selector_t *sel = (k8c_label_selector_t *)1;
		k8c_error_t err;
		int ret;

		k8c_error_clear(&err);
		ret = k8c_label_selector_parse(c->in, &sel, &err);
		if (c->want != NULL) {
			char *s, *s2;
			k8c_label_selector_t *again = NULL;

			if (!ok(ret == 0, "label \"%s\" parses", shown(c->in))) {
				diag("error: %s", err.message);
				continue;
			}
			s = k8c_label_selector_string(sel);
			is_str(s, c->want, "label \"%s\" prints as \"%s\"", shown(c->in),
			       c->want);
			ok(k8c_label_selector_parse(s, &again, NULL) == 0,
			   "label \"%s\": canonical form re-parses", shown(c->in));
			s2 = k8c_label_selector_string(again);
			is_str(s2, s, "label \"%s\": canonical form is a fixed point",
			       shown(c->in));
			is_int(k8c_label_selector_is_everything(sel), c->want[0] == '\0',
			       "label \"%s\": everything iff no requirement", shown(c->in));
			free(s);
			free(s2);
			k8c_label_selector_free(again);
			k8c_label_selector_free(sel);
		} else {
			is_int(ret, -K8C_EINVAL, "label \"%s\" refused with EINVAL",
			       shown(c->in));
			is_int(err.code, K8C_EINVAL, "label \"%s\": err.code", shown(c->in));
			ok(sel == NULL, "label \"%s\": *out is NULL on error", shown(c->in));
			if (!ok(strstr(err.message, c->errsub) != NULL,
			        "label \"%s\": message has \"%s\"", shown(c->in), c->errsub))
				diag("message: %s", err.message);
		}
	}
}

static void test_label_parse_misc(void)
{
	k8c_label_selector_t *sel = NULL;
	k8c_error_t err;
	char *s;

	ok(k8c_label_selector_parse(NULL, &sel, &err) == 0, "NULL string parses");
	ok(k8c_label_selector_is_everything(sel), "NULL string: everything");
	ok(!k8c_label_selector_is_nothing(sel), "NULL string: not nothing");
	is_int(k8c_label_selector_count(sel), 0, "NULL string: no requirements");
	k8c_label_selector_free(sel);

	ok(k8c_label_selector_parse("x in (a", &sel, NULL) == -K8C_EINVAL,
	   "errors without an error object");

	ok(k8c_label_selector_parse("x=a", &sel, &err) == 0, "x=a parses");
	is_int(k8c_label_selector_count(sel), 1, "one requirement");
	ok(!k8c_label_selector_is_everything(sel), "x=a is not everything");
	k8c_label_selector_free(sel);

	/* "x in ()" is the set {""} (labels.Parse accepts it): it matches an
	 * empty value only. */
	ok(k8c_label_selector_parse("x in ()", &sel, &err) == 0, "x in () parses");
	{
		cJSON *empty = cJSON_Parse("{\"x\":\"\"}");
		cJSON *full = cJSON_Parse("{\"x\":\"a\"}");
		ok(k8c_label_selector_matches(sel, empty), "x in () matches x=\"\"");
		ok(!k8c_label_selector_matches(sel, full), "x in () not x=a");
		cJSON_Delete(empty);
		cJSON_Delete(full);
	}
	k8c_label_selector_free(sel);

	k8c_label_selector_free(NULL);
	s = k8c_label_selector_string(NULL);
	is_str(s, "", "NULL selector prints as \"\"");
	free(s);
}

/* --- matching ------------------------------------------------------------ */

typedef struct match_case {
	const char *sel;
	int want;
} match_case_t;

static void test_label_matches(void)
{
	static const match_case_t cases[] = {
		{"", 1}, {"a", 1}, {"!a", 0}, {"c", 0}, {"!c", 1},
		{"a=1", 1}, {"a==1", 1}, {"a=2", 0}, {"a!=2", 1}, {"a!=1", 0},
		{"c!=2", 1}, {"c=", 0}, {"e=", 1}, {"e", 1}, {"e!=", 0},
		{"a in (1,2)", 1}, {"a in (2,3)", 0}, {"c in (1)", 0},
		{"c notin (1)", 1}, {"a notin (1)", 0}, {"a notin (2)", 1},
		{"n>9", 1}, {"n>10", 0}, {"n<11", 1}, {"n<10", 0},
		{"neg<0", 1}, {"neg>0", 0}, {"word>0", 0}, {"word<0", 0},
		{"c>0", 0}, {"c<0", 0}, {"num=1", 0}, {"num", 0}, {"!num", 1},
		{"num!=1", 1}, {"a=1,b=x", 1}, {"a=1,b=y", 0},
		{"a,b,!c,n>1,a in (1)", 1},
		{"big>9223372036854775806", 1}, {"huge>1", 0},
		{"example.com/role=db", 1}, {"role=db", 0},
	};
	cJSON *labels = cJSON_Parse(
		"{\"a\":\"1\",\"b\":\"x\",\"n\":\"10\",\"neg\":\"-5\","
		"\"word\":\"x1\",\"e\":\"\",\"num\":1,"
		"\"big\":\"9223372036854775807\","
		"\"huge\":\"9223372036854775808\","
		"\"example.com/role\":\"db\"}");

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		k8c_label_selector_t *sel = NULL;
		k8c_error_t err;

		if (!ok(k8c_label_selector_parse(cases[i].sel, &sel, &err) == 0,
		        "match \"%s\" parses", cases[i].sel)) {
			diag("%s", err.message);
			continue;
		}
		is_int(k8c_label_selector_matches(sel, labels), cases[i].want,
		       "\"%s\" %s the labels", cases[i].sel,
		       cases[i].want ? "matches" : "does not match");
		k8c_label_selector_free(sel);
	}
	cJSON_Delete(labels);

	/* No labels at all: only the negative requirements hold. */
	{
		static const match_case_t none[] = {
			{"", 1}, {"!a", 1}, {"a", 0}, {"a!=1", 1}, {"a notin (1)", 1},
			{"a=", 0}, {"a>1", 0},
		};
		for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
			k8c_label_selector_t *sel = NULL;
			k8c_label_selector_parse(none[i].sel, &sel, NULL);
			is_int(k8c_label_selector_matches(sel, NULL), none[i].want,
			       "\"%s\" on NULL labels", none[i].sel);
			k8c_label_selector_free(sel);
		}
	}
	ok(!k8c_label_selector_matches(NULL, NULL), "NULL selector matches nothing");
}

/* --- LabelSelector objects -------------------------------------------- */

typedef struct json_case {
	const char *json;  /* NULL: the C NULL pointer */
	const char *want;  /* canonical string, or NULL when refused */
	const char *errsub;
} json_case_t;

static void test_label_from_json(void)
{
	static const json_case_t cases[] = {
		{"{}", "", NULL},
		{"{\"matchLabels\":{}}", "", NULL},
		{"{\"matchLabels\":null,\"matchExpressions\":[]}", "", NULL},
		{"{\"matchLabels\":{\"b\":\"2\",\"a\":\"1\"}}", "a=1,b=2", NULL},
		{"{\"matchLabels\":{\"a\":\"\"}}", "a=", NULL},
		{"{\"matchExpressions\":[{\"key\":\"x\",\"operator\":\"In\","
		 "\"values\":[\"b\",\"a\"]}]}", "x in (a,b)", NULL},
		{"{\"matchExpressions\":[{\"key\":\"x\",\"operator\":\"NotIn\","
		 "\"values\":[\"a\"]}]}", "x notin (a)", NULL},
		{"{\"matchExpressions\":[{\"key\":\"x\",\"operator\":\"Exists\"}]}",
		 "x", NULL},
		{"{\"matchExpressions\":[{\"key\":\"x\",\"operator\":\"DoesNotExist\","
		 "\"values\":[]}]}", "!x", NULL},
		{"{\"matchLabels\":{\"z\":\"1\"},\"matchExpressions\":[{\"key\":\"a\","
		 "\"operator\":\"Exists\"}]}", "a,z=1", NULL},
		/* refused */
		{"{\"matchExpressions\":[{\"key\":\"x\",\"operator\":\"In\","
		 "\"values\":[]}]}", NULL, "values set can't be empty"},
		{"{\"matchExpressions\":[{\"key\":\"x\",\"operator\":\"NotIn\"}]}",
		 NULL, "values set can't be empty"},
		{"{\"matchExpressions\":[{\"key\":\"x\",\"operator\":\"Exists\","
		 "\"values\":[\"a\"]}]}", NULL,
		 "values set must be empty for exists and does not exist"},
		{"{\"matchExpressions\":[{\"key\":\"x\",\"operator\":\"Gt\","
		 "\"values\":[\"1\"]}]}", NULL,
		 "\"Gt\" is not a valid label selector operator"},
		{"{\"matchExpressions\":[{\"key\":\"x\",\"operator\":\"in\","
		 "\"values\":[\"1\"]}]}", NULL, "\"in\" is not a valid"},
		{"{\"matchExpressions\":[{\"key\":\"bad key\",\"operator\":\"Exists\"}]}",
		 NULL, "matchExpressions[0].key: Invalid value: \"bad key\""},
		{"{\"matchExpressions\":[{\"key\":\"x\",\"operator\":\"Exists\"},"
		 "{\"key\":\"y\",\"operator\":\"In\",\"values\":[\"-v\"]}]}",
		 NULL, "matchExpressions[1].values[0][y]: Invalid value: \"-v\""},
		{"{\"matchExpressions\":[{\"operator\":\"Exists\"}]}", NULL,
		 "matchExpressions[0].key: Required value"},
		{"{\"matchExpressions\":[{\"key\":\"x\"}]}", NULL,
		 "matchExpressions[0].operator"},
		{"{\"matchExpressions\":[{\"key\":\"x\",\"operator\":\"In\","
		 "\"values\":\"a\"}]}", NULL, "must be an array"},
		{"{\"matchExpressions\":[{\"key\":\"x\",\"operator\":\"In\","
		 "\"values\":[1]}]}", NULL, "values[0]: must be a string"},
		{"{\"matchExpressions\":[\"x=a\"]}", NULL, "must be an object"},
		{"{\"matchExpressions\":{}}", NULL, "must be an array"},
		{"{\"matchLabels\":[]}", NULL, "matchLabels: must be an object"},
		{"{\"matchLabels\":{\"a\":1}}", NULL, "matchLabels[a]: must be a string"},
		{"{\"matchLabels\":{\"a\":\"b c\"}}", NULL, "Invalid value: \"b c\""},
		{"{\"matchLabels\":{\"-a\":\"b\"}}", NULL, "Invalid value: \"-a\""},
		{"[]", NULL, "must be an object"},
		{"\"a=b\"", NULL, "must be an object"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const json_case_t *c = &cases[i];
		cJSON *j = cJSON_Parse(c->json);
		k8c_label_selector_t *sel = (k8c_label_selector_t *)1;
		k8c_error_t err;
		int ret;

		if (!ok(j != NULL, "test JSON %zu parses", i))
			continue;
		k8c_error_clear(&err);
		ret = k8c_label_selector_from_json(j, &sel, &err);
		if (c->want != NULL) {
			char *s;
			if (!ok(ret == 0, "selector %s accepted", c->json)) {
				diag("%s", err.message);
			} else {
				s = k8c_label_selector_string(sel);
				is_str(s, c->want, "selector %s prints as \"%s\"", c->json,
				       c->want);
				free(s);
				k8c_label_selector_free(sel);
			}
		} else {
			is_int(ret, -K8C_EINVAL, "selector %s refused", c->json);
			ok(sel == NULL, "*out NULL on error");
			if (!ok(strstr(err.message, c->errsub) != NULL,
			        "message has \"%s\"", c->errsub))
				diag("message: %s", err.message);
		}
		cJSON_Delete(j);
	}
}

static void test_label_from_json_semantics(void)
{
	k8c_label_selector_t *sel = NULL;
	cJSON *labels = cJSON_Parse("{\"app\":\"web\",\"tier\":\"front\"}");
	cJSON *j;
	char *s;

	/* Absent selector: matches nothing, not even empty label sets. */
	ok(k8c_label_selector_from_json(NULL, &sel, NULL) == 0, "NULL accepted");
	ok(k8c_label_selector_is_nothing(sel), "NULL gives nothing");
	ok(!k8c_label_selector_is_everything(sel), "nothing is not everything");
	ok(!k8c_label_selector_matches(sel, labels), "nothing: no match");
	ok(!k8c_label_selector_matches(sel, NULL), "nothing: no match on none");
	s = k8c_label_selector_string(sel);
	is_str(s, "", "nothing prints as \"\" (as labels.Nothing())");
	free(s);
	k8c_label_selector_free(sel);

	j = cJSON_Parse("null");
	ok(k8c_label_selector_from_json(j, &sel, NULL) == 0, "JSON null accepted");
	ok(k8c_label_selector_is_nothing(sel), "JSON null gives nothing");
	k8c_label_selector_free(sel);
	cJSON_Delete(j);

	/* {}: everything. */
	j = cJSON_Parse("{}");
	k8c_label_selector_from_json(j, &sel, NULL);
	ok(k8c_label_selector_is_everything(sel), "{} gives everything");
	ok(k8c_label_selector_matches(sel, labels), "{} matches labels");
	ok(k8c_label_selector_matches(sel, NULL), "{} matches no labels");
	k8c_label_selector_free(sel);
	cJSON_Delete(j);

	j = cJSON_Parse("{\"matchLabels\":{\"app\":\"web\"},\"matchExpressions\":["
	                "{\"key\":\"tier\",\"operator\":\"In\",\"values\":[\"front\",\"back\"]},"
	                "{\"key\":\"canary\",\"operator\":\"DoesNotExist\"},"
	                "{\"key\":\"zone\",\"operator\":\"NotIn\",\"values\":[\"z1\"]}]}");
	k8c_label_selector_from_json(j, &sel, NULL);
	ok(k8c_label_selector_matches(sel, labels), "matchLabels+expressions match");
	cJSON_ReplaceItemInObject(labels, "tier", cJSON_CreateString("db"));
	ok(!k8c_label_selector_matches(sel, labels), "In fails on another value");
	k8c_label_selector_free(sel);
	cJSON_Delete(j);
	cJSON_Delete(labels);
}

static void test_label_add(void)
{
	k8c_label_selector_t *sel = k8c_label_selector_new();
	const char *five[] = {"5"}, *word[] = {"five"}, *two[] = {"1", "2"};
	const char *ab[] = {"b", "a"}, *badv[] = {"a b"};
	cJSON *labels = cJSON_Parse("{\"cpu\":\"8\",\"zone\":\"a\"}");
	k8c_error_t err;
	char *s;

	ok(k8c_label_selector_is_everything(sel), "new selector: everything");
	is_int(k8c_label_selector_add(sel, "cpu", K8C_SEL_GREATER_THAN, five, 1,
	                              &err), 0, "add cpu>5");
	is_int(k8c_label_selector_add(sel, "zone", K8C_SEL_IN, ab, 2, &err), 0,
	       "add zone in (b,a)");
	is_int(k8c_label_selector_add(sel, "arch", K8C_SEL_DOES_NOT_EXIST, NULL, 0,
	                              &err), 0, "add !arch");
	s = k8c_label_selector_string(sel);
	is_str(s, "!arch,cpu>5,zone in (a,b)", "sorted by key, values sorted");
	free(s);
	ok(k8c_label_selector_matches(sel, labels), "built selector matches");

	is_int(k8c_label_selector_add(sel, "cpu", K8C_SEL_LESS_THAN, word, 1, &err),
	       -K8C_EINVAL, "Lt with a word refused");
	is_str(err.message, "values[0]: Invalid value: \"five\": for 'Gt', 'Lt' "
	       "operators, the value must be an integer", "Lt message");
	is_int(k8c_label_selector_add(sel, "cpu", K8C_SEL_GREATER_THAN, two, 2,
	                              &err), -K8C_EINVAL, "Gt with two values");
	ok(strstr(err.message, "exactly one value is required") != NULL,
	   "Gt count message: %s", err.message);
	is_int(k8c_label_selector_add(sel, "x", K8C_SEL_IN, NULL, 0, &err),
	       -K8C_EINVAL, "In without values");
	is_int(k8c_label_selector_add(sel, "x", K8C_SEL_EQUALS, two, 2, &err),
	       -K8C_EINVAL, "= with two values");
	ok(strstr(err.message, "exact-match compatibility requires one single "
	          "value") != NULL, "= count message: %s", err.message);
	is_int(k8c_label_selector_add(sel, "x", K8C_SEL_EXISTS, five, 1, &err),
	       -K8C_EINVAL, "Exists with a value");
	is_int(k8c_label_selector_add(sel, "x", K8C_SEL_IN, badv, 1, &err),
	       -K8C_EINVAL, "bad value");
	is_int(k8c_label_selector_add(sel, "x y", K8C_SEL_EXISTS, NULL, 0, &err),
	       -K8C_EINVAL, "bad key");
	is_int(k8c_label_selector_add(sel, "x", 99, NULL, 0, &err), -K8C_EINVAL,
	       "unknown operator");
	is_int(k8c_label_selector_add(sel, NULL, K8C_SEL_EXISTS, NULL, 0, &err),
	       -K8C_EINVAL, "NULL key");
	is_int(k8c_label_selector_count(sel), 3, "failed adds left it unchanged");
	k8c_label_selector_free(sel);
	cJSON_Delete(labels);
}

/* --- field selectors ------------------------------------------------------ */

static const parse_case_t field_cases[] = {
	{"", "", NULL},
	{"a=b", "a=b", NULL},
	{"a==b", "a=b", NULL},
	{"a!=b", "a!=b", NULL},
	{"b=1,a=2", "a=2,b=1", NULL},
	{"a=", "a=", NULL},
	{"a!=", "a!=", NULL},
	{",a=b,,", "a=b", NULL},
	{"a=b\\,c", "a=b\\,c", NULL},
	{"a=b\\=c", "a=b\\=c", NULL},
	{"a=b\\\\c", "a=b\\\\c", NULL},
	{"a=!b", "a=!b", NULL},
	{"a=b c", "a=b c", NULL},
	{"spec.nodeName=n1,metadata.name!=x", "metadata.name!=x,spec.nodeName=n1",
	 NULL},
	{"a==x,a=b", "a=b,a=x", NULL},
	{"a=b,a=b", "a=b,a=b", NULL},
	{"a\\=b", "a\\=b", NULL},
	{"a\\,b=c", "a\\,b=c", NULL},
	{"a!b=c", "a!b=c", NULL},
	{"a=\xc3\xa9", "a=\xc3\xa9", NULL},
	/* refused */
	{"a", NULL, "invalid selector: 'a'; can't understand 'a'"},
	{"a,b=c", NULL, "can't understand 'a'"},
	{"x=1,a!b", NULL, "can't understand 'a!b'"},
	{"=b", NULL, "invalid selector: '=b'; no field name in '=b'"},
	{"!=b", NULL, "no field name"},
	{"==b", NULL, "no field name"},
	{"a=b=c", NULL, "invalid field selector: unescaped character in value: '='"},
	{"a==b=c", NULL, "unescaped character in value"},
	{"a=b\\", NULL, "invalid field selector: invalid escape sequence: \\"},
	{"a=b\\x", NULL, "invalid field selector: invalid escape sequence: \\x"},
	{"a=\\!", NULL, "invalid escape sequence: \\!"},
	{"a=\\\xc3\xa9", NULL, "invalid escape sequence: \\\xc3\xa9"},
};

static void test_field_parse(void)
{
	for (size_t i = 0; i < sizeof(field_cases) / sizeof(field_cases[0]); i++) {
		const parse_case_t *c = &field_cases[i];
		k8c_field_selector_t *sel = (k8c_field_selector_t *)1;
		k8c_error_t err;
		int ret;

		k8c_error_clear(&err);
		ret = k8c_field_selector_parse(c->in, &sel, &err);
		if (c->want != NULL) {
			k8c_field_selector_t *again = NULL;
			char *s, *s2;

			if (!ok(ret == 0, "field \"%s\" parses", c->in)) {
				diag("error: %s", err.message);
				continue;
			}
			s = k8c_field_selector_string(sel);
			is_str(s, c->want, "field \"%s\" prints as \"%s\"", c->in,
			       c->want);
			ok(k8c_field_selector_parse(s, &again, NULL) == 0,
			   "field \"%s\": canonical form re-parses", c->in);
			s2 = k8c_field_selector_string(again);
			is_str(s2, s, "field \"%s\": canonical form is a fixed point",
			       c->in);
			is_int(k8c_field_selector_is_everything(sel), c->want[0] == '\0',
			       "field \"%s\": everything iff no term", c->in);
			free(s);
			free(s2);
			k8c_field_selector_free(again);
			k8c_field_selector_free(sel);
		} else {
			is_int(ret, -K8C_EINVAL, "field \"%s\" refused with EINVAL",
			       c->in);
			ok(sel == NULL, "field \"%s\": *out is NULL on error", c->in);
			if (!ok(strstr(err.message, c->errsub) != NULL,
			        "field \"%s\": message has \"%s\"", c->in, c->errsub))
				diag("message: %s", err.message);
		}
	}
}

static void test_field_terms(void)
{
	k8c_field_selector_t *sel = NULL;
	const char *field, *value;
	int op;

	ok(k8c_field_selector_parse("b!=2,a==x\\,y", &sel, NULL) == 0,
	   "two terms parse");
	is_int(k8c_field_selector_count(sel), 2, "two terms");
	k8c_field_selector_term(sel, 0, &field, &op, &value);
	is_str(field, "a", "term 0 field");
	is_int(op, K8C_SEL_EQUALS, "term 0 op: == is EQUALS");
	is_str(value, "x,y", "term 0 value unescaped");
	k8c_field_selector_term(sel, 1, &field, &op, &value);
	is_str(field, "b", "term 1 field");
	is_int(op, K8C_SEL_NOT_EQUALS, "term 1 op");
	is_str(value, "2", "term 1 value");
	k8c_field_selector_term(sel, 2, &field, &op, &value);
	ok(field == NULL && op == 0 && value == NULL, "out of range: NULLs");
	k8c_field_selector_free(sel);

	ok(k8c_field_selector_parse(NULL, &sel, NULL) == 0, "NULL parses");
	is_int(k8c_field_selector_count(sel), 0, "NULL: no terms");
	k8c_field_selector_free(sel);
	k8c_field_selector_free(NULL);
	is_int(k8c_field_selector_count(NULL), 0, "NULL selector: no terms");
}

typedef struct kv {
	const char *k, *v;
} kv_t;

static const char *get_kv(void *udata, const char *field)
{
	for (const kv_t *p = udata; p->k != NULL; p++)
		if (strcmp(p->k, field) == 0)
			return p->v;
	return NULL;
}

static void test_field_matches(void)
{
	static kv_t fields[] = {
		{"metadata.name", "p1"}, {"spec.nodeName", ""},
		{"status.phase", "a,b"}, {NULL, NULL},
	};
	static const match_case_t getter_cases[] = {
		{"", 1}, {"metadata.name=p1", 1}, {"metadata.name==p1", 1},
		{"metadata.name=p2", 0}, {"metadata.name!=p2", 1},
		{"metadata.name!=p1", 0}, {"spec.nodeName=", 1},
		{"spec.nodeName!=", 0}, {"missing=", 1}, {"missing!=", 0},
		{"missing=x", 0}, {"missing!=x", 1}, {"status.phase=a\\,b", 1},
		{"metadata.name=p1,spec.nodeName=", 1},
		{"metadata.name=p1,spec.nodeName=n", 0},
	};
	static const match_case_t json_cases[] = {
		{"metadata.name=p", 1}, {"metadata.name=q", 0},
		{"spec.nodeName!=n1", 0}, {"spec.nodeName=", 0},
		{"spec.missing=", 1}, {"spec.missing!=", 0},
		{"spec.replicas=3", 1}, {"spec.replicas!=3", 0},
		{"spec.paused=false", 1}, {"spec.ratio=0.5", 1},
		{"spec.none=", 1}, {"metadata=", 1}, {"metadata!=", 0},
		{"metadata.name.x=", 1}, {"metadata..name=", 1},
		{".metadata.name=", 1}, {"Metadata.name=", 1},
		{"status.phase=Running,spec.nodeName=n1", 1},
		{"status.phase=Running,spec.nodeName=n2", 0},
	};
	cJSON *obj = cJSON_Parse(
		"{\"metadata\":{\"name\":\"p\",\"namespace\":\"ns\"},"
		"\"spec\":{\"nodeName\":\"n1\",\"replicas\":3,\"paused\":false,"
		"\"ratio\":0.5,\"none\":null},\"status\":{\"phase\":\"Running\"}}");

	for (size_t i = 0; i < sizeof(getter_cases) / sizeof(getter_cases[0]); i++) {
		k8c_field_selector_t *sel = NULL;

		k8c_field_selector_parse(getter_cases[i].sel, &sel, NULL);
		is_int(k8c_field_selector_matches(sel, get_kv, fields),
		       getter_cases[i].want, "getter: \"%s\"", getter_cases[i].sel);
		k8c_field_selector_free(sel);
	}
	for (size_t i = 0; i < sizeof(json_cases) / sizeof(json_cases[0]); i++) {
		k8c_field_selector_t *sel = NULL;

		k8c_field_selector_parse(json_cases[i].sel, &sel, NULL);
		is_int(k8c_field_selector_matches_json(sel, obj), json_cases[i].want,
		       "json: \"%s\"", json_cases[i].sel);
		k8c_field_selector_free(sel);
	}
	cJSON_Delete(obj);
}

int main(void)
{
	test_label_parse();
	test_label_parse_misc();
	test_label_matches();
	test_label_from_json();
	test_label_from_json_semantics();
	test_label_add();
	test_field_parse();
	test_field_terms();
	test_field_matches();
	return done_testing();
}
