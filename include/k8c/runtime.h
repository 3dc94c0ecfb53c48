/* k8c plugin SDK — container runtime plugins (kind K8C_PLUGIN_RUNTIME).
 *
 * CRI-like calls the kubelet makes (DESIGN §6): a pod sandbox (the shared
 * namespaces of a pod) and containers inside it.  IDs are opaque strings
 * chosen by the runtime, at most K8C_RUNTIME_ID_MAX - 1 bytes.  All calls
 * are blocking and thread-safe; the kubelet calls them from pod workers.
 */
#ifndef K8C_RUNTIME_H
#define K8C_RUNTIME_H

#include <k8c/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

#define K8C_RUNTIME_ID_MAX 128

enum k8c_container_state {
	K8C_CONTAINER_CREATED = 1,
	K8C_CONTAINER_RUNNING = 2,
	K8C_CONTAINER_EXITED = 3,
	K8C_CONTAINER_UNKNOWN = 4,
};

/* Everything the kubelet resolved for one container.  Borrowed for the
 * call. */
typedef struct k8c_runtime_container_config {
	uint32_t struct_size;         /* Since 1.0 */
	const struct cJSON *pod;      /* the Pod */
	const struct cJSON *container;/* the container's spec (from spec.containers or spec.initContainers) */
	const char *log_path;         /* file that receives stdout and stderr, kubelet-owned */
	const char *const *argv;      /* command + args resolved, NULL-terminated */
	const char *const *envp;      /* "NAME=value", resolved, NULL-terminated */
	uint32_t attempt;             /* restart count */
} k8c_runtime_container_config_t;

typedef struct k8c_runtime_container_status {
	int state;              /* enum k8c_container_state */
	int pid;                /* host pid while running, else 0 */
	int exit_code;          /* when EXITED; 128+signal for a signal */
	int64_t created_ns;     /* wall clock, ns since epoch; 0 when unknown */
	int64_t started_ns;
	int64_t finished_ns;
	char reason[64];        /* "Completed", "Error", "OOMKilled", ... */
	char message[256];
} k8c_runtime_container_status_t;

typedef struct k8c_runtime_sandbox_status {
	int ready;              /* 1 while the sandbox's namespaces exist */
	char ip[64];            /* pod IP, "" when none */
} k8c_runtime_sandbox_status_t;

typedef struct k8c_runtime_ops {
	uint32_t struct_size; /* Since 1.0 */

	/* Make sure image is present locally (pull, unpack).  Optional. */
	int (*pull_image)(void *cookie, const char *image, k8c_error_t *err);

	/* Create the pod's sandbox (namespaces, network, cgroup parent).
	 * pod is borrowed.  id receives the sandbox id.  Required. */
	int (*run_sandbox)(void *cookie, const struct cJSON *pod,
	                   char id[K8C_RUNTIME_ID_MAX], k8c_error_t *err);
	int (*stop_sandbox)(void *cookie, const char *id, k8c_error_t *err);     /* Required */
	int (*remove_sandbox)(void *cookie, const char *id, k8c_error_t *err);   /* Required */
	int (*sandbox_status)(void *cookie, const char *id,
	                      k8c_runtime_sandbox_status_t *st, k8c_error_t *err); /* Required */

	/* Create (not start) a container in a sandbox.  Required. */
	int (*create_container)(void *cookie, const char *sandbox_id,
	                        const k8c_runtime_container_config_t *config,
	                        char id[K8C_RUNTIME_ID_MAX], k8c_error_t *err);
	int (*start_container)(void *cookie, const char *id, k8c_error_t *err); /* Required */

	/* SIGTERM, then SIGKILL after timeout_s seconds.  Required. */
	int (*stop_container)(void *cookie, const char *id, int64_t timeout_s,
	                      k8c_error_t *err);
	int (*remove_container)(void *cookie, const char *id, k8c_error_t *err); /* Required */
	int (*container_status)(void *cookie, const char *id,
	                        k8c_runtime_container_status_t *st,
	                        k8c_error_t *err); /* Required */

	/* Run argv inside a running container, wait at most timeout_s.
	 * *output (may be NULL) receives stdout+stderr, malloc'd, caller frees
	 * with free().  Optional (exec probes need it). */
	int (*exec)(void *cookie, const char *id, const char *const *argv,
	            int64_t timeout_s, int *exit_code, char **output,
	            k8c_error_t *err);
} k8c_runtime_ops_t;

#define K8C_RUNTIME_OPS_SIZE_1_0 \
	(offsetof(k8c_runtime_ops_t, exec) + sizeof(void *))

#ifdef __cplusplus
}
#endif

#endif /* K8C_RUNTIME_H */
