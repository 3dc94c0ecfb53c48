/* Helpers shared by the core/v1 kind files (kinds/core_*.c), not used
 * outside them: JSON access, Kubernetes' field error wording, name, port,
 * IP and quantity checks, semantic comparison and Table cells. */
#ifndef K8C_APISERVER_KINDS_CORE_INTERNAL_H
#define K8C_APISERVER_KINDS_CORE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "apiserver/field_errors.h"
#include "common/quantity.h"

struct cJSON;

/* Room for any field path we build ("spec.containers[3].env[12]...."). */
#define CORE_PATH_MAX 512

/* --- JSON access: all pointers borrowed, NULL when absent or of another
 * type --- */
const struct cJSON *k8c_core_member(const struct cJSON *o, const char *key);
const struct cJSON *k8c_core_array(const struct cJSON *o, const char *key);
const struct cJSON *k8c_core_object(const struct cJSON *o, const char *key);
const char *k8c_core_str(const struct cJSON *o, const char *key);
/* The string at key, "" when absent. */
const char *k8c_core_strz(const struct cJSON *o, const char *key);
/* Present and not JSON null. */
int k8c_core_has(const struct cJSON *o, const char *key);
long long k8c_core_int(const struct cJSON *o, const char *key, long long def);
int k8c_core_bool(const struct cJSON *o, const char *key, int def);
/* Number of items of the array or object at key (0 when absent). */
int k8c_core_count(const struct cJSON *o, const char *key);
/* 1 when s is one of the NULL-terminated set. */
int k8c_core_in(const char *s, const char *const *set);
/* Replace (or add) obj[key]; takes ownership of item. */
void k8c_core_set(struct cJSON *obj, const char *key, struct cJSON *item);

/* --- field errors in Kubernetes' words (detail may be NULL) --- */
void k8c_core_required(k8c_field_errors_t *e, const char *path, const char *detail);
void k8c_core_forbidden(k8c_field_errors_t *e, const char *path, const char *detail);
/* value already rendered as Go prints it ("\"x\"", "3", "[]string{...}") */
void k8c_core_invalid_raw(k8c_field_errors_t *e, const char *path, const char *value,
                          const char *detail);
void k8c_core_invalid_str(k8c_field_errors_t *e, const char *path, const char *value,
                          const char *detail);
void k8c_core_invalid_int(k8c_field_errors_t *e, const char *path, long long value,
                          const char *detail);
/* "Unsupported value: \"v\": supported values: \"a\", \"b\"" */
void k8c_core_not_supported(k8c_field_errors_t *e, const char *path, const char *value,
                            const char *const *supported);
void k8c_core_duplicate_str(k8c_field_errors_t *e, const char *path, const char *value);
void k8c_core_not_found_str(k8c_field_errors_t *e, const char *path, const char *value);
void k8c_core_too_long(k8c_field_errors_t *e, const char *path, long long max_bytes);
/* One Invalid error per "; "-separated message of names.h, the value
 * already rendered; msgs is modified. */
void k8c_core_invalid_msgs(k8c_field_errors_t *e, const char *path, const char *value, char *msgs);
/* A string as Go's %q prints it; caller frees. */
char *k8c_core_quote(const char *s);
/* A JSON array of strings as Go's %#v prints a []T: `[]T{"a", "b"}`;
 * caller frees. */
char *k8c_core_goslice(const char *type, const struct cJSON *arr);

/* --- names: one Invalid error per problem, as Kubernetes reports --- */
void k8c_core_dns_label(k8c_field_errors_t *e, const char *path, const char *s);
void k8c_core_dns_subdomain(k8c_field_errors_t *e, const char *path, const char *s);
void k8c_core_dns1035_label(k8c_field_errors_t *e, const char *path, const char *s);
void k8c_core_qualified_name(k8c_field_errors_t *e, const char *path, const char *s);
void k8c_core_label_value(k8c_field_errors_t *e, const char *path, const char *s);
/* ValidateLabels: keys qualified names, values label values; errors at
 * path itself (not per key), as unversionedvalidation does. */
void k8c_core_labels(k8c_field_errors_t *e, const char *path, const struct cJSON *map);
/* NameIsDNSSubdomain with prefix semantics (a trailing '-' allowed). */
void k8c_core_subdomain_prefix(k8c_field_errors_t *e, const char *path, const char *s);
/* IsConfigMapKey */
void k8c_core_config_key(k8c_field_errors_t *e, const char *path, const char *key);
/* LabelSelector (matchLabels, matchExpressions) as ValidateLabelSelector. */
void k8c_core_label_selector(k8c_field_errors_t *e, const char *path, const struct cJSON *sel);

/* --- ports --- */
void k8c_core_port_num(k8c_field_errors_t *e, const char *path, long long port);
void k8c_core_port_name(k8c_field_errors_t *e, const char *path, const char *name);
/* IntOrString port: number checked as a port number, string as a name. */
void k8c_core_port_num_or_name(k8c_field_errors_t *e, const char *path, const struct cJSON *v);

/* --- IP addresses (netutils.ParseIPSloppy: IPv4 may have leading 0s) --- */
/* Parse into 16 bytes (IPv4 as ::ffff:a.b.c.d); 4 or 6 for the written
 * family, 0 when not an address. */
int k8c_core_parse_ip(const char *s, unsigned char ip[16]);
int k8c_core_is_ipv6(const char *s);
void k8c_core_valid_ip(k8c_field_errors_t *e, const char *path, const char *s);
void k8c_core_non_special_ip(k8c_field_errors_t *e, const char *path, const char *s);
void k8c_core_valid_cidr(k8c_field_errors_t *e, const char *path, const char *s);

/* --- quantities --- */
/* 0 and *q on success, -1 for a missing or malformed quantity. */
int k8c_core_qty(const struct cJSON *v, k8c_quantity_t *q);
/* Go's Quantity.String(); "0" for an absent or malformed one. */
const char *k8c_core_qty_str(const struct cJSON *v, char buf[K8C_QUANTITY_STRLEN]);

/* --- comparison --- */
/* apiequality.Semantic.DeepEqual over JSON: absent, null, "", 0, false,
 * [] and {} are alike (Go's zero values and nil/empty collections), and
 * quantities inside resource lists compare by value. */
int k8c_core_equal(const struct cJSON *a, const struct cJSON *b);
/* Lines "- path: old" / "+ path: new" for what differs; caller frees. */
char *k8c_core_diff(const struct cJSON *old, const struct cJSON *new_, const char *path);

/* --- base64 --- */
/* Decoded length of standard base64 text, or -1 - (offset of the first
 * illegal byte) when malformed. */
long long k8c_core_b64_len(const char *s);

/* --- Table cells --- */
void k8c_core_cell_str(struct cJSON *cells, const char *s);
void k8c_core_cell_int(struct cJSON *cells, long long v);
void k8c_core_cell_age(struct cJSON *cells, const struct cJSON *obj, long long now_s);
/* translateTimestampSince: "<unknown>" for an absent or bad time. */
void k8c_core_cell_since(struct cJSON *cells, const char *ts, long long now_s);
/* The seconds of an RFC 3339 time, or 0 with *ok = 0. */
long long k8c_core_time_s(const char *ts, int *ok);
/* labels.FormatLabels: "k=v,k2=v2" sorted by key, "<none>" when empty;
 * caller frees. */
char *k8c_core_format_labels(const struct cJSON *map);

/* Format a field path into buf (a char array) and yield buf; a path too
 * long for buf is cut short. */
char *k8c_core_pathf(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
#define CORE_PATH(buf, ...) k8c_core_pathf((buf), sizeof(buf), __VA_ARGS__)

/* --- pods (core_pod_*.c, core_container_validate.c, core_volume_validate.c) --- */

/* VolumeSource members, in the order Kubernetes checks them. */
extern const char *const k8c_core_volume_sources[];
/* Defaults of volume sources shared by Pod volumes and PersistentVolumes
 * (hostPath type, iscsi, rbd, azureDisk, scaleIO). */
void k8c_core_volume_source_defaults(struct cJSON *src);
void k8c_core_pod_defaults(struct cJSON *pod);

/* The valid volumes of a pod spec, by name (for volumeMounts). */
typedef struct k8c_core_vols {
	const struct cJSON **items; /* borrowed Volume objects */
	int n;
} k8c_core_vols_t;
const struct cJSON *k8c_core_vols_find(const k8c_core_vols_t *v, const char *name);

/* ValidateVolumes: adds the valid ones to *out (free out->items). */
void k8c_core_volumes(const struct cJSON *volumes, const struct cJSON *podmeta, const char *path,
                      k8c_core_vols_t *out, k8c_field_errors_t *e);
/* Volume sources of PersistentVolumes, shared with pod volumes. */
void k8c_core_host_path_source(const struct cJSON *src, const char *path, k8c_field_errors_t *e);
void k8c_core_nfs_source(const struct cJSON *src, const char *path, k8c_field_errors_t *e);
void k8c_core_csi_driver(const struct cJSON *src, const char *path, k8c_field_errors_t *e);
void k8c_core_node_selector(const struct cJSON *sel, const char *path, k8c_field_errors_t *e);

/* PersistentVolume access modes and volume modes (sorted, as Kubernetes
 * lists them), and the access mode rules shared by PVs and PVCs. */
extern const char *const k8c_core_access_modes[];
extern const char *const k8c_core_volume_modes[];
void k8c_core_access_modes_check(const struct cJSON *modes, const char *path,
                                 k8c_field_errors_t *e);

/* validateContainers, validateInitContainers, validateEphemeralContainers
 * (and, for pods, the image whitespace rule). */
void k8c_core_containers(const struct cJSON *spec, const k8c_core_vols_t *vols, const char *path,
                         int is_pod, k8c_field_errors_t *e);
/* Container fields (core_container_fields.c): resources, env, envFrom,
 * securityContext, each at path. */
void k8c_core_container_resources(k8c_field_errors_t *e, const struct cJSON *res, const char *path);
void k8c_core_container_env(k8c_field_errors_t *e, const struct cJSON *list, const char *path);
void k8c_core_container_env_from(k8c_field_errors_t *e, const struct cJSON *list, const char *path);
void k8c_core_container_security(k8c_field_errors_t *e, const struct cJSON *sc, int host_users,
                                 const char *path);
/* Downward API field paths valid in volumes (sorted). */
extern const char *const k8c_core_volume_field_paths[];
void k8c_core_object_field_selector(k8c_field_errors_t *e, const struct cJSON *fs,
                                    const char *const *exprs, const char *path);
void k8c_core_resource_field_selector(k8c_field_errors_t *e, const struct cJSON *fs, int volume,
                                      const char *path);
/* validateLocalDescendingPath: relative, no ".." element. */
void k8c_core_local_descending_path(k8c_field_errors_t *e, const char *path, const char *target);
void k8c_core_seccomp_profile(k8c_field_errors_t *e, const struct cJSON *sp, const char *path);
/* validateContainersOnlyForPod: no blanks around images (pods only). */
void k8c_core_containers_pod_only(const struct cJSON *spec, const char *path,
                                  k8c_field_errors_t *e);
/* ValidatePodSpec; podmeta is the pod's metadata, or NULL for templates. */
void k8c_core_podspec_check(const struct cJSON *spec, const struct cJSON *podmeta, const char *path,
                            int is_pod, k8c_field_errors_t *e);
void k8c_core_pod_validate(int op, const struct cJSON *obj, const struct cJSON *old,
                           k8c_field_errors_t *e);
void k8c_core_tolerations(const struct cJSON *tols, const char *path, k8c_field_errors_t *e);
/* ValidateResourceQuantityValue; name the resource name, v the value. */
void k8c_core_resource_quantity(k8c_field_errors_t *e, const char *path, const char *name,
                                const struct cJSON *v);
/* IsValidUserID / IsValidGroupID */
void k8c_core_id_range(k8c_field_errors_t *e, const char *path, const struct cJSON *v);

/* --- services (core_service.c, core_service_validate.c) --- */
/* ExternallyAccessible, needsNodePort, NeedsHealthCheck, isHeadlessService
 * over a ServiceSpec. */
int k8c_core_svc_external(const struct cJSON *spec);
int k8c_core_svc_node_port(const struct cJSON *spec);
int k8c_core_svc_health_check(const struct cJSON *spec);
int k8c_core_svc_headless(const struct cJSON *spec);
/* a[key] and b[key] are semantically equal */
int k8c_core_same_member(const struct cJSON *a, const struct cJSON *b, const char *key);
void k8c_core_service_validate(int op, const struct cJSON *svc, const struct cJSON *old,
                               k8c_field_errors_t *e);

#endif
