/* The schema language (core/apiserver/schema/README.md): one line per
 * statement, fields indented under their type, "# text" at the end of a
 * line is the description kubectl explain shows.  Errors name file:line. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "apiserver/schema/internal.h"
#include "common/mem.h"

#define MAX_TOKENS 24

struct parser {
	struct schema_state *st;
	const char *file;
	int line;
	struct schema_gv *gv;      /* this file's header */
	struct schema_type *cur;   /* type whose fields follow */
	k8c_error_t *err;
};

__attribute__((format(printf, 2, 3)))
static int fail(struct parser *p, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return k8c_error_make(p->err, K8C_EINVAL, "%s:%d: %s", p->file, p->line, msg);
}

static const struct {
	const char *name;
	int kind, fmt;
} builtins[] = {
	{ "string", K8C_SCHEMA_STRING, FMT_NONE },
	{ "bytes", K8C_SCHEMA_STRING, FMT_BYTES },
	{ "int32", K8C_SCHEMA_INTEGER, FMT_INT32 },
	{ "int64", K8C_SCHEMA_INTEGER, FMT_INT64 },
	{ "integer", K8C_SCHEMA_INTEGER, FMT_INT64 },
	{ "number", K8C_SCHEMA_NUMBER, FMT_NONE },
	{ "boolean", K8C_SCHEMA_BOOLEAN, FMT_NONE },
	{ "intorstring", K8C_SCHEMA_INT_OR_STRING, FMT_NONE },
	{ "quantity", K8C_SCHEMA_QUANTITY, FMT_NONE },
	{ "time", K8C_SCHEMA_TIME, FMT_NONE },
	{ "microtime", K8C_SCHEMA_TIME, FMT_MICROTIME },
	{ "any", K8C_SCHEMA_ANY, FMT_NONE },
};

static int is_ident(const char *s, int dots)
{
	if (!isalpha((unsigned char)*s))
		return 0;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && !(dots && *s == '.'))
			return 0;
	return 1;
}

static k8c_schema_node_t *new_node(struct parser *p)
{
	k8c_schema_node_t *n = k8c_schema_alloc(p->st, sizeof(*n));

	n->description = "";
	n->scope = p->gv;
	n->file = p->file;
	n->line = p->line;
	return n;
}

/* A type expression: builtin, []T, map[string]T, Name, alias.Name, full.Name. */
static k8c_schema_node_t *parse_type(struct parser *p, const char *s)
{
	k8c_schema_node_t *n = new_node(p);

	if (strncmp(s, "[]", 2) == 0) {
		n->kind = K8C_SCHEMA_ARRAY;
		n->items = parse_type(p, s + 2);
		return n->items != NULL ? n : NULL;
	}
	if (strncmp(s, "map[", 4) == 0) {
		if (strncmp(s, "map[string]", 11) != 0) {
			fail(p, "maps have string keys: \"%s\"", s);
			return NULL;
		}
		n->kind = K8C_SCHEMA_MAP;
		n->items = parse_type(p, s + 11);
		return n->items != NULL ? n : NULL;
	}
	for (size_t i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++)
		if (strcmp(s, builtins[i].name) == 0) {
			n->kind = (unsigned char)builtins[i].kind;
			n->fmt = (unsigned char)builtins[i].fmt;
			return n;
		}
	if (!is_ident(s, 1) || s[strlen(s) - 1] == '.') {
		fail(p, "bad type \"%s\"", s);
		return NULL;
	}
	n->ref = k8c_schema_strdup(p->st, s);
	return n;
}

/* "a,b,c" into a NULL-terminated arena array. */
static const char *const *split_list(struct parser *p, const char *s)
{
	size_t n = 1, i = 0;
	const char **v;

	for (const char *c = s; *c != '\0'; c++)
		n += *c == ',';
	v = k8c_schema_alloc(p->st, (n + 1) * sizeof(*v));
	while (*s != '\0') {
		size_t len = strcspn(s, ",");

		if (len == 0 || !is_ident(k8c_schema_strndup(p->st, s, len), 0)) {
			fail(p, "bad key list \"%s\"", s);
			return NULL;
		}
		v[i++] = k8c_schema_strndup(p->st, s, len);
		s += len;
		if (*s == ',')
			s++;
	}
	return v;
}

static int parse_strategy(struct parser *p, const char *s, k8c_schema_node_t *n)
{
	unsigned bits = 0;

	while (*s != '\0') {
		size_t len = strcspn(s, ",");

		if (len == 5 && strncmp(s, "merge", 5) == 0)
			bits |= K8C_PATCH_STRATEGY_MERGE;
		else if (len == 10 && strncmp(s, "retainKeys", 10) == 0)
			bits |= K8C_PATCH_STRATEGY_RETAIN_KEYS;
		else
			return fail(p, "unknown patch strategy \"%.*s\"", (int)len, s);
		s += len;
		if (*s == ',')
			s++;
	}
	n->strategy = (unsigned char)bits;
	return 0;
}

/* pb=N: a protobuf field number, 1 to 2^29-1 without the reserved
 * 19000-19999, as protoc accepts them. */
static int parse_pb(struct parser *p, const char *v, k8c_schema_node_t *n)
{
	unsigned long num = 0;
	const char *c;

	for (c = v; *c >= '0' && *c <= '9' && num <= K8C_SCHEMA_PB_MAX; c++)
		num = num * 10 + (unsigned long)(*c - '0');
	if (c == v || *c != '\0' || v[0] == '0' || num > K8C_SCHEMA_PB_MAX ||
	    (num >= 19000 && num <= 19999))
		return fail(p, "bad protobuf field number \"%s\"", v);
	if (n->pb != 0)
		return fail(p, "pb= given twice");
	n->pb = (unsigned)num;
	return 0;
}

static int need_array(struct parser *p, const k8c_schema_node_t *n, const char *flag)
{
	if (n->kind != K8C_SCHEMA_ARRAY)
		return fail(p, "%s applies to lists only", flag);
	return 0;
}

static int parse_flag(struct parser *p, const char *f, k8c_schema_node_t *n, int *required)
{
	const char *eq = strchr(f, '=');
	const char *v = eq != NULL ? eq + 1 : NULL;
	size_t klen = eq != NULL ? (size_t)(eq - f) : strlen(f);
	int ret;

#define FLAG(name) (klen == strlen(name) && strncmp(f, name, klen) == 0)
	if (v == NULL) {
		if (FLAG("required")) {
			*required = 1;
			return 0;
		}
		if (FLAG("atomic") && n->kind != K8C_SCHEMA_ARRAY) {
			/* A map, or a struct (checked once resolved). */
			if (n->kind != K8C_SCHEMA_MAP && n->ref == NULL)
				return fail(p, "atomic applies to lists, maps and structs");
			n->atomic = 1;
			return 0;
		}
		if (FLAG("pbzero")) {
			/* Checked once resolved: scalars only. */
			n->pbzero = 1;
			return 0;
		}
		if (FLAG("atomic") || FLAG("set")) {
			if ((ret = need_array(p, n, f)) < 0)
				return ret;
			n->list_type = FLAG("set") ? K8C_LIST_SET : K8C_LIST_ATOMIC;
			n->list_type_set = 1;
			return 0;
		}
		return fail(p, "unknown flag \"%s\"", f);
	}
	if (*v == '\0')
		return fail(p, "flag \"%s\" needs a value", f);
	if (FLAG("merge")) {
		if ((ret = need_array(p, n, "merge=")) < 0)
			return ret;
		if (!is_ident(v, 0))
			return fail(p, "bad merge key \"%s\"", v);
		n->strategy |= K8C_PATCH_STRATEGY_MERGE;
		n->merge_key = k8c_schema_strdup(p->st, v);
		return 0;
	}
	if (FLAG("strategy"))
		return parse_strategy(p, v, n);
	if (FLAG("listType")) {
		if ((ret = need_array(p, n, "listType=")) < 0)
			return ret;
		if (strcmp(v, "atomic") == 0)
			n->list_type = K8C_LIST_ATOMIC;
		else if (strcmp(v, "set") == 0)
			n->list_type = K8C_LIST_SET;
		else if (strcmp(v, "map") == 0)
			n->list_type = K8C_LIST_MAP;
		else
			return fail(p, "unknown listType \"%s\"", v);
		n->list_type_set = 1;
		return 0;
	}
	if (FLAG("listMapKeys") || FLAG("map")) {
		if ((ret = need_array(p, n, FLAG("map") ? "map=" : "listMapKeys=")) < 0)
			return ret;
		n->map_keys = split_list(p, v);
		if (n->map_keys == NULL)
			return -K8C_EINVAL;
		if (FLAG("map")) {
			n->list_type = K8C_LIST_MAP;
			n->list_type_set = 1;
		}
		return 0;
	}
	if (FLAG("go")) {
		n->go_type = k8c_schema_strdup(p->st, v);
		return 0;
	}
	if (FLAG("pb"))
		return parse_pb(p, v, n);
#undef FLAG
	return fail(p, "unknown flag \"%s\"", f);
}

static void add_raw(struct parser *p, struct schema_type *t, const char *name,
                    k8c_schema_node_t *node, int required)
{
	struct schema_field *f;

	if (t->n_raw == t->cap_raw) {
		struct schema_field *n;

		t->cap_raw = t->cap_raw ? t->cap_raw * 2 : 8;
		n = k8c_schema_alloc(p->st, t->cap_raw * sizeof(*n));
		if (t->n_raw > 0)
			memcpy(n, t->raw, t->n_raw * sizeof(*n));
		t->raw = n;
	}
	f = &t->raw[t->n_raw++];
	f->name = name;
	f->node = node;
	f->required = required;
	f->file = p->file;
	f->line = p->line;
}

static int parse_field(struct parser *p, char **tok, int ntok, const char *desc)
{
	k8c_schema_node_t *n;
	int required = 0, ret;

	if (p->cur == NULL)
		return fail(p, "a field outside of a type");
	if (p->cur->is_alias)
		return fail(p, "alias %s cannot have fields", p->cur->short_name);
	if (ntok == 1 || strchr(tok[1], '=') != NULL) {
		/* An embedded struct, as Go writes it: its fields are inlined.
		 * Types never hold '=', so a second word with one is a flag;
		 * only pb=N applies (Go's protobuf tag on the embedding). */
		if (!is_ident(tok[0], 1) || !(isupper((unsigned char)tok[0][0]) || strchr(tok[0], '.')))
			return fail(p, "expected \"NAME TYPE\" or an embedded type, got \"%s\"", tok[0]);
		n = parse_type(p, tok[0]);
		if (n == NULL)
			return -K8C_EINVAL;
		for (int i = 1; i < ntok; i++) {
			if (strncmp(tok[i], "pb=", 3) != 0)
				return fail(p, "an embedded type takes pb=N only, not \"%s\"", tok[i]);
			if ((ret = parse_pb(p, tok[i] + 3, n)) < 0)
				return ret;
		}
		add_raw(p, p->cur, NULL, n, 0);
		return 0;
	}
	if (!is_ident(tok[0], 0))
		return fail(p, "bad field name \"%s\"", tok[0]);
	n = parse_type(p, tok[1]);
	if (n == NULL)
		return -K8C_EINVAL;
	for (int i = 2; i < ntok; i++)
		if ((ret = parse_flag(p, tok[i], n, &required)) < 0)
			return ret;
	if (n->list_type == K8C_LIST_MAP && n->map_keys == NULL)
		return fail(p, "listType=map needs listMapKeys=KEYS");
	if (n->map_keys != NULL && n->list_type != K8C_LIST_MAP)
		return fail(p, "listMapKeys needs listType=map");
	n->description = desc;
	add_raw(p, p->cur, k8c_schema_strdup(p->st, tok[0]), n, required);
	return 0;
}

static const char *last_segment(const char *s)
{
	const char *dot = strrchr(s, '.');

	return dot != NULL ? dot + 1 : s;
}

static struct schema_type *new_type(struct parser *p, const char *name, const char *desc)
{
	struct schema_type *t = k8c_schema_alloc(p->st, sizeof(*t));
	char full[512];
	const char *dot;

	if (strchr(name, '.') != NULL)
		snprintf(full, sizeof(full), "%s", name);
	else
		snprintf(full, sizeof(full), "%s.%s", p->gv->package, name);
	t->name = k8c_schema_strdup(p->st, full);
	t->short_name = last_segment(t->name);
	/* The Go package is the segment before the type name. */
	dot = t->short_name - 1;
	{
		const char *start = dot;

		while (start > t->name && start[-1] != '.')
			start--;
		t->go_pkg = k8c_schema_strndup(p->st, start, (size_t)(dot - start));
	}
	t->gv = p->gv;
	t->description = desc;
	t->node.kind = K8C_SCHEMA_OBJECT;
	t->node.type = t;
	t->node.description = "";
	t->file = p->file;
	t->line = p->line;
	return t;
}

#define META "io.k8s.apimachinery.pkg.apis.meta.v1."

/* kind X list: XList with TypeMeta, ListMeta and items []X. */
static int add_list_kind(struct parser *p, struct schema_type *of)
{
	char name[300], desc[340];
	struct schema_type *t;
	k8c_schema_node_t *n;

	snprintf(name, sizeof(name), "%sList", of->name);
	snprintf(desc, sizeof(desc), "%sList is a list of %s objects.", of->short_name,
	         of->short_name);
	t = new_type(p, name, k8c_schema_strdup(p->st, desc));
	t->is_kind = 1;
	t->kind_group = of->kind_group;
	t->noproto = of->noproto;
	add_raw(p, t, NULL, parse_type(p, META "TypeMeta"), 0);
	n = parse_type(p, META "ListMeta");
	n->description = "Standard list metadata.";
	n->pb = of->noproto ? 0 : 1;
	add_raw(p, t, "metadata", n, 0);
	n = parse_type(p, "[]x");
	n->items->ref = of->name;
	n->pb = of->noproto ? 0 : 2;
	snprintf(desc, sizeof(desc), "The list of %s objects.", of->short_name);
	n->description = k8c_schema_strdup(p->st, desc);
	add_raw(p, t, "items", n, 1);
	return k8c_schema_add_type(p->st, t, p->err);
}

static int parse_type_line(struct parser *p, char **tok, int ntok, const char *desc)
{
	int is_kind = strcmp(tok[0], "kind") == 0;
	struct schema_type *t;
	int list = 0, atomic = 0, noproto = 0, ret;
	const char *group = NULL;

	if (p->gv == NULL)
		return fail(p, "a \"group GROUP VERSION\" line must come first");
	if (ntok < 2 || !is_ident(tok[1], 1) || !isupper((unsigned char)last_segment(tok[1])[0]))
		return fail(p, "expected \"%s Name\"", tok[0]);
	if (!is_kind && ntok >= 3 && strcmp(tok[2], "=") == 0) {
		k8c_schema_node_t *target;

		if (ntok != 4)
			return fail(p, "expected \"type Name = TYPE\"");
		target = parse_type(p, tok[3]);
		if (target == NULL)
			return -K8C_EINVAL;
		if (target->ref != NULL)
			return fail(p, "an alias names a builtin, list or map type, not \"%s\"", tok[3]);
		t = new_type(p, tok[1], desc);
		t->is_alias = 1;
		t->node.kind = target->kind;
		t->node.fmt = target->fmt;
		t->node.items = target->items;
		p->cur = t;
		return k8c_schema_add_type(p->st, t, p->err);
	}
	for (int i = 2; i < ntok; i++) {
		if (strcmp(tok[i], "atomic") == 0)
			atomic = 1;
		else if (strcmp(tok[i], "noproto") == 0)
			noproto = 1;
		else if (is_kind && strcmp(tok[i], "list") == 0)
			list = 1;
		else if (is_kind && strncmp(tok[i], "group=", 6) == 0)
			group = strcmp(tok[i] + 6, "core") == 0 ? "" : tok[i] + 6;
		else
			return fail(p, "unexpected \"%s\"", tok[i]);
	}
	t = new_type(p, tok[1], desc);
	t->is_kind = is_kind;
	t->atomic = atomic;
	t->noproto = noproto;
	if (group != NULL)
		t->kind_group = k8c_schema_strdup(p->st, group);
	p->cur = t;
	ret = k8c_schema_add_type(p->st, t, p->err);
	if (ret == 0 && list)
		ret = add_list_kind(p, t);
	return ret;
}

static int parse_group(struct parser *p, char **tok, int ntok)
{
	struct schema_gv *gv;
	const char *group, *package = NULL, *alias = NULL;
	char buf[300];

	if (p->gv != NULL)
		return fail(p, "a file has one group line");
	if (ntok < 3)
		return fail(p, "expected \"group GROUP VERSION [package PREFIX] [as ALIAS]\"");
	for (int i = 3; i < ntok; i += 2) {
		if (i + 1 >= ntok)
			return fail(p, "\"%s\" needs a value", tok[i]);
		if (strcmp(tok[i], "package") == 0)
			package = tok[i + 1];
		else if (strcmp(tok[i], "as") == 0)
			alias = tok[i + 1];
		else
			return fail(p, "unexpected \"%s\"", tok[i]);
	}
	group = strcmp(tok[1], "core") == 0 ? "" : tok[1];
	gv = k8c_schema_alloc(p->st, sizeof(*gv));
	gv->group = k8c_schema_strdup(p->st, group);
	gv->version = k8c_schema_strdup(p->st, tok[2]);
	if (package == NULL) {
		/* io.k8s.api.<first label of the group>.<version> */
		size_t len = strcspn(tok[1], ".");

		snprintf(buf, sizeof(buf), "io.k8s.api.%.*s.%s", (int)len, tok[1], tok[2]);
		package = buf;
	}
	gv->package = k8c_schema_strdup(p->st, package);
	if (alias == NULL)
		alias = k8c_schema_strndup(p->st, tok[1], strcspn(tok[1], "."));
	if (!is_ident(alias, 0))
		return fail(p, "bad alias \"%s\"", alias);
	gv->alias = k8c_schema_strdup(p->st, alias);
	gv->go_pkg = last_segment(gv->package);
	gv->file = p->file;
	gv->line = p->line;
	/* Several files may share a group version; an alias means one package. */
	for (struct schema_gv *o = p->st->gvs; o != NULL; o = o->next)
		if (strcmp(o->alias, gv->alias) == 0 && strcmp(o->package, gv->package) != 0)
			return fail(p, "alias \"%s\" already names %s (%s:%d)", gv->alias, o->package,
			            o->file, o->line);
	gv->next = p->st->gvs;
	p->st->gvs = gv;
	p->gv = gv;
	return 0;
}

/* Split the code part of a line into tokens, in place. */
static int tokenize(char *s, char **tok)
{
	int n = 0;

	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0' || n == MAX_TOKENS)
			return *s == '\0' ? n : -1;
		tok[n++] = s;
		while (*s != '\0' && *s != ' ' && *s != '\t')
			s++;
		if (*s != '\0')
			*s++ = '\0';
	}
}

static int parse_line(struct parser *p, char *line)
{
	char *tok[MAX_TOKENS];
	const char *desc = "";
	int indented = line[0] == ' ' || line[0] == '\t';
	int ntok;

	/* "# text" ends the code part: a # at the start or after a blank. */
	for (char *c = line; *c != '\0'; c++)
		if (*c == '#' && (c == line || c[-1] == ' ' || c[-1] == '\t')) {
			char *d = c + 1;
			size_t len;

			*c = '\0';
			while (*d == ' ' || *d == '\t')
				d++;
			len = strlen(d);
			while (len > 0 && (d[len - 1] == ' ' || d[len - 1] == '\t'))
				len--;
			desc = k8c_schema_strndup(p->st, d, len);
			break;
		}
	ntok = tokenize(line, tok);
	if (ntok < 0)
		return fail(p, "too many words");
	if (ntok == 0)
		return 0; /* blank or comment */
	if (indented)
		return parse_field(p, tok, ntok, desc);
	if (strcmp(tok[0], "group") == 0)
		return parse_group(p, tok, ntok);
	if (strcmp(tok[0], "type") == 0 || strcmp(tok[0], "kind") == 0)
		return parse_type_line(p, tok, ntok, desc);
	return fail(p, "expected group, type or kind, got \"%s\"", tok[0]);
}

int k8c_schema_parse(struct schema_state *st, const char *file, const char *text,
                     k8c_error_t *err)
{
	struct parser p = { .st = st, .file = file, .err = err };
	const char *s = text;
	int ret = 0;

	while (*s != '\0' && ret == 0) {
		size_t len = strcspn(s, "\n");
		char *line = k8c_xstrndup(s, len);

		p.line++;
		if (len > 0 && line[len - 1] == '\r')
			line[len - 1] = '\0';
		ret = parse_line(&p, line);
		free(line);
		s += len;
		if (*s == '\n')
			s++;
	}
	if (ret == 0 && p.gv == NULL)
		ret = k8c_error_make(err, K8C_EINVAL, "%s:1: no \"group GROUP VERSION\" line", file);
	return ret;
}
