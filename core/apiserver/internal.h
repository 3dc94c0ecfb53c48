/* The API server's internals, shared by its files (not by other modules). */
#ifndef K8C_APISERVER_INTERNAL_H
#define K8C_APISERVER_INTERNAL_H

#include <pthread.h>
#include <stdint.h>

#include <k8c/store.h>

#include "apiserver/api.h"
#include "apiserver/apiserver.h"
#include "apiserver/http.h"
#include "apiserver/kind.h"
#include "common/completion.h"
#include "plugin/host.h"

struct cJSON;

#define K8C_MAX_HUBS 64
struct k8c_hub;

struct k8c_apiserver {
	k8c_apiserver_config_t cfg;      /* strings owned copies */
	k8c_plugin_instance_t *store_inst;
	const k8c_store_ops_t *store;    /* borrowed from the store plugin */
	void *store_cookie;
	int store_offloaded;              /* calls go through the worker pool (store_offload.c) */
	k8c_http_t *http;
	int shutting_down;               /* set before the HTTP server stops */
	int log_proxies;                 /* pods/log relays running (pod_log.c) */
	int schema_ready;                /* k8c_schema_init succeeded */
	pthread_mutex_t lock;
	pthread_cond_t shutdown_cond;    /* broadcast when shutting down */
	struct k8c_hub *hubs[K8C_MAX_HUBS]; /* watch hubs by kind index, made on first use (lock) */
	/* Service address allocation (service_alloc.c) */
	uint32_t svc_net, svc_size;      /* --service-cidr, host order */
	int node_port_lo, node_port_hi;  /* --service-node-port-range */
	char *cfg_service_cidr;          /* owned, for messages */
	k8c_lock_t svc_lock;             /* held from allocation to stored create (across the write: a fiber lock) */
	int svc_lock_ready;
	/* Active namespaces seen recently (objects.c): name -> expiry (ns,
	 * monotonic), so a create needs no store read; ns_lock */
	struct cJSON *ns_cache;
	uint64_t ns_gen;              /* bumped by every forget (ns_lock): a lookup that raced one is not remembered */
	pthread_mutex_t ns_lock;
	/* Successful writes (create, update, delete) of each kind through this
	 * server, by index in k8c_kinds (atomics, storage.c): a cache of a
	 * small collection is current while the count it was filled at holds */
	uint64_t kind_writes[K8C_MAX_HUBS];
	/* The PriorityClasses the Priority admission reads (admission.c): a
	 * copy of all of them (owned), filled at pc_cache_writes writes and
	 * trusted until pc_cache_until_ns (monotonic: another server on the
	 * same datastore may write them); pc_lock */
	struct cJSON *pc_cache;
	uint64_t pc_cache_writes;
	int64_t pc_cache_until_ns;
	pthread_mutex_t pc_lock;
	/* /readyz and /healthz: whether the datastore answered, checked at
	 * most once a second (atomics) */
	int64_t store_checked_ns;
	int store_ok;
};

/* What a URL names. */
typedef struct k8c_route {
	const k8c_kind_t *kind;   /* NULL for non-resource paths */
	char *ns;                 /* owned or NULL */
	char *name;               /* owned or NULL */
	char *sub;                /* owned subresource or NULL */
	int watch_prefix;         /* legacy /watch/ path form */
} k8c_route_t;

/* --- storage.c: objects in the datastore ---------------------------------- */

/* "/registry/GROUP/RESOURCE/NS/NAME" (GROUP "core" for ""); ns and name
 * may be NULL for prefixes (which then end in '/'). */
char *k8c_storage_key(const k8c_kind_t *kind, const char *ns, const char *name);
/* The end of the key range under prefix (its last byte plus one), for
 * range and watch; caller frees. */
char *k8c_storage_prefix_end(const char *prefix);
/* Read one object; *obj gets metadata.resourceVersion.  -K8C_ENOTFOUND. */
int k8c_storage_get(k8c_apiserver_t *srv, const k8c_kind_t *kind, const char *ns,
                    const char *name, struct cJSON **obj, k8c_error_t *err);
/* The stored JSON text of one object with its resourceVersion spliced in,
 * without parsing it (the GET fast path); caller frees *json. */
int k8c_storage_get_json(k8c_apiserver_t *srv, const k8c_kind_t *kind, const char *ns,
                         const char *name, char **json, size_t *len, k8c_error_t *err);
/* Insert "resourceVersion" into the top-level metadata of a stored value;
 * NULL when it has none.  Caller frees. */
char *k8c_storage_splice_rv(const char *value, size_t len, int64_t rev, size_t *out_len);
/* Create; obj's resourceVersion is removed before storing and set after. */
/* The same, and *json (caller frees, may come back NULL) receives the
 * stored text with its resourceVersion: the create's response. */
int k8c_storage_create_json(k8c_apiserver_t *srv, const k8c_kind_t *kind, struct cJSON *obj,
                            char **json, size_t *json_len, k8c_error_t *err);
int k8c_storage_create(k8c_apiserver_t *srv, const k8c_kind_t *kind, struct cJSON *obj,
                       k8c_error_t *err);
/* Update if the stored mod revision is expected (from obj's
 * resourceVersion when expected is 0). */
int k8c_storage_update(k8c_apiserver_t *srv, const k8c_kind_t *kind, struct cJSON *obj,
                       int64_t expected, k8c_error_t *err);
/* Delete if the stored mod revision is expected (0: any). */
int k8c_storage_delete(k8c_apiserver_t *srv, const k8c_kind_t *kind, const char *ns,
                       const char *name, int64_t expected, int64_t *rev, k8c_error_t *err);
/* Append every object of kind (in ns, or all of them when ns is NULL) to
 * items, a cJSON array, each with its resourceVersion: for the few small
 * collections the server itself consults (PriorityClasses). */
int k8c_storage_list(k8c_apiserver_t *srv, const k8c_kind_t *kind, const char *ns,
                     struct cJSON *items, k8c_error_t *err);
/* Append the names (strings) of keys in [prefix, end) to names. */
int k8c_storage_list_names(k8c_apiserver_t *srv, const char *prefix, const char *end,
                           struct cJSON *names, k8c_error_t *err);
/* Parse a stored value and stamp its resourceVersion. */
struct cJSON *k8c_storage_decode(const k8c_kind_t *kind, const char *value, size_t len,
                                 int64_t rev);
/* A stored value as kind's JSON text with its resourceVersion: the stored
 * bytes spliced when the kind is stored as it is, else decoded, converted
 * and printed.  NULL when not JSON.  Caller frees. */
char *k8c_storage_item_json(const k8c_kind_t *kind, const k8c_store_kv_t *kv, size_t *len);
int64_t k8c_storage_rv(const struct cJSON *obj);
/* How many writes of kind went through this server so far. */
uint64_t k8c_storage_writes(k8c_apiserver_t *srv, const k8c_kind_t *kind);

/* --- objects.c / subresources.c: resource handlers ------------------------ */
void k8c_handle_resource(k8c_apiserver_t *srv, const k8c_api_request_t *req,
                         const k8c_route_t *route, k8c_api_response_t *resp);
void k8c_handle_list(k8c_apiserver_t *srv, const k8c_api_request_t *req,
                     const k8c_route_t *route, k8c_api_response_t *resp);
void k8c_handle_watch(k8c_apiserver_t *srv, const k8c_api_request_t *req,
                      const k8c_route_t *route, k8c_api_response_t *resp);

/* Shared by handlers.c, delete.c and subresources.c */
void k8c_handle_subresource(k8c_apiserver_t *srv, const k8c_api_request_t *req,
                            const k8c_route_t *route, k8c_api_response_t *resp);
void k8c_handle_delete(k8c_apiserver_t *srv, const k8c_api_request_t *req,
                       const k8c_route_t *route, k8c_api_response_t *resp);
void k8c_handle_delete_collection(k8c_apiserver_t *srv, const k8c_api_request_t *req,
                                  const k8c_route_t *route, k8c_api_response_t *resp);
void k8c_handle_get_object(k8c_apiserver_t *srv, const k8c_api_request_t *req,
                           const k8c_route_t *route, k8c_api_response_t *resp);
/* PUT namespaces/NAME/finalize: replace spec.finalizers (and metadata). */
void k8c_handle_finalize(k8c_apiserver_t *srv, const k8c_api_request_t *req,
                         const k8c_route_t *r, k8c_api_response_t *resp);
void k8c_handle_update_object(k8c_apiserver_t *srv, const k8c_api_request_t *req,
                              const k8c_route_t *route, int status, k8c_api_response_t *resp);
void k8c_handle_patch_object(k8c_apiserver_t *srv, const k8c_api_request_t *req,
                             const k8c_route_t *route, int status, k8c_api_response_t *resp);

/* list.c: the objects of the route's collection that match the request's
 * selectors (NULL with resp filled on error); a List object of items
 * (taken) at revision rev with an optional continue token. */
struct cJSON *k8c_list_matching(k8c_apiserver_t *srv, const k8c_api_request_t *req,
                                const k8c_route_t *route, k8c_api_response_t *resp);
struct cJSON *k8c_make_list(const k8c_kind_t *kind, struct cJSON *items, int64_t rev,
                            const char *cont);

/* --- discovery.c --------------------------------------------------------- */
/* Serve /api, /apis, /api/v1, /apis/G, /apis/G/V, /version; 0 when the
 * path is none of them. */
int k8c_handle_discovery(k8c_apiserver_t *srv, const k8c_api_request_t *req,
                         k8c_api_response_t *resp);

/* --- table.c ------------------------------------------------------------- */
/* Does the client ask for a Table (Accept: application/json;as=Table;...)? */
int k8c_wants_table(const k8c_api_request_t *req);
/* A meta.k8s.io/v1 Table of objs (an array, borrowed) for kind. */
struct cJSON *k8c_table(const k8c_kind_t *kind, const struct cJSON *objs,
                        const struct cJSON *list_meta, int include_object);

/* Forget what the namespace cache knows about ns (it changed). */
void k8c_namespace_cache_forget(k8c_apiserver_t *srv, const char *ns);

/* --- pod_log.c: pods/log, relayed from the node's kubelet ----------------- */
void k8c_handle_pod_log(k8c_apiserver_t *srv, const k8c_api_request_t *req,
                        const k8c_route_t *r, k8c_api_response_t *resp);
/* Wait for the pods/log relays to see shutting_down and end. */
void k8c_pod_log_drain(k8c_apiserver_t *srv);

/* --- errors: map a k8c error to a Status response ------------------------ */
void k8c_respond_error(k8c_api_response_t *resp, const k8c_kind_t *kind, const char *name,
                       int ret, const k8c_error_t *err);
/* 403 Forbidden as Kubernetes' NewForbidden words it: `pods "web" is
 * forbidden: REASON` (`RESOURCE.GROUP` outside the core group), details
 * {name, group, kind}.  Returns -K8C_EPERM. */
int k8c_respond_forbidden(k8c_api_response_t *resp, const k8c_kind_t *kind, const char *name,
                          const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
