/* The non-core kinds (core/apiserver/kinds/groups.h): discovery names,
 * Kubernetes' defaults on real manifests, validation errors with their
 * exact paths and messages (create, update, status), Table rows and field
 * selectors.  Manifests are written with ' for " to stay readable. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "apiserver/field_errors.h"
#include "apiserver/kind.h"
#include "apiserver/kinds/groups.h"
#include "apiserver/kinds/util.h"
#include "common/mem.h"
#include "tap.h"

#define NOW 1735689600LL /* 2025-01-01T00:00:00Z */

static cJSON *J(const char *s)
{
	char *t = k8c_xstrdup(s);
	cJSON *j;

	for (char *c = t; *c; c++)
		if (*c == '\'')
			*c = '"';
	j = cJSON_Parse(t);
	if (j == NULL) {
		diag("bad JSON: %s", t);
		abort();
	}
	free(t);
	return j;
}

/* "field: message" lines. */
static char *errs_text(const k8c_field_errors_t *errs)
{
	size_t len = 1;
	char *out;

	for (size_t i = 0; i < errs->n; i++) {
		char *m = k8c_field_error_message(&errs->items[i]);
		len += strlen(errs->items[i].field) + strlen(m) + 3;
		free(m);
	}
	out = k8c_xcalloc(len, 1);
	for (size_t i = 0; i < errs->n; i++) {
		char *m = k8c_field_error_message(&errs->items[i]);
		if (i > 0)
			strcat(out, "\n");
		strcat(out, errs->items[i].field);
		strcat(out, ": ");
		strcat(out, m);
		free(m);
	}
	return out;
}

/* defaults, prepare, validate as the API server runs them; errors text. */
static char *run(const k8c_kind_t *k, int op, cJSON *obj, const cJSON *old)
{
	k8c_field_errors_t errs = K8C_FIELD_ERRORS_INIT;
	char *s;

	if (k->defaults != NULL)
		k->defaults(obj);
	if (k->prepare != NULL)
		k->prepare(op, obj, old);
	if (k->validate != NULL)
		k->validate(op, obj, old, &errs);
	s = errs_text(&errs);
	k8c_field_errors_free(&errs);
	return s;
}

static void check_create(const k8c_kind_t *k, const char *json, const char *want, const char *what)
{
	cJSON *obj = J(json);
	char *got = run(k, K8C_OP_CREATE, obj, NULL);

	is_str(got, want, "%s %s", k->resource, what);
	free(got);
	cJSON_Delete(obj);
}

/* Create old (defaulted and prepared), then update to json. */
static void check_update(const k8c_kind_t *k, const char *old_json, const char *json,
                         const char *want, const char *what)
{
	cJSON *old = J(old_json), *obj = J(json);
	char *got = run(k, K8C_OP_CREATE, old, NULL);

	free(got);
	got = run(k, K8C_OP_UPDATE, obj, old);
	is_str(got, want, "%s update: %s", k->resource, what);
	free(got);
	cJSON_Delete(obj);
	cJSON_Delete(old);
}

static void check_row(const k8c_kind_t *k, const char *json, const char *want)
{
	cJSON *obj = J(json), *cells = cJSON_CreateArray();
	char *got;

	k->row(obj, cells, NOW);
	is_int(cJSON_GetArraySize(cells), k->n_columns, "%s row has one cell per column", k->resource);
	got = cJSON_PrintUnformatted(cells);
	is_str(got, want, "%s row", k->resource);
	free(got);
	cJSON_Delete(cells);
	cJSON_Delete(obj);
}

static char *dump(const cJSON *obj, const char *path)
{
	const cJSON *v = k8c_jget(obj, path);

	return v ? cJSON_PrintUnformatted(v) : k8c_xstrdup("(absent)");
}

static void is_json(const cJSON *obj, const char *path, const char *want)
{
	char *got = dump(obj, path);
	char *w = k8c_xstrdup(want);

	for (char *c = w; *c; c++)
		if (*c == '\'')
			*c = '"';
	is_str(got, w, "%s = %s", path, want);
	free(got);
	free(w);
}

/* ------------------------------------------------------------------------ */

static const char *join(const char *const *list)
{
	static char buf[256];

	buf[0] = '\0';
	for (; list != NULL && *list != NULL; list++) {
		strcat(buf, *list);
		strcat(buf, list[1] ? "," : "");
	}
	return buf;
}

static void test_discovery(void)
{
	static const struct {
		const k8c_kind_t *k;
		const char *group, *resource, *singular, *kind, *shorts, *cats, *schema;
		int namespaced;
		unsigned subs;
	} want[] = {
		{&k8c_kind_deployments, "apps", "deployments", "deployment", "Deployment", "deploy", "all",
		 "io.k8s.api.apps.v1.Deployment", 1, K8C_SUB_STATUS | K8C_SUB_SCALE},
		{&k8c_kind_replicasets, "apps", "replicasets", "replicaset", "ReplicaSet", "rs", "all",
		 "io.k8s.api.apps.v1.ReplicaSet", 1, K8C_SUB_STATUS | K8C_SUB_SCALE},
		{&k8c_kind_statefulsets, "apps", "statefulsets", "statefulset", "StatefulSet", "sts", "all",
		 "io.k8s.api.apps.v1.StatefulSet", 1, K8C_SUB_STATUS | K8C_SUB_SCALE},
		{&k8c_kind_daemonsets, "apps", "daemonsets", "daemonset", "DaemonSet", "ds", "all",
		 "io.k8s.api.apps.v1.DaemonSet", 1, K8C_SUB_STATUS},
		{&k8c_kind_controllerrevisions, "apps", "controllerrevisions", "controllerrevision",
		 "ControllerRevision", "", "", "io.k8s.api.apps.v1.ControllerRevision", 1, 0},
		{&k8c_kind_jobs, "batch", "jobs", "job", "Job", "", "all", "io.k8s.api.batch.v1.Job", 1,
		 K8C_SUB_STATUS},
		{&k8c_kind_cronjobs, "batch", "cronjobs", "cronjob", "CronJob", "cj", "all",
		 "io.k8s.api.batch.v1.CronJob", 1, K8C_SUB_STATUS},
		{&k8c_kind_leases, "coordination.k8s.io", "leases", "lease", "Lease", "", "",
		 "io.k8s.api.coordination.v1.Lease", 1, 0},
		{&k8c_kind_endpointslices, "discovery.k8s.io", "endpointslices", "endpointslice",
		 "EndpointSlice", "", "", "io.k8s.api.discovery.v1.EndpointSlice", 1, 0},
		{&k8c_kind_roles, "rbac.authorization.k8s.io", "roles", "role", "Role", "", "",
		 "io.k8s.api.rbac.v1.Role", 1, 0},
		{&k8c_kind_rolebindings, "rbac.authorization.k8s.io", "rolebindings", "rolebinding",
		 "RoleBinding", "", "", "io.k8s.api.rbac.v1.RoleBinding", 1, 0},
		{&k8c_kind_clusterroles, "rbac.authorization.k8s.io", "clusterroles", "clusterrole",
		 "ClusterRole", "", "", "io.k8s.api.rbac.v1.ClusterRole", 0, 0},
		{&k8c_kind_clusterrolebindings, "rbac.authorization.k8s.io", "clusterrolebindings",
		 "clusterrolebinding", "ClusterRoleBinding", "", "", "io.k8s.api.rbac.v1.ClusterRoleBinding",
		 0, 0},
		{&k8c_kind_events_events_k8s_io, "events.k8s.io", "events", "event", "Event", "ev", "",
		 "io.k8s.api.events.v1.Event", 1, 0},
		{&k8c_kind_priorityclasses, "scheduling.k8s.io", "priorityclasses", "priorityclass",
		 "PriorityClass", "pc", "", "io.k8s.api.scheduling.v1.PriorityClass", 0, 0},
	};

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const k8c_kind_t *k = want[i].k;
		ok(strcmp(k->group, want[i].group) == 0 && strcmp(k->version, "v1") == 0 &&
		           strcmp(k->resource, want[i].resource) == 0 &&
		           strcmp(k->singular, want[i].singular) == 0 && strcmp(k->kind, want[i].kind) == 0 &&
		           k->namespaced == want[i].namespaced && k->verbs == K8C_VERBS_ALL &&
		           k->subresources == want[i].subs && strcmp(k->schema_type, want[i].schema) == 0,
		   "%s: names, verbs, subresources, schema", want[i].resource);
		is_str(join(k->short_names), want[i].shorts, "%s short names", want[i].resource);
		is_str(join(k->categories), want[i].cats, "%s categories", want[i].resource);
		ok(k->columns != NULL && k->n_columns > 0 && k->row != NULL, "%s has a Table", want[i].resource);
	}
	for (size_t i = 0; i < 3; i++) {
		const k8c_kind_t *k = want[i].k;
		ok(strcmp(k->scale_spec_replicas, "spec.replicas") == 0 &&
		           strcmp(k->scale_status_replicas, "status.replicas") == 0 &&
		           strcmp(k->scale_selector, "spec.selector") == 0,
		   "%s scale paths", k->resource);
	}
	ok(k8c_kind_deployments.has_status && k8c_kind_deployments.has_generation &&
	           k8c_kind_jobs.has_generation && k8c_kind_endpointslices.has_generation &&
	           !k8c_kind_leases.has_generation && !k8c_kind_roles.has_status,
	   "status and generation strategies");
	is_str(k8c_kind_deployments.columns[2].name, "Up-to-date", "deployment column names as Kubernetes' Table");
	is_int(k8c_kind_deployments.columns[5].priority, 1, "CONTAINERS only with -o wide");
	is_str(k8c_kind_roles.columns[1].type, "date", "roles: Created At is a date");
}

#define DEPLOY_META "'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web','namespace':'default','uid':'u1','creationTimestamp':'2024-12-31T23:00:00Z'}"
#define WEB_TEMPLATE "'template':{'metadata':{'labels':{'app':'web'}},'spec':{'containers':[{'name':'nginx','image':'nginx:1.27'}]}}"
#define WEB_SELECTOR "'selector':{'matchLabels':{'app':'web'}}"

static void test_deployments(void)
{
	const k8c_kind_t *k = &k8c_kind_deployments;
	cJSON *d = J("{" DEPLOY_META ",'spec':{" WEB_SELECTOR "," WEB_TEMPLATE "},'status':{'replicas':9}}");
	char *errs = run(k, K8C_OP_CREATE, d, NULL);

	is_str(errs, "", "deployment: a real manifest is valid");
	is_json(d, "spec.replicas", "1");
	is_json(d, "spec.strategy", "{'type':'RollingUpdate','rollingUpdate':{'maxUnavailable':'25%','maxSurge':'25%'}}");
	is_json(d, "spec.revisionHistoryLimit", "10");
	is_json(d, "spec.progressDeadlineSeconds", "600");
	is_json(d, "status", "{}");
	is_json(d, "spec.template.spec.restartPolicy", "'Always'"); /* the core kinds' pod defaults */
	free(errs);
	cJSON_Delete(d);
	check_create(k, "{" DEPLOY_META ",'spec':{" WEB_SELECTOR ",'template':{'metadata':{'labels':{'app':'web'}},"
	             "'spec':{'containers':[{'name':'nginx'}]}}}}",
	             "spec.template.spec.containers[0].image: Required value",
	             "the pod template is validated by the core kinds");

	d = J("{" DEPLOY_META ",'spec':{'strategy':{'type':'Recreate'}," WEB_SELECTOR "," WEB_TEMPLATE "}}");
	errs = run(k, K8C_OP_CREATE, d, NULL);
	is_json(d, "spec.strategy", "{'type':'Recreate'}");
	is_str(errs, "", "Recreate gets no rollingUpdate");
	free(errs);
	cJSON_Delete(d);

	check_create(k, "{" DEPLOY_META ",'spec':{" WEB_TEMPLATE "}}",
	             "spec.selector: Required value\n"
	             "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"web\"}: "
	             "`selector` does not match template `labels`",
	             "without a selector");
	check_create(k, "{" DEPLOY_META ",'spec':{'selector':{'matchLabels':{'app':'db'}}," WEB_TEMPLATE "}}",
	             "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"web\"}: "
	             "`selector` does not match template `labels`",
	             "selector not matching the template");
	check_create(k, "{" DEPLOY_META ",'spec':{'replicas':-1,'minReadySeconds':700,'revisionHistoryLimit':-2,"
	             "'strategy':{'rollingUpdate':{'maxUnavailable':0,'maxSurge':0}}," WEB_SELECTOR "," WEB_TEMPLATE "}}",
	             "spec.replicas: Invalid value: -1: must be greater than or equal to 0\n"
	             "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:0, "
	             "IntVal:0, StrVal:\"\"}: may not be 0 when `maxSurge` is 0\n"
	             "spec.revisionHistoryLimit: Invalid value: -2: must be greater than or equal to 0\n"
	             "spec.progressDeadlineSeconds: Invalid value: 600: must be greater than minReadySeconds",
	             "numbers and strategy");
	check_create(k, "{" DEPLOY_META ",'spec':{'strategy':{'rollingUpdate':{'maxUnavailable':'110%','maxSurge':'x'}},"
	             WEB_SELECTOR "," WEB_TEMPLATE "}}",
	             "spec.strategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:1, IntVal:0, "
	             "StrVal:\"x\"}: a valid percent string must be a numeric string followed by an ending '%' "
	             "(e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')\n"
	             "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, "
	             "IntVal:0, StrVal:\"110%\"}: must not be greater than 100%",
	             "percentages");
	check_create(k, "{" DEPLOY_META ",'spec':{'strategy':{'type':'Foo'}," WEB_SELECTOR "," WEB_TEMPLATE "}}",
	             "spec.strategy: Unsupported value: apps.DeploymentStrategy{Type:\"Foo\", "
	             "RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}: supported values: \"Recreate\", "
	             "\"RollingUpdate\"",
	             "unknown strategy");
	check_create(k, "{" DEPLOY_META ",'spec':{'strategy':{'type':'Recreate','rollingUpdate':{}}," WEB_SELECTOR
	             "," WEB_TEMPLATE "}}",
	             "spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'",
	             "Recreate with rollingUpdate");
	check_create(k, "{" DEPLOY_META ",'spec':{" WEB_SELECTOR ",'template':{'metadata':{'labels':{'app':'web'}},"
	             "'spec':{'restartPolicy':'OnFailure','activeDeadlineSeconds':5,'containers':[{'name':'c','image':'i'}]}}}}",
	             "spec.template.spec.restartPolicy: Unsupported value: \"OnFailure\": supported values: \"Always\"\n"
	             "spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in ReplicaSet is not "
	             "Supported",
	             "template restart policy and deadline");
	check_create(k, "{" DEPLOY_META ",'spec':{'selector':{'matchLabels':{'app':'web'},'matchExpressions':"
	             "[{'key':'tier','operator':'Foo'}]}," WEB_TEMPLATE "}}",
	             "spec.selector.matchExpressions[0].operator: Invalid value: \"Foo\": not a valid selector operator\n"
	             "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"web\"}, "
	             "MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:\"tier\", "
	             "Operator:\"Foo\", Values:[]string(nil)}}}: invalid label selector",
	             "bad selector operator");
	check_create(k, "{" DEPLOY_META ",'spec':{'selector':{'matchLabels':{'app':'web'}},'template':{'metadata':"
	             "{'labels':{'app':'web','bad key':'x'}},'spec':{'containers':[{'name':'c','image':'i'}]}}}}",
	             "spec.template.labels: Invalid value: \"bad key\": name part must consist of alphanumeric "
	             "characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. "
	             "'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
	             "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
	             "template label keys");

	check_update(k, "{" DEPLOY_META ",'spec':{" WEB_SELECTOR "," WEB_TEMPLATE "}}",
	             "{" DEPLOY_META ",'spec':{'selector':{'matchLabels':{'app':'web2'}},'template':{'metadata':"
	             "{'labels':{'app':'web2'}},'spec':{'containers':[{'name':'c','image':'i'}]}}}}",
	             "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"web2\"}, "
	             "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable",
	             "selector is immutable");
	check_update(k, "{" DEPLOY_META ",'spec':{" WEB_SELECTOR "," WEB_TEMPLATE "}}",
	             "{" DEPLOY_META ",'spec':{'replicas':5," WEB_SELECTOR "," WEB_TEMPLATE "}}", "", "scaling");

	{
		cJSON *old = J("{'metadata':{'name':'web','generation':4}}");
		cJSON *now = J("{'metadata':{'name':'web','generation':4,'annotations':{'a':'b'}}}");
		k->prepare(K8C_OP_UPDATE, now, old);
		is_int(k8c_jint(now, "metadata.generation", 0), 5, "annotation changes bump the generation");
		cJSON_Delete(old);
		cJSON_Delete(now);
	}
	{
		cJSON *old = J("{'status':{'replicas':3,'collisionCount':2}}");
		cJSON *now = J("{'status':{'replicas':3,'readyReplicas':4,'availableReplicas':2,'collisionCount':1}}");
		k8c_field_errors_t e = K8C_FIELD_ERRORS_INIT;
		k->validate(K8C_OP_STATUS_UPDATE, now, old, &e);
		errs = errs_text(&e);
		is_str(errs, "status.readyReplicas: Invalid value: 4: cannot be greater than status.replicas\n"
		             "status.collisionCount: Invalid value: 1: cannot be decremented",
		       "deployment status update");
		free(errs);
		k8c_field_errors_free(&e);
		cJSON_Delete(old);
		cJSON_Delete(now);
	}
	check_row(k, "{" DEPLOY_META ",'spec':{'replicas':3," WEB_SELECTOR "," WEB_TEMPLATE "},"
	          "'status':{'readyReplicas':2,'updatedReplicas':3,'availableReplicas':2}}",
	          "[\"web\",\"2/3\",3,2,\"60m\",\"nginx\",\"nginx:1.27\",\"app=web\"]");
}

#define RS_META "'metadata':{'name':'rs1','namespace':'default','creationTimestamp':'2024-12-31T23:55:00Z'}"

static void test_replicasets(void)
{
	const k8c_kind_t *k = &k8c_kind_replicasets;
	cJSON *rs = J("{" RS_META ",'spec':{" WEB_SELECTOR "," WEB_TEMPLATE "}}");
	char *errs = run(k, K8C_OP_CREATE, rs, NULL);

	is_str(errs, "", "replicaset valid");
	is_json(rs, "spec.replicas", "1");
	free(errs);
	cJSON_Delete(rs);
	check_create(k, "{" RS_META ",'spec':{'selector':{}," WEB_TEMPLATE "}}",
	             "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), "
	             "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment",
	             "empty selector");
	check_create(k, "{" RS_META ",'spec':{'replicas':-3,'minReadySeconds':-1," WEB_SELECTOR "," WEB_TEMPLATE "}}",
	             "spec.replicas: Invalid value: -3: must be greater than or equal to 0\n"
	             "spec.minReadySeconds: Invalid value: -1: must be greater than or equal to 0",
	             "negative counts");
	check_update(k, "{" RS_META ",'spec':{" WEB_SELECTOR "," WEB_TEMPLATE "}}",
	             "{" RS_META ",'spec':{'selector':{'matchLabels':{'app':'web'},'matchExpressions':[{'key':'x',"
	             "'operator':'Exists'}]}," WEB_TEMPLATE "}}",
	             "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"web\"}: `selector` does "
	             "not match template `labels`\n"
	             "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"web\"}, "
	             "MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:\"x\", "
	             "Operator:\"Exists\", Values:[]string(nil)}}}: field is immutable",
	             "selector change");
	check_row(k, "{" RS_META ",'spec':{'replicas':3,'selector':{'matchLabels':{'app':'web'},'matchExpressions':"
	          "[{'key':'tier','operator':'In','values':['b','a']}]}," WEB_TEMPLATE "},"
	          "'status':{'replicas':2,'readyReplicas':1}}",
	          "[\"rs1\",3,2,1,\"5m\",\"nginx\",\"nginx:1.27\",\"app=web,tier in (a,b)\"]");
}

#define STS_META "'metadata':{'name':'db','namespace':'default','creationTimestamp':'2024-12-31T23:58:00Z'}"
#define STS_SPEC "'serviceName':'db'," WEB_SELECTOR "," WEB_TEMPLATE

static void test_statefulsets(void)
{
	const k8c_kind_t *k = &k8c_kind_statefulsets;
	cJSON *s = J("{" STS_META ",'spec':{" STS_SPEC ",'volumeClaimTemplates':[{'metadata':{'name':'data'},"
	             "'spec':{'accessModes':['ReadWriteOnce'],'resources':{'requests':{'storage':'1Gi'}}}}]}}");
	char *errs = run(k, K8C_OP_CREATE, s, NULL);

	is_str(errs, "", "statefulset valid");
	is_json(s, "spec.podManagementPolicy", "'OrderedReady'");
	is_json(s, "spec.updateStrategy", "{'type':'RollingUpdate','rollingUpdate':{'partition':0}}");
	is_json(s, "spec.persistentVolumeClaimRetentionPolicy", "{'whenDeleted':'Retain','whenScaled':'Retain'}");
	is_json(s, "spec.replicas", "1");
	is_json(s, "spec.revisionHistoryLimit", "10");
	is_json(s, "spec.volumeClaimTemplates",
	        "[{'metadata':{'name':'data'},'spec':{'accessModes':['ReadWriteOnce'],'resources':{'requests':"
	        "{'storage':'1Gi'}},'volumeMode':'Filesystem'},'apiVersion':'v1','kind':'PersistentVolumeClaim',"
	        "'status':{'phase':'Pending'}}]");
	free(errs);
	cJSON_Delete(s);

	s = J("{" STS_META ",'spec':{'updateStrategy':{'rollingUpdate':{'maxUnavailable':2}}," STS_SPEC "}}");
	errs = run(k, K8C_OP_CREATE, s, NULL);
	is_json(s, "spec.updateStrategy", "{'rollingUpdate':{'partition':0},'type':'RollingUpdate'}");
	is_str(errs, "", "maxUnavailable is dropped (feature gate off)");
	free(errs);
	cJSON_Delete(s);

	check_create(k, "{'metadata':{'name':'db.v1'},'spec':{" STS_SPEC "}}",
	             "metadata.name: Invalid value: \"db.v1\": must not contain dots", "name is a DNS label");
	check_create(k, "{" STS_META ",'spec':{'podManagementPolicy':'Random','updateStrategy':{'type':'OnDelete',"
	             "'rollingUpdate':{'partition':2}},'persistentVolumeClaimRetentionPolicy':{'whenScaled':'Keep'},"
	             "'replicas':-1,'ordinals':{'start':-1}," STS_SPEC "}}",
	             "spec.podManagementPolicy: Invalid value: \"Random\": must be 'OrderedReady' or 'Parallel'\n"
	             "spec.updateStrategy.rollingUpdate: Invalid value: apps.RollingUpdateStatefulSetStrategy{"
	             "Partition:2, MaxUnavailable:(*intstr.IntOrString)(nil)}: only allowed for updateStrategy "
	             "'RollingUpdate'\n"
	             "spec.persistentVolumeClaimRetentionPolicy.whenScaled: Unsupported value: \"Keep\": supported "
	             "values: \"Retain\", \"Delete\"\n"
	             "spec.replicas: Invalid value: -1: must be greater than or equal to 0\n"
	             "spec.ordinals.start: Invalid value: -1: must be greater than or equal to 0",
	             "policies");
	check_create(k, "{" STS_META ",'spec':{'selector':{}," WEB_TEMPLATE "}}",
	             "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), "
	             "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for statefulset",
	             "empty selector");
	check_update(k, "{" STS_META ",'spec':{" STS_SPEC "}}",
	             "{" STS_META ",'spec':{'replicas':4,'minReadySeconds':3,'updateStrategy':{'type':'OnDelete'},"
	             STS_SPEC "}}", "", "replicas, minReadySeconds and updateStrategy may change");
	check_update(k, "{" STS_META ",'spec':{" STS_SPEC "}}",
	             "{" STS_META ",'spec':{'serviceName':'other'," WEB_SELECTOR "," WEB_TEMPLATE "}}",
	             "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', "
	             "'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' "
	             "are forbidden",
	             "serviceName is fixed");
	check_row(k, "{" STS_META ",'spec':{'replicas':3," STS_SPEC "},'status':{'readyReplicas':1}}",
	          "[\"db\",\"1/3\",\"2m\",\"nginx\",\"nginx:1.27\"]");
}

#define DS_META "'metadata':{'name':'agent','namespace':'kube-system','creationTimestamp':'2024-12-01T00:00:00Z'}"
#define DS_TEMPLATE "'template':{'metadata':{'labels':{'app':'agent'}},'spec':{'nodeSelector':{'kubernetes.io/os':'linux'},'containers':[{'name':'a','image':'agent:1'}]}}"

static void test_daemonsets(void)
{
	const k8c_kind_t *k = &k8c_kind_daemonsets;
	cJSON *old = J("{" DS_META ",'spec':{'selector':{'matchLabels':{'app':'agent'}}," DS_TEMPLATE "}}");
	cJSON *now;
	char *errs = run(k, K8C_OP_CREATE, old, NULL);

	is_str(errs, "", "daemonset valid");
	is_json(old, "spec.updateStrategy", "{'type':'RollingUpdate','rollingUpdate':{'maxUnavailable':1,'maxSurge':0}}");
	is_json(old, "spec.revisionHistoryLimit", "10");
	is_json(old, "metadata.annotations", "{'deprecated.daemonset.template.generation':'1'}");
	free(errs);
	now = cJSON_Duplicate(old, 1);
	cJSON_ReplaceItemInObject((cJSON *)k8c_jget(now, "spec"), "revisionHistoryLimit", cJSON_CreateNumber(3));
	free(run(k, K8C_OP_UPDATE, now, old));
	is_json(now, "metadata.annotations", "{'deprecated.daemonset.template.generation':'1'}");
	cJSON_Delete(now);
	now = J("{" DS_META ",'spec':{'selector':{'matchLabels':{'app':'agent'}},'template':{'metadata':{'labels':"
	        "{'app':'agent'}},'spec':{'containers':[{'name':'a','image':'agent:2'}]}}}}");
	errs = run(k, K8C_OP_UPDATE, now, old);
	is_str(errs, "", "daemonset template update valid");
	is_json(now, "metadata.annotations", "{'deprecated.daemonset.template.generation':'2'}");
	free(errs);
	cJSON_Delete(now);
	cJSON_Delete(old);

	check_create(k, "{" DS_META ",'spec':{" DS_TEMPLATE "}}",
	             "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"agent\"}: `selector` "
	             "does not match template `labels`",
	             "without selector");
	check_create(k, "{" DS_META ",'spec':{'updateStrategy':{'rollingUpdate':{'maxSurge':'10%'}},'selector':"
	             "{'matchLabels':{'app':'agent'}}," DS_TEMPLATE "}}",
	             "spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:1, IntVal:0, "
	             "StrVal:\"10%\"}: may not be set when maxUnavailable is non-zero",
	             "both surge and unavailable");
	check_create(k, "{" DS_META ",'spec':{'updateStrategy':{'rollingUpdate':{'maxUnavailable':0}},'selector':"
	             "{'matchLabels':{'app':'agent'}}," DS_TEMPLATE "}}",
	             "spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0",
	             "neither surge nor unavailable");
	check_create(k, "{" DS_META ",'spec':{'updateStrategy':{'type':'Sometimes'},'selector':"
	             "{'matchLabels':{'app':'agent'}}," DS_TEMPLATE "}}",
	             "spec.updateStrategy: Unsupported value: apps.DaemonSetUpdateStrategy{Type:\"Sometimes\", "
	             "RollingUpdate:(*apps.RollingUpdateDaemonSet)(nil)}: supported values: \"RollingUpdate\", \"OnDelete\"",
	             "unknown strategy");
	check_row(k, "{" DS_META ",'spec':{'selector':{'matchLabels':{'app':'agent'}}," DS_TEMPLATE "},'status':"
	          "{'desiredNumberScheduled':3,'currentNumberScheduled':3,'numberReady':2,'updatedNumberScheduled':3,"
	          "'numberAvailable':2}}",
	          "[\"agent\",3,3,2,3,2,\"kubernetes.io/os=linux\",\"31d\",\"a\",\"agent:1\",\"app=agent\"]");
}

static void test_controllerrevisions(void)
{
	const k8c_kind_t *k = &k8c_kind_controllerrevisions;

	check_create(k, "{'metadata':{'name':'agent-1'},'revision':-1}",
	             "data: Required value: data is mandatory\n"
	             "revision: Invalid value: -1: must be greater than or equal to 0", "data and revision");
	check_update(k, "{'metadata':{'name':'agent-1'},'data':{'a':1},'revision':1}",
	             "{'metadata':{'name':'agent-1'},'data':{'a':2},'revision':1}",
	             "data: Invalid value: {\"a\":2}: field is immutable", "data is fixed");
	check_row(k, "{'metadata':{'name':'agent-5d8f','creationTimestamp':'2024-12-31T23:59:00Z','ownerReferences':"
	          "[{'apiVersion':'apps/v1','kind':'DaemonSet','name':'agent','controller':true}]},'revision':3}",
	          "[\"agent-5d8f\",\"daemonset.apps/agent\",3,\"60s\"]");
	check_row(k, "{'metadata':{'name':'x'},'revision':1}", "[\"x\",\"<none>\",1,\"<unknown>\"]");
}

#define JOB_META "'metadata':{'name':'pi','namespace':'default','uid':'u-123','creationTimestamp':'2024-12-31T23:50:00Z'}"
#define JOB_TEMPLATE "'template':{'spec':{'restartPolicy':'Never','containers':[{'name':'pi','image':'perl'}]}}"

static void test_jobs(void)
{
	const k8c_kind_t *k = &k8c_kind_jobs;
	cJSON *j = J("{" JOB_META ",'spec':{" JOB_TEMPLATE "}}"), *old;
	char *errs = run(k, K8C_OP_CREATE, j, NULL), buf[32];

	is_str(errs, "", "job valid");
	is_json(j, "spec.completions", "1");
	is_json(j, "spec.parallelism", "1");
	is_json(j, "spec.backoffLimit", "6");
	is_json(j, "spec.completionMode", "'NonIndexed'");
	is_json(j, "spec.suspend", "false");
	is_json(j, "spec.podReplacementPolicy", "'TerminatingOrFailed'");
	is_json(j, "spec.manualSelector", "false");
	is_json(j, "spec.selector", "{'matchLabels':{'batch.kubernetes.io/controller-uid':'u-123'}}");
	is_json(j, "spec.template.metadata.labels",
	        "{'batch.kubernetes.io/controller-uid':'u-123','batch.kubernetes.io/job-name':'pi',"
	        "'controller-uid':'u-123','job-name':'pi'}");
	is_json(j, "metadata.labels", "(absent)");
	is_json(j, "status", "{}");
	free(errs);

	/* update: the template is fixed, so are completions */
	old = j;
	j = cJSON_Duplicate(old, 1);
	cJSON_ReplaceItemInObject((cJSON *)k8c_jget(j, "spec"), "completions", cJSON_CreateNumber(3));
	errs = run(k, K8C_OP_UPDATE, j, old);
	is_str(errs, "spec.completions: Invalid value: 3: field is immutable", "job completions are fixed");
	free(errs);
	cJSON_Delete(j);
	j = cJSON_Duplicate(old, 1);
	cJSON_ReplaceItemInObject((cJSON *)k8c_jget(j, "spec.template.spec.containers")->child, "image",
	                          cJSON_CreateString("perl:2"));
	errs = run(k, K8C_OP_UPDATE, j, old);
	ok(strncmp(errs, "spec.template: Invalid value: {", 31) == 0 &&
	           strstr(errs, "\"perl:2\"") != NULL &&
	           strcmp(errs + strlen(errs) - 20, ": field is immutable") == 0,
	   "job template is fixed (%s)", errs);
	free(errs);
	cJSON_Delete(j);
	/* ... but a suspended job that never ran may move to other nodes */
	cJSON_ReplaceItemInObject((cJSON *)k8c_jget(old, "spec"), "suspend", cJSON_CreateTrue());
	j = cJSON_Duplicate(old, 1);
	cJSON_AddItemToObject((cJSON *)k8c_jget(j, "spec.template.spec"), "nodeSelector",
	                      J("{'zone':'b'}"));
	errs = run(k, K8C_OP_UPDATE, j, old);
	is_str(errs, "", "suspended job: scheduling directives may change");
	free(errs);
	cJSON_Delete(j);
	cJSON_Delete(old);

	j = J("{" JOB_META ",'spec':{'template':{'metadata':{'labels':{'app':'pi'}},'spec':{'restartPolicy':'Never',"
	      "'containers':[{'name':'pi','image':'perl'}]}}}}");
	free(run(k, K8C_OP_CREATE, j, NULL));
	is_json(j, "metadata.labels", "{'app':'pi'}");
	cJSON_Delete(j);
	j = J("{" JOB_META ",'spec':{'backoffLimitPerIndex':1,'completionMode':'Indexed','completions':3,"
	      "'podFailurePolicy':{'rules':[{'action':'FailJob','onPodConditions':[{'type':'DisruptionTarget'}]}]},"
	      JOB_TEMPLATE "}}");
	errs = run(k, K8C_OP_CREATE, j, NULL);
	is_str(errs, "", "indexed job with a pod failure policy");
	is_json(j, "spec.backoffLimit", "2147483647");
	is_json(j, "spec.podReplacementPolicy", "'Failed'");
	is_json(j, "spec.podFailurePolicy.rules", "[{'action':'FailJob','onPodConditions':[{'type':'DisruptionTarget','status':'True'}]}]");
	free(errs);
	cJSON_Delete(j);

	check_create(k, "{" JOB_META ",'spec':{'template':{'spec':{'containers':[{'name':'pi','image':'perl'}]}}}}",
	             "spec.template.spec.restartPolicy: Required value: valid values: \"OnFailure\", \"Never\"",
	             "restartPolicy Always");
	check_create(k, "{" JOB_META ",'spec':{'manualSelector':true,'selector':{'matchLabels':{'app':'x'}},"
	             "'template':{'metadata':{'labels':{'app':'y'}},'spec':{'restartPolicy':'OnFailure',"
	             "'containers':[{'name':'pi','image':'perl'}]}}}}",
	             "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"y\"}: `selector` does "
	             "not match template `labels`",
	             "manual selector");
	check_create(k, "{" JOB_META ",'spec':{'parallelism':-1,'backoffLimit':-1,'maxFailedIndexes':2,"
	             "'completionMode':'Sometimes','podReplacementPolicy':'Never'," JOB_TEMPLATE "}}",
	             "spec.parallelism: Invalid value: -1: must be greater than or equal to 0\n"
	             "spec.backoffLimit: Invalid value: -1: must be greater than or equal to 0\n"
	             "spec.backoffLimitPerIndex: Required value: when maxFailedIndexes is specified\n"
	             "spec.completionMode: Unsupported value: \"Sometimes\": supported values: \"NonIndexed\", \"Indexed\"\n"
	             "spec.podReplacementPolicy: Unsupported value: \"Never\": supported values: \"Failed\", "
	             "\"TerminatingOrFailed\"",
	             "numbers and modes");
	check_create(k, "{" JOB_META ",'spec':{'completionMode':'Indexed','parallelism':2,'podFailurePolicy':{'rules':[{'action':"
	             "'FailIndex','onExitCodes':{'operator':'In','values':[0,3,3,1]}}]}," JOB_TEMPLATE "}}",
	             "spec.completions: Required value: when completion mode is Indexed\n"
	             "spec.podFailurePolicy.rules[0].action: Invalid value: \"FailIndex\": requires the "
	             "backoffLimitPerIndex to be set\n"
	             "spec.podFailurePolicy.rules[0].onExitCodes.values[0]: Invalid value: 0: must not be 0 for the "
	             "In operator\n"
	             "spec.podFailurePolicy.rules[0].onExitCodes.values[2]: Duplicate value: 3\n"
	             "spec.podFailurePolicy.rules[0].onExitCodes.values: Invalid value: []int32{0, 3, 3, 1}: must be "
	             "ordered",
	             "pod failure policy");
	check_create(k, "{" JOB_META ",'spec':{'completionMode':'Indexed','completions':5,'parallelism':5,"
	             "'successPolicy':{'rules':[{'succeededIndexes':'0-2,1','succeededCount':9}]}," JOB_TEMPLATE "}}",
	             "spec.successPolicy.rules[0].succeededIndexes: Invalid value: \"0-2,1\": error parsing "
	             "succeededIndexes: non-increasing order, previous: 2, current: 1\n"
	             "spec.successPolicy.rules[0].succeededCount: Invalid value: 9: must be less than or equal to 5 "
	             "(the number of specified completions)\n"
	             "spec.successPolicy.rules[0].succeededCount: Invalid value: 9: must be less than or equal to 0 "
	             "(the number of indexes in the specified succeededIndexes field)",
	             "success policy");
	check_create(k, "{'metadata':{'name':'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa','uid':'u'},"
	             "'spec':{'completionMode':'Indexed','completions':10," JOB_TEMPLATE "}}",
	             "metadata.name: Invalid value: \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\": "
	             "will not able to create pod with invalid DNS label: "
	             "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-9",
	             "indexed pod host names");
	check_create(k, "{'metadata':{'name':'pi'},'spec':{" JOB_TEMPLATE "}}",
	             "metadata.uid: Required value", "generated selector needs the uid");

	check_row(k, "{" JOB_META ",'spec':{'completions':1,'selector':{'matchLabels':{'batch.kubernetes.io/"
	          "controller-uid':'u-123'}}," JOB_TEMPLATE "},'status':{'succeeded':1,'startTime':"
	          "'2024-12-31T23:50:00Z','completionTime':'2024-12-31T23:51:00Z','conditions':[{'type':"
	          "'Complete','status':'True'}]}}",
	          "[\"pi\",\"Complete\",\"1/1\",\"60s\",\"10m\",\"pi\",\"perl\","
	          "\"batch.kubernetes.io/controller-uid=u-123\"]");
	check_row(k, "{" JOB_META ",'spec':{'parallelism':3," JOB_TEMPLATE "},'status':{'startTime':"
	          "'2024-12-31T23:58:00Z','conditions':[{'type':'Suspended','status':'False'}]}}",
	          "[\"pi\",\"Running\",\"0/1 of 3\",\"2m\",\"10m\",\"pi\",\"perl\",\"<none>\"]");
	j = J("{'status':{'succeeded':4}}");
	is_str(k->field_selectors[0], "status.successful", "jobs select on status.successful");
	is_str(k->field_value(j, "status.successful", buf, sizeof(buf)), "4", "status.successful value");
	cJSON_Delete(j);
}

#define CJ_META "'metadata':{'name':'hello','namespace':'default','creationTimestamp':'2024-12-31T23:00:00Z'}"
#define CJ_JOB "'jobTemplate':{'spec':{" JOB_TEMPLATE "}}"

static void check_schedule(const char *sched, const char *want)
{
	char json[512], expect[512];

	snprintf(json, sizeof(json), "{" CJ_META ",'spec':{'schedule':'%s'," CJ_JOB "}}", sched);
	if (want[0] == '\0')
		expect[0] = '\0';
	else
		snprintf(expect, sizeof(expect), "spec.schedule: Invalid value: \"%s\": %s", sched, want);
	check_create(&k8c_kind_cronjobs, json, expect, sched);
}

static void test_cronjobs(void)
{
	const k8c_kind_t *k = &k8c_kind_cronjobs;
	cJSON *c = J("{" CJ_META ",'spec':{'schedule':'*/5 * * * *'," CJ_JOB "}}");
	char *errs = run(k, K8C_OP_CREATE, c, NULL);

	is_str(errs, "", "cronjob valid");
	is_json(c, "spec.concurrencyPolicy", "'Allow'");
	is_json(c, "spec.suspend", "false");
	is_json(c, "spec.successfulJobsHistoryLimit", "3");
	is_json(c, "spec.failedJobsHistoryLimit", "1");
	is_json(c, "spec.jobTemplate.spec.backoffLimit", "(absent)");
	free(errs);
	cJSON_Delete(c);

	check_schedule("@hourly", "");
	check_schedule("@every 90m", "");
	check_schedule("0 9 * jan-MAR MON-fri", "");
	check_schedule("*/15 0-6,18-23 1,15 * ?", "");
	check_schedule("5/10 * * * *", "");
	check_schedule("61 * * * *", "end of range (61) above maximum (59): 61");
	check_schedule("0 0 0 * *", "beginning of range (0) below minimum (1): 0");
	check_schedule("0 0 * * 7", "end of range (7) above maximum (6): 7");
	check_schedule("5-2 * * * *", "beginning of range (5) beyond end of range (2): 5-2");
	check_schedule("*/0 * * * *", "step of range should be a positive number: */0");
	check_schedule("1-2-3 * * * *", "too many hyphens: 1-2-3");
	check_schedule("1/2/3 * * * *", "too many slashes: 1/2/3");
	check_schedule("foo * * * *",
	               "failed to parse int from foo: strconv.Atoi: parsing \"foo\": invalid syntax");
	check_schedule("* * *", "expected exactly 5 fields, found 3: [* * *]");
	check_schedule("@fortnightly", "unrecognized descriptor: @fortnightly");
	check_schedule("@every 5x",
	               "failed to parse duration @every 5x: time: unknown unit \"x\" in duration \"5x\"");
	check_schedule("@every 5", "failed to parse duration @every 5: time: missing unit in duration \"5\"");
	check_schedule("TZ=UTC 0 * * * *", "cannot use TZ or CRON_TZ in schedule, use timeZone field instead");
	check_create(k, "{" CJ_META ",'spec':{'schedule':'','timeZone':'Mars/Olympus','concurrencyPolicy':'Sometimes',"
	             "'startingDeadlineSeconds':-5,'jobTemplate':{'spec':{'manualSelector':true,'selector':{"
	             "'matchLabels':{'a':'b'}},'template':{'spec':{'containers':[{'name':'c','image':'i'}]}}}}}}",
	             "spec.schedule: Required value\n"
	             "spec.startingDeadlineSeconds: Invalid value: -5: must be greater than or equal to 0\n"
	             "spec.timeZone: Invalid value: \"Mars/Olympus\": unknown time zone Mars/Olympus\n"
	             "spec.concurrencyPolicy: Unsupported value: \"Sometimes\": supported values: \"Allow\", "
	             "\"Forbid\", \"Replace\"\n"
	             "spec.jobTemplate.spec.template.spec.restartPolicy: Required value: valid values: \"OnFailure\", "
	             "\"Never\"\n"
	             "spec.jobTemplate.spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string"
	             "{\"a\":\"b\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: `selector` will be "
	             "auto-generated\n"
	             "spec.jobTemplate.spec.manualSelector: Unsupported value: true: supported values: \"nil\", \"false\"",
	             "spec errors");
	check_create(k, "{" CJ_META ",'spec':{'schedule':'@daily','timeZone':'Europe/Berlin'," CJ_JOB "}}", "",
	             "time zone");
	check_create(k, "{" CJ_META ",'spec':{'schedule':'@daily','timeZone':''," CJ_JOB "}}",
	             "spec.timeZone: Invalid value: \"\": timeZone must be nil or non-empty string", "empty time zone");
	check_create(k, "{" CJ_META ",'spec':{'schedule':'@daily','timeZone':'Local'," CJ_JOB "}}",
	             "spec.timeZone: Invalid value: \"Local\": timeZone must be an explicit time zone as defined in "
	             "https://www.iana.org/time-zones", "Local time zone");
	check_create(k, "{'metadata':{'name':'a2345678901234567890123456789012345678901234567890123'},'spec':"
	             "{'schedule':'@daily'," CJ_JOB "}}",
	             "metadata.name: Invalid value: \"a2345678901234567890123456789012345678901234567890123\": must be no "
	             "more than 52 characters", "name length");
	check_update(k, "{'metadata':{'name':'old'},'spec':{'schedule':'TZ=UTC 0 * * * *'," CJ_JOB "}}",
	             "{'metadata':{'name':'old'},'spec':{'schedule':'TZ=UTC 5 * * * *'," CJ_JOB "}}", "",
	             "TZ kept in an old schedule");
	check_row(k, "{" CJ_META ",'spec':{'schedule':'*/5 * * * *','suspend':false," CJ_JOB "},'status':{'active':"
	          "[{'name':'hello-1'}],'lastScheduleTime':'2024-12-31T23:56:40Z'}}",
	          "[\"hello\",\"*/5 * * * *\",\"<none>\",\"False\",1,\"3m20s\",\"60m\",\"pi\",\"perl\",\"<none>\"]");
}

static void test_leases(void)
{
	const k8c_kind_t *k = &k8c_kind_leases;
	cJSON *l = J("{'metadata':{'name':'node1'},'spec':{'holderIdentity':'node1','strategy':"
	             "'OldestEmulationVersion','preferredHolder':'x'}}");
	char *errs = run(k, K8C_OP_CREATE, l, NULL);

	is_str(errs, "", "lease valid");
	is_json(l, "spec", "{'holderIdentity':'node1'}");
	free(errs);
	cJSON_Delete(l);
	check_create(k, "{'metadata':{'name':'n'},'spec':{'leaseDurationSeconds':0,'leaseTransitions':-1}}",
	             "spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0\n"
	             "spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0", "numbers");
	check_row(k, "{'metadata':{'name':'node1','creationTimestamp':'2024-12-31T23:55:00Z'},'spec':"
	          "{'holderIdentity':'node1_abc'}}", "[\"node1\",\"node1_abc\",\"5m\"]");
}

#define EPS_META "'metadata':{'name':'web-abc','namespace':'default','creationTimestamp':'2024-12-31T23:59:30Z'}"

static void test_endpointslices(void)
{
	const k8c_kind_t *k = &k8c_kind_endpointslices;
	cJSON *e = J("{" EPS_META ",'addressType':'IPv4','endpoints':[{'addresses':['10.0.0.1'],'deprecatedTopology':"
	             "{'kubernetes.io/hostname':'n1'},'conditions':{'ready':true}}],'ports':[{'port':80}]}");
	char *errs = run(k, K8C_OP_CREATE, e, NULL);

	is_str(errs, "", "endpointslice valid");
	is_json(e, "ports", "[{'port':80,'name':'','protocol':'TCP'}]");
	is_json(e, "endpoints", "[{'addresses':['10.0.0.1'],'conditions':{'ready':true}}]");
	free(errs);
	cJSON_Delete(e);
	check_create(k, "{" EPS_META ",'addressType':'IPX'}",
	             "addressType: Unsupported value: \"IPX\": supported values: \"FQDN\", \"IPv4\", \"IPv6\"",
	             "address type");
	check_create(k, "{" EPS_META ",'addressType':'IPv4','endpoints':[{'addresses':['10.0.0.300','127.0.0.1',"
	             "'169.254.1.1']},{'addresses':[],'hostname':'Web'}],'ports':[{'name':'http','port':80,"
	             "'protocol':'ICMP'},{'name':'http','port':81,'appProtocol':'a/b/c'}]}",
	             "endpoints[0].addresses[0]: Invalid value: \"10.0.0.300\": must be a valid IPv4 address\n"
	             "endpoints[0].addresses[0]: Invalid value: \"10.0.0.300\": must be a valid IP address\n"
	             "endpoints[0].addresses[1]: Invalid value: \"127.0.0.1\": may not be in the loopback range "
	             "(127.0.0.0/8, ::1/128)\n"
	             "endpoints[0].addresses[2]: Invalid value: \"169.254.1.1\": may not be in the link-local range "
	             "(169.254.0.0/16, fe80::/10)\n"
	             "endpoints[1].addresses: Required value: must contain at least 1 address\n"
	             "endpoints[1].hostname: Invalid value: \"Web\": a lowercase RFC 1123 label must consist of lower "
	             "case alphanumeric characters or '-', and must start and end with an alphanumeric character "
	             "(e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')\n"
	             "ports[0].protocol: Unsupported value: \"ICMP\": supported values: \"SCTP\", \"TCP\", \"UDP\"\n"
	             "ports[1].name: Duplicate value: \"http\"\n"
	             "ports[1].appProtocol: Invalid value: \"a/b/c\": a qualified name must consist of alphanumeric "
	             "characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. "
	             "'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
	             "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' "
	             "(e.g. 'example.com/MyName')",
	             "addresses and ports");
	check_create(k, "{" EPS_META ",'addressType':'IPv6','endpoints':[{'addresses':['fd00::1','10.0.0.1','::1']}]}",
	             "endpoints[0].addresses[1]: Invalid value: \"10.0.0.1\": must be a valid IPv6 address\n"
	             "endpoints[0].addresses[2]: Invalid value: \"::1\": may not be in the loopback range "
	             "(127.0.0.0/8, ::1/128)",
	             "IPv6 addresses");
	check_create(k, "{" EPS_META ",'addressType':'FQDN','endpoints':[{'addresses':['example','db.example.com.',"
	             "'Bad.example']}]}",
	             "endpoints[0].addresses[0]: Invalid value: \"example\": should be a domain with at least two "
	             "segments separated by dots\n"
	             "endpoints[0].addresses[2]: Invalid value: \"Bad.example\": a lowercase RFC 1123 subdomain must "
	             "consist of lower case alphanumeric characters, '-' or '.', and must start and end with an "
	             "alphanumeric character (e.g. 'example.com', regex used for validation is "
	             "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
	             "FQDN addresses");
	check_create(k, "{" EPS_META ",'addressType':'IPv4','endpoints':[{'addresses':['10.0.0.1'],'nodeName':'Node_1',"
	             "'hints':{'forZones':[{'name':'a'},{'name':'a'}]}}]}",
	             "endpoints[0].nodeName: Invalid value: \"Node_1\": a lowercase RFC 1123 subdomain must consist of "
	             "lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric "
	             "character (e.g. 'example.com', regex used for validation is "
	             "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')\n"
	             "endpoints[0].hints.forZones[1].name: Duplicate value: \"a\"",
	             "node name and zone hints");
	check_update(k, "{" EPS_META ",'addressType':'IPv4'}", "{" EPS_META ",'addressType':'IPv6'}",
	             "addressType: Invalid value: \"IPv6\": field is immutable", "address type is fixed");
	check_row(k, "{" EPS_META ",'addressType':'IPv4','ports':[{'port':80},{'name':'metrics'},{},{'port':9}],"
	          "'endpoints':[{'addresses':['10.0.0.1','10.0.0.2']},{'addresses':['10.0.0.3']},{'addresses':"
	          "['10.0.0.4']}]}",
	          "[\"web-abc\",\"IPv4\",\"80,metrics,* + 1 more...\",\"10.0.0.1,10.0.0.2,10.0.0.3 + 1 more...\",\"30s\"]");
	check_row(k, "{'metadata':{'name':'e'},'addressType':'IPv4'}",
	          "[\"e\",\"IPv4\",\"<unset>\",\"<unset>\",\"<unknown>\"]");
}

#define RB_META "'metadata':{'name':'read-pods','namespace':'default','creationTimestamp':'2024-12-31T23:00:00Z'}"

static void test_rbac(void)
{
	cJSON *b;
	char *errs, msg[128];

	check_create(&k8c_kind_roles, "{'metadata':{'name':'r'},'rules':[{'verbs':['get'],'apiGroups':[''],"
	             "'resources':['pods']}]}", "", "valid");
	check_create(&k8c_kind_roles, "{'metadata':{'name':'r'},'rules':[{'verbs':[],'apiGroups':[''],'resources':"
	             "['pods']},{'verbs':['get'],'nonResourceURLs':['/healthz']},{'verbs':['get']}]}",
	             "rules[0].verbs: Required value: verbs must contain at least one value\n"
	             "rules[1].nonResourceURLs: Invalid value: []string{\"/healthz\"}: namespaced rules cannot apply "
	             "to non-resource URLs\n"
	             "rules[2].apiGroups: Required value: resource rules must supply at least one api group\n"
	             "rules[2].resources: Required value: resource rules must supply at least one resource",
	             "rules");
	check_create(&k8c_kind_clusterroles, "{'metadata':{'name':'system:health'},'rules':[{'verbs':['get'],"
	             "'nonResourceURLs':['/healthz'],'resources':['pods']}],'aggregationRule':{}}",
	             "rules[0].nonResourceURLs: Invalid value: []string{\"/healthz\"}: rules cannot apply to both "
	             "regular resources and non-resource URLs\n"
	             "aggregationRule.clusterRoleSelectors: Required value: at least one clusterRoleSelector required "
	             "if aggregationRule is non-nil",
	             "non-resource URLs and aggregation");
	check_create(&k8c_kind_clusterroles, "{'metadata':{'name':'agg'},'aggregationRule':{'clusterRoleSelectors':"
	             "[{'matchExpressions':[{'key':'k','operator':'In'}]}]}}",
	             "aggregationRule.clusterRoleSelectors[0].matchExpressions[0].values: Required value: must be "
	             "specified when `operator` is 'In' or 'NotIn'\n"
	             "aggregationRule.clusterRoleSelectors[0]: Invalid value: \"null\": invalid label selector.",
	             "aggregation selectors");

	b = J("{" RB_META ",'roleRef':{'kind':'Role','name':'pod-reader'},'subjects':[{'kind':'User','name':'jane'},"
	      "{'kind':'ServiceAccount','name':'robot','namespace':'default'},{'kind':'Group','name':'devs'}]}");
	errs = run(&k8c_kind_rolebindings, K8C_OP_CREATE, b, NULL);
	is_str(errs, "", "rolebinding valid");
	is_json(b, "roleRef.apiGroup", "'rbac.authorization.k8s.io'");
	is_json(b, "subjects", "[{'kind':'User','name':'jane','apiGroup':'rbac.authorization.k8s.io'},"
	        "{'kind':'ServiceAccount','name':'robot','namespace':'default','apiGroup':''},"
	        "{'kind':'Group','name':'devs','apiGroup':'rbac.authorization.k8s.io'}]");
	free(errs);
	cJSON_Delete(b);
	check_create(&k8c_kind_rolebindings, "{" RB_META ",'roleRef':{'apiGroup':'x.io','kind':'Foo'},'subjects':"
	             "[{'kind':'Robot','name':'r2'},{'kind':'ServiceAccount','name':'Bad_Name','apiGroup':'v1'},"
	             "{'kind':'User','apiGroup':'rbac.authorization.k8s.io'}]}",
	             "roleRef.apiGroup: Unsupported value: \"x.io\": supported values: \"rbac.authorization.k8s.io\"\n"
	             "roleRef.kind: Unsupported value: \"Foo\": supported values: \"Role\", \"ClusterRole\"\n"
	             "roleRef.name: Required value\n"
	             "subjects[0].kind: Unsupported value: \"Robot\": supported values: \"ServiceAccount\", \"User\", "
	             "\"Group\"\n"
	             "subjects[1].name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of "
	             "lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric "
	             "character (e.g. 'example.com', regex used for validation is "
	             "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')\n"
	             "subjects[1].apiGroup: Unsupported value: \"v1\": supported values: \"\"\n"
	             "subjects[2].name: Required value\n"
	             "subjects[2].name: Invalid value: \"\": user name cannot be empty",
	             "roleRef and subjects");
	check_create(&k8c_kind_clusterrolebindings, "{'metadata':{'name':'b'},'roleRef':{'kind':'Role','name':"
	             "'a/b'},'subjects':[{'kind':'ServiceAccount','name':'robot'}]}",
	             "roleRef.kind: Unsupported value: \"Role\": supported values: \"ClusterRole\"\n"
	             "roleRef.name: Invalid value: \"a/b\": may not contain '/'\n"
	             "subjects[0].namespace: Required value",
	             "cluster binding");
	check_update(&k8c_kind_rolebindings, "{" RB_META ",'roleRef':{'kind':'ClusterRole','name':'view'}}",
	             "{" RB_META ",'roleRef':{'kind':'ClusterRole','name':'edit'}}",
	             "roleRef: Invalid value: rbac.RoleRef{APIGroup:\"rbac.authorization.k8s.io\", Kind:\"ClusterRole\", "
	             "Name:\"edit\"}: cannot change roleRef",
	             "roleRef is fixed");
	check_row(&k8c_kind_roles, "{'metadata':{'name':'pod-reader','creationTimestamp':'2024-12-31T23:00:00Z'}}",
	          "[\"pod-reader\",\"2024-12-31T23:00:00Z\"]");
	check_row(&k8c_kind_clusterroles, "{'metadata':{'name':'view'}}", "[\"view\",\"0001-01-01T00:00:00Z\"]");
	check_row(&k8c_kind_rolebindings, "{" RB_META ",'roleRef':{'kind':'Role','name':'pod-reader'},'subjects':"
	          "[{'kind':'User','name':'jane'},{'kind':'User','name':'joe'},{'kind':'ServiceAccount','name':"
	          "'robot','namespace':'ci'}]}",
	          "[\"read-pods\",\"Role/pod-reader\",\"60m\",\"jane, joe\",\"\",\"ci/robot\"]");
	ok(k8c_rbac_name_valid("system:controller:job-controller", msg, sizeof(msg)), "RBAC names may hold colons");
	ok(!k8c_rbac_name_valid("..", msg, sizeof(msg)) && strcmp(msg, "may not be '..'") == 0,
	   "RBAC names: not '..'");
	ok(!k8c_rbac_name_valid("a/b%c", msg, sizeof(msg)) &&
	           strcmp(msg, "may not contain '/'; may not contain '%'") == 0,
	   "RBAC names: no '/' nor '%%'");
}

#define EV_OK "'metadata':{'name':'web-1.17f','namespace':'default','creationTimestamp':'2024-12-31T23:59:00Z'}," \
	"'eventTime':'2025-01-01T00:00:00.000000Z','reportingController':'k8c.io/scheduler','reportingInstance':"   \
	"'node1','action':'Binding','reason':'Scheduled','type':'Normal'," \
	"'regarding':{'kind':'Pod','namespace':'default','name':'web-1'}"

static void test_events(void)
{
	const k8c_kind_t *k = &k8c_kind_events_events_k8s_io;
	cJSON *e;
	char buf[8];

	check_create(k, "{" EV_OK ",'note':'  Successfully assigned  '}", "", "valid");
	check_create(k, "{'metadata':{'name':'e','namespace':'default'},'type':'Info','deprecatedCount':3,"
	             "'regarding':{'kind':'Pod','namespace':'other'},'series':{'count':1}}",
	             "involvedObject.namespace: Invalid value: \"other\": does not match event.namespace\n"
	             "series.count: Invalid value: \"\": should be at least 2\n"
	             "series.lastObservedTime: Required value\n"
	             "eventTime: Required value\n"
	             "type: Invalid value: \"\": has invalid value: Info\n"
	             "count: Invalid value: \"\": needs to be unset",
	             "strict fields");
	check_create(k, "{'metadata':{'name':'e','namespace':'default'},'eventTime':'2025-01-01T00:00:00.000000Z',"
	             "'type':'Normal','regarding':{'kind':'Pod'}}",
	             "reportingController: Required value\n"
	             "reportingController: Invalid value: \"\": name part must be non-empty\n"
	             "reportingController: Invalid value: \"\": name part must consist of alphanumeric characters, "
	             "'-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or "
	             "'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?"
	             "[A-Za-z0-9]')\n"
	             "reportingInstance: Required value\n"
	             "action: Required value\n"
	             "reason: Required value",
	             "reporting fields");
	check_update(k, "{" EV_OK ",'note':'a'}", "{" EV_OK ",'note':'b','deprecatedCount':2}",
	             "message: Invalid value: \"b\": field is immutable\n"
	             "count: Invalid value: 2: field is immutable",
	             "note and count are fixed");
	check_update(k, "{" EV_OK "}", "{" EV_OK ",'deprecatedLastTimestamp':'2025-01-01T00:00:01Z'}",
	             "lastTimestamp: Invalid value: 2025-01-01 00:00:01 +0000 UTC: field is immutable",
	             "times print as Go times");
	check_row(k, "{" EV_OK ",'note':'  Successfully assigned  '}",
	          "[\"0s\",\"Normal\",\"Scheduled\",\"pod/web-1\",\"\",\"k8c.io/scheduler, node1\","
	          "\"Successfully assigned\",\"0s\",1,\"web-1.17f\"]");
	check_row(k, "{'metadata':{'name':'x'},'type':'Warning','reason':'BackOff','note':'restarting',"
	          "'regarding':{'kind':'Node'},'deprecatedSource':{'component':'kubelet','host':'n1'},"
	          "'deprecatedFirstTimestamp':'2024-12-31T23:00:00Z','series':{'count':5,'lastObservedTime':"
	          "'2024-12-31T23:59:50.000000Z'}}",
	          "[\"10s\",\"Warning\",\"BackOff\",\"node\",\"\",\"kubelet, n1\",\"restarting\",\"60m\",5,\"x\"]");
	e = J("{'deprecatedSource':{'component':'kubelet'},'regarding':{'name':'web-1'}}");
	is_str(k->field_value(e, "source", buf, sizeof(buf)), "kubelet", "events select on source");
	is_str(k->field_value(e, "regarding.name", buf, sizeof(buf)), "web-1", "events select on regarding.name");
	cJSON_Delete(e);
}

#define PC_META(name) "'apiVersion':'scheduling.k8s.io/v1','kind':'PriorityClass','metadata':{'name':'" name "','creationTimestamp':'2024-12-31T23:55:00Z'}"
#define PC_RESERVED "metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: "

static void test_priorityclasses(void)
{
	const k8c_kind_t *k = &k8c_kind_priorityclasses;
	cJSON *pc = J("{" PC_META("high") ",'value':1000,'globalDefault':false,'description':''}");
	char *errs = run(k, K8C_OP_CREATE, pc, NULL);

	is_str(errs, "", "priorityclass: a user class is valid");
	is_json(pc, "preemptionPolicy", "'PreemptLowerPriority'");
	is_json(pc, "metadata.generation", "1");
	is_json(pc, "globalDefault", "(absent)");
	is_json(pc, "description", "(absent)");
	free(errs);
	cJSON_Delete(pc);
	pc = J("{" PC_META("zero") "}");
	free(run(k, K8C_OP_CREATE, pc, NULL));
	is_json(pc, "value", "0");
	cJSON_Delete(pc);

	check_create(k, "{" PC_META("too-high") ",'value':1000000001}",
	             "value: Forbidden: maximum allowed value of a user defined priority is 1000000000",
	             "HighestUserDefinablePriority");
	check_create(k, "{" PC_META("top") ",'value':1000000000,'preemptionPolicy':'Never'}", "",
	             "value 1000000000 and preemptionPolicy Never");
	check_create(k, "{" PC_META("neg") ",'value':-2147483648}", "", "a negative value");
	check_create(k, "{" PC_META("system-foo") ",'value':10}",
	             PC_RESERVED "system-foo is not a known system priority class", "system- is reserved");
	check_create(k, "{" PC_META("system-node-critical") ",'value':5}",
	             PC_RESERVED "value of system-node-critical PriorityClass must be 2000001000",
	             "a system class keeps its value");
	check_create(k, "{" PC_META("system-cluster-critical") ",'value':2000000000,'globalDefault':true}",
	             PC_RESERVED "globalDefault of system-cluster-critical PriorityClass must be false",
	             "a system class is not the default");
	check_create(k, "{" PC_META("system-cluster-critical") ",'value':2000000000}", "",
	             "the system class itself");
	check_create(k, "{" PC_META("p") ",'value':1,'preemptionPolicy':'Sometimes'}",
	             "preemptionPolicy: Unsupported value: \"Sometimes\": supported values: "
	             "\"PreemptLowerPriority\", \"Never\"", "preemptionPolicy values");
	check_create(k, "{" PC_META("p") ",'value':1,'preemptionPolicy':''}",
	             "preemptionPolicy: Required value", "an empty preemptionPolicy");

	check_update(k, "{" PC_META("high") ",'value':1000}",
	             "{" PC_META("high") ",'value':1000,'globalDefault':true,'description':'d'}", "",
	             "description and globalDefault may change");
	check_update(k, "{" PC_META("high") ",'value':1000}", "{" PC_META("high") ",'value':2000}",
	             "value: Forbidden: may not be changed in an update.", "value is immutable");
	check_update(k, "{" PC_META("high") ",'value':1000}",
	             "{" PC_META("high") ",'value':1000,'preemptionPolicy':'Never'}",
	             "preemptionPolicy: Invalid value: \"Never\": field is immutable",
	             "preemptionPolicy is immutable");
	check_update(k, "{" PC_META("high") ",'value':1000,'preemptionPolicy':'Never'}",
	             "{" PC_META("high") ",'value':1000}",
	             "preemptionPolicy: Invalid value: \"PreemptLowerPriority\": field is immutable",
	             "leaving preemptionPolicy out defaults it, which is a change");

	check_row(k, "{" PC_META("high") ",'value':1000,'preemptionPolicy':'Never'}",
	          "[\"high\",1000,false,\"5m\",\"Never\"]");
	check_row(k, "{" PC_META("low") ",'value':-5,'globalDefault':true}",
	          "[\"low\",-5,true,\"5m\",\"\"]");
	is_str(k->columns[2].name, "Global-Default", "priorityclasses: GLOBAL-DEFAULT column");
	is_str(k->columns[2].type, "boolean", "a boolean");
	ok(k->columns[4].priority == 0 && strcmp(k->columns[4].name, "PreemptionPolicy") == 0,
	   "PREEMPTIONPOLICY is shown without -o wide (1.32)");

	is_int((int)k8c_n_system_priority_classes, 2, "two system classes");
	is_str(k8c_system_priority_classes[0].name, "system-node-critical", "system-node-critical");
	is_int(k8c_system_priority_classes[0].value, 2000001000, "its value");
	is_str(k8c_system_priority_classes[1].name, "system-cluster-critical", "system-cluster-critical");
	is_int(k8c_system_priority_classes[1].value, 2000000000, "its value");
	is_str(k->delete_forbidden("system-node-critical"),
	       "this is a system priority class and cannot be deleted", "system classes stay");
	ok(k->delete_forbidden("high") == NULL, "user classes may be deleted");
}

/* Objects of the wrong shape must not crash any hook. */
static void test_robustness(void)
{
	static const char *const shapes[] = {
		"{}",
		"{'metadata':null,'spec':null,'status':null}",
		"{'metadata':[],'spec':5,'status':'x','data':null}",
		"{'spec':{'selector':7,'template':[],'strategy':'x','updateStrategy':{'type':3},'replicas':'3',"
		"'jobTemplate':{'spec':{'template':{'spec':{'containers':7}}}},'podFailurePolicy':{'rules':[1,{}]},"
		"'successPolicy':{'rules':[{'succeededIndexes':'-','succeededCount':'x'}]},'schedule':5,"
		"'volumeClaimTemplates':[5]},'rules':[3,{'verbs':7}],'subjects':[1,{}],'roleRef':4,'ports':[1,{'name':3}],"
		"'endpoints':[3,{'addresses':[4]}],'regarding':[],'series':{},'aggregationRule':{'clusterRoleSelectors':[5]}}",
	};
	const k8c_kind_t *const kinds[] = {
		&k8c_kind_deployments, &k8c_kind_replicasets, &k8c_kind_statefulsets, &k8c_kind_daemonsets,
		&k8c_kind_controllerrevisions, &k8c_kind_jobs, &k8c_kind_cronjobs, &k8c_kind_leases,
		&k8c_kind_endpointslices, &k8c_kind_roles, &k8c_kind_rolebindings, &k8c_kind_clusterroles,
		&k8c_kind_clusterrolebindings, &k8c_kind_events_events_k8s_io, &k8c_kind_priorityclasses,
	};
	int survived = 0;

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		for (size_t s = 0; s < sizeof(shapes) / sizeof(shapes[0]); s++)
			for (int op = K8C_OP_CREATE; op <= K8C_OP_STATUS_UPDATE; op++) {
				cJSON *obj = J(shapes[s]), *old = J(shapes[(s + 1) % 4]);
				cJSON *cells = cJSON_CreateArray();
				free(run(kinds[i], op, obj, op == K8C_OP_CREATE ? NULL : old));
				kinds[i]->row(obj, cells, NOW);
				survived += cJSON_GetArraySize(cells) == (int)kinds[i]->n_columns;
				cJSON_Delete(cells);
				cJSON_Delete(obj);
				cJSON_Delete(old);
			}
	is_int(survived, 15 * 4 * 3, "every hook survives objects of the wrong shape");
}

int main(void)
{
	test_discovery();
	test_deployments();
	test_replicasets();
	test_statefulsets();
	test_daemonsets();
	test_controllerrevisions();
	test_jobs();
	test_cronjobs();
	test_leases();
	test_endpointslices();
	test_rbac();
	test_events();
	test_priorityclasses();
	test_robustness();
	return done_testing();
}
