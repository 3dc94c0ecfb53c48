/* meta.k8s.io/v1 Table output for `kubectl get` (API-NOTES.md): the kind's
 * columns, one row per object, and each row's object as
 * PartialObjectMetadata so that -A and --show-labels work. */
#include "config.h"

#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "apiserver/internal.h"
#include "apiserver/kinds/util.h"
#include "common/mem.h"

int k8c_wants_table(const k8c_api_request_t *req)
{
	return req->accept != NULL && strstr(req->accept, "as=Table") != NULL;
}

static const k8c_table_column_t default_columns[] = {
	{"Name", "string", "name", "Name must be unique within a namespace.", 0},
	{"Created At", "date", "", "CreationTimestamp is a timestamp representing the server time when this object was created.", 0},
};

static cJSON *partial_metadata(const cJSON *obj)
{
	cJSON *p = cJSON_CreateObject();
	const cJSON *md = cJSON_GetObjectItemCaseSensitive(obj, "metadata");

	cJSON_AddStringToObject(p, "kind", "PartialObjectMetadata");
	cJSON_AddStringToObject(p, "apiVersion", "meta.k8s.io/v1");
	cJSON_AddItemToObject(p, "metadata", md ? cJSON_Duplicate(md, 1) : cJSON_CreateObject());
	return p;
}

static void default_row(const cJSON *obj, cJSON *cells)
{
	const char *name = k8c_jstr(obj, "metadata.name");
	const char *ts = k8c_jstr(obj, "metadata.creationTimestamp");

	cJSON_AddItemToArray(cells, cJSON_CreateString(name ? name : ""));
	cJSON_AddItemToArray(cells, cJSON_CreateString(ts ? ts : ""));
}

cJSON *k8c_table(const k8c_kind_t *kind, const cJSON *objs, const cJSON *list_meta,
                 int include_object)
{
	const k8c_table_column_t *cols = kind->row ? kind->columns : default_columns;
	size_t n = kind->row ? kind->n_columns : 2;
	cJSON *t = cJSON_CreateObject(), *defs, *rows;
	const cJSON *o;
	long long now = (long long)time(NULL);

	cJSON_AddStringToObject(t, "kind", "Table");
	cJSON_AddStringToObject(t, "apiVersion", "meta.k8s.io/v1");
	cJSON_AddItemToObject(t, "metadata", list_meta ? cJSON_Duplicate(list_meta, 1)
	                                               : cJSON_CreateObject());
	defs = cJSON_AddArrayToObject(t, "columnDefinitions");
	for (size_t i = 0; i < n; i++) {
		cJSON *d = cJSON_CreateObject();
		cJSON_AddStringToObject(d, "name", cols[i].name);
		cJSON_AddStringToObject(d, "type", cols[i].type);
		cJSON_AddStringToObject(d, "format", cols[i].format ? cols[i].format : "");
		cJSON_AddStringToObject(d, "description", cols[i].description ? cols[i].description : "");
		cJSON_AddNumberToObject(d, "priority", cols[i].priority);
		cJSON_AddItemToArray(defs, d);
	}
	rows = cJSON_AddArrayToObject(t, "rows");
	cJSON_ArrayForEach(o, objs) {
		cJSON *row = cJSON_CreateObject();
		cJSON *cells = cJSON_AddArrayToObject(row, "cells");
		if (kind->row)
			kind->row(o, cells, now);
		else
			default_row(o, cells);
		while ((size_t)cJSON_GetArraySize(cells) < n) /* a short row: pad */
			cJSON_AddItemToArray(cells, cJSON_CreateString(""));
		if (include_object)
			cJSON_AddItemToObject(row, "object", partial_metadata(o));
		cJSON_AddItemToArray(rows, row);
	}
	return t;
}
