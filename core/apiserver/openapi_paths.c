/* The OpenAPI documents: the v3 index, one v3 document per group version
 * and the v2 (swagger) document.  Paths come from the served kinds
 * (k8c_kinds, kind.h): every operation carries x-kubernetes-action and
 * x-kubernetes-group-version-kind, and writes take the dryRun,
 * fieldManager and fieldValidation parameters, which is how kubectl decides
 * that the server validates fields itself (fieldValidation=Strict). */
#include "config.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "apiserver/kind.h"
#include "apiserver/schema/internal.h"
#include "apiserver/schema/openapi.h"
#include "common/mem.h"

#define K8S_VERSION "v1.32.0"
#define META "io.k8s.apimachinery.pkg.apis.meta.v1."

/* --- query parameters ------------------------------------------------------- */

static const struct param {
	const char *name, *type, *desc;
} params[] = {
	{ "allowWatchBookmarks", "boolean", "Ask for BOOKMARK watch events; ignored when not watching." },
	{ "continue", "string", "The continue token of the previous page of a paged list." },
	{ "fieldSelector", "string", "Restrict the objects returned by their fields. Defaults to everything." },
	{ "labelSelector", "string", "Restrict the objects returned by their labels. Defaults to everything." },
	{ "limit", "integer", "The most objects a list returns; the rest comes with the continue token." },
	{ "resourceVersion", "string", "Which resource version the request may be served from." },
	{ "resourceVersionMatch", "string", "How resourceVersion applies to a list: Exact or NotOlderThan." },
	{ "sendInitialEvents", "boolean", "With watch: start with the current objects as ADDED events." },
	{ "timeoutSeconds", "integer", "End a list or watch call after this many seconds." },
	{ "watch", "boolean", "Stream the changes to the objects instead of listing them." },
	{ "dryRun", "string", "\"All\": process the request fully but persist nothing." },
	{ "fieldManager", "string", "The name of the actor making the change (server-side apply's manager)." },
	{ "fieldValidation", "string",
	  "What to do with unknown or duplicate fields in the object: Ignore (drop them), Warn "
	  "(drop them and answer with a warning for each) or Strict (fail the request)." },
	{ "force", "boolean", "Server-side apply: take the fields other managers own." },
	{ "gracePeriodSeconds", "integer", "Seconds before the object is deleted; 0 deletes at once." },
	{ "orphanDependents", "boolean", "Deprecated: use propagationPolicy." },
	{ "propagationPolicy", "string", "Garbage collection of dependents: Orphan, Background or Foreground." },
	{ "container", "string", "The container to stream logs of; may be omitted with one container." },
	{ "follow", "boolean", "Keep streaming the log." },
	{ "insecureSkipTLSVerifyBackend", "boolean", "Do not verify the kubelet's serving certificate." },
	{ "limitBytes", "integer", "Stop after this many bytes of log." },
	{ "previous", "boolean", "The log of the previous instance of the container." },
	{ "sinceSeconds", "integer", "Only log lines newer than this many seconds." },
	{ "stream", "string", "Which stream: All, Stdout or Stderr." },
	{ "tailLines", "integer", "Only this many lines from the end of the log." },
	{ "timestamps", "boolean", "Prefix every line with its RFC 3339 timestamp." },
	{ "pretty", "string", "If 'true', the output is pretty printed." },
};

static const char *const list_params[] = { "allowWatchBookmarks", "continue", "fieldSelector",
	"labelSelector", "limit", "resourceVersion", "resourceVersionMatch", "sendInitialEvents",
	"timeoutSeconds", "watch", NULL };
static const char *const write_params[] = { "dryRun", "fieldManager", "fieldValidation", NULL };
static const char *const patch_params[] = { "dryRun", "fieldManager", "fieldValidation", "force",
	NULL };
static const char *const delete_params[] = { "dryRun", "gracePeriodSeconds", "orphanDependents",
	"propagationPolicy", NULL };
static const char *const deletecoll_params[] = { "continue", "dryRun", "fieldSelector",
	"gracePeriodSeconds", "labelSelector", "limit", "orphanDependents", "propagationPolicy",
	"resourceVersion", "resourceVersionMatch", "sendInitialEvents", "timeoutSeconds", NULL };
static const char *const log_params[] = { "container", "follow", "insecureSkipTLSVerifyBackend",
	"limitBytes", "previous", "sinceSeconds", "stream", "tailLines", "timestamps", NULL };
static const char *const get_params[] = { NULL };

static cJSON *param_json(const char *name, const char *in, const char *type, const char *desc,
                         int v3)
{
	cJSON *p = cJSON_CreateObject();

	cJSON_AddStringToObject(p, "description", desc);
	cJSON_AddStringToObject(p, "in", in);
	cJSON_AddStringToObject(p, "name", name);
	if (strcmp(in, "path") == 0)
		cJSON_AddTrueToObject(p, "required");
	if (v3) {
		cJSON *s = cJSON_AddObjectToObject(p, "schema");

		cJSON_AddStringToObject(s, "type", type);
		cJSON_AddTrueToObject(s, "uniqueItems");
	} else {
		cJSON_AddStringToObject(p, "type", type);
		cJSON_AddTrueToObject(p, "uniqueItems");
	}
	return p;
}

static cJSON *query_param(const char *name, int v3)
{
	for (size_t i = 0; i < sizeof(params) / sizeof(params[0]); i++)
		if (strcmp(params[i].name, name) == 0)
			return param_json(name, "query", params[i].type, params[i].desc, v3);
	return NULL;
}

/* --- names ---------------------------------------------------------------------- */

/* "rbac.authorization.k8s.io" -> "RbacAuthorization", "" -> "Core". */
static void group_camel(const char *group, char *buf, size_t len)
{
	size_t o = 0;
	int up = 1;

	if (group[0] == '\0')
		group = "core";
	for (const char *c = group; *c != '\0' && o + 1 < len; c++) {
		if (strcmp(c, ".k8s.io") == 0)
			break;
		if (*c == '.' || *c == '-') {
			up = 1;
			continue;
		}
		buf[o++] = up && *c >= 'a' && *c <= 'z' ? (char)(*c - 'a' + 'A') : *c;
		up = 0;
	}
	buf[o] = '\0';
}

struct gvnames {
	const char *group, *version;
	char prefix[200];  /* "/api/v1", "/apis/apps/v1" */
	char key[200];     /* "api/v1", "apis/apps/v1" */
	char camel[120];   /* "CoreV1" */
	char tag[120];     /* "core_v1" */
};

static void gv_names(const char *group, const char *version, struct gvnames *n)
{
	char g[100];

	n->group = group;
	n->version = version;
	if (group[0] == '\0')
		snprintf(n->prefix, sizeof(n->prefix), "/api/%s", version);
	else
		snprintf(n->prefix, sizeof(n->prefix), "/apis/%s/%s", group, version);
	snprintf(n->key, sizeof(n->key), "%s", n->prefix + 1);
	group_camel(group, g, sizeof(g));
	snprintf(n->camel, sizeof(n->camel), "%s%c%s", g, version[0] - 'a' + 'A', version + 1);
	snprintf(n->tag, sizeof(n->tag), "%c%s_%s", g[0] - 'A' + 'a', g + 1, version);
}

/* --- operations --------------------------------------------------------------------- */

struct op {
	const char *method;  /* "get", "put", ... */
	const char *action;  /* x-kubernetes-action */
	const char *id;      /* operationId */
	const char *desc;
	const char *const *params;
	const char *body;    /* request schema, or NULL */
	int patch;           /* request body is a patch */
	const char *resp;    /* response schema, or NULL for text/plain */
	const char *g, *v, *k; /* x-kubernetes-group-version-kind, k NULL for none */
	int watch;           /* list: also streams */
};

static const char *const json_types[] = { "application/json", "application/yaml",
	"application/vnd.kubernetes.protobuf", NULL };
static const char *const patch_types[] = { "application/apply-patch+yaml",
	"application/json-patch+json", "application/merge-patch+json",
	"application/strategic-merge-patch+json", NULL };
static const char *const list_types[] = { "application/json", "application/yaml",
	"application/vnd.kubernetes.protobuf", "application/json;stream=watch",
	"application/vnd.kubernetes.protobuf;stream=watch", NULL };

static cJSON *string_array(const char *const *v)
{
	cJSON *a = cJSON_CreateArray();

	for (; *v != NULL; v++)
		cJSON_AddItemToArray(a, cJSON_CreateString(*v));
	return a;
}

static cJSON *content(const char *const *types, const char *schema)
{
	cJSON *c = cJSON_CreateObject();

	for (; *types != NULL; types++) {
		cJSON *m = cJSON_AddObjectToObject(c, *types);

		cJSON_AddItemToObject(m, "schema", k8c_openapi_ref(schema, 1));
	}
	return c;
}

static void add_response(cJSON *responses, const char *code, const char *desc,
                         const struct op *op, int v3)
{
	cJSON *r = cJSON_AddObjectToObject(responses, code);

	if (op->resp == NULL) {
		if (v3) {
			cJSON *s = cJSON_AddObjectToObject(cJSON_AddObjectToObject(
				                                   cJSON_AddObjectToObject(r, "content"),
				                                   "text/plain"),
			                                   "schema");

			cJSON_AddStringToObject(s, "type", "string");
		} else {
			cJSON_AddStringToObject(cJSON_AddObjectToObject(r, "schema"), "type", "string");
		}
	} else if (v3) {
		cJSON_AddItemToObject(r, "content",
		                      content(op->watch ? list_types : json_types, op->resp));
	} else {
		cJSON_AddItemToObject(r, "schema", k8c_openapi_ref(op->resp, 0));
	}
	cJSON_AddStringToObject(r, "description", desc);
}

static cJSON *operation(const struct op *op, const struct gvnames *gv, int v3)
{
	cJSON *o = cJSON_CreateObject(), *ps = NULL, *responses;
	const char *tag[] = { gv->tag, NULL };

	if (!v3)
		cJSON_AddItemToObject(o, "consumes",
		                      string_array(op->patch ? patch_types : (const char *const[]){ "*/*", NULL }));
	cJSON_AddStringToObject(o, "description", op->desc);
	cJSON_AddStringToObject(o, "operationId", op->id);
	if (!v3 && op->body != NULL) {
		cJSON *b = cJSON_CreateObject();

		cJSON_AddStringToObject(b, "in", "body");
		cJSON_AddStringToObject(b, "name", "body");
		cJSON_AddTrueToObject(b, "required");
		cJSON_AddItemToObject(b, "schema", k8c_openapi_ref(op->body, 0));
		ps = cJSON_AddArrayToObject(o, "parameters");
		cJSON_AddItemToArray(ps, b);
	}
	for (const char *const *p = op->params; *p != NULL; p++) {
		if (ps == NULL)
			ps = cJSON_AddArrayToObject(o, "parameters");
		cJSON_AddItemToArray(ps, query_param(*p, v3));
	}
	if (!v3)
		cJSON_AddItemToObject(o, "produces",
		                      string_array(op->resp == NULL ? (const char *const[]){ "text/plain",
		                                                                             "application/json",
		                                                                             NULL }
		                                   : op->watch ? list_types
		                                               : json_types));
	if (v3 && op->body != NULL) {
		cJSON *rb = cJSON_AddObjectToObject(o, "requestBody");

		cJSON_AddItemToObject(rb, "content", content(op->patch ? patch_types : json_types,
		                                             op->body));
		cJSON_AddTrueToObject(rb, "required");
	}
	responses = cJSON_AddObjectToObject(o, "responses");
	add_response(responses, "200", "OK", op, v3);
	if (strcmp(op->method, "post") == 0 || strcmp(op->method, "put") == 0 ||
	    strcmp(op->method, "patch") == 0)
		add_response(responses, "201", "Created", op, v3);
	if (strcmp(op->method, "post") == 0 || strcmp(op->method, "delete") == 0)
		add_response(responses, "202", "Accepted", op, v3);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(responses, "401"), "description",
	                        "Unauthorized");
	if (!v3)
		cJSON_AddItemToObject(o, "schemes", string_array((const char *const[]){ "https", NULL }));
	cJSON_AddItemToObject(o, "tags", string_array(tag));
	cJSON_AddStringToObject(o, "x-kubernetes-action", op->action);
	if (op->k != NULL)
		cJSON_AddItemToObject(o, "x-kubernetes-group-version-kind",
		                      k8c_openapi_gvk(op->g, op->v, op->k));
	return o;
}

/* The path item for path, created with its path-level parameters. */
static cJSON *path_item(cJSON *paths, const char *path, const char *kind, int namespaced,
                        int named, int v3)
{
	cJSON *item = cJSON_GetObjectItemCaseSensitive(paths, path), *ps;
	char desc[200];

	if (item != NULL)
		return item;
	item = cJSON_AddObjectToObject(paths, path);
	ps = cJSON_AddArrayToObject(item, "parameters");
	if (named) {
		snprintf(desc, sizeof(desc), "name of the %s", kind);
		cJSON_AddItemToArray(ps, param_json("name", "path", "string", desc, v3));
	}
	if (namespaced)
		cJSON_AddItemToArray(ps, param_json("namespace", "path", "string",
		                                    "object name and auth scope, such as for teams and projects",
		                                    v3));
	cJSON_AddItemToArray(ps, query_param("pretty", v3));
	return item;
}

static void add_op(cJSON *item, struct op *op, const struct gvnames *gv, int v3)
{
	cJSON_AddItemToObject(item, op->method, operation(op, gv, v3));
}

/* All paths of one kind; the schema types they use go to defs. */
static void kind_paths(cJSON *paths, cJSON *defs, const k8c_kind_t *k, int v3)
{
	struct gvnames gv;
	char base[300], itemp[340], sub[380], id[300], desc[300], list[300];
	const char *ns = k->namespaced ? "Namespaced" : "";
	const char *schema = k->schema_type;
	cJSON *item;
	struct op op;

	if (schema == NULL || k8c_schema_lookup(k8c_schema_state, schema) == NULL)
		return;
	gv_names(k->group, k->version, &gv);
	snprintf(list, sizeof(list), "%sList", schema);
	snprintf(base, sizeof(base), "%s%s/%s", gv.prefix, k->namespaced ? "/namespaces/{namespace}" : "",
	         k->resource);
	snprintf(itemp, sizeof(itemp), "%s/{name}", base);
	k8c_openapi_add_type(defs, schema, v3);
	k8c_openapi_add_type(defs, list, v3);
	k8c_openapi_add_type(defs, META "Status", v3);
	k8c_openapi_add_type(defs, META "DeleteOptions", v3);
	k8c_openapi_add_type(defs, META "Patch", v3);

#define OP(m, a, idfmt, descfmt, prm, b, isp, r)                                             \
	do {                                                                                 \
		snprintf(id, sizeof(id), idfmt, gv.camel, ns, k->kind);                      \
		snprintf(desc, sizeof(desc), descfmt, k->kind);                              \
		op = (struct op){ m, a, id, desc, prm, b, isp, r, k->group, k->version, k->kind, 0 }; \
	} while (0)

	item = path_item(paths, base, k->kind, k->namespaced, 0, v3);
	if (k->verbs & K8C_VERB_LIST) {
		OP("get", "list", "list%s%s%s", "list or watch objects of kind %s", list_params, NULL,
		   0, list);
		op.watch = 1;
		add_op(item, &op, &gv, v3);
	}
	if (k->verbs & K8C_VERB_CREATE) {
		OP("post", "post", "create%s%s%s", "create a %s", write_params, schema, 0, schema);
		add_op(item, &op, &gv, v3);
	}
	if (k->verbs & K8C_VERB_DELETECOLLECTION) {
		OP("delete", "deletecollection", "delete%sCollection%s%s", "delete collection of %s",
		   deletecoll_params, META "DeleteOptions", 0, META "Status");
		add_op(item, &op, &gv, v3);
	}

	item = path_item(paths, itemp, k->kind, k->namespaced, 1, v3);
	if (k->verbs & K8C_VERB_GET) {
		OP("get", "get", "read%s%s%s", "read the specified %s", get_params, NULL, 0, schema);
		add_op(item, &op, &gv, v3);
	}
	if (k->verbs & K8C_VERB_UPDATE) {
		OP("put", "put", "replace%s%s%s", "replace the specified %s", write_params, schema, 0,
		   schema);
		add_op(item, &op, &gv, v3);
	}
	if (k->verbs & K8C_VERB_PATCH) {
		OP("patch", "patch", "patch%s%s%s", "partially update the specified %s", patch_params,
		   META "Patch", 1, schema);
		add_op(item, &op, &gv, v3);
	}
	if (k->verbs & K8C_VERB_DELETE) {
		OP("delete", "delete", "delete%s%s%s", "delete a %s", delete_params,
		   META "DeleteOptions", 0, schema);
		add_op(item, &op, &gv, v3);
	}

	if (k->namespaced && (k->verbs & K8C_VERB_LIST)) {
		snprintf(sub, sizeof(sub), "%s/%s", gv.prefix, k->resource);
		item = path_item(paths, sub, k->kind, 0, 0, v3);
		snprintf(id, sizeof(id), "list%s%sForAllNamespaces", gv.camel, k->kind);
		snprintf(desc, sizeof(desc), "list or watch objects of kind %s", k->kind);
		op = (struct op){ "get", "list", id, desc, list_params, NULL, 0, list,
			          k->group, k->version, k->kind, 1 };
		add_op(item, &op, &gv, v3);
	}

	if (k->subresources & K8C_SUB_STATUS) {
		snprintf(sub, sizeof(sub), "%s/status", itemp);
		item = path_item(paths, sub, k->kind, k->namespaced, 1, v3);
		OP("get", "get", "read%s%s%sStatus", "read status of the specified %s", get_params,
		   NULL, 0, schema);
		add_op(item, &op, &gv, v3);
		OP("put", "put", "replace%s%s%sStatus", "replace status of the specified %s",
		   write_params, schema, 0, schema);
		add_op(item, &op, &gv, v3);
		OP("patch", "patch", "patch%s%s%sStatus", "partially update status of the specified %s",
		   patch_params, META "Patch", 1, schema);
		add_op(item, &op, &gv, v3);
	}
	if (k->subresources & K8C_SUB_FINALIZE) {
		snprintf(sub, sizeof(sub), "%s/finalize", itemp);
		item = path_item(paths, sub, k->kind, k->namespaced, 1, v3);
		OP("put", "put", "replace%s%s%sFinalize", "replace finalize of the specified %s",
		   write_params, schema, 0, schema);
		add_op(item, &op, &gv, v3);
	}
	if (k->subresources & K8C_SUB_SCALE) {
		const char *scale = "io.k8s.api.autoscaling.v1.Scale";

		k8c_openapi_add_type(defs, scale, v3);
		snprintf(sub, sizeof(sub), "%s/scale", itemp);
		item = path_item(paths, sub, k->kind, k->namespaced, 1, v3);
		OP("get", "get", "read%s%s%sScale", "read scale of the specified %s", get_params, NULL,
		   0, scale);
		op.g = "autoscaling", op.v = "v1", op.k = "Scale";
		add_op(item, &op, &gv, v3);
		OP("put", "put", "replace%s%s%sScale", "replace scale of the specified %s",
		   write_params, scale, 0, scale);
		op.g = "autoscaling", op.v = "v1", op.k = "Scale";
		add_op(item, &op, &gv, v3);
		OP("patch", "patch", "patch%s%s%sScale", "partially update scale of the specified %s",
		   patch_params, META "Patch", 1, scale);
		op.g = "autoscaling", op.v = "v1", op.k = "Scale";
		add_op(item, &op, &gv, v3);
	}
	if (k->subresources & K8C_SUB_BINDING) {
		const char *binding = "io.k8s.api.core.v1.Binding";

		k8c_openapi_add_type(defs, binding, v3);
		snprintf(sub, sizeof(sub), "%s/binding", itemp);
		item = path_item(paths, sub, k->kind, k->namespaced, 1, v3);
		OP("post", "post", "create%s%s%sBinding", "create binding of a %s", write_params,
		   binding, 0, binding);
		op.g = "", op.v = "v1", op.k = "Binding";
		add_op(item, &op, &gv, v3);
	}
	if (k->subresources & K8C_SUB_EVICTION) {
		const char *eviction = "io.k8s.api.policy.v1.Eviction";

		k8c_openapi_add_type(defs, eviction, v3);
		snprintf(sub, sizeof(sub), "%s/eviction", itemp);
		item = path_item(paths, sub, k->kind, k->namespaced, 1, v3);
		OP("post", "post", "create%s%s%sEviction", "create eviction of a %s", write_params,
		   eviction, 0, eviction);
		op.g = "policy", op.v = "v1", op.k = "Eviction";
		add_op(item, &op, &gv, v3);
	}
	if (k->subresources & K8C_SUB_LOG) {
		snprintf(sub, sizeof(sub), "%s/log", itemp);
		item = path_item(paths, sub, k->kind, k->namespaced, 1, v3);
		OP("get", "get", "read%s%s%sLog", "read log of the specified %s", log_params, NULL, 0,
		   NULL);
		add_op(item, &op, &gv, v3);
	}
#undef OP
}

/* --- documents ---------------------------------------------------------------------------- */

static int same_gv(const k8c_kind_t *k, const char *group, const char *version)
{
	return strcmp(k->group, group) == 0 && strcmp(k->version, version) == 0;
}

static void add_info(cJSON *doc)
{
	cJSON *info = cJSON_AddObjectToObject(doc, "info");

	cJSON_AddStringToObject(info, "title", "Kubernetes");
	cJSON_AddStringToObject(info, "version", K8S_VERSION);
}

static cJSON *bearer(void)
{
	cJSON *b = cJSON_CreateObject();

	cJSON_AddStringToObject(b, "description", "Bearer Token authentication");
	cJSON_AddStringToObject(b, "in", "header");
	cJSON_AddStringToObject(b, "name", "authorization");
	cJSON_AddStringToObject(b, "type", "apiKey");
	return b;
}

static void add_security(cJSON *doc)
{
	cJSON *sec = cJSON_AddArrayToObject(doc, "security"), *s = cJSON_CreateObject();

	cJSON_AddArrayToObject(s, "BearerToken");
	cJSON_AddItemToArray(sec, s);
}

cJSON *k8c_openapi_v3_document(const char *group, const char *version)
{
	cJSON *doc, *paths, *comps, *schemas;
	int found = 0;

	if (k8c_schema_state == NULL || group == NULL || version == NULL)
		return NULL;
	if (strcmp(group, "core") == 0)
		group = "";
	doc = cJSON_CreateObject();
	comps = cJSON_AddObjectToObject(doc, "components");
	schemas = cJSON_AddObjectToObject(comps, "schemas");
	cJSON_AddItemToObject(cJSON_AddObjectToObject(comps, "securitySchemes"), "BearerToken",
	                      bearer());
	add_info(doc);
	cJSON_AddStringToObject(doc, "openapi", "3.0.0");
	paths = cJSON_AddObjectToObject(doc, "paths");
	add_security(doc);
	for (const k8c_kind_t *const *k = k8c_kinds; *k != NULL; k++)
		if (same_gv(*k, group, version)) {
			kind_paths(paths, schemas, *k, 1);
			found = 1;
		}
	if (!found) {
		cJSON_Delete(doc);
		return NULL;
	}
	k8c_openapi_sort(paths);
	k8c_openapi_sort(schemas);
	return doc;
}

cJSON *k8c_openapi_v2_document(void)
{
	cJSON *doc, *paths, *defs;

	if (k8c_schema_state == NULL)
		return NULL;
	doc = cJSON_CreateObject();
	defs = cJSON_AddObjectToObject(doc, "definitions");
	add_info(doc);
	paths = cJSON_AddObjectToObject(doc, "paths");
	add_security(doc);
	cJSON_AddItemToObject(cJSON_AddObjectToObject(doc, "securityDefinitions"), "BearerToken",
	                      bearer());
	cJSON_AddStringToObject(doc, "swagger", "2.0");
	for (const k8c_kind_t *const *k = k8c_kinds; *k != NULL; k++)
		kind_paths(paths, defs, *k, 0);
	k8c_openapi_add_all_types(defs, 0);
	k8c_openapi_sort(paths);
	k8c_openapi_sort(defs);
	return doc;
}

/* --- the index, with a hash of each document -------------------------------------------- */

struct hash_entry {
	char *key; /* "apis/apps/v1" */
	char hash[33];
};

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct hash_entry *cache;
static size_t n_cache;

void k8c_openapi_cache_clear(void)
{
	pthread_mutex_lock(&cache_lock);
	for (size_t i = 0; i < n_cache; i++)
		free(cache[i].key);
	free(cache);
	cache = NULL;
	n_cache = 0;
	pthread_mutex_unlock(&cache_lock);
}

/* Two FNV-1a passes with different offsets: 128 bits, as hex. */
static void doc_hash(const cJSON *doc, char out[33])
{
	char *text = cJSON_PrintUnformatted(doc);
	uint64_t a = 1469598103934665603ULL, b = 0x84222325cbf29ce4ULL;

	for (const char *c = text != NULL ? text : ""; *c != '\0'; c++) {
		a = (a ^ (unsigned char)*c) * 1099511628211ULL;
		b = (b ^ (unsigned char)*c) * 0x100000001b3ULL;
		b ^= b >> 29;
	}
	snprintf(out, 33, "%016llX%016llX", (unsigned long long)a, (unsigned long long)b);
	free(text);
}

static void gv_hash(const struct gvnames *gv, char out[33])
{
	cJSON *doc;

	pthread_mutex_lock(&cache_lock);
	for (size_t i = 0; i < n_cache; i++)
		if (strcmp(cache[i].key, gv->key) == 0) {
			memcpy(out, cache[i].hash, 33);
			pthread_mutex_unlock(&cache_lock);
			return;
		}
	pthread_mutex_unlock(&cache_lock);
	doc = k8c_openapi_v3_document(gv->group, gv->version);
	doc_hash(doc, out);
	cJSON_Delete(doc);
	pthread_mutex_lock(&cache_lock);
	cache = k8c_xrealloc(cache, (n_cache + 1) * sizeof(*cache));
	cache[n_cache].key = k8c_xstrdup(gv->key);
	memcpy(cache[n_cache].hash, out, 33);
	n_cache++;
	pthread_mutex_unlock(&cache_lock);
}

cJSON *k8c_openapi_v3_index(void)
{
	cJSON *idx, *paths;

	if (k8c_schema_state == NULL)
		return NULL;
	idx = cJSON_CreateObject();
	paths = cJSON_AddObjectToObject(idx, "paths");
	for (const k8c_kind_t *const *k = k8c_kinds; *k != NULL; k++) {
		struct gvnames gv;
		char hash[33], *url;
		cJSON *e;

		gv_names((*k)->group, (*k)->version, &gv);
		if (cJSON_GetObjectItemCaseSensitive(paths, gv.key) != NULL)
			continue;
		gv_hash(&gv, hash);
		url = k8c_xasprintf("/openapi/v3/%s?hash=%s", gv.key, hash);
		e = cJSON_AddObjectToObject(paths, gv.key);
		cJSON_AddStringToObject(e, "serverRelativeURL", url);
		free(url);
	}
	k8c_openapi_sort(paths);
	return idx;
}
