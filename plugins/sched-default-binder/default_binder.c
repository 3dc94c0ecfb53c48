/* Scheduler policy "default-binder": kube-scheduler's DefaultBinder.
 *
 * bind POSTs a v1 Binding to the pod's binding subresource through the
 * host's API client:
 *
 *   POST /api/v1/namespaces/NS/pods/NAME/binding
 *   {"apiVersion": "v1", "kind": "Binding",
 *    "metadata": {"name": NAME, "namespace": NS, "uid": UID},
 *    "target": {"apiVersion": "v1", "kind": "Node", "name": NODE}}
 *
 * The uid (when the pod has one) makes the API server refuse to bind a
 * different pod that took the same name meanwhile.  A failure comes back
 * as K8C_SCHED_ERROR with the client's error code (K8C_ECONFLICT when the
 * pod is already bound, e.g. by another scheduler; K8C_ENOTFOUND when it
 * was deleted) and its message, prefixed with the pod and node.
 *
 * The pod's name and namespace and the node's name go into the request
 * path, so they are checked first (DNS subdomain, DNS label, DNS
 * subdomain, as the API server's validation ensures for stored objects):
 * a malformed one is an ERROR, never a request to some other path.
 *
 * No config. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include <k8c/client.h>
#include <k8c/scheduler.h>

#include "common/mem.h"
#include "common/names.h"

struct default_binder {
	const k8c_host_t *host; /* borrowed, valid until fini */
};

/* metadata.FIELD of the pod as a string (borrowed), or NULL. */
static const char *meta_str(const cJSON *pod, const char *field)
{
	const cJSON *md = cJSON_GetObjectItemCaseSensitive(pod, "metadata");
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(md, field);

	return cJSON_IsString(v) && v->valuestring != NULL ? v->valuestring : NULL;
}

/* The v1 Binding of pod ns/name (uid may be NULL) to node.  Caller frees
 * with cJSON_Delete; NULL only when cJSON runs out of memory. */
static cJSON *make_binding(const char *ns, const char *name, const char *uid, const char *node)
{
	cJSON *b = cJSON_CreateObject(), *md, *target;
	int ok = b != NULL;

	ok = ok && cJSON_AddStringToObject(b, "apiVersion", "v1") != NULL;
	ok = ok && cJSON_AddStringToObject(b, "kind", "Binding") != NULL;
	ok = ok && (md = cJSON_AddObjectToObject(b, "metadata")) != NULL;
	ok = ok && cJSON_AddStringToObject(md, "name", name) != NULL;
	ok = ok && cJSON_AddStringToObject(md, "namespace", ns) != NULL;
	ok = ok && (uid == NULL || cJSON_AddStringToObject(md, "uid", uid) != NULL);
	ok = ok && (target = cJSON_AddObjectToObject(b, "target")) != NULL;
	ok = ok && cJSON_AddStringToObject(target, "apiVersion", "v1") != NULL;
	ok = ok && cJSON_AddStringToObject(target, "kind", "Node") != NULL;
	ok = ok && cJSON_AddStringToObject(target, "name", node) != NULL;
	if (!ok) {
		cJSON_Delete(b);
		return NULL;
	}
	return b;
}

static int check_names(const char *ns, const char *name, const char *node, k8c_error_t *err)
{
	char msg[K8C_NAME_MSG_MAX];

	if (name == NULL || name[0] == '\0')
		return k8c_error_make(err, K8C_EINVAL,
		                      "default-binder: the pod has no metadata.name");
	if (ns == NULL || ns[0] == '\0')
		return k8c_error_make(err, K8C_EINVAL,
		                      "default-binder: pod %.253s has no metadata.namespace", name);
	if (!k8c_is_dns1123_label(ns, msg, sizeof(msg)))
		return k8c_error_make(err, K8C_EINVAL,
		                      "default-binder: pod namespace \"%.63s\": %s", ns, msg);
	if (!k8c_is_dns1123_subdomain(name, msg, sizeof(msg)))
		return k8c_error_make(err, K8C_EINVAL, "default-binder: pod name \"%.253s\": %s",
		                      name, msg);
	if (node == NULL || node[0] == '\0')
		return k8c_error_make(err, K8C_EINVAL, "default-binder: no node name");
	if (!k8c_is_dns1123_subdomain(node, msg, sizeof(msg)))
		return k8c_error_make(err, K8C_EINVAL, "default-binder: node name \"%.253s\": %s",
		                      node, msg);
	return 0;
}

static int binder_bind(void *cookie, const k8c_sched_cycle_t *cycle, const char *node_name,
                       k8c_error_t *err)
{
	const struct default_binder *db = cookie;
	const k8c_host_t *host = db->host;
	const char *ns, *name, *uid;
	_cleanup_json_ cJSON *body = NULL;
	char path[512];
	int ret;

	if (cycle == NULL || cycle->pod == NULL) {
		k8c_error_make(err, K8C_EINVAL, "default-binder: no pod to bind");
		return K8C_SCHED_ERROR;
	}
	ns = meta_str(cycle->pod, "namespace");
	name = meta_str(cycle->pod, "name");
	uid = meta_str(cycle->pod, "uid");
	if (check_names(ns, name, node_name, err) < 0)
		return K8C_SCHED_ERROR;
	if (host->client == NULL || host->client->request == NULL) {
		k8c_error_make(err, K8C_EUNAVAIL,
		               "default-binder: no API client: cannot bind pod %s/%s to node %s",
		               ns, name, node_name);
		return K8C_SCHED_ERROR;
	}
	body = make_binding(ns, name, uid != NULL && uid[0] != '\0' ? uid : NULL, node_name);
	if (body == NULL) {
		k8c_error_make(err, K8C_ENOMEM, "default-binder: out of memory");
		return K8C_SCHED_ERROR;
	}
	/* ns is at most 63 and name 253 bytes: the path fits. */
	snprintf(path, sizeof(path), "/api/v1/namespaces/%s/pods/%s/binding", ns, name);
	if (host->log_enabled(host->ctx, K8C_LOG_DEBUG))
		host->log(host->ctx, K8C_LOG_DEBUG, "binding pod %s/%s to node %s", ns, name,
		          node_name);
	ret = host->client->request(host->client_ctx, "POST", path, body, NULL, NULL, err);
	if (ret < 0) {
		if (err != NULL) {
			char cause[K8C_ERROR_MESSAGE_MAX];

			memcpy(cause, err->message, sizeof(cause));
			cause[sizeof(cause) - 1] = '\0';
			k8c_error_make(err, err->code != K8C_OK ? err->code : K8C_EINTERNAL,
			               "binding pod %s/%s to node %s: %s", ns, name, node_name,
			               cause);
		}
		return K8C_SCHED_ERROR;
	}
	return K8C_SCHED_SUCCESS;
}

static int init(const k8c_host_t *host, const cJSON *config, void **cookie, k8c_error_t *err)
{
	struct default_binder *db;
	const cJSON *c;

	(void)err;
	cJSON_ArrayForEach(c, config)
	{
		host->log(host->ctx, K8C_LOG_WARN, "ignoring unknown config key \"%s\"",
		          c->string ? c->string : "");
	}
	if (host->client == NULL)
		host->log(host->ctx, K8C_LOG_WARN, "no API client: every bind will fail");
	db = k8c_xcalloc(1, sizeof(*db));
	db->host = host;
	*cookie = db;
	return 0;
}

static void fini(void *cookie)
{
	free(cookie);
}

static const k8c_sched_policy_ops_t ops = {
    .struct_size = sizeof(k8c_sched_policy_ops_t),
    .bind = binder_bind,
};

K8C_PLUGIN_EXPORT const k8c_plugin_t k8c_plugin = {
    K8C_PLUGIN_HEADER(K8C_PLUGIN_SCHEDULER),
    .name = "default-binder",
    .version = PACKAGE_VERSION,
    .description = "binds pods with a POST to pods/binding (kube-scheduler DefaultBinder)",
    .init = init,
    .fini = fini,
    .ops = &ops,
};
