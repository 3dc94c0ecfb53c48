/* Shared by core/client/ (all of its .c files): the client's state. */
#ifndef K8C_CLIENT_INTERNAL_H
#define K8C_CLIENT_INTERNAL_H

#include <pthread.h>

#include <curl/curl.h>

#include "client/client.h"

typedef struct k8c_client_conn {
	CURL *curl;                     /* owned */
	struct k8c_client_conn *next;   /* in the idle list */
} k8c_client_conn_t;

struct k8c_client {
	char *server;      /* owned, without a trailing '/' */
	char *user_agent;  /* owned */
	int timeout_ms;

	pthread_mutex_t lock;       /* idle, watches, n_watches */
	k8c_client_conn_t *idle;    /* owned: connections not in use */
	k8c_client_watch_t *watches; /* running watches (owned by their threads until joined) */
	size_t n_watches;
	pthread_cond_t watches_gone; /* n_watches dropped */
};

/* Borrow a handle (reset, with the common options) / give it back. */
k8c_client_conn_t *k8c_client_conn_get(k8c_client_t *c);
void k8c_client_conn_put(k8c_client_t *c, k8c_client_conn_t *conn);

/* client_watch.c: the watch and watch_stop of the API table. */
int k8c_client_watch_start(void *ctx, const char *path, const char *resource_version,
                           k8c_client_watch_fn fn, void *udata, void (*free_fn)(void *udata),
                           k8c_client_watch_t **out, k8c_error_t *err);
void k8c_client_watch_end(void *ctx, k8c_client_watch_t *w);
/* Stop every watch and wait until their threads are gone. */
void k8c_client_watches_stop_all(k8c_client_t *c);

#endif
