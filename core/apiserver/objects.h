/* The life of an object: create, update, patch, delete, with Kubernetes'
 * metadata rules, defaulting, validation and strategies.  Each function
 * either succeeds (returns 0, the object is the stored one) or fills resp
 * with the Status to answer and returns < 0. */
#ifndef K8C_APISERVER_OBJECTS_H
#define K8C_APISERVER_OBJECTS_H

#include "apiserver/internal.h"

struct cJSON;

typedef struct k8c_write_opts {
	int dry_run;                /* dryRun=All: check everything, store nothing */
	const char *field_manager;  /* fieldManager, or NULL */
	int strict;                 /* fieldValidation=Strict */
	int status;                 /* through the status subresource */
	int finalize;               /* through namespaces/NAME/finalize */
	int applying;               /* server-side apply recorded managedFields itself */
	const char *user_agent;     /* for the default field manager */
	/* out: a create stores the object's JSON text here (owned by the
	 * caller, free()) so the response need not print it again */
	char *stored_json;
	size_t stored_len;
} k8c_write_opts_t;

/* Create obj (modified in place into what was stored) in ns (NULL for
 * cluster-scoped kinds or to take the object's own). */
int k8c_object_create_opts(k8c_apiserver_t *srv, const k8c_kind_t *kind, const char *ns,
                           struct cJSON *obj, k8c_write_opts_t *o,
                           k8c_api_response_t *resp);
/* For internal callers that only need an error code. */
int k8c_object_create(k8c_apiserver_t *srv, const k8c_kind_t *kind, const char *ns,
                      struct cJSON *obj, k8c_error_t *err);
/* Replace ns/name with obj.  old is the stored object obj replaces
 * (borrowed).  Returns -K8C_ECONFLICT (resp filled) when the store moved
 * on, so callers can retry. */
int k8c_object_update(k8c_apiserver_t *srv, const k8c_kind_t *kind, struct cJSON *obj,
                      const struct cJSON *old, int guaranteed, const k8c_write_opts_t *o,
                      k8c_api_response_t *resp);

#endif
