/* What the API server knows about each resource it serves: names for
 * discovery, verbs and subresources, the schema type, and the per-kind
 * hooks (defaulting, validation, Table columns, field selectors, status and
 * scale strategy).  One file per kind group in core/apiserver/kinds/ fills
 * in these descriptors; core/apiserver/registry.c lists them all.
 *
 * Every hook is optional.  Hooks receive objects as cJSON trees in their
 * JSON (wire) form: apiVersion, kind, metadata, spec, status. */
#ifndef K8C_APISERVER_KIND_H
#define K8C_APISERVER_KIND_H

#include <stddef.h>

#include "apiserver/field_errors.h"

struct cJSON;

enum k8c_verb {
	K8C_VERB_GET = 1u << 0,
	K8C_VERB_LIST = 1u << 1,
	K8C_VERB_WATCH = 1u << 2,
	K8C_VERB_CREATE = 1u << 3,
	K8C_VERB_UPDATE = 1u << 4,
	K8C_VERB_PATCH = 1u << 5,
	K8C_VERB_DELETE = 1u << 6,
	K8C_VERB_DELETECOLLECTION = 1u << 7,
};
#define K8C_VERBS_ALL 0xffu
#define K8C_VERBS_NO_UPDATE (K8C_VERB_GET | K8C_VERB_LIST | K8C_VERB_WATCH | K8C_VERB_CREATE | \
                             K8C_VERB_DELETE | K8C_VERB_DELETECOLLECTION)

enum k8c_subresource {
	K8C_SUB_STATUS = 1u << 0,   /* KIND/status: get, update, patch of .status only */
	K8C_SUB_SCALE = 1u << 1,    /* KIND/scale: autoscaling/v1 Scale */
	K8C_SUB_BINDING = 1u << 2,  /* pods/binding: create */
	K8C_SUB_LOG = 1u << 3,      /* pods/log: get, text/plain */
	K8C_SUB_EVICTION = 1u << 4, /* pods/eviction: create (policy/v1 Eviction) */
	K8C_SUB_FINALIZE = 1u << 5, /* namespaces/finalize: update of spec.finalizers */
};

/* One column of `kubectl get` Table output. */
typedef struct k8c_table_column {
	const char *name;        /* "NAME", "READY", ... as Kubernetes prints them */
	const char *type;        /* "string", "integer", "date", "number", "boolean" */
	const char *format;      /* "name" for the NAME column, else "" */
	const char *description;
	int priority;            /* 0: always shown; 1: only with -o wide */
} k8c_table_column_t;

/* The operation a hook runs for. */
enum k8c_op {
	K8C_OP_CREATE = 1,
	K8C_OP_UPDATE = 2,
	K8C_OP_STATUS_UPDATE = 3, /* through the status subresource */
	K8C_OP_FINALIZE = 4,      /* namespaces/NAME/finalize: spec.finalizers only */
};

typedef struct k8c_kind {
	/* --- names (discovery) --- */
	const char *group;            /* "" for the core group */
	const char *version;          /* "v1" */
	const char *resource;         /* plural, lower case: "pods" */
	const char *singular;         /* "pod" */
	const char *kind;             /* "Pod" */
	int namespaced;
	const char *const *short_names;  /* NULL-terminated or NULL: {"po", NULL} */
	const char *const *categories;   /* NULL-terminated or NULL: {"all", NULL} */
	unsigned verbs;               /* enum k8c_verb bits */
	unsigned subresources;        /* enum k8c_subresource bits */

	/* The schema type of the object, for strict field validation, patch
	 * merge keys and OpenAPI: "io.k8s.api.core.v1.Pod". */
	const char *schema_type;

	/* --- strategy --- */
	/* Non-zero when the kind has a status that only KIND/status may
	 * change (the main resource then keeps the old status on update, and
	 * the status subresource keeps everything but status and
	 * metadata.labels/annotations... exactly as Kubernetes' strategies). */
	int has_status;
	/* Non-zero when metadata.generation is kept: bumped when anything but
	 * metadata and status changes (Kubernetes does this for kinds with a
	 * spec). */
	int has_generation;
	/* Non-zero when KIND/status also writes metadata.annotations, as
	 * Kubernetes' deployment status strategy lets the deployment
	 * controller write its revision annotation. */
	int status_keeps_annotations;

	/* --- hooks, all optional --- */
	/* Fill in defaults in place (Kubernetes' SetDefaults_*), on create and
	 * on update, before validation. */
	void (*defaults)(struct cJSON *obj);
	/* Prepare obj for storage: on create, clear status fields a client may
	 * not set (e.g. pod phase Pending); on update, old is the stored
	 * object.  Runs after defaults. */
	void (*prepare)(int op, struct cJSON *obj, const struct cJSON *old);
	/* Validate; add one error per problem.  old is NULL on create.  Name
	 * and generic metadata (labels, annotations, ownerReferences,
	 * finalizers) are validated by the core; this checks the kind's own
	 * rules, including immutable fields on update. */
	void (*validate)(int op, const struct cJSON *obj, const struct cJSON *old,
	                 k8c_field_errors_t *errs);

	/* Table output: columns, and the cells of one row (append exactly
	 * n_columns cJSON values to cells, a cJSON array; NAME first). */
	const k8c_table_column_t *columns;
	size_t n_columns;
	void (*row)(const struct cJSON *obj, struct cJSON *cells, long long now_s);

	/* Field selectors beyond metadata.name and metadata.namespace, in
	 * Kubernetes' names ("spec.nodeName", "status.phase"), NULL-terminated;
	 * the value is read by the generic dotted-path getter unless
	 * field_value is set. */
	const char *const *field_selectors;
	/* Value of a supported field for selection (borrowed, or NULL for ""). */
	const char *(*field_value)(const struct cJSON *obj, const char *field, char *buf,
	                           size_t buflen);

	/* Scale subresource: where replicas live (dotted paths) and how the
	 * label selector is rendered into Scale.status.selector. */
	const char *scale_spec_replicas;    /* "spec.replicas" */
	const char *scale_status_replicas;  /* "status.replicas" */
	const char *scale_selector;         /* "spec.selector" (a LabelSelector) */

	/* Name syntax, when not a DNS-1123 subdomain (RBAC names are path
	 * segments): 1 when valid, else 0 with msg filled. */
	int (*name_valid)(const char *name, char *msg, size_t msglen);
	/* Non-zero when validate() checks metadata.name's syntax itself
	 * (namespaces: DNS label, services: DNS-1035 label), so the core
	 * does not report it twice. */
	int validates_name;

	/* Why deleting the object named name is refused (the reason Kubernetes
	 * words after "is forbidden: "; static), or NULL when it may go.  Asked
	 * by DELETE of one object only: Kubernetes' deletecollection does not
	 * ask (system PriorityClasses). */
	const char *(*delete_forbidden)(const char *name);

	/* Objects kept in another kind's storage, as Kubernetes keeps
	 * events.k8s.io/v1 Events as core/v1 Events (one set of objects, two
	 * APIs): that kind, and whole-object conversions in place to its form
	 * before storing and back after reading.  NULL: stored as they are. */
	const struct k8c_kind *stored_as;
	void (*to_stored)(struct cJSON *obj);
	void (*from_stored)(struct cJSON *obj);
} k8c_kind_t;

/* All kinds the API server serves, NULL-terminated (registry.c). */
extern const k8c_kind_t *const k8c_kinds[];

/* Look-ups over k8c_kinds. */
const k8c_kind_t *k8c_kind_by_resource(const char *group, const char *version,
                                       const char *resource);
const k8c_kind_t *k8c_kind_by_kind(const char *group, const char *version,
                                   const char *kind);

#endif
