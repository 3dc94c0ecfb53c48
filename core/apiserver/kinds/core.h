/* The core/v1 kinds (kinds/core_*.c): their descriptors, and the pieces
 * of Pod and PersistentVolumeClaim handling that other groups reuse for
 * their templates (Deployment, StatefulSet, Job, ... embed a PodSpec; a
 * StatefulSet embeds PersistentVolumeClaimSpecs). */
#ifndef K8C_APISERVER_KINDS_CORE_H
#define K8C_APISERVER_KINDS_CORE_H

#include "apiserver/field_errors.h"
#include "apiserver/kind.h"

struct cJSON;

extern const k8c_kind_t k8c_kind_namespaces, k8c_kind_pods, k8c_kind_services, k8c_kind_endpoints,
    k8c_kind_nodes, k8c_kind_events, k8c_kind_configmaps, k8c_kind_secrets,
    k8c_kind_serviceaccounts, k8c_kind_persistentvolumes, k8c_kind_persistentvolumeclaims;

/* Kubernetes' SetDefaults_PodSpec and everything nested in a PodSpec
 * (containers, probes, volumes, ...), as applied to a pod template: not
 * the Pod-only defaults (requests from limits, enableServiceLinks, host
 * ports of host-network pods).  spec is modified in place;
 * NULL or a non-object is ignored. */
void k8c_core_podspec_defaults(struct cJSON *spec);

/* ValidatePodTemplateSpec: template is a PodTemplateSpec ({metadata,
 * spec}), path its field path ("spec.template").  Errors are added to
 * errs with paths below path. */
void k8c_core_pod_template_validate(const struct cJSON *tmpl, const char *path,
                                    k8c_field_errors_t *errs);

/* ValidatePodSpec for a PodSpec embedded in another object (path e.g.
 * "spec.template.spec"). */
void k8c_core_podspec_validate(const struct cJSON *spec, const char *path,
                               k8c_field_errors_t *errs);

/* SetDefaults_PersistentVolumeClaimSpec (volumeMode Filesystem). */
void k8c_core_pvc_spec_defaults(struct cJSON *spec);

/* ValidatePersistentVolumeClaimSpec, errors below path. */
void k8c_core_pvc_spec_validate(const struct cJSON *spec, const char *path,
                                k8c_field_errors_t *errs);

/* The QoS class Kubernetes computes for a pod ("Guaranteed", "Burstable",
 * "BestEffort"), from its (defaulted) containers' resources. */
const char *k8c_core_pod_qos(const struct cJSON *pod);

#endif
