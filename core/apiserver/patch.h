/* Patches, as the Kubernetes API server applies them:
 *   - JSON merge patch (RFC 7386), application/merge-patch+json;
 *   - JSON patch (RFC 6902), application/json-patch+json;
 *   - strategic merge patch, application/strategic-merge-patch+json, with
 *     list merge keys from the schema and the directives $patch (replace,
 *     merge, delete), $setElementOrder/FIELD, $retainKeys and
 *     $deleteFromPrimitiveList/FIELD.
 * Pure functions on cJSON trees: the target is modified in place only when
 * the whole patch applies (on error it is unchanged). */
#ifndef K8C_APISERVER_PATCH_H
#define K8C_APISERVER_PATCH_H

#include <k8c/error.h>

struct cJSON;

/* How a strategic merge patch learns about the type it patches, position
 * by position.  Nodes are opaque handles (the API server passes its schema
 * nodes; tests can pass their own).  A NULL node means "unknown": maps
 * merge, lists replace. */
typedef struct k8c_patch_schema {
	/* The node of field `name` of an object node (or the value node of a
	 * map node). */
	const void *(*field)(const void *node, const char *name);
	/* The element node of a list node. */
	const void *(*items)(const void *node);
	/* patchMergeKey of a list node, or NULL. */
	const char *(*merge_key)(const void *node);
	/* enum k8c_patch_strategy bits of a node (schema.h). */
	unsigned (*strategy)(const void *node);
} k8c_patch_schema_t;

/* RFC 7386: null deletes, objects merge recursively, anything else
 * replaces.  A non-object patch replaces the whole target. */
int k8c_merge_patch(struct cJSON **target, const struct cJSON *patch, k8c_error_t *err);

/* RFC 6902 with add, remove, replace, move, copy, test; JSON pointers with
 * ~0/~1 escapes and "-" for the end of an array.  Any failure (a failed
 * test, a missing path, a malformed operation) is K8C_EINVAL with a message
 * naming the operation and the path; the API server answers it with 422, as
 * Kubernetes does. */
int k8c_json_patch(struct cJSON **target, const struct cJSON *ops, k8c_error_t *err);

/* Strategic merge patch of target (an object of the type root, which may
 * be NULL) with patch.  Errors (K8C_EINVAL) name the problem as Kubernetes
 * does, e.g. "map: map[name:c] does not contain declared merge key: name". */
int k8c_strategic_merge_patch(struct cJSON **target, const struct cJSON *patch,
                              const k8c_patch_schema_t *schema, const void *root,
                              k8c_error_t *err);

#endif
