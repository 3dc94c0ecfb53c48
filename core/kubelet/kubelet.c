/* The kubelet's life: nodes first (registered before anything else, so
 * that pods can be bound), then the heartbeat, events, probes and the pod
 * table with its workers.  Stopping leaves containers running: the next
 * kubelet adopts them. */
#define K8C_LOG_COMPONENT "kubelet"
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/mem.h"
#include "kubelet/internal.h"

int k8c_kubelet_start(const k8c_kubelet_config_t *cfg, k8c_kubelet_t **out, k8c_error_t *err)
{
	k8c_kubelet_t *kl;
	int ret;

	if (cfg->runtime == NULL || !K8C_HAS_MEMBER(cfg->runtime->struct_size, k8c_runtime_ops_t, list) ||
	    cfg->runtime->list == NULL)
		return k8c_error_make(err, K8C_EINVAL,
		                      "runtime %s is too old: the kubelet needs plugin ABI 1.3 (list)",
		                      cfg->runtime_name ? cfg->runtime_name : "?");
	if (cfg->node_name == NULL || !*cfg->node_name)
		return k8c_error_make(err, K8C_EINVAL, "no node name");
	kl = k8c_xcalloc(1, sizeof(*kl));
	kl->cfg = *cfg;
	kl->data_dir = k8c_xstrdup(cfg->data_dir);
	kl->node_ip = cfg->node_ip ? k8c_xstrdup(cfg->node_ip) : kl_default_node_ip();
	kl->runtime_name = k8c_xstrdup(cfg->runtime_name ? cfg->runtime_name : "unknown");
	kl->sim_cpu = k8c_xstrdup(cfg->sim_cpu ? cfg->sim_cpu : "8");
	kl->sim_memory = k8c_xstrdup(cfg->sim_memory ? cfg->sim_memory : "32Gi");
	kl->sim_pods = k8c_xstrdup(cfg->sim_pods ? cfg->sim_pods : "110");
	kl->hollow = (cfg->runtime->flags & K8C_RUNTIME_F_HOLLOW) != 0;
	pthread_mutex_init(&kl->lock, NULL);
	pthread_cond_init(&kl->cond, NULL);
	k8c_strmap_init(&kl->node_by_name);
	k8c_strmap_init(&kl->pods); /* before the log server looks into it */
	kl->n_nodes = cfg->sim_nodes > 0 ? (size_t)cfg->sim_nodes : 1;
	kl->nodes = k8c_xcalloc(kl->n_nodes, sizeof(*kl->nodes));
	for (size_t i = 0; i < kl->n_nodes; i++) {
		kl->nodes[i].name = cfg->sim_nodes > 0 ? k8c_xasprintf("%s-%zu", cfg->node_name, i)
		                                       : k8c_xstrdup(cfg->node_name);
		k8c_strmap_put(&kl->node_by_name, kl->nodes[i].name, &kl->nodes[i]);
	}
	/* first: the Nodes advertise its port */
	if ((ret = kl_log_server_start(kl, err)) < 0 || (ret = kl_nodes_register(kl, err)) < 0) {
		k8c_kubelet_stop(kl);
		return ret;
	}
	kl_events_start(kl);
	kl_probes_start(kl);
	pthread_create(&kl->heartbeat, NULL, kl_heartbeat_thread, kl);
	kl_pods_start(kl);
	K8C_INFO("kubelet running: %zu node%s (%s%s), runtime %s, node IP %s, logs on port %d",
	         kl->n_nodes, kl->n_nodes == 1 ? "" : "s", kl->nodes[0].name,
	         kl->n_nodes > 1 ? ", ..." : "", kl->runtime_name, kl->node_ip, kl->port);
	*out = kl;
	return 0;
}

void k8c_kubelet_stop(k8c_kubelet_t *kl)
{
	if (kl == NULL)
		return;
	pthread_mutex_lock(&kl->lock);
	kl->stop = 1;
	pthread_cond_broadcast(&kl->cond);
	pthread_mutex_unlock(&kl->lock);
	kl_log_server_stop(kl); /* its readers look into the pod table */
	/* queues refuse new work first: workers and probes feed each other */
	if (kl->queue != NULL)
		k8c_workqueue_shutdown(kl->queue);
	if (kl->probe_queue != NULL)
		k8c_workqueue_shutdown(kl->probe_queue);
	if (kl->heartbeat)
		pthread_join(kl->heartbeat, NULL);
	kl_probes_stop(kl);
	if (kl->queue != NULL)
		kl_pods_stop(kl);
	kl_probes_free(kl);
	kl_events_stop(kl);
	for (size_t i = 0; i < kl->n_nodes; i++) {
		free(kl->nodes[i].name);
		free(kl->nodes[i].uid);
		free(kl->nodes[i].last_conditions);
	}
	free(kl->nodes);
	k8c_strmap_free(&kl->node_by_name);
	pthread_cond_destroy(&kl->cond);
	pthread_mutex_destroy(&kl->lock);
	free(kl->data_dir);
	free(kl->node_ip);
	free(kl->runtime_name);
	free(kl->sim_cpu);
	free(kl->sim_memory);
	free(kl->sim_pods);
	free(kl);
}
