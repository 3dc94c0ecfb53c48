/* What the API server sets up at start: the built-in namespaces and
 * PriorityClasses, and the admin kubeconfig. */
#ifndef K8C_APISERVER_BOOTSTRAP_H
#define K8C_APISERVER_BOOTSTRAP_H

#include <k8c/error.h>

struct k8c_apiserver;

/* Create default, kube-system, kube-public and kube-node-lease if absent. */
int k8c_bootstrap_namespaces(struct k8c_apiserver *srv, k8c_error_t *err);
/* Create system-node-critical and system-cluster-critical if absent. */
int k8c_bootstrap_priority_classes(struct k8c_apiserver *srv, k8c_error_t *err);
/* Write a kubeconfig for http://addr:port (mode 0600, atomically). */
int k8c_write_kubeconfig(const char *path, const char *addr, int port, k8c_error_t *err);

#endif
