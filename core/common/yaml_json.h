/* YAML <-> JSON with libyaml and cJSON, the way kubectl reads manifests.
 *
 * Scalars follow the YAML 1.2 core schema as Kubernetes users expect:
 * quoted scalars are always strings ("1.0" stays "1.0"); plain null, ~ and
 * the empty scalar are null; true/false (any case of those spellings:
 * true, True, TRUE) are booleans; yes/no/on/off stay strings; decimal,
 * 0x hex and 0o octal integers and floats (incl. .inf/.nan) are numbers;
 * everything else is a string.  Integers of 16 digits or more keep their
 * exact digits as a cJSON raw item (beyond 2^53 a double cannot hold them,
 * and cJSON prints only 15 significant digits of a number).  Anchors and aliases are expanded (with a
 * limit against "billion laughs"), merge keys (<<) merged, tags !!str,
 * !!int, !!float, !!bool, !!null honoured.  Mapping keys must be scalars
 * and become strings (their text as written: `1: a` gives key "1");
 * duplicate keys are an error.  Floats .inf/.nan cannot be JSON:
 * K8C_EINVAL, as kubectl refuses them.
 *
 * Errors carry "line L, column C" (1-based) of the offending input. */
#ifndef K8C_COMMON_YAML_JSON_H
#define K8C_COMMON_YAML_JSON_H

#include <stddef.h>

#include <yaml.h>

#include <k8c/error.h>

struct cJSON;

/* Deepest nesting of collections read or written (K8C_ETOOLARGE beyond). */
#define K8C_YAML_MAX_DEPTH 512
/* How many nodes alias expansion may add to a document beyond the nodes
 * it has (K8C_ETOOLARGE beyond): stops "billion laughs". */
#define K8C_YAML_MAX_ALIAS_NODES 100000

/* Parse exactly one document (JSON is YAML too).  An empty input gives a
 * cJSON null.  More than one document is K8C_EINVAL.  *out is owned by
 * the caller (cJSON_Delete). */
int k8c_yaml_parse(const char *buf, size_t len, struct cJSON **out,
                   k8c_error_t *err);
/* Parse a stream of "---"-separated documents into a cJSON array, skipping
 * empty documents (as kubectl does).  *out owned by the caller. */
int k8c_yaml_parse_stream(const char *buf, size_t len, struct cJSON **out,
                          k8c_error_t *err);
/* Load the next document of parser's stream into *doc, like
 * yaml_parser_load() but (a) an explicit !!str or "!" on a plain scalar is
 * kept visible (stored as a quoted style), (b) an anchor is registered when
 * its node is complete, so a document never contains a cycle, (c) errors
 * carry line/column.  Node marks are set.  Returns 1 with *doc filled
 * (caller frees with yaml_document_delete), 0 at the end of the stream,
 * < 0 on error (nothing to free). */
int k8c_yaml_load_document(yaml_parser_t *parser, yaml_document_t *doc,
                           k8c_error_t *err);
/* Convert one node (NULL gives a cJSON null) of a document loaded with
 * k8c_yaml_load_document() or yaml_parser_load().  With the latter, an
 * explicit !!str on a plain scalar cannot be told from no tag, so
 * `!!str 123` reads as a number; recursive aliases are refused.  Errors use
 * the nodes' start marks.  *out owned by the caller (cJSON_Delete). */
int k8c_yaml_node_to_json(yaml_document_t *doc, yaml_node_t *node,
                          struct cJSON **out, k8c_error_t *err);
/* Emit json as a YAML block document (no leading "---"), with strings that
 * would read back as another type quoted (also YAML 1.1 booleans such as
 * "yes" and number-like strings such as "010" or "2001-12-14"), multi-line
 * strings as literal blocks or double-quoted, numbers in a form that reads
 * back as the same double, raw items verbatim.  Strings must be valid UTF-8
 * and numbers finite (K8C_EINVAL otherwise).  *out is NUL-terminated, owned by
 * the caller (free()). */
int k8c_yaml_emit(const struct cJSON *json, char **out, k8c_error_t *err);

#endif
