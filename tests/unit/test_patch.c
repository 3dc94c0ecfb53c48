/* Tests for core/apiserver/patch.h: JSON merge patch (RFC 7386), JSON
 * patch (RFC 6902) and strategic merge patch, the last against a small
 * fake schema (a static table of nodes) shaped like the Kubernetes types
 * it stands for.
 *
 * JSON in the cases is written with ' for " to keep it readable.  Results
 * are compared in a canonical form (object keys sorted, list order kept). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "apiserver/patch.h"
#include "apiserver/schema.h"
#include "common/mem.h"
#include "tap.h"

/* --- the fake schema --------------------------------------------------- */

struct fnode;
struct ffield {
	const char *name;
	const struct fnode *node;
};
struct fnode {
	int map;                     /* a map: every key's value is items */
	const struct ffield *fields; /* an object's known fields */
	const struct fnode *items;   /* a list's items, a map's values */
	const char *merge_key;
	unsigned strategy;
};

#define MERGE K8C_PATCH_STRATEGY_MERGE

static const struct fnode plain = {0}; /* an object whose fields we don't describe */
static const struct fnode string_map = {.map = 1};
static const struct fnode atomic_list = {0};
static const struct fnode set_list = {.strategy = MERGE};
static const struct fnode env_list = {.items = &plain, .merge_key = "name", .strategy = MERGE};
static const struct fnode mount_list = {.items = &plain, .merge_key = "mountPath", .strategy = MERGE};
static const struct fnode port_list = {.items = &plain, .merge_key = "containerPort", .strategy = MERGE};
static const struct fnode volume_list = {.items = &plain, .merge_key = "name", .strategy = MERGE};
static const struct fnode owner_list = {.items = &plain, .merge_key = "uid", .strategy = MERGE};
static const struct fnode nokey_list = {.items = &plain, .strategy = MERGE};

static const struct ffield container_fields[] = {
	{"env", &env_list},         {"volumeMounts", &mount_list}, {"ports", &port_list},
	{"args", &atomic_list},     {"command", &atomic_list},     {NULL, NULL},
};
static const struct fnode container = {.fields = container_fields};
static const struct fnode container_list = {.items = &container, .merge_key = "name", .strategy = MERGE};

static const struct ffield pod_spec_fields[] = {
	{"containers", &container_list}, {"initContainers", &container_list},
	{"volumes", &volume_list},       {"tolerations", &atomic_list},
	{"nodeSelector", &string_map},   {"badList", &nokey_list},
	{NULL, NULL},
};
static const struct fnode pod_spec = {.fields = pod_spec_fields};

static const struct ffield meta_fields[] = {
	{"labels", &string_map},  {"annotations", &string_map},
	{"finalizers", &set_list}, {"ownerReferences", &owner_list},
	{NULL, NULL},
};
static const struct fnode meta = {.fields = meta_fields};

static const struct ffield template_fields[] = {{"metadata", &meta}, {"spec", &pod_spec}, {NULL, NULL}};
static const struct fnode pod_template = {.fields = template_fields};
/* DeploymentStrategy: patchStrategy "retainKeys" (metadata only: the
 * directive itself is what clears fields). */
static const struct fnode deploy_strategy = {.strategy = K8C_PATCH_STRATEGY_RETAIN_KEYS};
static const struct ffield deploy_spec_fields[] = {
	{"template", &pod_template}, {"strategy", &deploy_strategy}, {NULL, NULL}};
static const struct fnode deploy_spec = {.fields = deploy_spec_fields};

static const struct ffield deployment_fields[] = {{"metadata", &meta}, {"spec", &deploy_spec}, {NULL, NULL}};
static const struct fnode deployment = {.fields = deployment_fields};
static const struct ffield pod_fields[] = {{"metadata", &meta}, {"spec", &pod_spec}, {NULL, NULL}};
static const struct fnode pod = {.fields = pod_fields};

static const void *f_field(const void *node, const char *name)
{
	const struct fnode *n = node;

	if (n->map)
		return n->items;
	for (const struct ffield *f = n->fields; f != NULL && f->name != NULL; f++)
		if (strcmp(f->name, name) == 0)
			return f->node;
	return NULL;
}

static const void *f_items(const void *node)
{
	return ((const struct fnode *)node)->items;
}

static const char *f_merge_key(const void *node)
{
	return ((const struct fnode *)node)->merge_key;
}

static unsigned f_strategy(const void *node)
{
	return ((const struct fnode *)node)->strategy;
}

static const k8c_patch_schema_t schema = {f_field, f_items, f_merge_key, f_strategy};

/* --- helpers ------------------------------------------------------------ */

/* JSON with ' for ". */
static cJSON *parse(const char *s)
{
	_cleanup_free_ char *t = k8c_xstrdup(s);
	cJSON *j;

	for (char *c = t; *c; c++)
		if (*c == '\'')
			*c = '"';
	j = cJSON_Parse(t);
	if (j == NULL)
		k8c_die("test JSON does not parse: %s", s);
	return j;
}

static int cmp_key(const void *a, const void *b)
{
	return strcmp((*(cJSON *const *)a)->string, (*(cJSON *const *)b)->string);
}

static void sort_keys(cJSON *v)
{
	size_t n = 0, i = 0;
	cJSON **m;

	if (!cJSON_IsObject(v) && !cJSON_IsArray(v))
		return;
	for (cJSON *c = v->child; c; c = c->next) {
		sort_keys(c);
		n++;
	}
	if (!cJSON_IsObject(v) || n < 2)
		return;
	m = k8c_xcalloc(n, sizeof(*m));
	for (cJSON *c = v->child; c; c = c->next)
		m[i++] = c;
	qsort(m, n, sizeof(*m), cmp_key);
	v->child = NULL;
	for (i = 0; i < n; i++) {
		m[i]->next = m[i]->prev = NULL;
		cJSON_AddItemToArray(v, m[i]); /* links the same way for objects */
	}
	free(m);
}

/* Canonical text: keys sorted, ' for ". */
static char *canon(const cJSON *v)
{
	cJSON *c;
	char *s;

	if (v == NULL)
		return k8c_xstrdup("(none)");
	c = cJSON_Duplicate(v, 1);
	sort_keys(c);
	s = cJSON_PrintUnformatted(c);
	cJSON_Delete(c);
	for (char *p = s; *p; p++)
		if (*p == '"')
			*p = '\'';
	return s;
}

static char *canon_s(const char *s)
{
	cJSON *j = parse(s);
	char *c = canon(j);

	cJSON_Delete(j);
	return c;
}

static void is_json(const cJSON *got, const char *want, const char *what)
{
	_cleanup_free_ char *g = canon(got);
	_cleanup_free_ char *w = canon_s(want);

	is_str(g, w, "%s", what);
}

enum kind { MERGE_PATCH, JSON_PATCH, SMP };

static int apply(enum kind k, cJSON **t, const cJSON *p, const void *root, k8c_error_t *err)
{
	switch (k) {
	case MERGE_PATCH:
		return k8c_merge_patch(t, p, err);
	case JSON_PATCH:
		return k8c_json_patch(t, p, err);
	default:
		return k8c_strategic_merge_patch(t, p, &schema, root, err);
	}
}

static const char *kind_name(enum kind k)
{
	return k == MERGE_PATCH ? "merge" : k == JSON_PATCH ? "json" : "smp";
}

/* target + patch = want. */
static void good(enum kind k, const void *root, const char *name, const char *target,
                 const char *patch, const char *want)
{
	cJSON *t = target ? parse(target) : NULL, *p = parse(patch), *before = t;
	k8c_error_t err = {0};
	int ret = apply(k, &t, p, root, &err);

	if (!ok(ret == 0, "%s: %s: applies", kind_name(k), name))
		diag("error %s: %s", k8c_errcode_name(ret), err.message);
	else
		is_json(t, want, name);
	if (before != NULL && ret == 0 && before != t)
		ok(0, "%s: %s: the target node stays the same", kind_name(k), name);
	cJSON_Delete(t);
	cJSON_Delete(p);
}

/* target + patch fails with message (or a message containing it when it
 * starts with '~'), and the target is unchanged. */
static void bad(enum kind k, const void *root, const char *name, const char *target,
                const char *patch, int code, const char *message)
{
	cJSON *t = parse(target), *p = parse(patch);
	_cleanup_free_ char *before = cJSON_PrintUnformatted(t);
	_cleanup_free_ char *after = NULL;
	k8c_error_t err = {0};
	int ret = apply(k, &t, p, root, &err);

	is_int(ret, -code, "%s: %s: fails with %s", kind_name(k), name, k8c_errcode_name(code));
	if (message[0] == '~') {
		if (!ok(strstr(err.message, message + 1) != NULL, "%s: %s: message", kind_name(k),
		        name))
			diag("message \"%s\" lacks \"%s\"", err.message, message + 1);
	} else {
		is_str(err.message, message, "%s: %s: message", kind_name(k), name);
	}
	after = cJSON_PrintUnformatted(t);
	is_str(after, before, "%s: %s: target unchanged", kind_name(k), name);
	cJSON_Delete(t);
	cJSON_Delete(p);
}

#define MP(name, t, p, w) good(MERGE_PATCH, NULL, name, t, p, w)
#define JP(name, t, p, w) good(JSON_PATCH, NULL, name, t, p, w)
#define JP_BAD(name, t, p, msg) bad(JSON_PATCH, NULL, name, t, p, K8C_EINVAL, msg)
#define SMP_OK(root, name, t, p, w) good(SMP, root, name, t, p, w)
#define SMP_BAD(root, name, t, p, msg) bad(SMP, root, name, t, p, K8C_EINVAL, msg)


/* --- JSON merge patch ---------------------------------------------------- */

static void test_merge_patch(void)
{
	/* RFC 7386, appendix A. */
	MP("A1", "{'a':'b'}", "{'a':'c'}", "{'a':'c'}");
	MP("A2", "{'a':'b'}", "{'b':'c'}", "{'a':'b','b':'c'}");
	MP("A3", "{'a':'b'}", "{'a':null}", "{}");
	MP("A4", "{'a':'b','b':'c'}", "{'a':null}", "{'b':'c'}");
	MP("A5", "{'a':['b']}", "{'a':'c'}", "{'a':'c'}");
	MP("A6", "{'a':'c'}", "{'a':['b']}", "{'a':['b']}");
	MP("A7", "{'a':{'b':'c'}}", "{'a':{'b':'d','c':null}}", "{'a':{'b':'d'}}");
	MP("A8", "{'a':[{'b':'c'}]}", "{'a':[1]}", "{'a':[1]}");
	MP("A9", "['a','b']", "['c','d']", "['c','d']");
	MP("A10", "{'a':'b'}", "['c']", "['c']");
	MP("A11", "{'a':'foo'}", "null", "null");
	MP("A12", "{'a':'foo'}", "'bar'", "'bar'");
	MP("A13", "{'e':null}", "{'a':1}", "{'e':null,'a':1}");
	MP("A14", "[1,2]", "{'a':'b','c':null}", "{'a':'b'}");
	MP("A15", "{}", "{'a':{'bb':{'ccc':null}}}", "{'a':{'bb':{}}}");

	MP("kubectl scale", "{'spec':{'replicas':1,'selector':{'app':'x'}}}",
	   "{'spec':{'replicas':3}}", "{'spec':{'replicas':3,'selector':{'app':'x'}}}");
	MP("labels", "{'metadata':{'labels':{'a':'1','b':'2'}}}",
	   "{'metadata':{'labels':{'b':null,'c':'3'}}}", "{'metadata':{'labels':{'a':'1','c':'3'}}}");
	MP("lists replace (kubectl docs)",
	   "{'spec':{'template':{'spec':{'containers':[{'name':'patch-demo-ctr','image':'nginx'}]}}}}",
	   "{'spec':{'template':{'spec':{'containers':[{'name':'patch-demo-ctr-3',"
	   "'image':'gcr.io/google-samples/node-hello:1.0'}]}}}}",
	   "{'spec':{'template':{'spec':{'containers':[{'name':'patch-demo-ctr-3',"
	   "'image':'gcr.io/google-samples/node-hello:1.0'}]}}}}");
	MP("new objects lose nulls", "{}", "{'a':{'b':{'c':null,'d':1}}}", "{'a':{'b':{'d':1}}}");
	MP("arrays are taken as they are", "{}", "{'a':[null,{'b':null}]}",
	   "{'a':[null,{'b':null}]}");
	MP("no target", NULL, "{'a':1,'b':null}", "{'a':1}");
	MP("duplicate keys: the last counts", "{}", "{'a':1,'a':2}", "{'a':2}");
	MP("duplicate keys: a later null", "{'a':{'x':1}}", "{'a':{'y':1},'a':null}", "{}");
	MP("empty patch", "{'a':1}", "{}", "{'a':1}");

	/* The target node keeps its place in its parent when its type changes. */
	{
		cJSON *doc = parse("{'x':{'a':1},'y':2}"), *x = cJSON_GetObjectItem(doc, "x");
		cJSON *p = parse("[1]");
		k8c_error_t err;
		is_int(k8c_merge_patch(&x, p, &err), 0, "merge: patch a member in place");
		ok(x == cJSON_GetObjectItem(doc, "x"), "merge: the member node is the same");
		is_json(doc, "{'x':[1],'y':2}", "merge: the parent sees the new value");
		cJSON_Delete(doc);
		cJSON_Delete(p);
	}
	{
		k8c_error_t err;
		cJSON *t = parse("{}");
		is_int(k8c_merge_patch(&t, NULL, &err), -K8C_EINVAL, "merge: no patch is EINVAL");
		cJSON_Delete(t);
	}
}

/* --- JSON patch ------------------------------------------------------------ */

static void test_json_patch_rfc(void)
{
	/* RFC 6902, appendix A. */
	JP("A1 add an object member", "{'foo':'bar'}", "[{'op':'add','path':'/baz','value':'qux'}]",
	   "{'baz':'qux','foo':'bar'}");
	JP("A2 add an array element", "{'foo':['bar','baz']}",
	   "[{'op':'add','path':'/foo/1','value':'qux'}]", "{'foo':['bar','qux','baz']}");
	JP("A3 remove an object member", "{'baz':'qux','foo':'bar'}",
	   "[{'op':'remove','path':'/baz'}]", "{'foo':'bar'}");
	JP("A4 remove an array element", "{'foo':['bar','qux','baz']}",
	   "[{'op':'remove','path':'/foo/1'}]", "{'foo':['bar','baz']}");
	JP("A5 replace a value", "{'baz':'qux','foo':'bar'}",
	   "[{'op':'replace','path':'/baz','value':'boo'}]", "{'baz':'boo','foo':'bar'}");
	JP("A6 move a value", "{'foo':{'bar':'baz','waldo':'fred'},'qux':{'corge':'grault'}}",
	   "[{'op':'move','from':'/foo/waldo','path':'/qux/thud'}]",
	   "{'foo':{'bar':'baz'},'qux':{'corge':'grault','thud':'fred'}}");
	JP("A7 move an array element", "{'foo':['all','grass','cows','eat']}",
	   "[{'op':'move','from':'/foo/1','path':'/foo/3'}]",
	   "{'foo':['all','cows','eat','grass']}");
	JP("A8 test a value", "{'baz':'qux','foo':['a',2,'c']}",
	   "[{'op':'test','path':'/baz','value':'qux'},{'op':'test','path':'/foo/1','value':2}]",
	   "{'baz':'qux','foo':['a',2,'c']}");
	JP_BAD("A9 test a value (error)", "{'baz':'qux'}",
	       "[{'op':'test','path':'/baz','value':'bar'}]",
	       "json patch operation 0 (test \"/baz\"): test failed: the value is not \"bar\"");
	JP("A10 add a nested member object", "{'foo':'bar'}",
	   "[{'op':'add','path':'/child','value':{'grandchild':{}}}]",
	   "{'foo':'bar','child':{'grandchild':{}}}");
	JP("A11 ignore unrecognized elements", "{'foo':'bar'}",
	   "[{'op':'add','path':'/baz','value':'qux','xyz':123}]", "{'foo':'bar','baz':'qux'}");
	JP_BAD("A12 add to a nonexistent target", "{'foo':'bar'}",
	       "[{'op':'add','path':'/baz/bat','value':'qux'}]",
	       "json patch operation 0 (add \"/baz/bat\"): \"baz\" does not exist");
	/* A13: of the duplicate "op" members the last counts (Go's decoder):
	 * removing /baz, which is not there, fails. */
	JP_BAD("A13 invalid JSON patch document", "{'foo':'bar'}",
	       "[{'op':'add','path':'/baz','value':'qux','op':'remove'}]", "~\"baz\" does not exist");
	JP("A14 ~ escape ordering", "{'/':9,'~1':10}", "[{'op':'test','path':'/~01','value':10}]",
	   "{'/':9,'~1':10}");
	JP_BAD("A15 comparing strings and numbers", "{'/':9,'~1':10}",
	       "[{'op':'test','path':'/~01','value':'10'}]", "~test failed");
	JP("A16 add an array value", "{'foo':['bar']}",
	   "[{'op':'add','path':'/foo/-','value':['abc','def']}]", "{'foo':['bar',['abc','def']]}");
}

static void test_json_patch(void)
{
	JP("add at index == length", "{'a':[1,2]}", "[{'op':'add','path':'/a/2','value':3}]",
	   "{'a':[1,2,3]}");
	JP("add at index 0", "{'a':[1,2]}", "[{'op':'add','path':'/a/0','value':0}]",
	   "{'a':[0,1,2]}");
	JP("add replaces a member", "{'a':1}", "[{'op':'add','path':'/a','value':2}]", "{'a':2}");
	JP("add the whole document", "{'a':1}", "[{'op':'add','path':'','value':{'b':2}}]",
	   "{'b':2}");
	JP("replace the whole document", "{'a':1}", "[{'op':'replace','path':'','value':[1]}]",
	   "[1]");
	JP("add null", "{}", "[{'op':'add','path':'/a','value':null}]", "{'a':null}");
	JP("copy", "{'a':{'b':1}}", "[{'op':'copy','from':'/a','path':'/c'}]",
	   "{'a':{'b':1},'c':{'b':1}}");
	JP("copy into an array", "{'a':[1,2]}", "[{'op':'copy','from':'/a/0','path':'/a/-'}]",
	   "{'a':[1,2,1]}");
	JP("move to the same place", "{'a':1}", "[{'op':'move','from':'/a','path':'/a'}]",
	   "{'a':1}");
	JP("move a member up", "{'a':{'b':{'c':1}}}", "[{'op':'move','from':'/a/b','path':'/b'}]",
	   "{'a':{},'b':{'c':1}}");
	JP("test objects as unordered maps", "{'a':{'x':1,'y':[1,2]}}",
	   "[{'op':'test','path':'/a','value':{'y':[1,2],'x':1}}]", "{'a':{'x':1,'y':[1,2]}}");
	JP("test numbers by value", "{'a':1}", "[{'op':'test','path':'/a','value':1.0}]",
	   "{'a':1}");
	JP("test null", "{'a':null}", "[{'op':'test','path':'/a','value':null}]", "{'a':null}");
	JP("escaped label key", "{'metadata':{'labels':{}}}",
	   "[{'op':'add','path':'/metadata/labels/app.kubernetes.io~1name','value':'web'}]",
	   "{'metadata':{'labels':{'app.kubernetes.io/name':'web'}}}");
	JP("empty key", "{}", "[{'op':'add','path':'/','value':1}]", "{'':1}");
	JP("kubectl-style replace", "{'spec':{'replicas':1}}",
	   "[{'op':'replace','path':'/spec/replicas','value':3}]", "{'spec':{'replicas':3}}");
	JP("no operations", "{'a':1}", "[]", "{'a':1}");
	JP("several operations in order", "{'a':[]}",
	   "[{'op':'add','path':'/a/-','value':1},{'op':'add','path':'/a/-','value':2},"
	   "{'op':'remove','path':'/a/0'},{'op':'test','path':'/a','value':[2]}]",
	   "{'a':[2]}");
	JP("no target", NULL, "[{'op':'add','path':'','value':{'a':1}}]", "{'a':1}");

	JP_BAD("index past the end", "{'a':[1,2]}", "[{'op':'add','path':'/a/3','value':3}]",
	       "json patch operation 0 (add \"/a/3\"): array index 3 is out of range (length 2)");
	JP_BAD("leading zero", "{'a':[1,2]}", "[{'op':'add','path':'/a/01','value':3}]",
	       "~\"01\" is not an array index");
	JP_BAD("negative index", "{'a':[1,2]}", "[{'op':'remove','path':'/a/-1'}]",
	       "~\"-1\" is not an array index");
	JP_BAD("- names no element to remove", "{'a':[1,2]}", "[{'op':'remove','path':'/a/-'}]",
	       "~\"-\" is not an array index");
	JP_BAD("- names no element to replace", "{'a':[1]}",
	       "[{'op':'replace','path':'/a/-','value':2}]", "~\"-\" is not an array index");
	JP_BAD("- names no element to test", "{'a':[1]}", "[{'op':'test','path':'/a/-','value':1}]",
	       "~\"-\" is not an array index");
	JP_BAD("huge index", "{'a':[1]}", "[{'op':'add','path':'/a/99999999999999999999','value':2}]",
	       "~out of range");
	JP_BAD("remove a missing member", "{'a':1}", "[{'op':'remove','path':'/b'}]",
	       "json patch operation 0 (remove \"/b\"): \"b\" does not exist");
	JP_BAD("replace a missing member", "{'a':1}", "[{'op':'replace','path':'/b','value':1}]",
	       "~\"b\" does not exist");
	JP_BAD("remove the document", "{'a':1}", "[{'op':'remove','path':''}]",
	       "~cannot remove the whole document");
	JP_BAD("descend into a scalar", "{'a':1}", "[{'op':'add','path':'/a/b/c','value':1}]",
	       "~not an object or array");
	JP_BAD("add under a scalar", "{'a':1}", "[{'op':'add','path':'/a/b','value':1}]",
	       "~not an object or array");
	JP_BAD("move into itself", "{'a':{'b':1}}", "[{'op':'move','from':'/a','path':'/a/b/c'}]",
	       "~cannot move \"/a\" into itself");
	JP_BAD("move from nowhere", "{'a':1}", "[{'op':'move','from':'/x','path':'/y'}]",
	       "~\"x\" does not exist");
	JP_BAD("copy from nowhere", "{'a':1}", "[{'op':'copy','from':'/x','path':'/y'}]",
	       "~\"x\" does not exist");
	JP_BAD("test a missing value", "{'a':1}", "[{'op':'test','path':'/b','value':null}]",
	       "~\"b\" does not exist");
	JP_BAD("test arrays in order", "{'a':[1,2]}", "[{'op':'test','path':'/a','value':[2,1]}]",
	       "~test failed");
	JP_BAD("test type", "{'a':true}", "[{'op':'test','path':'/a','value':1}]",
	       "~test failed");
	JP_BAD("bad escape", "{'a':1}", "[{'op':'add','path':'/a~2','value':1}]",
	       "json patch operation 0 (add \"/a~2\"): path \"/a~2\" is not a JSON pointer: "
	       "\"~\" must be followed by 0 or 1");
	JP_BAD("escape at the end", "{'a':1}", "[{'op':'add','path':'/a~','value':1}]",
	       "~must be followed by 0 or 1");
	JP_BAD("no leading slash", "{'a':1}", "[{'op':'add','path':'a','value':1}]",
	       "~must start with \"/\"");
	JP_BAD("bad from", "{'a':1}", "[{'op':'copy','from':'a','path':'/b'}]",
	       "~from \"a\" is not a JSON pointer");
	JP_BAD("unknown op", "{'a':1}", "[{'op':'frobnicate','path':'/a'}]",
	       "json patch operation 0 (frobnicate \"/a\"): unknown operation \"frobnicate\"");
	JP_BAD("no value", "{'a':1}", "[{'op':'add','path':'/b'}]", "~has no \"value\"");
	JP_BAD("no from", "{'a':1}", "[{'op':'move','path':'/b'}]", "~has no \"from\" string");
	JP_BAD("no op", "{'a':1}", "[{'path':'/b'}]",
	       "json patch operation 0: no \"op\" string");
	JP_BAD("no path", "{'a':1}", "[{'op':'remove'}]",
	       "json patch operation 0 (remove): no \"path\" string");
	JP_BAD("path not a string", "{'a':1}", "[{'op':'remove','path':1}]",
	       "~no \"path\" string");
	JP_BAD("operation not an object", "{'a':1}", "[1]",
	       "json patch operation 0: not a JSON object");
	JP_BAD("patch not an array", "{'a':1}", "{'op':'remove','path':'/a'}",
	       "json patch: the patch must be a JSON array of operations");
	/* Atomic: the first operation applied, the second failed. */
	JP_BAD("all or nothing", "{'a':{'b':1}}",
	       "[{'op':'add','path':'/x','value':1},{'op':'remove','path':'/a/b'},"
	       "{'op':'remove','path':'/nope'}]",
	       "json patch operation 2 (remove \"/nope\"): \"nope\" does not exist");
	JP_BAD("failed test after changes", "{'a':1}",
	       "[{'op':'replace','path':'/a','value':2},{'op':'test','path':'/a','value':1}]",
	       "~operation 1 (test \"/a\"): test failed");

	/* Limits. */
	{
		cJSON *ops = cJSON_CreateArray(), *t = parse("{}");
		k8c_error_t err;
		for (int i = 0; i <= K8C_JSON_PATCH_MAX_OPS; i++)
			cJSON_AddItemToArray(ops, parse("{'op':'test','path':'','value':{}}"));
		is_int(k8c_json_patch(&t, ops, &err), -K8C_ETOOLARGE, "json: too many operations");
		cJSON_DeleteItemFromArray(ops, 0);
		is_int(k8c_json_patch(&t, ops, &err), 0, "json: the most operations allowed");
		cJSON_Delete(ops);
		cJSON_Delete(t);
	}
	{
		/* Each copy of the document into itself doubles it. */
		cJSON *ops = cJSON_CreateArray(), *t = parse("{'a':[1,2,3]}");
		k8c_error_t err;
		for (int i = 0; i < 40; i++) {
			char op[64];
			snprintf(op, sizeof(op), "{'op':'copy','from':'','path':'/k%d'}", i);
			cJSON_AddItemToArray(ops, parse(op));
		}
		is_int(k8c_json_patch(&t, ops, &err), -K8C_ETOOLARGE, "json: copies are limited");
		ok(strstr(err.message, "copy operations copy more than") != NULL,
		   "json: copy limit message");
		is_json(t, "{'a':[1,2,3]}", "json: target unchanged after the copy limit");
		cJSON_Delete(ops);
		cJSON_Delete(t);
	}
	{
		/* Nesting: 997 arrays (the most a parsed operation can hold)
		 * at /a/b/c nest 1000 deep (allowed), at /a/b/c/d 1001 deep
		 * (refused). */
		size_t n = 997;
		char *deep = k8c_xmalloc(2 * n + 1), *op;
		cJSON *t = parse("{'a':{'b':{'c':{}}}}"), *ops;
		k8c_error_t err;
		memset(deep, '[', n);
		memset(deep + n, ']', n);
		deep[2 * n] = '\0';
		op = k8c_xasprintf("[{\"op\":\"add\",\"path\":\"/a/b/c/d\",\"value\":%s}]", deep);
		ops = cJSON_Parse(op);
		ok(ops != NULL, "json: the deep operation parses");
		is_int(k8c_json_patch(&t, ops, &err), -K8C_EINVAL, "json: nesting is limited");
		ok(strstr(err.message, "nest more than 1000") != NULL, "json: nesting message");
		cJSON_Delete(ops);
		free(op);
		op = k8c_xasprintf("[{\"op\":\"replace\",\"path\":\"/a/b/c\",\"value\":%s}]", deep);
		ops = cJSON_Parse(op);
		is_int(k8c_json_patch(&t, ops, &err), 0, "json: nesting up to the limit");
		cJSON_Delete(ops);
		free(op);
		free(deep);
		cJSON_Delete(t);
	}
}

/* --- strategic merge patch ---------------------------------------------- */

/* A Deployment's pod spec, a Pod's spec, a Pod's metadata. */
#define DSPEC(x) "{'spec':{'template':{'spec':" x "}}}"
#define PSPEC(x) "{'spec':" x "}"
#define META(x) "{'metadata':" x "}"
#define D (&deployment)
#define P (&pod)

static void test_smp_clients(void)
{
	/* API-NOTES.md: what kubectl apply sends for an existing Deployment. */
	SMP_OK(D, "kubectl apply body",
	       DSPEC("{'containers':[{'name':'c','image':'nginx:1'}]}"),
	       DSPEC("{'$setElementOrder/containers':[{'name':'c'}],"
	             "'containers':[{'image':'nginx:2','name':'c'}]}"),
	       DSPEC("{'containers':[{'name':'c','image':'nginx:2'}]}"));
	SMP_OK(D, "kubectl apply keeps an injected sidecar before",
	       DSPEC("{'containers':[{'name':'proxy','image':'p'},{'name':'c','image':'nginx:1'}]}"),
	       DSPEC("{'$setElementOrder/containers':[{'name':'c'}],"
	             "'containers':[{'image':'nginx:2','name':'c'}]}"),
	       DSPEC("{'containers':[{'name':'proxy','image':'p'},{'name':'c','image':'nginx:2'}]}"));
	SMP_OK(D, "kubectl apply keeps an injected sidecar after",
	       DSPEC("{'containers':[{'name':'c','image':'nginx:1'},{'name':'proxy','image':'p'}]}"),
	       DSPEC("{'$setElementOrder/containers':[{'name':'c'}],"
	             "'containers':[{'image':'nginx:2','name':'c'}]}"),
	       DSPEC("{'containers':[{'name':'c','image':'nginx:2'},{'name':'proxy','image':'p'}]}"));
	/* kubectl apply: env B removed, C added (three-way patch). */
	SMP_OK(D, "kubectl apply env change",
	       DSPEC("{'containers':[{'name':'c','env':[{'name':'A','value':'1'},"
	             "{'name':'B','value':'2'}]}]}"),
	       DSPEC("{'$setElementOrder/containers':[{'name':'c'}],'containers':[{'name':'c',"
	             "'$setElementOrder/env':[{'name':'A'},{'name':'C'}],"
	             "'env':[{'name':'C','value':'3'},{'$patch':'delete','name':'B'}]}]}"),
	       DSPEC("{'containers':[{'name':'c','env':[{'name':'A','value':'1'},"
	             "{'name':'C','value':'3'}]}]}"));
	/* kubectl apply: finalizer b removed, c added. */
	SMP_OK(D, "kubectl apply finalizers",
	       META("{'finalizers':['a','b']}"),
	       META("{'$setElementOrder/finalizers':['a','c'],"
	            "'$deleteFromPrimitiveList/finalizers':['b'],'finalizers':['c']}"),
	       META("{'finalizers':['a','c']}"));

	/* kubernetes.io "Update API Objects in Place Using kubectl patch". */
	SMP_OK(D, "kubectl patch adds a container (it comes first)",
	       DSPEC("{'containers':[{'name':'patch-demo-ctr','image':'nginx'}],"
	             "'tolerations':[{'effect':'NoSchedule','key':'dedicated','value':'test-team'}]}"),
	       DSPEC("{'containers':[{'name':'patch-demo-ctr-2','image':'redis'}]}"),
	       DSPEC("{'containers':[{'name':'patch-demo-ctr-2','image':'redis'},"
	             "{'name':'patch-demo-ctr','image':'nginx'}],"
	             "'tolerations':[{'effect':'NoSchedule','key':'dedicated','value':'test-team'}]}"));
	SMP_OK(D, "kubectl patch replaces tolerations (no patch strategy)",
	       DSPEC("{'tolerations':[{'effect':'NoSchedule','key':'dedicated','value':'test-team'}]}"),
	       DSPEC("{'tolerations':[{'effect':'NoSchedule','key':'disktype','value':'ssd'}]}"),
	       DSPEC("{'tolerations':[{'effect':'NoSchedule','key':'disktype','value':'ssd'}]}"));
	SMP_OK(D, "kubectl patch with $retainKeys",
	       "{'spec':{'strategy':{'rollingUpdate':{'maxSurge':'25%','maxUnavailable':'25%'},"
	       "'type':'RollingUpdate'}}}",
	       "{'spec':{'strategy':{'$retainKeys':['type'],'type':'Recreate'}}}",
	       "{'spec':{'strategy':{'type':'Recreate'}}}");
	SMP_OK(D, "kubectl patch without $retainKeys keeps the other fields",
	       "{'spec':{'strategy':{'rollingUpdate':{'maxSurge':'25%'},'type':'RollingUpdate'}}}",
	       "{'spec':{'strategy':{'type':'Recreate'}}}",
	       "{'spec':{'strategy':{'rollingUpdate':{'maxSurge':'25%'},'type':'Recreate'}}}");
	/* python3-kubernetes sends a dict body as a strategic merge patch. */
	SMP_OK(D, "python client labels",
	       "{'metadata':{'name':'x','labels':{'app':'web'}},'spec':{'replicas':1}}",
	       "{'metadata':{'labels':{'tier':'front'}},'spec':{'replicas':2}}",
	       "{'metadata':{'name':'x','labels':{'app':'web','tier':'front'}},'spec':{'replicas':2}}");
}

/* Examples of contributors/devel/sig-api-machinery/strategic-merge-patch.md. */
static void test_smp_directives(void)
{
	SMP_OK(P, "$patch: replace on a map",
	       PSPEC("{'containers':[{'name':'a','image':'x'}],'volumes':[{'name':'v'}]}"),
	       PSPEC("{'$patch':'replace','containers':[{'name':'nginx','image':'nginx-1.0'}]}"),
	       PSPEC("{'containers':[{'name':'nginx','image':'nginx-1.0'}]}"));
	SMP_OK(P, "$patch: replace in a list",
	       PSPEC("{'containers':[{'name':'a','image':'x'},{'name':'b','image':'y'}]}"),
	       PSPEC("{'containers':[{'name':'nginx','image':'nginx-1.0'},{'$patch':'replace'}]}"),
	       PSPEC("{'containers':[{'name':'nginx','image':'nginx-1.0'}]}"));
	SMP_OK(P, "$patch: replace drops the other $patch items",
	       PSPEC("{'containers':[{'name':'a'}]}"),
	       PSPEC("{'containers':[{'$patch':'replace'},{'name':'b'},{'$patch':'delete','name':'b'}]}"),
	       PSPEC("{'containers':[{'name':'b'}]}"));
	SMP_OK(P, "$patch: delete in a list",
	       PSPEC("{'containers':[{'name':'nginx','image':'nginx-0.9'},"
	             "{'name':'log-tailer','image':'lt'}]}"),
	       PSPEC("{'containers':[{'name':'nginx','image':'nginx-1.0'},"
	             "{'$patch':'delete','name':'log-tailer'}]}"),
	       PSPEC("{'containers':[{'name':'nginx','image':'nginx-1.0'}]}"));
	SMP_OK(P, "$patch: delete removes every item with the key",
	       PSPEC("{'volumes':[{'name':'a','x':1},{'name':'b'},{'name':'a','x':2}]}"),
	       PSPEC("{'volumes':[{'$patch':'delete','name':'a'}]}"),
	       PSPEC("{'volumes':[{'name':'b'}]}"));
	SMP_OK(P, "$patch: delete of an item not there",
	       PSPEC("{'volumes':[{'name':'b'}]}"), PSPEC("{'volumes':[{'$patch':'delete','name':'a'}]}"),
	       PSPEC("{'volumes':[{'name':'b'}]}"));
	/* Go answers an empty map, which the decoder turns into an empty
	 * struct: the field is not gone. */
	SMP_OK(D, "$patch: delete on a map empties it",
	       "{'spec':{'strategy':{'rollingUpdate':{'maxSurge':1},'type':'RollingUpdate'}}}",
	       "{'spec':{'strategy':{'rollingUpdate':{'$patch':'delete'}}}}",
	       "{'spec':{'strategy':{'rollingUpdate':{},'type':'RollingUpdate'}}}");
	SMP_OK(D, "null deletes a map",
	       "{'spec':{'strategy':{'rollingUpdate':{'maxSurge':1},'type':'RollingUpdate'}}}",
	       "{'spec':{'strategy':{'rollingUpdate':null}}}",
	       "{'spec':{'strategy':{'type':'RollingUpdate'}}}");
	SMP_OK(D, "$patch: delete on the whole object", "{'metadata':{'name':'x'},'spec':{}}",
	       "{'$patch':'delete'}", "{}");
	SMP_OK(D, "$patch: replace on the whole object", "{'metadata':{'name':'x'},'spec':{}}",
	       "{'$patch':'replace','metadata':{'name':'y'}}", "{'metadata':{'name':'y'}}");
	SMP_OK(P, "$deleteFromPrimitiveList", META("{'finalizers':['a','b','c']}"),
	       META("{'$deleteFromPrimitiveList/finalizers':['b','c']}"), META("{'finalizers':['a']}"));
	SMP_OK(P, "$deleteFromPrimitiveList removes duplicates too",
	       META("{'finalizers':['a','b','a']}"),
	       META("{'$deleteFromPrimitiveList/finalizers':['a']}"), META("{'finalizers':['b']}"));
	SMP_OK(P, "$deleteFromPrimitiveList of a missing list", META("{'name':'x'}"),
	       META("{'$deleteFromPrimitiveList/finalizers':['a']}"), META("{'name':'x'}"));
	SMP_OK(P, "$deleteFromPrimitiveList/ names no field", META("{'':['a'],'x':1}"),
	       META("{'$deleteFromPrimitiveList/':['a']}"), META("{'':['a'],'x':1}"));
	SMP_OK(P, "$deleteFromPrimitiveList: null deletes the list",
	       META("{'finalizers':['a']}"), META("{'$deleteFromPrimitiveList/finalizers':null}"),
	       META("{}"));
	/* Go: a list without the merge strategy is replaced by the patch's
	 * value, here the list of items to delete. */
	SMP_OK(P, "$deleteFromPrimitiveList of a list that does not merge",
	       PSPEC("{'containers':[{'name':'c','args':['a','b']}]}"),
	       PSPEC("{'containers':[{'name':'c','$deleteFromPrimitiveList/args':['a']}]}"),
	       PSPEC("{'containers':[{'name':'c','args':['a']}]}"));
	SMP_OK(P, "$deleteFromPrimitiveList then merge (patch order)",
	       META("{'finalizers':['a','b']}"),
	       META("{'$deleteFromPrimitiveList/finalizers':['a'],'finalizers':['c']}"),
	       META("{'finalizers':['c','b']}"));
	SMP_OK(P, "$setElementOrder of primitives", META("{'finalizers':['a','b','c']}"),
	       META("{'$setElementOrder/finalizers':['b','c','a']}"),
	       META("{'finalizers':['b','c','a']}"));
	SMP_OK(P, "$setElementOrder of maps",
	       PSPEC("{'containers':[{'name':'a','image':'1'},{'name':'b','image':'2'},"
	             "{'name':'c','image':'3'}]}"),
	       PSPEC("{'$setElementOrder/containers':[{'name':'b'},{'name':'c'},{'name':'a'}]}"),
	       PSPEC("{'containers':[{'name':'b','image':'2'},{'name':'c','image':'3'},"
	             "{'name':'a','image':'1'}]}"));
	/* The document writes "retainKeys:" for the directive $retainKeys. */
	SMP_OK(NULL, "$retainKeys on a union", "{'union':{'foo':'a','other':'b'}}",
	       "{'union':{'$retainKeys':['another','bar'],'another':'d','bar':'c'}}",
	       "{'union':{'another':'d','bar':'c'}}");
	SMP_OK(NULL, "$retainKeys keeps listed fields not in the patch",
	       "{'union':{'foo':'a','other':'b'}}", "{'union':{'$retainKeys':['foo','bar'],'bar':'c'}}",
	       "{'union':{'foo':'a','bar':'c'}}");
	/* (b does not merge: the delete list replaces it, as in Go.) */
	SMP_OK(NULL, "$retainKeys allows nulls and directives",
	       "{'u':{'a':1,'b':[1,2],'c':3}}",
	       "{'u':{'$retainKeys':['b'],'c':null,'$deleteFromPrimitiveList/b':[1]}}",
	       "{'u':{'b':[1]}}");
	SMP_OK(P, "$retainKeys with $setElementOrder and $deleteFromPrimitiveList",
	       META("{'name':'x','finalizers':['a','b']}"),
	       META("{'$retainKeys':['finalizers'],'$setElementOrder/finalizers':['b'],"
	            "'$deleteFromPrimitiveList/finalizers':['a']}"),
	       META("{'finalizers':['b']}"));
}

/* contributors/design-proposals/cli/preserve-order-in-strategic-merge-patch.md.
 * Where the proposal describes server-only items all going first, the
 * implementation (and so this one) interleaves them by their place in the
 * live list; the expectations below are the implementation's. */
static void test_smp_order(void)
{
	SMP_OK(P, "no $setElementOrder: the patch's order, server-only items by live order",
	       PSPEC("{'containers':[{'name':'x','env':[{'name':'B','value':'b'},"
	             "{'name':'C','value':'c'},{'name':'A','value':'a'}]}]}"),
	       PSPEC("{'containers':[{'name':'x','env':[{'name':'A','value':'a2'},"
	             "{'name':'B','value':'b2'},{'name':'D','value':'d'}]}]}"),
	       PSPEC("{'containers':[{'name':'x','env':[{'name':'C','value':'c'},"
	             "{'name':'A','value':'a2'},{'name':'B','value':'b2'},{'name':'D','value':'d'}]}]}"));
	SMP_OK(P, "$setElementOrder naming items not in the patch",
	       META("{'finalizers':['B','A']}"), META("{'$setElementOrder/finalizers':['A','B']}"),
	       META("{'finalizers':['A','B']}"));
	SMP_OK(P, "$setElementOrder naming items not in the list",
	       META("{'finalizers':['A','B']}"),
	       META("{'$setElementOrder/finalizers':['C','A','B'],'finalizers':['A','B']}"),
	       META("{'finalizers':['A','B']}"));
	/* The proposal: C, D, E, A, B. */
	SMP_OK(P, "live items not in $setElementOrder",
	       PSPEC("{'volumes':[{'name':'C'},{'name':'B'},{'name':'D'},{'name':'A'},{'name':'E'}]}"),
	       PSPEC("{'$setElementOrder/volumes':[{'name':'A'},{'name':'B'}],"
	             "'volumes':[{'name':'A','x':1},{'name':'B','x':2}]}"),
	       PSPEC("{'volumes':[{'name':'C'},{'name':'D'},{'name':'A','x':1},{'name':'B','x':2},"
	             "{'name':'E'}]}"));
	/* The proposal: ENV5, ENV4, ENV1, ENV2, ENV6.  Go's merge shares the
	 * live list's array: deleting ENV3 shifts ENV4 left and ENV6 lands in
	 * the last slot, so ENV4 is placed before ENV6. */
	SMP_OK(P, "env example",
	       PSPEC("{'containers':[{'name':'c','env':[{'name':'ENV2','value':'bar'},"
	             "{'name':'ENV5','value':'server-added-2'},{'name':'ENV1','value':'foo'},"
	             "{'name':'ENV3','value':'baz'},{'name':'ENV4','value':'server-added-1'}]}]}"),
	       PSPEC("{'containers':[{'name':'c','$setElementOrder/env':[{'name':'ENV1'},"
	             "{'name':'ENV2'},{'name':'ENV6'}],'env':[{'name':'ENV3','$patch':'delete'},"
	             "{'name':'ENV6','value':'new-env'}]}]}"),
	       PSPEC("{'containers':[{'name':'c','env':[{'name':'ENV5','value':'server-added-2'},"
	             "{'name':'ENV1','value':'foo'},{'name':'ENV2','value':'bar'},"
	             "{'name':'ENV4','value':'server-added-1'},{'name':'ENV6','value':'new-env'}]}]}"));
	/* The proposal: e, d, a, b, f. */
	SMP_OK(P, "finalizers example", META("{'finalizers':['b','e','a','c','d']}"),
	       META("{'$setElementOrder/finalizers':['a','b','f'],"
	            "'$deleteFromPrimitiveList/finalizers':['c'],'finalizers':['f']}"),
	       META("{'finalizers':['e','a','b','f','d']}"));

	SMP_OK(P, "sets: union", META("{'finalizers':['a','b']}"), META("{'finalizers':['b','c']}"),
	       META("{'finalizers':['a','b','c']}"));
	SMP_OK(P, "sets: a new item comes first", META("{'finalizers':['a']}"),
	       META("{'finalizers':['z']}"), META("{'finalizers':['z','a']}"));
	SMP_OK(P, "sets: duplicates go", META("{'finalizers':['a','a','b']}"),
	       META("{'finalizers':['c','c']}"), META("{'finalizers':['c','a','b']}"));
	SMP_OK(P, "sets: empty patch list", META("{'finalizers':['a']}"), META("{'finalizers':[]}"),
	       META("{'finalizers':['a']}"));
	SMP_OK(P, "sets: to an empty list", META("{'finalizers':[]}"), META("{'finalizers':['a','a']}"),
	       META("{'finalizers':['a']}"));
	SMP_OK(P, "sets of numbers", META("{'finalizers':[1,2]}"), META("{'finalizers':[2,3]}"),
	       META("{'finalizers':[1,2,3]}"));
	SMP_OK(P, "keyed: the patch's order", PSPEC("{'volumes':[{'name':'a'},{'name':'b'}]}"),
	       PSPEC("{'volumes':[{'name':'b','x':1},{'name':'a','x':2}]}"),
	       PSPEC("{'volumes':[{'name':'b','x':1},{'name':'a','x':2}]}"));
	SMP_OK(P, "keyed: a new item in the middle", PSPEC("{'volumes':[{'name':'a'},{'name':'b'}]}"),
	       PSPEC("{'volumes':[{'name':'a','x':1},{'name':'n'},{'name':'b','x':2}]}"),
	       PSPEC("{'volumes':[{'name':'a','x':1},{'name':'n'},{'name':'b','x':2}]}"));
	SMP_OK(P, "keyed: the same key twice in the patch",
	       PSPEC("{'volumes':[{'name':'a'}]}"),
	       PSPEC("{'volumes':[{'name':'b','x':1},{'name':'b','y':2}]}"),
	       PSPEC("{'volumes':[{'name':'b','x':1,'y':2},{'name':'a'}]}"));
	SMP_OK(P, "$setElementOrder alone on a missing list leaves nothing", META("{'name':'x'}"),
	       META("{'$setElementOrder/finalizers':['a']}"), META("{'name':'x'}"));
	SMP_OK(P, "$setElementOrder with a list the target lacks", META("{'name':'x'}"),
	       META("{'$setElementOrder/finalizers':['b','a'],'finalizers':['a','b']}"),
	       META("{'name':'x','finalizers':['b','a']}"));
	SMP_OK(P, "$setElementOrder on a set that does not merge",
	       PSPEC("{'containers':[{'name':'c','args':['x']}]}"),
	       PSPEC("{'containers':[{'name':'c','$setElementOrder/args':['b','a'],"
	             "'args':['a','b']}]}"),
	       PSPEC("{'containers':[{'name':'c','args':['b','a']}]}"));
}

static void test_smp_merge(void)
{
	SMP_OK(P, "labels merge, null deletes", META("{'labels':{'a':'1','b':'2'}}"),
	       META("{'labels':{'a':null,'c':'3'}}"), META("{'labels':{'b':'2','c':'3'}}"));
	SMP_OK(P, "null for a missing field", META("{'labels':{'a':'1'}}"),
	       META("{'labels':{'x':null},'annotations':null}"), META("{'labels':{'a':'1'}}"));
	SMP_OK(P, "$patch: replace on labels", META("{'labels':{'a':'1'}}"),
	       META("{'labels':{'$patch':'replace','x':'1'}}"), META("{'labels':{'x':'1'}}"));
	SMP_OK(P, "$patch: replace on missing labels (directive dropped)", META("{}"),
	       META("{'labels':{'$patch':'replace','x':'1'}}"), META("{'labels':{'x':'1'}}"));
	SMP_OK(P, "ports merge on containerPort",
	       PSPEC("{'containers':[{'name':'c','ports':[{'containerPort':80,'protocol':'TCP'}]}]}"),
	       PSPEC("{'containers':[{'name':'c','ports':[{'containerPort':80,'name':'http'},"
	             "{'containerPort':443}]}]}"),
	       PSPEC("{'containers':[{'name':'c','ports':[{'containerPort':80,'protocol':'TCP',"
	             "'name':'http'},{'containerPort':443}]}]}"));
	SMP_OK(P, "volumeMounts merge on mountPath",
	       PSPEC("{'containers':[{'name':'c','volumeMounts':[{'mountPath':'/a','name':'v1'},"
	             "{'mountPath':'/b','name':'v2'}]}]}"),
	       PSPEC("{'containers':[{'name':'c','volumeMounts':[{'mountPath':'/a','readOnly':true}]}]}"),
	       PSPEC("{'containers':[{'name':'c','volumeMounts':[{'mountPath':'/a','name':'v1',"
	             "'readOnly':true},{'mountPath':'/b','name':'v2'}]}]}"));
	SMP_OK(P, "env merges on name, null deletes inside an item",
	       PSPEC("{'containers':[{'name':'c','env':[{'name':'A','value':'1'}]}]}"),
	       PSPEC("{'containers':[{'name':'c','env':[{'name':'A','value':null,"
	             "'valueFrom':{'fieldRef':{'fieldPath':'x'}}}]}]}"),
	       PSPEC("{'containers':[{'name':'c','env':[{'name':'A',"
	             "'valueFrom':{'fieldRef':{'fieldPath':'x'}}}]}]}"));
	SMP_OK(P, "an atomic list inside a merged item",
	       PSPEC("{'containers':[{'name':'c','args':['a','b'],'image':'i'}]}"),
	       PSPEC("{'containers':[{'name':'c','args':['c']}]}"),
	       PSPEC("{'containers':[{'name':'c','args':['c'],'image':'i'}]}"));
	SMP_OK(P, "a new item loses its directives",
	       PSPEC("{'containers':[{'name':'a'}]}"),
	       PSPEC("{'containers':[{'name':'b','$setElementOrder/env':[{'name':'X'}],"
	             "'env':[{'name':'X','value':'1','v':null},{'$patch':'delete','name':'Y'}]}]}"),
	       PSPEC("{'containers':[{'name':'b','env':[{'name':'X','value':'1'}]},{'name':'a'}]}"));
	SMP_OK(P, "a new list keeps items without the merge key (as Go takes it)", PSPEC("{}"),
	       PSPEC("{'volumes':[{'x':1},{'$patch':'delete','name':'a'},{'name':'b'}]}"),
	       PSPEC("{'volumes':[{'x':1},{'name':'b'}]}"));
	SMP_OK(P, "ownerReferences merge on uid",
	       META("{'ownerReferences':[{'uid':'1','name':'a'}]}"),
	       META("{'ownerReferences':[{'uid':'1','controller':true}]}"),
	       META("{'ownerReferences':[{'uid':'1','name':'a','controller':true}]}"));
	SMP_OK(P, "a value of another type replaces", META("{'labels':'x'}"),
	       META("{'labels':{'a':'1','b':null}}"), META("{'labels':{'a':'1'}}"));
	SMP_OK(P, "a scalar replaces a list", PSPEC("{'volumes':[{'name':'a'}]}"),
	       PSPEC("{'volumes':'none'}"), PSPEC("{'volumes':'none'}"));
	SMP_OK(P, "unknown fields: maps merge, lists replace",
	       PSPEC("{'foo':[1,2],'bar':{'a':1}}"), PSPEC("{'foo':[3],'bar':{'b':2}}"),
	       PSPEC("{'foo':[3],'bar':{'a':1,'b':2}}"));
	SMP_OK(NULL, "no schema: lists replace",
	       PSPEC("{'containers':[{'name':'a'}]}"), PSPEC("{'containers':[{'name':'b'}]}"),
	       PSPEC("{'containers':[{'name':'b'}]}"));
	SMP_OK(P, "nested null deletes", DSPEC("{'nodeSelector':{'a':'b'},'x':1}"),
	       DSPEC("{'nodeSelector':null}"), DSPEC("{'x':1}"));
	SMP_OK(P, "a JSON null patch does nothing", "{'a':1}", "null", "{'a':1}");
	SMP_OK(P, "an empty patch does nothing", "{'a':1}", "{}", "{'a':1}");
	SMP_OK(P, "no target", NULL, META("{'labels':{'a':'1','b':null}}"),
	       META("{'labels':{'a':'1'}}"));
	SMP_OK(P, "duplicate keys in the patch: the last counts", META("{'labels':{'x':'0'}}"),
	       META("{'labels':{'a':'1'},'labels':{'b':'2'}}"), META("{'labels':{'x':'0','b':'2'}}"));
	SMP_OK(P, "unknown $ keys are fields", "{}", "{'$foo':1}", "{'$foo':1}");

	/* A schema without callbacks knows nothing. */
	{
		static const k8c_patch_schema_t none = {0};
		cJSON *t = parse(PSPEC("{'containers':[{'name':'a'}]}"));
		cJSON *p = parse(PSPEC("{'containers':[{'name':'b'}]}"));
		k8c_error_t err;
		is_int(k8c_strategic_merge_patch(&t, p, &none, &pod, &err), 0,
		       "smp: a schema without callbacks");
		is_json(t, PSPEC("{'containers':[{'name':'b'}]}"), "smp: lists replace then");
		cJSON_Delete(t);
		cJSON_Delete(p);
	}
}

static void test_smp_errors(void)
{
	SMP_BAD(P, "an item without the merge key", PSPEC("{'containers':[{'name':'a'}]}"),
	        PSPEC("{'containers':[{'image':'x'}]}"),
	        "map: map[image:x] does not contain declared merge key: name");
	SMP_BAD(P, "a delete without the merge key", PSPEC("{'containers':[{'name':'a'}]}"),
	        PSPEC("{'containers':[{'$patch':'delete'}]}"),
	        "map: map[$patch:delete] does not contain declared merge key: name");
	SMP_BAD(P, "a target item without the merge key", PSPEC("{'containers':[{'image':'x'}]}"),
	        PSPEC("{'containers':[{'name':'a'}]}"),
	        "map: map[image:x] does not contain declared merge key: name");
	SMP_BAD(P, "a replacing list without the merge key", PSPEC("{'containers':[{'name':'a'}]}"),
	        PSPEC("{'containers':[{'image':'y'},{'$patch':'replace'}]}"),
	        "map: map[image:y] does not contain declared merge key: name");
	SMP_BAD(P, "values printed as Go prints them", PSPEC("{'containers':[{'name':'a'}]}"),
	        PSPEC("{'containers':[{'image':'x','cpu':0.5,'n':1000000,'f':1234567.5,'e':1.5e-7,"
	              "'l':['a',{'b':true}],'z':null}]}"),
	        "map: map[cpu:0.5 e:1.5e-07 f:1.2345675e+06 image:x l:[a map[b:true]] "
	        "n:1000000 z:<nil>] does not contain declared merge key: name");
	SMP_BAD(P, "an unknown $patch in a list", PSPEC("{'containers':[{'name':'a'}]}"),
	        PSPEC("{'containers':[{'$patch':'foo','name':'a'}]}"),
	        "unknown patch type: foo in map: map[$patch:foo name:a]");
	SMP_BAD(P, "$patch: merge in a list", PSPEC("{'containers':[{'name':'a'}]}"),
	        PSPEC("{'containers':[{'$patch':'merge','name':'a'}]}"),
	        "merging lists cannot yet be specified in the patch");
	SMP_BAD(P, "an unknown $patch on a map", META("{'labels':{'a':'1'}}"),
	        META("{'labels':{'$patch':'merge'}}"), "unknown patch type: merge in map: map[$patch:merge]");
	SMP_BAD(P, "a $patch that is not a string", META("{'labels':{'a':'1'}}"),
	        META("{'labels':{'$patch':5}}"), "unknown patch type: %!s(int64=5) in map: map[$patch:5]");
	SMP_BAD(D, "$retainKeys not a list", "{'spec':{'strategy':{'type':'Recreate'}}}",
	        "{'spec':{'strategy':{'$retainKeys':'type'}}}", "invalid patch format of retainKeys");
	SMP_BAD(D, "a patched field not in $retainKeys", "{'spec':{'strategy':{'type':'Recreate'}}}",
	        "{'spec':{'strategy':{'$retainKeys':['type'],'type':'RollingUpdate',"
	        "'rollingUpdate':{'maxSurge':1}}}}",
	        "invalid patch format of retainKeys");
	SMP_BAD(P, "$setElementOrder without a field", META("{'finalizers':['a']}"),
	        META("{'$setElementOrder':['a']}"), "invalid patch format of setElementOrder list");
	SMP_BAD(P, "$setElementOrderX/", META("{'finalizers':['a']}"),
	        META("{'$setElementOrderX/finalizers':['a']}"),
	        "invalid patch format of setElementOrder list");
	SMP_BAD(P, "$setElementOrder of a directive", META("{'finalizers':['a']}"),
	        META("{'$setElementOrder/$setElementOrder/finalizers':[['x']],"
	             "'$setElementOrder/finalizers':['a']}"),
	        "invalid patch format of setElementOrder list");
	SMP_BAD(P, "$deleteFromPrimitiveList without a field", META("{'finalizers':['a']}"),
	        META("{'$deleteFromPrimitiveList':['a']}"), "invalid patch format of primitive list");
	SMP_BAD(P, "$setElementOrder not a list", PSPEC("{'containers':[{'name':'c'}]}"),
	        PSPEC("{'$setElementOrder/containers':'c'}"),
	        "expected a []interface {}, but received a string");
	SMP_BAD(P, "$setElementOrder for a field that is not a list", PSPEC("{'containers':{}}"),
	        PSPEC("{'$setElementOrder/containers':[]}"),
	        "expected a []interface {}, but received a map[string]interface {}");
	SMP_BAD(P, "$setElementOrder items without the merge key",
	        PSPEC("{'containers':[{'name':'c'}]}"),
	        PSPEC("{'$setElementOrder/containers':[{'image':'x'}]}"),
	        "map: map[image:x] does not contain declared merge key: name");
	SMP_BAD(P, "$setElementOrder of strings for a keyed list",
	        PSPEC("{'containers':[{'name':'c'}]}"), PSPEC("{'$setElementOrder/containers':['c']}"),
	        "value for key 0 is not a map");
	/* Go panics here (maps as map keys): a 500. */
	SMP_BAD(P, "$setElementOrder of maps without a merge key",
	        PSPEC("{'tolerations':[{'key':'a'}]}"),
	        PSPEC("{'$setElementOrder/tolerations':[{'key':'c'},{'key':'b'}],"
	              "'tolerations':[{'key':'b'},{'key':'c'}]}"),
	        "map: map[key:b] does not contain declared merge key: ");
	SMP_BAD(P, "$setElementOrder of empty lists", META("{'finalizers':[]}"),
	        META("{'$setElementOrder/finalizers':[],'finalizers':[]}"),
	        "no elements in any of the given slices");
	SMP_BAD(P, "lists of lists", META("{'finalizers':[]}"), META("{'finalizers':[['a']]}"),
	        "lists of lists are not supported");
	SMP_BAD(P, "mixed element types", META("{'finalizers':['a']}"), META("{'finalizers':[1]}"),
	        "list element types are not identical: [[a] [1]]");
	SMP_BAD(P, "int and float are different types", META("{'finalizers':[1]}"),
	        META("{'finalizers':[1.5]}"), "list element types are not identical: [[1] [1.5]]");
	SMP_BAD(P, "a keyed list of strings", PSPEC("{'volumes':['a']}"), PSPEC("{'volumes':['b']}"),
	        "expected a map[string]interface {}, but received a string");
	SMP_BAD(P, "a merge list of maps without a merge key", PSPEC("{'badList':[{'a':1}]}"),
	        PSPEC("{'badList':[{'a':2}]}"), "cannot merge lists without merge key for badList");
	SMP_BAD(P, "a patch that is not an object", "{}", "[1]",
	        "json: cannot unmarshal array into Go value of type map[string]interface {}");
	SMP_BAD(P, "a patch that is a string", "{}", "'x'",
	        "json: cannot unmarshal string into Go value of type map[string]interface {}");
	SMP_BAD(P, "a target that is not an object", "[1]", "{}", "invalid JSON document");
	/* All or nothing: the labels were merged before the failure. */
	SMP_BAD(P, "all or nothing", "{'metadata':{'labels':{'a':'1'}},'spec':{'containers':[]}}",
	        "{'metadata':{'labels':{'z':'1'}},'spec':{'containers':[{'image':'x'}]}}",
	        "map: map[image:x] does not contain declared merge key: name");
	SMP_BAD(P, "all or nothing in a new value", META("{}"),
	        META("{'labels':{'a':'1'},'annotations':{'$patch':'bogus'}}"),
	        "unknown patch type: bogus in map: map[$patch:bogus]");
	{
		k8c_error_t err;
		cJSON *t = parse("{}");
		is_int(k8c_strategic_merge_patch(&t, NULL, &schema, &pod, &err), -K8C_EINVAL,
		       "smp: no patch is EINVAL");
		is_int(k8c_strategic_merge_patch(NULL, t, &schema, &pod, &err), -K8C_EINVAL,
		       "smp: no target pointer is EINVAL");
		cJSON_Delete(t);
	}
}

int main(void)
{
	test_merge_patch();
	test_json_patch_rfc();
	test_json_patch();
	test_smp_clients();
	test_smp_directives();
	test_smp_order();
	test_smp_merge();
	test_smp_errors();
	return done_testing();
}
