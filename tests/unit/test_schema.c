/* The API schema: the language, the built-in schema files, decoding and
 * the OpenAPI documents (core/apiserver/schema.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "apiserver/kind.h"
#include "apiserver/schema.h"
#include "apiserver/schema/internal.h"
#include "common/yaml_json.h"
#include "tap.h"

/* --- a table of served kinds for the OpenAPI paths (the real one lives in
 * registry.c with the API server; this test brings its own) --------------- */

static const char *const po_short[] = { "po", NULL };
static const k8c_kind_t kpods = {
	.group = "", .version = "v1", .resource = "pods", .singular = "pod", .kind = "Pod",
	.namespaced = 1, .short_names = po_short, .verbs = K8C_VERBS_ALL,
	.subresources = K8C_SUB_STATUS | K8C_SUB_BINDING | K8C_SUB_LOG | K8C_SUB_EVICTION,
	.schema_type = "io.k8s.api.core.v1.Pod",
};
static const k8c_kind_t knamespaces = {
	.group = "", .version = "v1", .resource = "namespaces", .singular = "namespace",
	.kind = "Namespace", .namespaced = 0, .verbs = K8C_VERBS_ALL & ~K8C_VERB_DELETECOLLECTION,
	.subresources = K8C_SUB_STATUS, .schema_type = "io.k8s.api.core.v1.Namespace",
};
static const k8c_kind_t kservices = {
	.group = "", .version = "v1", .resource = "services", .singular = "service",
	.kind = "Service", .namespaced = 1, .verbs = K8C_VERBS_ALL, .subresources = K8C_SUB_STATUS,
	.schema_type = "io.k8s.api.core.v1.Service",
};
static const k8c_kind_t kconfigmaps = {
	.group = "", .version = "v1", .resource = "configmaps", .singular = "configmap",
	.kind = "ConfigMap", .namespaced = 1, .verbs = K8C_VERBS_ALL,
	.schema_type = "io.k8s.api.core.v1.ConfigMap",
};
static const k8c_kind_t kdeployments = {
	.group = "apps", .version = "v1", .resource = "deployments", .singular = "deployment",
	.kind = "Deployment", .namespaced = 1, .verbs = K8C_VERBS_ALL,
	.subresources = K8C_SUB_STATUS | K8C_SUB_SCALE,
	.schema_type = "io.k8s.api.apps.v1.Deployment",
};
static const k8c_kind_t kjobs = {
	.group = "batch", .version = "v1", .resource = "jobs", .singular = "job", .kind = "Job",
	.namespaced = 1, .verbs = K8C_VERBS_ALL, .subresources = K8C_SUB_STATUS,
	.schema_type = "io.k8s.api.batch.v1.Job",
};
static const k8c_kind_t kclusterroles = {
	.group = "rbac.authorization.k8s.io", .version = "v1", .resource = "clusterroles",
	.singular = "clusterrole", .kind = "ClusterRole", .namespaced = 0, .verbs = K8C_VERBS_ALL,
	.schema_type = "io.k8s.api.rbac.v1.ClusterRole",
};
static const k8c_kind_t kevents = {
	.group = "events.k8s.io", .version = "v1", .resource = "events", .singular = "event",
	.kind = "Event", .namespaced = 1, .verbs = K8C_VERBS_ALL,
	.schema_type = "io.k8s.api.events.v1.Event",
};
static const k8c_kind_t kleases = {
	.group = "coordination.k8s.io", .version = "v1", .resource = "leases", .singular = "lease",
	.kind = "Lease", .namespaced = 1, .verbs = K8C_VERBS_ALL,
	.schema_type = "io.k8s.api.coordination.v1.Lease",
};

const k8c_kind_t *const k8c_kinds[] = {
	&kpods, &knamespaces, &kservices, &kconfigmaps, &kdeployments, &kjobs, &kclusterroles,
	&kevents, &kleases, NULL,
};

/* --- helpers ------------------------------------------------------------------ */

/* The node at a dotted path; "x[]" steps into the items of list x. */
static const k8c_schema_node_t *at(const char *type, const char *path)
{
	const k8c_schema_node_t *n = k8c_schema_type(type);
	char *copy = strdup(path), *save = NULL;

	for (char *p = strtok_r(copy, ".", &save); p != NULL && n != NULL;
	     p = strtok_r(NULL, ".", &save)) {
		size_t len = strlen(p);
		int items = len > 2 && strcmp(p + len - 2, "[]") == 0;

		if (items)
			p[len - 2] = '\0';
		n = k8c_schema_field(n, p);
		if (items)
			n = k8c_schema_items(n);
	}
	free(copy);
	return n;
}

static int keys_are(const k8c_schema_node_t *n, const char *a, const char *b)
{
	const char *const *k = k8c_schema_list_map_keys(n);

	if (k == NULL || k[0] == NULL || strcmp(k[0], a) != 0)
		return 0;
	if (b == NULL)
		return k[1] == NULL;
	return k[1] != NULL && strcmp(k[1], b) == 0 && k[2] == NULL;
}

static void check_merge_list(const char *type, const char *path, const char *key,
                             unsigned strategy, const char *k1, const char *k2)
{
	const k8c_schema_node_t *n = at(type, path);

	ok(n != NULL && k8c_schema_kind(n) == K8C_SCHEMA_ARRAY, "%s %s is a list", type, path);
	is_str(k8c_schema_merge_key(n), key, "%s: merge key", path);
	is_int(k8c_schema_patch_strategy(n), strategy, "%s: patch strategy", path);
	if (k1 != NULL) {
		is_int(k8c_schema_list_type(n), K8C_LIST_MAP, "%s: list type map", path);
		ok(keys_are(n, k1, k2), "%s: list map keys %s%s%s", path, k1, k2 ? "," : "",
		   k2 ? k2 : "");
	}
}

static void check_atomic(const char *type, const char *path)
{
	const k8c_schema_node_t *n = at(type, path);

	ok(n != NULL && k8c_schema_kind(n) == K8C_SCHEMA_ARRAY &&
	           k8c_schema_list_type(n) == K8C_LIST_ATOMIC && k8c_schema_merge_key(n) == NULL &&
	           k8c_schema_patch_strategy(n) == 0,
	   "%s %s is an atomic list", type, path);
}

static cJSON *yaml(const char *text)
{
	cJSON *j = NULL;
	k8c_error_t err;

	if (k8c_yaml_parse(text, strlen(text), &j, &err) < 0) {
		diag("YAML: %s", err.message);
		return NULL;
	}
	return j;
}

/* Remove null members of objects, recursively (what decoding does). */
static void strip_nulls(cJSON *j)
{
	cJSON *c = j->child, *next;

	for (; c != NULL; c = next) {
		next = c->next;
		if (cJSON_IsNull(c) && cJSON_IsObject(j))
			cJSON_Delete(cJSON_DetachItemViaPointer(j, c));
		else
			strip_nulls(c);
	}
}

/* Decode a manifest; expect no unknown field and no type error. */
static void decode_clean(const char *type, const char *text, const char *what)
{
	cJSON *j = yaml(text), *before;
	k8c_schema_report_t rep = { 0 };
	int ret;

	if (j == NULL) {
		ok(0, "%s parses", what);
		return;
	}
	before = cJSON_Duplicate(j, 1);
	strip_nulls(before);
	ret = k8c_schema_decode(k8c_schema_type(type), j, &rep);
	ok(ret == 0 && rep.type_error == NULL, "%s: no type error", what);
	if (rep.type_error != NULL)
		diag("%s", rep.type_error);
	is_int(rep.n_unknown, 0, "%s: no unknown field", what);
	for (size_t i = 0; i < rep.n_unknown; i++)
		diag("unknown: %s", rep.unknown[i]);
	ok(cJSON_Compare(before, j, 1), "%s: unchanged by decoding (but nulls)", what);
	k8c_schema_report_free(&rep);
	cJSON_Delete(before);
	cJSON_Delete(j);
}

/* Decode JSON text and return the type error (a static copy) or "". */
static const char *type_error_of(const char *type, const char *json)
{
	static char msg[600];
	cJSON *j = cJSON_Parse(json);
	k8c_schema_report_t rep = { 0 };
	int ret;

	if (j == NULL)
		return "(bad JSON in test)";
	ret = k8c_schema_decode(k8c_schema_type(type), j, &rep);
	snprintf(msg, sizeof(msg), "%s", rep.type_error != NULL ? rep.type_error : "");
	if ((ret < 0) != (rep.type_error != NULL))
		snprintf(msg, sizeof(msg), "(return value %d disagrees)", ret);
	k8c_schema_report_free(&rep);
	cJSON_Delete(j);
	return msg;
}

/* --- the language ------------------------------------------------------------------ */

static void parse_error(const char *text, const char *want, const char *what)
{
	const char *names[] = { "bad.schema" };
	const char *texts[] = { text };
	k8c_error_t err = { 0 };
	int ret = k8c_schema_init_from(names, texts, 1, &err);

	ok(ret == -K8C_EINVAL || ret == -K8C_EEXIST, "%s: refused", what);
	ok(strncmp(err.message, want, strlen(want)) == 0, "%s: \"%s\"", what, want);
	if (strncmp(err.message, want, strlen(want)) != 0)
		diag("got \"%s\"", err.message);
}

static void test_language(void)
{
	static const char good[] =
		"# a comment\n"
		"group example.com v2 as ex  # header\n"
		"type Size = map[string]quantity  # sizes\n"
		"type Base  # embedded\n"
		"  id string required  # the id\n"
		"kind Thing list  # a thing\n"
		"  Base\n"
		"  parts []Part merge=name map=name  # its parts\n"
		"  tags []string strategy=merge set\n"
		"  sizes Size\n"
		"  when time\n"
		"  count int32\n"
		"  policy string go=v2.Policy\n"
		"type Part  # a part\n"
		"  name string required\n"
		"  zone string\n"
		"  grid [][]int64 atomic\n";
	static const char meta[] = /* what "kind X list" needs */
		"group meta.k8s.io v1 package io.k8s.apimachinery.pkg.apis.meta.v1 as meta\n"
		"type TypeMeta\n  apiVersion string\n  kind string\n"
		"type ListMeta\n  resourceVersion string\n";
	const char *names[] = { "good.schema", "other.schema", "meta.schema" };
	const char *texts[] = { good, "group other.org v1\ntype User\n  thing ex.Thing\n", meta };
	const k8c_schema_node_t *t, *n;
	k8c_error_t err = { 0 };
	char gotype[100];

	is_int(k8c_schema_init_from(names, texts, 3, &err), 0, "a small schema parses");
	if (err.message[0] != '\0')
		diag("%s", err.message);
	t = k8c_schema_type("io.k8s.api.example.v2.Thing");
	ok(t != NULL, "types are named io.k8s.api.<group>.<version>.<Name>");
	is_str(k8c_schema_name(t), "io.k8s.api.example.v2.Thing", "the name of a type");
	is_str(k8c_schema_description(t), "a thing", "the description of a type");
	ok(k8c_schema_field(t, "id") != NULL, "embedded fields are inlined");
	ok(k8c_schema_required(t, "id"), "inlined fields keep required");
	n = k8c_schema_field(t, "parts");
	is_str(k8c_schema_merge_key(n), "name", "merge=");
	is_int(k8c_schema_list_type(n), K8C_LIST_MAP, "map= sets the list type");
	is_str(k8c_schema_description(n), "its parts", "field description");
	n = k8c_schema_field(t, "tags");
	is_int(k8c_schema_patch_strategy(n), K8C_PATCH_STRATEGY_MERGE, "strategy=merge");
	is_int(k8c_schema_list_type(n), K8C_LIST_SET, "set");
	n = k8c_schema_field(t, "sizes");
	is_int(k8c_schema_kind(n), K8C_SCHEMA_MAP, "an alias of a map is a map");
	is_int(k8c_schema_kind(k8c_schema_items(n)), K8C_SCHEMA_QUANTITY, "of quantities");
	k8c_schema_go_type(n, gotype, sizeof(gotype));
	is_str(gotype, "v2.Size", "an alias keeps its Go name");
	is_int(k8c_schema_kind(k8c_schema_field(t, "when")), K8C_SCHEMA_TIME, "time");
	n = k8c_schema_items(k8c_schema_items(at("io.k8s.api.example.v2.Part", "grid")));
	is_int(k8c_schema_kind(n), K8C_SCHEMA_INTEGER, "lists of lists");
	is_str(type_error_of("io.k8s.api.example.v2.Thing", "{\"policy\":1}"),
	       "json: cannot unmarshal number into Go struct field Thing.policy of type v2.Policy",
	       "go= names the Go type in errors");
	is_str(type_error_of("io.k8s.api.example.v2.Thing", "{\"id\":true}"),
	       "json: cannot unmarshal bool into Go struct field Thing.Base.id of type string",
	       "errors in inlined fields name the embedded struct");
	is_str(type_error_of("io.k8s.api.example.v2.Thing", "{\"sizes\":[]}"),
	       "json: cannot unmarshal array into Go struct field Thing.sizes of type v2.Size",
	       "aliases in errors");
	ok(k8c_schema_type("io.k8s.api.example.v2.ThingList") != NULL, "kind X list makes XList");
	ok(at("io.k8s.api.example.v2.ThingList", "items[].parts") != NULL, "XList.items are X");
	ok(at("io.k8s.api.other.v1.User", "thing.parts[].zone") != NULL,
	   "types of other files by alias");
	is_str(k8c_schema_type("io.k8s.api.other.v1.User") != NULL ? "yes" : "no", "yes",
	       "several files");

	parse_error("group g v1\ntype A\n  b Contaner\n", "bad.schema:3: unknown type \"Contaner\"",
	            "unknown type");
	parse_error("group g v1\ntype A\n  b string bogus\n", "bad.schema:3: unknown flag \"bogus\"",
	            "unknown flag");
	parse_error("group g v1\n  b string\n", "bad.schema:2: a field outside of a type",
	            "field outside a type");
	parse_error("type A\n", "bad.schema:1: a \"group GROUP VERSION\" line must come first",
	            "no group line");
	parse_error("group g v1\ntype A\ntype A\n", "bad.schema:3: type A is already defined",
	            "duplicate type");
	parse_error("group g v1\ntype A\n  x string\n  x int32\n",
	            "bad.schema:4: field x of A is already defined", "duplicate field");
	parse_error("group g v1\ntype A\n  b string merge=name\n",
	            "bad.schema:3: merge= applies to lists only", "merge on a string");
	parse_error("group g v1\ntype A\n  b []B merge=nme\ntype B\n  name string\n",
	            "bad.schema:3: A.b: merge key \"nme\" is not a field of B", "merge key typo");
	parse_error("group g v1\ntype A\n  b []B listType=map\ntype B\n  name string\n",
	            "bad.schema:3: listType=map needs listMapKeys=KEYS", "map list without keys");
	parse_error("group g v1\ntype A\n  b []B strategy=merge\ntype B\n  name string\n",
	            "bad.schema:3: A.b: strategy merge on a list of objects needs merge=KEY",
	            "merge without key");
	parse_error("group g v1\ntype A\n  B\ntype B\n  A\n", "bad.schema:", "embedding cycle");
	parse_error("group g v1\ntype A\n  b map[int]string\n",
	            "bad.schema:3: maps have string keys", "map key type");
	parse_error("group g v1\ntype A\n  b x.B\n", "bad.schema:3: unknown package \"x\"",
	            "unknown package");
	parse_error("group g v1\ntype A = string\n  b string\n",
	            "bad.schema:3: alias A cannot have fields", "alias with fields");
	parse_error("group g v1\nfrob A\n", "bad.schema:2: expected group, type or kind",
	            "unknown statement");
	parse_error("group g v1\ntype A\n  b string atomic\n",
	            "bad.schema:3: atomic applies to lists, maps and structs", "atomic string");
	parse_error("group g v1\ntype S = string\ntype A\n  b S atomic\n",
	            "bad.schema:4: A.b: atomic applies to lists, maps and structs",
	            "atomic alias of a string");
	ok(k8c_schema_type("io.k8s.api.example.v2.Thing") != NULL,
	   "a failed init keeps the previous schema");
	k8c_schema_fini();
	ok(k8c_schema_type("io.k8s.api.example.v2.Thing") == NULL, "fini forgets the schema");
}

/* --- the built-in schema ----------------------------------------------------------- */

static int walk_ok(const k8c_schema_node_t *n, int depth)
{
	if (n == NULL || k8c_schema_kind(n) == 0)
		return 0;
	if (depth > 3)
		return 1;
	switch (k8c_schema_kind(n)) {
	case K8C_SCHEMA_OBJECT: {
		const char *name;

		if (k8c_schema_type(k8c_schema_name(n)) == NULL)
			return 0;
		for (size_t i = 0; k8c_schema_field_at(n, i, &name) != NULL; i++)
			if (!walk_ok(k8c_schema_field_at(n, i, &name), depth + 1))
				return 0;
		return 1;
	}
	case K8C_SCHEMA_ARRAY:
	case K8C_SCHEMA_MAP:
		return walk_ok(k8c_schema_items(n), depth);
	default:
		return 1;
	}
}

static void test_builtin(void)
{
	static const char *const kinds[] = {
		"io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta",
		"io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta",
		"io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference",
		"io.k8s.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry",
		"io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector",
		"io.k8s.apimachinery.pkg.apis.meta.v1.Status",
		"io.k8s.apimachinery.pkg.apis.meta.v1.StatusDetails",
		"io.k8s.apimachinery.pkg.apis.meta.v1.StatusCause",
		"io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions",
		"io.k8s.apimachinery.pkg.apis.meta.v1.Preconditions",
		"io.k8s.apimachinery.pkg.apis.meta.v1.Table",
		"io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent",
		"io.k8s.apimachinery.pkg.apis.meta.v1.APIResourceList",
		"io.k8s.apimachinery.pkg.apis.meta.v1.APIGroupList",
		"io.k8s.apimachinery.pkg.apis.meta.v1.PartialObjectMetadataList",
		"io.k8s.apimachinery.pkg.version.Info",
		"io.k8s.api.core.v1.Namespace", "io.k8s.api.core.v1.NamespaceList",
		"io.k8s.api.core.v1.Pod", "io.k8s.api.core.v1.PodList",
		"io.k8s.api.core.v1.Binding", "io.k8s.api.core.v1.Service",
		"io.k8s.api.core.v1.ServiceList", "io.k8s.api.core.v1.Endpoints",
		"io.k8s.api.core.v1.Node", "io.k8s.api.core.v1.Event", "io.k8s.api.core.v1.ConfigMap",
		"io.k8s.api.core.v1.Secret", "io.k8s.api.core.v1.ServiceAccount",
		"io.k8s.api.core.v1.PersistentVolume", "io.k8s.api.core.v1.PersistentVolumeClaim",
		"io.k8s.api.core.v1.PersistentVolumeClaimList", "io.k8s.api.policy.v1.Eviction",
		"io.k8s.api.apps.v1.Deployment", "io.k8s.api.apps.v1.ReplicaSet",
		"io.k8s.api.apps.v1.StatefulSet", "io.k8s.api.apps.v1.DaemonSet",
		"io.k8s.api.apps.v1.ControllerRevision", "io.k8s.api.apps.v1.DeploymentList",
		"io.k8s.api.autoscaling.v1.Scale", "io.k8s.api.batch.v1.Job",
		"io.k8s.api.batch.v1.CronJob", "io.k8s.api.coordination.v1.Lease",
		"io.k8s.api.discovery.v1.EndpointSlice", "io.k8s.api.rbac.v1.Role",
		"io.k8s.api.rbac.v1.RoleBinding", "io.k8s.api.rbac.v1.ClusterRole",
		"io.k8s.api.rbac.v1.ClusterRoleBinding", "io.k8s.api.events.v1.Event",
		"io.k8s.api.events.v1.EventList", "io.k8s.api.scheduling.v1.PriorityClass",
		"io.k8s.api.scheduling.v1.PriorityClassList", NULL,
	};
	k8c_error_t err = { 0 };
	size_t n_types = 0, n_bad = 0, n_fields = 0;
	const char *name;

	is_int(k8c_schema_init(&err), 0, "the built-in schema parses");
	if (err.message[0] != '\0')
		diag("%s", err.message);
	for (const char *const *k = kinds; *k != NULL; k++)
		ok(k8c_schema_type(*k) != NULL, "type %s", *k);

	/* Every type named anywhere resolves, down to its leaves. */
	for (const struct schema_type *t = k8c_schema_state->types; t != NULL; t = t->next) {
		n_types++;
		n_fields += t->n_fields;
		if (!t->is_alias && !walk_ok(&t->node, 0)) {
			n_bad++;
			diag("type %s does not resolve", t->name);
		}
	}
	ok(n_types > 250, "%zu types, %zu fields", n_types, n_fields);
	is_int(n_bad, 0, "every type named in a schema file resolves");

	/* Names, order, required, descriptions. */
	is_str(k8c_schema_name(k8c_schema_type("io.k8s.api.core.v1.Pod")), "io.k8s.api.core.v1.Pod",
	       "name of Pod");
	k8c_schema_field_at(k8c_schema_type("io.k8s.api.core.v1.Pod"), 0, &name);
	is_str(name, "apiVersion", "Pod field 0 is apiVersion (TypeMeta inlined)");
	k8c_schema_field_at(k8c_schema_type("io.k8s.api.core.v1.Pod"), 2, &name);
	is_str(name, "metadata", "Pod field 2 is metadata");
	ok(k8c_schema_field_at(k8c_schema_type("io.k8s.api.core.v1.Pod"), 5, &name) == NULL,
	   "Pod has 5 fields");
	is_str(k8c_schema_name(at("io.k8s.api.core.v1.Pod", "spec")), "io.k8s.api.core.v1.PodSpec",
	       "Pod.spec is a PodSpec");
	ok(k8c_schema_required(k8c_schema_type("io.k8s.api.core.v1.PodSpec"), "containers"),
	   "PodSpec.containers is required");
	ok(k8c_schema_required(k8c_schema_type("io.k8s.api.core.v1.Container"), "name"),
	   "Container.name is required");
	ok(!k8c_schema_required(k8c_schema_type("io.k8s.api.core.v1.Container"), "image"),
	   "Container.image is optional");
	ok(k8c_schema_required(k8c_schema_type("io.k8s.api.apps.v1.DeploymentSpec"), "selector"),
	   "DeploymentSpec.selector is required");
	ok(strlen(k8c_schema_description(at("io.k8s.api.core.v1.Pod", "spec.containers"))) > 10,
	   "fields have descriptions");
	ok(k8c_schema_type("io.k8s.api.core.v1.Nope") == NULL, "unknown type");
	ok(at("io.k8s.api.core.v1.Pod", "spec.containerz") == NULL, "unknown field");
	ok(k8c_schema_type("io.k8s.api.core.v1.VolumeSource") != NULL &&
	           at("io.k8s.api.core.v1.Pod", "spec.volumes[].configMap.items[].key") != NULL,
	   "Volume inlines VolumeSource");
	is_str(k8c_schema_name(at("io.k8s.api.core.v1.PersistentVolume", "spec.csi")),
	       "io.k8s.api.core.v1.CSIPersistentVolumeSource", "PersistentVolumeSpec inlines its source");
	ok(at("io.k8s.api.core.v1.Pod", "spec.containers[].livenessProbe.httpGet.port") != NULL,
	   "Probe inlines ProbeHandler");
	ok(at("io.k8s.api.core.v1.Pod", "spec.ephemeralContainers[].targetContainerName") != NULL &&
	           at("io.k8s.api.core.v1.Pod", "spec.ephemeralContainers[].image") != NULL,
	   "EphemeralContainer inlines EphemeralContainerCommon");

	/* Kinds of values. */
	is_int(k8c_schema_kind(at("io.k8s.api.core.v1.Pod", "metadata.labels")), K8C_SCHEMA_MAP,
	       "labels are a map");
	is_int(k8c_schema_kind(k8c_schema_items(at("io.k8s.api.core.v1.Pod", "metadata.labels"))),
	       K8C_SCHEMA_STRING, "of strings");
	is_int(k8c_schema_kind(k8c_schema_items(
	               at("io.k8s.api.core.v1.Pod", "spec.containers[].resources.limits"))),
	       K8C_SCHEMA_QUANTITY, "limits are quantities");
	is_int(k8c_schema_kind(at("io.k8s.api.core.v1.Service", "spec.ports[].targetPort")),
	       K8C_SCHEMA_INT_OR_STRING, "targetPort is int-or-string");
	is_int(k8c_schema_kind(at("io.k8s.api.apps.v1.Deployment",
	                          "spec.strategy.rollingUpdate.maxSurge")),
	       K8C_SCHEMA_INT_OR_STRING, "maxSurge is int-or-string");
	is_int(k8c_schema_kind(at("io.k8s.api.core.v1.Pod", "metadata.creationTimestamp")),
	       K8C_SCHEMA_TIME, "creationTimestamp is a time");
	is_int(k8c_schema_kind(at("io.k8s.api.coordination.v1.Lease", "spec.renewTime")),
	       K8C_SCHEMA_TIME, "renewTime is a (micro)time");
	is_int(k8c_schema_kind(at("io.k8s.api.apps.v1.ControllerRevision", "data")), K8C_SCHEMA_ANY,
	       "ControllerRevision.data is anything");
	is_int(k8c_schema_kind(at("io.k8s.api.core.v1.Pod", "metadata.managedFields[].fieldsV1")),
	       K8C_SCHEMA_ANY, "fieldsV1 is anything");
	is_int(k8c_schema_kind(at("io.k8s.api.core.v1.Pod", "spec.hostNetwork")), K8C_SCHEMA_BOOLEAN,
	       "hostNetwork is a boolean");
	is_int(k8c_schema_kind(at("io.k8s.api.core.v1.Pod", "spec.priority")), K8C_SCHEMA_INTEGER,
	       "priority is an integer");
	is_int(k8c_schema_kind(at("io.k8s.api.core.v1.NodeStatus", "daemonEndpoints.kubeletEndpoint.Port")),
	       K8C_SCHEMA_INTEGER, "DaemonEndpoint.Port (capital P)");

	/* Patch metadata, as Kubernetes tags the Go types. */
	const char *pod = "io.k8s.api.core.v1.Pod";
	unsigned M = K8C_PATCH_STRATEGY_MERGE, R = K8C_PATCH_STRATEGY_RETAIN_KEYS;

	check_merge_list(pod, "spec.containers", "name", M, "name", NULL);
	check_merge_list(pod, "spec.initContainers", "name", M, "name", NULL);
	check_merge_list(pod, "spec.ephemeralContainers", "name", M, "name", NULL);
	check_merge_list(pod, "spec.volumes", "name", M | R, "name", NULL);
	check_merge_list(pod, "spec.containers[].env", "name", M, "name", NULL);
	check_merge_list(pod, "spec.containers[].ports", "containerPort", M, "containerPort",
	                 "protocol");
	check_merge_list(pod, "spec.containers[].volumeMounts", "mountPath", M, "mountPath", NULL);
	check_merge_list(pod, "spec.containers[].volumeDevices", "devicePath", M, "devicePath",
	                 NULL);
	check_merge_list(pod, "spec.initContainers[].volumeMounts", "mountPath", M, "mountPath",
	                 NULL);
	check_merge_list(pod, "spec.ephemeralContainers[].env", "name", M, "name", NULL);
	check_merge_list(pod, "spec.imagePullSecrets", "name", M, "name", NULL);
	check_merge_list(pod, "spec.hostAliases", "ip", M, "ip", NULL);
	check_merge_list(pod, "spec.topologySpreadConstraints", "topologyKey", M, "topologyKey",
	                 "whenUnsatisfiable");
	check_merge_list(pod, "spec.schedulingGates", "name", M, "name", NULL);
	check_merge_list(pod, "spec.resourceClaims", "name", M | R, "name", NULL);
	check_merge_list(pod, "metadata.ownerReferences", "uid", M, "uid", NULL);
	check_merge_list(pod, "status.conditions", "type", M, "type", NULL);
	check_merge_list(pod, "status.podIPs", "ip", M, "ip", NULL);
	check_merge_list("io.k8s.api.core.v1.Service", "spec.ports", "port", M, "port", "protocol");
	check_merge_list("io.k8s.api.core.v1.Service", "status.conditions", "type", M, "type", NULL);
	check_merge_list("io.k8s.api.core.v1.Node", "status.conditions", "type", M, "type", NULL);
	check_merge_list("io.k8s.api.core.v1.Node", "status.addresses", "type", M, "type", NULL);
	check_merge_list("io.k8s.api.core.v1.Namespace", "status.conditions", "type", M, "type",
	                 NULL);
	check_merge_list("io.k8s.api.core.v1.ServiceAccount", "secrets", "name", M, "name", NULL);
	check_merge_list("io.k8s.api.core.v1.PersistentVolumeClaim", "status.conditions", "type", M,
	                 "type", NULL);
	check_merge_list("io.k8s.api.apps.v1.Deployment", "spec.template.spec.containers", "name",
	                 M, "name", NULL);
	check_merge_list("io.k8s.api.apps.v1.Deployment", "status.conditions", "type", M, "type",
	                 NULL);
	check_merge_list("io.k8s.api.apps.v1.ReplicaSet", "status.conditions", "type", M, "type",
	                 NULL);
	check_merge_list("io.k8s.api.apps.v1.StatefulSet", "status.conditions", "type", M, "type",
	                 NULL);
	check_merge_list("io.k8s.api.apps.v1.DaemonSet", "status.conditions", "type", M, "type",
	                 NULL);
	check_merge_list("io.k8s.api.batch.v1.CronJob",
	                 "spec.jobTemplate.spec.template.spec.containers", "name", M, "name", NULL);
	check_merge_list("io.k8s.api.batch.v1.Job", "status.conditions", "type", M, NULL, NULL);
	is_int(k8c_schema_list_type(at("io.k8s.api.batch.v1.Job", "status.conditions")),
	       K8C_LIST_ATOMIC, "Job conditions: merge on type, but atomic for apply");
	check_merge_list(pod, "status.hostIPs", "ip", M, NULL, NULL);

	check_atomic(pod, "spec.tolerations");
	check_atomic(pod, "spec.readinessGates");
	check_atomic(pod, "spec.containers[].command");
	check_atomic(pod, "spec.containers[].args");
	check_atomic(pod, "spec.containers[].envFrom");
	check_atomic(pod, "spec.containers[].securityContext.capabilities.add");
	check_atomic(pod, "spec.securityContext.supplementalGroups");
	check_atomic(pod, "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms");
	check_atomic(pod, "spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution");
	check_atomic(pod, "status.containerStatuses");
	check_atomic(pod, "metadata.managedFields");
	check_atomic(pod, "spec.dnsConfig.nameservers");
	check_atomic("io.k8s.api.core.v1.Node", "spec.taints");
	check_atomic("io.k8s.api.core.v1.Endpoints", "subsets");
	check_atomic("io.k8s.api.core.v1.ServiceAccount", "imagePullSecrets");
	check_atomic("io.k8s.api.rbac.v1.Role", "rules");
	check_atomic("io.k8s.api.rbac.v1.RoleBinding", "subjects");
	check_atomic("io.k8s.api.discovery.v1.EndpointSlice", "endpoints");
	check_atomic("io.k8s.api.apps.v1.StatefulSet", "spec.volumeClaimTemplates");
	check_atomic("io.k8s.api.batch.v1.CronJob", "status.active");

	{
		const k8c_schema_node_t *f = at(pod, "metadata.finalizers");

		is_int(k8c_schema_patch_strategy(f), M, "finalizers merge");
		is_int(k8c_schema_list_type(f), K8C_LIST_SET, "finalizers are a set");
		ok(k8c_schema_merge_key(f) == NULL, "finalizers have no merge key");
		f = at("io.k8s.api.core.v1.Node", "spec.podCIDRs");
		ok(k8c_schema_patch_strategy(f) == M && k8c_schema_list_type(f) == K8C_LIST_SET,
		   "podCIDRs merge as a set");
		f = at("io.k8s.api.apps.v1.Deployment", "spec.strategy");
		is_int(k8c_schema_kind(f), K8C_SCHEMA_OBJECT, "Deployment strategy is an object");
		is_int(k8c_schema_patch_strategy(f), R, "with retainKeys");
		f = at("io.k8s.api.discovery.v1.EndpointSlice", "endpoints[].addresses");
		is_int(k8c_schema_list_type(f), K8C_LIST_SET, "endpoint addresses are a set");
		ok(k8c_schema_list_map_keys(at(pod, "spec.tolerations")) == NULL,
		   "no list map keys on atomic lists");
		ok(k8c_schema_patch_strategy(at(pod, "metadata.labels")) == 0,
		   "maps have no strategy (they merge)");
		ok(k8c_schema_atomic(at(pod, "spec.nodeSelector")), "nodeSelector is an atomic map");
		ok(!k8c_schema_atomic(at(pod, "metadata.labels")), "labels are a granular map");
		ok(k8c_schema_atomic(at(pod, "spec.affinity.nodeAffinity."
		                             "requiredDuringSchedulingIgnoredDuringExecution")),
		   "NodeSelector is an atomic struct");
		ok(k8c_schema_atomic(at("io.k8s.api.apps.v1.Deployment", "spec.selector")),
		   "LabelSelector is an atomic struct");
		ok(k8c_schema_atomic(at(pod, "spec.containers[].env[].valueFrom.secretKeyRef")),
		   "SecretKeySelector is an atomic struct");
		ok(!k8c_schema_atomic(at("io.k8s.api.apps.v1.Deployment", "spec.template")),
		   "PodTemplateSpec is granular");
		ok(k8c_schema_atomic(at(pod, "spec.tolerations")) &&
		           !k8c_schema_atomic(at(pod, "spec.containers")),
		   "lists: atomic unless set or map");
	}
}

/* --- decoding real manifests ------------------------------------------------------- */

static const char deployment[] =
	"apiVersion: apps/v1\n"
	"kind: Deployment\n"
	"metadata:\n"
	"  name: web\n"
	"  namespace: prod\n"
	"  labels: {app: web, tier: frontend}\n"
	"  annotations:\n"
	"    deployment.kubernetes.io/revision: \"3\"\n"
	"    kubectl.kubernetes.io/last-applied-configuration: '{\"apiVersion\":\"apps/v1\"}'\n"
	"  uid: 7c6a5e2e-3c43-4a9b-9d5a-0d8f6f4b1a11\n"
	"  resourceVersion: \"12345\"\n"
	"  generation: 4\n"
	"  creationTimestamp: \"2024-05-01T10:00:00Z\"\n"
	"  finalizers: [example.com/protect]\n"
	"  managedFields:\n"
	"  - manager: kubectl-client-side-apply\n"
	"    operation: Update\n"
	"    apiVersion: apps/v1\n"
	"    time: \"2024-05-01T10:00:00Z\"\n"
	"    fieldsType: FieldsV1\n"
	"    fieldsV1: {\"f:spec\": {\"f:replicas\": {}}}\n"
	"spec:\n"
	"  replicas: 3\n"
	"  revisionHistoryLimit: 10\n"
	"  progressDeadlineSeconds: 600\n"
	"  minReadySeconds: 5\n"
	"  selector:\n"
	"    matchLabels: {app: web}\n"
	"    matchExpressions:\n"
	"    - {key: tier, operator: In, values: [frontend, edge]}\n"
	"  strategy:\n"
	"    type: RollingUpdate\n"
	"    rollingUpdate: {maxSurge: 25%, maxUnavailable: 1}\n"
	"  template:\n"
	"    metadata:\n"
	"      labels: {app: web, tier: frontend}\n"
	"      annotations: {prometheus.io/scrape: \"true\"}\n"
	"    spec:\n"
	"      serviceAccountName: web\n"
	"      automountServiceAccountToken: false\n"
	"      terminationGracePeriodSeconds: 30\n"
	"      restartPolicy: Always\n"
	"      dnsPolicy: ClusterFirst\n"
	"      schedulerName: default-scheduler\n"
	"      priorityClassName: high\n"
	"      enableServiceLinks: false\n"
	"      imagePullSecrets: [{name: regcred}]\n"
	"      securityContext:\n"
	"        runAsNonRoot: true\n"
	"        runAsUser: 1000\n"
	"        fsGroup: 2000\n"
	"        fsGroupChangePolicy: OnRootMismatch\n"
	"        seccompProfile: {type: RuntimeDefault}\n"
	"        sysctls: [{name: net.ipv4.ip_local_port_range, value: \"1024 65000\"}]\n"
	"      initContainers:\n"
	"      - name: migrate\n"
	"        image: registry.example.com/web:1.4.2\n"
	"        command: [/bin/migrate, --up]\n"
	"        envFrom:\n"
	"        - configMapRef: {name: web-config}\n"
	"        - secretRef: {name: web-secrets, optional: true}\n"
	"          prefix: DB_\n"
	"      - name: sidecar\n"
	"        image: envoy:1.30\n"
	"        restartPolicy: Always\n"
	"      containers:\n"
	"      - name: web\n"
	"        image: registry.example.com/web:1.4.2\n"
	"        imagePullPolicy: IfNotPresent\n"
	"        args: [--port=8080, --log-level=info]\n"
	"        workingDir: /srv\n"
	"        ports:\n"
	"        - {name: http, containerPort: 8080, protocol: TCP}\n"
	"        - {name: metrics, containerPort: 9090}\n"
	"        env:\n"
	"        - {name: MODE, value: production}\n"
	"        - name: POD_NAME\n"
	"          valueFrom: {fieldRef: {fieldPath: metadata.name}}\n"
	"        - name: POD_IP\n"
	"          valueFrom: {fieldRef: {apiVersion: v1, fieldPath: status.podIP}}\n"
	"        - name: CPU_LIMIT\n"
	"          valueFrom: {resourceFieldRef: {containerName: web, resource: limits.cpu, divisor: 1m}}\n"
	"        - name: DB_PASSWORD\n"
	"          valueFrom: {secretKeyRef: {name: db, key: password}}\n"
	"        - name: FEATURE\n"
	"          valueFrom: {configMapKeyRef: {name: flags, key: feature, optional: true}}\n"
	"        resources:\n"
	"          requests: {cpu: 250m, memory: 256Mi, ephemeral-storage: 1Gi}\n"
	"          limits: {cpu: 1, memory: 512Mi}\n"
	"        resizePolicy: [{resourceName: cpu, restartPolicy: NotRequired}]\n"
	"        livenessProbe:\n"
	"          httpGet: {path: /healthz, port: http, scheme: HTTP, httpHeaders: [{name: X-Probe, value: live}]}\n"
	"          initialDelaySeconds: 10\n"
	"          periodSeconds: 10\n"
	"          timeoutSeconds: 2\n"
	"          failureThreshold: 3\n"
	"          successThreshold: 1\n"
	"        readinessProbe:\n"
	"          tcpSocket: {port: 8080}\n"
	"        startupProbe:\n"
	"          exec: {command: [cat, /tmp/started]}\n"
	"          failureThreshold: 30\n"
	"          terminationGracePeriodSeconds: 60\n"
	"        lifecycle:\n"
	"          postStart: {exec: {command: [/bin/sh, -c, echo started]}}\n"
	"          preStop: {sleep: {seconds: 5}}\n"
	"        volumeMounts:\n"
	"        - {name: config, mountPath: /etc/web, readOnly: true}\n"
	"        - {name: data, mountPath: /var/lib/web, subPath: web}\n"
	"        - {name: tmp, mountPath: /tmp}\n"
	"        securityContext:\n"
	"          allowPrivilegeEscalation: false\n"
	"          readOnlyRootFilesystem: true\n"
	"          capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}\n"
	"        terminationMessagePath: /dev/termination-log\n"
	"        terminationMessagePolicy: FallbackToLogsOnError\n"
	"      volumes:\n"
	"      - name: config\n"
	"        configMap: {name: web-config, defaultMode: 0644, items: [{key: app.yaml, path: app.yaml}]}\n"
	"      - name: data\n"
	"        persistentVolumeClaim: {claimName: web-data}\n"
	"      - name: tmp\n"
	"        emptyDir: {medium: Memory, sizeLimit: 64Mi}\n"
	"      affinity:\n"
	"        podAntiAffinity:\n"
	"          preferredDuringSchedulingIgnoredDuringExecution:\n"
	"          - weight: 100\n"
	"            podAffinityTerm:\n"
	"              labelSelector: {matchLabels: {app: web}}\n"
	"              topologyKey: kubernetes.io/hostname\n"
	"      tolerations:\n"
	"      - {key: dedicated, operator: Equal, value: web, effect: NoSchedule}\n"
	"      - {key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute, tolerationSeconds: 300}\n"
	"      topologySpreadConstraints:\n"
	"      - maxSkew: 1\n"
	"        topologyKey: topology.kubernetes.io/zone\n"
	"        whenUnsatisfiable: ScheduleAnyway\n"
	"        labelSelector: {matchLabels: {app: web}}\n"
	"        matchLabelKeys: [pod-template-hash]\n"
	"status:\n"
	"  observedGeneration: 4\n"
	"  replicas: 3\n"
	"  updatedReplicas: 3\n"
	"  readyReplicas: 3\n"
	"  availableReplicas: 3\n"
	"  conditions:\n"
	"  - type: Available\n"
	"    status: \"True\"\n"
	"    lastUpdateTime: \"2024-05-01T10:01:00Z\"\n"
	"    lastTransitionTime: \"2024-05-01T10:01:00Z\"\n"
	"    reason: MinimumReplicasAvailable\n"
	"    message: Deployment has minimum availability.\n";

static const char pod_yaml[] =
	"apiVersion: v1\n"
	"kind: Pod\n"
	"metadata:\n"
	"  name: db-0\n"
	"  creationTimestamp: null\n"
	"  namespace: default\n"
	"  generateName: db-\n"
	"  ownerReferences:\n"
	"  - {apiVersion: apps/v1, kind: StatefulSet, name: db, uid: 0d2e5b7e-1111-2222-3333-444455556666, controller: true, blockOwnerDeletion: true}\n"
	"spec:\n"
	"  nodeName: node-1\n"
	"  hostname: db-0\n"
	"  subdomain: db\n"
	"  nodeSelector: {kubernetes.io/os: linux}\n"
	"  hostAliases: [{ip: 10.0.0.5, hostnames: [db.local, db]}]\n"
	"  dnsConfig:\n"
	"    nameservers: [1.1.1.1]\n"
	"    searches: [svc.cluster.local]\n"
	"    options: [{name: ndots, value: \"2\"}, {name: edns0}]\n"
	"  readinessGates: [{conditionType: example.com/ready}]\n"
	"  os: {name: linux}\n"
	"  schedulingGates: [{name: example.com/quota}]\n"
	"  shareProcessNamespace: true\n"
	"  runtimeClassName: runc\n"
	"  preemptionPolicy: PreemptLowerPriority\n"
	"  overhead: {cpu: 10m}\n"
	"  setHostnameAsFQDN: false\n"
	"  hostUsers: true\n"
	"  affinity:\n"
	"    nodeAffinity:\n"
	"      requiredDuringSchedulingIgnoredDuringExecution:\n"
	"        nodeSelectorTerms:\n"
	"        - matchExpressions:\n"
	"          - {key: disktype, operator: In, values: [ssd]}\n"
	"          matchFields:\n"
	"          - {key: metadata.name, operator: NotIn, values: [node-9]}\n"
	"      preferredDuringSchedulingIgnoredDuringExecution:\n"
	"      - weight: 1\n"
	"        preference: {matchExpressions: [{key: zone, operator: Exists}]}\n"
	"    podAffinity:\n"
	"      requiredDuringSchedulingIgnoredDuringExecution:\n"
	"      - labelSelector: {matchExpressions: [{key: app, operator: In, values: [cache]}]}\n"
	"        topologyKey: topology.kubernetes.io/zone\n"
	"        namespaces: [default]\n"
	"        namespaceSelector: {}\n"
	"  containers:\n"
	"  - name: db\n"
	"    image: postgres:16\n"
	"    ports: [{containerPort: 5432, name: pg, hostPort: 15432, hostIP: 0.0.0.0}]\n"
	"    stdin: true\n"
	"    tty: true\n"
	"    livenessProbe:\n"
	"      grpc: {port: 5433, service: health}\n"
	"    readinessProbe:\n"
	"      exec: {command: [pg_isready]}\n"
	"    volumeMounts: [{name: data, mountPath: /var/lib/postgresql, mountPropagation: None}]\n"
	"    volumeDevices: [{name: raw, devicePath: /dev/xvdb}]\n"
	"    securityContext:\n"
	"      privileged: false\n"
	"      runAsGroup: 999\n"
	"      procMount: Default\n"
	"      seLinuxOptions: {level: \"s0:c123,c456\"}\n"
	"      appArmorProfile: {type: Localhost, localhostProfile: db}\n"
	"      windowsOptions: {runAsUserName: ContainerUser}\n"
	"  volumes:\n"
	"  - name: data\n"
	"    ephemeral:\n"
	"      volumeClaimTemplate:\n"
	"        metadata: {labels: {type: scratch}}\n"
	"        spec:\n"
	"          accessModes: [ReadWriteOnce]\n"
	"          storageClassName: fast\n"
	"          resources: {requests: {storage: 1Gi}}\n"
	"  - name: raw\n"
	"    persistentVolumeClaim: {claimName: raw, readOnly: false}\n"
	"  - name: secret\n"
	"    secret: {secretName: db-tls, optional: false, items: [{key: tls.crt, path: tls.crt, mode: 0400}]}\n"
	"  - name: host\n"
	"    hostPath: {path: /var/run/docker.sock, type: Socket}\n"
	"  - name: proj\n"
	"    projected:\n"
	"      defaultMode: 420\n"
	"      sources:\n"
	"      - serviceAccountToken: {path: token, expirationSeconds: 3607, audience: api}\n"
	"      - configMap: {name: kube-root-ca.crt, items: [{key: ca.crt, path: ca.crt}]}\n"
	"      - downwardAPI: {items: [{path: namespace, fieldRef: {apiVersion: v1, fieldPath: metadata.namespace}}]}\n"
	"      - secret: {name: extra}\n"
	"  - name: dapi\n"
	"    downwardAPI: {items: [{path: limits, resourceFieldRef: {containerName: db, resource: limits.memory}}]}\n"
	"  - name: nfs\n"
	"    nfs: {server: nfs.example.com, path: /exports, readOnly: true}\n"
	"  - name: csi\n"
	"    csi: {driver: secrets-store.csi.k8s.io, readOnly: true, volumeAttributes: {secretProviderClass: vault}}\n"
	"  - name: iscsi\n"
	"    iscsi: {targetPortal: \"10.0.0.1:3260\", iqn: iqn.2001-04.com.example:storage, lun: 0, fsType: ext4}\n"
	"  - name: img\n"
	"    image: {reference: quay.io/models/llm:v1, pullPolicy: IfNotPresent}\n"
	"status:\n"
	"  phase: Running\n"
	"  qosClass: Burstable\n"
	"  hostIP: 192.168.1.10\n"
	"  hostIPs: [{ip: 192.168.1.10}]\n"
	"  podIP: 10.244.1.7\n"
	"  podIPs: [{ip: 10.244.1.7}]\n"
	"  startTime: \"2024-05-01T10:00:00Z\"\n"
	"  conditions:\n"
	"  - {type: Ready, status: \"True\", lastProbeTime: null, lastTransitionTime: \"2024-05-01T10:00:05Z\"}\n"
	"  containerStatuses:\n"
	"  - name: db\n"
	"    ready: true\n"
	"    started: true\n"
	"    restartCount: 1\n"
	"    image: docker.io/library/postgres:16\n"
	"    imageID: docker.io/library/postgres@sha256:0123\n"
	"    containerID: containerd://abc\n"
	"    state: {running: {startedAt: \"2024-05-01T10:00:03Z\"}}\n"
	"    lastState: {terminated: {exitCode: 137, reason: OOMKilled, startedAt: \"2024-05-01T09:00:00Z\", finishedAt: \"2024-05-01T09:59:00Z\", containerID: containerd://old}}\n"
	"    volumeMounts: [{name: data, mountPath: /var/lib/postgresql, readOnly: false, recursiveReadOnly: Disabled}]\n"
	"    user: {linux: {uid: 999, gid: 999, supplementalGroups: [999]}}\n"
	"    allocatedResources: {cpu: 100m}\n"
	"    resources: {requests: {cpu: 100m}}\n";

static const char service[] =
	"apiVersion: v1\n"
	"kind: Service\n"
	"metadata: {name: web, namespace: prod}\n"
	"spec:\n"
	"  type: LoadBalancer\n"
	"  selector: {app: web}\n"
	"  clusterIP: 10.96.0.12\n"
	"  clusterIPs: [10.96.0.12]\n"
	"  ipFamilies: [IPv4]\n"
	"  ipFamilyPolicy: SingleStack\n"
	"  externalTrafficPolicy: Local\n"
	"  internalTrafficPolicy: Cluster\n"
	"  healthCheckNodePort: 32000\n"
	"  sessionAffinity: ClientIP\n"
	"  sessionAffinityConfig: {clientIP: {timeoutSeconds: 600}}\n"
	"  loadBalancerSourceRanges: [10.0.0.0/8]\n"
	"  allocateLoadBalancerNodePorts: true\n"
	"  publishNotReadyAddresses: false\n"
	"  ports:\n"
	"  - {name: http, port: 80, targetPort: http, protocol: TCP, nodePort: 30080, appProtocol: http}\n"
	"  - {name: https, port: 443, targetPort: 8443}\n"
	"status:\n"
	"  loadBalancer: {ingress: [{ip: 203.0.113.7, ipMode: VIP, ports: [{port: 80, protocol: TCP}]}]}\n";

static const char job[] =
	"apiVersion: batch/v1\n"
	"kind: Job\n"
	"metadata: {name: pi}\n"
	"spec:\n"
	"  parallelism: 2\n"
	"  completions: 4\n"
	"  completionMode: Indexed\n"
	"  backoffLimit: 4\n"
	"  backoffLimitPerIndex: 1\n"
	"  maxFailedIndexes: 2\n"
	"  activeDeadlineSeconds: 600\n"
	"  ttlSecondsAfterFinished: 100\n"
	"  suspend: false\n"
	"  podReplacementPolicy: Failed\n"
	"  podFailurePolicy:\n"
	"    rules:\n"
	"    - action: FailJob\n"
	"      onExitCodes: {containerName: pi, operator: In, values: [42]}\n"
	"    - action: Ignore\n"
	"      onPodConditions: [{type: DisruptionTarget, status: \"True\"}]\n"
	"  successPolicy:\n"
	"    rules: [{succeededIndexes: \"0-2\", succeededCount: 2}]\n"
	"  template:\n"
	"    spec:\n"
	"      restartPolicy: Never\n"
	"      containers:\n"
	"      - name: pi\n"
	"        image: perl:5.34\n"
	"        command: [perl, -Mbignum=bpi, -wle, print bpi(2000)]\n"
	"status:\n"
	"  active: 1\n"
	"  ready: 1\n"
	"  terminating: 0\n"
	"  startTime: \"2024-05-01T10:00:00Z\"\n"
	"  completedIndexes: \"0,1\"\n"
	"  uncountedTerminatedPods: {succeeded: [a-uid], failed: []}\n"
	"  conditions: [{type: SuccessCriteriaMet, status: \"False\", lastProbeTime: \"2024-05-01T10:00:00Z\"}]\n";

static const char cronjob[] =
	"apiVersion: batch/v1\n"
	"kind: CronJob\n"
	"metadata: {name: hello}\n"
	"spec:\n"
	"  schedule: \"*/5 * * * *\"\n"
	"  timeZone: Etc/UTC\n"
	"  concurrencyPolicy: Forbid\n"
	"  startingDeadlineSeconds: 200\n"
	"  successfulJobsHistoryLimit: 3\n"
	"  failedJobsHistoryLimit: 1\n"
	"  jobTemplate:\n"
	"    metadata: {labels: {app: hello}}\n"
	"    spec:\n"
	"      template:\n"
	"        spec:\n"
	"          restartPolicy: OnFailure\n"
	"          containers:\n"
	"          - {name: hello, image: busybox:1.36, command: [/bin/sh, -c, date]}\n"
	"status:\n"
	"  lastScheduleTime: \"2024-05-01T10:05:00Z\"\n"
	"  active: [{kind: Job, name: hello-28571234, namespace: default, uid: u1, apiVersion: batch/v1}]\n";

static const char rbac[] =
	"- apiVersion: rbac.authorization.k8s.io/v1\n"
	"  kind: Role\n"
	"  metadata: {name: pod-reader, namespace: default}\n"
	"  rules:\n"
	"  - apiGroups: [\"\"]\n"
	"    resources: [pods, pods/log]\n"
	"    verbs: [get, watch, list]\n"
	"    resourceNames: [web-0]\n";

static void decode_manifests(void)
{
	decode_clean("io.k8s.api.apps.v1.Deployment", deployment, "a full Deployment");
	decode_clean("io.k8s.api.core.v1.Pod", pod_yaml, "a Pod with probes, volumes and affinity");
	decode_clean("io.k8s.api.core.v1.Service", service, "a LoadBalancer Service");
	decode_clean("io.k8s.api.batch.v1.Job", job, "an indexed Job");
	decode_clean("io.k8s.api.batch.v1.CronJob", cronjob, "a CronJob");
	{
		cJSON *list = yaml(rbac);
		char *role = cJSON_PrintUnformatted(cJSON_GetArrayItem(list, 0));

		decode_clean("io.k8s.api.rbac.v1.Role", role, "a Role");
		free(role);
		cJSON_Delete(list);
	}
	decode_clean("io.k8s.api.rbac.v1.RoleBinding",
	             "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\n"
	             "metadata: {name: read-pods, namespace: default}\n"
	             "subjects:\n- {kind: User, name: jane, apiGroup: rbac.authorization.k8s.io}\n"
	             "- {kind: ServiceAccount, name: default, namespace: kube-system}\n"
	             "roleRef: {kind: Role, name: pod-reader, apiGroup: rbac.authorization.k8s.io}\n",
	             "a RoleBinding");
	decode_clean("io.k8s.api.rbac.v1.ClusterRole",
	             "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\n"
	             "metadata: {name: monitoring}\n"
	             "aggregationRule:\n  clusterRoleSelectors:\n"
	             "  - matchLabels: {rbac.example.com/aggregate-to-monitoring: \"true\"}\n"
	             "rules:\n- nonResourceURLs: [/metrics]\n  verbs: [get]\n",
	             "an aggregated ClusterRole");
	decode_clean("io.k8s.api.rbac.v1.ClusterRoleBinding",
	             "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\n"
	             "metadata: {name: admins}\n"
	             "subjects: [{kind: Group, name: admins, apiGroup: rbac.authorization.k8s.io}]\n"
	             "roleRef: {kind: ClusterRole, name: cluster-admin, apiGroup: rbac.authorization.k8s.io}\n",
	             "a ClusterRoleBinding");
	decode_clean("io.k8s.api.apps.v1.StatefulSet",
	             "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\n"
	             "spec:\n  serviceName: db\n  replicas: 3\n  podManagementPolicy: Parallel\n"
	             "  selector: {matchLabels: {app: db}}\n"
	             "  updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 0, maxUnavailable: 1}}\n"
	             "  persistentVolumeClaimRetentionPolicy: {whenDeleted: Retain, whenScaled: Delete}\n"
	             "  ordinals: {start: 1}\n"
	             "  template:\n    metadata: {labels: {app: db}}\n"
	             "    spec: {containers: [{name: db, image: postgres}]}\n"
	             "  volumeClaimTemplates:\n  - metadata: {name: data}\n"
	             "    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 10Gi}}}\n"
	             "status: {replicas: 3, readyReplicas: 3, currentRevision: db-1, updateRevision: db-1, availableReplicas: 3}\n",
	             "a StatefulSet");
	decode_clean("io.k8s.api.apps.v1.DaemonSet",
	             "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: agent}\n"
	             "spec:\n  selector: {matchLabels: {app: agent}}\n"
	             "  updateStrategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: 10%, maxSurge: 0}}\n"
	             "  template:\n    metadata: {labels: {app: agent}}\n"
	             "    spec:\n      hostNetwork: true\n      hostPID: true\n"
	             "      tolerations: [{operator: Exists}]\n"
	             "      containers: [{name: agent, image: agent:1}]\n"
	             "status: {currentNumberScheduled: 2, numberMisscheduled: 0, desiredNumberScheduled: 2, numberReady: 2}\n",
	             "a DaemonSet");
	decode_clean("io.k8s.api.core.v1.ConfigMap",
	             "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\nimmutable: false\n"
	             "data: {app.yaml: \"a: 1\\n\"}\nbinaryData: {logo.png: aGVsbG8=}\n",
	             "a ConfigMap");
	decode_clean("io.k8s.api.core.v1.Secret",
	             "apiVersion: v1\nkind: Secret\nmetadata: {name: tls}\ntype: kubernetes.io/tls\n"
	             "data: {tls.crt: LS0tLS1CRUdJTg==, tls.key: \"\"}\nstringData: {extra: plain}\n",
	             "a Secret");
	decode_clean("io.k8s.api.core.v1.Node",
	             "apiVersion: v1\nkind: Node\nmetadata: {name: node-1, labels: {kubernetes.io/hostname: node-1}}\n"
	             "spec: {podCIDR: 10.244.1.0/24, podCIDRs: [10.244.1.0/24], providerID: \"local://node-1\",\n"
	             "  taints: [{key: node-role.kubernetes.io/control-plane, effect: NoSchedule}]}\n"
	             "status:\n  capacity: {cpu: \"4\", memory: 8Gi, pods: \"110\"}\n"
	             "  allocatable: {cpu: 3800m, memory: 7.5Gi, pods: \"110\"}\n"
	             "  conditions: [{type: Ready, status: \"True\", lastHeartbeatTime: \"2024-05-01T10:00:00Z\", lastTransitionTime: \"2024-05-01T09:00:00Z\", reason: KubeletReady, message: ok}]\n"
	             "  addresses: [{type: InternalIP, address: 192.168.1.10}, {type: Hostname, address: node-1}]\n"
	             "  daemonEndpoints: {kubeletEndpoint: {Port: 10250}}\n"
	             "  nodeInfo: {machineID: m, systemUUID: s, bootID: b, kernelVersion: 6.1.0, osImage: Debian, containerRuntimeVersion: k8c://1.0, kubeletVersion: v1.32.0, kubeProxyVersion: v1.32.0, operatingSystem: linux, architecture: amd64}\n"
	             "  images: [{names: [\"busybox:1.36\"], sizeBytes: 4261550}]\n"
	             "  runtimeHandlers: [{name: \"\", features: {recursiveReadOnlyMounts: true, userNamespaces: false}}]\n"
	             "  features: {supplementalGroupsPolicy: true}\n",
	             "a Node with status");
	decode_clean("io.k8s.api.core.v1.Event",
	             "apiVersion: v1\nkind: Event\nmetadata: {name: web.17a, namespace: default}\n"
	             "involvedObject: {kind: Pod, name: web, namespace: default, uid: u, apiVersion: v1, resourceVersion: \"5\", fieldPath: \"spec.containers{web}\"}\n"
	             "reason: Pulled\nmessage: pulled\ntype: Normal\ncount: 2\n"
	             "source: {component: kubelet, host: node-1}\n"
	             "firstTimestamp: \"2024-05-01T10:00:00Z\"\nlastTimestamp: \"2024-05-01T10:01:00Z\"\n"
	             "eventTime: null\nreportingComponent: kubelet\nreportingInstance: node-1\n",
	             "a core/v1 Event");
	decode_clean("io.k8s.api.events.v1.Event",
	             "apiVersion: events.k8s.io/v1\nkind: Event\nmetadata: {name: e1}\n"
	             "eventTime: \"2024-05-01T10:00:00.123456Z\"\nreportingController: example.com/ctl\n"
	             "reportingInstance: ctl-1\naction: Scale\nreason: Scaled\nnote: scaled up\ntype: Normal\n"
	             "regarding: {kind: Deployment, name: web}\n"
	             "series: {count: 3, lastObservedTime: \"2024-05-01T10:05:00.000000Z\"}\n",
	             "an events.k8s.io Event");
	decode_clean("io.k8s.api.coordination.v1.Lease",
	             "apiVersion: coordination.k8s.io/v1\nkind: Lease\nmetadata: {name: node-1, namespace: kube-node-lease}\n"
	             "spec: {holderIdentity: node-1, leaseDurationSeconds: 40, renewTime: \"2024-05-01T10:00:00.000000Z\", acquireTime: \"2024-05-01T09:00:00.000000Z\", leaseTransitions: 0}\n",
	             "a Lease");
	decode_clean("io.k8s.api.scheduling.v1.PriorityClass",
	             "apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: high}\n"
	             "value: 1000\nglobalDefault: false\ndescription: important\npreemptionPolicy: Never\n",
	             "a PriorityClass");
	decode_clean("io.k8s.api.discovery.v1.EndpointSlice",
	             "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\n"
	             "metadata: {name: web-abc, labels: {kubernetes.io/service-name: web}}\naddressType: IPv4\n"
	             "endpoints:\n- addresses: [10.244.1.7]\n  conditions: {ready: true, serving: true, terminating: false}\n"
	             "  nodeName: node-1\n  zone: z1\n  targetRef: {kind: Pod, name: web-1, namespace: prod}\n"
	             "  hints: {forZones: [{name: z1}]}\n"
	             "ports: [{name: http, port: 8080, protocol: TCP, appProtocol: http}]\n",
	             "an EndpointSlice");
	decode_clean("io.k8s.api.core.v1.Endpoints",
	             "apiVersion: v1\nkind: Endpoints\nmetadata: {name: web}\n"
	             "subsets: [{addresses: [{ip: 10.244.1.7, nodeName: node-1, targetRef: {kind: Pod, name: web-1}}],\n"
	             "  notReadyAddresses: [{ip: 10.244.1.8}], ports: [{name: http, port: 8080, protocol: TCP}]}]\n",
	             "Endpoints");
	decode_clean("io.k8s.api.core.v1.PersistentVolume",
	             "apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: pv1}\n"
	             "spec: {capacity: {storage: 5Gi}, accessModes: [ReadWriteOnce], persistentVolumeReclaimPolicy: Retain,\n"
	             "  storageClassName: local, volumeMode: Filesystem, local: {path: /mnt/disks/ssd1},\n"
	             "  claimRef: {namespace: default, name: data},\n"
	             "  nodeAffinity: {required: {nodeSelectorTerms: [{matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: [node-1]}]}]}}}\n"
	             "status: {phase: Bound, lastPhaseTransitionTime: \"2024-05-01T10:00:00Z\"}\n",
	             "a local PersistentVolume");
	decode_clean("io.k8s.api.core.v1.PersistentVolumeClaim",
	             "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data}\n"
	             "spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 5Gi}}, storageClassName: local,\n"
	             "  volumeName: pv1, selector: {matchLabels: {tier: ssd}},\n"
	             "  dataSourceRef: {apiGroup: snapshot.storage.k8s.io, kind: VolumeSnapshot, name: snap}}\n"
	             "status: {phase: Bound, accessModes: [ReadWriteOnce], capacity: {storage: 5Gi}}\n",
	             "a PersistentVolumeClaim");
	decode_clean("io.k8s.api.core.v1.ServiceAccount",
	             "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: web}\n"
	             "automountServiceAccountToken: false\nimagePullSecrets: [{name: regcred}]\n"
	             "secrets: [{name: web-token}]\n",
	             "a ServiceAccount");
	decode_clean("io.k8s.api.core.v1.Namespace",
	             "apiVersion: v1\nkind: Namespace\nmetadata: {name: prod}\n"
	             "spec: {finalizers: [kubernetes]}\nstatus: {phase: Active}\n",
	             "a Namespace");
	decode_clean("io.k8s.api.core.v1.Binding",
	             "apiVersion: v1\nkind: Binding\nmetadata: {name: web-1}\n"
	             "target: {apiVersion: v1, kind: Node, name: node-1}\n",
	             "a Binding");
	decode_clean("io.k8s.api.policy.v1.Eviction",
	             "apiVersion: policy/v1\nkind: Eviction\nmetadata: {name: web-1, namespace: prod}\n"
	             "deleteOptions: {gracePeriodSeconds: 0, preconditions: {uid: u}}\n",
	             "an Eviction");
	decode_clean("io.k8s.api.autoscaling.v1.Scale",
	             "apiVersion: autoscaling/v1\nkind: Scale\nmetadata: {name: web}\n"
	             "spec: {replicas: 5}\nstatus: {replicas: 3, selector: app=web}\n",
	             "a Scale");
	decode_clean("io.k8s.api.apps.v1.ControllerRevision",
	             "apiVersion: apps/v1\nkind: ControllerRevision\nmetadata: {name: db-1}\n"
	             "revision: 1\ndata: {spec: {template: {spec: {containers: [{name: x}]}}}}\n",
	             "a ControllerRevision");
	decode_clean("io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions",
	             "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"propagationPolicy\":\"Background\",\"dryRun\":[\"All\"]}",
	             "DeleteOptions as kubectl sends them");
	decode_clean("io.k8s.apimachinery.pkg.apis.meta.v1.Status",
	             "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
	             "\"message\":\"pods \\\"x\\\" not found\",\"reason\":\"NotFound\","
	             "\"details\":{\"name\":\"x\",\"kind\":\"pods\",\"causes\":[{\"reason\":\"FieldValueInvalid\",\"field\":\"spec\"}]},\"code\":404}",
	             "a Status");
	decode_clean("io.k8s.apimachinery.pkg.apis.meta.v1.Table",
	             "{\"kind\":\"Table\",\"apiVersion\":\"meta.k8s.io/v1\",\"metadata\":{\"resourceVersion\":\"5\"},"
	             "\"columnDefinitions\":[{\"name\":\"Name\",\"type\":\"string\",\"format\":\"name\",\"description\":\"d\",\"priority\":0}],"
	             "\"rows\":[{\"cells\":[\"web\",1,true,null],\"object\":{\"kind\":\"PartialObjectMetadata\"}}]}",
	             "a Table");
}

/* --- unknown fields, duplicates, nulls ------------------------------------------------ */

static void test_unknown_and_null(void)
{
	static const char text[] =
		"{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"foo\":1,"
		"\"metadata\":{\"name\":\"p\",\"labelz\":{\"a\":\"b\"},\"labels\":{\"a\":\"b\"}},"
		"\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"i\",\"imagePullPolcy\":\"Always\"},"
		"{\"name\":\"d\",\"image\":\"j\",\"resources\":{\"limits\":{\"cpu\":\"1\"},\"limitz\":{}}}],"
		"\"volumes\":[{\"name\":\"v\",\"configMap\":{\"name\":\"cm\",\"itemz\":[]}}]},"
		"\"status\":{\"containerStatuses\":[{\"name\":\"c\",\"state\":{\"running\":{\"startedAtt\":\"x\"}}}]}}";
	static const char *const want[] = {
		"foo",
		"metadata.labelz",
		"spec.containers[0].imagePullPolcy",
		"spec.containers[1].resources.limitz",
		"spec.volumes[0].configMap.itemz",
		"status.containerStatuses[0].state.running.startedAtt",
	};
	cJSON *j = cJSON_Parse(text), *c;
	k8c_schema_report_t rep = { 0 };
	size_t n = sizeof(want) / sizeof(want[0]);

	is_int(k8c_schema_decode(k8c_schema_type("io.k8s.api.core.v1.Pod"), j, &rep), 0,
	       "unknown fields are no type error");
	is_int(rep.n_unknown, n, "every unknown field is reported");
	for (size_t i = 0; i < n && i < rep.n_unknown; i++)
		is_str(rep.unknown[i], want[i], "unknown field path %zu", i);
	ok(cJSON_GetObjectItem(j, "foo") == NULL, "unknown fields are pruned (top)");
	c = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "spec"), "containers"), 0);
	ok(cJSON_GetObjectItem(c, "imagePullPolcy") == NULL && cJSON_GetObjectItem(c, "image") != NULL,
	   "unknown fields are pruned (deep), known ones stay");
	ok(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "metadata"), "labels") != NULL,
	   "labels stay");
	k8c_schema_report_free(&rep);
	cJSON_Delete(j);

	/* A field given twice: the last value wins, the path is reported. */
	j = cJSON_Parse("{\"metadata\":{\"name\":\"a\",\"name\":\"b\"},"
	                "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"x\",\"image\":\"y\"}]}}");
	k8c_schema_decode(k8c_schema_type("io.k8s.api.core.v1.Pod"), j, &rep);
	is_int(rep.n_duplicate, 2, "duplicate fields are reported");
	if (rep.n_duplicate == 2) {
		is_str(rep.duplicate[0], "metadata.name", "duplicate path");
		is_str(rep.duplicate[1], "spec.containers[0].image", "duplicate path in a list");
	}
	is_str(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "metadata"), "name")->valuestring, "b",
	       "the last of duplicates is kept");
	k8c_schema_report_free(&rep);
	cJSON_Delete(j);

	/* null is absent: fields go, list items and map values become zero. */
	j = cJSON_Parse("{\"metadata\":{\"name\":\"p\",\"labels\":{\"a\":null},\"annotations\":null},"
	                "\"spec\":{\"nodeName\":null,\"affinity\":null,\"containers\":[null,"
	                "{\"name\":\"c\",\"args\":[null,\"x\"],\"ports\":null}]},\"status\":null}");
	is_int(k8c_schema_decode(k8c_schema_type("io.k8s.api.core.v1.Pod"), j, &rep), 0,
	       "null is accepted anywhere");
	{
		cJSON *meta = cJSON_GetObjectItem(j, "metadata"), *spec = cJSON_GetObjectItem(j, "spec");
		cJSON *cs = cJSON_GetObjectItem(spec, "containers");

		ok(cJSON_GetObjectItem(meta, "annotations") == NULL &&
		           cJSON_GetObjectItem(spec, "nodeName") == NULL &&
		           cJSON_GetObjectItem(spec, "affinity") == NULL &&
		           cJSON_GetObjectItem(j, "status") == NULL,
		   "null fields are removed");
		is_str(cJSON_GetObjectItem(cJSON_GetObjectItem(meta, "labels"), "a")->valuestring, "",
		       "a null map value becomes its zero value");
		ok(cJSON_IsObject(cJSON_GetArrayItem(cs, 0)), "a null list item becomes {}");
		is_str(cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetArrayItem(cs, 1), "args"), 0)->valuestring,
		       "", "a null string item becomes \"\"");
	}
	k8c_schema_report_free(&rep);
	cJSON_Delete(j);
	ok(k8c_schema_decode(k8c_schema_type("io.k8s.api.core.v1.Pod"), NULL, &rep) == 0,
	   "no object: nothing to do");
}

/* --- type errors ------------------------------------------------------------------------ */

static void test_type_errors(void)
{
	const char *pod = "io.k8s.api.core.v1.Pod", *dep = "io.k8s.api.apps.v1.Deployment";

	is_str(type_error_of(pod, "{\"spec\":{\"containers\":\"nginx\"}}"),
	       "json: cannot unmarshal string into Go struct field PodSpec.spec.containers of type "
	       "[]v1.Container",
	       "a string for a list");
	is_str(type_error_of(pod, "{\"spec\":{\"containers\":[{\"name\":5}]}}"),
	       "json: cannot unmarshal number into Go struct field Container.spec.containers.name "
	       "of type string",
	       "a number for a string, inside a list");
	is_str(type_error_of(dep, "{\"spec\":{\"replicas\":\"3\"}}"),
	       "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of "
	       "type int32",
	       "a string for an int32");
	is_str(type_error_of(dep, "{\"spec\":{\"replicas\":1.5}}"),
	       "json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas "
	       "of type int32",
	       "integers must be whole");
	is_str(type_error_of(dep, "{\"spec\":{\"replicas\":3000000000}}"),
	       "json: cannot unmarshal number 3000000000 into Go struct field "
	       "DeploymentSpec.spec.replicas of type int32",
	       "int32 overflow");
	is_str(type_error_of(pod, "{\"spec\":{\"activeDeadlineSeconds\":3000000000}}"), "",
	       "int64 holds it");
	is_str(type_error_of(pod, "{\"spec\":{\"hostNetwork\":\"true\"}}"),
	       "json: cannot unmarshal string into Go struct field PodSpec.spec.hostNetwork of type "
	       "bool",
	       "a string for a bool");
	is_str(type_error_of(pod, "{\"metadata\":{\"labels\":{\"a\":1}}}"),
	       "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of "
	       "type string",
	       "a number in a map of strings");
	is_str(type_error_of(pod, "{\"metadata\":{\"labels\":[]}}"),
	       "json: cannot unmarshal array into Go struct field ObjectMeta.metadata.labels of "
	       "type map[string]string",
	       "an array for a map");
	is_str(type_error_of(pod, "{\"spec\":{\"volumes\":[{\"name\":\"v\",\"configMap\":\"x\"}]}}"),
	       "json: cannot unmarshal string into Go struct field "
	       "Volume.spec.volumes.VolumeSource.configMap of type v1.ConfigMapVolumeSource",
	       "fields of embedded structs carry the struct's name");
	is_str(type_error_of(pod, "{\"spec\":\"x\"}"),
	       "json: cannot unmarshal string into Go struct field Pod.spec of type v1.PodSpec",
	       "a string for a struct");
	is_str(type_error_of(pod, "[1]"), "json: cannot unmarshal array into Go value of type v1.Pod",
	       "the object itself");
	is_str(type_error_of(pod, "{\"spec\":{\"containers\":[{\"name\":\"c\",\"resources\":"
	                          "{\"limits\":{\"cpu\":\"1\"}}}]}}"),
	       "", "a quantity as a string");
	is_str(type_error_of(pod, "{\"spec\":{\"containers\":[{\"name\":\"c\",\"resources\":"
	                          "{\"limits\":{\"cpu\":0.5,\"memory\":1073741824}}}]}}"),
	       "", "a quantity as a number");
	is_str(type_error_of(pod, "{\"spec\":{\"containers\":[{\"name\":\"c\",\"resources\":"
	                          "{\"limits\":{\"cpu\":true}}}]}}"),
	       "quantities must match the regular expression "
	       "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
	       "a bool for a quantity");
	is_str(type_error_of(pod, "{\"spec\":{\"overhead\":{\"cpu\":\"lots\"}}}"),
	       "quantities must match the regular expression "
	       "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
	       "a bad quantity string");
	is_str(type_error_of("io.k8s.api.core.v1.Service",
	                     "{\"spec\":{\"ports\":[{\"port\":80,\"targetPort\":8080},"
	                     "{\"port\":81,\"targetPort\":\"http\"}]}}"),
	       "", "int-or-string takes both");
	is_str(type_error_of("io.k8s.api.core.v1.Service",
	                     "{\"spec\":{\"ports\":[{\"port\":80,\"targetPort\":true}]}}"),
	       "json: cannot unmarshal bool into Go struct field ServicePort.spec.ports.targetPort of "
	       "type int32",
	       "int-or-string refuses a bool");
	is_str(type_error_of(dep, "{\"spec\":{\"strategy\":{\"rollingUpdate\":{\"maxSurge\":1.5}}}}"),
	       "json: cannot unmarshal number 1.5 into Go struct field "
	       "RollingUpdateDeployment.spec.strategy.rollingUpdate.maxSurge of type int32",
	       "int-or-string refuses a fraction");
	is_str(type_error_of(pod, "{\"metadata\":{\"creationTimestamp\":5}}"),
	       "json: cannot unmarshal number into Go struct field "
	       "ObjectMeta.metadata.creationTimestamp of type string",
	       "a time must be a string");
	is_str(type_error_of(pod, "{\"metadata\":{\"creationTimestamp\":\"yesterday\"}}"),
	       "parsing time \"yesterday\" as \"2006-01-02T15:04:05Z07:00\": cannot parse "
	       "\"yesterday\" as \"2006\"",
	       "a time must be RFC 3339");
	is_str(type_error_of(pod, "{\"metadata\":{\"creationTimestamp\":\"2024-13-01T00:00:00Z\"}}"),
	       "parsing time \"2024-13-01T00:00:00Z\": month out of range", "month out of range");
	is_str(type_error_of(pod, "{\"metadata\":{\"creationTimestamp\":\"2024-02-30T00:00:00Z\"}}"),
	       "parsing time \"2024-02-30T00:00:00Z\": day out of range", "day out of range");
	is_str(type_error_of(pod, "{\"metadata\":{\"creationTimestamp\":\"2024-05-01 10:00:00Z\"}}"),
	       "parsing time \"2024-05-01 10:00:00Z\" as \"2006-01-02T15:04:05Z07:00\": cannot parse "
	       "\" 10:00:00Z\" as \"T\"",
	       "a space for T");
	is_str(type_error_of(pod, "{\"metadata\":{\"creationTimestamp\":\"2024-05-01T10:00:00+02:00\","
	                          "\"deletionTimestamp\":\"2024-05-01T10:00:00.5Z\"}}"),
	       "", "offsets and fractions");
	is_str(type_error_of("io.k8s.api.core.v1.Secret", "{\"data\":{\"a\":\"!!!!\"}}"),
	       "illegal base64 data at input byte 0", "secret data must be base64");
	is_str(type_error_of("io.k8s.api.core.v1.Secret", "{\"data\":{\"a\":\"aGk\"}}"),
	       "illegal base64 data at input byte 3", "base64 needs its padding");
	is_str(type_error_of("io.k8s.api.core.v1.Secret", "{\"data\":{\"a\":\"aGk=\",\"b\":\"aA==\"}}"),
	       "", "padded base64");
	is_str(type_error_of("io.k8s.api.core.v1.Secret", "{\"data\":{\"a\":1}}"),
	       "json: cannot unmarshal number into Go struct field Secret.data of type []uint8",
	       "bytes must be a string");
	is_str(type_error_of("io.k8s.api.apps.v1.ControllerRevision",
	                     "{\"data\":[1,\"x\",{\"y\":null}],\"revision\":2}"),
	       "", "any takes anything");
	is_str(type_error_of(pod, "{\"spec\":{\"hostNetwork\":1,\"hostPID\":2}}"),
	       "json: cannot unmarshal number into Go struct field PodSpec.spec.hostNetwork of type "
	       "bool",
	       "the first error is reported");
	is_str(type_error_of(pod, "{\"spec\":{\"hostNetwork\":1,\"overhead\":{\"cpu\":\"x\"}}}"),
	       "quantities must match the regular expression "
	       "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
	       "an UnmarshalJSON error wins over a saved one, as in Go");
	is_str(type_error_of("io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions",
	                     "{\"gracePeriodSeconds\":\"30\"}"),
	       "json: cannot unmarshal string into Go struct field DeleteOptions.gracePeriodSeconds "
	       "of type int64",
	       "int64 fields");

	/* A YAML integer of 16+ digits arrives as a raw cJSON number. */
	{
		cJSON *j = yaml("spec: {activeDeadlineSeconds: 1234567890123456789}\n");
		k8c_schema_report_t rep = { 0 };

		is_int(k8c_schema_decode(k8c_schema_type(pod), j, &rep), 0, "big integers from YAML");
		k8c_schema_report_free(&rep);
		cJSON_Delete(j);
		j = yaml("spec: {priority: 1234567890123456789}\n");
		k8c_schema_decode(k8c_schema_type(pod), j, &rep);
		is_str(rep.type_error,
		       "json: cannot unmarshal number 1234567890123456789 into Go struct field "
		       "PodSpec.spec.priority of type int32",
		       "big integers overflow int32");
		k8c_schema_report_free(&rep);
		cJSON_Delete(j);
	}
}

/* --- OpenAPI ---------------------------------------------------------------------------- */

static const cJSON *resolve(const cJSON *doc, const char *ref)
{
	const char *p3 = "#/components/schemas/", *p2 = "#/definitions/";

	if (strncmp(ref, p3, strlen(p3)) == 0)
		return cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "components"),
			                                 "schemas"),
			ref + strlen(p3));
	if (strncmp(ref, p2, strlen(p2)) == 0)
		return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "definitions"),
		                                        ref + strlen(p2));
	return NULL;
}

static void count_refs(const cJSON *doc, const cJSON *node, int *refs, int *bad)
{
	for (const cJSON *c = node->child; c != NULL; c = c->next) {
		if (c->string != NULL && strcmp(c->string, "$ref") == 0 && cJSON_IsString(c)) {
			(*refs)++;
			if (resolve(doc, c->valuestring) == NULL) {
				(*bad)++;
				diag("unresolved %s", c->valuestring);
			}
		}
		if (cJSON_IsObject(c) || cJSON_IsArray(c))
			count_refs(doc, c, refs, bad);
	}
}

static int has_gvk(const cJSON *schema, const char *g, const char *v, const char *k)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(schema, "x-kubernetes-group-version-kind");
	const cJSON *e;

	cJSON_ArrayForEach(e, list)
	{
		const cJSON *gg = cJSON_GetObjectItem(e, "group"), *vv = cJSON_GetObjectItem(e, "version");
		const cJSON *kk = cJSON_GetObjectItem(e, "kind");

		if (cJSON_IsString(gg) && cJSON_IsString(vv) && cJSON_IsString(kk) &&
		    strcmp(gg->valuestring, g) == 0 && strcmp(vv->valuestring, v) == 0 &&
		    strcmp(kk->valuestring, k) == 0)
			return 1;
	}
	return 0;
}

static int op_has_param(const cJSON *op, const char *name)
{
	const cJSON *p;

	cJSON_ArrayForEach(p, cJSON_GetObjectItem(op, "parameters"))
	{
		const cJSON *n = cJSON_GetObjectItem(p, "name"), *in = cJSON_GetObjectItem(p, "in");

		if (cJSON_IsString(n) && strcmp(n->valuestring, name) == 0 && cJSON_IsString(in) &&
		    strcmp(in->valuestring, "query") == 0)
			return 1;
	}
	return 0;
}

/* Follow a schema to its definition, through $ref or a one-element allOf. */
static const cJSON *deref(const cJSON *doc, const cJSON *s)
{
	const cJSON *ref = cJSON_GetObjectItem(s, "$ref"), *all = cJSON_GetObjectItem(s, "allOf");

	if (ref == NULL && cJSON_GetArraySize(all) == 1)
		ref = cJSON_GetObjectItem(cJSON_GetArrayItem(all, 0), "$ref");
	return ref != NULL ? resolve(doc, ref->valuestring) : s;
}

static const cJSON *prop(const cJSON *doc, const cJSON *schema, const char *name)
{
	return cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(deref(doc, schema), "properties"), name);
}

static void check_document(const cJSON *doc, const char *what, int v3)
{
	const cJSON *defs = v3 ? cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "components"), "schemas")
	                       : cJSON_GetObjectItem(doc, "definitions");
	const cJSON *d;
	int refs = 0, bad = 0, kinds = 0, kinds_gvk = 0;

	count_refs(doc, doc, &refs, &bad);
	ok(refs > 20, "%s: %d $refs", what, refs);
	is_int(bad, 0, "%s: every $ref resolves", what);
	cJSON_ArrayForEach(d, defs)
	{
		const struct schema_type *t = k8c_schema_lookup(k8c_schema_state, d->string);

		if (t != NULL && t->is_kind) {
			kinds++;
			if (cJSON_GetArraySize(cJSON_GetObjectItem(d, "x-kubernetes-group-version-kind")) == 1)
				kinds_gvk++;
			else
				diag("%s has no GVK", d->string);
		}
	}
	ok(kinds > 0 && kinds == kinds_gvk, "%s: every kind (%d) has x-kubernetes-group-version-kind",
	   what, kinds);
}

static void test_openapi(void)
{
	cJSON *idx = k8c_openapi_v3_index(), *idx2, *doc, *v2;
	const cJSON *paths, *e, *schemas, *item, *op, *s;
	char *url1 = NULL;

	/* The index. */
	paths = cJSON_GetObjectItem(idx, "paths");
	e = cJSON_GetObjectItem(cJSON_GetObjectItem(paths, "api/v1"), "serverRelativeURL");
	ok(cJSON_IsString(e) && strncmp(e->valuestring, "/openapi/v3/api/v1?hash=", 24) == 0 &&
	           strlen(e->valuestring) == 24 + 32,
	   "index: api/v1 with its hash");
	url1 = e != NULL ? strdup(e->valuestring) : strdup("");
	ok(cJSON_GetObjectItem(paths, "apis/apps/v1") != NULL &&
	           cJSON_GetObjectItem(paths, "apis/rbac.authorization.k8s.io/v1") != NULL &&
	           cJSON_GetObjectItem(paths, "apis/events.k8s.io/v1") != NULL,
	   "index: the group versions of the served kinds");
	is_int(cJSON_GetArraySize(paths), 6, "index: six group versions");
	idx2 = k8c_openapi_v3_index();
	ok(cJSON_Compare(idx, idx2, 1), "index: stable");
	cJSON_Delete(idx2);
	cJSON_Delete(idx);

	/* The core/v1 document. */
	doc = k8c_openapi_v3_document("", "v1");
	ok(doc != NULL, "v3 document of api/v1");
	is_str(cJSON_GetObjectItem(doc, "openapi")->valuestring, "3.0.0", "openapi 3.0.0");
	check_document(doc, "v3 api/v1", 1);
	schemas = cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "components"), "schemas");
	s = cJSON_GetObjectItem(schemas, "io.k8s.api.core.v1.Pod");
	ok(has_gvk(s, "", "v1", "Pod"), "Pod schema has its GVK");
	ok(has_gvk(cJSON_GetObjectItem(schemas, "io.k8s.api.core.v1.PodList"), "", "v1", "PodList"),
	   "PodList schema has its GVK");
	ok(cJSON_GetObjectItem(schemas, "io.k8s.api.policy.v1.Eviction") != NULL &&
	           cJSON_GetObjectItem(schemas, "io.k8s.api.core.v1.Binding") != NULL,
	   "subresource types are in the document");
	ok(cJSON_GetObjectItem(schemas, "io.k8s.api.apps.v1.Deployment") == NULL,
	   "other group versions are not");
	ok(cJSON_GetObjectItem(schemas, "io.k8s.api.core.v1.VolumeSource") == NULL,
	   "embedded structs have no definition");
	{
		const cJSON *spec = cJSON_GetObjectItem(schemas, "io.k8s.api.core.v1.PodSpec");
		const cJSON *cs = cJSON_GetObjectItem(cJSON_GetObjectItem(spec, "properties"), "containers");
		const cJSON *req = cJSON_GetObjectItem(spec, "required"), *r;
		int found = 0;

		is_str(cJSON_GetObjectItem(cs, "x-kubernetes-patch-merge-key")->valuestring, "name",
		       "containers: x-kubernetes-patch-merge-key");
		is_str(cJSON_GetObjectItem(cs, "x-kubernetes-patch-strategy")->valuestring, "merge",
		       "containers: x-kubernetes-patch-strategy");
		is_str(cJSON_GetObjectItem(cs, "x-kubernetes-list-type")->valuestring, "map",
		       "containers: x-kubernetes-list-type");
		is_str(cJSON_GetArrayItem(cJSON_GetObjectItem(cs, "x-kubernetes-list-map-keys"), 0)->valuestring,
		       "name", "containers: x-kubernetes-list-map-keys");
		cJSON_ArrayForEach(r, req) found |= strcmp(r->valuestring, "containers") == 0;
		ok(found, "PodSpec requires containers");
		cs = cJSON_GetObjectItem(cJSON_GetObjectItem(spec, "properties"), "volumes");
		is_str(cJSON_GetObjectItem(cs, "x-kubernetes-patch-strategy")->valuestring,
		       "merge,retainKeys", "volumes: merge,retainKeys");
		cs = cJSON_GetObjectItem(schemas, "io.k8s.apimachinery.pkg.util.intstr.IntOrString");
		ok(cJSON_GetArraySize(cJSON_GetObjectItem(cs, "oneOf")) == 2, "IntOrString: oneOf");
		cs = cJSON_GetObjectItem(schemas, "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector");
		is_str(cJSON_GetObjectItem(cs, "x-kubernetes-map-type") != NULL
		               ? cJSON_GetObjectItem(cs, "x-kubernetes-map-type")->valuestring
		               : NULL,
		       "atomic", "LabelSelector: x-kubernetes-map-type atomic");
		cs = cJSON_GetObjectItem(cJSON_GetObjectItem(spec, "properties"), "nodeSelector");
		is_str(cJSON_GetObjectItem(cs, "x-kubernetes-map-type") != NULL
		               ? cJSON_GetObjectItem(cs, "x-kubernetes-map-type")->valuestring
		               : NULL,
		       "atomic", "nodeSelector: x-kubernetes-map-type atomic");
		cs = cJSON_GetObjectItem(schemas, "io.k8s.apimachinery.pkg.apis.meta.v1.Time");
		is_str(cJSON_GetObjectItem(cs, "format")->valuestring, "date-time", "Time: date-time");
	}
	/* What kubectl explain pods.spec.containers follows. */
	s = prop(doc, s, "spec");
	s = prop(doc, s, "containers");
	ok(s != NULL && cJSON_GetObjectItem(s, "items") != NULL, "explain: pods.spec.containers");
	s = prop(doc, cJSON_GetObjectItem(s, "items"), "image");
	ok(s != NULL && cJSON_IsString(cJSON_GetObjectItem(s, "description")),
	   "explain: pods.spec.containers.image has a description");
	/* What kubectl looks for before sending fieldValidation=Strict. */
	paths = cJSON_GetObjectItem(doc, "paths");
	item = cJSON_GetObjectItem(paths, "/api/v1/namespaces/{namespace}/pods/{name}");
	op = cJSON_GetObjectItem(item, "patch");
	ok(op != NULL && cJSON_IsObject(cJSON_GetObjectItem(op, "x-kubernetes-group-version-kind")),
	   "patch pods has x-kubernetes-group-version-kind");
	is_str(cJSON_GetObjectItem(cJSON_GetObjectItem(op, "x-kubernetes-group-version-kind"), "kind")
	               ->valuestring,
	       "Pod", "of Pod");
	ok(op_has_param(op, "fieldValidation"), "patch pods takes fieldValidation");
	ok(op_has_param(cJSON_GetObjectItem(cJSON_GetObjectItem(paths,
	                                                        "/api/v1/namespaces/{namespace}/pods"),
	                                    "post"),
	                "fieldValidation"),
	   "create pods takes fieldValidation");
	ok(cJSON_GetObjectItem(cJSON_GetObjectItem(paths, "/api/v1/namespaces/{namespace}/pods"), "get") != NULL,
	   "list pods (explain finds the GVK there)");
	ok(cJSON_GetObjectItem(paths, "/api/v1/pods") != NULL, "list pods in all namespaces");
	ok(cJSON_GetObjectItem(paths, "/api/v1/namespaces/{name}") != NULL &&
	           cJSON_GetObjectItem(paths, "/api/v1/namespaces/{namespace}/namespaces") == NULL,
	   "cluster-scoped kinds have no namespace in their path");
	ok(cJSON_GetObjectItem(cJSON_GetObjectItem(paths, "/api/v1/namespaces/{namespace}/pods/{name}/status"),
	                       "patch") != NULL,
	   "pods/status");
	ok(cJSON_GetObjectItem(cJSON_GetObjectItem(paths, "/api/v1/namespaces/{namespace}/pods/{name}/log"),
	                       "get") != NULL,
	   "pods/log");
	{
		const cJSON *b = cJSON_GetObjectItem(cJSON_GetObjectItem(
			paths, "/api/v1/namespaces/{namespace}/pods/{name}/binding"), "post");

		is_str(cJSON_GetObjectItem(cJSON_GetObjectItem(b, "x-kubernetes-group-version-kind"), "kind")
		               ->valuestring,
		       "Binding", "pods/binding posts a Binding");
	}
	cJSON_Delete(doc);

	doc = k8c_openapi_v3_document("apps", "v1");
	check_document(doc, "v3 apis/apps/v1", 1);
	item = cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "paths"),
	                           "/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale");
	op = cJSON_GetObjectItem(item, "patch");
	ok(op != NULL &&
	           strcmp(cJSON_GetObjectItem(cJSON_GetObjectItem(op, "x-kubernetes-group-version-kind"),
	                                      "group")
	                          ->valuestring,
	                  "autoscaling") == 0,
	   "deployments/scale is an autoscaling/v1 Scale");
	ok(has_gvk(cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "components"),
	                                                   "schemas"),
	                               "io.k8s.api.apps.v1.Deployment"),
	           "apps", "v1", "Deployment"),
	   "Deployment schema has its GVK");
	s = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "components"),
	                                                                "schemas"),
	                                            "io.k8s.api.apps.v1.DeploymentSpec"),
	                        "properties");
	is_str(cJSON_GetObjectItem(cJSON_GetObjectItem(s, "strategy"), "x-kubernetes-patch-strategy")
	               ->valuestring,
	       "retainKeys", "DeploymentSpec.strategy: retainKeys");
	cJSON_Delete(doc);

	doc = k8c_openapi_v3_document("rbac.authorization.k8s.io", "v1");
	check_document(doc, "v3 apis/rbac.authorization.k8s.io/v1", 1);
	ok(cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "paths"),
	                       "/apis/rbac.authorization.k8s.io/v1/clusterroles/{name}") != NULL,
	   "cluster-scoped group paths");
	cJSON_Delete(doc);
	ok(k8c_openapi_v3_document("nope.example.com", "v1") == NULL, "unknown group version");

	/* Swagger 2.0. */
	v2 = k8c_openapi_v2_document();
	is_str(cJSON_GetObjectItem(v2, "swagger")->valuestring, "2.0", "swagger 2.0");
	check_document(v2, "v2", 0);
	ok(has_gvk(cJSON_GetObjectItem(cJSON_GetObjectItem(v2, "definitions"),
	                               "io.k8s.api.batch.v1.CronJob"),
	           "batch", "v1", "CronJob"),
	   "v2 has every type, served or not (CronJob)");
	ok(cJSON_GetObjectItem(cJSON_GetObjectItem(v2, "paths"),
	                       "/apis/batch/v1/namespaces/{namespace}/jobs/{name}") != NULL,
	   "v2 paths");
	s = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(v2, "definitions"),
	                                            "io.k8s.api.core.v1.Container"),
	                        "properties");
	ok(cJSON_GetObjectItem(cJSON_GetObjectItem(s, "resources"), "$ref") != NULL,
	   "v2 refers with plain $ref");
	cJSON_Delete(v2);

	/* The hash depends only on the document: same after a re-init. */
	{
		k8c_error_t err;

		k8c_schema_fini();
		k8c_schema_init(&err);
		idx = k8c_openapi_v3_index();
		e = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(idx, "paths"), "api/v1"),
		                        "serverRelativeURL");
		is_str(e != NULL ? e->valuestring : NULL, url1, "the hash is stable across restarts");
		cJSON_Delete(idx);
	}
	free(url1);
}

/* --- protobuf field numbers (pb=N) ------------------------------------------------------ */

static void test_pb_language(void)
{
	static const char text[] =
		"group example.com v3 as ex\n"
		"type Base\n"
		"  id string pb=1 pbzero\n"
		"kind Thing list\n"
		"  meta.TypeMeta\n"
		"  Base pb=7\n"
		"  count int32 pb=2\n"
		"  when time pb=19999999\n"
		"type Row noproto\n"
		"  cells []any\n";
	static const char meta[] =
		"group meta.k8s.io v1 package io.k8s.apimachinery.pkg.apis.meta.v1 as meta\n"
		"type TypeMeta\n  apiVersion string pb=2\n  kind string pb=1\n"
		"type ListMeta\n  resourceVersion string pb=2\n";
	const char *names[] = { "pb.schema", "meta.schema" };
	const char *texts[] = { text, meta };
	const k8c_schema_node_t *t, *n;
	const char *name = "x";
	k8c_error_t err = { 0 };

	is_int(k8c_schema_init_from(names, texts, 2, &err), 0, "pb=, pbzero and noproto parse");
	if (err.message[0] != '\0')
		diag("%s", err.message);
	t = k8c_schema_type("io.k8s.api.example.v3.Thing");
	n = k8c_schema_pb_field(t, 2, &name);
	ok(n == k8c_schema_field(t, "count") && name != NULL && strcmp(name, "count") == 0,
	   "pb_field finds a field by number");
	is_int(k8c_schema_pb_number(n), 2, "pb_number");
	ok(!k8c_schema_pb_keep_zero(n), "without pbzero a zero is dropped");
	n = k8c_schema_pb_field(t, 7, &name);
	ok(n != NULL && name == NULL && k8c_schema_kind(n) == K8C_SCHEMA_OBJECT &&
	           strcmp(k8c_schema_name(n), "io.k8s.api.example.v3.Base") == 0,
	   "an embedded struct with pb= is an entry without a name");
	ok(k8c_schema_pb_keep_zero(k8c_schema_pb_field(n, 1, NULL)), "pbzero");
	ok(k8c_schema_pb_field(t, 1, NULL) == NULL, "an embedded struct's fields have no number in "
	                                            "the embedding type");
	ok(k8c_schema_pb_field(t, 19999999, NULL) == k8c_schema_field(t, "when"), "large numbers");
	ok(k8c_schema_pb_field(t, 3, NULL) == NULL, "an unknown number");
	ok(k8c_schema_has_proto(t) && !k8c_schema_has_proto(k8c_schema_type("io.k8s.api.example.v3.Row")),
	   "noproto");
	t = k8c_schema_type("io.k8s.api.example.v3.ThingList");
	is_int(k8c_schema_pb_number(k8c_schema_field(t, "metadata")), 1, "XList.metadata is 1");
	is_int(k8c_schema_pb_number(k8c_schema_field(t, "items")), 2, "XList.items is 2");
	is_int(k8c_schema_format(k8c_schema_field(k8c_schema_type("io.k8s.api.example.v3.Thing"),
	                                          "count")),
	       K8C_SCHEMA_FORMAT_INT32, "format");
	k8c_schema_fini();

	parse_error("group g v1\ntype A\n  b string pb=0\n",
	            "bad.schema:3: bad protobuf field number \"0\"", "pb=0");
	parse_error("group g v1\ntype A\n  b string pb=x1\n",
	            "bad.schema:3: bad protobuf field number \"x1\"", "pb= not a number");
	parse_error("group g v1\ntype A\n  b string pb=536870912\n",
	            "bad.schema:3: bad protobuf field number", "pb= past 2^29-1");
	parse_error("group g v1\ntype A\n  b string pb=19500\n",
	            "bad.schema:3: bad protobuf field number", "pb= in the reserved range");
	parse_error("group g v1\ntype A\n  b string pb=1 pb=2\n", "bad.schema:3: pb= given twice",
	            "pb= twice");
	parse_error("group g v1\ntype A\n  b string pb=1\n  c int32 pb=1\n",
	            "bad.schema:4: A: protobuf field 1 is already used by b (line 3)",
	            "a number used twice");
	parse_error("group g v1\ntype A\n  B pb=1\n  c int32 pb=1\ntype B\n  x string pb=1\n",
	            "bad.schema:4: A: protobuf field 1 is already used by B", "an embed's number reused");
	parse_error("group g v1\ntype A\n  b B pbzero\ntype B\n  x string\n",
	            "bad.schema:3: A.b: pbzero applies to strings, numbers and booleans",
	            "pbzero on a struct");
	parse_error("group g v1\ntype A\n  B pb=1 atomic\ntype B\n  x string\n",
	            "bad.schema:3: an embedded type takes pb=N only", "other flags on an embed");
}

/* Every field of every type that has a protobuf encoding carries a number
 * (embedded structs too, but TypeMeta, which travels in the envelope), and
 * no type reachable from a served kind lacks an encoding.  Returns the
 * first problem or NULL. */
static const char *pb_reach(const struct schema_type *t, int depth, char *buf, size_t len)
{
	if (depth > 40)
		return NULL;
	if (t->noproto) {
		snprintf(buf, len, "%s is reachable but has no protobuf encoding", t->name);
		return buf;
	}
	for (size_t i = 0; i < t->n_fields; i++) {
		const k8c_schema_node_t *n = t->fields[i].node;
		const char *bad;

		while (n->items != NULL && (n->kind == K8C_SCHEMA_ARRAY || n->kind == K8C_SCHEMA_MAP))
			n = n->items;
		if (n->kind == K8C_SCHEMA_OBJECT && n->type != NULL && n->type != t &&
		    (bad = pb_reach(n->type, depth + 1, buf, len)) != NULL)
			return bad;
	}
	return NULL;
}

static void test_pb_builtin(void)
{
	/* The schema types of the served kinds (core/apiserver/kinds/) and of
	 * the bodies their subresources take. */
	static const char *const served[] = {
		"io.k8s.api.core.v1.Pod", "io.k8s.api.core.v1.Namespace",
		"io.k8s.api.core.v1.Service", "io.k8s.api.core.v1.ConfigMap",
		"io.k8s.api.core.v1.Secret", "io.k8s.api.core.v1.ServiceAccount",
		"io.k8s.api.core.v1.Endpoints", "io.k8s.api.core.v1.Event", "io.k8s.api.core.v1.Node",
		"io.k8s.api.core.v1.PersistentVolume", "io.k8s.api.core.v1.PersistentVolumeClaim",
		"io.k8s.api.core.v1.Binding", "io.k8s.api.apps.v1.Deployment",
		"io.k8s.api.apps.v1.ReplicaSet", "io.k8s.api.apps.v1.StatefulSet",
		"io.k8s.api.apps.v1.DaemonSet", "io.k8s.api.apps.v1.ControllerRevision",
		"io.k8s.api.batch.v1.Job", "io.k8s.api.batch.v1.CronJob",
		"io.k8s.api.coordination.v1.Lease", "io.k8s.api.discovery.v1.EndpointSlice",
		"io.k8s.api.events.v1.Event", "io.k8s.api.rbac.v1.Role", "io.k8s.api.rbac.v1.ClusterRole",
		"io.k8s.api.rbac.v1.RoleBinding", "io.k8s.api.rbac.v1.ClusterRoleBinding",
		"io.k8s.api.scheduling.v1.PriorityClass",
		"io.k8s.api.autoscaling.v1.Scale", "io.k8s.api.policy.v1.Eviction",
		"io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions",
		"io.k8s.apimachinery.pkg.apis.meta.v1.Status",
	};
	static const struct {
		const char *type, *field;
		unsigned pb;
		int keep_zero;
	} spots[] = {
		{ "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", "managedFields", 17, 0 },
		{ "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", "creationTimestamp", 8, 0 },
		{ "io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference", "apiVersion", 5, 1 },
		{ "io.k8s.api.core.v1.PodSpec", "ephemeralContainers", 34, 0 },
		{ "io.k8s.api.core.v1.PodSpec", "resources", 40, 0 },
		{ "io.k8s.api.core.v1.PodSpec", "priority", 25, 1 },
		{ "io.k8s.api.core.v1.Container", "envFrom", 19, 0 },
		{ "io.k8s.api.core.v1.ServiceSpec", "trafficDistribution", 23, 1 },
		{ "io.k8s.api.core.v1.ServicePort", "port", 3, 1 },
		{ "io.k8s.api.core.v1.ServicePort", "nodePort", 5, 0 },
		{ "io.k8s.api.core.v1.NamespaceCondition", "lastTransitionTime", 4, 0 },
		{ "io.k8s.api.core.v1.ISCSIVolumeSource", "chapAuthSession", 11, 0 },
		{ "io.k8s.api.apps.v1.DeploymentSpec", "replicas", 1, 1 },
		{ "io.k8s.api.apps.v1.DeploymentSpec", "minReadySeconds", 5, 0 },
		{ "io.k8s.api.apps.v1.DeploymentSpec", "progressDeadlineSeconds", 9, 1 },
		{ "io.k8s.api.batch.v1.JobSpec", "successPolicy", 16, 0 },
		{ "io.k8s.api.batch.v1.CronJobSpec", "timeZone", 8, 1 },
		{ "io.k8s.api.rbac.v1.Subject", "apiGroup", 2, 0 },
		{ "io.k8s.api.discovery.v1.EndpointSlice", "addressType", 4, 1 },
		{ "io.k8s.api.events.v1.Event", "deprecatedCount", 15, 0 },
		{ "io.k8s.api.scheduling.v1.PriorityClass", "value", 2, 1 },
		{ "io.k8s.api.scheduling.v1.PriorityClass", "globalDefault", 3, 0 },
		{ "io.k8s.api.scheduling.v1.PriorityClass", "preemptionPolicy", 5, 1 },
	};
	const struct schema_state *st;
	const k8c_schema_node_t *n;
	const char *name, *bad = NULL;
	char buf[300], what[200];
	size_t unnumbered = 0;
	k8c_error_t err;

	if (k8c_schema_init(&err) < 0) {
		ok(0, "the built-in schema parses: %s", err.message);
		return;
	}
	st = k8c_schema_state;
	for (const struct schema_type *t = st->types; t != NULL; t = t->next) {
		if (t->is_alias || t->noproto)
			continue;
		for (size_t i = 0; i < t->n_raw; i++) {
			const struct schema_field *r = &t->raw[i];

			if (r->node->pb != 0 || (r->name == NULL && strcmp(r->node->type->short_name, "TypeMeta") == 0))
				continue;
			if (unnumbered++ == 0)
				snprintf(buf, sizeof(buf), "%s:%d: %s.%s", r->file, r->line, t->short_name,
				         r->name != NULL ? r->name : r->node->type->short_name);
		}
	}
	ok(unnumbered == 0, "every field of every type with protobuf has a number (pb=N)");
	if (unnumbered != 0)
		diag("%zu without a number, the first %s", unnumbered, buf);
	for (size_t i = 0; i < sizeof(served) / sizeof(served[0]); i++) {
		const struct schema_type *t = k8c_schema_lookup(st, served[i]);

		if (t == NULL) {
			bad = served[i];
			break;
		}
		if ((bad = pb_reach(t, 0, buf, sizeof(buf))) != NULL)
			break;
	}
	ok(bad == NULL, "every type reachable from a served kind has protobuf");
	if (bad != NULL)
		diag("%s", bad);
	for (size_t i = 0; i < sizeof(spots) / sizeof(spots[0]); i++) {
		n = k8c_schema_field(k8c_schema_type(spots[i].type), spots[i].field);
		snprintf(what, sizeof(what), "%s.%s is pb=%u%s", strrchr(spots[i].type, '.') + 1,
		         spots[i].field, spots[i].pb, spots[i].keep_zero ? " pbzero" : "");
		ok(n != NULL && k8c_schema_pb_number(n) == spots[i].pb &&
		           k8c_schema_pb_keep_zero(n) == spots[i].keep_zero,
		   "%s", what);
	}
	n = k8c_schema_pb_field(k8c_schema_type("io.k8s.api.core.v1.Volume"), 2, &name);
	ok(n != NULL && name == NULL && strcmp(k8c_schema_name(n), "io.k8s.api.core.v1.VolumeSource") == 0,
	   "Volume embeds VolumeSource as field 2");
	n = k8c_schema_pb_field(k8c_schema_type("io.k8s.api.core.v1.Probe"), 1, &name);
	ok(n != NULL && name == NULL && strcmp(k8c_schema_name(n), "io.k8s.api.core.v1.ProbeHandler") == 0,
	   "Probe embeds ProbeHandler as field 1");
	n = k8c_schema_pb_field(k8c_schema_type("io.k8s.api.core.v1.PersistentVolumeSpec"), 2, &name);
	ok(n != NULL && name == NULL, "PersistentVolumeSpec embeds PersistentVolumeSource as field 2");
	ok(!k8c_schema_has_proto(k8c_schema_type("io.k8s.apimachinery.pkg.apis.meta.v1.Table")),
	   "Table has no protobuf");
	k8c_schema_fini();
}

int main(void)
{
	test_language();
	test_builtin();
	decode_manifests();
	test_unknown_and_null();
	test_type_errors();
	test_openapi();
	k8c_schema_fini();
	test_pb_language();
	test_pb_builtin();
	return done_testing();
}
