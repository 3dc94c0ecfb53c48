/* Cluster IPs and node ports of Services, allocated at create as the
 * Kubernetes API server does (from --service-cidr and
 * --service-node-port-range), and the `kubernetes` Service that names the
 * API server itself.  Allocation looks at the Services that exist (a
 * deleted Service frees its IP and ports) under a lock held across the
 * create, so two creates never get the same address. */
#ifndef K8C_APISERVER_SERVICE_ALLOC_H
#define K8C_APISERVER_SERVICE_ALLOC_H

#include "apiserver/internal.h"

struct cJSON;

/* Parse "10.43.0.0/16" and "30000-32767" into srv (at start). */
int k8c_service_alloc_init(k8c_apiserver_t *srv, const char *cidr, const char *ports,
                           k8c_error_t *err);
/* Fill in spec.clusterIP(s) and node ports of a new Service; check the ones
 * the client chose.  Call with srv->svc_lock held until the create is
 * stored.  0, or < 0 with errs filled. */
int k8c_service_alloc(k8c_apiserver_t *srv, struct cJSON *svc, k8c_field_errors_t *errs);
/* Create or refresh default/kubernetes and its Endpoints. */
int k8c_bootstrap_kubernetes_service(k8c_apiserver_t *srv, k8c_error_t *err);

#endif
