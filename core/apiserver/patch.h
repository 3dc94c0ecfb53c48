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

/* Limits, beyond the header's contract above (additions):
 *   - a JSON patch with more than K8C_JSON_PATCH_MAX_OPS operations is
 *     refused with K8C_ETOOLARGE, as Kubernetes refuses it (413);
 *   - copy operations that together copy more than
 *     K8C_JSON_PATCH_MAX_COPY_NODES JSON values are refused with
 *     K8C_ETOOLARGE (a few "copy the document into itself" operations
 *     would otherwise double the document each time);
 *   - no patch may nest a document deeper than K8C_PATCH_MAX_DEPTH
 *     containers (cJSON's CJSON_NESTING_LIMIT: what is stored must parse
 *     again); a JSON patch that would is K8C_EINVAL. */
#define K8C_JSON_PATCH_MAX_OPS 10000
#define K8C_JSON_PATCH_MAX_COPY_NODES (1 << 20)
#define K8C_PATCH_MAX_DEPTH 1000

#ifdef K8C_PATCH_INTERNAL
/* Shared by core/apiserver/patch_*.c only; not an interface for callers. */
#include <stddef.h>

/* Deep copy that aborts on out-of-memory; of duplicate object keys only
 * the last member is kept (as Go's decoder keeps it). */
struct cJSON *k8c_patch_copy(const struct cJSON *v);
/* Drop duplicate keys of every object in v, keeping each key's last
 * member. */
void k8c_patch_dedupe(struct cJSON *v);
/* Whether a later sibling of object member m has m's key (m is then
 * ignored, as Go's decoder ignores all but the last). */
int k8c_patch_shadowed(const struct cJSON *m);
/* The last member of obj named key, or NULL. */
struct cJSON *k8c_patch_get(const struct cJSON *obj, const char *key);
/* Replace member old of obj by v (takes ownership; keeps old's key and
 * position). */
void k8c_patch_replace_member(struct cJSON *obj, struct cJSON *old, struct cJSON *v);
/* Append v (takes ownership) to obj under key. */
void k8c_patch_add_member(struct cJSON *obj, const char *key, struct cJSON *v);
/* JSON equality: numbers by value, objects as unordered maps, arrays in
 * order. */
int k8c_patch_equal(const struct cJSON *a, const struct cJSON *b);
/* Containers nested in v (0 for a scalar) and values in v. */
size_t k8c_patch_depth(const struct cJSON *v);
size_t k8c_patch_count(const struct cJSON *v);
/* Give *target the contents of result (taken): the node *target points
 * to stays the same (its key and siblings too) when there is one. */
void k8c_patch_set_root(struct cJSON **target, struct cJSON *result);
/* Go's fmt %v of the value that encoding/json plus the API server's
 * int-preserving decoder would have made of v ("map[a:1 b:[x y]]"),
 * cut after about max bytes; and reflect.TypeOf's name for it. Caller
 * frees the string. */
char *k8c_patch_gofmt(const struct cJSON *v, size_t max);
const char *k8c_patch_gotype(const struct cJSON *v);
/* Go's %s of a value that should have been a string. Caller frees. */
char *k8c_patch_gofmt_s(const struct cJSON *v, size_t max);

/* Strategic merge patch internals (patch_strategic*.c). */
typedef struct k8c_smp {
	const k8c_patch_schema_t *schema;
	k8c_error_t *err;
} k8c_smp_t;

const void *k8c_smp_field(const k8c_smp_t *c, const void *node, const char *name);
const void *k8c_smp_items(const k8c_smp_t *c, const void *node);
const char *k8c_smp_merge_key(const k8c_smp_t *c, const void *node);
unsigned k8c_smp_strategy(const k8c_smp_t *c, const void *node);

/* Kinds of JSON values as Go sees them after decoding. */
enum k8c_smp_kind {
	K8C_SMP_NIL,
	K8C_SMP_BOOL,
	K8C_SMP_NUMBER,
	K8C_SMP_STRING,
	K8C_SMP_MAP,
	K8C_SMP_SLICE,
};
int k8c_smp_kind(const struct cJSON *v);

/* Merge patch object p (consumed: members may be moved out of it) into
 * object obj, in place. */
int k8c_smp_merge_map(k8c_smp_t *c, struct cJSON *obj, struct cJSON *p, const void *node);
/* What a patch value becomes where the target has nothing (or a value
 * of another type): v (taken) with its directives applied to nothing. */
int k8c_smp_fresh(k8c_smp_t *c, struct cJSON *v, const void *node, struct cJSON **out);

/* The original list as Go's mergePatchIntoOriginal sees it after the
 * merge: Go's mergeSlice shares the original's array, so deleting items
 * shifts the later ones left and appended items land in the freed slots
 * (see patch_strategic_list.c).  v has n slots. */
typedef struct k8c_smp_view {
	struct cJSON **v;
	size_t n, len;
	struct cJSON *graveyard; /* removed items the view may still name */
} k8c_smp_view_t;
void k8c_smp_view_init(k8c_smp_view_t *view, struct cJSON *list);
void k8c_smp_view_free(k8c_smp_view_t *view);

/* mergeSlice: merge patch list p (consumed) into list ol (of field name,
 * schema node node) in place; view, if not NULL, is filled. */
int k8c_smp_merge_slice(k8c_smp_t *c, struct cJSON *ol, struct cJSON *p, const void *node,
                        const char *name, int delete_list, k8c_smp_view_t *view);
/* The ordering step of $setElementOrder: sort list in place, the items
 * order names in that order, interleaved with the others by their place
 * in server (n_server items).  kind_err, when not NULL, is the element
 * type error to report where Go finds it. */
int k8c_smp_set_order(k8c_smp_t *c, struct cJSON *list, const struct cJSON *order,
                      struct cJSON *const *server, size_t n_server, const char *merge_key,
                      int kind, const k8c_error_t *kind_err);
/* sliceElementType over two lists (either may be NULL): the common kind,
 * or an error. */
int k8c_smp_element_kind(k8c_smp_t *c, const struct cJSON *a, const struct cJSON *b, int *kind);
/* The errors of Kubernetes' mergepatch package. */
int k8c_smp_err_no_merge_key(k8c_smp_t *c, const struct cJSON *m, const char *key);
int k8c_smp_err_bad_arg(k8c_smp_t *c, const char *expected, const struct cJSON *got);
int k8c_smp_err_bad_patch_type(k8c_smp_t *c, const struct cJSON *directive,
                               const struct cJSON *m);
#endif /* K8C_PATCH_INTERNAL */

#endif
