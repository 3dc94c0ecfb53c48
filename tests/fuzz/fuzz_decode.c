/* libFuzzer target for the request decoding path: what the API server does
 * with a JSON body before it stores an object (handlers.c check_schema,
 * objects.c create and update), without the store:
 *   cJSON parse -> k8c_schema_decode of the kind's type -> apiVersion/kind
 *   -> the metadata the server owns -> defaults -> prepare -> generic
 *   metadata validation -> the kind's validate -> the 422 Status
 * then what reads do with a stored object (Table row, field selectors).
 *
 * The input is a JSON body.  Its apiVersion and kind pick the kind when
 * they name one the server serves; otherwise the input's size does (and
 * apiVersion/kind are filled in, as for python clients that omit them).
 * A top-level array [OLD, NEW] runs OLD through create, then NEW through
 * update and status update against it (NEW takes OLD's kind); any other
 * body is created, then updated with itself.
 *
 * Checked: no crash or sanitizer report; decoding twice finds nothing the
 * first pass left (it prunes what it reports); every result prints and
 * parses again. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "apiserver/field_errors.h"
#include "apiserver/kind.h"
#include "apiserver/schema.h"
#include "common/names.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FIXED_UID "6b2f4a52-1c3e-4d55-9e0a-3f1d2c4b5a69"
#define FIXED_TIME "2024-01-01T00:00:00Z"
#define NOW_S 1704067300LL

static void die(const char *what)
{
	fprintf(stderr, "fuzz_decode: %s\n", what);
	abort();
}

static int schema_ready(void)
{
	static int ready = -1;
	k8c_error_t err;

	if (ready < 0) {
		ready = k8c_schema_init(&err) == 0;
		if (!ready)
			die("k8c_schema_init failed");
	}
	return ready;
}

static size_t n_kinds(void)
{
	size_t n = 0;

	while (k8c_kinds[n] != NULL)
		n++;
	return n;
}

static const char *str_at(const cJSON *obj, const char *field)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, field);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const char *meta_str(const cJSON *obj, const char *field)
{
	return str_at(cJSON_GetObjectItemCaseSensitive(obj, "metadata"), field);
}

static void set_str(cJSON *o, const char *field, const char *value)
{
	cJSON_DeleteItemFromObjectCaseSensitive(o, field);
	if (value != NULL)
		cJSON_AddStringToObject(o, field, value);
}

/* The kind a body names with apiVersion and kind, or NULL. */
static const k8c_kind_t *named_kind(const cJSON *obj)
{
	const char *av = str_at(obj, "apiVersion"), *k = str_at(obj, "kind");
	char group[256];
	const char *slash;

	if (av == NULL || k == NULL)
		return NULL;
	slash = strchr(av, '/');
	if (slash == NULL)
		return k8c_kind_by_kind("", av, k);
	if ((size_t)(slash - av) >= sizeof(group))
		return NULL;
	memcpy(group, av, (size_t)(slash - av));
	group[slash - av] = '\0';
	return k8c_kind_by_kind(group, slash + 1, k);
}

/* handlers.c check_schema: prune unknown fields; a type error is a 400.
 * Decoding what was decoded must find nothing more. */
static int decode(const k8c_kind_t *kind, cJSON *obj)
{
	const k8c_schema_node_t *type = kind->schema_type ? k8c_schema_type(kind->schema_type) : NULL;
	k8c_schema_report_t rep = {0}, again = {0};
	int ret;

	if (type == NULL)
		return 0;
	ret = k8c_schema_decode(type, obj, &rep);
	if (ret < 0 && rep.type_error == NULL)
		die("decode failed without a type error");
	for (size_t i = 0; i < rep.n_unknown; i++)
		if (rep.unknown[i] == NULL)
			die("NULL unknown field path");
	k8c_schema_report_free(&rep);
	if (ret < 0)
		return ret;
	if (k8c_schema_decode(type, obj, &again) < 0)
		die("a decoded object does not decode again");
	if (again.n_unknown > 0)
		die("a decoded object still has unknown fields");
	k8c_schema_report_free(&again);
	return 0;
}

/* objects.c check_type: apiVersion and kind must match (filled when
 * absent), and come first. */
static int check_type(const k8c_kind_t *kind, cJSON *obj)
{
	char av[128];
	const char *a = str_at(obj, "apiVersion"), *k = str_at(obj, "kind");

	if (kind->group[0])
		snprintf(av, sizeof(av), "%s/%s", kind->group, kind->version);
	else
		snprintf(av, sizeof(av), "%s", kind->version);
	if ((a != NULL && a[0] && strcmp(a, av) != 0) || (k != NULL && k[0] && strcmp(k, kind->kind) != 0))
		return -1;
	cJSON_DeleteItemFromObjectCaseSensitive(obj, "apiVersion");
	cJSON_DeleteItemFromObjectCaseSensitive(obj, "kind");
	cJSON_InsertItemInArray(obj, 0, cJSON_CreateString(kind->kind));
	obj->child->string = strdup("kind");
	cJSON_InsertItemInArray(obj, 0, cJSON_CreateString(av));
	obj->child->string = strdup("apiVersion");
	return 0;
}

/* objects.c validate_meta. */
static void validate_meta(const k8c_kind_t *kind, const cJSON *obj, k8c_field_errors_t *errs)
{
	const cJSON *md = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
	const cJSON *labels = cJSON_GetObjectItemCaseSensitive(md, "labels"), *l;
	const char *name = meta_str(obj, "name");
	char msg[K8C_NAME_MSG_MAX];

	if (name == NULL || name[0] == '\0')
		k8c_field_error_add(errs, K8C_FIELD_REQUIRED, "metadata.name", NULL,
		                    "name or generateName is required");
	else if (!kind->validates_name &&
	         (kind->name_valid != NULL ? !kind->name_valid(name, msg, sizeof(msg))
	                                   : !k8c_is_dns1123_subdomain(name, msg, sizeof(msg))))
		k8c_field_error_add(errs, K8C_FIELD_INVALID, "metadata.name",
		                    cJSON_GetObjectItemCaseSensitive(md, "name"), "%s", msg);
	if (cJSON_IsObject(labels))
		cJSON_ArrayForEach(l, labels) {
			if (!k8c_is_qualified_name(l->string, msg, sizeof(msg)))
				k8c_field_error_add_raw(errs, K8C_FIELD_INVALID, "metadata.labels", NULL,
				                        "%s", msg);
			else if (cJSON_IsString(l) && !k8c_is_label_value(l->valuestring, msg, sizeof(msg)))
				k8c_field_error_add(errs, K8C_FIELD_INVALID, "metadata.labels", l, "%s", msg);
		}
	if (!k8c_validate_annotations(cJSON_GetObjectItemCaseSensitive(md, "annotations"), msg,
	                              sizeof(msg)))
		k8c_field_error_add(errs, K8C_FIELD_INVALID, "metadata.annotations", NULL, "%s", msg);
}

static void must_print(const cJSON *obj)
{
	char *s = cJSON_PrintUnformatted(obj);
	cJSON *back;

	if (s == NULL)
		die("a result does not print");
	back = cJSON_Parse(s);
	if (back == NULL)
		die("a result does not parse again");
	cJSON_Delete(back);
	free(s);
}

/* The 422 Status, as respond_invalid builds it. */
static int finish_validation(const k8c_kind_t *kind, const cJSON *obj, k8c_field_errors_t *errs)
{
	int n = (int)errs->n;

	if (n > 0) {
		const char *name = meta_str(obj, "name");
		cJSON *st = k8c_field_errors_status(errs, kind->group, kind->kind, name ? name : "");
		if (st == NULL)
			die("no Status for field errors");
		must_print(st);
		cJSON_Delete(st);
	}
	k8c_field_errors_free(errs);
	return n > 0 ? -1 : 0;
}

/* What reads do with a stored object: a Table row, field selector values. */
static void read_hooks(const k8c_kind_t *kind, const cJSON *obj)
{
	if (kind->row != NULL) {
		cJSON *cells = cJSON_CreateArray();
		kind->row(obj, cells, NOW_S);
		if ((size_t)cJSON_GetArraySize(cells) != kind->n_columns)
			die("a Table row has the wrong number of cells");
		must_print(cells);
		cJSON_Delete(cells);
	}
	if (kind->field_selectors != NULL && kind->field_value != NULL)
		for (const char *const *f = kind->field_selectors; *f != NULL; f++) {
			char buf[256];
			const char *v = kind->field_value(obj, *f, buf, sizeof(buf));
			if (v != NULL && strlen(v) > 1u << 20)
				die("implausible field value");
		}
}

/* objects.c k8c_object_create_opts up to the store.  0 when it would be
 * stored. */
static int create(const k8c_kind_t *kind, cJSON *obj)
{
	k8c_field_errors_t errs = K8C_FIELD_ERRORS_INIT;
	cJSON *md;

	if (!cJSON_IsObject(obj) || decode(kind, obj) < 0 || check_type(kind, obj) < 0)
		return -1;
	md = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
	if (md == NULL || cJSON_IsNull(md)) {
		cJSON_DeleteItemFromObjectCaseSensitive(obj, "metadata");
		md = cJSON_AddObjectToObject(obj, "metadata");
	}
	if (!cJSON_IsObject(md))
		return -1;
	if (kind->namespaced) {
		const char *ns = meta_str(obj, "namespace");
		char *copy = strdup(ns && ns[0] ? ns : "default");
		set_str(md, "namespace", copy);
		free(copy);
	} else {
		cJSON_DeleteItemFromObjectCaseSensitive(md, "namespace");
	}
	if (meta_str(obj, "resourceVersion") != NULL && meta_str(obj, "resourceVersion")[0])
		return -1;
	if ((meta_str(obj, "name") == NULL || !meta_str(obj, "name")[0]) &&
	    meta_str(obj, "generateName") != NULL && meta_str(obj, "generateName")[0]) {
		char gen[80];
		snprintf(gen, sizeof(gen), "%.*sabcde", 58, meta_str(obj, "generateName"));
		set_str(md, "name", gen);
	}
	set_str(md, "uid", FIXED_UID);
	set_str(md, "creationTimestamp", FIXED_TIME);
	cJSON_DeleteItemFromObjectCaseSensitive(md, "deletionTimestamp");
	cJSON_DeleteItemFromObjectCaseSensitive(md, "deletionGracePeriodSeconds");
	cJSON_DeleteItemFromObjectCaseSensitive(md, "generation");
	if (kind->has_generation)
		cJSON_AddNumberToObject(md, "generation", 1);
	if (kind->defaults)
		kind->defaults(obj);
	if (kind->prepare)
		kind->prepare(K8C_OP_CREATE, obj, NULL);
	validate_meta(kind, obj, &errs);
	if (kind->validate)
		kind->validate(K8C_OP_CREATE, obj, NULL, &errs);
	if (finish_validation(kind, obj, &errs) < 0)
		return -1;
	must_print(obj);
	set_str(md, "resourceVersion", "7");
	return 0;
}

/* objects.c spec_changed: anything but metadata and status differs. */
static int spec_changed(const cJSON *a, const cJSON *b)
{
	const cJSON *x;
	int na = 0, nb = 0;

	cJSON_ArrayForEach(x, a) {
		if (strcmp(x->string, "metadata") == 0 || strcmp(x->string, "status") == 0)
			continue;
		na++;
		if (!cJSON_Compare(x, cJSON_GetObjectItemCaseSensitive(b, x->string), 1))
			return 1;
	}
	cJSON_ArrayForEach(x, b)
		if (strcmp(x->string, "metadata") != 0 && strcmp(x->string, "status") != 0)
			nb++;
	return na != nb;
}

static void keep_field(cJSON *obj, const cJSON *old, const char *field)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(old, field);

	cJSON_DeleteItemFromObjectCaseSensitive(obj, field);
	if (v != NULL)
		cJSON_AddItemToObject(obj, field, cJSON_Duplicate(v, 1));
}

/* objects.c k8c_object_update up to the store (status: through the status
 * subresource). */
static void update(const k8c_kind_t *kind, cJSON *obj, const cJSON *old, int status)
{
	static const char *const server_owned[] = {"uid", "creationTimestamp", "deletionTimestamp",
	                                           "deletionGracePeriodSeconds", "generation",
	                                           "namespace", "name"};
	k8c_field_errors_t errs = K8C_FIELD_ERRORS_INIT;
	const cJSON *oldmd = cJSON_GetObjectItemCaseSensitive(old, "metadata");
	int op = status ? K8C_OP_STATUS_UPDATE : K8C_OP_UPDATE;
	cJSON *md;

	if (!cJSON_IsObject(obj) || decode(kind, obj) < 0 || check_type(kind, obj) < 0)
		return;
	md = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
	if (!cJSON_IsObject(md)) {
		cJSON_DeleteItemFromObjectCaseSensitive(obj, "metadata");
		md = cJSON_AddObjectToObject(obj, "metadata");
	}
	if (status) {
		cJSON *st = cJSON_DetachItemFromObjectCaseSensitive(obj, "status");
		cJSON *copy = cJSON_Duplicate(old, 1);
		cJSON tmp = *obj;
		cJSON_DeleteItemFromObjectCaseSensitive(copy, "status");
		if (st != NULL)
			cJSON_AddItemToObject(copy, "status", st);
		obj->child = copy->child;
		copy->child = tmp.child;
		cJSON_Delete(copy);
		md = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
	} else if (kind->has_status) {
		keep_field(obj, old, "status");
	}
	for (size_t i = 0; i < sizeof(server_owned) / sizeof(server_owned[0]); i++)
		keep_field(md, oldmd, server_owned[i]);
	set_str(md, "resourceVersion", "7");
	if (kind->defaults)
		kind->defaults(obj);
	if (kind->has_generation) {
		const cJSON *g = cJSON_GetObjectItemCaseSensitive(oldmd, "generation");
		double gen = cJSON_IsNumber(g) ? g->valuedouble : 1;
		if (spec_changed(obj, old))
			gen++;
		cJSON_DeleteItemFromObjectCaseSensitive(md, "generation");
		cJSON_AddNumberToObject(md, "generation", gen);
	}
	if (kind->prepare)
		kind->prepare(op, obj, old);
	validate_meta(kind, obj, &errs);
	if (kind->validate)
		kind->validate(op, obj, old, &errs);
	if (finish_validation(kind, obj, &errs) == 0) {
		must_print(obj);
		read_hooks(kind, obj);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cJSON *in, *old, *upd;
	const k8c_kind_t *kind;

	if (!schema_ready())
		return 0;
	in = cJSON_ParseWithLength((const char *)data, size);
	if (in == NULL)
		return 0;
	if (cJSON_IsArray(in) && cJSON_GetArraySize(in) == 2) {
		old = cJSON_DetachItemFromArray(in, 0);
		upd = cJSON_DetachItemFromArray(in, 0);
	} else {
		old = cJSON_Duplicate(in, 1);
		upd = cJSON_Duplicate(in, 1);
	}
	cJSON_Delete(in);
	kind = named_kind(old);
	if (kind == NULL) {
		kind = k8c_kinds[size % n_kinds()];
		if (cJSON_IsObject(old)) {
			cJSON_DeleteItemFromObjectCaseSensitive(old, "apiVersion");
			cJSON_DeleteItemFromObjectCaseSensitive(old, "kind");
		}
		if (cJSON_IsObject(upd)) {
			cJSON_DeleteItemFromObjectCaseSensitive(upd, "apiVersion");
			cJSON_DeleteItemFromObjectCaseSensitive(upd, "kind");
		}
	}
	if (create(kind, old) == 0) {
		cJSON *upd2 = cJSON_Duplicate(upd, 1);
		read_hooks(kind, old);
		update(kind, upd, old, 0);
		update(kind, upd2, old, 1);
		cJSON_Delete(upd2);
	}
	cJSON_Delete(old);
	cJSON_Delete(upd);
	return 0;
}
