/* JSON patch (RFC 6902), application/json-patch+json, with JSON pointers
 * (RFC 6901).  The operations run on a copy of the target, which takes
 * the result only when every operation applied. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#define K8C_PATCH_INTERNAL
#include "apiserver/patch.h"
#include "common/mem.h"

/* A parsed JSON pointer: its reference tokens, unescaped. */
struct ptr {
	char **tok;
	size_t n;
};

static void ptr_free(struct ptr *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->tok[i]);
	free(p->tok);
	p->tok = NULL;
	p->n = 0;
}

/* The operation being applied, for error messages. */
struct op {
	size_t index;
	const char *name;
	const char *path;
	k8c_error_t *err;
	size_t copied; /* values copied by copy operations so far */
	size_t depth;  /* the document nests at most this deep */
};

__attribute__((format(printf, 3, 4)))
static int fail(struct op *o, int code, const char *fmt, ...)
{
	char why[K8C_ERROR_MESSAGE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return k8c_error_make(o->err, code, "json patch operation %zu (%s \"%s\"): %s", o->index,
	                      o->name, o->path, why);
}

/* RFC 6901: "" or "/" followed by tokens; "~1" is "/", "~0" is "~". */
static int ptr_parse(struct op *o, const char *what, const char *s, struct ptr *p)
{
	const char *t, *end;

	p->tok = NULL;
	p->n = 0;
	if (*s == '\0')
		return 0;
	if (*s != '/')
		return fail(o, K8C_EINVAL, "%s \"%s\" is not a JSON pointer: it must start with \"/\"",
		            what, s);
	for (t = s + 1;; t = end + 1) {
		size_t len;
		char *tok, *w;

		end = strchr(t, '/');
		len = end ? (size_t)(end - t) : strlen(t);
		tok = w = k8c_xmalloc(len + 1);
		for (size_t i = 0; i < len; i++) {
			if (t[i] != '~') {
				*w++ = t[i];
				continue;
			}
			if (i + 1 < len && (t[i + 1] == '0' || t[i + 1] == '1')) {
				*w++ = t[i + 1] == '0' ? '~' : '/';
				i++;
				continue;
			}
			free(tok);
			ptr_free(p);
			return fail(o, K8C_EINVAL,
			            "%s \"%s\" is not a JSON pointer: \"~\" must be followed by 0 or 1",
			            what, s);
		}
		*w = '\0';
		p->tok = k8c_xrealloc(p->tok, (p->n + 1) * sizeof(*p->tok));
		p->tok[p->n++] = tok;
		if (end == NULL)
			break;
	}
	return 0;
}

/* An array index token: "0" or digits without a leading zero.  Returns 0
 * and *idx, or -1 (not an index), or -2 (too large for any array). */
static int parse_index(const char *tok, size_t *idx)
{
	size_t v = 0;

	if (tok[0] < '0' || tok[0] > '9' || (tok[0] == '0' && tok[1] != '\0'))
		return -1;
	for (const char *c = tok; *c; c++) {
		if (*c < '0' || *c > '9')
			return -1;
		if (v > 1000000000)
			v = (size_t)-1 / 2; /* stays too large, keeps parsing digits */
		else
			v = v * 10 + (size_t)(*c - '0');
	}
	if (v > 1000000000)
		return -2;
	*idx = v;
	return 0;
}

/* Walks the first n tokens of p from doc. */
static int resolve(struct op *o, cJSON *doc, const struct ptr *p, size_t n, cJSON **out)
{
	cJSON *cur = doc;

	for (size_t i = 0; i < n; i++) {
		const char *tok = p->tok[i];
		cJSON *next = NULL;

		if (cJSON_IsObject(cur)) {
			next = k8c_patch_get(cur, tok);
		} else if (cJSON_IsArray(cur)) {
			size_t idx;
			int r = parse_index(tok, &idx);
			if (r == -1)
				return fail(o, K8C_EINVAL, "\"%s\" is not an array index", tok);
			if (r == 0 && idx < (size_t)cJSON_GetArraySize(cur))
				next = cJSON_GetArrayItem(cur, (int)idx);
		} else {
			return fail(o, K8C_EINVAL,
			            "cannot descend to \"%s\": the value there is not an object or array",
			            tok);
		}
		if (next == NULL)
			return fail(o, K8C_EINVAL, "\"%s\" does not exist", tok);
		cur = next;
	}
	*out = cur;
	return 0;
}

/* Whether v may go at p without nesting the document too deep.  src is
 * the number of tokens of the place v comes from in the document (move,
 * copy), or NO_SRC for a value of the patch.  A value from the document
 * nests at most o->depth - src deep, which spares walking big values
 * moved around. */
#define NO_SRC ((size_t)-1)
static int check_depth(struct op *o, const struct ptr *p, const cJSON *v, size_t src)
{
	size_t d;

	if (src != NO_SRC && src <= o->depth && p->n + (o->depth - src) <= K8C_PATCH_MAX_DEPTH) {
		d = o->depth - src;
	} else {
		d = k8c_patch_depth(v);
		if (p->n + d > K8C_PATCH_MAX_DEPTH)
			return fail(o, K8C_EINVAL, "the result would nest more than %d levels deep",
			            K8C_PATCH_MAX_DEPTH);
	}
	if (p->n + d > o->depth)
		o->depth = p->n + d;
	return 0;
}

/* Puts v before the idx-th item of array (at the end when idx is its
 * size).  By hand: Debian's cJSON 1.7.15-1+deb12u4 refuses
 * cJSON_InsertItemInArray for any index but 0. */
static void insert(cJSON *array, size_t idx, cJSON *v)
{
	cJSON *after = array->child;

	for (size_t i = 0; after != NULL && i < idx; i++)
		after = after->next;
	if (after == NULL) {
		if (!cJSON_AddItemToArray(array, v))
			k8c_die("out of memory");
		return;
	}
	v->next = after;
	v->prev = after->prev; /* the first item's prev is the last item */
	if (after == array->child)
		array->child = v;
	else
		after->prev->next = v;
	after->prev = v;
}

/* Adds v (always taken) at p; src as for check_depth(). */
static int do_add(struct op *o, cJSON **doc, const struct ptr *p, cJSON *v, size_t src)
{
	cJSON *parent, *cur;
	const char *last;
	int ret;

	if ((ret = check_depth(o, p, v, src)) < 0)
		goto out;
	if (p->n == 0) {
		cJSON_Delete(*doc);
		*doc = v;
		return 0;
	}
	if ((ret = resolve(o, *doc, p, p->n - 1, &parent)) < 0)
		goto out;
	last = p->tok[p->n - 1];
	if (cJSON_IsObject(parent)) {
		cur = k8c_patch_get(parent, last);
		if (cur != NULL)
			k8c_patch_replace_member(parent, cur, v);
		else
			k8c_patch_add_member(parent, last, v);
		return 0;
	}
	if (cJSON_IsArray(parent)) {
		size_t idx, size = (size_t)cJSON_GetArraySize(parent);
		int r = strcmp(last, "-") == 0 ? (idx = size, 0) : parse_index(last, &idx);
		if (r == -1) {
			ret = fail(o, K8C_EINVAL, "\"%s\" is not an array index", last);
			goto out;
		}
		if (r == -2 || idx > size) {
			ret = fail(o, K8C_EINVAL, "array index %s is out of range (length %zu)", last,
			           size);
			goto out;
		}
		insert(parent, idx, v);
		return 0;
	}
	ret = fail(o, K8C_EINVAL, "cannot add \"%s\": the value there is not an object or array",
	           last);
out:
	cJSON_Delete(v);
	return ret;
}

/* The existing value at p (not the root) and its parent. */
static int locate(struct op *o, cJSON *doc, const struct ptr *p, cJSON **parent, cJSON **item)
{
	const char *last = p->tok[p->n - 1];
	int ret;

	if ((ret = resolve(o, doc, p, p->n - 1, parent)) < 0)
		return ret;
	if (cJSON_IsArray(*parent)) {
		size_t idx, size = (size_t)cJSON_GetArraySize(*parent);
		int r = parse_index(last, &idx);
		if (r == -1)
			return fail(o, K8C_EINVAL, "\"%s\" is not an array index", last);
		if (r == -2 || idx >= size)
			return fail(o, K8C_EINVAL, "array index %s is out of range (length %zu)", last,
			            size);
		*item = cJSON_GetArrayItem(*parent, (int)idx);
		return 0;
	}
	*item = cJSON_IsObject(*parent) ? k8c_patch_get(*parent, last) : NULL;
	if (*item == NULL)
		return fail(o, K8C_EINVAL, "\"%s\" does not exist", last);
	return 0;
}

static int do_remove(struct op *o, cJSON **doc, const struct ptr *p, cJSON **removed)
{
	cJSON *parent, *item;
	int ret;

	if (p->n == 0)
		return fail(o, K8C_EINVAL, "cannot remove the whole document");
	if ((ret = locate(o, *doc, p, &parent, &item)) < 0)
		return ret;
	cJSON_DetachItemViaPointer(parent, item);
	if (removed != NULL) {
		*removed = item;
		if (item->string != NULL && !(item->type & cJSON_StringIsConst))
			free(item->string);
		item->string = NULL;
		item->type &= ~cJSON_StringIsConst;
	} else {
		cJSON_Delete(item);
	}
	return 0;
}

static int do_replace(struct op *o, cJSON **doc, const struct ptr *p, cJSON *v)
{
	cJSON *parent, *item;
	int ret;

	if ((ret = check_depth(o, p, v, NO_SRC)) < 0)
		goto out;
	if (p->n == 0) {
		cJSON_Delete(*doc);
		*doc = v;
		return 0;
	}
	if ((ret = locate(o, *doc, p, &parent, &item)) < 0)
		goto out;
	if (cJSON_IsObject(parent))
		k8c_patch_replace_member(parent, item, v);
	else if (!cJSON_ReplaceItemViaPointer(parent, item, v))
		k8c_die("cJSON_ReplaceItemViaPointer failed");
	return 0;
out:
	cJSON_Delete(v);
	return ret;
}

static int get(struct op *o, cJSON *doc, const struct ptr *p, cJSON **out)
{
	return resolve(o, doc, p, p->n, out);
}

/* Whether a's tokens are a proper prefix of b's. */
static int proper_prefix(const struct ptr *a, const struct ptr *b)
{
	if (a->n >= b->n)
		return 0;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->tok[i], b->tok[i]) != 0)
			return 0;
	return 1;
}

static int same(const struct ptr *a, const struct ptr *b)
{
	if (a->n != b->n)
		return 0;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->tok[i], b->tok[i]) != 0)
			return 0;
	return 1;
}

static const char *string_member(const cJSON *op, const char *key)
{
	const cJSON *v = k8c_patch_get(op, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int apply_one(struct op *o, cJSON **doc, const cJSON *op)
{
	struct ptr path = {0}, from = {0};
	const char *from_s = NULL;
	const cJSON *value = k8c_patch_get(op, "value");
	cJSON *v = NULL;
	int ret;
	enum { ADD, REMOVE, REPLACE, MOVE, COPY, TEST } kind;

	if (strcmp(o->name, "add") == 0)
		kind = ADD;
	else if (strcmp(o->name, "remove") == 0)
		kind = REMOVE;
	else if (strcmp(o->name, "replace") == 0)
		kind = REPLACE;
	else if (strcmp(o->name, "move") == 0)
		kind = MOVE;
	else if (strcmp(o->name, "copy") == 0)
		kind = COPY;
	else if (strcmp(o->name, "test") == 0)
		kind = TEST;
	else
		return fail(o, K8C_EINVAL, "unknown operation \"%s\"", o->name);

	if ((kind == ADD || kind == REPLACE || kind == TEST) && value == NULL)
		return fail(o, K8C_EINVAL, "the operation has no \"value\"");
	if (kind == MOVE || kind == COPY) {
		from_s = string_member(op, "from");
		if (from_s == NULL)
			return fail(o, K8C_EINVAL, "the operation has no \"from\" string");
		if ((ret = ptr_parse(o, "from", from_s, &from)) < 0)
			return ret;
	}
	if ((ret = ptr_parse(o, "path", o->path, &path)) < 0)
		goto out;

	switch (kind) {
	case ADD:
		ret = do_add(o, doc, &path, k8c_patch_copy(value), NO_SRC);
		break;
	case REMOVE:
		ret = do_remove(o, doc, &path, NULL);
		break;
	case REPLACE:
		ret = do_replace(o, doc, &path, k8c_patch_copy(value));
		break;
	case MOVE:
		if (same(&from, &path)) {
			ret = get(o, *doc, &from, &v);
			break;
		}
		if (proper_prefix(&from, &path)) {
			ret = fail(o, K8C_EINVAL, "cannot move \"%s\" into itself", from_s);
			break;
		}
		if ((ret = do_remove(o, doc, &from, &v)) < 0)
			break;
		ret = do_add(o, doc, &path, v, from.n);
		break;
	case COPY:
		if ((ret = get(o, *doc, &from, &v)) < 0)
			break;
		o->copied += k8c_patch_count(v);
		if (o->copied > K8C_JSON_PATCH_MAX_COPY_NODES) {
			ret = fail(o, K8C_ETOOLARGE, "copy operations copy more than %d values",
			           K8C_JSON_PATCH_MAX_COPY_NODES);
			break;
		}
		ret = do_add(o, doc, &path, k8c_patch_copy(v), from.n);
		break;
	case TEST:
		if ((ret = get(o, *doc, &path, &v)) < 0)
			break;
		if (!k8c_patch_equal(v, value)) {
			_cleanup_free_ char *want = cJSON_PrintUnformatted(value);
			ret = fail(o, K8C_EINVAL, "test failed: the value is not %s",
			           want ? want : "the one given");
		}
		break;
	}
out:
	ptr_free(&path);
	ptr_free(&from);
	return ret;
}

int k8c_json_patch(cJSON **target, const cJSON *ops, k8c_error_t *err)
{
	cJSON *doc;
	size_t n, i = 0;
	int ret = 0;

	if (target == NULL || ops == NULL)
		return k8c_error_make(err, K8C_EINVAL, "json patch: no target or no patch");
	if (!cJSON_IsArray(ops))
		return k8c_error_make(err, K8C_EINVAL,
		                      "json patch: the patch must be a JSON array of operations");
	n = (size_t)cJSON_GetArraySize(ops);
	if (n > K8C_JSON_PATCH_MAX_OPS)
		return k8c_error_make(err, K8C_ETOOLARGE,
		                      "json patch: %zu operations, more than the limit of %d", n,
		                      K8C_JSON_PATCH_MAX_OPS);

	doc = *target != NULL ? k8c_patch_copy(*target) : cJSON_CreateNull();
	if (doc == NULL)
		k8c_die("out of memory");
	struct op o = {.err = err, .depth = k8c_patch_depth(doc)};
	for (const cJSON *op = ops->child; op != NULL; op = op->next, i++) {
		o.index = i;
		o.name = "?";
		o.path = "";
		if (!cJSON_IsObject(op)) {
			ret = k8c_error_make(err, K8C_EINVAL,
			                     "json patch operation %zu: not a JSON object", i);
			break;
		}
		o.name = string_member(op, "op");
		o.path = string_member(op, "path");
		if (o.name == NULL) {
			ret = k8c_error_make(err, K8C_EINVAL,
			                     "json patch operation %zu: no \"op\" string", i);
			break;
		}
		if (o.path == NULL) {
			ret = k8c_error_make(err, K8C_EINVAL,
			                     "json patch operation %zu (%s): no \"path\" string", i,
			                     o.name);
			break;
		}
		if ((ret = apply_one(&o, &doc, op)) < 0)
			break;
	}
	if (ret < 0) {
		cJSON_Delete(doc);
		return ret;
	}
	k8c_patch_set_root(target, doc);
	return 0;
}
