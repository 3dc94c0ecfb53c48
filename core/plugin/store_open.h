/* Opening the datastore an endpoint names: the store plugin whose schemes
 * include the endpoint's, one instance of it, open().  Shared by the API
 * server and `k8c datastore`. */
#ifndef K8C_PLUGIN_STORE_OPEN_H
#define K8C_PLUGIN_STORE_OPEN_H

#include <k8c/store.h>

#include "plugin/host.h"
#include "plugin/loader.h"

struct cJSON;

typedef struct k8c_store_handle {
	k8c_plugin_instance_t *inst; /* owned */
	const k8c_store_ops_t *ops;  /* borrowed from the plugin */
	void *cookie;                /* the instance's */
} k8c_store_handle_t;

/* Open endpoint ("sqlite://PATH", "http://HOST:PORT,...") with the plugin
 * of set that serves its scheme, configured from plugins_section
 * (plugins.store.NAME; may be NULL).  On failure h is left empty. */
int k8c_store_open(const k8c_plugin_set_t *set, const struct cJSON *plugins_section,
                   const char *data_dir, const char *endpoint, k8c_store_handle_t *h,
                   k8c_error_t *err);
/* close() and free the instance; h is empty after. */
void k8c_store_close(k8c_store_handle_t *h);

#endif
