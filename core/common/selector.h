/* Label selectors and field selectors, as Kubernetes parses and matches
 * them (apimachinery pkg/labels and pkg/fields).
 *
 * Label selector strings: comma-separated requirements
 *   key=value  key==value  key!=value  key in (a,b)  key notin (a,b)
 *   key  !key  key>5  key<5
 * and the LabelSelector object form {matchLabels, matchExpressions} with
 * operators In, NotIn, Exists, DoesNotExist.  Keys and values are checked
 * with names.h.  The empty selector matches everything.
 *
 * Field selectors: comma-separated  field=value  field==value  field!=value,
 * with '\' escaping '\', ',' and '=' inside values (fields.EscapeValue);
 * the field name is taken as written up to the first operator and must
 * not be empty.
 *
 * Errors are K8C_EINVAL with Kubernetes' wording ("unable to parse
 * requirement: found ')', expected: ...").
 *
 * Departures from Kubernetes, all in printing only: requirements with the
 * same key keep their written order (Go's sort is not stable), and field
 * selector terms print sorted by their canonical text rather than by their
 * raw text, so that parsing a printed selector prints it again unchanged. */
#ifndef K8C_COMMON_SELECTOR_H
#define K8C_COMMON_SELECTOR_H

#include <stddef.h>

#include <k8c/error.h>

struct cJSON;

typedef struct k8c_label_selector k8c_label_selector_t;

enum k8c_selector_op {
	K8C_SEL_EQUALS = 1,        /* = and == */
	K8C_SEL_NOT_EQUALS = 2,    /* != */
	K8C_SEL_IN = 3,
	K8C_SEL_NOT_IN = 4,
	K8C_SEL_EXISTS = 5,
	K8C_SEL_DOES_NOT_EXIST = 6,
	K8C_SEL_GREATER_THAN = 7,
	K8C_SEL_LESS_THAN = 8,
};

/* Parse a selector string; *out is owned by the caller
 * (k8c_label_selector_free).  An empty or NULL string gives the selector
 * that matches everything. */
int k8c_label_selector_parse(const char *s, k8c_label_selector_t **out,
                             k8c_error_t *err);
/* Build from a LabelSelector object.  NULL (absent selector) gives the
 * selector that matches nothing; {} matches everything (as
 * metav1.LabelSelectorAsSelector). */
int k8c_label_selector_from_json(const struct cJSON *sel,
                                 k8c_label_selector_t **out, k8c_error_t *err);
/* labels is a JSON object of string values (metadata.labels), or NULL. */
int k8c_label_selector_matches(const k8c_label_selector_t *sel,
                               const struct cJSON *labels);
/* 1 when the selector matches every label set. */
int k8c_label_selector_is_everything(const k8c_label_selector_t *sel);
/* 1 for the selector of an absent LabelSelector (labels.Nothing()), and for
 * NULL. */
int k8c_label_selector_is_nothing(const k8c_label_selector_t *sel);
/* Number of requirements. */
size_t k8c_label_selector_count(const k8c_label_selector_t *sel);

/* Build a selector requirement by requirement (for NodeSelectorTerms and
 * similar API types): _new gives an empty selector (matches everything),
 * owned by the caller (k8c_label_selector_free).  _add checks what
 * labels.NewRequirement checks: key a qualified name; values label values
 * (copied); In/NotIn at least one value; =/!= exactly one; Exists and
 * DoesNotExist none; Gt/Lt exactly one that parses as an int64.  The error
 * message starts with the offending field ("key: ...", "values[0]: ...")
 * so that callers can prefix their own path.  sel is unchanged on error. */
k8c_label_selector_t *k8c_label_selector_new(void);
int k8c_label_selector_add(k8c_label_selector_t *sel, const char *key,
                           int op, const char *const *values, size_t n_values,
                           k8c_error_t *err);
/* Canonical string form (requirements sorted by key, as Kubernetes
 * prints them); caller frees with free(). */
char *k8c_label_selector_string(const k8c_label_selector_t *sel);
void k8c_label_selector_free(k8c_label_selector_t *sel);

typedef struct k8c_field_selector k8c_field_selector_t;

/* Parse a field selector string; *out owned by the caller. */
int k8c_field_selector_parse(const char *s, k8c_field_selector_t **out,
                             k8c_error_t *err);
/* Requirements, for the API server to check that each field is supported
 * by the kind.  op is K8C_SEL_EQUALS or K8C_SEL_NOT_EQUALS; the strings are
 * borrowed from sel, unescaped. */
size_t k8c_field_selector_count(const k8c_field_selector_t *sel);
void k8c_field_selector_term(const k8c_field_selector_t *sel, size_t i,
                             const char **field, int *op, const char **value);
/* Match with a lookup function that returns a field's value as a string
 * (borrowed) or NULL when the object has no such field (treated as ""). */
typedef const char *(*k8c_field_get_fn)(void *udata, const char *field);
int k8c_field_selector_matches(const k8c_field_selector_t *sel,
                               k8c_field_get_fn get, void *udata);
/* Match against an object by dotted path ("metadata.name", "spec.nodeName");
 * strings compare as is, numbers and booleans by their JSON text. */
int k8c_field_selector_matches_json(const k8c_field_selector_t *sel,
                                    const struct cJSON *obj);
/* 1 when the selector has no terms (matches everything). */
int k8c_field_selector_is_everything(const k8c_field_selector_t *sel);
/* Canonical string form; caller frees with free(). */
char *k8c_field_selector_string(const k8c_field_selector_t *sel);
void k8c_field_selector_free(k8c_field_selector_t *sel);

#endif
