/* k8c plugin SDK — the API client a plugin reaches through k8c_host_t.
 *
 * Every component talks to the API server only through this interface (in
 * one process the core serves it in-process, otherwise over HTTP), so a
 * controller or cloud provider plugin works the same in `k8c server` and in
 * a split deployment.  Paths are Kubernetes REST paths such as
 * "/api/v1/namespaces/default/pods/web-0" or "/apis/apps/v1/deployments";
 * query strings may be appended ("?labelSelector=app%3Dweb").
 *
 * Errors: an API error Status comes back as a return value < 0 with
 * err->code mapped from its reason (NotFound -> K8C_ENOTFOUND, AlreadyExists
 * -> K8C_EEXIST, Conflict -> K8C_ECONFLICT, Invalid/BadRequest ->
 * K8C_EINVAL, Expired/Gone -> K8C_EEXPIRED, Forbidden -> K8C_EPERM, 5xx and
 * connection failures -> K8C_EUNAVAIL) and the Status message in
 * err->message.
 */
#ifndef K8C_CLIENT_H
#define K8C_CLIENT_H

#include <k8c/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Content types for k8c_client_api_t.request with method "PATCH". */
#define K8C_PATCH_MERGE "application/merge-patch+json"
#define K8C_PATCH_JSON "application/json-patch+json"
#define K8C_PATCH_STRATEGIC "application/strategic-merge-patch+json"
#define K8C_PATCH_APPLY "application/apply-patch+yaml"

/* Watch event types, as in the Kubernetes watch stream. */
enum k8c_watch_event_type {
	K8C_WATCH_ADDED = 1,
	K8C_WATCH_MODIFIED = 2,
	K8C_WATCH_DELETED = 3,
	K8C_WATCH_BOOKMARK = 4,
};

/* One watch event.  object is borrowed for the duration of the call:
 * cJSON_Duplicate() it to keep it.  When the watch ends (stopped, server
 * closed it, expired) the callback is called once more with type 0 and
 * object NULL, and end describes why (K8C_OK when stopped by the caller). */
typedef void (*k8c_client_watch_fn)(void *udata, int type,
                                    const struct cJSON *object,
                                    const k8c_error_t *end);

typedef struct k8c_client_watch k8c_client_watch_t; /* opaque */

typedef struct k8c_client_api {
	uint32_t struct_size; /* Since 1.0 */

	/* One request.  method is "GET", "POST", "PUT", "PATCH" or "DELETE";
	 * body is borrowed and may be NULL; content_type applies to the body
	 * (NULL means application/json).  On success *out (if out is not
	 * NULL) receives the decoded response, owned by the caller, freed with
	 * cJSON_Delete().  Blocking; thread-safe.  Since 1.0 */
	int (*request)(void *client_ctx, const char *method, const char *path,
	               const struct cJSON *body, const char *content_type,
	               struct cJSON **out, k8c_error_t *err);

	/* Start watching a collection path from resource_version (NULL or ""
	 * for "now").  fn is called on a client thread, one event at a time,
	 * in order.  free_fn (may be NULL) is called with udata after the
	 * final callback.  *out receives a handle for watch_stop().  Since 1.0 */
	int (*watch)(void *client_ctx, const char *path,
	             const char *resource_version, k8c_client_watch_fn fn,
	             void *udata, void (*free_fn)(void *udata),
	             k8c_client_watch_t **out, k8c_error_t *err);

	/* Stop a watch.  When it returns, fn will not be called again except
	 * for the final end-of-watch call, which has already happened.
	 * Since 1.0 */
	void (*watch_stop)(void *client_ctx, k8c_client_watch_t *watch);
} k8c_client_api_t;

#ifdef __cplusplus
}
#endif

#endif /* K8C_CLIENT_H */
