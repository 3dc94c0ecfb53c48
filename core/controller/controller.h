/* The controller manager (`k8c controller-manager`, and inside `k8c
 * server`): runs the controller plugins (<k8c/controller.h>) over shared
 * informers, one rate-limited work queue and worker pool per controller,
 * while holding the Lease kube-system/kube-controller-manager. */
#ifndef K8C_CONTROLLER_CONTROLLER_H
#define K8C_CONTROLLER_CONTROLLER_H

#include <k8c/error.h>

#include "client/client.h"
#include "plugin/loader.h"

struct cJSON;

typedef struct k8c_controller_manager k8c_controller_manager_t;

typedef struct k8c_cm_config {
	k8c_client_t *client;               /* borrowed until stop */
	const k8c_plugin_set_t *plugins;    /* borrowed until stop */
	const struct cJSON *options;        /* the command's values (borrowed until stop):
	                                     * "controllers", "node-monitor-grace-period", ... */
	const struct cJSON *plugin_config;  /* the config file's plugins: section, or NULL */
	const char *data_dir;               /* for the plugins' data directories, or NULL */
	int leader_elect;                   /* work only while holding the Lease */
} k8c_cm_config_t;

/* Choose the controllers (--controllers), create their instances, start
 * the informers and the election.  Fails when a controller cannot start. */
int k8c_controller_manager_start(const k8c_cm_config_t *cfg, k8c_controller_manager_t **out,
                                 k8c_error_t *err);
/* Stop the workers, the informers and the plugins; free. */
void k8c_controller_manager_stop(k8c_controller_manager_t *cm);
/* Number of controllers running (for the start-up log line). */
size_t k8c_controller_manager_count(const k8c_controller_manager_t *cm);

/* Is the controller named `name` (a plugin name such as "garbage-collector")
 * selected by the --controllers list `list` (JSON array of strings, each
 * possibly comma-separated; NULL means ["*"])?  Names compare as
 * kube-controller-manager's do, ignoring '-' and a trailing "controller":
 * "garbagecollector", "garbage-collector-controller" and
 * "garbage-collector" are one.  "*" selects the controllers enabled by
 * default, "-name" deselects, "name" selects. */
int k8c_controller_selected(const struct cJSON *list, const char *name, int default_enabled);

#endif
