/* The namespace controller (plugins/controller-namespace): shared
 * between its files. */
#ifndef K8C_CONTROLLER_NAMESPACE_H
#define K8C_CONTROLLER_NAMESPACE_H

#include <stdint.h>

#include <k8c/client.h>
#include <k8c/controller.h>

struct cJSON;

typedef struct ns_ctl {
	const k8c_host_t *host;          /* borrowed until fini */
	const k8c_controller_host_t *ch; /* host->controller */
} ns_ctl_t;

int ns_request(ns_ctl_t *c, const char *method, const char *path, const struct cJSON *body,
               const char *ctype, struct cJSON **out, k8c_error_t *err);

/* content.c: delete everything in the namespace ns (a live Namespace,
 * borrowed; its status.conditions are updated in place as kube's
 * namespace deleter keeps them).  Returns the estimate in seconds before
 * the content is gone (0: gone), or < 0 with err filled when some of it
 * could not be deleted.  *conditions_changed tells the caller to write
 * the status. */
int64_t ns_delete_content(ns_ctl_t *c, struct cJSON *ns, int *conditions_changed, k8c_error_t *err);

#endif
