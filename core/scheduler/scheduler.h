/* The scheduler (DESIGN §6): binds every pod without spec.nodeName whose
 * spec.schedulerName names one of its profiles to a node, through the API
 * server only (pods/binding).  Decisions come from scheduler policy
 * plugins, arranged in profiles by the config file:
 *
 *   scheduler:
 *     percentage-of-nodes-to-score: 0      # 0: adaptive, as kube-scheduler
 *     profiles:
 *     - scheduler-name: default-scheduler
 *       plugins:
 *         filter: [node-unschedulable, node-name, taint-toleration, ...]
 *         score: [{name: taint-toleration, weight: 3}, ...]
 *         bind: [default-binder]
 *       plugin-config: [{name: node-resources-fit, args: {...}}]
 *
 * A plugin named under filter runs at pre_filter, filter, post_filter,
 * reserve and unreserve; under score at pre_score, score and
 * normalize_score; under bind at bind.  Without profiles, one profile
 * "default-scheduler" with kube-scheduler's default plugins (those loaded). */
#ifndef K8C_SCHEDULER_SCHEDULER_H
#define K8C_SCHEDULER_SCHEDULER_H

#include <stdint.h>

#include "client/client.h"
#include "plugin/loader.h"

struct cJSON;

typedef struct k8c_scheduler k8c_scheduler_t;

typedef struct k8c_scheduler_config {
	k8c_client_t *client;               /* borrowed until stop */
	const k8c_plugin_set_t *plugins;    /* borrowed until stop */
	const struct cJSON *config;         /* the `scheduler:` section (borrowed for start), or NULL */
	const struct cJSON *plugin_config;  /* the `plugins:` section (borrowed for start), or NULL */
	const char *data_dir;               /* for plugin instances; may be NULL */
	int binders;                        /* binding threads (0: 8) */
	int leader_elect;                   /* schedule only while holding kube-system/kube-scheduler */
} k8c_scheduler_config_t;

/* Load the profiles' plugins, start the informers and the scheduling
 * loop.  Returns once the caches are filled (or with an error). */
int k8c_scheduler_start(const k8c_scheduler_config_t *cfg, k8c_scheduler_t **out,
                        k8c_error_t *err);
/* Stop scheduling, finish the bindings under way, free. */
void k8c_scheduler_stop(k8c_scheduler_t *s);

#endif
