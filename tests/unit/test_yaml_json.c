/* Unit tests for core/common/yaml_json.c (TAP). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/yaml_json.h"
#include "tap.h"

/* Parse one document and compare its compact JSON text with want. */
static void check_json(const char *yaml, const char *want, const char *name)
{
	k8c_error_t err = { 0 };
	cJSON *j = NULL;
	char *got = NULL;
	int ret = k8c_yaml_parse(yaml, strlen(yaml), &j, &err);

	if (ret < 0)
		diag("%s: %s", name, err.message);
	if (ret == 0)
		got = cJSON_PrintUnformatted(j);
	is_str(got, want, "%s", name);
	free(got);
	cJSON_Delete(j);
}

/* Parse must fail with code and a message naming "line <line>,". */
static void check_err(const char *yaml, int code, int line, const char *name)
{
	k8c_error_t err = { 0 };
	cJSON *j = NULL;
	char want[32];
	int ret = k8c_yaml_parse(yaml, strlen(yaml), &j, &err);

	snprintf(want, sizeof(want), "line %d,", line);
	ok(ret == -code && j == NULL && strstr(err.message, want) == err.message,
	   "%s: %s", name, err.message);
	if (ret != -code)
		diag("got %s, want %s", k8c_errcode_name(ret), k8c_errcode_name(code));
	cJSON_Delete(j);
}

/* Emit a JSON text as YAML, check the YAML contains want (if any), parse it
 * back and check the tree is unchanged. */
static void check_emit(const char *json, const char *want, const char *name)
{
	k8c_error_t err = { 0 };
	cJSON *in = cJSON_Parse(json), *back = NULL;
	char *yaml = NULL;
	int ret = in ? k8c_yaml_emit(in, &yaml, &err) : -1;

	if (ret == 0)
		ret = k8c_yaml_parse(yaml, strlen(yaml), &back, &err);
	if (ret < 0)
		diag("%s: %s", name, err.message);
	ok(ret == 0 && cJSON_Compare(in, back, 1) &&
	   (want == NULL || strstr(yaml, want) != NULL),
	   "emit round trip: %s", name);
	if (ret == 0 && want != NULL && strstr(yaml, want) == NULL)
		diag("emitted:\n%s", yaml);
	free(yaml);
	cJSON_Delete(in);
	cJSON_Delete(back);
}

static void test_scalars(void)
{
	check_json("[~, null, Null, NULL, '', \"\"]", "[null,null,null,null,\"\",\"\"]",
	           "null spellings and quoted empty strings");
	check_json("a:\nb: 1", "{\"a\":null,\"b\":1}", "empty value is null");
	check_json("[true, True, TRUE, false, False, FALSE]",
	           "[true,true,true,false,false,false]", "boolean spellings");
	check_json("[yes, no, on, off, y, n, tRUE, nul]",
	           "[\"yes\",\"no\",\"on\",\"off\",\"y\",\"n\",\"tRUE\",\"nul\"]",
	           "YAML 1.1 booleans stay strings");
	check_json("[0, 42, -17, +5, 007]", "[0,42,-17,5,7]", "decimal integers");
	check_json("[0x1F, 0xff, 0o17, 0o0]", "[31,255,15,0]", "hex and octal integers");
	check_json("[-0x10, 0x, 0o8, 0b101, 1_000]",
	           "[\"-0x10\",\"0x\",\"0o8\",\"0b101\",\"1_000\"]",
	           "not core-schema integers are strings");
	check_json("[1.5, -2.25, 1e3, 1E-2, .5, 5., +.5, 6.02e+23]",
	           "[1.5,-2.25,1000,0.01,0.5,5,0.5,6.02e+23]", "floats");
	check_json("[., 1e, e3, 1.2.3, 2001-12-14, 1:30]",
	           "[\".\",\"1e\",\"e3\",\"1.2.3\",\"2001-12-14\",\"1:30\"]",
	           "not numbers are strings");
	check_json("[\"1.0\", '42', \"true\", 'null', \"0x10\"]",
	           "[\"1.0\",\"42\",\"true\",\"null\",\"0x10\"]", "quoted scalars are strings");
	check_json("a: 1.0", "{\"a\":1}", "1.0 is a number");
	check_json("[!!str 123, !!str true, !!str null, ! 12, !!str \"x\"]",
	           "[\"123\",\"true\",\"null\",\"12\",\"x\"]", "!!str and ! make strings");
	check_json("[!!int \"42\", !!float \"1\", !!float 2, !!bool \"true\", !!null \"\"]",
	           "[42,1,2,true,null]", "!!int !!float !!bool !!null on quoted values");
	check_json("[!custom 5, !!timestamp 2001-12-14]", "[\"5\",\"2001-12-14\"]",
	           "unknown tags give strings");
	check_err("a: !!int abc", K8C_EINVAL, 1, "!!int on a non-integer");
	check_err("a: !!bool yes", K8C_EINVAL, 1, "!!bool on yes");
	check_err("a: !!null 0", K8C_EINVAL, 1, "!!null on 0");
	check_err("a: !!float x1", K8C_EINVAL, 1, "!!float on a word");
	check_err("a: 1\nb: .inf", K8C_EINVAL, 2, ".inf refused with its line");
	check_err("x:\n  - -.Inf", K8C_EINVAL, 2, "-.Inf refused");
	check_err("a: .nan", K8C_EINVAL, 1, ".nan refused");
	check_err("a: 1e400", K8C_EINVAL, 1, "float overflow refused");
	check_json("a: \".inf\"", "{\"a\":\".inf\"}", "quoted .inf is a string");
	check_err("a: \"x\\0y\"", K8C_EINVAL, 1, "NUL in a string refused");
}

static void test_big_numbers(void)
{
	check_json("[999999999999999, -999999999999999]",
	           "[999999999999999,-999999999999999]", "15 digits: a number");
	check_json("[1000000000000000, 9007199254740992]",
	           "[1000000000000000,9007199254740992]", "16 digits: exact (raw)");
	check_json("a: 12345678901234567890", "{\"a\":12345678901234567890}",
	           "big integer keeps its digits");
	check_json("[9007199254740993, -00012345678901234567890, +18446744073709551616]",
	           "[9007199254740993,-12345678901234567890,18446744073709551616]",
	           "big integers normalised (sign, leading zeros)");
	check_json("a: 0xFFFFFFFFFFFFFFFF", "{\"a\":18446744073709551615}",
	           "big hex integer exact");
	check_err("a: 0x1FFFFFFFFFFFFFFFF", K8C_EINVAL, 1, "hex beyond 64 bits refused");

	k8c_error_t err = { 0 };
	cJSON *j = NULL;
	const char *y = "n: 123456789012345678901234567890";
	ok(k8c_yaml_parse(y, strlen(y), &j, &err) == 0 &&
	   cJSON_IsRaw(cJSON_GetObjectItem(j, "n")), "big integer is a raw item");
	cJSON_Delete(j);
}

static void test_structure(void)
{
	check_json("a:\n  b:\n  - 1\n  - c: d\n    e: [x, {f: g}]\n",
	           "{\"a\":{\"b\":[1,{\"c\":\"d\",\"e\":[\"x\",{\"f\":\"g\"}]}]}}",
	           "nested maps and lists");
	check_json("- - 1\n  - 2\n- []\n- {}", "[[1,2],[],{}]", "nested lists, empty collections");
	check_json("{\"kind\": \"Pod\", \"spec\": {\"x\": [1, 2.5, true, null, \"\\u00e9\\/\"]}}",
	           "{\"kind\":\"Pod\",\"spec\":{\"x\":[1,2.5,true,null,\"\xc3\xa9/\"]}}",
	           "JSON input");
	check_json("{\n\t\"a\":1,\n\t\"b\":[]\n}", "{\"a\":1,\"b\":[]}", "JSON with tabs");
	check_json("", "null", "empty input is null");
	check_json("# just a comment\n", "null", "comment-only input is null");
	check_json("--- hello\n...\n", "\"hello\"", "explicit document markers");
	check_json("1: a\ntrue: b\n~: c", "{\"1\":\"a\",\"true\":\"b\",\"~\":\"c\"}",
	           "scalar keys become strings");
	check_json("name: \"h\xc3\xa9llo \xe2\x9c\x93 \xf0\x9f\x9a\x80\"",
	           "{\"name\":\"h\xc3\xa9llo \xe2\x9c\x93 \xf0\x9f\x9a\x80\"}", "unicode strings");
	check_json("s: |\n  a\n  b\nf: >\n  c\n  d\n", "{\"s\":\"a\\nb\\n\",\"f\":\"c d\\n\"}",
	           "block scalars");
	check_err("a: 1\n---\nb: 2\n", K8C_EINVAL, 2, "two documents refused by k8c_yaml_parse");
	check_err("a: 1\nb:\n  c: 1\n  c: 2\n", K8C_EINVAL, 4, "duplicate key");
	check_err("? [a, b]\n: 1\n", K8C_EINVAL, 1, "sequence as key");
	check_err("x: 1\n? {a: 1}\n: 2\n", K8C_EINVAL, 2, "mapping as key");
	/* an alias has no position of its own: the error names the anchored node */
	check_err("a: &m {k: v}\n*m : 1\n", K8C_EINVAL, 1, "alias to a mapping as key");
}

static void test_anchors(void)
{
	check_json("a: &x {k: 1}\nb: *x\nc: [*x, &s str, *s]",
	           "{\"a\":{\"k\":1},\"b\":{\"k\":1},\"c\":[{\"k\":1},\"str\",\"str\"]}",
	           "anchors and aliases");
	check_json("a: &x 1\nb: &x 2\nc: *x", "{\"a\":1,\"b\":2,\"c\":2}",
	           "a redefined anchor: the latest wins");
	check_json("base: &b {image: busybox, cpu: 1}\npod:\n  <<: *b\n  cpu: 2\n",
	           "{\"base\":{\"image\":\"busybox\",\"cpu\":1},\"pod\":{\"cpu\":2,\"image\":\"busybox\"}}",
	           "merge key: explicit keys win");
	check_json("p:\n  cpu: 3\n  <<: {cpu: 1, mem: 2}\n",
	           "{\"p\":{\"cpu\":3,\"mem\":2}}", "merge key after the explicit key");
	check_json("a: &a {x: 1, y: 1}\nb: &b {y: 2, z: 2}\nc:\n  <<: [*a, *b]\n",
	           "{\"a\":{\"x\":1,\"y\":1},\"b\":{\"y\":2,\"z\":2},\"c\":{\"x\":1,\"y\":1,\"z\":2}}",
	           "merge list: earlier maps win");
	check_json("a: &a {x: 1}\nb: &b {<<: *a, y: 2}\nc: {<<: *b}\n",
	           "{\"a\":{\"x\":1},\"b\":{\"y\":2,\"x\":1},\"c\":{\"y\":2,\"x\":1}}",
	           "nested merges");
	check_json("a: {\"<<\": 1}", "{\"a\":{\"<<\":1}}", "quoted << is an ordinary key");
	check_err("a:\n  <<: 1\n", K8C_EINVAL, 2, "merge of a scalar refused");
	check_err("a:\n  <<: [{x: 1}, 2]\n", K8C_EINVAL, 2, "merge of a list with a scalar refused");
	check_err("a: *nope\n", K8C_EINVAL, 1, "undefined alias");
	check_err("a: &r [1, *r]\n", K8C_EINVAL, 1, "recursive alias refused");
	check_err("a: &a [x,x,x,x,x,x,x,x,x,x]\n"
	          "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
	          "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
	          "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
	          "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
	          "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
	          "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]\n",
	          K8C_ETOOLARGE, 1, "alias bomb refused");

	/* Too deep nesting is refused, not a stack overflow. */
	size_t n = 2 * K8C_YAML_MAX_DEPTH + 10;
	char *deep = malloc(2 * n + 1);
	memset(deep, '[', n);
	memset(deep + n, ']', n);
	deep[2 * n] = '\0';
	check_err(deep, K8C_ETOOLARGE, 1, "nesting too deep");
	free(deep);
}

static void test_malformed(void)
{
	check_err("a:\n\tb: 1\n", K8C_EINVAL, 2, "tab indentation");
	check_err("a: 1\nb: \"unclosed\nc: 2\n", K8C_EINVAL, 4, "unclosed double quote");
	check_err("a: 'x\n", K8C_EINVAL, 2, "unclosed single quote");
	check_err("a: [1, 2\nb: 3\n", K8C_EINVAL, 2, "unclosed bracket");
	check_err("a: {b: 1\n", K8C_EINVAL, 2, "unclosed brace");
	check_err("a:\n  b: 1\n c: 2\n", K8C_EINVAL, 3, "bad indentation");
	check_err("a: b: c\n", K8C_EINVAL, 1, "mapping values not allowed");
	check_err("- a\nb: 1\n", K8C_EINVAL, 2, "sequence then mapping");
	check_err("a: \"\\q\"\n", K8C_EINVAL, 1, "bad escape");
	check_err("a: \xff\xfe\xfd\n", K8C_EINVAL, 1, "invalid UTF-8");
	check_err("a: 1\nb: \x01\n", K8C_EINVAL, 2, "control character");

	k8c_error_t err = { 0 };
	cJSON *j = NULL;
	ok(k8c_yaml_parse("a: \"x", 5, &j, &err) == -K8C_EINVAL &&
	   strstr(err.message, "quoted scalar") != NULL, "libyaml's context is in the message");
	const char nul[] = "a: 1\0b: 2";
	ok(k8c_yaml_parse(nul, sizeof(nul) - 1, &j, &err) == -K8C_EINVAL && j == NULL,
	   "NUL byte in the input refused");
}

static void test_stream(void)
{
	k8c_error_t err = { 0 };
	cJSON *j = NULL;
	char *s = NULL;
	const char *y = "# head\n---\n---\na: 1\n...\n--- ~\n---\n# only comment\n---\n"
	                "- x\n---\nb: 2\n";
	int ret = k8c_yaml_parse_stream(y, strlen(y), &j, &err);

	is_int(ret, 0, "stream parses");
	s = ret == 0 ? cJSON_PrintUnformatted(j) : NULL;
	is_str(s, "[{\"a\":1},[\"x\"],{\"b\":2}]", "empty documents skipped");
	free(s);
	cJSON_Delete(j);

	ret = k8c_yaml_parse_stream("", 0, &j, &err);
	ok(ret == 0 && cJSON_IsArray(j) && cJSON_GetArraySize(j) == 0,
	   "empty stream is an empty array");
	cJSON_Delete(j);

	ret = k8c_yaml_parse_stream(NULL, 0, &j, &err);
	ok(ret == 0 && cJSON_GetArraySize(j) == 0, "NULL buffer of length 0");
	cJSON_Delete(j);

	y = "a: 1\n---\nb: [1\n";
	j = NULL;
	ret = k8c_yaml_parse_stream(y, strlen(y), &j, &err);
	ok(ret == -K8C_EINVAL && j == NULL && strstr(err.message, "line 4,") == err.message,
	   "error in the second document: %s", err.message);

	y = "a: 1\n---\nb: 2\nb: 3\n";
	ret = k8c_yaml_parse_stream(y, strlen(y), &j, &err);
	ok(ret == -K8C_EINVAL && strstr(err.message, "line 4,") == err.message,
	   "duplicate key in the second document: %s", err.message);
}

static void test_load_document(void)
{
	yaml_parser_t p;
	yaml_document_t doc;
	k8c_error_t err = { 0 };
	cJSON *j = NULL;
	char *s = NULL;
	const char *y = "a: !!str 1\nb:\n  c: [1, 2]\n";
	int ret;

	yaml_parser_initialize(&p);
	yaml_parser_set_input_string(&p, (const unsigned char *)y, strlen(y));
	ret = k8c_yaml_load_document(&p, &doc, &err);
	is_int(ret, 1, "load_document loads one document");
	if (ret == 1) {
		yaml_node_t *root = yaml_document_get_root_node(&doc);
		yaml_node_t *b = yaml_document_get_node(&doc, root->data.mapping.pairs.start[1].value);

		is_int(b->start_mark.line, 2, "node marks are set");
		ret = k8c_yaml_node_to_json(&doc, b, &j, &err);
		s = ret == 0 ? cJSON_PrintUnformatted(j) : NULL;
		is_str(s, "{\"c\":[1,2]}", "node_to_json of a sub-node");
		free(s);
		cJSON_Delete(j);
		ret = k8c_yaml_node_to_json(&doc, root, &j, &err);
		ok(ret == 0 && cJSON_IsString(cJSON_GetObjectItem(j, "a")),
		   "!!str 1 stays a string through load_document");
		cJSON_Delete(j);
		yaml_document_delete(&doc);
	}
	is_int(k8c_yaml_load_document(&p, &doc, &err), 0, "end of stream");
	is_int(k8c_yaml_load_document(&p, &doc, &err), 0, "still the end of stream");
	yaml_parser_delete(&p);

	/* libyaml's own loader: cycles must not hang us. */
	y = "a: &r [1, *r]\n";
	yaml_parser_initialize(&p);
	yaml_parser_set_input_string(&p, (const unsigned char *)y, strlen(y));
	if (yaml_parser_load(&p, &doc)) {
		ret = k8c_yaml_node_to_json(&doc, yaml_document_get_root_node(&doc), &j, &err);
		ok(ret < 0 && j == NULL, "cycle from yaml_parser_load refused: %s", err.message);
		yaml_document_delete(&doc);
	} else {
		ok(1, "libyaml refused the recursive alias itself");
	}
	yaml_parser_delete(&p);
}

static void test_emit(void)
{
	check_emit("{\"s\":\"1.0\",\"t\":\"true\",\"u\":\"yes\",\"v\":\"null\",\"w\":\"\","
	           "\"x\":\"0x10\",\"y\":\"~\",\"z\":\"010\",\"d\":\"2001-12-14\"}",
	           "s: '1.0'\nt: 'true'\nu: 'yes'\nv: 'null'\nw: ''\nx: '0x10'\n'y': '~'\n"
	           "z: '010'\nd: '2001-12-14'\n",
	           "strings that look like other types are quoted");
	check_emit("{\"a\":\"a: b\",\"b\":\"- x\",\"c\":\"#c\",\"d\":\"&x\",\"e\":\"*x\","
	           "\"f\":\"!t\",\"g\":\"? q\",\"h\":\" lead\",\"i\":\"trail \",\"j\":\"<<\","
	           "\"k\":\"%p\",\"l\":\"@x\",\"m\":\"`x\",\"n\":\"{x}\",\"o\":\"[x]\",\"p\":\"x #y\"}",
	           NULL, "strings with indicators");
	check_emit("{\"a\":\"line1\\nline2\\n\"}", "a: |\n  line1\n  line2\n",
	           "multi-line string as a literal block");
	check_emit("[\"a\\n\", \"\\n\", \"\\n\\n\", \" x\\ny\", \"x \\ny\", \"a\\r\\nb\", \"\\t\\u0085\\u2028\","
	           "\"a\\n\\n\\nb\\n\\n\", \"\\u0001\", \"\\ufeffx\"]",
	           NULL, "awkward multi-line and control strings");
	check_emit("{\"\xc3\xa9t\xc3\xa9\":\"h\xc3\xa9llo \xe2\x9c\x93\"}",
	           "\xc3\xa9t\xc3\xa9: h\xc3\xa9llo \xe2\x9c\x93\n", "unicode kept as UTF-8");
	check_emit("{}", "{}", "empty object");
	check_emit("[]", "[]", "empty array");
	check_emit("{\"a\":{},\"b\":[],\"c\":[{}]}", "a: {}\nb: []\n", "nested empties");
	check_emit("[1, -2, 0.5, 1e300, -1.5e-7, 12345678.9, 1e15, 1e16, 123456789012345.6, 0.1]", NULL,
	           "numbers read back as the same double");
	check_emit("[true, false, null]", "- true\n- false\n- null\n", "literals");
	check_emit("\"just a string\"", NULL, "root scalar");
	check_emit("{\"1\":1,\"true\":2,\"\":3,\"a b\":4}", "'1': 1\n", "keys that need quotes");

	k8c_error_t err = { 0 };
	cJSON *j = NULL;
	char *y = NULL;
	const char *big = "num: 12345678901234567890\n";

	k8c_yaml_parse(big, strlen(big), &j, &err);
	is_int(k8c_yaml_emit(j, &y, &err), 0, "emit a big integer");
	is_str(y, big, "big integer emitted with its exact digits");
	free(y);
	cJSON_Delete(j);

	j = cJSON_CreateString("\xff\xfe");
	ok(k8c_yaml_emit(j, &y, &err) == -K8C_EINVAL && y == NULL, "invalid UTF-8 refused");
	cJSON_Delete(j);

	j = cJSON_CreateNumber(1.0 / 0.0);
	ok(k8c_yaml_emit(j, &y, &err) == -K8C_EINVAL && y == NULL, "infinite number refused");
	cJSON_Delete(j);

	const char *pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n"
	                  "spec:\n  containers:\n  - name: c\n    image: nginx:1.25\n";
	k8c_yaml_parse(pod, strlen(pod), &j, &err);
	is_int(k8c_yaml_emit(j, &y, &err), 0, "emit a Pod");
	is_str(y, pod, "a Pod is emitted in block style as written");
	free(y);
	cJSON_Delete(j);
}

int main(void)
{
	test_scalars();
	test_big_numbers();
	test_structure();
	test_anchors();
	test_malformed();
	test_stream();
	test_load_document();
	test_emit();
	return done_testing();
}
