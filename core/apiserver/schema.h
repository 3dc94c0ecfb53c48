/* The API schema: every type the API server serves, with its fields, their
 * JSON types and the patch metadata Kubernetes attaches to them
 * (patchMergeKey, patchStrategy, listType, listMapKeys).
 *
 * The types are written in a small text language, one file per API group
 * version under core/apiserver/schema/ (see schema/README.md), compiled into
 * the binary and parsed once at start-up.  One source serves:
 *   - decoding: unknown fields are pruned (as Go's decoder drops them) and
 *     reported for fieldValidation=Strict (400) or Warn (Warning header);
 *     values of the wrong JSON type are a 400 BadRequest;
 *   - strategic merge patch: merge keys and strategies (patch.h);
 *   - server-side apply: list types and map keys;
 *   - /openapi/v2 and /openapi/v3 for kubectl's client-side validation and
 *     `kubectl explain`.
 *
 * Nodes are immutable after k8c_schema_init() and shared by all threads. */
#ifndef K8C_APISERVER_SCHEMA_H
#define K8C_APISERVER_SCHEMA_H

#include <stddef.h>

#include <k8c/error.h>

struct cJSON;

typedef struct k8c_schema_node k8c_schema_node_t; /* opaque, owned by the schema */

enum k8c_schema_kind {
	K8C_SCHEMA_STRING = 1,
	K8C_SCHEMA_INTEGER,      /* int32/int64: a JSON number without fraction */
	K8C_SCHEMA_NUMBER,       /* float64 */
	K8C_SCHEMA_BOOLEAN,
	K8C_SCHEMA_OBJECT,       /* a named type with fields */
	K8C_SCHEMA_ARRAY,        /* items: k8c_schema_items() */
	K8C_SCHEMA_MAP,          /* string keys, values: k8c_schema_items() */
	K8C_SCHEMA_INT_OR_STRING,/* intstr.IntOrString */
	K8C_SCHEMA_QUANTITY,     /* resource.Quantity: a string or a number */
	K8C_SCHEMA_TIME,         /* metav1.Time / MicroTime: an RFC 3339 string */
	K8C_SCHEMA_ANY,          /* free-form JSON (RawExtension, JSON fields) */
};

/* Patch strategy bits (the patchStrategy tag). */
enum k8c_patch_strategy {
	K8C_PATCH_STRATEGY_REPLACE = 0,     /* no tag: lists replace, maps merge */
	K8C_PATCH_STRATEGY_MERGE = 1u << 0, /* "merge": lists merge by key (or as sets for primitives) */
	K8C_PATCH_STRATEGY_RETAIN_KEYS = 1u << 1, /* "retainKeys" */
};

/* x-kubernetes-list-type. */
enum k8c_list_type {
	K8C_LIST_ATOMIC = 0,
	K8C_LIST_SET = 1,
	K8C_LIST_MAP = 2,
};

/* Parse the built-in schema.  Call once before anything else; 0 or < 0
 * with err naming the file and line of a broken definition. */
int k8c_schema_init(k8c_error_t *err);
void k8c_schema_fini(void);
/* Parse the given schema texts instead of the built-in files (tests and
 * tools); names[i] is the file name used in error messages.  On success
 * the previous schema, if any, is freed; on error it stays in place. */
int k8c_schema_init_from(const char *const *names, const char *const *texts, size_t n,
                         k8c_error_t *err);

/* A named type, e.g. "io.k8s.api.core.v1.Pod"; NULL if unknown. */
const k8c_schema_node_t *k8c_schema_type(const char *name);

int k8c_schema_kind(const k8c_schema_node_t *node);
/* The type's full name for OBJECT nodes ("io.k8s.api.core.v1.PodSpec"),
 * else NULL. */
const char *k8c_schema_name(const k8c_schema_node_t *node);
/* An OBJECT's field, or NULL when the type has no such field. */
const k8c_schema_node_t *k8c_schema_field(const k8c_schema_node_t *object,
                                          const char *field);
/* Fields of an OBJECT in declaration order: i from 0 until NULL. */
const k8c_schema_node_t *k8c_schema_field_at(const k8c_schema_node_t *object,
                                             size_t i, const char **name);
/* Items of an ARRAY, values of a MAP. */
const k8c_schema_node_t *k8c_schema_items(const k8c_schema_node_t *node);
/* Patch metadata of a field's node (ARRAY or MAP or OBJECT). */
unsigned k8c_schema_patch_strategy(const k8c_schema_node_t *node);
const char *k8c_schema_merge_key(const k8c_schema_node_t *node); /* or NULL */
int k8c_schema_list_type(const k8c_schema_node_t *node);
/* listMapKeys, NULL-terminated, for K8C_LIST_MAP arrays (else NULL). */
const char *const *k8c_schema_list_map_keys(const k8c_schema_node_t *node);
/* Whether server-side apply treats the value as one unit: an atomic list
 * (listType=atomic, the default of untagged lists), a map tagged
 * +mapType=atomic or a struct tagged +structType=atomic
 * (x-kubernetes-map-type: atomic in OpenAPI). */
int k8c_schema_atomic(const k8c_schema_node_t *node);
/* Whether an OBJECT field is required (for OpenAPI). */
int k8c_schema_required(const k8c_schema_node_t *object, const char *field);
/* One-line description for `kubectl explain` (may be ""). */
const char *k8c_schema_description(const k8c_schema_node_t *node);

/* --- protobuf (application/vnd.kubernetes.protobuf, protobuf.h) ---------
 * Every field carries Kubernetes' protobuf field number (pb=N in the schema
 * files); so does an embedded struct that Go embeds with a protobuf tag
 * (VolumeSource in Volume, ProbeHandler in Probe): on the wire it is a
 * nested message whose fields land in the embedding object. */

/* The largest protobuf field number. */
#define K8C_SCHEMA_PB_MAX 536870911u

/* Refinement of a node's kind (the OpenAPI format). */
enum k8c_schema_format {
	K8C_SCHEMA_FORMAT_NONE = 0,
	K8C_SCHEMA_FORMAT_INT32,     /* INTEGER */
	K8C_SCHEMA_FORMAT_INT64,     /* INTEGER */
	K8C_SCHEMA_FORMAT_BYTES,     /* STRING holding base64 ([]byte) */
	K8C_SCHEMA_FORMAT_MICROTIME, /* TIME: metav1.MicroTime */
};
int k8c_schema_format(const k8c_schema_node_t *node);

/* The protobuf field number of a field's node (or of an embedded struct's
 * entry), 0 when it has none. */
unsigned k8c_schema_pb_number(const k8c_schema_node_t *node);
/* Whether a zero scalar ("", 0, false) decoded from protobuf stays in the
 * JSON: the Go field is a pointer or has no omitempty (pbzero).  Other zero
 * scalars are left out, as Go's encoding/json omits them. */
int k8c_schema_pb_keep_zero(const k8c_schema_node_t *node);
/* The entry of an OBJECT with protobuf field number num: a field's node
 * with *name its JSON name, or an embedded struct's node (an OBJECT) with
 * *name NULL; NULL when the type has no such number. */
const k8c_schema_node_t *k8c_schema_pb_field(const k8c_schema_node_t *object, unsigned num,
                                             const char **name);
/* Whether an OBJECT type has a protobuf encoding (not marked noproto,
 * Kubernetes' +protobuf=false: Table and its parts). */
int k8c_schema_has_proto(const k8c_schema_node_t *object);

/* What decoding found. */
typedef struct k8c_schema_report {
	char **unknown;        /* owned paths of unknown fields: "spec.containers[0].imagePullPolcy" */
	size_t n_unknown;
	char *type_error;      /* owned first type mismatch, Kubernetes-style, or NULL */
	/* Paths of fields given twice in one object, in the same form as
	 * unknown (Kubernetes' strict mode says `duplicate field "PATH"`); the
	 * last value is kept, as Go's decoder does. */
	char **duplicate;
	size_t n_duplicate;
} k8c_schema_report_t;

/* Check obj against type: every unknown field is removed from obj and
 * its path recorded; the first value of the wrong JSON type fills
 * rep->type_error (e.g. `json: cannot unmarshal string into Go struct field
 * PodSpec.spec.containers of type []v1.Container`).  Returns 0 when there
 * was no type error, < 0 otherwise (obj may be partly pruned then).
 * null counts as absent, as in Go: null fields are removed, null list items
 * and map values become the zero value of their type.  rep starts zeroed. */
int k8c_schema_decode(const k8c_schema_node_t *type, struct cJSON *obj,
                      k8c_schema_report_t *rep);
void k8c_schema_report_free(k8c_schema_report_t *rep);

/* OpenAPI documents built from the schema, owned by the caller:
 *   v3 index {"paths": {"api/v1": {"serverRelativeURL": "/openapi/v3/api/v1?hash=H"}, ...}}
 *   v3 document of one group version (paths with
 *     x-kubernetes-group-version-kind and the fieldValidation parameter,
 *     components.schemas with every type it uses);
 *   v2 swagger document with every type (definitions) and paths. */
struct cJSON *k8c_openapi_v3_index(void);
struct cJSON *k8c_openapi_v3_document(const char *group, const char *version);
struct cJSON *k8c_openapi_v2_document(void);
/* The v2 document as gnostic's OpenAPI v2 protobuf (swagger, info and the
 * definitions: what kubectl reads); caller frees. */
char *k8c_openapi_v2_proto(const struct cJSON *doc, size_t *len);

#endif
