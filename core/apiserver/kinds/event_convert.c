/* events.k8s.io/v1 Events are core/v1 Events in storage, as in Kubernetes:
 * one set of objects, two APIs.  The conversions rename the fields the two
 * versions name differently (regarding/involvedObject, note/message,
 * reportingController/reportingComponent and the deprecated* fields); the
 * rest (reason, type, action, related, series, eventTime,
 * reportingInstance, metadata) is the same in both. */
#include "config.h"

#include <string.h>

#include <cjson/cJSON.h>

#include "apiserver/kinds/groups.h"

/* {events.k8s.io name, core/v1 name} */
static const char *const renames[][2] = {
	{"regarding", "involvedObject"},
	{"note", "message"},
	{"reportingController", "reportingComponent"},
	{"deprecatedSource", "source"},
	{"deprecatedFirstTimestamp", "firstTimestamp"},
	{"deprecatedLastTimestamp", "lastTimestamp"},
	{"deprecatedCount", "count"},
};

static void rename_all(cJSON *obj, int from, const char *api_version)
{
	for (size_t i = 0; i < sizeof(renames) / sizeof(renames[0]); i++) {
		cJSON *v = cJSON_DetachItemFromObjectCaseSensitive(obj, renames[i][from]);
		if (v != NULL) {
			cJSON_DeleteItemFromObjectCaseSensitive(obj, renames[i][!from]);
			cJSON_AddItemToObject(obj, renames[i][!from], v);
		}
	}
	if (cJSON_GetObjectItemCaseSensitive(obj, "apiVersion") != NULL) /* in place: first */
		cJSON_ReplaceItemInObjectCaseSensitive(obj, "apiVersion", cJSON_CreateString(api_version));
	else
		cJSON_AddStringToObject(obj, "apiVersion", api_version);
	if (cJSON_GetObjectItemCaseSensitive(obj, "kind") == NULL)
		cJSON_AddStringToObject(obj, "kind", "Event");
}

void k8c_event_to_core(cJSON *obj)
{
	rename_all(obj, 0, "v1");
}

void k8c_event_from_core(cJSON *obj)
{
	rename_all(obj, 1, "events.k8s.io/v1");
	/* core/v1 writes these even when empty; events.k8s.io/v1 leaves them out */
	for (const char *const *f = (const char *const[]){"reportingController", "reportingInstance",
	                                                   "action", NULL};
	     *f != NULL; f++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, *f);
		if (cJSON_IsString(v) && v->valuestring[0] == '\0')
			cJSON_DeleteItemFromObjectCaseSensitive(obj, *f);
	}
}
