/* YAML <-> JSON with libyaml and cJSON, the way kubectl reads manifests.
 *
 * Scalars follow the YAML 1.2 core schema as Kubernetes users expect:
 * quoted scalars are always strings ("1.0" stays "1.0"); plain null, ~ and
 * the empty scalar are null; true/false (any case of those spellings:
 * true, True, TRUE) are booleans; yes/no/on/off stay strings; decimal,
 * 0x hex and 0o octal integers and floats (incl. .inf/.nan) are numbers;
 * everything else is a string.  Integers beyond 2^53 keep their exact
 * digits (a cJSON raw number).  Anchors and aliases are expanded (with a
 * limit against "billion laughs"), merge keys (<<) merged, tags !!str,
 * !!int, !!float, !!bool, !!null honoured.  Mapping keys must be scalars
 * and become strings; duplicate keys are an error.
 *
 * Errors carry "line L, column C" (1-based) of the offending input. */
#ifndef K8C_COMMON_YAML_JSON_H
#define K8C_COMMON_YAML_JSON_H

#include <stddef.h>

#include <yaml.h>

#include <k8c/error.h>

struct cJSON;

/* Parse exactly one document (JSON is YAML too).  An empty input gives a
 * cJSON null.  More than one document is K8C_EINVAL.  *out is owned by
 * the caller (cJSON_Delete). */
int k8c_yaml_parse(const char *buf, size_t len, struct cJSON **out,
                   k8c_error_t *err);
/* Parse a stream of "---"-separated documents into a cJSON array, skipping
 * empty documents (as kubectl does).  *out owned by the caller. */
int k8c_yaml_parse_stream(const char *buf, size_t len, struct cJSON **out,
                          k8c_error_t *err);
/* Convert one node of a document loaded with yaml_parser_load(). */
int k8c_yaml_node_to_json(yaml_document_t *doc, yaml_node_t *node,
                          struct cJSON **out, k8c_error_t *err);
/* Emit json as a YAML block document (no leading "---"), with strings that
 * would read back as another type quoted.  *out is NUL-terminated, owned by
 * the caller (free()). */
int k8c_yaml_emit(const struct cJSON *json, char **out, k8c_error_t *err);

#endif
