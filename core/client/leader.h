/* Leader election through a coordination.k8s.io/v1 Lease, as client-go's
 * leaderelection package does it, so that several copies of a component
 * (`k8c scheduler`, the controller manager) run but one works:
 *
 *   - a candidate takes the Lease when nobody holds it or its holder has
 *     not renewed it for leaseDurationSeconds (15 s), as seen on the
 *     candidate's own clock since the record last changed (no clock skew);
 *   - the leader renews it every 2 s; when it could not for 10 s it has
 *     lost it and stops working (`stopped`), then is a candidate again;
 *   - a leader that stops releases the Lease (holder "", duration 1 s), so
 *     that another takes over at once.
 *
 * Writes are PUTs with the resourceVersion read: two candidates cannot
 * both win. */
#ifndef K8C_CLIENT_LEADER_H
#define K8C_CLIENT_LEADER_H

#include "client/client.h"

typedef struct k8c_leader k8c_leader_t;

typedef struct k8c_leader_config {
	k8c_client_t *client;        /* borrowed until stop */
	const char *ns, *name;       /* the Lease, e.g. kube-system/kube-scheduler (copied) */
	const char *identity;        /* this candidate (copied); NULL: HOSTNAME_UUID */
	/* Called on the election's thread: became the leader / lost it (or
	 * stopping while leader).  May be NULL. */
	void (*started)(void *arg);
	void (*stopped)(void *arg);
	void *arg;
} k8c_leader_config_t;

/* Start campaigning on a thread of its own. */
k8c_leader_t *k8c_leader_start(const k8c_leader_config_t *cfg);
/* Stop (calls stopped when leading), release the Lease, free. */
void k8c_leader_stop(k8c_leader_t *l);
/* This candidate's identity (borrowed). */
const char *k8c_leader_identity(const k8c_leader_t *l);

#endif
