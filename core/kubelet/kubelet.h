/* The kubelet (DESIGN §6): registers its Node(s), renews their Leases,
 * runs the pods bound to them through a runtime plugin, probes them and
 * reports their status.  One kubelet can host many hollow nodes (the sim
 * runtime): they share the pod informer, the workers and the runtime. */
#ifndef K8C_KUBELET_KUBELET_H
#define K8C_KUBELET_KUBELET_H

#include <stdint.h>

#include <k8c/runtime.h>

#include "client/client.h"

typedef struct k8c_kubelet k8c_kubelet_t;

typedef struct k8c_kubelet_config {
	k8c_client_t *client;            /* borrowed until stop */
	const char *server_url;          /* the API server (its hosts may fetch logs); may be NULL */
	const k8c_runtime_ops_t *runtime; /* borrowed */
	void *runtime_cookie;
	const char *runtime_name;        /* "process", "sim" */
	const char *data_dir;            /* DATA-DIR (images, pods/ for volumes and logs) */
	const char *node_name;           /* the node, or the prefix of hollow nodes */
	int sim_nodes;                   /* 0: one real node; N: hollow nodes PREFIX-0..N-1 */
	const char *sim_cpu, *sim_memory, *sim_pods; /* capacity of hollow nodes */
	const char *node_ip;             /* NULL: the first non-loopback IPv4 */
	int port;                        /* kubelet API (logs); 0: none */
	int workers;                     /* pod workers (0: 4) */
	int64_t log_max_bytes;           /* container log rotation (0: 10 MiB) */
	int log_max_files;               /* (0: 5) */
} k8c_kubelet_config_t;

/* Start: register the node(s), start the heartbeat, the pod informer and
 * the workers.  Returns once the nodes are registered. */
int k8c_kubelet_start(const k8c_kubelet_config_t *cfg, k8c_kubelet_t **out, k8c_error_t *err);
/* Stop every thread.  Containers keep running (a restarted kubelet
 * adopts them); nothing is deleted. */
void k8c_kubelet_stop(k8c_kubelet_t *kl);

#endif
