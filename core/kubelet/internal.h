/* Shared by core/kubelet/ (one file per concept: nodes and leases, the pod
 * table and workers, a pod's sync, its status, container configs, probes,
 * events, logs).
 *
 * Locking: kl->lock guards the pod table and every kpod_t's `pod`, `gone`
 * and probe results; the worker writes `id`, `running`, `sandbox_id`,
 * `pod_ip`, `waiting_reason` and the log attempts under it too, because
 * probe threads and the log server read them.  Everything else of a kpod_t belongs to the worker
 * that holds its key in kl->queue (the work queue gives a key to one
 * worker at a time). */
#ifndef K8C_KUBELET_INTERNAL_H
#define K8C_KUBELET_INTERNAL_H

#include <pthread.h>
#include <stdint.h>

#include <k8c/runtime.h>

#include "client/informer.h"
#include "common/json_path.h"
#include "common/strmap.h"
#include "common/workqueue.h"
#include "kubelet/kubelet.h"

struct cJSON;

enum probe_kind { PROBE_STARTUP, PROBE_LIVENESS, PROBE_READINESS, N_PROBES };

typedef struct kprobe {
	int configured;
	int successes, failures; /* consecutive */
	int result;              /* 1 success, 0 failure, -1 not yet */
	int64_t next_ns;         /* monotonic: when it runs next */
	char last_output[256];
} kprobe_t;

typedef struct kcontainer {
	char *name;          /* owned */
	int is_init;
	char id[K8C_RUNTIME_ID_MAX]; /* current runtime container, "" when none */
	char prev_id[K8C_RUNTIME_ID_MAX]; /* the one before (logs --previous) */
	k8c_runtime_container_status_t st; /* last read from the runtime */
	int have_st;
	/* the last terminated run, for lastState */
	k8c_runtime_container_status_t last;
	int have_last;
	int restart_count;
	int64_t backoff_ns;      /* current CrashLoopBackOff delay, 0 none */
	int64_t last_start_mono; /* when the last (re)start happened */
	char waiting_reason[64];
	char waiting_message[256];
	int kill_requested;      /* a liveness or startup probe failed */
	char kill_reason[256];
	kprobe_t probes[N_PROBES]; /* under kl->lock */
	unsigned probe_gen;      /* under kl->lock: bumped when probes are re-armed */
	int started;             /* startup probe passed (or none): under kl->lock */
	int ready;               /* under kl->lock */
	int running;             /* under kl->lock: the worker saw it running (probes run) */
	/* under kl->lock, for the log server: the attempts whose log files
	 * `kubectl logs` and `kubectl logs --previous` show (-1: none yet) */
	int log_attempt, log_prev_attempt;
} kcontainer_t;

typedef struct knode knode_t;

typedef struct kpod {
	char *uid;            /* owned */
	char *ns, *name;      /* owned */
	knode_t *node;        /* borrowed */
	struct cJSON *pod;    /* latest from the informer, owned; under kl->lock */
	int gone;             /* the API object is gone; under kl->lock */

	char sandbox_id[K8C_RUNTIME_ID_MAX];
	char pod_ip[64];
	int64_t start_time_ns; /* wall clock: status.startTime */
	kcontainer_t *containers; /* init containers first */
	size_t n_containers, n_init;
	int terminal;          /* Succeeded or Failed: never runs again */
	int terminated;        /* deletion: containers and sandbox stopped */
	int final_deleted;     /* the final DELETE was sent */
	char *last_status;     /* JSON text of the status last written, owned */
	struct cJSON *conditions; /* last written conditions (transition times), owned */
	int adopted;           /* containers came from the runtime's list */
	int synced_once;
	int status_frozen;     /* finished before we started: never written */
} kpod_t;

struct knode {
	char *name;           /* owned */
	char *uid;            /* the Node's uid (Lease owner), owned */
	int64_t next_lease_ns, next_status_ns; /* monotonic */
	int lease_exists;
	int lease_renewed_once;
	char *last_conditions; /* JSON text of the conditions last posted */
	int64_t last_lease_ok_ns; /* monotonic time of the last renewal that worked (0: none) */
	int lease_failed;         /* the last renewal failed */
	int status_stale;         /* the node controller may have marked us Unknown: post */
};

struct k8c_kubelet {
	k8c_kubelet_config_t cfg;
	char *data_dir, *node_ip, *runtime_name; /* owned copies */
	char *sim_cpu, *sim_memory, *sim_pods;   /* owned */
	int hollow;                              /* runtime flag K8C_RUNTIME_F_HOLLOW */

	knode_t *nodes;        /* n_nodes, owned */
	size_t n_nodes;
	k8c_strmap_t node_by_name; /* name -> knode_t* (borrowed) */

	pthread_mutex_t lock;
	pthread_cond_t cond;   /* stop */
	int stop;
	k8c_strmap_t pods;     /* uid -> kpod_t* (owned) */
	k8c_strmap_t adopt;    /* pod uid -> k8c_strmap of container name -> entry text */

	k8c_informer_t *pod_informer;
	k8c_workqueue_t *queue;   /* pod uids */
	pthread_t *workers;
	int n_workers;
	k8c_workqueue_t *probe_queue; /* "uid/container/kind" */
	pthread_t probe_threads[4];
	pthread_t heartbeat, pleg;

	struct k8c_recorder *events; /* owned */
	struct kl_log_server *log_server;
	int port;                 /* the log server's, advertised in the Node */
};

/* node.c */
char *kl_default_node_ip(void); /* the first non-loopback IPv4 (caller frees) */
int kl_nodes_register(k8c_kubelet_t *kl, k8c_error_t *err);
void *kl_heartbeat_thread(void *arg);
/* The Node's addresses' InternalIP. */
const char *kl_node_ip(k8c_kubelet_t *kl);

/* pods.c: the pod table, informer handlers, workers, PLEG. */
void kl_pods_start(k8c_kubelet_t *kl);
void kl_pods_stop(k8c_kubelet_t *kl);
void kl_pod_free(kpod_t *kp);
kcontainer_t *kl_container(kpod_t *kp, const char *name);

/* pod_sync.c: bring one pod's containers to what its spec says. */
void kl_sync_pod(k8c_kubelet_t *kl, const char *uid);

/* pod_status.c: compute and write status (skips when unchanged). */
void kl_write_status(k8c_kubelet_t *kl, kpod_t *kp, const struct cJSON *pod);
/* Phase from the containers (Kubernetes' getPhase). */
const char *kl_pod_phase(kpod_t *kp, const struct cJSON *pod);

/* container_config.c: resolve image, argv, env and volumes; returns < 0
 * with a waiting reason ("ErrImageNeverPull", "CreateContainerConfigError")
 * in reason and the message in err. */
typedef struct kl_container_config {
	k8c_runtime_container_config_t rt;
	char **argv, **envp;          /* owned, NULL-terminated */
	char *rootfs;                 /* owned */
	char *log_path;               /* owned */
	k8c_runtime_mount_t *mounts;  /* owned, with owned strings */
	size_t n_mounts;
} kl_container_config_t;
int kl_container_config(k8c_kubelet_t *kl, kpod_t *kp, const struct cJSON *pod,
                        const struct cJSON *spec, kcontainer_t *kc, kl_container_config_t *out,
                        char reason[64], k8c_error_t *err);
void kl_container_config_free(kl_container_config_t *c);
/* DATA-DIR/pods/<uid> (caller frees). */
char *kl_pod_dir(k8c_kubelet_t *kl, const char *uid);
/* The container's log file for an attempt (caller frees). */
char *kl_log_path(k8c_kubelet_t *kl, const char *pod_uid, const char *container, int attempt);

/* probes.c */
void kl_probes_start(k8c_kubelet_t *kl);
void kl_probes_stop(k8c_kubelet_t *kl); /* join the threads */
void kl_probes_free(k8c_kubelet_t *kl); /* after the pod workers stopped */
/* (Re)arm the probes of a container that just started; lock held. */
void kl_probes_arm(k8c_kubelet_t *kl, kpod_t *kp, kcontainer_t *kc, const struct cJSON *spec);
/* Forget probe state (container gone); lock held. */
void kl_probes_reset(kcontainer_t *kc);

/* log_server.c: the kubelet's HTTP endpoint for container logs
 * (/containerLogs/NS/POD/CONTAINER, proxied by the API server's pods/log)
 * and /healthz.  Start sets kl->port (kl->cfg.port, or the one picked for
 * 0); a negative cfg.port serves nothing. */
int kl_log_server_start(k8c_kubelet_t *kl, k8c_error_t *err);
void kl_log_server_stop(k8c_kubelet_t *kl);

/* events.c: events through the event recorder (client/recorder.h). */
void kl_events_start(k8c_kubelet_t *kl);
void kl_events_stop(k8c_kubelet_t *kl);
/* An event about a pod (field_path may be NULL, e.g.
 * "spec.containers{web}"); type "Normal" or "Warning". */
typedef struct kl_pod_ref {
	const char *ns, *name, *uid, *node; /* borrowed */
} kl_pod_ref_t;
void kl_event_ref(k8c_kubelet_t *kl, const kl_pod_ref_t *ref, const char *field_path,
                  const char *type, const char *reason, const char *message);
void kl_event(k8c_kubelet_t *kl, kpod_t *kp, const char *field_path, const char *type,
              const char *reason, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* A container's spec by name in pod (borrowed), and whether it is an init
 * container. */
const struct cJSON *kl_container_spec(const struct cJSON *pod, const char *name, int *is_init);

#endif
