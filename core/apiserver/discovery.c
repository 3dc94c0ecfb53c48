/* Discovery: /api, /apis, the resource lists of each group version, and
 * /version, as kubectl 1.20 and 1.32 read them (API-NOTES.md). */
#include "config.h"

#include <string.h>

#include <cjson/cJSON.h>

#include "apiserver/internal.h"
#include "common/mem.h"

static const char *const verb_names[] = {
	"get", "list", "watch", "create", "update", "patch", "delete", "deletecollection",
};

static cJSON *verbs_array(unsigned verbs)
{
	cJSON *a = cJSON_CreateArray();

	/* Kubernetes lists them in this order. */
	static const unsigned order[] = {K8C_VERB_CREATE, K8C_VERB_DELETE,
	                                 K8C_VERB_DELETECOLLECTION, K8C_VERB_GET,
	                                 K8C_VERB_LIST, K8C_VERB_PATCH, K8C_VERB_UPDATE,
	                                 K8C_VERB_WATCH};
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (verbs & order[i])
			cJSON_AddItemToArray(a, cJSON_CreateString(
				verb_names[__builtin_ctz(order[i])]));
	return a;
}

static cJSON *string_array(const char *const *list)
{
	cJSON *a = cJSON_CreateArray();

	for (; list != NULL && *list != NULL; list++)
		cJSON_AddItemToArray(a, cJSON_CreateString(*list));
	return a;
}

static cJSON *resource_entry(const char *name, const k8c_kind_t *k, const char *kind,
                             unsigned verbs, int with_names)
{
	cJSON *r = cJSON_CreateObject();

	cJSON_AddStringToObject(r, "name", name);
	cJSON_AddStringToObject(r, "singularName", with_names ? k->singular : "");
	cJSON_AddBoolToObject(r, "namespaced", k->namespaced);
	cJSON_AddStringToObject(r, "kind", kind);
	cJSON_AddItemToObject(r, "verbs", verbs_array(verbs));
	if (with_names && k->short_names != NULL)
		cJSON_AddItemToObject(r, "shortNames", string_array(k->short_names));
	if (with_names && k->categories != NULL)
		cJSON_AddItemToObject(r, "categories", string_array(k->categories));
	return r;
}

static cJSON *sub_entry(const k8c_kind_t *k, const char *sub, const char *group,
                        const char *version, const char *kind, unsigned verbs)
{
	_cleanup_free_ char *name = k8c_xasprintf("%s/%s", k->resource, sub);
	cJSON *r = resource_entry(name, k, kind, verbs, 0);

	if (group != NULL) {
		cJSON_AddStringToObject(r, "group", group);
		cJSON_AddStringToObject(r, "version", version);
	}
	return r;
}

static cJSON *resource_list(const char *group, const char *version)
{
	cJSON *list = cJSON_CreateObject(), *res;
	const unsigned rw = K8C_VERB_GET | K8C_VERB_PATCH | K8C_VERB_UPDATE;

	cJSON_AddStringToObject(list, "kind", "APIResourceList");
	cJSON_AddStringToObject(list, "apiVersion", "v1");
	{
		_cleanup_free_ char *gv = group[0] ? k8c_xasprintf("%s/%s", group, version)
		                                   : k8c_xstrdup(version);
		cJSON_AddStringToObject(list, "groupVersion", gv);
	}
	res = cJSON_AddArrayToObject(list, "resources");
	for (const k8c_kind_t *const *kp = k8c_kinds; *kp != NULL; kp++) {
		const k8c_kind_t *k = *kp;
		if (strcmp(k->group, group) != 0 || strcmp(k->version, version) != 0)
			continue;
		cJSON_AddItemToArray(res, resource_entry(k->resource, k, k->kind, k->verbs, 1));
		if (k->subresources & K8C_SUB_BINDING)
			cJSON_AddItemToArray(res, sub_entry(k, "binding", NULL, NULL, "Binding",
			                                    K8C_VERB_CREATE));
		if (k->subresources & K8C_SUB_EVICTION)
			cJSON_AddItemToArray(res, sub_entry(k, "eviction", "policy", "v1",
			                                    "Eviction", K8C_VERB_CREATE));
		if (k->subresources & K8C_SUB_FINALIZE)
			cJSON_AddItemToArray(res, sub_entry(k, "finalize", NULL, NULL, k->kind,
			                                    K8C_VERB_UPDATE));
		if (k->subresources & K8C_SUB_LOG)
			cJSON_AddItemToArray(res, sub_entry(k, "log", NULL, NULL, k->kind,
			                                    K8C_VERB_GET));
		if (k->subresources & K8C_SUB_SCALE)
			cJSON_AddItemToArray(res, sub_entry(k, "scale", "autoscaling", "v1",
			                                    "Scale", rw));
		if (k->subresources & K8C_SUB_STATUS)
			cJSON_AddItemToArray(res, sub_entry(k, "status", NULL, NULL, k->kind, rw));
	}
	return list;
}

/* The groups we serve, in order of first appearance. */
static size_t groups(const char *out[], size_t max)
{
	size_t n = 0;

	for (const k8c_kind_t *const *kp = k8c_kinds; *kp != NULL; kp++) {
		size_t i;
		if ((*kp)->group[0] == '\0')
			continue;
		for (i = 0; i < n && strcmp(out[i], (*kp)->group) != 0; i++)
			;
		if (i == n && n < max)
			out[n++] = (*kp)->group;
	}
	return n;
}

static const char *group_version(const char *group)
{
	for (const k8c_kind_t *const *kp = k8c_kinds; *kp != NULL; kp++)
		if (strcmp((*kp)->group, group) == 0)
			return (*kp)->version;
	return NULL;
}

static cJSON *api_group(const char *group)
{
	cJSON *g = cJSON_CreateObject(), *versions, *v, *pref;
	const char *version = group_version(group);
	_cleanup_free_ char *gv = k8c_xasprintf("%s/%s", group, version);

	cJSON_AddStringToObject(g, "name", group);
	versions = cJSON_AddArrayToObject(g, "versions");
	v = cJSON_CreateObject();
	cJSON_AddStringToObject(v, "groupVersion", gv);
	cJSON_AddStringToObject(v, "version", version);
	cJSON_AddItemToArray(versions, v);
	pref = cJSON_AddObjectToObject(g, "preferredVersion");
	cJSON_AddStringToObject(pref, "groupVersion", gv);
	cJSON_AddStringToObject(pref, "version", version);
	return g;
}

static cJSON *version_info(void)
{
	cJSON *v = cJSON_CreateObject();

	cJSON_AddStringToObject(v, "major", "1");
	cJSON_AddStringToObject(v, "minor", "32");
	cJSON_AddStringToObject(v, "gitVersion", "v1.32.0+k8c-" PACKAGE_VERSION);
	cJSON_AddStringToObject(v, "gitCommit", "");
	cJSON_AddStringToObject(v, "gitTreeState", "clean");
	cJSON_AddStringToObject(v, "buildDate", "");
	cJSON_AddStringToObject(v, "goVersion", "");
	cJSON_AddStringToObject(v, "compiler", "k8c");
	cJSON_AddStringToObject(v, "platform", "linux/amd64");
	return v;
}

int k8c_handle_discovery(k8c_apiserver_t *srv, const k8c_api_request_t *req,
                         k8c_api_response_t *resp)
{
	const char *p = req->path;
	const char *gs[32];
	size_t n;

	if (strcmp(p, "/version") == 0 || strcmp(p, "/version/") == 0) {
		k8c_api_respond_json(resp, 200, version_info());
		return 1;
	}
	if (strcmp(p, "/api") == 0 || strcmp(p, "/api/") == 0) {
		cJSON *v = cJSON_CreateObject(), *addr, *a;
		char server[96];
		cJSON_AddStringToObject(v, "kind", "APIVersions");
		cJSON_AddItemToObject(v, "versions", cJSON_CreateStringArray((const char *[]){"v1"}, 1));
		addr = cJSON_AddArrayToObject(v, "serverAddressByClientCIDRs");
		a = cJSON_CreateObject();
		snprintf(server, sizeof(server), "%s:%d", srv->cfg.bind_address,
		         k8c_http_port(srv->http));
		cJSON_AddStringToObject(a, "clientCIDR", "0.0.0.0/0");
		cJSON_AddStringToObject(a, "serverAddress", server);
		cJSON_AddItemToArray(addr, a);
		k8c_api_respond_json(resp, 200, v);
		return 1;
	}
	if (strcmp(p, "/api/v1") == 0 || strcmp(p, "/api/v1/") == 0) {
		k8c_api_respond_json(resp, 200, resource_list("", "v1"));
		return 1;
	}
	if (strcmp(p, "/apis") == 0 || strcmp(p, "/apis/") == 0) {
		cJSON *l = cJSON_CreateObject(), *arr;
		cJSON_AddStringToObject(l, "kind", "APIGroupList");
		cJSON_AddStringToObject(l, "apiVersion", "v1");
		arr = cJSON_AddArrayToObject(l, "groups");
		n = groups(gs, 32);
		for (size_t i = 0; i < n; i++)
			cJSON_AddItemToArray(arr, api_group(gs[i]));
		k8c_api_respond_json(resp, 200, l);
		return 1;
	}
	if (strncmp(p, "/apis/", 6) == 0) {
		char group[128], version[32], extra[8];
		int m = sscanf(p + 6, "%127[^/]/%31[^/]%7s", group, version, extra);
		if (m == 1) {
			if (group_version(group) == NULL)
				return 0;
			{
				cJSON *g = api_group(group);
				cJSON_AddStringToObject(g, "kind", "APIGroup");
				cJSON_AddStringToObject(g, "apiVersion", "v1");
				k8c_api_respond_json(resp, 200, g);
			}
			return 1;
		}
		if (m == 2 || (m == 3 && strcmp(extra, "/") == 0)) {
			const char *v = group_version(group);
			if (v == NULL || strcmp(v, version) != 0)
				return 0;
			k8c_api_respond_json(resp, 200, resource_list(group, version));
			return 1;
		}
	}
	return 0;
}
