/* The API schema: the registry of named types, resolution of type
 * references and embedded structs, and the read-only look-ups of schema.h.
 * The text language itself is parsed by schema_parse.c. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "apiserver/schema/internal.h"
#include "common/mem.h"

struct schema_state *k8c_schema_state;

/* --- arena ------------------------------------------------------------------ */

struct schema_arena_chunk {
	struct schema_arena_chunk *next;
	size_t used, size;
	max_align_t data[];
};

#define ARENA_CHUNK (64 * 1024)

void *k8c_schema_alloc(struct schema_state *st, size_t size)
{
	struct schema_arena_chunk *c = st->chunks;
	size_t align = _Alignof(max_align_t);
	void *p;

	size = (size + align - 1) & ~(align - 1);
	if (c == NULL || c->size - c->used < size) {
		size_t n = size > ARENA_CHUNK ? size : ARENA_CHUNK;

		c = k8c_xmalloc(sizeof(*c) + n);
		c->next = st->chunks;
		c->used = 0;
		c->size = n;
		st->chunks = c;
	}
	p = (char *)c->data + c->used;
	c->used += size;
	memset(p, 0, size);
	return p;
}

char *k8c_schema_strndup(struct schema_state *st, const char *s, size_t n)
{
	char *p = k8c_schema_alloc(st, n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *k8c_schema_strdup(struct schema_state *st, const char *s)
{
	return k8c_schema_strndup(st, s, strlen(s));
}

static void state_free(struct schema_state *st)
{
	if (st == NULL)
		return;
	while (st->chunks != NULL) {
		struct schema_arena_chunk *c = st->chunks;

		st->chunks = c->next;
		free(c);
	}
	free(st->table);
	free(st);
}

/* --- the type table ----------------------------------------------------------- */

static uint64_t hash_name(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static void table_insert(struct schema_state *st, struct schema_type *t)
{
	size_t mask = st->table_size - 1;
	size_t i = hash_name(t->name) & mask;

	while (st->table[i] != NULL)
		i = (i + 1) & mask;
	st->table[i] = t;
}

struct schema_type *k8c_schema_lookup(const struct schema_state *st, const char *name)
{
	size_t mask, i;

	if (st == NULL || st->table_size == 0 || name == NULL)
		return NULL;
	mask = st->table_size - 1;
	for (i = hash_name(name) & mask; st->table[i] != NULL; i = (i + 1) & mask)
		if (strcmp(st->table[i]->name, name) == 0)
			return st->table[i];
	return NULL;
}

int k8c_schema_add_type(struct schema_state *st, struct schema_type *t, k8c_error_t *err)
{
	struct schema_type *old = k8c_schema_lookup(st, t->name);

	if (old != NULL)
		return k8c_error_make(err, K8C_EEXIST, "%s:%d: type %s is already defined at %s:%d",
		                      t->file, t->line, t->short_name, old->file, old->line);
	if ((st->n_types + 1) * 2 > st->table_size) {
		struct schema_type **old_table = st->table;
		size_t old_size = st->table_size;

		st->table_size = old_size ? old_size * 2 : 256;
		st->table = k8c_xcalloc(st->table_size, sizeof(*st->table));
		for (size_t i = 0; i < old_size; i++)
			if (old_table[i] != NULL)
				table_insert(st, old_table[i]);
		free(old_table);
	}
	table_insert(st, t);
	st->n_types++;
	if (st->types_tail != NULL)
		st->types_tail->next = t;
	else
		st->types = t;
	st->types_tail = t;
	return 0;
}

/* --- resolution ----------------------------------------------------------------- */

static const struct schema_gv *gv_by_alias(const struct schema_state *st, const char *alias,
                                           size_t len)
{
	for (const struct schema_gv *gv = st->gvs; gv != NULL; gv = gv->next)
		if (strlen(gv->alias) == len && strncmp(gv->alias, alias, len) == 0)
			return gv;
	return NULL;
}

/* The type a reference names: "Container" (the file's package),
 * "meta.ObjectMeta" (a package alias) or a full name with two dots or more. */
static struct schema_type *resolve_name(const struct schema_state *st, const char *ref,
                                        const struct schema_gv *scope, k8c_error_t *err,
                                        const char *file, int line)
{
	const char *dot = strchr(ref, '.');
	struct schema_type *t;
	char buf[512];

	if (dot == NULL) {
		snprintf(buf, sizeof(buf), "%s.%s", scope->package, ref);
		t = k8c_schema_lookup(st, buf);
	} else if (strchr(dot + 1, '.') == NULL) {
		const struct schema_gv *gv = gv_by_alias(st, ref, (size_t)(dot - ref));

		if (gv == NULL) {
			k8c_error_make(err, K8C_EINVAL, "%s:%d: unknown package \"%.*s\" in type \"%s\"",
			               file, line, (int)(dot - ref), ref, ref);
			return NULL;
		}
		snprintf(buf, sizeof(buf), "%s.%s", gv->package, dot + 1);
		t = k8c_schema_lookup(st, buf);
	} else {
		t = k8c_schema_lookup(st, ref);
	}
	if (t == NULL)
		k8c_error_make(err, K8C_EINVAL, "%s:%d: unknown type \"%s\"", file, line, ref);
	return t;
}

/* Resolve the named types of a node (and of its items).  A reference to an
 * alias takes the aliased kind, and its items for lists and maps. */
static int resolve_node(struct schema_state *st, k8c_schema_node_t *n, int embed,
                        k8c_error_t *err)
{
	if (n->items != NULL)
		return resolve_node(st, n->items, 0, err);
	if (n->ref != NULL) {
		struct schema_type *t = resolve_name(st, n->ref, n->scope, err, n->file, n->line);

		if (t == NULL)
			return -K8C_EINVAL;
		n->type = t;
		n->kind = t->node.kind;
		n->fmt = t->node.fmt;
		n->items = t->node.items;
		if (!embed)
			t->referenced = 1;
	}
	return 0;
}

static int add_flat(struct schema_state *st, struct schema_type *t, size_t *cap,
                    const struct schema_field *f, const char *via, k8c_error_t *err)
{
	for (size_t i = 0; i < t->n_fields; i++)
		if (strcmp(t->fields[i].name, f->name) == 0)
			return k8c_error_make(err, K8C_EEXIST, "%s:%d: field %s of %s is already defined",
			                      f->file, f->line, f->name, t->short_name);
	if (t->n_fields == *cap) {
		struct schema_field *n;

		*cap = *cap ? *cap * 2 : 16;
		n = k8c_schema_alloc(st, *cap * sizeof(*n));
		if (t->n_fields > 0)
			memcpy(n, t->fields, t->n_fields * sizeof(*n));
		t->fields = n;
	}
	t->fields[t->n_fields] = *f;
	t->fields[t->n_fields].via = via;
	t->n_fields++;
	return 0;
}

static int cmp_field(const void *a, const void *b)
{
	const struct schema_field *fa = *(const struct schema_field *const *)a;
	const struct schema_field *fb = *(const struct schema_field *const *)b;

	return strcmp(fa->name, fb->name);
}

/* Does the OBJECT type of an array's items have this field? */
static int items_have_field(const k8c_schema_node_t *arr, const char *name)
{
	const k8c_schema_node_t *it = arr->items;

	if (it == NULL || it->kind != K8C_SCHEMA_OBJECT)
		return 1; /* primitives: nothing to check */
	return k8c_schema_field(it, name) != NULL;
}

static int check_patch_meta(const struct schema_type *t, const struct schema_field *f,
                            k8c_error_t *err)
{
	const k8c_schema_node_t *n = f->node;

	if (n->atomic && n->kind != K8C_SCHEMA_MAP && n->kind != K8C_SCHEMA_OBJECT)
		return k8c_error_make(err, K8C_EINVAL,
		                      "%s:%d: %s.%s: atomic applies to lists, maps and structs",
		                      f->file, f->line, t->short_name, f->name);

	if (n->kind == K8C_SCHEMA_ARRAY && n->items->kind == K8C_SCHEMA_OBJECT &&
	    (n->strategy & K8C_PATCH_STRATEGY_MERGE) && n->merge_key == NULL)
		return k8c_error_make(err, K8C_EINVAL,
		                      "%s:%d: %s.%s: strategy merge on a list of objects needs merge=KEY",
		                      f->file, f->line, t->short_name, f->name);
	if (n->merge_key != NULL && !items_have_field(n, n->merge_key))
		return k8c_error_make(err, K8C_EINVAL, "%s:%d: %s.%s: merge key \"%s\" is not a field of %s",
		                      f->file, f->line, t->short_name, f->name, n->merge_key,
		                      n->items->type->short_name);
	for (const char *const *k = n->map_keys; k != NULL && *k != NULL; k++)
		if (!items_have_field(n, *k))
			return k8c_error_make(err, K8C_EINVAL,
			                      "%s:%d: %s.%s: list map key \"%s\" is not a field of %s",
			                      f->file, f->line, t->short_name, f->name, *k,
			                      n->items->type->short_name);
	return 0;
}

/* Fields of t in declaration order, embedded structs expanded in place. */
static int flatten(struct schema_state *st, struct schema_type *t, k8c_error_t *err)
{
	size_t cap = 0;
	int ret;

	if (t->state == 2)
		return 0;
	if (t->state == 1)
		return k8c_error_make(err, K8C_EINVAL, "%s:%d: type %s embeds itself", t->file, t->line,
		                      t->short_name);
	t->state = 1;
	for (size_t i = 0; i < t->n_raw; i++) {
		struct schema_field *r = &t->raw[i];

		if (r->name != NULL) {
			ret = add_flat(st, t, &cap, r, NULL, err);
			if (ret < 0)
				return ret;
			continue;
		}
		/* An embedded struct: its node names the type. */
		struct schema_type *e = r->node->type;

		if (e->is_alias)
			return k8c_error_make(err, K8C_EINVAL, "%s:%d: cannot embed %s: not a struct",
			                      r->file, r->line, e->short_name);
		ret = flatten(st, e, err);
		if (ret < 0)
			return ret;
		e->embedded = 1;
		for (size_t j = 0; j < e->n_fields; j++) {
			const struct schema_field *ef = &e->fields[j];
			const char *via = e->short_name;

			if (ef->via != NULL) {
				size_t n = strlen(e->short_name) + strlen(ef->via) + 2;
				char *v = k8c_schema_alloc(st, n);

				snprintf(v, n, "%s.%s", e->short_name, ef->via);
				via = v;
			}
			ret = add_flat(st, t, &cap, ef, via, err);
			if (ret < 0)
				return ret;
		}
	}
	t->by_name = k8c_schema_alloc(st, (t->n_fields + 1) * sizeof(*t->by_name));
	for (size_t i = 0; i < t->n_fields; i++)
		t->by_name[i] = &t->fields[i];
	qsort(t->by_name, t->n_fields, sizeof(*t->by_name), cmp_field);
	t->state = 2;
	return 0;
}

/* --- protobuf numbers ---------------------------------------------------------------- */

_Static_assert((int)K8C_SCHEMA_FORMAT_INT32 == (int)FMT_INT32 &&
               (int)K8C_SCHEMA_FORMAT_INT64 == (int)FMT_INT64 &&
               (int)K8C_SCHEMA_FORMAT_BYTES == (int)FMT_BYTES &&
               (int)K8C_SCHEMA_FORMAT_MICROTIME == (int)FMT_MICROTIME,
               "k8c_schema_format mirrors enum schema_fmt");

static int cmp_pb(const void *a, const void *b)
{
	const struct schema_field *fa = *(const struct schema_field *const *)a;
	const struct schema_field *fb = *(const struct schema_field *const *)b;

	/* Equal numbers (an error) in line order, so the message names the
	 * later line. */
	if (fa->node->pb != fb->node->pb)
		return fa->node->pb < fb->node->pb ? -1 : 1;
	return fa->line < fb->line ? -1 : fa->line > fb->line;
}

static int is_scalar(const k8c_schema_node_t *n)
{
	return n->kind == K8C_SCHEMA_STRING || n->kind == K8C_SCHEMA_INTEGER ||
	       n->kind == K8C_SCHEMA_NUMBER || n->kind == K8C_SCHEMA_BOOLEAN;
}

/* The entries of t with a number, sorted; each number once, pbzero on
 * scalars only. */
static int index_pb(struct schema_state *st, struct schema_type *t, k8c_error_t *err)
{
	size_t n = 0;

	t->by_pb = k8c_schema_alloc(st, (t->n_raw + 1) * sizeof(*t->by_pb));
	for (size_t i = 0; i < t->n_raw; i++) {
		struct schema_field *r = &t->raw[i];

		if (r->node->pbzero && !is_scalar(r->node))
			return k8c_error_make(err, K8C_EINVAL,
			                      "%s:%d: %s.%s: pbzero applies to strings, numbers and booleans",
			                      r->file, r->line, t->short_name, r->name ? r->name : "");
		if (r->node->pb != 0)
			t->by_pb[n++] = r;
	}
	qsort(t->by_pb, n, sizeof(*t->by_pb), cmp_pb);
	for (size_t i = 1; i < n; i++)
		if (t->by_pb[i]->node->pb == t->by_pb[i - 1]->node->pb) {
			const struct schema_field *a = t->by_pb[i - 1], *b = t->by_pb[i];

			return k8c_error_make(err, K8C_EINVAL,
			                      "%s:%d: %s: protobuf field %u is already used by %s (line %d)",
			                      b->file, b->line, t->short_name, b->node->pb,
			                      a->name ? a->name : a->node->type->short_name, a->line);
		}
	t->n_pb = n;
	return 0;
}

static int resolve_all(struct schema_state *st, k8c_error_t *err)
{
	struct schema_type *t;
	int ret;

	/* Type references first (embeds included: their node carries the
	 * reference), so that flattening can follow them.  Aliases resolve
	 * their own target first. */
	for (t = st->types; t != NULL; t = t->next) {
		if (t->is_alias) {
			if (t->node.items != NULL) {
				ret = resolve_node(st, t->node.items, 0, err);
				if (ret < 0)
					return ret;
			}
			continue;
		}
		for (size_t i = 0; i < t->n_raw; i++) {
			ret = resolve_node(st, t->raw[i].node, t->raw[i].name == NULL, err);
			if (ret < 0)
				return ret;
		}
	}
	for (t = st->types; t != NULL; t = t->next) {
		for (size_t i = 0; i < t->n_raw; i++) {
			const struct schema_field *r = &t->raw[i];

			if (r->name == NULL && r->node->kind != K8C_SCHEMA_OBJECT)
				return k8c_error_make(err, K8C_EINVAL, "%s:%d: cannot embed %s: not a struct",
				                      r->file, r->line, r->node->ref);
		}
	}
	for (t = st->types; t != NULL; t = t->next) {
		if (t->is_alias)
			continue;
		ret = flatten(st, t, err);
		if (ret < 0)
			return ret;
	}
	for (t = st->types; t != NULL; t = t->next)
		for (size_t i = 0; i < t->n_fields; i++) {
			ret = check_patch_meta(t, &t->fields[i], err);
			if (ret < 0)
				return ret;
		}
	for (t = st->types; t != NULL; t = t->next) {
		if (t->is_alias)
			continue;
		ret = index_pb(st, t, err);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* --- init / fini ------------------------------------------------------------------ */

int k8c_schema_init_from(const char *const *names, const char *const *texts, size_t n,
                         k8c_error_t *err)
{
	struct schema_state *st = k8c_xcalloc(1, sizeof(*st));
	int ret = 0;

	for (size_t i = 0; i < n && ret == 0; i++)
		ret = k8c_schema_parse(st, names[i], texts[i], err);
	if (ret == 0)
		ret = resolve_all(st, err);
	if (ret < 0) {
		state_free(st);
		return ret;
	}
	k8c_schema_fini();
	k8c_schema_state = st;
	return 0;
}

int k8c_schema_init(k8c_error_t *err)
{
	const char **names, **texts;
	size_t n = 0;
	int ret;

	while (k8c_schema_sources[n].name != NULL)
		n++;
	names = k8c_xcalloc(n + 1, sizeof(*names));
	texts = k8c_xcalloc(n + 1, sizeof(*texts));
	for (size_t i = 0; i < n; i++) {
		names[i] = k8c_schema_sources[i].name;
		texts[i] = k8c_schema_sources[i].text;
	}
	ret = k8c_schema_init_from(names, texts, n, err);
	free(names);
	free(texts);
	return ret;
}

void k8c_schema_fini(void)
{
	k8c_openapi_cache_clear();
	state_free(k8c_schema_state);
	k8c_schema_state = NULL;
}

/* --- look-ups ----------------------------------------------------------------------- */

const k8c_schema_node_t *k8c_schema_type(const char *name)
{
	struct schema_type *t = k8c_schema_lookup(k8c_schema_state, name);

	return t != NULL ? &t->node : NULL;
}

int k8c_schema_kind(const k8c_schema_node_t *node)
{
	return node != NULL ? node->kind : 0;
}

const char *k8c_schema_name(const k8c_schema_node_t *node)
{
	if (node == NULL || node->kind != K8C_SCHEMA_OBJECT || node->type == NULL)
		return NULL;
	return node->type->name;
}

static const struct schema_field *find_field(const k8c_schema_node_t *object, const char *name)
{
	const struct schema_type *t;
	size_t lo = 0, hi;

	if (object == NULL || object->kind != K8C_SCHEMA_OBJECT || name == NULL)
		return NULL;
	t = object->type;
	hi = t->n_fields;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(name, t->by_name[mid]->name);

		if (c == 0)
			return t->by_name[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const k8c_schema_node_t *k8c_schema_field(const k8c_schema_node_t *object, const char *field)
{
	const struct schema_field *f = find_field(object, field);

	return f != NULL ? f->node : NULL;
}

const k8c_schema_node_t *k8c_schema_field_at(const k8c_schema_node_t *object, size_t i,
                                             const char **name)
{
	if (object == NULL || object->kind != K8C_SCHEMA_OBJECT || i >= object->type->n_fields)
		return NULL;
	if (name != NULL)
		*name = object->type->fields[i].name;
	return object->type->fields[i].node;
}

const k8c_schema_node_t *k8c_schema_items(const k8c_schema_node_t *node)
{
	if (node == NULL || (node->kind != K8C_SCHEMA_ARRAY && node->kind != K8C_SCHEMA_MAP))
		return NULL;
	return node->items;
}

unsigned k8c_schema_patch_strategy(const k8c_schema_node_t *node)
{
	return node != NULL ? node->strategy : 0;
}

const char *k8c_schema_merge_key(const k8c_schema_node_t *node)
{
	return node != NULL ? node->merge_key : NULL;
}

int k8c_schema_list_type(const k8c_schema_node_t *node)
{
	return node != NULL ? node->list_type : K8C_LIST_ATOMIC;
}

const char *const *k8c_schema_list_map_keys(const k8c_schema_node_t *node)
{
	if (node == NULL || node->list_type != K8C_LIST_MAP)
		return NULL;
	return node->map_keys;
}

int k8c_schema_atomic(const k8c_schema_node_t *node)
{
	if (node == NULL)
		return 0;
	if (node->kind == K8C_SCHEMA_ARRAY)
		return node->list_type == K8C_LIST_ATOMIC;
	if (node->kind == K8C_SCHEMA_OBJECT)
		return node->atomic || node->type->atomic;
	return node->kind == K8C_SCHEMA_MAP && node->atomic;
}

int k8c_schema_required(const k8c_schema_node_t *object, const char *field)
{
	const struct schema_field *f = find_field(object, field);

	return f != NULL && f->required;
}

const char *k8c_schema_description(const k8c_schema_node_t *node)
{
	if (node == NULL)
		return "";
	if (node->description != NULL && node->description[0] != '\0')
		return node->description;
	if (node->type != NULL && node->type->description != NULL)
		return node->type->description;
	return "";
}

int k8c_schema_format(const k8c_schema_node_t *node)
{
	return node != NULL ? node->fmt : K8C_SCHEMA_FORMAT_NONE;
}

unsigned k8c_schema_pb_number(const k8c_schema_node_t *node)
{
	return node != NULL ? node->pb : 0;
}

int k8c_schema_pb_keep_zero(const k8c_schema_node_t *node)
{
	return node != NULL && node->pbzero;
}

const k8c_schema_node_t *k8c_schema_pb_field(const k8c_schema_node_t *object, unsigned num,
                                             const char **name)
{
	const struct schema_type *t;
	size_t lo = 0, hi;

	if (object == NULL || object->kind != K8C_SCHEMA_OBJECT || object->type == NULL)
		return NULL;
	t = object->type;
	hi = t->n_pb;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		unsigned n = t->by_pb[mid]->node->pb;

		if (n == num) {
			if (name != NULL)
				*name = t->by_pb[mid]->name;
			return t->by_pb[mid]->node;
		}
		if (num < n)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

int k8c_schema_has_proto(const k8c_schema_node_t *object)
{
	return object != NULL && object->kind == K8C_SCHEMA_OBJECT && object->type != NULL &&
	       !object->type->noproto;
}

/* --- Go type names, for decode errors ------------------------------------------------ */

const char *k8c_schema_builtin_ref(const k8c_schema_node_t *node)
{
	switch (node->kind) {
	case K8C_SCHEMA_INT_OR_STRING:
		return "io.k8s.apimachinery.pkg.util.intstr.IntOrString";
	case K8C_SCHEMA_QUANTITY:
		return "io.k8s.apimachinery.pkg.api.resource.Quantity";
	case K8C_SCHEMA_TIME:
		return node->fmt == FMT_MICROTIME ? "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime"
		                                  : "io.k8s.apimachinery.pkg.apis.meta.v1.Time";
	case K8C_SCHEMA_ANY:
		return "io.k8s.apimachinery.pkg.runtime.RawExtension";
	default:
		return NULL;
	}
}

void k8c_schema_go_type(const k8c_schema_node_t *node, char *buf, size_t len)
{
	char inner[256];

	if (node->go_type != NULL) {
		snprintf(buf, len, "%s", node->go_type);
		return;
	}
	if (node->type != NULL) {
		snprintf(buf, len, "%s.%s", node->type->go_pkg, node->type->short_name);
		return;
	}
	switch (node->kind) {
	case K8C_SCHEMA_STRING:
		snprintf(buf, len, "%s", node->fmt == FMT_BYTES ? "[]uint8" : "string");
		break;
	case K8C_SCHEMA_INTEGER:
		snprintf(buf, len, "%s", node->fmt == FMT_INT32 ? "int32" : "int64");
		break;
	case K8C_SCHEMA_NUMBER:
		snprintf(buf, len, "float64");
		break;
	case K8C_SCHEMA_BOOLEAN:
		snprintf(buf, len, "bool");
		break;
	case K8C_SCHEMA_ARRAY:
		k8c_schema_go_type(node->items, inner, sizeof(inner));
		snprintf(buf, len, "[]%s", inner);
		break;
	case K8C_SCHEMA_MAP:
		k8c_schema_go_type(node->items, inner, sizeof(inner));
		snprintf(buf, len, "map[string]%s", inner);
		break;
	case K8C_SCHEMA_INT_OR_STRING:
		snprintf(buf, len, "intstr.IntOrString");
		break;
	case K8C_SCHEMA_QUANTITY:
		snprintf(buf, len, "resource.Quantity");
		break;
	case K8C_SCHEMA_TIME:
		snprintf(buf, len, "%s", node->fmt == FMT_MICROTIME ? "v1.MicroTime" : "v1.Time");
		break;
	default:
		snprintf(buf, len, "runtime.RawExtension");
		break;
	}
}
