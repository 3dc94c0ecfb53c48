/* Field errors and the 422 Invalid Status they become. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "apiserver/field_errors.h"
#include "common/mem.h"

static const struct {
	const char *text;   /* field.ErrorType's String() */
	const char *reason; /* the cause reason */
	int shows_value;    /* the body names the value */
} types[] = {
	[K8C_FIELD_REQUIRED] = {"Required value", "FieldValueRequired", 0},
	[K8C_FIELD_INVALID] = {"Invalid value", "FieldValueInvalid", 1},
	[K8C_FIELD_NOT_SUPPORTED] = {"Unsupported value", "FieldValueNotSupported", 1},
	[K8C_FIELD_DUPLICATE] = {"Duplicate value", "FieldValueDuplicate", 1},
	[K8C_FIELD_FORBIDDEN] = {"Forbidden", "FieldValueForbidden", 0},
	[K8C_FIELD_TOO_LONG] = {"Too long", "FieldValueTooLong", 0},
	[K8C_FIELD_TOO_MANY] = {"Too many", "FieldValueTooMany", 1},
	[K8C_FIELD_NOT_FOUND] = {"Not found", "FieldValueNotFound", 1},
	[K8C_FIELD_TYPE_INVALID] = {"Invalid value", "FieldValueTypeInvalid", 1},
};
#define N_TYPES (sizeof(types) / sizeof(types[0]))

static int valid_type(int type)
{
	return type > 0 && (size_t)type < N_TYPES;
}

const char *k8c_field_error_reason(int type)
{
	return valid_type(type) ? types[type].reason : "FieldValueInvalid";
}

/* A value as Go's %v/%q shows it: strings quoted, the rest as JSON. */
static char *render_value(const cJSON *v)
{
	if (v == NULL)
		return NULL;
	if (cJSON_IsString(v)) {
		cJSON *s = cJSON_CreateString(v->valuestring);
		char *out = cJSON_PrintUnformatted(s); /* JSON string escaping ~ %q */
		cJSON_Delete(s);
		return out;
	}
	if (cJSON_IsNumber(v) && v->valuedouble == (double)(long long)v->valuedouble)
		return k8c_xasprintf("%lld", (long long)v->valuedouble);
	return cJSON_PrintUnformatted(v);
}

static void add(k8c_field_errors_t *errs, int type, const char *field, char *value,
                const char *fmt, va_list ap)
{
	k8c_field_error_t *e;

	if (errs->n == errs->cap) {
		errs->cap = errs->cap ? errs->cap * 2 : 4;
		errs->items = k8c_xrealloc(errs->items, errs->cap * sizeof(*errs->items));
	}
	e = &errs->items[errs->n++];
	e->type = valid_type(type) ? type : K8C_FIELD_INVALID;
	e->field = k8c_xstrdup(field ? field : "");
	e->value = value;
	e->detail = fmt != NULL ? k8c_xvasprintf(fmt, ap) : NULL;
}

void k8c_field_error_add(k8c_field_errors_t *errs, int type, const char *field,
                         const cJSON *value, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add(errs, type, field, render_value(value), fmt, ap);
	va_end(ap);
}

void k8c_field_error_add_raw(k8c_field_errors_t *errs, int type, const char *field,
                             const char *value, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add(errs, type, field, value ? k8c_xstrdup(value) : NULL, fmt, ap);
	va_end(ap);
}

char *k8c_field_error_message(const k8c_field_error_t *e)
{
	const char *text = types[valid_type(e->type) ? e->type : K8C_FIELD_INVALID].text;
	int shows = types[valid_type(e->type) ? e->type : K8C_FIELD_INVALID].shows_value;
	const char *detail = e->detail != NULL && e->detail[0] != '\0' ? e->detail : NULL;

	if (shows && e->value != NULL)
		return detail ? k8c_xasprintf("%s: %s: %s", text, e->value, detail)
		              : k8c_xasprintf("%s: %s", text, e->value);
	return detail ? k8c_xasprintf("%s: %s", text, detail) : k8c_xstrdup(text);
}

cJSON *k8c_field_errors_status(const k8c_field_errors_t *errs, const char *group,
                               const char *kind, const char *name)
{
	cJSON *st = cJSON_CreateObject(), *details, *causes;
	size_t len = 0, cap = 256;
	char *msg = k8c_xmalloc(cap);

	msg[0] = '\0';
	cJSON_AddStringToObject(st, "kind", "Status");
	cJSON_AddStringToObject(st, "apiVersion", "v1");
	cJSON_AddObjectToObject(st, "metadata");
	cJSON_AddStringToObject(st, "status", "Failure");
	details = cJSON_CreateObject();
	cJSON_AddStringToObject(details, "name", name ? name : "");
	if (group != NULL && group[0] != '\0')
		cJSON_AddStringToObject(details, "group", group);
	cJSON_AddStringToObject(details, "kind", kind);
	causes = cJSON_AddArrayToObject(details, "causes");
	for (size_t i = 0; i < errs->n; i++) {
		const k8c_field_error_t *e = &errs->items[i];
		_cleanup_free_ char *body = k8c_field_error_message(e);
		_cleanup_free_ char *line = k8c_xasprintf("%s%s%s", e->field,
		                                          e->field[0] ? ": " : "", body);
		cJSON *c = cJSON_CreateObject();
		size_t need = strlen(line) + 3;

		cJSON_AddStringToObject(c, "reason", k8c_field_error_reason(e->type));
		cJSON_AddStringToObject(c, "message", body);
		cJSON_AddStringToObject(c, "field", e->field);
		cJSON_AddItemToArray(causes, c);
		while (len + need >= cap)
			msg = k8c_xrealloc(msg, cap *= 2);
		len += (size_t)snprintf(msg + len, cap - len, "%s%s", i ? ", " : "", line);
	}
	{
		_cleanup_free_ char *gk = group != NULL && group[0] != '\0'
		                                  ? k8c_xasprintf("%s.%s", kind, group)
		                                  : k8c_xstrdup(kind);
		_cleanup_free_ char *full = errs->n > 1
		        ? k8c_xasprintf("%s \"%s\" is invalid: [%s]", gk, name ? name : "", msg)
		        : k8c_xasprintf("%s \"%s\" is invalid: %s", gk, name ? name : "", msg);
		cJSON_AddStringToObject(st, "message", full);
	}
	free(msg);
	cJSON_AddStringToObject(st, "reason", "Invalid");
	cJSON_AddItemToObject(st, "details", details);
	cJSON_AddNumberToObject(st, "code", 422);
	return st;
}

void k8c_field_errors_free(k8c_field_errors_t *errs)
{
	for (size_t i = 0; i < errs->n; i++) {
		free(errs->items[i].field);
		free(errs->items[i].value);
		free(errs->items[i].detail);
	}
	free(errs->items);
	errs->items = NULL;
	errs->n = errs->cap = 0;
}
