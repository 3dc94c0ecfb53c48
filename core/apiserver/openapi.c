/* OpenAPI schemas of the API types, as Kubernetes publishes them:
 * components.schemas (v3) or definitions (v2) named like
 * "io.k8s.api.core.v1.Pod", with the x-kubernetes-* extensions that carry
 * patch metadata and list types, required lists, descriptions and
 * x-kubernetes-group-version-kind on top-level kinds.  The paths of the
 * documents are built by openapi_paths.c. */
#include "config.h"

#include <string.h>

#include <cjson/cJSON.h>

#include "apiserver/schema/internal.h"
#include "apiserver/schema/openapi.h"
#include "common/mem.h"

static void ref_to(cJSON *o, const char *name, int v3)
{
	char *ref = k8c_xasprintf("%s%s", v3 ? "#/components/schemas/" : "#/definitions/", name);

	cJSON_AddStringToObject(o, "$ref", ref);
	free(ref);
}

cJSON *k8c_openapi_ref(const char *name, int v3)
{
	cJSON *o = cJSON_CreateObject();

	ref_to(o, name, v3);
	return o;
}

/* The named definition a node refers to, or NULL when it is inlined. */
static const char *named(const k8c_schema_node_t *n)
{
	if (n->kind == K8C_SCHEMA_OBJECT)
		return n->type->name;
	if (n->type != NULL && n->type->is_alias && n->kind == K8C_SCHEMA_ANY)
		return n->type->name; /* FieldsV1 and the like */
	return k8c_schema_builtin_ref(n);
}

static const char *strategy_name(unsigned s)
{
	switch (s) {
	case K8C_PATCH_STRATEGY_MERGE:
		return "merge";
	case K8C_PATCH_STRATEGY_RETAIN_KEYS:
		return "retainKeys";
	case K8C_PATCH_STRATEGY_MERGE | K8C_PATCH_STRATEGY_RETAIN_KEYS:
		return "merge,retainKeys";
	default:
		return NULL;
	}
}

static cJSON *node_schema(const k8c_schema_node_t *n, const char *desc, int v3)
{
	const char *name = named(n);
	cJSON *o = cJSON_CreateObject();
	const char *strategy = strategy_name(n->strategy);

	if (name != NULL) {
		/* OpenAPI 3.0 ignores siblings of $ref: Kubernetes wraps it. */
		if (v3 && ((desc != NULL && desc[0] != '\0') || strategy != NULL || n->atomic)) {
			cJSON *all = cJSON_AddArrayToObject(o, "allOf");

			cJSON_AddItemToArray(all, k8c_openapi_ref(name, v3));
		} else {
			ref_to(o, name, v3);
		}
	} else {
		switch (n->kind) {
		case K8C_SCHEMA_STRING:
			cJSON_AddStringToObject(o, "type", "string");
			if (n->fmt == FMT_BYTES)
				cJSON_AddStringToObject(o, "format", "byte");
			break;
		case K8C_SCHEMA_INTEGER:
			cJSON_AddStringToObject(o, "type", "integer");
			cJSON_AddStringToObject(o, "format", n->fmt == FMT_INT32 ? "int32" : "int64");
			break;
		case K8C_SCHEMA_NUMBER:
			cJSON_AddStringToObject(o, "type", "number");
			cJSON_AddStringToObject(o, "format", "double");
			break;
		case K8C_SCHEMA_BOOLEAN:
			cJSON_AddStringToObject(o, "type", "boolean");
			break;
		case K8C_SCHEMA_ARRAY:
			cJSON_AddStringToObject(o, "type", "array");
			cJSON_AddItemToObject(o, "items", node_schema(n->items, NULL, v3));
			break;
		case K8C_SCHEMA_MAP:
			cJSON_AddStringToObject(o, "type", "object");
			cJSON_AddItemToObject(o, "additionalProperties", node_schema(n->items, NULL, v3));
			break;
		default:
			cJSON_AddStringToObject(o, "type", "object");
			break;
		}
	}
	if (desc != NULL && desc[0] != '\0')
		cJSON_AddStringToObject(o, "description", desc);
	if (n->kind == K8C_SCHEMA_ARRAY && (n->list_type_set || n->map_keys != NULL)) {
		static const char *const types[] = { "atomic", "set", "map" };

		cJSON_AddStringToObject(o, "x-kubernetes-list-type", types[n->list_type]);
		if (n->map_keys != NULL) {
			cJSON *keys = cJSON_AddArrayToObject(o, "x-kubernetes-list-map-keys");

			for (const char *const *k = n->map_keys; *k != NULL; k++)
				cJSON_AddItemToArray(keys, cJSON_CreateString(*k));
		}
	}
	if (n->atomic)
		cJSON_AddStringToObject(o, "x-kubernetes-map-type", "atomic");
	if (n->merge_key != NULL)
		cJSON_AddStringToObject(o, "x-kubernetes-patch-merge-key", n->merge_key);
	if (strategy != NULL)
		cJSON_AddStringToObject(o, "x-kubernetes-patch-strategy", strategy);
	return o;
}

cJSON *k8c_openapi_gvk(const char *group, const char *version, const char *kind)
{
	cJSON *gvk = cJSON_CreateObject();

	cJSON_AddStringToObject(gvk, "group", group);
	cJSON_AddStringToObject(gvk, "kind", kind);
	cJSON_AddStringToObject(gvk, "version", version);
	return gvk;
}

static cJSON *type_schema(const struct schema_type *t, int v3)
{
	cJSON *o = cJSON_CreateObject(), *props, *req = NULL;

	if (t->description != NULL && t->description[0] != '\0')
		cJSON_AddStringToObject(o, "description", t->description);
	if (t->is_alias) {
		cJSON_AddStringToObject(o, "type", "object");
		return o;
	}
	props = cJSON_AddObjectToObject(o, "properties");
	for (size_t i = 0; i < t->n_fields; i++) {
		const struct schema_field *f = &t->fields[i];

		cJSON_AddItemToObject(props, f->name, node_schema(f->node, f->node->description, v3));
		if (f->required) {
			if (req == NULL)
				req = cJSON_CreateArray();
			cJSON_AddItemToArray(req, cJSON_CreateString(f->name));
		}
	}
	if (req != NULL)
		cJSON_AddItemToObject(o, "required", req);
	cJSON_AddStringToObject(o, "type", "object");
	if (t->atomic)
		cJSON_AddStringToObject(o, "x-kubernetes-map-type", "atomic");
	if (t->is_kind) {
		cJSON *list = cJSON_AddArrayToObject(o, "x-kubernetes-group-version-kind");

		cJSON_AddItemToArray(list, k8c_openapi_gvk(t->kind_group != NULL ? t->kind_group
		                                                                 : t->gv->group,
		                                           t->gv->version, t->short_name));
	}
	return o;
}

/* Definitions of the types Kubernetes implements by hand. */
static cJSON *builtin_schema(const char *name, int v3)
{
	cJSON *o = cJSON_CreateObject();

	if (strcmp(name, "io.k8s.apimachinery.pkg.util.intstr.IntOrString") == 0) {
		cJSON_AddStringToObject(o, "description",
		                        "A value that is either an integer (int32) or a string.");
		cJSON_AddStringToObject(o, "format", "int-or-string");
		if (v3) {
			cJSON *one = cJSON_AddArrayToObject(o, "oneOf"), *t;

			t = cJSON_CreateObject();
			cJSON_AddStringToObject(t, "type", "integer");
			cJSON_AddItemToArray(one, t);
			t = cJSON_CreateObject();
			cJSON_AddStringToObject(t, "type", "string");
			cJSON_AddItemToArray(one, t);
		} else {
			cJSON_AddStringToObject(o, "type", "string");
		}
	} else if (strcmp(name, "io.k8s.apimachinery.pkg.api.resource.Quantity") == 0) {
		cJSON_AddStringToObject(o, "description",
		                        "An amount such as \"100m\", \"1.5\", \"128Mi\" or \"2G\": a "
		                        "decimal number with an optional SI (k, M, G, T, P, E, m) or "
		                        "binary (Ki, Mi, Gi, Ti, Pi, Ei) suffix, or an exponent.");
		if (v3) {
			cJSON *one = cJSON_AddArrayToObject(o, "oneOf"), *t;

			t = cJSON_CreateObject();
			cJSON_AddStringToObject(t, "type", "string");
			cJSON_AddItemToArray(one, t);
			t = cJSON_CreateObject();
			cJSON_AddStringToObject(t, "type", "number");
			cJSON_AddItemToArray(one, t);
		} else {
			cJSON_AddStringToObject(o, "type", "string");
		}
	} else if (strcmp(name, "io.k8s.apimachinery.pkg.apis.meta.v1.Time") == 0 ||
	           strcmp(name, "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime") == 0) {
		cJSON_AddStringToObject(o, "description",
		                        strstr(name, "Micro") != NULL
		                                ? "A time in RFC 3339 form with microseconds, "
		                                  "e.g. \"2024-05-01T12:00:00.000000Z\"."
		                                : "A time in RFC 3339 form, e.g. \"2024-05-01T12:00:00Z\".");
		cJSON_AddStringToObject(o, "format", "date-time");
		cJSON_AddStringToObject(o, "type", "string");
	} else {
		/* runtime.RawExtension: any embedded JSON object. */
		cJSON_AddStringToObject(o, "description",
		                        "An embedded object in its JSON form (runtime.RawExtension).");
		cJSON_AddStringToObject(o, "type", "object");
	}
	return o;
}

static void add_named(cJSON *defs, const char *name, int v3);

static void add_node(cJSON *defs, const k8c_schema_node_t *n, int v3)
{
	const char *name;

	if (n->items != NULL && n->kind != K8C_SCHEMA_OBJECT) {
		add_node(defs, n->items, v3);
		return;
	}
	name = named(n);
	if (name != NULL)
		add_named(defs, name, v3);
}

static void add_named(cJSON *defs, const char *name, int v3)
{
	struct schema_type *t;

	if (cJSON_GetObjectItemCaseSensitive(defs, name) != NULL)
		return;
	t = k8c_schema_lookup(k8c_schema_state, name);
	if (t == NULL) {
		cJSON_AddItemToObject(defs, name, builtin_schema(name, v3));
		return;
	}
	/* Added before its fields so that recursive types terminate. */
	cJSON_AddItemToObject(defs, name, type_schema(t, v3));
	for (size_t i = 0; i < t->n_fields; i++)
		add_node(defs, t->fields[i].node, v3);
}

void k8c_openapi_add_type(cJSON *defs, const char *name, int v3)
{
	if (k8c_schema_lookup(k8c_schema_state, name) != NULL)
		add_named(defs, name, v3);
}

void k8c_openapi_add_all_types(cJSON *defs, int v3)
{
	if (k8c_schema_state == NULL)
		return;
	for (const struct schema_type *t = k8c_schema_state->types; t != NULL; t = t->next) {
		/* Inline-only structs and aliases of lists, maps and strings have
		 * no definition of their own in Kubernetes' documents. */
		if (t->embedded && !t->referenced)
			continue;
		if (t->is_alias && t->node.kind != K8C_SCHEMA_ANY)
			continue;
		add_named(defs, t->name, v3);
	}
}

void k8c_openapi_sort(cJSON *obj)
{
	/* Insertion sort of the members by name: stable, deterministic
	 * output for hashing and for people reading the documents. */
	cJSON *sorted = NULL, *c = obj->child;

	while (c != NULL) {
		cJSON *next = c->next, **pp = &sorted;

		while (*pp != NULL && strcmp((*pp)->string, c->string) <= 0)
			pp = &(*pp)->next;
		c->next = *pp;
		*pp = c;
		c = next;
	}
	obj->child = sorted;
	for (cJSON *p = sorted, *prev = NULL; p != NULL; prev = p, p = p->next)
		p->prev = prev != NULL ? prev : NULL;
	/* cJSON keeps the last item in child->prev. */
	if (sorted != NULL) {
		cJSON *last = sorted;

		while (last->next != NULL)
			last = last->next;
		sorted->prev = last;
	}
}
