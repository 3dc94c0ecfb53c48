/* Kubernetes protobuf bodies into JSON (core/apiserver/protobuf.h): bodies
 * built here byte by byte, as kubectl's client-go writes them, and the
 * ways a body can be broken. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "apiserver/protobuf.h"
#include "apiserver/schema.h"
#include "common/mem.h"
#include "tap.h"

/* --- a tiny protobuf writer ----------------------------------------------------- */

typedef struct {
	unsigned char *d;
	size_t n, cap;
} buf_t;

static void put_raw(buf_t *b, const void *p, size_t n)
{
	if (b->n + n > b->cap) {
		b->cap = (b->n + n) * 2 + 16;
		b->d = k8c_xrealloc(b->d, b->cap);
	}
	if (n > 0)
		memcpy(b->d + b->n, p, n);
	b->n += n;
}

static void put_varint(buf_t *b, uint64_t v)
{
	unsigned char c;

	do {
		c = (unsigned char)(v & 0x7f);
		v >>= 7;
		if (v)
			c |= 0x80;
		put_raw(b, &c, 1);
	} while (v);
}

static void put_key(buf_t *b, unsigned num, unsigned wire)
{
	put_varint(b, (uint64_t)num << 3 | wire);
}

static void put_uint(buf_t *b, unsigned num, uint64_t v)
{
	put_key(b, num, 0);
	put_varint(b, v);
}

static void put_bytes(buf_t *b, unsigned num, const void *p, size_t n)
{
	put_key(b, num, 2);
	put_varint(b, n);
	put_raw(b, p, n);
}

static void put_str(buf_t *b, unsigned num, const char *s)
{
	put_bytes(b, num, s, strlen(s));
}

/* Append sub as message field num and free it. */
static void put_msg(buf_t *b, unsigned num, buf_t *sub)
{
	put_bytes(b, num, sub->d, sub->n);
	free(sub->d);
	memset(sub, 0, sizeof(*sub));
}

/* A map<string,string> entry. */
static void put_entry(buf_t *b, unsigned num, const char *key, const char *value)
{
	buf_t e = {0};

	put_str(&e, 1, key);
	put_str(&e, 2, value);
	put_msg(b, num, &e);
}

/* intstr.IntOrString. */
static void put_intstr_int(buf_t *b, unsigned num, int32_t v)
{
	buf_t m = {0};

	put_uint(&m, 1, 0);
	put_uint(&m, 2, (uint64_t)(int64_t)v);
	put_str(&m, 3, "");
	put_msg(b, num, &m);
}

static void put_intstr_str(buf_t *b, unsigned num, const char *s)
{
	buf_t m = {0};

	put_uint(&m, 1, 1);
	put_uint(&m, 2, 0);
	put_str(&m, 3, s);
	put_msg(b, num, &m);
}

static void put_quantity(buf_t *b, unsigned num, const char *s)
{
	buf_t m = {0};

	put_str(&m, 1, s);
	put_msg(b, num, &m);
}

/* A ResourceList entry (map<string, Quantity>). */
static void put_resource(buf_t *b, unsigned num, const char *name, const char *q)
{
	buf_t e = {0};

	put_str(&e, 1, name);
	put_quantity(&e, 2, q);
	put_msg(b, num, &e);
}

static void put_time(buf_t *b, unsigned num, int64_t seconds, int32_t nanos)
{
	buf_t m = {0};

	put_uint(&m, 1, (uint64_t)seconds);
	put_uint(&m, 2, (uint64_t)(int64_t)nanos);
	put_msg(b, num, &m);
}

/* ObjectMeta as client-go writes it: value strings always, an empty
 * creationTimestamp message. */
static void put_meta(buf_t *b, const char *name, const char *ns)
{
	buf_t m = {0}, t = {0};

	put_str(&m, 1, name);
	put_str(&m, 2, "");
	put_str(&m, 3, ns);
	put_str(&m, 4, "");
	put_str(&m, 5, "");
	put_str(&m, 6, "");
	put_uint(&m, 7, 0);
	put_msg(&m, 8, &t);
	put_msg(b, 1, &m);
}

/* "k8s\0" + runtime.Unknown{typeMeta, raw, contentEncoding, contentType}. */
static void envelope(buf_t *out, const char *api_version, const char *kind, buf_t *raw)
{
	buf_t tm = {0};

	put_raw(out, "k8s\0", 4);
	put_str(&tm, 1, api_version);
	put_str(&tm, 2, kind);
	put_msg(out, 1, &tm);
	put_msg(out, 2, raw);
	put_str(out, 3, "");
	put_str(out, 4, "");
}

/* --- checking ---------------------------------------------------------------- */

static void check_json(const cJSON *got, const char *want, const char *what)
{
	cJSON *w = cJSON_Parse(want);
	int same = w != NULL && got != NULL && cJSON_Compare(got, w, 1);

	if (!ok(same, "%s", what)) {
		char *g = got ? cJSON_PrintUnformatted(got) : NULL;

		printf("#   got  %s\n#   want %s\n", g ? g : "(null)", want);
		free(g);
	}
	cJSON_Delete(w);
}

/* Decode a whole body as type and compare with want; frees body. */
static void decodes(buf_t *body, const char *type, const char *want, const char *what)
{
	cJSON *obj = NULL;
	k8c_error_t err = {0};
	int ret = k8c_protobuf_decode((const char *)body->d, body->n, type, &obj, &err);

	if (ret < 0)
		diag("%s: %s", what, err.message);
	check_json(obj, want, what);
	cJSON_Delete(obj);
	free(body->d);
	memset(body, 0, sizeof(*body));
}

/* Decode a bare message; expect failure with a message containing want. */
static void fails_raw(const void *data, size_t n, const char *type, const char *want,
                      const char *what)
{
	cJSON *obj = (cJSON *)1;
	k8c_error_t err = {0};
	int ret = k8c_protobuf_decode_message(data, n, type, &obj, &err);

	if (!ok(ret == -K8C_EINVAL && obj == NULL && strstr(err.message, want) != NULL, "%s", what))
		printf("#   ret %d, message \"%s\", want \"%s\"\n", ret, err.message, want);
	if (ret == 0)
		cJSON_Delete(obj);
}

static void fails(buf_t *b, const char *type, const char *want, const char *what)
{
	fails_raw(b->d, b->n, type, want, what);
	free(b->d);
	memset(b, 0, sizeof(*b));
}

static void raw_decodes(buf_t *b, const char *type, const char *want, const char *what)
{
	cJSON *obj = NULL;
	k8c_error_t err = {0};

	if (k8c_protobuf_decode_message(b->d, b->n, type, &obj, &err) < 0)
		diag("%s: %s", what, err.message);
	check_json(obj, want, what);
	cJSON_Delete(obj);
	free(b->d);
	memset(b, 0, sizeof(*b));
}

#define CM "io.k8s.api.core.v1.ConfigMap"
#define POD "io.k8s.api.core.v1.Pod"

/* --- kinds --------------------------------------------------------------------- */

static void test_configmap(void)
{
	buf_t raw = {0}, body = {0}, e = {0};

	put_meta(&raw, "x", "default");
	put_entry(&raw, 2, "a", "b");
	put_entry(&raw, 2, "empty", "");
	put_str(&e, 1, "bin");
	put_bytes(&e, 2, "\x00\x01\xff", 3);
	put_msg(&raw, 3, &e);
	put_uint(&raw, 4, 1);
	envelope(&body, "v1", "ConfigMap", &raw);
	decodes(&body, CM,
	        "{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\","
	        "\"metadata\":{\"name\":\"x\",\"namespace\":\"default\"},"
	        "\"data\":{\"a\":\"b\",\"empty\":\"\"},\"binaryData\":{\"bin\":\"AAH/\"},"
	        "\"immutable\":true}",
	        "ConfigMap: data, binaryData as base64, the immutable pointer, empty metadata left out");

	/* kubectl create configmap: labels and annotations maps. */
	buf_t m = {0};
	put_str(&m, 1, "withlabels");
	put_entry(&m, 11, "app", "web");
	put_entry(&m, 11, "tier", "front");
	put_entry(&m, 12, "note", "x=y");
	put_str(&m, 14, "example.com/f");
	put_msg(&raw, 1, &m);
	put_uint(&raw, 4, 0);
	envelope(&body, "v1", "ConfigMap", &raw);
	decodes(&body, CM,
	        "{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"withlabels\","
	        "\"labels\":{\"app\":\"web\",\"tier\":\"front\"},\"annotations\":{\"note\":\"x=y\"},"
	        "\"finalizers\":[\"example.com/f\"]},\"immutable\":false}",
	        "labels, annotations, finalizers; immutable=false kept (a pointer)");
}

static void test_namespace(void)
{
	buf_t raw = {0}, body = {0}, spec = {0}, status = {0};

	put_meta(&raw, "team-a", "");
	put_msg(&raw, 2, &spec);
	put_str(&status, 1, "");
	put_msg(&raw, 3, &status);
	envelope(&body, "v1", "Namespace", &raw);
	decodes(&body, "io.k8s.api.core.v1.Namespace",
	        "{\"kind\":\"Namespace\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"team-a\"},"
	        "\"spec\":{},\"status\":{}}",
	        "Namespace: empty spec and status stay as {} (Go value structs)");
}

/* The pod template of kubectl create deployment. */
static void put_template(buf_t *b, unsigned num)
{
	buf_t tpl = {0}, tm = {0}, ts = {0}, ct = {0}, port = {0}, res = {0}, ctime = {0};

	put_entry(&tm, 11, "app", "web");
	put_msg(&tm, 8, &ctime);
	put_msg(&tpl, 1, &tm);
	put_str(&ct, 1, "nginx");
	put_str(&ct, 2, "nginx:1.25");
	put_str(&port, 1, "");
	put_uint(&port, 2, 0);
	put_uint(&port, 3, 80);
	put_str(&port, 4, "TCP");
	put_str(&port, 5, "");
	put_msg(&ct, 6, &port);
	put_resource(&res, 1, "cpu", "500m");
	put_resource(&res, 1, "memory", "128Mi");
	put_resource(&res, 2, "cpu", "250m");
	put_msg(&ct, 8, &res);
	put_str(&ct, 13, "");
	put_str(&ct, 14, "");
	put_uint(&ct, 16, 0);
	put_msg(&ts, 2, &ct);
	put_str(&ts, 3, "");
	put_msg(&tpl, 2, &ts);
	put_msg(b, num, &tpl);
}

static void test_deployment(void)
{
	buf_t raw = {0}, body = {0}, spec = {0}, sel = {0}, strat = {0}, ru = {0}, status = {0};

	put_meta(&raw, "web", "default");
	put_uint(&spec, 1, 3);
	put_entry(&sel, 1, "app", "web");
	put_msg(&spec, 2, &sel);
	put_template(&spec, 3);
	put_str(&strat, 1, "RollingUpdate");
	put_intstr_int(&ru, 1, 1);
	put_intstr_str(&ru, 2, "25%");
	put_msg(&strat, 2, &ru);
	put_msg(&spec, 4, &strat);
	put_uint(&spec, 5, 0);
	put_uint(&spec, 7, 0);
	put_uint(&spec, 9, 600);
	put_msg(&raw, 2, &spec);
	put_uint(&status, 2, 0);
	put_msg(&raw, 3, &status);
	envelope(&body, "apps/v1", "Deployment", &raw);
	decodes(&body, "io.k8s.api.apps.v1.Deployment",
	        "{\"kind\":\"Deployment\",\"apiVersion\":\"apps/v1\","
	        "\"metadata\":{\"name\":\"web\",\"namespace\":\"default\"},"
	        "\"spec\":{\"replicas\":3,\"selector\":{\"matchLabels\":{\"app\":\"web\"}},"
	        "\"template\":{\"metadata\":{\"labels\":{\"app\":\"web\"}},"
	        "\"spec\":{\"containers\":[{\"name\":\"nginx\",\"image\":\"nginx:1.25\","
	        "\"ports\":[{\"containerPort\":80,\"protocol\":\"TCP\"}],"
	        "\"resources\":{\"limits\":{\"cpu\":\"500m\",\"memory\":\"128Mi\"},"
	        "\"requests\":{\"cpu\":\"250m\"}}}]}},"
	        "\"strategy\":{\"type\":\"RollingUpdate\",\"rollingUpdate\":"
	        "{\"maxUnavailable\":1,\"maxSurge\":\"25%\"}},\"progressDeadlineSeconds\":600},"
	        "\"status\":{}}",
	        "Deployment: nested template, containers, ports, quantities, intstr int and string");

	/* --replicas=0: a pointer, the zero stays. */
	put_uint(&spec, 1, 0);
	put_msg(&raw, 2, &spec);
	envelope(&body, "apps/v1", "Deployment", &raw);
	decodes(&body, "io.k8s.api.apps.v1.Deployment",
	        "{\"kind\":\"Deployment\",\"apiVersion\":\"apps/v1\",\"spec\":{\"replicas\":0}}",
	        "replicas=0 is kept: the Go field is a pointer");
}

static void test_secret(void)
{
	buf_t raw = {0}, body = {0}, e = {0};
	static const unsigned char bin[] = { 0, 'a', 0xfe, 0xff, '\n' };

	put_meta(&raw, "s", "default");
	put_str(&e, 1, "key");
	put_bytes(&e, 2, bin, sizeof(bin));
	put_msg(&raw, 2, &e);
	put_str(&e, 1, "none");
	put_msg(&raw, 2, &e); /* an entry without a value: the empty value */
	put_str(&raw, 3, "Opaque");
	put_entry(&raw, 4, "plain", "text");
	envelope(&body, "v1", "Secret", &raw);
	decodes(&body, "io.k8s.api.core.v1.Secret",
	        "{\"kind\":\"Secret\",\"apiVersion\":\"v1\","
	        "\"metadata\":{\"name\":\"s\",\"namespace\":\"default\"},"
	        "\"data\":{\"key\":\"AGH+/wo=\",\"none\":\"\"},\"type\":\"Opaque\","
	        "\"stringData\":{\"plain\":\"text\"}}",
	        "Secret: bytes as base64, a missing map value is empty");
}

static void test_service(void)
{
	buf_t raw = {0}, body = {0}, spec = {0}, p1 = {0}, p2 = {0}, status = {0}, lb = {0};

	put_meta(&raw, "svc", "default");
	put_str(&p1, 1, "80-8080");
	put_str(&p1, 2, "TCP");
	put_uint(&p1, 3, 80);
	put_intstr_int(&p1, 4, 8080);
	put_uint(&p1, 5, 0);
	put_msg(&spec, 1, &p1);
	put_str(&p2, 1, "https");
	put_str(&p2, 2, "TCP");
	put_uint(&p2, 3, 443);
	put_intstr_str(&p2, 4, "https");
	put_uint(&p2, 5, (uint64_t)(int64_t)-1); /* ten-byte varint of -1 */
	put_msg(&spec, 1, &p2);
	put_entry(&spec, 2, "app", "svc");
	put_str(&spec, 3, "");
	put_str(&spec, 4, "ClusterIP");
	put_str(&spec, 7, "");
	put_uint(&spec, 12, 0);
	put_uint(&spec, 13, 0);
	put_str(&spec, 17, "SingleStack");
	put_msg(&raw, 2, &spec);
	put_msg(&status, 1, &lb);
	put_msg(&raw, 3, &status);
	envelope(&body, "v1", "Service", &raw);
	decodes(&body, "io.k8s.api.core.v1.Service",
	        "{\"kind\":\"Service\",\"apiVersion\":\"v1\","
	        "\"metadata\":{\"name\":\"svc\",\"namespace\":\"default\"},"
	        "\"spec\":{\"ports\":[{\"name\":\"80-8080\",\"protocol\":\"TCP\",\"port\":80,"
	        "\"targetPort\":8080},{\"name\":\"https\",\"protocol\":\"TCP\",\"port\":443,"
	        "\"targetPort\":\"https\",\"nodePort\":-1}],\"selector\":{\"app\":\"svc\"},"
	        "\"type\":\"ClusterIP\",\"ipFamilyPolicy\":\"SingleStack\"},"
	        "\"status\":{\"loadBalancer\":{}}}",
	        "Service: intstr targetPort as number and name, negative int32, empty strings out");

	/* A zero targetPort (kubectl sends the zero IntOrString) stays 0. */
	put_uint(&p1, 3, 80);
	put_intstr_int(&p1, 4, 0);
	put_msg(&spec, 1, &p1);
	put_msg(&raw, 2, &spec);
	raw_decodes(&raw, "io.k8s.api.core.v1.Service",
	            "{\"spec\":{\"ports\":[{\"port\":80,\"targetPort\":0}]}}",
	            "a zero IntOrString is 0, as Go encodes it");
}

static void test_job(void)
{
	buf_t raw = {0}, body = {0}, spec = {0}, tpl = {0}, ps = {0}, ct = {0}, pfp = {0},
	      rule = {0}, codes = {0}, packed = {0}, cond = {0};

	put_meta(&raw, "j", "default");
	put_uint(&spec, 1, 1);
	put_uint(&spec, 2, 1);
	put_uint(&spec, 7, 6);
	put_str(&ct, 1, "j");
	put_str(&ct, 2, "busybox");
	put_str(&ct, 3, "sh");
	put_str(&ct, 3, "-c");
	put_str(&ct, 3, "");
	put_msg(&ps, 2, &ct);
	put_str(&ps, 3, "Never");
	put_msg(&tpl, 2, &ps);
	put_msg(&spec, 6, &tpl);
	put_str(&spec, 9, "NonIndexed");
	put_uint(&spec, 10, 0);
	/* podFailurePolicy: exit codes, the first packed, then one unpacked. */
	put_str(&rule, 1, "FailJob");
	put_str(&codes, 2, "In");
	put_varint(&packed, 1);
	put_varint(&packed, 42);
	put_bytes(&codes, 3, packed.d, packed.n);
	free(packed.d);
	put_uint(&codes, 3, 255);
	put_msg(&rule, 2, &codes);
	put_str(&cond, 1, "DisruptionTarget");
	put_str(&cond, 2, "True");
	put_msg(&rule, 3, &cond);
	put_msg(&pfp, 1, &rule);
	put_msg(&spec, 11, &pfp);
	put_msg(&raw, 2, &spec);
	envelope(&body, "batch/v1", "Job", &raw);
	decodes(&body, "io.k8s.api.batch.v1.Job",
	        "{\"kind\":\"Job\",\"apiVersion\":\"batch/v1\","
	        "\"metadata\":{\"name\":\"j\",\"namespace\":\"default\"},"
	        "\"spec\":{\"parallelism\":1,\"completions\":1,\"backoffLimit\":6,"
	        "\"template\":{\"spec\":{\"containers\":[{\"name\":\"j\",\"image\":\"busybox\","
	        "\"command\":[\"sh\",\"-c\",\"\"]}],\"restartPolicy\":\"Never\"}},"
	        "\"completionMode\":\"NonIndexed\",\"suspend\":false,"
	        "\"podFailurePolicy\":{\"rules\":[{\"action\":\"FailJob\",\"onExitCodes\":"
	        "{\"operator\":\"In\",\"values\":[1,42,255]},\"onPodConditions\":"
	        "[{\"type\":\"DisruptionTarget\",\"status\":\"True\"}]}]}}}",
	        "Job: pointers, a command list with an empty item, packed and unpacked int32s");
}

static void test_pod(void)
{
	buf_t raw = {0}, spec = {0}, vol = {0}, vs = {0}, cmv = {0}, lor = {0}, ct = {0},
	      probe = {0}, handler = {0}, hg = {0}, sc = {0}, psc = {0}, groups = {0}, ec = {0},
	      ecc = {0};

	/* Volume{name, VolumeSource (embedded, 2){configMap (19){LocalObjectReference
	 * (embedded, 1){name}, defaultMode}}} */
	put_str(&vol, 1, "cfg");
	put_str(&lor, 1, "settings");
	put_msg(&cmv, 1, &lor);
	put_uint(&cmv, 3, 420);
	put_msg(&vs, 19, &cmv);
	put_msg(&vol, 2, &vs);
	put_msg(&spec, 1, &vol);
	/* Probe{ProbeHandler (embedded, 1){httpGet{path, port}}, periodSeconds} */
	put_str(&ct, 1, "app");
	put_str(&hg, 1, "/healthz");
	put_intstr_str(&hg, 2, "http");
	put_msg(&handler, 2, &hg);
	put_msg(&probe, 1, &handler);
	put_uint(&probe, 4, 5);
	put_msg(&ct, 10, &probe);
	put_uint(&sc, 4, 0);  /* runAsUser: 0, a pointer */
	put_uint(&sc, 2, 0);  /* privileged: false, a pointer */
	put_msg(&ct, 15, &sc);
	put_msg(&spec, 2, &ct);
	put_varint(&groups, 1000);
	put_varint(&groups, 2000);
	put_bytes(&psc, 4, groups.d, groups.n);
	free(groups.d);
	put_uint(&psc, 5, 3000);
	put_msg(&spec, 14, &psc);
	/* EphemeralContainer{EphemeralContainerCommon (embedded, 1){name},
	 * targetContainerName} */
	put_str(&ecc, 1, "debug");
	put_msg(&ec, 1, &ecc);
	put_str(&ec, 2, "app");
	put_msg(&spec, 34, &ec);
	put_uint(&spec, 4, 30);
	put_msg(&raw, 2, &spec);
	raw_decodes(&raw, POD,
	            "{\"spec\":{\"volumes\":[{\"name\":\"cfg\",\"configMap\":{\"name\":\"settings\","
	            "\"defaultMode\":420}}],\"containers\":[{\"name\":\"app\",\"livenessProbe\":"
	            "{\"httpGet\":{\"path\":\"/healthz\",\"port\":\"http\"},\"periodSeconds\":5},"
	            "\"securityContext\":{\"runAsUser\":0,\"privileged\":false}}],"
	            "\"securityContext\":{\"supplementalGroups\":[1000,2000],\"fsGroup\":3000},"
	            "\"ephemeralContainers\":[{\"name\":\"debug\",\"targetContainerName\":\"app\"}],"
	            "\"terminationGracePeriodSeconds\":30}}",
	            "Pod: embedded structs (VolumeSource, LocalObjectReference, ProbeHandler, "
	            "EphemeralContainerCommon) land in their parent; packed int64s");
}

static void test_times_and_raw(void)
{
	buf_t raw = {0}, m = {0}, mf = {0}, f1 = {0}, spec = {0}, data = {0};
	static const char fields[] = "{\"f:data\":{\".\":{}}}";

	/* creationTimestamp with nanos (dropped), deletionTimestamp before 1970,
	 * managedFields[].time and fieldsV1. */
	put_str(&m, 1, "t");
	put_time(&m, 8, 1704164645, 999999999);
	put_time(&m, 9, -86400, 0);
	put_str(&mf, 1, "kubectl");
	put_str(&mf, 2, "Update");
	put_time(&mf, 4, 0, 0);
	put_str(&mf, 6, "FieldsV1");
	put_bytes(&f1, 1, fields, strlen(fields));
	put_msg(&mf, 7, &f1);
	put_msg(&m, 17, &mf);
	put_msg(&raw, 1, &m);
	raw_decodes(&raw, CM,
	            "{\"metadata\":{\"name\":\"t\",\"creationTimestamp\":\"2024-01-02T03:04:05Z\","
	            "\"deletionTimestamp\":\"1969-12-31T00:00:00Z\",\"managedFields\":[{\"manager\":"
	            "\"kubectl\",\"operation\":\"Update\",\"time\":\"1970-01-01T00:00:00Z\","
	            "\"fieldsType\":\"FieldsV1\",\"fieldsV1\":{\"f:data\":{\".\":{}}}}]}}",
	            "Time: RFC 3339 whole seconds, before 1970 too; FieldsV1 as JSON");

	/* Lease: MicroTime keeps microseconds; nanos out of range carry. */
	put_str(&spec, 1, "holder");
	put_time(&spec, 3, 1704164645, 123456789);
	put_time(&spec, 4, 1704164645, 1500000000);
	put_uint(&spec, 5, 0);
	put_msg(&raw, 2, &spec);
	raw_decodes(&raw, "io.k8s.api.coordination.v1.Lease",
	            "{\"spec\":{\"holderIdentity\":\"holder\",\"acquireTime\":"
	            "\"2024-01-02T03:04:05.123456Z\",\"renewTime\":\"2024-01-02T03:04:06.500000Z\","
	            "\"leaseTransitions\":0}}",
	            "MicroTime: six fraction digits, nanoseconds carried into seconds");

	/* ControllerRevision: RawExtension data is JSON; an empty one is null. */
	put_str(&data, 1, "{\"spec\":{\"x\":[1,2]}}");
	put_msg(&raw, 2, &data);
	put_uint(&raw, 3, 7);
	raw_decodes(&raw, "io.k8s.api.apps.v1.ControllerRevision",
	            "{\"data\":{\"spec\":{\"x\":[1,2]}},\"revision\":7}",
	            "RawExtension: the embedded JSON");
	put_msg(&raw, 2, &data);
	raw_decodes(&raw, "io.k8s.api.apps.v1.ControllerRevision", "{}",
	            "an empty RawExtension is left out (null)");

	put_time(&m, 8, 253402300800LL, 0);
	put_msg(&raw, 1, &m);
	fails(&raw, CM, "outside the years 0000-9999", "a time after 9999 fails, as in Go");
	put_str(&data, 1, "{not json");
	put_msg(&raw, 2, &data);
	fails(&raw, "io.k8s.api.apps.v1.ControllerRevision", "not valid JSON",
	      "a RawExtension that is not JSON fails");
}

/* --- protobuf rules ---------------------------------------------------------------- */

static void test_merge_and_unknown(void)
{
	buf_t raw = {0}, m = {0};

	/* metadata twice: merged; name's last value wins; a later empty
	 * namespace removes the first one, as Go's decoder overwrites it. */
	put_str(&m, 1, "first");
	put_str(&m, 3, "ns");
	put_entry(&m, 11, "a", "1");
	put_msg(&raw, 1, &m);
	put_str(&m, 1, "second");
	put_str(&m, 3, "");
	put_entry(&m, 11, "b", "2");
	put_entry(&m, 11, "a", "3");
	put_str(&m, 14, "f1");
	put_msg(&raw, 1, &m);
	put_str(&m, 14, "f2");
	put_msg(&raw, 1, &m);
	/* unknown fields of every wire type, a group with a nested group. */
	put_uint(&raw, 99, 12345);
	put_key(&raw, 98, 1);
	put_raw(&raw, "12345678", 8);
	put_key(&raw, 97, 5);
	put_raw(&raw, "1234", 4);
	put_bytes(&raw, 96, "\xff\xff\xff", 3);
	put_key(&raw, 95, 3);
	put_uint(&raw, 1, 1);
	put_key(&raw, 94, 3);
	put_str(&raw, 2, "x");
	put_key(&raw, 94, 4);
	put_key(&raw, 95, 4);
	put_entry(&raw, 2, "k", "v");
	raw_decodes(&raw, CM,
	            "{\"metadata\":{\"name\":\"second\",\"labels\":{\"a\":\"3\",\"b\":\"2\"},"
	            "\"finalizers\":[\"f1\",\"f2\"]},\"data\":{\"k\":\"v\"}}",
	            "a message given twice merges, repeated fields append, unknown fields of every "
	            "wire type (groups too) are skipped");

	/* Invalid UTF-8 becomes U+FFFD, valid multibyte stays. */
	put_bytes(&raw, 2, "\x0a\x03k\xc3\x28\x12\x05\xe2\x82\xac\xf0\x28", 12);
	raw_decodes(&raw, CM, "{\"data\":{\"k\xef\xbf\xbd(\":\"\xe2\x82\xac\xef\xbf\xbd(\"}}",
	            "invalid UTF-8 is replaced by U+FFFD, as Go's JSON encoder does");
}

static void test_malformed(void)
{
	buf_t raw = {0}, m = {0}, body = {0};
	k8c_error_t err;
	cJSON *obj;

	fails_raw("\x0a", 1, CM, "truncated varint", "a key cut after one byte fails");
	fails_raw("\x0a\x05\x0a\x01", 4, CM, "exceeds the", "a length beyond the buffer fails");
	fails_raw("\x0a\x02\x0a\x05", 4, CM, "metadata", "a nested length beyond its message fails");
	fails_raw("\x50", 1, CM, "truncated", "a varint field without a value fails");
	fails_raw("\x0a\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 12, CM, "ten bytes",
	          "an eleven-byte varint fails");
	fails_raw("\x0a\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 11, CM, "exceeds",
	          "a length of 2^63 fails");
	fails_raw("\x00\x01", 2, CM, "field number 0", "field number 0 fails");
	fails_raw("\x56", 1, CM, "invalid wire type", "wire type 6 fails");
	fails_raw("\x57", 1, CM, "invalid wire type", "wire type 7 fails");
	fails_raw("\x54", 1, CM, "not started", "an end-group without a start fails");
	fails_raw("\xfb\x06\x08\x01", 4, CM, "not closed", "an unterminated group fails");
	fails_raw("\x51\x01\x02\x03", 4, CM, "truncated fixed64", "a cut fixed64 fails");
	fails_raw("\xfd\x06\x01", 3, CM, "truncated fixed32", "a cut fixed32 fails");

	put_uint(&raw, 1, 5);
	fails(&raw, CM, "field 1 has wire type 0 (varint), want 2", "a varint for metadata fails");
	put_str(&raw, 4, "yes");
	fails(&raw, CM, "immutable: field 4 has wire type 2", "a string for a bool fails");
	put_uint(&m, 11, 1);
	put_msg(&raw, 1, &m);
	fails(&raw, CM, "metadata.labels: field 11", "a varint for a map entry fails");
	put_bytes(&raw, 2, "\x0a\x01\x00", 3);
	fails(&raw, CM, "NUL byte", "a NUL in a map key fails");
	{
		buf_t spec = {0}, port = {0}, is = {0};

		put_uint(&is, 1, 2);
		put_msg(&port, 4, &is);
		put_msg(&spec, 1, &port);
		put_msg(&raw, 2, &spec);
		fails(&raw, "io.k8s.api.core.v1.Service", "spec.ports[0].targetPort: IntOrString of type 2",
		      "an IntOrString of type 2 fails, with the path of the field");
	}

	/* Groups nested deeper than the limit. */
	for (int i = 0; i < K8C_PROTOBUF_MAX_DEPTH + 5; i++)
		put_key(&raw, 90, 3);
	for (int i = 0; i < K8C_PROTOBUF_MAX_DEPTH + 5; i++)
		put_key(&raw, 90, 4);
	fails(&raw, CM, "nested too deep", "groups nested past the limit fail");

	/* Envelopes. */
	obj = (cJSON *)1;
	ok(k8c_protobuf_decode("{\"a\":1}", 7, CM, &obj, &err) == -K8C_EINVAL && obj == NULL &&
	           strstr(err.message, "k8s\\0") != NULL,
	   "JSON is not a protobuf body: the prefix is missing");
	ok(k8c_protobuf_decode("k8s", 3, CM, &obj, &err) == -K8C_EINVAL, "a body shorter than the prefix");
	ok(k8c_protobuf_decode("k8s\0", 4, CM, &obj, &err) == 0 && obj != NULL &&
	           cJSON_GetArraySize(obj) == 0,
	   "the prefix alone decodes as an empty object");
	cJSON_Delete(obj);
	ok(k8c_protobuf_decode("k8s\0\x0a", 5, CM, &obj, &err) == -K8C_EINVAL && obj == NULL,
	   "a cut envelope fails");
	put_raw(&body, "k8s\0", 4);
	put_str(&body, 3, "gzip");
	ok(k8c_protobuf_decode((const char *)body.d, body.n, CM, &obj, &err) == -K8C_EINVAL &&
	           strstr(err.message, "gzip") != NULL,
	   "a content encoding fails clearly");
	free(body.d);
	memset(&body, 0, sizeof(body));
	put_raw(&body, "k8s\0", 4);
	put_str(&body, 4, "application/vnd.kubernetes.protobuf");
	put_uint(&body, 9, 1);
	put_entry(&raw, 2, "a", "b");
	put_msg(&body, 2, &raw);
	decodes(&body, CM, "{\"data\":{\"a\":\"b\"}}",
	        "no typeMeta: no kind or apiVersion; contentType and unknown envelope fields ignored");
	ok(k8c_protobuf_decode("k8s\0", 4, "io.k8s.api.core.v1.Nope", &obj, &err) == -K8C_EINVAL &&
	           strstr(err.message, "Nope") != NULL,
	   "an unknown schema type fails");
	ok(k8c_protobuf_decode("k8s\0", 4, "io.k8s.apimachinery.pkg.apis.meta.v1.Table", &obj,
	                       &err) == -K8C_EINVAL &&
	           strstr(err.message, "no protobuf") != NULL,
	   "a type without protobuf (Table) fails");
}

/* Every prefix of a valid body fails cleanly or decodes: never a crash. */
static void test_truncations(void)
{
	buf_t raw = {0}, body = {0}, spec = {0};
	size_t bad = 0, n;

	put_meta(&raw, "web", "default");
	put_uint(&spec, 1, 3);
	put_template(&spec, 3);
	put_msg(&raw, 2, &spec);
	envelope(&body, "apps/v1", "Deployment", &raw);
	for (n = 0; n < body.n; n++) {
		cJSON *obj = NULL;
		k8c_error_t err;
		int ret = k8c_protobuf_decode((const char *)body.d, n, "io.k8s.api.apps.v1.Deployment",
		                              &obj, &err);

		if ((ret == 0) != (obj != NULL))
			bad++;
		cJSON_Delete(obj);
	}
	ok(bad == 0, "all %zu prefixes of a Deployment body fail or decode cleanly", n);
	free(body.d);
}

int main(void)
{
	k8c_error_t err;

	if (k8c_schema_init(&err) < 0) {
		printf("Bail out! schema: %s\n", err.message);
		return 1;
	}
	test_configmap();
	test_namespace();
	test_deployment();
	test_secret();
	test_service();
	test_job();
	test_pod();
	test_times_and_raw();
	test_merge_and_unknown();
	test_malformed();
	test_truncations();
	k8c_schema_fini();
	return done_testing();
}
