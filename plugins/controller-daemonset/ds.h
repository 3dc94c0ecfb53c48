/* Controller plugin "daemonset": the parts shared by its files.
 *
 *   daemonset.c  the plugin: descriptor, watches, on_change, reconcile
 *   elig.c       which nodes a DaemonSet's pod belongs on (nodeSelector,
 *                required node affinity, taints against tolerations with
 *                the DaemonSet default tolerations), and the pod's node
 *   pods.c       the DaemonSet's pods per node, manage (create what is
 *                missing, delete what is extra)
 *   rolling.c    the rolling update (maxUnavailable, maxSurge)
 *   history.c    ControllerRevisions: hash, snapshot, dedup, cleanup
 *   status.c     the status counts
 *
 * As kube-controller-manager 1.32's pkg/controller/daemon. */
#ifndef K8C_PLUGIN_DS_H
#define K8C_PLUGIN_DS_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <k8c/controller.h>

#include "common/selector.h"
#include "common/strmap.h"

struct cJSON;

/* Indexes into the watches array. */
enum { W_DS = 0, W_POD = 1, W_NODE = 2, W_CR = 3 };

#define DS_HASH_LABEL "controller-revision-hash"
#define DS_GENERATION_LABEL "pod-template-generation"
#define DS_GENERATION_ANNOTATION "deprecated.daemonset.template.generation"
#define DS_BURST_REPLICAS 250 /* kube-controller-manager's burstReplicas */

/* The cookie. */
typedef struct ds_ctl {
	const k8c_host_t *host;              /* borrowed until fini */
	const k8c_controller_host_t *ch;     /* host->controller, borrowed */
	pthread_mutex_t lock;                /* guards backoff and orphans */
	k8c_strmap_t backoff;                /* "uid/node" -> ds_backoff_t* (owned) */
	k8c_strmap_t orphans;                /* ns -> k8c_strmap_t* (owned) of the keys
	                                        of pods without a controller */
} ds_ctl_t;

/* What eligibility reads of a node: borrowed from the Node object (the
 * cache's, under its list callback, or on_change's), valid while it is. */
typedef struct ds_node {
	const char *name;
	const struct cJSON *labels; /* metadata.labels or NULL */
	const struct cJSON *taints; /* spec.taints or NULL */
} ds_node_t;

/* The node from its Node object (borrowed, see ds_node_t); 0 when it has
 * no name. */
int ds_node_from_json(const struct cJSON *obj, ds_node_t *out);

/* One node of a sync: its name (owned) and what ds_node_should_run said
 * of it for the DaemonSet, worked out while the node was borrowed (a
 * sync copies no labels or taints). */
typedef struct ds_sync_node {
	char *name;
	int should_run, should_continue;
} ds_sync_node_t;

/* One parsed NodeSelectorTerm. */
typedef struct ds_term {
	int valid;                   /* 0: did not parse, matches nothing */
	k8c_label_selector_t *exprs; /* NULL when none */
	size_t n_names;
	char **names;                /* metadata.name In (negate 0) / NotIn (1) */
	int *negate;
} ds_term_t;

/* What decides where the daemon pod may run: the template's pod with the
 * default tolerations (kube's NewPod). */
typedef struct ds_sched {
	char *node_name;              /* template spec.nodeName, NULL when none */
	struct cJSON *node_selector;  /* copy of spec.nodeSelector or NULL */
	int has_required;             /* required node affinity given */
	size_t n_terms;
	ds_term_t *terms;
	struct cJSON *tolerations;    /* owned array: template's + defaults */
} ds_sched_t;

/* A daemon pod, copied out of the cache. */
typedef struct ds_pod {
	char *name, *uid;
	char *node;         /* target node: spec.nodeName or the affinity's; NULL */
	char *hash;         /* controller-revision-hash label or NULL */
	char *generation;   /* pod-template-generation label or NULL */
	int scheduled;      /* spec.nodeName set */
	int deleting;       /* metadata.deletionTimestamp set */
	int phase;          /* POD_PENDING ... */
	int ready;          /* Ready condition True */
	int64_t ready_since;  /* its lastTransitionTime, ns (0 unknown) */
	int64_t created;    /* creationTimestamp, ns */
	int skip;           /* finished and being deleted: not counted */
	int adopt;          /* an orphan that matches: to adopt */
	int release;        /* ours but no longer matching: to release */
} ds_pod_t;

enum { POD_OTHER = 0, POD_RUNNING = 1, POD_SUCCEEDED = 2, POD_FAILED = 3 };

/* A ControllerRevision of the DaemonSet, copied out of the cache. */
typedef struct ds_rev {
	char *name;
	char *hash;          /* controller-revision-hash label, NULL when none */
	int64_t revision;
	struct cJSON *data;  /* owned copy */
	int adopt;           /* an orphan that matches: to adopt */
} ds_rev_t;

/* One reconcile of one DaemonSet: everything read from the cache. */
typedef struct ds_sync {
	ds_ctl_t *ctl;
	const char *key;            /* borrowed */
	struct cJSON *ds;           /* the DaemonSet, owned copy */
	const char *ns, *name, *uid;/* borrowed from ds */
	k8c_label_selector_t *selector;
	ds_sched_t sched;
	ds_sync_node_t *nodes;      /* sorted by name */
	size_t n_nodes;
	ds_pod_t *pods;             /* the DaemonSet's pods */
	size_t n_pods;
	char *generation;           /* the template generation annotation or NULL */
	char *hash;                 /* the current revision's hash */
	ds_rev_t *old_revs;         /* the other revisions */
	size_t n_old_revs;
	int64_t now;                /* ns */
	int64_t requeue_ms;         /* > 0: reconcile again after that */
	int satisfied;              /* expectations met, read before the pods */
	size_t acted;               /* pods created or deleted in this sync */
} ds_sync_t;

/* elig.c */
int ds_sched_parse(const struct cJSON *tmpl_spec, ds_sched_t *out, k8c_error_t *err);
void ds_sched_free(ds_sched_t *s);
void ds_node_should_run(const ds_sched_t *s, const ds_node_t *node,
                        int *should_run, int *should_continue);
void ds_add_default_tolerations(struct cJSON *spec);
void ds_replace_node_affinity(struct cJSON *spec, const char *node);
const char *ds_target_node(const struct cJSON *pod);
int ds_tolerates(const struct cJSON *tolerations, const struct cJSON *taint);

/* pods.c */
void ds_pods_collect(ds_sync_t *s);
void ds_orphan_set(ds_ctl_t *ctl, const char *ns, const char *key, int orphan);
void ds_orphans_free(ds_ctl_t *ctl);
int ds_manage(ds_sync_t *s, k8c_error_t *err);
const ds_sync_node_t *ds_find_node(const ds_sync_t *s, const char *name);
int ds_surge_count(const ds_sync_t *s, int total);
int ds_unavailable_count(const ds_sync_t *s, int total);
/* Names to create pods on or pods to delete (strings borrowed). */
typedef struct ds_names {
	char **v;
	size_t n;
} ds_names_t;
void ds_names_add(ds_names_t *l, char *name);
/* syncNodes: create on the nodes of create, delete the pods of del (both
 * lists freed). */
int ds_sync_nodes(ds_sync_t *s, ds_names_t *del, ds_names_t *create, k8c_error_t *err);

/* rolling.c */
int ds_rolling_update(ds_sync_t *s, k8c_error_t *err);
void ds_pods_free(ds_pod_t *pods, size_t n);
/* The pods targeting node: *start and the count (skipped ones included). */
size_t ds_pods_on(const ds_sync_t *s, const char *node, size_t *start);
int ds_pod_updated(const ds_sync_t *s, const ds_pod_t *p);
int ds_pod_available(const ds_pod_t *p, int64_t min_ready_s, int64_t now);
int ds_pod_older(const ds_pod_t *a, const ds_pod_t *b);
int64_t ds_min_ready_seconds(const struct cJSON *ds);
int ds_scaled_value(const struct cJSON *v, int total, int *out);

/* pods.c: API helpers */
/* The uid of obj's controller ownerReference (borrowed), or NULL. */
const char *ds_controller_uid(const struct cJSON *obj);
struct cJSON *ds_owner_ref(const ds_sync_t *s);
int ds_api(ds_sync_t *s, const char *method, const struct cJSON *body,
           const char *content_type, struct cJSON **out, k8c_error_t *err,
           const char *path_fmt, ...) __attribute__((format(printf, 7, 8)));

/* history.c */
void ds_revs_free(ds_rev_t *revs, size_t n);
int ds_history_sync(ds_sync_t *s, k8c_error_t *err);
int ds_history_cleanup(ds_sync_t *s, k8c_error_t *err);
char *ds_compute_hash(const struct cJSON *tmpl, int64_t collision_count);
struct cJSON *ds_history_patch(const struct cJSON *ds);
struct cJSON *ds_json_sorted(const struct cJSON *v);

/* status.c */
int ds_update_status(ds_sync_t *s, int observed_gen, k8c_error_t *err);

/* daemonset.c: the backoff of failed pods on one node (1 s doubling to
 * 15 min, as kube's failedPodsBackoff).  ds_backoff_check returns 0 when
 * the pod may be deleted now (and starts the next period), else the ms to
 * wait. */
int64_t ds_backoff_check(ds_ctl_t *ctl, const char *key, int64_t now);

#endif
