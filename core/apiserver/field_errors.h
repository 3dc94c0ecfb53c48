/* Field errors: what validation found wrong, in Kubernetes' words.
 *
 * Validation code adds one error per problem; the API server turns the list
 * into a 422 Invalid Status whose message and causes read exactly like the
 * Kubernetes API server's:
 *
 *   Pod "web" is invalid: [spec.containers[0].image: Required value,
 *   metadata.name: Invalid value: "Web": a lowercase RFC 1123 subdomain ...]
 *
 * with details.causes [{reason: FieldValueRequired, message: "Required
 * value", field: "spec.containers[0].image"}, ...]. */
#ifndef K8C_APISERVER_FIELD_ERRORS_H
#define K8C_APISERVER_FIELD_ERRORS_H

#include <stddef.h>

struct cJSON;

/* The types of field.ErrorType, with their cause reasons. */
enum k8c_field_error_type {
	K8C_FIELD_REQUIRED = 1,     /* FieldValueRequired: "Required value" */
	K8C_FIELD_INVALID,          /* FieldValueInvalid: "Invalid value: VALUE: DETAIL" */
	K8C_FIELD_NOT_SUPPORTED,    /* FieldValueNotSupported: "Unsupported value: VALUE: supported values: ..." */
	K8C_FIELD_DUPLICATE,        /* FieldValueDuplicate: "Duplicate value: VALUE" */
	K8C_FIELD_FORBIDDEN,        /* FieldValueForbidden: "Forbidden: DETAIL" */
	K8C_FIELD_TOO_LONG,         /* FieldValueTooLong: "Too long: may not be more than N bytes" */
	K8C_FIELD_TOO_MANY,         /* FieldValueTooMany: "Too many: N: must have at most M items" */
	K8C_FIELD_NOT_FOUND,        /* FieldValueNotFound: "Not found: VALUE" */
	K8C_FIELD_TYPE_INVALID,     /* FieldValueTypeInvalid: "Invalid value: VALUE: DETAIL" */
};

typedef struct k8c_field_error {
	int type;        /* enum k8c_field_error_type */
	char *field;     /* owned: "spec.containers[0].image" */
	char *value;     /* owned: the offending value as Kubernetes prints it (strings quoted), or NULL */
	char *detail;    /* owned, or NULL */
} k8c_field_error_t;

typedef struct k8c_field_errors {
	k8c_field_error_t *items;
	size_t n, cap;
} k8c_field_errors_t;

#define K8C_FIELD_ERRORS_INIT {NULL, 0, 0}

/* Add an error.  value may be NULL (no value shown), otherwise it is the
 * JSON value at the field (strings print quoted, as Go's %q does).  detail
 * is printf-formatted and may be NULL. */
void k8c_field_error_add(k8c_field_errors_t *errs, int type, const char *field,
                         const struct cJSON *value, const char *detail_fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Same, with the value already rendered (e.g. "\"Web\"" or "3"). */
void k8c_field_error_add_raw(k8c_field_errors_t *errs, int type, const char *field,
                             const char *value, const char *detail_fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* "Required value", "Invalid value: \"Web\": detail", ... ; caller frees. */
char *k8c_field_error_message(const k8c_field_error_t *e);
/* "FieldValueRequired", ... */
const char *k8c_field_error_reason(int type);

/* The Status a list of errors becomes (422 Invalid), for kind/name:
 * message `KIND "NAME" is invalid: FIELD: MSG` (several errors in [a, b]),
 * details {name, group, kind, causes}.  Caller owns the result. */
struct cJSON *k8c_field_errors_status(const k8c_field_errors_t *errs,
                                      const char *group, const char *kind,
                                      const char *name);
void k8c_field_errors_free(k8c_field_errors_t *errs);

#endif
