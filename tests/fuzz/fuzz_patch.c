/* libFuzzer target for core/apiserver/patch_*.c.  The input is a target
 * JSON document, a newline, and a patch JSON document (no newline: the
 * whole input is the patch, applied to {}).  The first byte of the
 * target line picks the schema when it is a digit (0: none, else a fake
 * schema that decides by field name).  All three patch kinds are applied
 * to copies of the target, and:
 *   - a failure leaves the target as it was, with a code and a message;
 *   - the target node stays the same node;
 *   - a result prints and parses again (it is not nested too deep);
 *   - a strategic merge patch leaves no directive in a result whose
 *     target had none;
 *   - a JSON merge patch applied twice gives what it gave once. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "apiserver/patch.h"
#include "apiserver/schema.h"
#include "common/mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A schema without end: a field's kind comes from its name's first
 * letter, every object is the same object type. */
enum { OBJ, MAP, KEYED, NAMED, SET, ATOMIC, NOKEY, RETAIN };
static const int nodes[] = {OBJ, MAP, KEYED, NAMED, SET, ATOMIC, NOKEY, RETAIN};

static const void *node(int kind)
{
	return &nodes[kind];
}

static int kind_of(const void *n)
{
	return *(const int *)n;
}

static const void *f_field(const void *n, const char *name)
{
	if (kind_of(n) == MAP)
		return node(OBJ);
	switch (name[0]) {
	case 'm':
		return node(MAP);
	case 'k':
		return node(KEYED);
	case 'n':
	case 'c':
		return node(NAMED);
	case 's':
	case 'f':
		return node(SET);
	case 'a':
		return node(ATOMIC);
	case 'b':
		return node(NOKEY);
	case 'r':
		return node(RETAIN);
	default:
		return node(OBJ);
	}
}

static const void *f_items(const void *n)
{
	return kind_of(n) == SET ? NULL : node(OBJ);
}

static const char *f_merge_key(const void *n)
{
	return kind_of(n) == KEYED ? "k" : kind_of(n) == NAMED ? "name" : NULL;
}

static unsigned f_strategy(const void *n)
{
	switch (kind_of(n)) {
	case KEYED:
	case NAMED:
	case SET:
	case NOKEY:
		return K8C_PATCH_STRATEGY_MERGE;
	case RETAIN:
		return K8C_PATCH_STRATEGY_RETAIN_KEYS;
	default:
		return 0;
	}
}

static const k8c_patch_schema_t schema = {f_field, f_items, f_merge_key, f_strategy};

static int has_directive(const cJSON *v)
{
	if (!cJSON_IsObject(v) && !cJSON_IsArray(v))
		return 0;
	for (const cJSON *m = v->child; m != NULL; m = m->next) {
		if (cJSON_IsObject(v) &&
		    (strcmp(m->string, "$patch") == 0 || strcmp(m->string, "$retainKeys") == 0 ||
		     strncmp(m->string, "$setElementOrder", 16) == 0 ||
		     strncmp(m->string, "$deleteFromPrimitiveList", 24) == 0))
			return 1;
		if (has_directive(m))
			return 1;
	}
	return 0;
}

static char *print(const cJSON *v)
{
	char *s = v ? cJSON_PrintUnformatted(v) : k8c_xstrdup("(none)");

	if (s == NULL)
		k8c_die("a patch result does not print");
	return s;
}

enum kind { MERGE, JSON, SMP };

static int apply(enum kind k, cJSON **t, const cJSON *p, const void *root, k8c_error_t *err)
{
	switch (k) {
	case MERGE:
		return k8c_merge_patch(t, p, err);
	case JSON:
		return k8c_json_patch(t, p, err);
	default:
		return k8c_strategic_merge_patch(t, p, &schema, root, err);
	}
}

static void check(enum kind k, const cJSON *target, const cJSON *patch, const void *root)
{
	static const char *const names[] = {"merge", "json", "strategic"};
	cJSON *t = target ? cJSON_Duplicate(target, 1) : NULL, *node0 = t, *again;
	char *before = print(t), *after;
	k8c_error_t err = {0};
	int ret = apply(k, &t, patch, root, &err);

	if (t != node0 && node0 != NULL)
		k8c_die("%s patch: the target node changed", names[k]);
	after = print(t);
	if (ret < 0) {
		if (err.code != -ret || err.message[0] == '\0')
			k8c_die("%s patch: failed without a code and a message", names[k]);
		if (strcmp(before, after) != 0)
			k8c_die("%s patch: failed (%s) but changed the target", names[k], err.message);
		goto out;
	}
	if (t == NULL) /* nothing, patched with JSON null */
		goto out;
	again = cJSON_Parse(after);
	if (again == NULL)
		k8c_die("%s patch: the result does not parse again", names[k]);
	cJSON_Delete(again);
	if (k == SMP && !has_directive(target) && has_directive(t))
		k8c_die("strategic merge patch: a directive in the result: %s", after);
	if (k == MERGE) {
		char *twice;
		if (k8c_merge_patch(&t, patch, &err) < 0)
			k8c_die("merge patch: failed the second time");
		twice = print(t);
		if (strcmp(twice, after) != 0)
			k8c_die("merge patch: not idempotent: %s then %s", after, twice);
		free(twice);
	}
out:
	free(before);
	free(after);
	cJSON_Delete(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	char *ts = NULL, *ps;
	cJSON *target = NULL, *patch;
	const void *root = node(OBJ);

	if (nl != NULL) {
		size_t tn = (size_t)(nl - data);
		ts = k8c_xstrndup((const char *)data, tn);
		ps = k8c_xstrndup((const char *)nl + 1, size - tn - 1);
	} else {
		ts = k8c_xstrdup("{}");
		ps = k8c_xstrndup((const char *)data, size);
	}
	if (ts[0] >= '0' && ts[0] <= '9' && ts[1] != '\0' && (ts[1] == '{' || ts[1] == '[')) {
		if (ts[0] == '0')
			root = NULL;
		target = cJSON_Parse(ts + 1);
	} else {
		target = cJSON_Parse(ts);
	}
	patch = cJSON_Parse(ps);
	if (patch != NULL) {
		check(MERGE, target, patch, root);
		check(JSON, target, patch, root);
		check(SMP, target, patch, root);
	}
	cJSON_Delete(target);
	cJSON_Delete(patch);
	free(ts);
	free(ps);
	return 0;
}
