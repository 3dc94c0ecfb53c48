/* Label and field selectors of a request, shared by LIST, WATCH and
 * DELETECOLLECTION. */
#ifndef K8C_APISERVER_LIST_H
#define K8C_APISERVER_LIST_H

#include "apiserver/internal.h"
#include "common/selector.h"

typedef struct k8c_selectors {
	k8c_label_selector_t *labels; /* owned or NULL */
	k8c_field_selector_t *fields; /* owned or NULL */
} k8c_selectors_t;

/* Parse labelSelector and fieldSelector (fields limited to what kind
 * supports); < 0 with a 400 in resp. */
int k8c_selectors_parse(const k8c_kind_t *kind, const k8c_api_request_t *req, k8c_selectors_t *s,
                        k8c_api_response_t *resp);
int k8c_selectors_match(const k8c_kind_t *kind, const k8c_selectors_t *s, const struct cJSON *obj);
void k8c_selectors_free(k8c_selectors_t *s);

/* Wait up to 3 s for the store to reach revision want (a resourceVersion a
 * client holds); otherwise answer 504 "Too large resource version", as
 * Kubernetes does, so that the client lists anew (after a restore, say)
 * and return < 0. */
int k8c_wait_revision(k8c_apiserver_t *srv, int64_t want, k8c_api_response_t *resp);

#endif
