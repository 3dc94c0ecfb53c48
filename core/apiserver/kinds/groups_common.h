/* Helpers shared by the non-core kinds (groups.h): Kubernetes' generic
 * validators (labels, annotations, label selectors, int-or-percent), the
 * Go renderings its error messages print values with, semantic equality,
 * the pod template hooks and Table cell helpers.  Internal to
 * core/apiserver/kinds/; every returned string is the caller's to free(). */
#ifndef K8C_APISERVER_KINDS_GROUPS_COMMON_H
#define K8C_APISERVER_KINDS_GROUPS_COMMON_H

#include <stddef.h>

#include "apiserver/field_errors.h"
#include "apiserver/kind.h"
#include "common/selector.h"

struct cJSON;

/* ObjectMeta's swagger docs, the descriptions of NAME and AGE columns. */
#define K8C_DOC_NAME                                                               \
	"Name must be unique within a namespace. Is required when creating "       \
	"resources, although some resources may allow a client to request the "    \
	"generation of an appropriate name automatically. Name is primarily "      \
	"intended for creation idempotence and configuration definition. Cannot " \
	"be updated. More info: "                                                 \
	"https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names"
#define K8C_DOC_CREATED                                                            \
	"CreationTimestamp is a timestamp representing the server time when this " \
	"object was created. It is not guaranteed to be set in happens-before "    \
	"order across separate operations. Clients may not set this value. It is " \
	"represented in RFC3339 form and is in UTC.\n\nPopulated by the system. "  \
	"Read-only. Null for lists. More info: "                                   \
	"https://git.k8s.io/community/contributors/devel/sig-architecture/"        \
	"api-conventions.md#metadata"
#define K8C_COL_NAME {"Name", "string", "name", K8C_DOC_NAME, 0}
#define K8C_COL_AGE {"Age", "string", "", K8C_DOC_CREATED, 0}
#define K8C_COL_CONTAINERS \
	{"Containers", "string", "", "Names of each container in the template.", 1}
#define K8C_COL_IMAGES \
	{"Images", "string", "", "Images referenced by each container in the template.", 1}

#define K8C_NONNEG_MSG "must be greater than or equal to 0"
#define K8C_IMMUTABLE_MSG "field is immutable"

/* --- growing strings ---------------------------------------------------- */
typedef struct k8c_sbuf {
	char *s;
	size_t len, cap;
} k8c_sbuf_t;

void k8c_sbuf_add(k8c_sbuf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The string (never NULL); the buffer is left empty. */
char *k8c_sbuf_take(k8c_sbuf_t *b);

/* --- JSON --------------------------------------------------------------- */
/* 1 when v is present and not JSON null. */
int k8c_groups_set(const struct cJSON *v);
/* The string member key of obj (no dotted path: label keys hold dots). */
const char *k8c_groups_member(const struct cJSON *obj, const char *key);
/* Number of items of an array (0 for anything else). */
int k8c_groups_len(const struct cJSON *v);
/* Kubernetes' Semantic.DeepEqual over the wire form: an absent member
 * equals null, "", 0, false, [] and {} (nil and empty slices and maps are
 * equal, as are omitted and zero scalar fields). */
int k8c_groups_equal(const struct cJSON *a, const struct cJSON *b);
/* Replace obj.status with {} (PrepareForCreate's Status = XStatus{}). */
void k8c_groups_reset_status(struct cJSON *obj);
/* Seconds since the epoch of an RFC 3339 string; 0 when absent, -1 when
 * unparsable. */
int k8c_groups_time(const char *ts, long long *out);

/* --- values as Kubernetes prints them (Go's %q and %#v) ----------------- */
char *k8c_go_quote(const char *s);
/* map[string]string{"a":"b"} (keys sorted), map[string]string(nil). */
char *k8c_go_string_map(const struct cJSON *m);
/* []string{"a", "b"}, []string(nil). */
char *k8c_go_string_slice(const struct cJSON *a);
/* v1.LabelSelector{MatchLabels:..., MatchExpressions:...}, or "null". */
char *k8c_go_label_selector(const struct cJSON *sel);
/* intstr.IntOrString{Type:1, IntVal:0, StrVal:"25%"}. */
char *k8c_go_int_or_string(const struct cJSON *v);
/* The compact JSON of v, "null" for NULL (for values Kubernetes prints as
 * whole Go structs, which cannot be reproduced byte for byte). */
char *k8c_go_json(const struct cJSON *v);

/* --- errors ------------------------------------------------------------- */
/* Add an error whose value is already rendered; value is taken (may be
 * NULL). */
void k8c_groups_err(k8c_field_errors_t *errs, int type, const char *field, char *value,
                    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* ValidateNonnegativeField of the number at v (nothing when absent). */
void k8c_groups_nonneg(k8c_field_errors_t *errs, const char *field, const struct cJSON *v);
/* ValidateImmutableField with the value rendered as given (taken). */
void k8c_groups_immutable(k8c_field_errors_t *errs, const char *field,
                          const struct cJSON *now, const struct cJSON *before, char *value);

/* --- generic validators ------------------------------------------------- */
/* One Invalid error per message of a names.h check ("a; b" split). */
void k8c_groups_name_errs(k8c_field_errors_t *errs, const char *field, const char *value,
                          int (*check)(const char *, char *, size_t));
/* ValidateLabels (field is the map's path). */
void k8c_groups_labels(k8c_field_errors_t *errs, const struct cJSON *labels, const char *field);
/* ValidateAnnotations. */
void k8c_groups_annotations(k8c_field_errors_t *errs, const struct cJSON *ann, const char *field);
/* metav1 ValidateLabelSelector, label values checked strictly. */
void k8c_groups_label_selector(k8c_field_errors_t *errs, const struct cJSON *sel,
                               const char *field);
/* metav1.LabelSelectorAsSelector: NULL when sel does not convert. */
k8c_label_selector_t *k8c_groups_selector(const struct cJSON *sel);
/* spec.selector must not change (apps/v1 strategies, Job). */
void k8c_groups_selector_immutable(k8c_field_errors_t *errs, const struct cJSON *obj,
                                   const struct cJSON *old);

/* Int-or-percent fields (intstr.IntOrString). */
void k8c_groups_int_or_percent(k8c_field_errors_t *errs, const struct cJSON *v,
                               const char *field);
void k8c_groups_max_100_percent(k8c_field_errors_t *errs, const struct cJSON *v,
                                const char *field);
long long k8c_groups_int_or_percent_value(const struct cJSON *v);

/* --- the pod template (core kinds' hooks) ------------------------------- */
/* Defaults of a PodTemplateSpec's spec (k8c_core_podspec_defaults). */
void k8c_groups_pod_template_defaults(struct cJSON *tmpl);
/* ValidatePodTemplateSpec (k8c_core_pod_template_validate).  path is the
 * template's ("spec.template"). */
void k8c_groups_pod_template_validate(k8c_field_errors_t *errs, const struct cJSON *tmpl,
                                      const char *path);
/* template.spec.restartPolicy after pod defaulting ("Always" when unset). */
const char *k8c_groups_restart_policy(const struct cJSON *tmpl);
/* Template labels must match a selector, Kubernetes' wording. */
void k8c_groups_template_matches(k8c_field_errors_t *errs, const k8c_label_selector_t *sel,
                                 const struct cJSON *tmpl, const char *path);

/* --- status helpers ----------------------------------------------------- */
/* status.F >= 0 for each name, then "cannot be greater than
 * status.replicas" for the pairs given as "field<limit". */
void k8c_groups_status_nonneg(k8c_field_errors_t *errs, const struct cJSON *status,
                              const char *const *names);
void k8c_groups_status_le(k8c_field_errors_t *errs, const struct cJSON *status,
                          const char *name, const char *limit, const char *msg);
/* status.collisionCount may not go down. */
void k8c_groups_collision_count(k8c_field_errors_t *errs, const struct cJSON *obj,
                                const struct cJSON *old);

/* --- apps/v1 workloads (apps_deployment.c) ----------------------------- */
/* spec.selector of a Deployment or ReplicaSet: required, a valid
 * LabelSelector, not empty ("empty selector is invalid for deployment" for
 * both, as Kubernetes words it).  Returns the converted selector (caller
 * frees), or NULL when it does not convert. */
k8c_label_selector_t *k8c_apps_selector(k8c_field_errors_t *errs, const struct cJSON *sel,
                                        const char *kind_word);
/* ValidatePodTemplateSpecForReplicaSet at spec.template. */
void k8c_apps_rs_template(k8c_field_errors_t *errs, const k8c_label_selector_t *sel,
                          const struct cJSON *tmpl, const char *kind_word);
/* Go's %#v of a strategy struct: TYPE{Type:"x", RollingUpdate:(*RU)(nil)}. */
char *k8c_apps_go_strategy(const struct cJSON *strategy, const char *type,
                           const char *ru_type);

/* --- batch/v1 (batch_policy.c, batch_cron.c) --------------------------- */
/* spec.podFailurePolicy and spec.successPolicy of a JobSpec at base
 * ("spec" or "spec.jobTemplate.spec"). */
void k8c_batch_pod_failure_policy(k8c_field_errors_t *errs, const struct cJSON *spec,
                                  const char *base);
void k8c_batch_success_policy(k8c_field_errors_t *errs, const struct cJSON *spec,
                              const char *base);
/* github.com/robfig/cron/v3 ParseStandard: 0, or -1 with *err (caller
 * frees) worded as that parser words it. */
int k8c_cron_parse(const char *spec, char **err);
/* Go's time.LoadLocation (with the IANA database embedded as in
 * kube-apiserver): 0, or -1 with *err ("unknown time zone X"). */
int k8c_time_zone_load(const char *name, char **err);

/* Sort an object's members by key (Go writes maps sorted). */
void k8c_groups_sort_object(struct cJSON *obj);

/* --- Table cells -------------------------------------------------------- */
void k8c_cell_str(struct cJSON *cells, const char *s);
void k8c_cell_own(struct cJSON *cells, char *s); /* takes s */
void k8c_cell_int(struct cJSON *cells, long long v);
void k8c_cell_name(struct cJSON *cells, const struct cJSON *obj);
void k8c_cell_age(struct cJSON *cells, const struct cJSON *obj, long long now_s);
/* The CONTAINERS and IMAGES cells of a pod spec (layoutContainerCells). */
void k8c_cell_containers(struct cJSON *cells, const struct cJSON *podspec);
/* metav1.FormatLabelSelector: "<none>" when empty, "<error>" when invalid. */
char *k8c_groups_format_selector(const struct cJSON *sel);
/* labels.FormatLabels: "a=b,c=d" sorted, "<none>" when empty. */
char *k8c_groups_format_labels(const struct cJSON *map);

#endif
