/* The core/v1 kinds: discovery names, defaults on real manifests,
 * validation error lists in Kubernetes' words, update rules, Table rows
 * and field selector values. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "apiserver/field_errors.h"
#include "apiserver/kind.h"
#include "apiserver/kinds/core.h"
#include "apiserver/kinds/util.h"
#include "tap.h"

#define T0 1704067200LL /* 2024-01-01T00:00:00Z */
#define NOW (T0 + 3600)

static cJSON *J(const char *text)
{
	cJSON *j = cJSON_Parse(text);

	if (j == NULL) {
		printf("Bail out! bad test JSON: %s\n", text);
		exit(1);
	}
	return j;
}

/* All errors as "field: message" lines. */
static char *errs_text(const k8c_field_errors_t *e)
{
	size_t cap = 64, len = 0;
	char *out = malloc(cap);

	out[0] = '\0';
	for (size_t i = 0; i < e->n; i++) {
		char *m = k8c_field_error_message(&e->items[i]);
		size_t need = strlen(e->items[i].field) + strlen(m) + 4;
		while (len + need >= cap)
			out = realloc(out, cap *= 2);
		len += (size_t)snprintf(out + len, cap - len, "%s: %s\n", e->items[i].field, m);
		free(m);
	}
	return out;
}

static int has_err(const k8c_field_errors_t *e, const char *line)
{
	for (size_t i = 0; i < e->n; i++) {
		char *m = k8c_field_error_message(&e->items[i]);
		size_t fl = strlen(e->items[i].field);
		int same = strncmp(line, e->items[i].field, fl) == 0 &&
		           strncmp(line + fl, ": ", 2) == 0 && strcmp(line + fl + 2, m) == 0;
		free(m);
		if (same)
			return 1;
	}
	return 0;
}

#define EXPECT_ERR(e, line)                                                                        \
	do {                                                                                       \
		if (!ok(has_err((e), (line)), "error: %s", (line))) {                              \
			char *t_ = errs_text(e);                                                   \
			diag("got:\n%s", t_);                                                      \
			free(t_);                                                                  \
		}                                                                                  \
	} while (0)

#define EXPECT_NO_ERRS(e, what)                                                                    \
	do {                                                                                       \
		if (!ok((e)->n == 0, "%s: no errors", (what))) {                                   \
			char *t_ = errs_text(e);                                                   \
			diag("got:\n%s", t_);                                                      \
			free(t_);                                                                  \
		}                                                                                  \
	} while (0)

/* The API server's create path: defaults, prepare, validate. */
static void create(const k8c_kind_t *k, cJSON *obj, k8c_field_errors_t *e)
{
	if (k->defaults)
		k->defaults(obj);
	if (k->prepare)
		k->prepare(K8C_OP_CREATE, obj, NULL);
	if (k->validate)
		k->validate(K8C_OP_CREATE, obj, NULL, e);
}

/* The update path: the main resource keeps the old status. */
static void update(const k8c_kind_t *k, cJSON *obj, const cJSON *old, k8c_field_errors_t *e)
{
	if (k->has_status) {
		cJSON_DeleteItemFromObjectCaseSensitive(obj, "status");
		if (cJSON_GetObjectItemCaseSensitive(old, "status"))
			cJSON_AddItemToObject(
			    obj, "status",
			    cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(old, "status"), 1));
	}
	if (k->defaults)
		k->defaults(obj);
	if (k->prepare)
		k->prepare(K8C_OP_UPDATE, obj, old);
	if (k->validate)
		k->validate(K8C_OP_UPDATE, obj, old, e);
}

/* The cells of obj's row, as one "|"-joined string. */
static char *row(const k8c_kind_t *k, const cJSON *obj)
{
	cJSON *cells = cJSON_CreateArray(), *c;
	size_t cap = 256, len = 0;
	char *out = malloc(cap);

	out[0] = '\0';
	k->row(obj, cells, NOW);
	ok((size_t)cJSON_GetArraySize(cells) == k->n_columns, "%s: one cell per column",
	   k->resource);
	cJSON_ArrayForEach(c, cells)
	{
		char buf[512];
		if (cJSON_IsString(c))
			snprintf(buf, sizeof(buf), "%s", c->valuestring);
		else
			snprintf(buf, sizeof(buf), "#%lld", (long long)c->valuedouble);
		while (len + strlen(buf) + 2 >= cap)
			out = realloc(out, cap *= 2);
		len += (size_t)snprintf(out + len, cap - len, "%s%s", len ? "|" : "", buf);
	}
	cJSON_Delete(cells);
	return out;
}

#define IS_ROW(k, obj, want, what)                                                                 \
	do {                                                                                       \
		char *r_ = row((k), (obj));                                                        \
		is_str(r_, (want), "%s", (what));                                                  \
		free(r_);                                                                          \
	} while (0)

static const char *S(const cJSON *o, const char *path)
{
	const char *s = k8c_jstr(o, path);

	return s ? s : "(absent)";
}

static void test_discovery(void)
{
	const k8c_kind_t *ks[] = {&k8c_kind_namespaces,
	                          &k8c_kind_pods,
	                          &k8c_kind_services,
	                          &k8c_kind_endpoints,
	                          &k8c_kind_nodes,
	                          &k8c_kind_events,
	                          &k8c_kind_configmaps,
	                          &k8c_kind_secrets,
	                          &k8c_kind_serviceaccounts,
	                          &k8c_kind_persistentvolumes,
	                          &k8c_kind_persistentvolumeclaims};
	const char *shorts[] = {"ns", "po", "svc", "ep", "no", "ev", "cm", NULL, "sa", "pv", "pvc"};
	const char *kinds[] = {"Namespace",
	                       "Pod",
	                       "Service",
	                       "Endpoints",
	                       "Node",
	                       "Event",
	                       "ConfigMap",
	                       "Secret",
	                       "ServiceAccount",
	                       "PersistentVolume",
	                       "PersistentVolumeClaim"};

	for (size_t i = 0; i < sizeof(ks) / sizeof(ks[0]); i++) {
		char schema[128];
		is_str(ks[i]->kind, kinds[i], "%s kind", ks[i]->resource);
		ok(strcmp(ks[i]->group, "") == 0 && strcmp(ks[i]->version, "v1") == 0,
		   "%s is core/v1", ks[i]->resource);
		if (shorts[i])
			ok(ks[i]->short_names && strcmp(ks[i]->short_names[0], shorts[i]) == 0 &&
			       !ks[i]->short_names[1],
			   "%s short name %s", ks[i]->resource, shorts[i]);
		else
			ok(ks[i]->short_names == NULL, "%s has no short name", ks[i]->resource);
		snprintf(schema, sizeof(schema), "io.k8s.api.core.v1.%s", kinds[i]);
		is_str(ks[i]->schema_type, schema, "%s schema type", ks[i]->resource);
		ok(ks[i]->has_generation == 0, "%s keeps no generation", ks[i]->resource);
		ok(ks[i]->columns != NULL &&
		       strcmp(ks[i]->columns[ks[i] == &k8c_kind_events ? 9 : 0].name, "Name") == 0,
		   "%s has a Name column", ks[i]->resource);
	}
	ok(k8c_kind_pods.categories && strcmp(k8c_kind_pods.categories[0], "all") == 0,
	   "pods in category all");
	ok(k8c_kind_services.categories && strcmp(k8c_kind_services.categories[0], "all") == 0,
	   "services in all");
	ok(k8c_kind_nodes.categories == NULL && k8c_kind_configmaps.categories == NULL,
	   "nodes, configmaps: no category");
	ok(!(k8c_kind_namespaces.verbs & K8C_VERB_DELETECOLLECTION) &&
	       (k8c_kind_namespaces.verbs & K8C_VERB_PATCH),
	   "namespaces: no deletecollection");
	ok(k8c_kind_events.verbs == K8C_VERBS_ALL && k8c_kind_configmaps.verbs == K8C_VERBS_ALL,
	   "full verbs");
	is_int(k8c_kind_pods.subresources,
	       K8C_SUB_STATUS | K8C_SUB_BINDING | K8C_SUB_LOG | K8C_SUB_EVICTION,
	       "pod subresources");
	ok(k8c_kind_services.subresources == K8C_SUB_STATUS &&
	       k8c_kind_nodes.subresources == K8C_SUB_STATUS &&
	       k8c_kind_namespaces.subresources == (K8C_SUB_STATUS | K8C_SUB_FINALIZE) &&
	       k8c_kind_persistentvolumes.subresources == K8C_SUB_STATUS &&
	       k8c_kind_persistentvolumeclaims.subresources == K8C_SUB_STATUS,
	   "status subresources (and namespaces/finalize)");
	ok(!k8c_kind_namespaces.namespaced && !k8c_kind_nodes.namespaced &&
	       !k8c_kind_persistentvolumes.namespaced && k8c_kind_pods.namespaced &&
	       k8c_kind_events.namespaced,
	   "scopes");
	ok(k8c_kind_pods.has_status && k8c_kind_nodes.has_status &&
	       !k8c_kind_configmaps.has_status && !k8c_kind_events.has_status,
	   "status strategies");
	is_str(k8c_kind_endpoints.singular, "endpoints", "endpoints singular");
}

#define POD_JSON                                                                                   \
	"{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"web\",\"namespace\":"    \
	"\"default\"},"                                                                            \
	"\"spec\":{\"containers\":[{\"name\":\"web\",\"image\":\"nginx\",\"ports\":[{"             \
	"\"containerPort\":80}],"                                                                  \
	"\"env\":[{\"name\":\"POD\",\"valueFrom\":{\"fieldRef\":{\"fieldPath\":\"metadata.name\"}" \
	"}}],"                                                                                     \
	"\"resources\":{\"limits\":{\"cpu\":\"500m\",\"memory\":\"128Mi\"},\"requests\":{\"cpu\":" \
	"\"250m\"}},"                                                                              \
	"\"livenessProbe\":{\"httpGet\":{\"port\":80}},\"readinessProbe\":{\"tcpSocket\":{"        \
	"\"port\":\"http\"}},"                                                                     \
	"\"volumeMounts\":[{\"name\":\"cfg\",\"mountPath\":\"/etc/cfg\"}]},"                       \
	"{\"name\":\"side\",\"image\":\"busybox:1.36\",\"command\":[\"sleep\",\"1d\"]}],"          \
	"\"initContainers\":[{\"name\":\"init\",\"image\":\"registry.local:5000/tools\"}],"        \
	"\"volumes\":[{\"name\":\"cfg\",\"configMap\":{\"name\":\"cfg\"}},{\"name\":\"s\","        \
	"\"secret\":{\"secretName\":\"s\"}},"                                                      \
	"{\"name\":\"scratch\"},{\"name\":\"host\",\"hostPath\":{\"path\":\"/var/log\"}}]}}"

static void test_pod_defaults(void)
{
	cJSON *pod = J(POD_JSON);
	k8c_field_errors_t e = K8C_FIELD_ERRORS_INIT;
	const cJSON *spec, *c0, *c1, *init;

	create(&k8c_kind_pods, pod, &e);
	EXPECT_NO_ERRS(&e, "realistic pod");
	spec = k8c_jget(pod, "spec");
	c0 = cJSON_GetArrayItem(k8c_jget(spec, "containers"), 0);
	c1 = cJSON_GetArrayItem(k8c_jget(spec, "containers"), 1);
	init = cJSON_GetArrayItem(k8c_jget(spec, "initContainers"), 0);
	is_str(S(spec, "restartPolicy"), "Always", "restartPolicy Always");
	is_int(k8c_jint(spec, "terminationGracePeriodSeconds", -1), 30,
	       "terminationGracePeriodSeconds 30");
	is_str(S(spec, "dnsPolicy"), "ClusterFirst", "dnsPolicy ClusterFirst");
	is_str(S(spec, "schedulerName"), "default-scheduler", "schedulerName");
	ok(cJSON_IsObject(k8c_jget(spec, "securityContext")), "securityContext {}");
	is_int(k8c_jbool(spec, "enableServiceLinks", 0), 1, "enableServiceLinks true");
	/* the Priority admission plugin sets these (admission.c), not defaulting */
	ok(k8c_jget(spec, "preemptionPolicy") == NULL && k8c_jget(spec, "priority") == NULL,
	   "priority and preemptionPolicy are left to admission");
	is_str(S(c0, "terminationMessagePath"), "/dev/termination-log", "terminationMessagePath");
	is_str(S(c0, "terminationMessagePolicy"), "File", "terminationMessagePolicy File");
	is_str(S(c0, "imagePullPolicy"), "Always", "untagged image: Always");
	is_str(S(c1, "imagePullPolicy"), "IfNotPresent", "tagged image: IfNotPresent");
	is_str(S(init, "imagePullPolicy"), "Always", "registry:port/name: Always");
	ok(cJSON_IsObject(k8c_jget(c1, "resources")), "resources {} always written");
	is_str(S(cJSON_GetArrayItem(k8c_jget(c0, "ports"), 0), "protocol"), "TCP",
	       "port protocol TCP");
	is_str(S(cJSON_GetArrayItem(k8c_jget(c0, "env"), 0), "valueFrom.fieldRef.apiVersion"), "v1",
	       "fieldRef apiVersion v1");
	is_str(S(c0, "resources.requests.memory"), "128Mi", "requests default to limits");
	is_str(S(c0, "resources.requests.cpu"), "250m", "existing requests kept");
	is_int(k8c_jint(c0, "livenessProbe.timeoutSeconds", -1), 1, "probe timeoutSeconds 1");
	is_int(k8c_jint(c0, "livenessProbe.periodSeconds", -1), 10, "probe periodSeconds 10");
	is_int(k8c_jint(c0, "livenessProbe.successThreshold", -1), 1, "probe successThreshold 1");
	is_int(k8c_jint(c0, "livenessProbe.failureThreshold", -1), 3, "probe failureThreshold 3");
	is_str(S(c0, "livenessProbe.httpGet.path"), "/", "httpGet path /");
	is_str(S(c0, "livenessProbe.httpGet.scheme"), "HTTP", "httpGet scheme HTTP");
	is_int(k8c_jint(c0, "readinessProbe.failureThreshold", -1), 3,
	       "readiness probe defaulted too");
	is_int(
	    k8c_jint(cJSON_GetArrayItem(k8c_jget(spec, "volumes"), 0), "configMap.defaultMode", -1),
	    420, "configMap defaultMode 420");
	is_int(k8c_jint(cJSON_GetArrayItem(k8c_jget(spec, "volumes"), 1), "secret.defaultMode", -1),
	       420, "secret defaultMode 420");
	ok(cJSON_IsObject(k8c_jget(cJSON_GetArrayItem(k8c_jget(spec, "volumes"), 2), "emptyDir")),
	   "a volume without source is an emptyDir");
	is_str(S(cJSON_GetArrayItem(k8c_jget(spec, "volumes"), 3), "hostPath.type"), "",
	       "hostPath type \"\"");
	is_str(S(pod, "status.phase"), "Pending", "status.phase Pending on create");
	is_str(S(pod, "status.qosClass"), "Burstable", "qosClass Burstable");
	k8c_field_errors_free(&e);
	cJSON_Delete(pod);

	pod = J("{\"metadata\":{\"name\":\"g\"},\"spec\":{\"hostNetwork\":true,\"serviceAccount\":"
	        "\"old\","
	        "\"containers\":[{\"name\":\"c\",\"image\":\"nginx:latest\",\"ports\":[{"
	        "\"containerPort\":8080}],"
	        "\"resources\":{\"limits\":{\"cpu\":\"1\",\"memory\":\"1Gi\"}}}],"
	        "\"schedulingGates\":[{\"name\":\"x.io/g\"}]}}");
	create(&k8c_kind_pods, pod, &e);
	EXPECT_NO_ERRS(&e, "gated host-network pod");
	is_str(S(pod, "status.qosClass"), "Guaranteed", "limits only: Guaranteed");
	is_str(S(cJSON_GetArrayItem(k8c_jget(pod, "spec.containers"), 0), "imagePullPolicy"),
	       "Always", ":latest: Always");
	is_int(
	    k8c_jint(
	        cJSON_GetArrayItem(
	            k8c_jget(cJSON_GetArrayItem(k8c_jget(pod, "spec.containers"), 0), "ports"), 0),
	        "hostPort", 0),
	    8080, "host network: hostPort = containerPort");
	is_str(S(pod, "spec.serviceAccountName"), "old", "serviceAccount fills serviceAccountName");
	is_str(S(cJSON_GetArrayItem(k8c_jget(pod, "status.conditions"), 0), "reason"),
	       "SchedulingGated", "gated pods get a PodScheduled=False condition");
	k8c_field_errors_free(&e);
	cJSON_Delete(pod);

	pod = J("{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"nginx@sha256:abcd\"}]}}");
	k8c_kind_pods.defaults(pod);
	is_str(k8c_core_pod_qos(pod), "BestEffort", "no resources: BestEffort");
	is_str(S(cJSON_GetArrayItem(k8c_jget(pod, "spec.containers"), 0), "imagePullPolicy"),
	       "IfNotPresent", "digest only: IfNotPresent");
	cJSON_Delete(pod);
}

static void test_pod_validation(void)
{
	cJSON *pod = J(
	    "{\"metadata\":{\"name\":\"web\",\"namespace\":\"default\"},\"spec\":{\"containers\":["
	    "{\"name\":\"Web\",\"image\":\"\",\"ports\":[{\"containerPort\":70000,\"protocol\":"
	    "\"TCPX\"},{\"name\":\"http_1\",\"containerPort\":81}]},"
	    "{\"name\":\"web2\",\"image\":\"nginx\",\"resources\":{\"limits\":{\"cpu\":\"1\"},"
	    "\"requests\":{\"cpu\":\"2\"}},"
	    "\"env\":[{\"name\":\"A=B\"},{\"name\":\"\"}],\"livenessProbe\":{\"exec\":{\"command\":"
	    "[\"true\"]},\"httpGet\":{\"port\":80}}},"
	    "{\"name\":\"web2\",\"image\":\"nginx\",\"volumeMounts\":[{\"name\":\"missing\","
	    "\"mountPath\":\"/x\"}],\"readinessProbe\":{}}],"
	    "\"initContainers\":[{\"name\":\"web2\",\"image\":\"busybox\"}],"
	    "\"restartPolicy\":\"Sometimes\",\"dnsPolicy\":\"Bad\",\"nodeName\":\"Node_1\","
	    "\"tolerations\":[{\"key\":\"k\",\"operator\":\"Exists\",\"value\":\"v\"},{"
	    "\"operator\":\"Equal\",\"effect\":\"NoRun\"}],"
	    "\"volumes\":[{\"name\":\"data\",\"emptyDir\":{},\"hostPath\":{\"path\":\"/"
	    "tmp\"}},{\"name\":\"data2\",\"emptyDir\":{}},"
	    "{\"name\":\"data2\",\"emptyDir\":{}},{\"name\":\"Bad_Name\",\"configMap\":{}}]}}");
	k8c_field_errors_t e = K8C_FIELD_ERRORS_INIT;

	create(&k8c_kind_pods, pod, &e);
	EXPECT_ERR(&e,
	           "spec.volumes[0].hostPath: Forbidden: may not specify more than 1 volume type");
	EXPECT_ERR(&e, "spec.volumes[2].name: Duplicate value: \"data2\"");
	EXPECT_ERR(&e, "spec.volumes[3].configMap.name: Required value");
	EXPECT_ERR(&e, "spec.volumes[3].name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 "
	               "label must consist of "
	               "lower case alphanumeric characters or '-', and must start and end with an "
	               "alphanumeric character "
	               "(e.g. 'my-name',  or '123-abc', regex used for validation is "
	               "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')");
	EXPECT_ERR(&e, "spec.containers[0].name: Invalid value: \"Web\": a lowercase RFC 1123 "
	               "label must consist of "
	               "lower case alphanumeric characters or '-', and must start and end with an "
	               "alphanumeric character "
	               "(e.g. 'my-name',  or '123-abc', regex used for validation is "
	               "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')");
	EXPECT_ERR(&e, "spec.containers[0].image: Required value");
	EXPECT_ERR(&e, "spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be "
	               "between 1 and 65535, inclusive");
	EXPECT_ERR(&e, "spec.containers[0].ports[0].protocol: Unsupported value: \"TCPX\": "
	               "supported values: \"SCTP\", \"TCP\", \"UDP\"");
	EXPECT_ERR(&e, "spec.containers[0].ports[1].name: Invalid value: \"http_1\": must contain "
	               "only alpha-numeric "
	               "characters (a-z, 0-9), and hyphens (-)");
	EXPECT_ERR(&e, "spec.containers[1].resources.requests: Invalid value: \"2\": must be less "
	               "than or equal to cpu limit of 1");
	EXPECT_ERR(&e, "spec.containers[1].env[0].name: Invalid value: \"A=B\": a valid "
	               "environment variable name must "
	               "consist only of printable ASCII characters other than '='");
	EXPECT_ERR(&e, "spec.containers[1].env[1].name: Required value");
	EXPECT_ERR(&e, "spec.containers[1].livenessProbe.httpGet: Forbidden: may not specify more "
	               "than 1 handler type");
	EXPECT_ERR(&e, "spec.containers[2].volumeMounts[0].name: Not found: \"missing\"");
	EXPECT_ERR(&e, "spec.containers[2].name: Duplicate value: \"web2\"");
	EXPECT_ERR(
	    &e, "spec.containers[2].readinessProbe: Required value: must specify a handler type");
	EXPECT_ERR(&e, "spec.initContainers[0].name: Duplicate value: \"web2\"");
	EXPECT_ERR(&e, "spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: "
	               "\"Always\", \"OnFailure\", \"Never\"");
	EXPECT_ERR(&e, "spec.dnsPolicy: Unsupported value: \"Bad\": supported values: "
	               "\"ClusterFirstWithHostNet\", "
	               "\"ClusterFirst\", \"Default\", \"None\"");
	EXPECT_ERR(&e, "spec.nodeName: Invalid value: \"Node_1\": a lowercase RFC 1123 subdomain "
	               "must consist of lower "
	               "case alphanumeric characters, '-' or '.', and must start and end with an "
	               "alphanumeric character "
	               "(e.g. 'example.com', regex used for validation is "
	               "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
	EXPECT_ERR(&e, "spec.tolerations[0].operator: Invalid value: \"v\": value must be empty "
	               "when `operator` is 'Exists'");
	EXPECT_ERR(&e, "spec.tolerations[1].operator: Invalid value: \"Equal\": operator must be "
	               "Exists when `key` is "
	               "empty, which means \"match all values and all keys\"");
	EXPECT_ERR(&e, "spec.tolerations[1].effect: Unsupported value: \"NoRun\": supported "
	               "values: \"NoSchedule\", "
	               "\"PreferNoSchedule\", \"NoExecute\"");
	is_int(e.n, 23, "exactly the expected errors");
	k8c_field_errors_free(&e);
	cJSON_Delete(pod);

	pod = J("{\"metadata\":{\"name\":\"p\"},\"spec\":{}}");
	create(&k8c_kind_pods, pod, &e);
	EXPECT_ERR(&e, "spec.containers: Required value");
	is_int(e.n, 1, "an empty spec: only containers missing");
	k8c_field_errors_free(&e);
	cJSON_Delete(pod);

	pod = J("{\"metadata\":{\"name\":\"p\"},\"spec\":{\"nodeName\":\"n1\",\"schedulingGates\":["
	        "{\"name\":\"g\"}],"
	        "\"ephemeralContainers\":[{\"name\":\"dbg\",\"image\":\"busybox\"}],"
	        "\"containers\":[{\"name\":\"c\",\"image\":\" "
	        "nginx\",\"resources\":{\"limits\":{\"example.com/gpu\":\"1\"},"
	        "\"requests\":{\"example.com/gpu\":\"2\",\"memory\":\"-1\"}}}]}}");
	create(&k8c_kind_pods, pod, &e);
	EXPECT_ERR(&e, "spec.containers[0].image: Invalid value: \" nginx\": must not have leading "
	               "or trailing whitespace");
	EXPECT_ERR(&e, "spec.containers[0].resources.requests: Invalid value: \"2\": must be equal "
	               "to example.com/gpu limit of 1");
	EXPECT_ERR(&e, "spec.containers[0].resources.requests[memory]: Invalid value: \"-1\": must "
	               "be greater than or equal to 0");
	EXPECT_ERR(&e, "spec.ephemeralContainers: Forbidden: cannot be set on create");
	EXPECT_ERR(
	    &e,
	    "spec.nodeName: Forbidden: cannot be set until all schedulingGates have been cleared");
	k8c_field_errors_free(&e);
	cJSON_Delete(pod);
}

static void test_pod_update(void)
{
	k8c_field_errors_t e = K8C_FIELD_ERRORS_INIT;
	cJSON *old = J(POD_JSON), *pod;
	cJSON *c;

	create(&k8c_kind_pods, old, &e);
	k8c_field_errors_free(&e);

	/* as a patch does it: the stored object with the changes applied */
	pod = cJSON_Duplicate(old, 1);
	cJSON_DeleteItemFromObject(pod, "status");
	c = cJSON_GetArrayItem(k8c_jget(pod, "spec.containers"), 0);
	cJSON_ReplaceItemInObject(c, "image", cJSON_CreateString("nginx:1.27"));
	cJSON_AddNumberToObject(cJSON_GetObjectItem(pod, "spec"), "activeDeadlineSeconds", 60);
	cJSON_AddItemToObject(cJSON_GetObjectItem(pod, "spec"), "tolerations",
	                      J("[{\"key\":\"k\",\"operator\":\"Exists\",\"effect\":\"NoExecute\","
	                        "\"tolerationSeconds\":5}]"));
	update(&k8c_kind_pods, pod, old, &e);
	EXPECT_NO_ERRS(&e, "image, activeDeadlineSeconds and tolerations may change");
	is_str(S(pod, "status.qosClass"), "Burstable", "status kept on update");
	k8c_field_errors_free(&e);

	cJSON_Delete(old);
	old = pod;
	pod = cJSON_Duplicate(old, 1);
	cJSON_ReplaceItemInObject(cJSON_GetObjectItem(pod, "spec"), "activeDeadlineSeconds",
	                          cJSON_CreateNumber(120));
	update(&k8c_kind_pods, pod, old, &e);
	EXPECT_ERR(&e, "spec.activeDeadlineSeconds: Invalid value: 120: must be less than or equal "
	               "to previous value");
	k8c_field_errors_free(&e);
	cJSON_Delete(pod);

	pod = cJSON_Duplicate(old, 1);
	cJSON_DeleteItemFromObject(cJSON_GetObjectItem(pod, "spec"), "tolerations");
	cJSON_ReplaceItemInObject(cJSON_GetObjectItem(pod, "spec"), "restartPolicy",
	                          cJSON_CreateString("Never"));
	update(&k8c_kind_pods, pod, old, &e);
	EXPECT_ERR(&e, "spec.tolerations: Forbidden: existing toleration can not be modified "
	               "except its tolerationSeconds");
#define UPDATABLE                                                                                  \
	"pod updates may not change fields other than `spec.containers[*].image`,"                 \
	"`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only "    \
	"additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be " \
	"set to 1 if it was previously negative)\n"
	ok(e.n == 2 && e.items[1].type == K8C_FIELD_FORBIDDEN &&
	       strncmp(e.items[1].detail, UPDATABLE, strlen(UPDATABLE)) == 0 &&
	       strcmp(e.items[1].field, "spec") == 0,
	   "other spec changes: Forbidden on spec");
	ok(e.n == 2 && strstr(e.items[1].detail, "spec.restartPolicy") != NULL,
	   "the diff names the field");
	k8c_field_errors_free(&e);
	cJSON_Delete(pod);

	pod = cJSON_Duplicate(old, 1);
	cJSON_AddItemToArray(cJSON_GetObjectItem(cJSON_GetObjectItem(pod, "spec"), "containers"),
	                     J("{\"name\":\"more\",\"image\":\"nginx\"}"));
	update(&k8c_kind_pods, pod, old, &e);
	EXPECT_ERR(&e, "spec.containers: Forbidden: pod updates may not add or remove containers");
	k8c_field_errors_free(&e);
	cJSON_Delete(pod);

	/* status updates: the QoS class is fixed */
	pod = cJSON_Duplicate(old, 1);
	cJSON_ReplaceItemInObject(cJSON_GetObjectItem(pod, "status"), "qosClass",
	                          cJSON_CreateString("Guaranteed"));
	k8c_kind_pods.validate(K8C_OP_STATUS_UPDATE, pod, old, &e);
	EXPECT_ERR(&e, "status.qosClass: Invalid value: \"Guaranteed\": field is immutable");
	k8c_field_errors_free(&e);
	cJSON_Delete(pod);
	cJSON_Delete(old);
}

/* A pod created at T0 with the given spec and status JSON fragments. */
static cJSON *pod_with(const char *spec, const char *status, const char *extra_meta)
{
	char buf[4096];

	snprintf(buf, sizeof(buf),
	         "{\"metadata\":{\"name\":\"p\",\"creationTimestamp\":\"2024-01-01T00:00:00Z\"%s},"
	         "\"spec\":%s,\"status\":%s}",
	         extra_meta, spec, status);
	return J(buf);
}

static void test_pod_rows(void)
{
	const char *one = "{\"containers\":[{\"name\":\"c\"}]}";
	const char *init1 =
	    "{\"initContainers\":[{\"name\":\"i\"}],\"containers\":[{\"name\":\"c\"}]}";
	struct {
		const char *spec, *status, *meta, *want, *what;
	} cases[] = {
	    {one, "{\"phase\":\"Pending\"}", "", "p|0/1|Pending|0|60m|<none>|<none>|<none>|<none>",
	     "pending"},
	    {one,
	     "{\"phase\":\"Pending\",\"containerStatuses\":[{\"name\":\"c\",\"ready\":false,"
	     "\"restartCount\":0,"
	     "\"state\":{\"waiting\":{\"reason\":\"ContainerCreating\"}}}]}",
	     "", "p|0/1|ContainerCreating|0|60m|<none>|<none>|<none>|<none>", "container creating"},
	    {"{\"nodeName\":\"node1\",\"readinessGates\":[{\"conditionType\":\"a.io/"
	     "x\"},{\"conditionType\":\"b.io/y\"}],"
	     "\"containers\":[{\"name\":\"c\"}]}",
	     "{\"phase\":\"Running\",\"podIP\":\"10.1.2.3\",\"podIPs\":[{\"ip\":\"10.1.2.3\"}],"
	     "\"conditions\":["
	     "{\"type\":\"a.io/x\",\"status\":\"True\"},{\"type\":\"b.io/"
	     "y\",\"status\":\"False\"}],"
	     "\"containerStatuses\":[{\"name\":\"c\",\"ready\":true,\"restartCount\":0,\"state\":{"
	     "\"running\":{}}}]}",
	     "", "p|1/1|Running|0|60m|10.1.2.3|node1|<none>|1/2", "running, wide cells"},
	    {one,
	     "{\"phase\":\"Running\",\"containerStatuses\":[{\"name\":\"c\",\"ready\":false,"
	     "\"restartCount\":2,"
	     "\"lastState\":{\"terminated\":{\"exitCode\":1,\"finishedAt\":\"2024-01-01T00:55:"
	     "00Z\"}},"
	     "\"state\":{\"waiting\":{\"reason\":\"CrashLoopBackOff\"}}}]}",
	     "", "p|0/1|CrashLoopBackOff|2 (5m ago)|60m|<none>|<none>|<none>|<none>",
	     "crash loop with restarts"},
	    {one,
	     "{\"phase\":\"Succeeded\",\"containerStatuses\":[{\"name\":\"c\",\"ready\":false,"
	     "\"restartCount\":0,"
	     "\"state\":{\"terminated\":{\"exitCode\":0,\"reason\":\"Completed\"}}}]}",
	     "", "p|0/1|Completed|0|60m|<none>|<none>|<none>|<none>", "completed"},
	    {one,
	     "{\"phase\":\"Failed\",\"containerStatuses\":[{\"name\":\"c\",\"ready\":false,"
	     "\"restartCount\":0,"
	     "\"state\":{\"terminated\":{\"exitCode\":1,\"reason\":\"Error\"}}}]}",
	     "", "p|0/1|Error|0|60m|<none>|<none>|<none>|<none>", "error"},
	    {one,
	     "{\"phase\":\"Failed\",\"containerStatuses\":[{\"name\":\"c\",\"ready\":false,"
	     "\"restartCount\":0,"
	     "\"state\":{\"terminated\":{\"exitCode\":137}}}]}",
	     "", "p|0/1|ExitCode:137|0|60m|<none>|<none>|<none>|<none>",
	     "exit code without reason"},
	    {init1,
	     "{\"phase\":\"Pending\",\"initContainerStatuses\":[{\"name\":\"i\",\"ready\":false,"
	     "\"restartCount\":0,"
	     "\"state\":{\"running\":{}}}],\"containerStatuses\":[{\"name\":\"c\",\"ready\":false,"
	     "\"restartCount\":0,"
	     "\"state\":{\"waiting\":{\"reason\":\"PodInitializing\"}}}]}",
	     "", "p|0/1|Init:0/1|0|60m|<none>|<none>|<none>|<none>", "init running"},
	    {init1,
	     "{\"phase\":\"Pending\",\"initContainerStatuses\":[{\"name\":\"i\",\"ready\":false,"
	     "\"restartCount\":3,"
	     "\"lastState\":{\"terminated\":{\"exitCode\":1,\"finishedAt\":\"2024-01-01T00:59:"
	     "30Z\"}},"
	     "\"state\":{\"waiting\":{\"reason\":\"CrashLoopBackOff\"}}}]}",
	     "", "p|0/1|Init:CrashLoopBackOff|3 (30s ago)|60m|<none>|<none>|<none>|<none>",
	     "init crash loop"},
	    {init1,
	     "{\"phase\":\"Failed\",\"initContainerStatuses\":[{\"name\":\"i\",\"ready\":false,"
	     "\"restartCount\":0,"
	     "\"state\":{\"terminated\":{\"exitCode\":1,\"reason\":\"Error\"}}}]}",
	     "", "p|0/1|Init:Error|0|60m|<none>|<none>|<none>|<none>", "init error"},
	    {one,
	     "{\"phase\":\"Running\",\"containerStatuses\":[{\"name\":\"c\",\"ready\":true,"
	     "\"restartCount\":0,"
	     "\"state\":{\"running\":{}}}]}",
	     ",\"deletionTimestamp\":\"2024-01-01T00:59:00Z\"",
	     "p|1/1|Terminating|0|60m|<none>|<none>|<none>|<none>", "terminating"},
	    {one,
	     "{\"phase\":\"Pending\",\"conditions\":[{\"type\":\"PodScheduled\",\"status\":"
	     "\"False\","
	     "\"reason\":\"SchedulingGated\"}]}",
	     "", "p|0/1|SchedulingGated|0|60m|<none>|<none>|<none>|<none>", "scheduling gated"},
	    {"{\"containers\":[{\"name\":\"a\"},{\"name\":\"b\"}]}",
	     "{\"phase\":\"Running\",\"containerStatuses\":[{\"name\":\"a\",\"ready\":true,"
	     "\"restartCount\":0,"
	     "\"state\":{\"running\":{}}},{\"name\":\"b\",\"ready\":false,\"restartCount\":0,"
	     "\"state\":{\"terminated\":{\"exitCode\":0,\"reason\":\"Completed\"}}}]}",
	     "", "p|1/2|NotReady|0|60m|<none>|<none>|<none>|<none>",
	     "completed with a running container"},
	    {"{\"initContainers\":[{\"name\":\"side\",\"restartPolicy\":\"Always\"}],"
	     "\"containers\":[{\"name\":\"c\"}]}",
	     "{\"phase\":\"Running\",\"conditions\":[{\"type\":\"Initialized\",\"status\":\"True\"}"
	     "],"
	     "\"initContainerStatuses\":[{\"name\":\"side\",\"ready\":true,\"started\":true,"
	     "\"restartCount\":1,"
	     "\"state\":{\"running\":{}}}],\"containerStatuses\":[{\"name\":\"c\",\"ready\":true,"
	     "\"restartCount\":0,"
	     "\"state\":{\"running\":{}}}]}",
	     "", "p|2/2|Running|1|60m|<none>|<none>|<none>|<none>", "sidecar counted"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cJSON *pod = pod_with(cases[i].spec, cases[i].status, cases[i].meta);
		IS_ROW(&k8c_kind_pods, pod, cases[i].want, cases[i].what);
		cJSON_Delete(pod);
	}
	is_str(k8c_kind_pods.columns[7].name, "Nominated Node", "wide column names");
	is_int(k8c_kind_pods.columns[5].priority, 1, "IP is a wide column");
}

static void test_pod_fields(void)
{
	cJSON *pod = J("{\"spec\":{\"nodeName\":\"n1\"},\"status\":{\"phase\":\"Running\","
	               "\"podIPs\":[{\"ip\":\"10.0.0.9\"}]}}");
	char buf[64];
	const char *const *f;
	int n = 0;

	for (f = k8c_kind_pods.field_selectors; *f; f++)
		n++;
	is_int(n, 8, "eight pod field selectors");
	is_str(k8c_kind_pods.field_value(pod, "spec.hostNetwork", buf, sizeof(buf)), "false",
	       "hostNetwork false by default");
	is_str(k8c_kind_pods.field_value(pod, "status.podIP", buf, sizeof(buf)), "10.0.0.9",
	       "podIP from podIPs");
	is_str(k8c_kind_pods.field_value(pod, "spec.nodeName", buf, sizeof(buf)), "n1", "nodeName");
	ok(k8c_kind_pods.field_value(pod, "spec.schedulerName", buf, sizeof(buf)) == NULL,
	   "absent field: NULL");
	cJSON_Delete(pod);
}

#include "test_kinds_core_more.h"

#include "apiserver/kinds/core_internal.h"

/* Field paths: %s and %d formatted in place, the rest through vsnprintf,
 * cut short to the buffer like snprintf. */
static void test_pathf(void)
{
	char buf[64], small[8];

	is_str(CORE_PATH(buf, "%s.containers[%d].ports[%d]", "spec", 3, -12), "spec.containers[3].ports[-12]",
	       "strings and ints");
	is_str(CORE_PATH(buf, "plain"), "plain", "no conversions");
	is_str(CORE_PATH(buf, "%d", -2147483647 - 1), "-2147483648", "INT_MIN");
	is_str(CORE_PATH(small, "%s.%s", "spec", "containers"), "spec.co", "cut short at the buffer");
	is_str(CORE_PATH(small, "abcdefghij"), "abcdefg", "literal cut short");
	is_str(CORE_PATH(small, "x[%d]", 123456789), "x[12345", "number cut short");
	is_str(CORE_PATH(buf, "%s[%zu] 100%%", "a", (size_t)7), "a[7] 100%", "other conversions (%%zu, %%%%) via vsnprintf");
}

int main(void)
{
	test_pathf();
	test_discovery();
	test_pod_defaults();
	test_pod_validation();
	test_pod_update();
	test_pod_rows();
	test_pod_fields();
	test_services();
	test_namespaces();
	test_config();
	test_events_endpoints();
	test_nodes();
	test_volumes();
	return done_testing();
}
