/* Plugin instances: the host table the core hands a plugin, and the
 * init/fini lifecycle around it.  One loaded plugin can be instantiated
 * any number of times, each instance with its own config and cookie. */
#ifndef K8C_PLUGIN_HOST_H
#define K8C_PLUGIN_HOST_H

#include <k8c/plugin.h>

#include "plugin/loader.h"

struct cJSON;
struct k8c_client_api;

typedef struct k8c_plugin_instance k8c_plugin_instance_t;

/* Create an instance of plugin p: make its data directory
 * (data_dir/plugins/KIND-NAME, unless data_dir is NULL), copy config (may be
 * NULL: an empty object is passed) and call init().  The instance borrows
 * p, which must outlive it.  Returns < 0 with err set when init fails. */
int k8c_plugin_instance_new(const k8c_loaded_plugin_t *p,
                            const struct cJSON *config, const char *data_dir,
                            k8c_plugin_instance_t **out, k8c_error_t *err);
/* The same, with an API client for the instance (k8c_host_t.client and
 * client_ctx; both borrowed and valid until the instance is freed). */
int k8c_plugin_instance_new_client(const k8c_loaded_plugin_t *p, const struct cJSON *config,
                                   const char *data_dir, const struct k8c_client_api *client,
                                   void *client_ctx, k8c_plugin_instance_t **out,
                                   k8c_error_t *err);
/* What an instance may be handed besides the basics (all borrowed, valid
 * until the instance is freed; NULL members are not offered). */
typedef struct k8c_plugin_services {
	const struct k8c_client_api *client;
	void *client_ctx;
	const struct k8c_controller_host *controller;
} k8c_plugin_services_t;
int k8c_plugin_instance_new_services(const k8c_loaded_plugin_t *p, const struct cJSON *config,
                                     const char *data_dir, const k8c_plugin_services_t *svc,
                                     k8c_plugin_instance_t **out, k8c_error_t *err);
/* fini() and free. */
void k8c_plugin_instance_free(k8c_plugin_instance_t *inst);

void *k8c_plugin_instance_cookie(const k8c_plugin_instance_t *inst);
const k8c_plugin_t *k8c_plugin_instance_desc(const k8c_plugin_instance_t *inst);
const k8c_host_t *k8c_plugin_instance_host(const k8c_plugin_instance_t *inst);

/* The config subtree plugins.KIND.NAME of a config (borrowed) or NULL. */
const struct cJSON *k8c_plugin_config_for(const struct cJSON *plugins_section,
                                          int kind, const char *name);

#endif
