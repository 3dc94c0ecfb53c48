/* k8c plugin SDK — container runtime plugins (kind K8C_PLUGIN_RUNTIME).
 *
 * CRI-like calls the kubelet makes (DESIGN §6): a pod sandbox (the shared
 * namespaces of a pod) and containers inside it.  IDs are opaque strings
 * chosen by the runtime, at most K8C_RUNTIME_ID_MAX - 1 bytes, made of
 * [A-Za-z0-9._-].  All calls are blocking and thread-safe; the kubelet calls
 * them from pod workers.
 *
 * Containers outlive the kubelet: a runtime keeps what it needs to answer
 * status and list for sandboxes and containers it created before the agent
 * restarted (in host->data_dir), and its containers keep running meanwhile.
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

/* One bind mount into a container (a volumeMount the kubelet resolved:
 * emptyDir and hostPath directories, configMap and secret files it wrote,
 * subPath applied).  Borrowed for the call. */
typedef struct k8c_runtime_mount {
	const char *host_path;      /* existing file or directory on the host */
	const char *container_path; /* absolute path inside the container */
	int read_only;
} k8c_runtime_mount_t;

/* Everything the kubelet resolved for one container.  Borrowed for the
 * call.  The runtime reads workingDir, resources.limits (cpu, memory) and
 * the like from container itself. */
typedef struct k8c_runtime_container_config {
	uint32_t struct_size;         /* Since 1.0 */
	const struct cJSON *pod;      /* the Pod */
	const struct cJSON *container;/* the container's spec (from spec.containers or spec.initContainers) */
	/* File that receives stdout and stderr in the CRI log format
	 * ("2006-01-02T15:04:05.999999999Z07:00 stdout F line"), written by
	 * the runtime (or a process it leaves behind), which must keep
	 * writing it while the agent is down.  Its directory exists. */
	const char *log_path;
	const char *const *argv;      /* command + args resolved, NULL-terminated */
	const char *const *envp;      /* "NAME=value", resolved, NULL-terminated */
	uint32_t attempt;             /* restart count */
	/* Since 1.3 (K8C_HAS_MEMBER(config->struct_size,
	 * k8c_runtime_container_config_t, log_max_files)): */
	const char *rootfs;           /* the image's root filesystem, read-only and shared: never write into it; NULL for hollow runtimes */
	const k8c_runtime_mount_t *mounts; /* n_mounts entries, in order */
	size_t n_mounts;
	int64_t log_max_bytes;        /* rotate log_path when larger (0: never) */
	uint32_t log_max_files;       /* keep log_path.1 ... log_path.(N-1) */
} k8c_runtime_container_config_t;

/* One sandbox or container, as list() reports it to a restarted kubelet. */
typedef struct k8c_runtime_entry {
	uint32_t struct_size;       /* Since 1.3 */
	int is_container;           /* 0: a sandbox */
	const char *id;
	const char *sandbox_id;     /* a container's sandbox; a sandbox's own id */
	const char *pod_uid;        /* metadata.uid of the pod it was made for */
	const char *pod_namespace;
	const char *pod_name;
	const char *container_name; /* containers only */
	uint32_t attempt;           /* containers only */
	int state;                  /* containers: enum k8c_container_state; sandboxes: 1 ready, 0 not */
} k8c_runtime_entry_t;

/* Runtime flags (k8c_runtime_ops_t.flags). */
/* Nothing runs: hollow containers have no process, network or log
 * (runtime-sim).  The kubelet counts httpGet and tcpSocket probes as
 * succeeding and serves an empty log. */
#define K8C_RUNTIME_F_HOLLOW 0x1u

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

	/* Since 1.3 (K8C_HAS_MEMBER(ops->struct_size, k8c_runtime_ops_t,
	 * sandbox_netns)): */
	uint32_t flags; /* K8C_RUNTIME_F_* */

	/* Call fn once for every sandbox and container the runtime knows
	 * (including those made before the agent restarted), sandboxes
	 * first.  The entry and its strings are borrowed for the call; fn
	 * must not call back into the runtime.  Required since 1.3. */
	int (*list)(void *cookie,
	            void (*fn)(void *udata, const k8c_runtime_entry_t *entry),
	            void *udata, k8c_error_t *err);

	/* The path of a file that setns(CLONE_NEWNET) accepts for the
	 * sandbox's network namespace (the kubelet runs httpGet and
	 * tcpSocket probes in it), or "" when the pod uses the host's
	 * network or the runtime is hollow.  Optional. */
	int (*sandbox_netns)(void *cookie, const char *id, char *path,
	                     size_t path_len, k8c_error_t *err);
} k8c_runtime_ops_t;

#define K8C_RUNTIME_OPS_SIZE_1_0 \
	(offsetof(k8c_runtime_ops_t, exec) + sizeof(void *))

#ifdef __cplusplus
}
#endif

#endif /* K8C_RUNTIME_H */
