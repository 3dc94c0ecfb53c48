/* Real etcd members for tests: started on free loopback ports in a
 * temporary directory, stopped (and the directory removed) at the end.
 * Debian's etcd-server; tests that need it skip only when ETCD_BIN is not
 * installed, which CI never allows (.ci/run installs it). */
#ifndef K8C_TESTS_ETCD_PROC_H
#define K8C_TESTS_ETCD_PROC_H

#include <sys/types.h>

#define ETCD_BIN "/usr/bin/etcd"
#define ETCD_MAX_MEMBERS 5

typedef struct etcd_member {
	char name[16];
	int client_port, peer_port;
	char dir[256];      /* its data directory */
	char log[256];      /* its output */
	pid_t pid;          /* 0 when stopped */
} etcd_member_t;

typedef struct etcd_cluster {
	char root[128];          /* the temporary directory (removed by stop) */
	int n;
	etcd_member_t m[ETCD_MAX_MEMBERS];
	char endpoints[512];     /* "http://127.0.0.1:P1,http://127.0.0.1:P2,..." */
} etcd_cluster_t;

/* Start n members (1..ETCD_MAX_MEMBERS) and wait until the cluster answers
 * a read (up to 30 s).  Returns 0, or -1 with a message on stderr. */
int etcd_cluster_start(etcd_cluster_t *c, int n);
/* Kill (SIGKILL) or stop (SIGTERM) one member and reap it. */
void etcd_member_kill(etcd_cluster_t *c, int i, int sig);
/* Start member i again on its ports and data directory (no wait). */
int etcd_member_restart(etcd_cluster_t *c, int i);
/* Wait until member i answers /health with "true" (up to ms). */
int etcd_member_wait_healthy(etcd_cluster_t *c, int i, int ms);
/* The index of the member that is leader now, or -1. */
int etcd_cluster_leader(etcd_cluster_t *c);
/* POST body to path ("/v3/kv/deleterange") on member i; the answer's body
 * into out.  Returns 0, or -1 when the member did not answer. */
int etcd_member_post(etcd_cluster_t *c, int i, const char *path, const char *body, char *out,
                     size_t len);
/* Stop every member and remove the directory. */
void etcd_cluster_stop(etcd_cluster_t *c);

#endif
