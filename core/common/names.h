/* Kubernetes name and label syntax (apimachinery's validation rules).
 * Each check returns 1 when s is valid; on 0, if msg is not NULL, it
 * receives a message in Kubernetes' wording, e.g. "a lowercase RFC 1123
 * label must consist of lower case alphanumeric characters or '-', and must
 * start and end with an alphanumeric character (e.g. 'my-name',  or
 * '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')". */
#ifndef K8C_COMMON_NAMES_H
#define K8C_COMMON_NAMES_H

#include <stddef.h>

#define K8C_NAME_MSG_MAX 512

/* RFC 1123 label: [a-z0-9]([-a-z0-9]*[a-z0-9])?, at most 63. */
int k8c_is_dns1123_label(const char *s, char *msg, size_t msglen);
/* RFC 1123 subdomain: labels joined by '.', at most 253. */
int k8c_is_dns1123_subdomain(const char *s, char *msg, size_t msglen);
/* RFC 1035 label (service names): starts with a letter, at most 63. */
int k8c_is_dns1035_label(const char *s, char *msg, size_t msglen);
/* Qualified name (label and annotation keys): optional DNS subdomain
 * prefix and '/', then [A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])? of at most
 * 63. */
int k8c_is_qualified_name(const char *s, char *msg, size_t msglen);
/* Label value: empty, or like the name part of a qualified name. */
int k8c_is_label_value(const char *s, char *msg, size_t msglen);

struct cJSON;

/* Sum of the lengths of all annotation keys and values, at most
 * (apimachinery's TotalAnnotationSizeLimitB). */
#define K8C_ANNOTATIONS_SIZE_MAX (256 * 1024)

/* metadata.labels: NULL, JSON null or an object whose keys are qualified
 * names and whose values are strings that are label values.  Returns 1
 * when valid; msg as above, naming the offending key. */
int k8c_validate_labels(const struct cJSON *labels, char *msg, size_t msglen);
/* metadata.annotations: NULL, JSON null or an object of strings whose keys
 * are qualified names once lower-cased and whose keys and values together
 * are at most K8C_ANNOTATIONS_SIZE_MAX bytes (ValidateAnnotations). */
int k8c_validate_annotations(const struct cJSON *annotations, char *msg,
                             size_t msglen);

#endif
