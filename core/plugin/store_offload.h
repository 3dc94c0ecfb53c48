/* Calls into a blocking store from a worker pool.  A store plugin without
 * K8C_STORE_F_NONBLOCKING (store-etcd: every call is a network round trip)
 * is wrapped so that a call made on a fiber runs on a worker thread while
 * the fiber waits on a completion: the API server's thread goes on serving
 * other requests.  Calls from plain threads go straight through. */
#ifndef K8C_PLUGIN_STORE_OFFLOAD_H
#define K8C_PLUGIN_STORE_OFFLOAD_H

#include "plugin/store_open.h"

/* If h's store blocks, replace h->ops and h->cookie by the wrapper's (its
 * close() closes the store, then frees the wrapper) and return 1.
 * Otherwise leave h and return 0. */
int k8c_store_offload_wrap(k8c_store_handle_t *h);

#endif
