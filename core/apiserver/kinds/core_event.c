/* The core/v1 events resource: the fields Kubernetes always writes, the
 * legacy event validation the v1 API applies, `kubectl get events` rows
 * and the event field selectors. */
#include "config.h"

#include <string.h>

#include <cjson/cJSON.h>

#include "apiserver/kind.h"
#include "apiserver/kinds/core.h"
#include "apiserver/kinds/core_internal.h"
#include "apiserver/kinds/util.h"
#include "common/mem.h"

/* Struct and non-omitempty members of v1.Event are always serialized:
 * involvedObject and source as objects, the zero times as null,
 * reportingComponent and reportingInstance as "". */
static void event_defaults(cJSON *ev)
{
	static const char *const times[] = {"firstTimestamp", "lastTimestamp", "eventTime", NULL};

	if (!cJSON_IsObject(ev))
		return;
	k8c_jobject(ev, "involvedObject");
	k8c_jobject(ev, "source");
	for (const char *const *t = times; *t != NULL; t++)
		if (cJSON_GetObjectItemCaseSensitive(ev, *t) == NULL)
			cJSON_AddNullToObject(ev, *t);
	k8c_jdefault_str(ev, "reportingComponent", "");
	k8c_jdefault_str(ev, "reportingInstance", "");
}

static void length_limit(k8c_field_errors_t *e, const cJSON *ev, const char *key, size_t max)
{
	char d[64];

	if (strlen(k8c_core_strz(ev, key)) > max) {
		snprintf(d, sizeof(d), "can have at most %zu characters", max);
		k8c_core_invalid_str(e, key, "", d);
	}
}

/* legacyValidateEvent: all that events created through the core/v1 API
 * must pass. */
static void event_validate(int op, const cJSON *ev, const cJSON *old, k8c_field_errors_t *e)
{
	const char *ns = k8c_core_strz(k8c_core_object(ev, "metadata"), "namespace");
	const cJSON *io = k8c_core_object(ev, "involvedObject");
	const char *ions = k8c_core_strz(io, "namespace");

	if (op == K8C_OP_STATUS_UPDATE)
		return;
	if (k8c_core_strz(ev, "eventTime")[0] == '\0') {
		if (ions[0] == '\0') {
			if (ns[0] != '\0' && strcmp(ns, "default") != 0)
				k8c_core_invalid_str(e, "involvedObject.namespace", ions,
				                     "does not match event.namespace");
		} else if (strcmp(ns, ions) != 0) {
			k8c_core_invalid_str(e, "involvedObject.namespace", ions,
			                     "does not match event.namespace");
		}
	} else {
		const char *rc = k8c_core_strz(ev, "reportingComponent");
		if (ions[0] == '\0' && strcmp(ns, "default") != 0 && strcmp(ns, "kube-system") != 0)
			k8c_core_invalid_str(e, "involvedObject.namespace", ions,
			                     "does not match event.namespace");
		if (rc[0] == '\0')
			k8c_core_required(e, "reportingController", NULL);
		k8c_core_qualified_name(e, "reportingController", rc);
		if (k8c_core_strz(ev, "reportingInstance")[0] == '\0')
			k8c_core_required(e, "reportingInstance", NULL);
		length_limit(e, ev, "reportingInstance", 128);
		if (k8c_core_strz(ev, "action")[0] == '\0')
			k8c_core_required(e, "action", NULL);
		length_limit(e, ev, "action", 128);
		if (k8c_core_strz(ev, "reason")[0] == '\0')
			k8c_core_required(e, "reason", NULL);
		length_limit(e, ev, "reason", 128);
		length_limit(e, ev, "message", 1024);
	}
	k8c_core_dns_subdomain(e, "namespace", ns);
}

static const k8c_table_column_t event_columns[] = {
    {"Last Seen", "string", "", "Time since the event was last observed.", 0},
    {"Type", "string", "", "Normal or Warning.", 0},
    {"Reason", "string", "", "Why the event was reported, in one word.", 0},
    {"Object", "string", "", "The object the event is about.", 0},
    {"Subobject", "string", "", "The part of the object the event is about.", 1},
    {"Source", "string", "", "The component that reported the event.", 1},
    {"Message", "string", "", "What happened, in words.", 0},
    {"First Seen", "string", "", "Time since the event was first observed.", 1},
    {"Count", "string", "", "How many times the event was observed.", 1},
    {"Name", "string", "name", "Name of the event.", 1},
};

static void event_row(const cJSON *ev, cJSON *cells, long long now_s)
{
	const cJSON *io = k8c_core_object(ev, "involvedObject"),
	            *series = k8c_core_object(ev, "series");
	const cJSON *src = k8c_core_object(ev, "source");
	const char *first = k8c_core_strz(ev, "firstTimestamp"),
	           *lastts = k8c_core_strz(ev, "lastTimestamp");
	const char *comp = k8c_core_strz(src, "component"), *host = k8c_core_strz(src, "host");
	_cleanup_free_ char *kind = k8c_xstrdup(k8c_core_strz(io, "kind"));
	_cleanup_free_ char *target = NULL, *source = NULL, *msg = NULL;
	long long count = k8c_core_int(ev, "count", 0);
	char *m;
	size_t n;

	if (first[0] == '\0')
		first = k8c_core_strz(ev, "eventTime");
	if (lastts[0] == '\0')
		lastts = first;
	if (series != NULL) {
		lastts = k8c_core_strz(series, "lastObservedTime");
		count = k8c_core_int(series, "count", 0);
	} else if (count == 0) {
		count = 1; /* singleton events of the new API have no count */
	}
	for (char *c = kind; *c != '\0'; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	target = k8c_core_strz(io, "name")[0] != '\0'
	             ? k8c_xasprintf("%s/%s", kind, k8c_core_strz(io, "name"))
	             : k8c_xstrdup(kind);
	if (comp[0] == '\0')
		comp = k8c_core_strz(ev, "reportingComponent");
	if (host[0] == '\0')
		host = k8c_core_strz(ev, "reportingInstance");
	source = host[0] == '\0' ? k8c_xstrdup(comp) : k8c_xasprintf("%s, %s", comp, host);
	msg = k8c_xstrdup(k8c_core_strz(ev, "message"));
	for (m = msg;
	     *m == ' ' || *m == '\t' || *m == '\n' || *m == '\r' || *m == '\v' || *m == '\f'; m++)
		;
	n = strlen(m);
	while (n > 0 && strchr(" \t\n\r\v\f", m[n - 1]) != NULL)
		m[--n] = '\0';
	k8c_core_cell_since(cells, lastts, now_s);
	k8c_core_cell_str(cells, k8c_core_strz(ev, "type"));
	k8c_core_cell_str(cells, k8c_core_strz(ev, "reason"));
	k8c_core_cell_str(cells, target);
	k8c_core_cell_str(cells, k8c_core_strz(io, "fieldPath"));
	k8c_core_cell_str(cells, source);
	k8c_core_cell_str(cells, m);
	k8c_core_cell_since(cells, first, now_s);
	k8c_core_cell_int(cells, count);
	k8c_core_cell_str(cells, k8c_jstr(ev, "metadata.name"));
}

static const char *const event_fields[] = {"involvedObject.kind",
                                           "involvedObject.namespace",
                                           "involvedObject.name",
                                           "involvedObject.uid",
                                           "involvedObject.apiVersion",
                                           "involvedObject.resourceVersion",
                                           "involvedObject.fieldPath",
                                           "reason",
                                           "reportingComponent",
                                           "source",
                                           "type",
                                           NULL};

static const char *event_field_value(const cJSON *ev, const char *field, char *buf, size_t buflen)
{
	(void)buf;
	(void)buflen;
	if (strcmp(field, "source") == 0) {
		const char *c = k8c_jstr(ev, "source.component");
		return c != NULL && c[0] != '\0' ? c : k8c_jstr(ev, "reportingComponent");
	}
	return k8c_jstr(ev, field);
}

static const char *const event_short[] = {"ev", NULL};

const k8c_kind_t k8c_kind_events = {
    .group = "",
    .version = "v1",
    .resource = "events",
    .singular = "event",
    .kind = "Event",
    .namespaced = 1,
    .short_names = event_short,
    .verbs = K8C_VERBS_ALL,
    .subresources = 0,
    .schema_type = "io.k8s.api.core.v1.Event",
    .has_status = 0,
    .has_generation = 0,
    .defaults = event_defaults,
    .validate = event_validate,
    .columns = event_columns,
    .n_columns = sizeof(event_columns) / sizeof(event_columns[0]),
    .row = event_row,
    .field_selectors = event_fields,
    .field_value = event_field_value,
};
