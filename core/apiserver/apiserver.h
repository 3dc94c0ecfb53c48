/* The API server: the only component that touches the datastore
 * (DESIGN §1).  Started by `k8c server` and `k8c apiserver`. */
#ifndef K8C_APISERVER_APISERVER_H
#define K8C_APISERVER_APISERVER_H

#include <k8c/error.h>

#include "plugin/loader.h"

struct cJSON;

typedef struct k8c_apiserver k8c_apiserver_t;

typedef struct k8c_apiserver_config {
	const char *bind_address;        /* "127.0.0.1" */
	int port;                        /* 6443; 0 picks a free one */
	int insecure_bind_any;           /* allow a non-loopback bind address */
	const char *data_dir;            /* exists */
	const char *datastore_endpoint;  /* "sqlite:///var/lib/k8c/state.db" */
	const char *kubeconfig;          /* where to write the admin kubeconfig, or NULL */
	const k8c_plugin_set_t *plugins; /* borrowed: the store plugin comes from here */
	const struct cJSON *plugin_config; /* the config file's plugins section, or NULL */
	const char *service_cidr;        /* "10.43.0.0/16" when NULL */
	const char *node_port_range;     /* "30000-32767" when NULL */
	int64_t event_ttl_seconds;       /* events expire this long after their last
	                                    write (a store with TTL keys); 0: never */
} k8c_apiserver_config_t;

/* Open the datastore, create the built-in namespaces, listen, write the
 * kubeconfig.  The config is copied. */
int k8c_apiserver_start(const k8c_apiserver_config_t *cfg, k8c_apiserver_t **out,
                        k8c_error_t *err);
/* The port actually listened on. */
int k8c_apiserver_port(const k8c_apiserver_t *srv);
/* Stop listening, end watches, close the datastore, free. */
void k8c_apiserver_stop(k8c_apiserver_t *srv);

#endif
