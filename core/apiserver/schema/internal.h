/* Internals of the API schema (schema.h), shared by schema.c (types and
 * look-ups), schema_parse.c (the text language), schema_decode.c and
 * openapi*.c.  Nothing here is for other modules.
 *
 * Memory: every node, type, field and string lives in one arena owned by
 * the schema state and freed by k8c_schema_fini(). */
#ifndef K8C_APISERVER_SCHEMA_INTERNAL_H
#define K8C_APISERVER_SCHEMA_INTERNAL_H

#include <stddef.h>

#include <k8c/error.h>

#include "apiserver/schema.h"

/* One embedded schema file (the generated schema_files.c). */
typedef struct k8c_schema_source {
	const char *name; /* "core/apiserver/schema/core_v1.schema" */
	const char *text;
} k8c_schema_source_t;

/* NULL-terminated, generated at build time from the .schema files. */
extern const k8c_schema_source_t k8c_schema_sources[];

/* Refinements of a node's kind: what OpenAPI "format" and Go type it has. */
enum schema_fmt {
	FMT_NONE = 0,
	FMT_INT32,     /* INTEGER */
	FMT_INT64,     /* INTEGER */
	FMT_BYTES,     /* STRING holding base64 ([]byte in Go) */
	FMT_MICROTIME, /* TIME: metav1.MicroTime */
};

/* A file header: the group version its types belong to. */
struct schema_gv {
	const char *group;   /* API group, "" for the core group */
	const char *version; /* "v1" */
	const char *package; /* OpenAPI name prefix: "io.k8s.api.core.v1" */
	const char *alias;   /* qualifier used by other files: "core" */
	const char *go_pkg;  /* Go package name for error messages: "v1" */
	const char *file;
	int line;
	struct schema_gv *next;
};

struct schema_type;

struct k8c_schema_node {
	unsigned char kind;       /* enum k8c_schema_kind */
	unsigned char fmt;        /* enum schema_fmt */
	unsigned char strategy;   /* enum k8c_patch_strategy bits */
	unsigned char list_type;  /* enum k8c_list_type */
	unsigned char list_type_set; /* listType given explicitly */
	unsigned char atomic;     /* a map or struct field replaced as a whole
	                           * (x-kubernetes-map-type: atomic) */
	const char *merge_key;
	const char *const *map_keys;
	const char *description;  /* of the field, "" when none */
	const char *go_type;      /* Go type for error messages (go=), or NULL */
	unsigned pb;              /* protobuf field number (pb=N), 0 when none */
	unsigned char pbzero;     /* pbzero: a zero scalar read from protobuf is
	                           * kept (Go pointer or no omitempty) */
	struct schema_type *type; /* OBJECT (and named aliases): the named type */
	k8c_schema_node_t *items; /* ARRAY, MAP */

	/* Set while parsing, read by the resolver. */
	const char *ref;          /* a named type still to be resolved */
	const struct schema_gv *scope;
	const char *file;
	int line;
};

struct schema_field {
	const char *name;         /* JSON name; NULL for an embedded struct */
	k8c_schema_node_t *node;  /* the field's own node (patch metadata) */
	const char *via;          /* Go names of the embedded structs it comes
	                           * through ("VolumeSource"), or NULL */
	int required;
	const char *file;         /* where it was written */
	int line;
};

struct schema_type {
	/* The type as a node: kind OBJECT with type == this, or for an alias
	 * ("type FieldsV1 = any") the aliased kind with type == this. */
	k8c_schema_node_t node;
	const char *name;        /* "io.k8s.api.core.v1.Pod" */
	const char *short_name;  /* "Pod" */
	const char *go_pkg;      /* "v1" */
	const struct schema_gv *gv;
	const char *description;
	int is_alias;
	int is_kind;             /* top-level kind: x-kubernetes-group-version-kind */
	int atomic;              /* +structType=atomic: replaced as a whole by apply */
	const char *kind_group;  /* group of the GVK when it differs from gv's */
	int embedded;            /* used as an embedded (inline) struct */
	int referenced;          /* used as the type of a field */
	int state;               /* flattening: 0 todo, 1 in progress, 2 done */
	int noproto;             /* +protobuf=false: no protobuf encoding */

	/* Entries as written (fields and embeds), then, after resolution,
	 * the flattened fields in declaration order and an index by name. */
	struct schema_field *raw;
	size_t n_raw, cap_raw;
	struct schema_field *fields;
	size_t n_fields;
	struct schema_field **by_name;
	/* Entries as written with a protobuf number (fields and embedded
	 * structs, name NULL), sorted by number (schema.c). */
	struct schema_field **by_pb;
	size_t n_pb;

	const char *file;
	int line;
	struct schema_type *next; /* declaration order */
};

struct schema_arena_chunk;

struct schema_state {
	struct schema_arena_chunk *chunks;
	struct schema_gv *gvs;
	struct schema_type *types, *types_tail;
	size_t n_types;
	struct schema_type **table; /* open addressing by name */
	size_t table_size;
};

/* The schema in use (NULL before init). */
extern struct schema_state *k8c_schema_state;

/* Arena allocation (zeroed), aborting on out-of-memory. */
void *k8c_schema_alloc(struct schema_state *st, size_t size);
char *k8c_schema_strndup(struct schema_state *st, const char *s, size_t n);
char *k8c_schema_strdup(struct schema_state *st, const char *s);

/* Parse one file into st (schema_parse.c).  Errors name file:line. */
int k8c_schema_parse(struct schema_state *st, const char *file, const char *text,
                     k8c_error_t *err);

/* Register a parsed type; K8C_EEXIST when the name is taken. */
int k8c_schema_add_type(struct schema_state *st, struct schema_type *t, k8c_error_t *err);
struct schema_type *k8c_schema_lookup(const struct schema_state *st, const char *name);

/* The Go type of a node as reflect prints it ("[]v1.Container"), into buf. */
void k8c_schema_go_type(const k8c_schema_node_t *node, char *buf, size_t len);

/* OpenAPI names of the built-in kinds ("io.k8s.apimachinery.pkg.util.intstr.IntOrString"),
 * or NULL for plain JSON types. */
const char *k8c_schema_builtin_ref(const k8c_schema_node_t *node);

/* Drop the cached OpenAPI hashes (openapi_paths.c); called by fini. */
void k8c_openapi_cache_clear(void);

#endif
