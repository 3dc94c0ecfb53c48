/* Dropping empty maps and lists as Go's JSON encoding of the API types
 * does (see omitempty.h). */
#include "config.h"

#include <string.h>

#include <cjson/cJSON.h>

#include "apiserver/omitempty.h"
#include "apiserver/schema.h"

/* The few list fields the API types declare without omitempty: an empty
 * list stays as [] there. */
static int kept_when_empty(const char *field)
{
	return strcmp(field, "containers") == 0 || strcmp(field, "rules") == 0;
}

static void walk(const k8c_schema_node_t *node, cJSON *v);

static void walk_object(const k8c_schema_node_t *node, cJSON *obj)
{
	cJSON *f = obj->child, *next;

	for (; f != NULL; f = next) {
		const k8c_schema_node_t *fn = k8c_schema_field(node, f->string);
		int kind = fn ? k8c_schema_kind(fn) : 0;
		next = f->next;
		if (cJSON_IsNull(f)) {
			cJSON_Delete(cJSON_DetachItemViaPointer(obj, f));
			continue;
		}
		if (fn == NULL)
			continue;
		walk(fn, f);
		if (((kind == K8C_SCHEMA_MAP && cJSON_IsObject(f)) ||
		     (kind == K8C_SCHEMA_ARRAY && cJSON_IsArray(f))) &&
		    f->child == NULL && !kept_when_empty(f->string))
			cJSON_Delete(cJSON_DetachItemViaPointer(obj, f));
	}
}

static void walk(const k8c_schema_node_t *node, cJSON *v)
{
	cJSON *c;

	switch (k8c_schema_kind(node)) {
	case K8C_SCHEMA_OBJECT:
		if (cJSON_IsObject(v))
			walk_object(node, v);
		return;
	case K8C_SCHEMA_ARRAY:
		if (cJSON_IsArray(v) && k8c_schema_items(node) != NULL)
			cJSON_ArrayForEach(c, v)
				walk(k8c_schema_items(node), c);
		return;
	case K8C_SCHEMA_MAP:
		if (cJSON_IsObject(v) && k8c_schema_items(node) != NULL &&
		    k8c_schema_kind(k8c_schema_items(node)) == K8C_SCHEMA_OBJECT)
			cJSON_ArrayForEach(c, v)
				walk(k8c_schema_items(node), c);
		return;
	default:
		return;
	}
}

void k8c_omit_empty(const k8c_schema_node_t *type, cJSON *obj)
{
	if (type != NULL && obj != NULL)
		walk(type, obj);
}
