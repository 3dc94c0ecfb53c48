/* Reading YAML into cJSON (see yaml_json.h for the rules).
 *
 * Events -> yaml_document_t (our own composer, so an explicit !!str on a
 * plain scalar stays visible and anchors are registered only once their
 * node is complete: a loaded document never has a cycle) -> cJSON, with
 * plain scalars resolved by the YAML 1.2 core schema. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/mem.h"
#include "common/yaml_internal.h"
#include "common/yaml_json.h"

#define MERGE_TAG "tag:yaml.org,2002:merge"

/* ---- errors ------------------------------------------------------------ */

__attribute__((format(printf, 4, 5)))
static int error_at(k8c_error_t *err, int code, yaml_mark_t mark,
                    const char *fmt, ...)
{
	char msg[K8C_ERROR_MESSAGE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return k8c_error_make(err, code, "line %zu, column %zu: %s",
	                      mark.line + 1, mark.column + 1, msg);
}

/* Line/column of a byte offset, for reader errors (libyaml only gives the
 * offset of a bad byte). */
static yaml_mark_t mark_of_offset(const char *buf, size_t len, size_t off)
{
	yaml_mark_t m = { off, 0, 0 };

	for (size_t i = 0; buf != NULL && i < off && i < len; i++) {
		if (buf[i] == '\n') {
			m.line++;
			m.column = 0;
		} else {
			m.column++;
		}
	}
	return m;
}

static int parser_error(const yaml_parser_t *p, const char *buf, size_t len,
                        k8c_error_t *err)
{
	const char *problem = p->problem ? p->problem : "unknown error";

	switch (p->error) {
	case YAML_MEMORY_ERROR:
		return k8c_error_make(err, K8C_ENOMEM, "yaml: out of memory");
	case YAML_READER_ERROR:
		return error_at(err, K8C_EINVAL,
		                buf ? mark_of_offset(buf, len, p->problem_offset) : p->mark,
		                "%s (byte offset %zu)", problem, p->problem_offset);
	default:
		if (p->context != NULL)
			return error_at(err, K8C_EINVAL, p->problem_mark,
			                "%s (%s at line %zu, column %zu)", problem,
			                p->context, p->context_mark.line + 1,
			                p->context_mark.column + 1);
		return error_at(err, K8C_EINVAL, p->problem_mark, "%s", problem);
	}
}

/* ---- a small string-keyed hash map (anchors, duplicate keys) ----------- */

struct strmap {
	const char **keys; /* borrowed */
	int *vals;
	size_t cap, n;
};

static uint64_t str_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

static void strmap_free(struct strmap *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

/* Slot of key, or of the empty slot where it would go. */
static size_t strmap_slot(const struct strmap *m, const char *key)
{
	size_t i = str_hash(key) & (m->cap - 1);

	while (m->keys[i] != NULL && strcmp(m->keys[i], key) != 0)
		i = (i + 1) & (m->cap - 1);
	return i;
}

static int *strmap_get(const struct strmap *m, const char *key)
{
	size_t i;

	if (m->cap == 0)
		return NULL;
	i = strmap_slot(m, key);
	return m->keys[i] != NULL ? &m->vals[i] : NULL;
}

/* Insert or replace; returns true when the key was already there. */
static bool strmap_put(struct strmap *m, const char *key, int val)
{
	size_t i;

	if (2 * (m->n + 1) > m->cap) {
		struct strmap bigger = { NULL, NULL, m->cap ? 2 * m->cap : 16, 0 };

		bigger.keys = k8c_xcalloc(bigger.cap, sizeof(*bigger.keys));
		bigger.vals = k8c_xcalloc(bigger.cap, sizeof(*bigger.vals));
		for (size_t j = 0; j < m->cap; j++)
			if (m->keys[j] != NULL)
				strmap_put(&bigger, m->keys[j], m->vals[j]);
		strmap_free(m);
		*m = bigger;
	}
	i = strmap_slot(m, key);
	m->vals[i] = val;
	if (m->keys[i] != NULL)
		return true;
	m->keys[i] = key;
	m->n++;
	return false;
}

/* ---- composing a document from parser events --------------------------- */

struct frame {
	int node;     /* collection being filled */
	int key;      /* mapping: key waiting for its value, 0 if none */
	char *anchor; /* registered when the collection ends */
};

struct composer {
	yaml_document_t *doc;
	struct frame *stack;
	size_t depth, cap;
	struct strmap anchors;
	char **names; /* anchor names owned here, borrowed by anchors */
	size_t nnames;
};

static void composer_free(struct composer *c)
{
	for (size_t i = 0; i < c->depth; i++)
		free(c->stack[i].anchor);
	for (size_t i = 0; i < c->nnames; i++)
		free(c->names[i]);
	free(c->stack);
	free(c->names);
	strmap_free(&c->anchors);
}

static void register_anchor(struct composer *c, char *name, int node)
{
	if (name == NULL)
		return;
	c->names = k8c_xrealloc(c->names, (c->nnames + 1) * sizeof(*c->names));
	c->names[c->nnames++] = name;
	strmap_put(&c->anchors, name, node); /* a redefinition wins */
}

static void set_marks(yaml_document_t *doc, int id, const yaml_event_t *ev)
{
	doc->nodes.start[id - 1].start_mark = ev->start_mark;
	doc->nodes.start[id - 1].end_mark = ev->end_mark;
}

/* Hang node id under the collection on top of the stack. */
static int attach(struct composer *c, int id, k8c_error_t *err)
{
	struct frame *f;
	int ok = 1;

	if (c->depth == 0)
		return 0; /* the root */
	f = &c->stack[c->depth - 1];
	if (c->doc->nodes.start[f->node - 1].type == YAML_SEQUENCE_NODE) {
		ok = yaml_document_append_sequence_item(c->doc, f->node, id);
	} else if (f->key == 0) {
		f->key = id;
	} else {
		ok = yaml_document_append_mapping_pair(c->doc, f->node, f->key, id);
		f->key = 0;
	}
	return ok ? 0 : k8c_error_make(err, K8C_ENOMEM, "yaml: out of memory");
}

static int push(struct composer *c, int id, const yaml_char_t *anchor,
                const yaml_event_t *ev, k8c_error_t *err)
{
	if (c->depth >= K8C_YAML_MAX_DEPTH)
		return error_at(err, K8C_ETOOLARGE, ev->start_mark,
		                "nesting deeper than %d levels", K8C_YAML_MAX_DEPTH);
	if (c->depth == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 16;
		c->stack = k8c_xrealloc(c->stack, c->cap * sizeof(*c->stack));
	}
	c->stack[c->depth++] = (struct frame){
		id, 0, anchor ? k8c_xstrdup((const char *)anchor) : NULL
	};
	return 0;
}

/* An explicit !!str or the non-specific "!" makes a plain scalar a string;
 * we record that as a quoted style since the tag alone cannot tell it from
 * an untagged plain scalar once in a yaml_document_t. */
static int add_scalar(struct composer *c, const yaml_event_t *ev,
                      k8c_error_t *err)
{
	const char *tag = (const char *)ev->data.scalar.tag;
	yaml_scalar_style_t style = ev->data.scalar.style;
	int id;

	if (tag != NULL && (strcmp(tag, "!") == 0 ||
	                    strcmp(tag, YAML_STR_TAG) == 0)) {
		if (style == YAML_PLAIN_SCALAR_STYLE || style == YAML_ANY_SCALAR_STYLE)
			style = YAML_SINGLE_QUOTED_SCALAR_STYLE;
		tag = NULL;
	}
	if (ev->data.scalar.length > INT32_MAX)
		return error_at(err, K8C_ETOOLARGE, ev->start_mark, "scalar too long");
	id = yaml_document_add_scalar(c->doc, (const yaml_char_t *)tag,
	                              ev->data.scalar.value,
	                              (int)ev->data.scalar.length, style);
	if (id == 0)
		return error_at(err, K8C_EINVAL, ev->start_mark, "invalid scalar");
	set_marks(c->doc, id, ev);
	register_anchor(c, ev->data.scalar.anchor
	                       ? k8c_xstrdup((char *)ev->data.scalar.anchor) : NULL, id);
	return attach(c, id, err);
}

static int compose_event(struct composer *c, const yaml_event_t *ev,
                         k8c_error_t *err)
{
	int id, *target;

	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		return add_scalar(c, ev, err);
	case YAML_ALIAS_EVENT:
		target = strmap_get(&c->anchors, (const char *)ev->data.alias.anchor);
		if (target == NULL)
			return error_at(err, K8C_EINVAL, ev->start_mark,
			                "found undefined alias \"%s\"",
			                (const char *)ev->data.alias.anchor);
		return attach(c, *target, err);
	case YAML_SEQUENCE_START_EVENT:
		id = yaml_document_add_sequence(c->doc, ev->data.sequence_start.tag,
		                                ev->data.sequence_start.style);
		if (id == 0)
			return error_at(err, K8C_EINVAL, ev->start_mark, "invalid sequence");
		set_marks(c->doc, id, ev);
		if (attach(c, id, err) < 0)
			return -K8C_ENOMEM;
		return push(c, id, ev->data.sequence_start.anchor, ev, err);
	case YAML_MAPPING_START_EVENT:
		id = yaml_document_add_mapping(c->doc, ev->data.mapping_start.tag,
		                               ev->data.mapping_start.style);
		if (id == 0)
			return error_at(err, K8C_EINVAL, ev->start_mark, "invalid mapping");
		set_marks(c->doc, id, ev);
		if (attach(c, id, err) < 0)
			return -K8C_ENOMEM;
		return push(c, id, ev->data.mapping_start.anchor, ev, err);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT: {
		struct frame f = c->stack[--c->depth];

		c->doc->nodes.start[f.node - 1].end_mark = ev->end_mark;
		register_anchor(c, f.anchor, f.node);
		return 0;
	}
	default:
		return 0;
	}
}

static int load_document(yaml_parser_t *parser, const char *buf, size_t len,
                         yaml_document_t *doc, k8c_error_t *err)
{
	struct composer c = { .doc = doc };
	yaml_event_t ev;
	int ret = 0;

	memset(doc, 0, sizeof(*doc));
	for (;;) {
		if (!yaml_parser_parse(parser, &ev)) {
			ret = parser_error(parser, buf, len, err);
			break;
		}
		/* after the stream's end libyaml only gives empty events */
		if (ev.type == YAML_STREAM_END_EVENT || ev.type == YAML_NO_EVENT) {
			yaml_event_delete(&ev);
			ret = 0;
			break;
		}
		if (ev.type == YAML_DOCUMENT_START_EVENT) {
			if (!yaml_document_initialize(doc, NULL, NULL, NULL,
			                              ev.data.document_start.implicit, 1)) {
				yaml_event_delete(&ev);
				ret = k8c_error_make(err, K8C_ENOMEM, "yaml: out of memory");
				break;
			}
			doc->start_mark = ev.start_mark;
		} else if (ev.type == YAML_DOCUMENT_END_EVENT) {
			doc->end_mark = ev.end_mark;
			doc->end_implicit = ev.data.document_end.implicit;
			yaml_event_delete(&ev);
			ret = 1;
			break;
		} else {
			ret = compose_event(&c, &ev, err);
		}
		yaml_event_delete(&ev);
		if (ret < 0)
			break;
	}
	composer_free(&c);
	if (ret <= 0) {
		yaml_document_delete(doc);
		memset(doc, 0, sizeof(*doc));
	}
	return ret;
}

int k8c_yaml_load_document(yaml_parser_t *parser, yaml_document_t *doc,
                           k8c_error_t *err)
{
	return load_document(parser, NULL, 0, doc, err);
}

/* ---- scalar resolution (YAML 1.2 core schema) --------------------------- */

enum kind { K_STRING, K_NULL, K_BOOL, K_INT, K_FLOAT, K_INFNAN };

static bool is_one_of(const char *s, const char *const *words)
{
	for (; *words != NULL; words++)
		if (strcmp(s, *words) == 0)
			return true;
	return false;
}

static const char *const null_words[] = { "", "~", "null", "Null", "NULL", NULL };
static const char *const true_words[] = { "true", "True", "TRUE", NULL };
static const char *const false_words[] = { "false", "False", "FALSE", NULL };
static const char *const infnan_words[] = {
	".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf",
	"-.INF", ".nan", ".NaN", ".NAN", NULL
};

#define DIGITS "0123456789"

static enum kind classify(const char *s)
{
	const char *p = s;
	size_t n;

	if (is_one_of(s, null_words))
		return K_NULL;
	if (is_one_of(s, true_words) || is_one_of(s, false_words))
		return K_BOOL;
	if (is_one_of(s, infnan_words))
		return K_INFNAN;
	if (s[0] == '0' && s[1] == 'x' && s[2] && !s[2 + strspn(s + 2, DIGITS "abcdefABCDEF")])
		return K_INT;
	if (s[0] == '0' && s[1] == 'o' && s[2] && !s[2 + strspn(s + 2, "01234567")])
		return K_INT;
	if (*p == '-' || *p == '+')
		p++;
	n = strspn(p, DIGITS);
	if (n > 0 && p[n] == '\0')
		return K_INT;
	if (p[n] == '.') { /* [0-9]*.[0-9]* with a digit somewhere */
		size_t m = strspn(p + n + 1, DIGITS);

		if (n + m == 0)
			return K_STRING;
		p += n + 1 + m;
	} else if (n == 0) {
		return K_STRING;
	} else {
		p += n;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '-' || *p == '+')
			p++;
		n = strspn(p, DIGITS);
		if (n == 0)
			return K_STRING;
		p += n;
	}
	return *p == '\0' ? K_FLOAT : K_STRING;
}

bool k8c_yaml_plain_is_string(const char *s)
{
	return classify(s) == K_STRING;
}

static cJSON *checked(cJSON *j)
{
	if (j == NULL)
		k8c_die("out of memory building JSON");
	return j;
}

/* A decimal integer: a double up to 15 digits, its exact digits (a raw
 * item) from 16 digits on: beyond 2^53 a double cannot hold them, and
 * cJSON prints numbers with 15 significant digits only. */
static cJSON *decimal_json(const char *s)
{
	bool neg = *s == '-';
	const char *d = s + (*s == '-' || *s == '+');

	while (d[0] == '0' && d[1] != '\0')
		d++;
	if (strlen(d) <= K8C_YAML_RAW_DIGITS - 1)
		return checked(cJSON_CreateNumber(strtod(s, NULL)));
	_cleanup_free_ char *raw = k8c_xasprintf("%s%s", neg ? "-" : "", d);
	return checked(cJSON_CreateRaw(raw));
}

static int number_json(const yaml_node_t *node, const char *s, enum kind k,
                       cJSON **out, k8c_error_t *err)
{
	double d;

	if (k == K_INFNAN)
		return error_at(err, K8C_EINVAL, node->start_mark,
		                "%s cannot be represented in JSON", s);
	if (k == K_INT && s[0] == '0' && (s[1] == 'x' || s[1] == 'o')) {
		unsigned long long v;

		errno = 0;
		v = strtoull(s + 2, NULL, s[1] == 'x' ? 16 : 8);
		if (errno == ERANGE)
			return error_at(err, K8C_EINVAL, node->start_mark,
			                "integer %s out of range", s);
		if (v < K8C_YAML_RAW_MIN) {
			*out = checked(cJSON_CreateNumber((double)v));
		} else {
			char raw[32];

			snprintf(raw, sizeof(raw), "%llu", v);
			*out = checked(cJSON_CreateRaw(raw));
		}
		return 0;
	}
	if (k == K_INT) {
		*out = decimal_json(s);
		return 0;
	}
	d = strtod(s, NULL);
	if (isinf(d))
		return error_at(err, K8C_EINVAL, node->start_mark,
		                "number %s out of range", s);
	*out = checked(cJSON_CreateNumber(d));
	return 0;
}

static bool is_plain_untagged(const yaml_node_t *node)
{
	return (node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE ||
	        node->data.scalar.style == YAML_ANY_SCALAR_STYLE) &&
	       (node->tag == NULL ||
	        strcmp((const char *)node->tag, YAML_DEFAULT_SCALAR_TAG) == 0);
}

static int scalar_json(const yaml_node_t *node, cJSON **out, k8c_error_t *err)
{
	const char *s = (const char *)node->data.scalar.value;
	const char *tag = node->tag ? (const char *)node->tag : YAML_STR_TAG;
	enum kind k;

	if (strlen(s) != node->data.scalar.length)
		return error_at(err, K8C_EINVAL, node->start_mark,
		                "NUL character in a scalar is not supported");
	if (is_plain_untagged(node))
		k = classify(s);
	else if (strcmp(tag, YAML_INT_TAG) == 0 || strcmp(tag, YAML_FLOAT_TAG) == 0 ||
	         strcmp(tag, YAML_BOOL_TAG) == 0 || strcmp(tag, YAML_NULL_TAG) == 0)
		k = classify(s);
	else if (strcmp(tag, YAML_MAP_TAG) == 0 || strcmp(tag, YAML_SEQ_TAG) == 0)
		return error_at(err, K8C_EINVAL, node->start_mark,
		                "%s tag on a scalar", tag);
	else
		k = K_STRING; /* !!str, quoted, and tags we do not know */

	if (strcmp(tag, YAML_INT_TAG) == 0 && k != K_INT)
		return error_at(err, K8C_EINVAL, node->start_mark,
		                "invalid !!int value \"%s\"", s);
	if (strcmp(tag, YAML_FLOAT_TAG) == 0) {
		if (k != K_INT && k != K_FLOAT && k != K_INFNAN)
			return error_at(err, K8C_EINVAL, node->start_mark,
			                "invalid !!float value \"%s\"", s);
		if (k == K_INT && s[0] == '0' && (s[1] == 'x' || s[1] == 'o'))
			return error_at(err, K8C_EINVAL, node->start_mark,
			                "invalid !!float value \"%s\"", s);
		if (k == K_INT)
			k = K_FLOAT;
	}
	if ((strcmp(tag, YAML_BOOL_TAG) == 0 && k != K_BOOL) ||
	    (strcmp(tag, YAML_NULL_TAG) == 0 && k != K_NULL))
		return error_at(err, K8C_EINVAL, node->start_mark,
		                "invalid %s value \"%s\"", tag, s);

	switch (k) {
	case K_NULL:
		*out = checked(cJSON_CreateNull());
		return 0;
	case K_BOOL:
		*out = checked(cJSON_CreateBool(s[0] == 't' || s[0] == 'T'));
		return 0;
	case K_INT:
	case K_FLOAT:
	case K_INFNAN:
		return number_json(node, s, k, out, err);
	default:
		*out = checked(cJSON_CreateString(s));
		return 0;
	}
}

/* ---- node -> cJSON ------------------------------------------------------ */

struct conv {
	yaml_document_t *doc;
	unsigned char *visiting; /* per node: on the current path */
	size_t produced, limit;
	k8c_error_t *err;
};

static int node_json(struct conv *cv, yaml_node_t *node, int depth, cJSON **out);

static yaml_node_t *node_by_id(struct conv *cv, int id)
{
	return yaml_document_get_node(cv->doc, id);
}

static bool is_merge_key(const yaml_node_t *key)
{
	if (key->type != YAML_SCALAR_NODE)
		return false;
	if (key->tag != NULL && strcmp((const char *)key->tag, MERGE_TAG) == 0)
		return true;
	return is_plain_untagged(key) &&
	       strcmp((const char *)key->data.scalar.value, "<<") == 0;
}

/* Add the pairs of mapping src that obj does not have yet. */
static int merge_from(struct conv *cv, cJSON *obj, struct strmap *keys,
                      yaml_node_t *src, yaml_mark_t at, int depth)
{
	cJSON *m = NULL, *item;
	int ret;

	if (src == NULL || src->type != YAML_MAPPING_NODE)
		return error_at(cv->err, K8C_EINVAL, at,
		                "merge key value must be a mapping or a list of mappings");
	ret = node_json(cv, src, depth, &m);
	if (ret < 0)
		return ret;
	while ((item = m->child) != NULL) {
		cJSON_DetachItemViaPointer(m, item);
		if (strmap_get(keys, item->string) != NULL) {
			cJSON_Delete(item);
			continue;
		}
		cJSON_AddItemToArray(obj, item); /* keeps item->string */
		strmap_put(keys, item->string, 0);
	}
	cJSON_Delete(m);
	return 0;
}

static int mapping_pairs(struct conv *cv, yaml_node_t *node, cJSON *obj,
                         struct strmap *keys, int depth)
{
	yaml_node_pair_t *pair;
	yaml_node_pair_t *merge = NULL;
	int ret;

	for (pair = node->data.mapping.pairs.start;
	     pair < node->data.mapping.pairs.top; pair++) {
		yaml_node_t *k = node_by_id(cv, pair->key);
		cJSON *val = NULL;
		const char *name;

		if (k == NULL || node_by_id(cv, pair->value) == NULL)
			return k8c_error_make(cv->err, K8C_EINTERNAL, "yaml: dangling node");
		if (is_merge_key(k)) {
			if (merge != NULL)
				return error_at(cv->err, K8C_EINVAL, k->start_mark,
				                "duplicate merge key");
			merge = pair;
			continue;
		}
		if (k->type != YAML_SCALAR_NODE)
			return error_at(cv->err, K8C_EINVAL, k->start_mark,
			                "mapping key must be a scalar");
		name = (const char *)k->data.scalar.value;
		if (strlen(name) != k->data.scalar.length)
			return error_at(cv->err, K8C_EINVAL, k->start_mark,
			                "NUL character in a key is not supported");
		if (strmap_get(keys, name) != NULL)
			return error_at(cv->err, K8C_EINVAL, k->start_mark,
			                "duplicate key \"%s\"", name);
		ret = node_json(cv, node_by_id(cv, pair->value), depth, &val);
		if (ret < 0)
			return ret;
		if (!cJSON_AddItemToObject(obj, name, val)) /* copies name */
			k8c_die("out of memory building JSON");
		strmap_put(keys, val->string, 0);
	}
	if (merge != NULL) {
		yaml_node_t *v = node_by_id(cv, merge->value);
		yaml_mark_t at = node_by_id(cv, merge->key)->start_mark;

		if (v->type != YAML_SEQUENCE_NODE)
			return merge_from(cv, obj, keys, v, at, depth);
		for (yaml_node_item_t *it = v->data.sequence.items.start;
		     it < v->data.sequence.items.top; it++) {
			ret = merge_from(cv, obj, keys, node_by_id(cv, *it), at, depth);
			if (ret < 0)
				return ret;
		}
	}
	return 0;
}

static int node_json(struct conv *cv, yaml_node_t *node, int depth, cJSON **out)
{
	size_t idx = (size_t)(node - cv->doc->nodes.start);
	_cleanup_json_ cJSON *j = NULL;
	int ret = 0;

	*out = NULL;
	if (depth >= K8C_YAML_MAX_DEPTH)
		return error_at(cv->err, K8C_ETOOLARGE, node->start_mark,
		                "nesting deeper than %d levels", K8C_YAML_MAX_DEPTH);
	if (++cv->produced > cv->limit)
		return error_at(cv->err, K8C_ETOOLARGE, node->start_mark,
		                "document expands to more than %zu nodes (alias bomb?)",
		                cv->limit);
	if (node->type == YAML_SCALAR_NODE)
		return scalar_json(node, out, cv->err);
	if (cv->visiting[idx])
		return error_at(cv->err, K8C_EINVAL, node->start_mark,
		                "recursive alias");
	cv->visiting[idx] = 1;
	if (node->type == YAML_SEQUENCE_NODE) {
		j = checked(cJSON_CreateArray());
		for (yaml_node_item_t *it = node->data.sequence.items.start;
		     ret >= 0 && it < node->data.sequence.items.top; it++) {
			yaml_node_t *child = node_by_id(cv, *it);
			cJSON *c = NULL;

			if (child == NULL)
				ret = k8c_error_make(cv->err, K8C_EINTERNAL, "yaml: dangling node");
			else
				ret = node_json(cv, child, depth + 1, &c);
			if (ret >= 0)
				cJSON_AddItemToArray(j, c);
		}
	} else if (node->type == YAML_MAPPING_NODE) {
		struct strmap keys = { 0 };

		j = checked(cJSON_CreateObject());
		ret = mapping_pairs(cv, node, j, &keys, depth + 1);
		strmap_free(&keys);
	} else {
		ret = k8c_error_make(cv->err, K8C_EINTERNAL, "yaml: empty node");
	}
	cv->visiting[idx] = 0;
	if (ret < 0)
		return ret;
	*out = K8C_STEAL(j);
	return 0;
}

int k8c_yaml_node_to_json(yaml_document_t *doc, yaml_node_t *node,
                          struct cJSON **out, k8c_error_t *err)
{
	size_t n = (size_t)(doc->nodes.top - doc->nodes.start);
	struct conv cv = { doc, NULL, 0, n + K8C_YAML_MAX_ALIAS_NODES, err };
	int ret;

	*out = NULL;
	if (node == NULL) {
		*out = checked(cJSON_CreateNull());
		return 0;
	}
	if (node < doc->nodes.start || node >= doc->nodes.top)
		return k8c_error_make(err, K8C_EINVAL, "yaml: node not in document");
	cv.visiting = k8c_xcalloc(n, 1);
	ret = node_json(&cv, node, 0, out);
	free(cv.visiting);
	return ret;
}

/* ---- parsing ------------------------------------------------------------- */

static int doc_json(yaml_document_t *doc, cJSON **out, k8c_error_t *err)
{
	return k8c_yaml_node_to_json(doc, yaml_document_get_root_node(doc), out, err);
}

int k8c_yaml_parse(const char *buf, size_t len, struct cJSON **out,
                   k8c_error_t *err)
{
	yaml_parser_t parser;
	yaml_document_t doc, extra;
	int ret;

	*out = NULL;
	if (!yaml_parser_initialize(&parser))
		return k8c_error_make(err, K8C_ENOMEM, "yaml: out of memory");
	yaml_parser_set_input_string(&parser, (const unsigned char *)(buf ? buf : ""), len);
	ret = load_document(&parser, buf, len, &doc, err);
	if (ret == 0)
		*out = checked(cJSON_CreateNull());
	if (ret <= 0)
		goto out;
	ret = load_document(&parser, buf, len, &extra, err);
	if (ret > 0) {
		ret = error_at(err, K8C_EINVAL, extra.start_mark,
		               "expected a single document, found another");
		yaml_document_delete(&extra);
	}
	if (ret == 0)
		ret = doc_json(&doc, out, err);
	yaml_document_delete(&doc);
out:
	yaml_parser_delete(&parser);
	return ret < 0 ? ret : 0;
}

int k8c_yaml_parse_stream(const char *buf, size_t len, struct cJSON **out,
                          k8c_error_t *err)
{
	_cleanup_json_ cJSON *all = checked(cJSON_CreateArray());
	yaml_parser_t parser;
	yaml_document_t doc;
	int ret;

	*out = NULL;
	if (!yaml_parser_initialize(&parser))
		return k8c_error_make(err, K8C_ENOMEM, "yaml: out of memory");
	yaml_parser_set_input_string(&parser, (const unsigned char *)(buf ? buf : ""), len);
	while ((ret = load_document(&parser, buf, len, &doc, err)) > 0) {
		cJSON *j = NULL;

		ret = doc_json(&doc, &j, err);
		yaml_document_delete(&doc);
		if (ret < 0)
			break;
		if (cJSON_IsNull(j))
			cJSON_Delete(j); /* an empty document, skipped like kubectl */
		else
			cJSON_AddItemToArray(all, j);
	}
	yaml_parser_delete(&parser);
	if (ret < 0)
		return ret;
	*out = K8C_STEAL(all);
	return 0;
}
