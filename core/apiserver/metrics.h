/* Prometheus metrics of the API server (/metrics, text format 0.0.4):
 * requests by verb, resource and code with latency histograms, datastore
 * operation latency, and open watchers.  Lock-free counters. */
#ifndef K8C_APISERVER_METRICS_H
#define K8C_APISERVER_METRICS_H

#include <stdint.h>

#include "apiserver/kind.h"

enum k8c_metric_verb {
	K8C_MV_GET, K8C_MV_LIST, K8C_MV_WATCH, K8C_MV_CREATE, K8C_MV_UPDATE, K8C_MV_PATCH,
	K8C_MV_DELETE, K8C_MV_DELETECOLLECTION, K8C_MV_OTHER, K8C_MV_COUNT,
};

enum k8c_metric_store_op {
	K8C_MS_GET, K8C_MS_LIST, K8C_MS_CREATE, K8C_MS_UPDATE, K8C_MS_DELETE, K8C_MS_COUNT,
};

/* One served request (kind NULL for non-resource paths). */
void k8c_metrics_request(const k8c_kind_t *kind, int verb, int code, int64_t ns);
/* One datastore operation. */
void k8c_metrics_store(int op, int64_t ns);
/* Watchers opened (+1) and closed (-1). */
void k8c_metrics_watchers(const k8c_kind_t *kind, int delta);
/* The whole exposition; caller frees. */
char *k8c_metrics_render(void);

#endif
