/* Pod requests and node allocatable as kube-scheduler computes them. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "common/podresources.h"
#include "tap.h"

#define Mi (1024LL * 1024)
#define Gi (1024LL * Mi)

/* Parse a pod and compute its requests; a failure fails the test. */
static void pod_requests(const char *json, unsigned flags, k8c_podresources_t *out)
{
	cJSON *pod = cJSON_Parse(json);
	k8c_error_t err;

	if (!ok(pod != NULL, "test JSON parses"))
		diag("%s", json);
	if (k8c_podresources_from_pod(pod, flags, out, &err) < 0)
		ok(0, "from_pod: %s", err.message);
	cJSON_Delete(pod);
}

static void test_containers(void)
{
	k8c_podresources_t r;

	pod_requests("{}", 0, &r);
	ok(r.res.milli_cpu == 0 && r.res.memory == 0 && r.res.ephemeral_storage == 0 &&
	       r.res.n_scalars == 0 && r.res.scalars == NULL,
	   "a pod without spec requests nothing");
	is_int(r.res.pods, 1, "a pod counts as one pod");
	k8c_podresources_free(&r);

	pod_requests("{\"spec\":{\"containers\":[{\"name\":\"a\"}]}}", 0, &r);
	is_int(r.res.milli_cpu, 0, "a container without resources: 0 cpu");
	k8c_podresources_free(&r);

	pod_requests("{\"spec\":{\"containers\":["
	             "{\"resources\":{\"requests\":{\"cpu\":\"100m\",\"memory\":\"128Mi\","
	             "\"ephemeral-storage\":\"1Gi\"}}},"
	             "{\"resources\":{\"requests\":{\"cpu\":\"250m\",\"memory\":\"64Mi\"}}}]}}",
	             0, &r);
	is_int(r.res.milli_cpu, 350, "containers: cpu is summed");
	is_int(r.res.memory, 192 * Mi, "containers: memory is summed");
	is_int(r.res.ephemeral_storage, Gi, "containers: ephemeral-storage");
	k8c_podresources_free(&r);

	/* The example in kube-scheduler's computePodResourceRequest. */
	pod_requests("{\"spec\":{"
	             "\"initContainers\":["
	             "{\"resources\":{\"requests\":{\"cpu\":\"2\",\"memory\":\"1G\"}}},"
	             "{\"resources\":{\"requests\":{\"cpu\":\"2\",\"memory\":\"3G\"}}}],"
	             "\"containers\":["
	             "{\"resources\":{\"requests\":{\"cpu\":\"2\",\"memory\":\"1G\"}}},"
	             "{\"resources\":{\"requests\":{\"cpu\":\"1\",\"memory\":\"1G\"}}}]}}",
	             0, &r);
	is_int(r.res.milli_cpu, 3000, "init containers: cpu max(3, 2) = 3");
	is_int(r.res.memory, 3000000000LL, "init containers: memory max(2G, 3G)");
	k8c_podresources_free(&r);
}

static void test_sidecars(void)
{
	k8c_podresources_t r;

	/* Sidecar 1 (1 cpu), init 2 (2), sidecar 3 (3), container (4): the
	 * pod runs 4 + 1 + 3 = 8; init 2 ran next to sidecar 1: 3. */
	pod_requests("{\"spec\":{\"initContainers\":["
	             "{\"restartPolicy\":\"Always\",\"resources\":{\"requests\":{\"cpu\":\"1\"}}},"
	             "{\"resources\":{\"requests\":{\"cpu\":\"2\"}}},"
	             "{\"restartPolicy\":\"Always\",\"resources\":{\"requests\":{\"cpu\":\"3\"}}}],"
	             "\"containers\":[{\"resources\":{\"requests\":{\"cpu\":\"4\"}}}]}}",
	             0, &r);
	is_int(r.res.milli_cpu, 8000, "sidecars add to the containers");
	k8c_podresources_free(&r);

	/* A big init container after a sidecar: 10 + 1 > 2 + 1. */
	pod_requests("{\"spec\":{\"initContainers\":["
	             "{\"restartPolicy\":\"Always\",\"resources\":{\"requests\":{\"cpu\":\"1\","
	             "\"memory\":\"1Gi\"}}},"
	             "{\"resources\":{\"requests\":{\"cpu\":\"10\"}}}],"
	             "\"containers\":[{\"resources\":{\"requests\":{\"cpu\":\"2\"}}}]}}",
	             0, &r);
	is_int(r.res.milli_cpu, 11000, "init container runs next to earlier sidecars");
	is_int(r.res.memory, Gi, "sidecar memory counts once");
	k8c_podresources_free(&r);

	/* A sidecar after the init container does not add to it. */
	pod_requests("{\"spec\":{\"initContainers\":["
	             "{\"resources\":{\"requests\":{\"cpu\":\"10\"}}},"
	             "{\"restartPolicy\":\"Always\",\"resources\":{\"requests\":{\"cpu\":\"1\"}}}],"
	             "\"containers\":[{\"resources\":{\"requests\":{\"cpu\":\"2\"}}}]}}",
	             0, &r);
	is_int(r.res.milli_cpu, 10000, "later sidecars are not counted with init");
	k8c_podresources_free(&r);

	/* restartPolicy other than Always is an ordinary init container. */
	pod_requests("{\"spec\":{\"initContainers\":["
	             "{\"restartPolicy\":\"Never\",\"resources\":{\"requests\":{\"cpu\":\"1\"}}}],"
	             "\"containers\":[{\"resources\":{\"requests\":{\"cpu\":\"2\"}}}]}}",
	             0, &r);
	is_int(r.res.milli_cpu, 2000, "restartPolicy Never: max, not sum");
	k8c_podresources_free(&r);
}

static void test_overhead_limits_pod_level(void)
{
	k8c_podresources_t r;

	pod_requests("{\"spec\":{\"overhead\":{\"cpu\":\"250m\",\"memory\":\"120Mi\"},"
	             "\"containers\":[{\"resources\":{\"requests\":{\"cpu\":\"1\"}}}]}}",
	             0, &r);
	is_int(r.res.milli_cpu, 1250, "overhead is added");
	is_int(r.res.memory, 120 * Mi, "overhead memory alone");
	k8c_podresources_free(&r);

	pod_requests("{\"spec\":{\"containers\":["
	             "{\"resources\":{\"limits\":{\"cpu\":\"1\",\"memory\":\"1Gi\"}}},"
	             "{\"resources\":{\"requests\":{\"cpu\":\"500m\"},"
	             "\"limits\":{\"cpu\":\"2\",\"memory\":\"2Gi\"}}}]}}",
	             0, &r);
	is_int(r.res.milli_cpu, 1500, "limits stand in for missing requests only");
	is_int(r.res.memory, 3 * Gi, "memory limits stand in for requests");
	k8c_podresources_free(&r);

	static const char *pl =
	    "{\"spec\":{\"resources\":{\"requests\":{\"cpu\":\"2\",\"example.com/x\":\"9\"}},"
	    "\"overhead\":{\"cpu\":\"100m\"},"
	    "\"containers\":[{\"resources\":{\"requests\":{\"cpu\":\"1\",\"memory\":\"1Gi\","
	    "\"example.com/x\":\"1\"}}}]}}";
	pod_requests(pl, 0, &r);
	is_int(r.res.milli_cpu, 2100, "pod-level cpu replaces the sum, plus overhead");
	is_int(r.res.memory, Gi, "memory without a pod-level request: the sum");
	is_int(k8c_podresources_scalar(&r.res, "example.com/x"), 1,
	       "pod-level requests only apply to cpu, memory, hugepages");
	k8c_podresources_free(&r);
	pod_requests(pl, K8C_PODRESOURCES_NO_POD_LEVEL, &r);
	is_int(r.res.milli_cpu, 1100, "NO_POD_LEVEL ignores spec.resources");
	k8c_podresources_free(&r);
}

static void test_scalars_and_rounding(void)
{
	k8c_podresources_t r;

	pod_requests(
	    "{\"spec\":{\"containers\":["
	    "{\"resources\":{\"requests\":{\"nvidia.com/gpu\":\"2\",\"hugepages-2Mi\":\"4Mi\","
	    "\"storage\":\"1Gi\",\"pods\":\"3\",\"example.com/zero\":\"0\"}}},"
	    "{\"resources\":{\"requests\":{\"nvidia.com/"
	    "gpu\":1,\"attachable-volumes-aws-ebs\":\"1\"}}}],"
	    "\"initContainers\":[{\"resources\":{\"requests\":{\"example.com/a\":\"5\"}}}]}}",
	    0, &r);
	is_int(r.res.n_scalars, 5, "five scalar resources (storage, pods dropped)");
	if (r.res.n_scalars == 5) {
		is_str(r.res.scalars[0].name, "attachable-volumes-aws-ebs", "sorted 0");
		is_str(r.res.scalars[1].name, "example.com/a", "sorted 1");
		is_str(r.res.scalars[2].name, "example.com/zero", "sorted 2");
		is_str(r.res.scalars[3].name, "hugepages-2Mi", "sorted 3");
		is_str(r.res.scalars[4].name, "nvidia.com/gpu", "sorted 4");
	}
	is_int(k8c_podresources_scalar(&r.res, "nvidia.com/gpu"), 3, "gpus summed");
	is_int(k8c_podresources_scalar(&r.res, "hugepages-2Mi"), 4 * Mi, "hugepages in bytes");
	is_int(k8c_podresources_scalar(&r.res, "example.com/a"), 5,
	       "init container scalar is a max");
	ok(k8c_podresources_find(&r.res, "example.com/zero") != NULL,
	   "a zero request is still listed");
	ok(k8c_podresources_find(&r.res, "storage") == NULL, "storage is not a scalar resource");
	is_int(k8c_podresources_scalar(&r.res, "missing/x"), 0, "absent scalar: 0");
	is_int(r.res.pods, 1, "a pods request does not change the pod count");
	k8c_podresources_free(&r);

	pod_requests("{\"spec\":{\"containers\":[{\"resources\":{\"requests\":"
	             "{\"cpu\":\"0.0001\",\"memory\":\"1.5\",\"ephemeral-storage\":\"100m\"}}}]}}",
	             0, &r);
	is_int(r.res.milli_cpu, 1, "0.1m cpu rounds up to 1m");
	is_int(r.res.memory, 2, "1.5 bytes round up to 2");
	is_int(r.res.ephemeral_storage, 1, "100m bytes round up to 1");
	k8c_podresources_free(&r);

	pod_requests("{\"spec\":{\"containers\":[{\"resources\":{\"requests\":"
	             "{\"cpu\":\"-1\",\"memory\":\"-1Gi\",\"example.com/a\":\"-2\"}}}]}}",
	             0, &r);
	ok(r.res.milli_cpu == 0 && r.res.memory == 0 &&
	       k8c_podresources_scalar(&r.res, "example.com/a") == 0,
	   "negative totals count as 0");
	k8c_podresources_free(&r);
}

static void test_non_zero(void)
{
	k8c_podresources_t r;

	pod_requests("{\"spec\":{\"containers\":[{},"
	             "{\"resources\":{\"requests\":{\"cpu\":\"0\",\"memory\":\"1Gi\"}}}]}}",
	             K8C_PODRESOURCES_NON_ZERO, &r);
	is_int(r.res.milli_cpu, 100, "non-zero: missing cpu is 100m, explicit 0 stays");
	is_int(r.res.memory, 200 * Mi + Gi, "non-zero: missing memory is 200Mi");
	k8c_podresources_free(&r);

	pod_requests("{\"spec\":{\"initContainers\":[{}],"
	             "\"containers\":[{\"resources\":{\"requests\":{\"cpu\":\"50m\"}}}]}}",
	             K8C_PODRESOURCES_NON_ZERO, &r);
	is_int(r.res.milli_cpu, 100, "non-zero applies to init containers too");
	is_int(r.res.memory, 200 * Mi, "non-zero memory from the container");
	k8c_podresources_free(&r);

	pod_requests("{\"spec\":{\"containers\":[{\"resources\":{\"limits\":{\"cpu\":\"2\"}}}]}}",
	             K8C_PODRESOURCES_NON_ZERO, &r);
	is_int(r.res.milli_cpu, 2000, "non-zero: a limit counts as the request");
	k8c_podresources_free(&r);

	pod_requests("{}", K8C_PODRESOURCES_NON_ZERO, &r);
	is_int(r.res.milli_cpu, 0, "non-zero: no containers, nothing");
	k8c_podresources_free(&r);
}

static void test_errors(void)
{
	static const struct {
		const char *json;
		int code;
		const char *path; /* expected in the message */
	} cases[] = {
	    {"[]", K8C_EINVAL, "pod"},
	    {"{\"spec\":[]}", K8C_EINVAL, "spec"},
	    {"{\"spec\":{\"containers\":{}}}", K8C_EINVAL, "spec.containers"},
	    {"{\"spec\":{\"initContainers\":1}}", K8C_EINVAL, "spec.initContainers"},
	    {"{\"spec\":{\"containers\":[1]}}", K8C_EINVAL, "spec.containers[0]"},
	    {"{\"spec\":{\"containers\":[{\"resources\":[]}]}}", K8C_EINVAL,
	     "spec.containers[0].resources"},
	    {"{\"spec\":{\"containers\":[{},{\"resources\":{\"requests\":{\"cpu\":\"abc\"}}}]}}",
	     K8C_EINVAL, "spec.containers[1].resources.requests.cpu"},
	    {"{\"spec\":{\"containers\":[{\"resources\":{\"requests\":\"1\"}}]}}", K8C_EINVAL,
	     "spec.containers[0].resources.requests"},
	    {"{\"spec\":{\"containers\":[{\"resources\":{\"limits\":{\"memory\":true}}}]}}",
	     K8C_EINVAL, "spec.containers[0].resources.limits.memory"},
	    {"{\"spec\":{\"initContainers\":[{\"resources\":{\"requests\":{\"cpu\":\"1x\"}}}]}}",
	     K8C_EINVAL, "spec.initContainers[0].resources.requests.cpu"},
	    {"{\"spec\":{\"overhead\":{\"cpu\":\"1 x\"}}}", K8C_EINVAL, "spec.overhead.cpu"},
	    {"{\"spec\":{\"resources\":{\"requests\":{\"cpu\":\"x\"}}}}", K8C_EINVAL,
	     "spec.resources.requests.cpu"},
	    {"{\"spec\":{\"containers\":[{\"resources\":{\"requests\":{\"cpu\":"
	     "\"9223372036854775807\"}}},"
	     "{\"resources\":{\"requests\":{\"cpu\":\"1\"}}}]}}",
	     K8C_ETOOLARGE, "spec.containers[1]"},
	    {"{\"spec\":{\"containers\":[{\"resources\":{\"requests\":{\"memory\":\"9Ei\"}}}]}}",
	     K8C_ETOOLARGE, "memory"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cJSON *pod = cJSON_Parse(cases[i].json);
		k8c_podresources_t r;
		k8c_error_t err = {0, ""};
		int ret = k8c_podresources_from_pod(pod, 0, &r, &err);
		is_int(ret, -cases[i].code, "refused (%s): %s", k8c_errcode_name(cases[i].code),
		       cases[i].json);
		ok(strstr(err.message, cases[i].path) != NULL, "message names %s (%s)",
		   cases[i].path, err.message);
		ok(r.res.n_scalars == 0 && r.res.scalars == NULL,
		   "nothing to free after a failure");
		k8c_podresources_free(&r);
		cJSON_Delete(pod);
	}
	k8c_podresources_t r;
	is_int(k8c_podresources_from_pod(NULL, 0, &r, NULL), -K8C_EINVAL,
	       "NULL pod refused, err may be NULL");
}

static void test_node(void)
{
	cJSON *node =
	    cJSON_Parse("{\"metadata\":{\"name\":\"n1\"},\"status\":{"
	                "\"capacity\":{\"cpu\":\"8\"},"
	                "\"allocatable\":{\"cpu\":\"3950m\",\"memory\":\"16Gi\",\"pods\":\"110\","
	                "\"ephemeral-storage\":\"100Gi\",\"nvidia.com/gpu\":\"8\","
	                "\"hugepages-1Gi\":\"0\",\"storage\":\"1Ti\",\"example.com/fpga\":2}}}");
	k8c_podresources_t a;
	k8c_error_t err;

	is_int(k8c_podresources_from_node(node, &a, &err), 0, "node allocatable parses");
	is_int(a.res.milli_cpu, 3950, "allocatable cpu in millicores");
	is_int(a.res.memory, 16 * Gi, "allocatable memory");
	is_int(a.res.pods, 110, "allocatable pods");
	is_int(a.res.ephemeral_storage, 100 * Gi, "allocatable ephemeral-storage");
	is_int(a.res.n_scalars, 3, "gpu, fpga and hugepages are scalars");
	is_int(k8c_podresources_scalar(&a.res, "nvidia.com/gpu"), 8, "gpus");
	is_int(k8c_podresources_scalar(&a.res, "example.com/fpga"), 2, "a JSON number works too");
	ok(k8c_podresources_find(&a.res, "hugepages-1Gi") != NULL, "zero hugepages are listed");

	/* A node's requested amounts: the sum over its pods. */
	k8c_podresources_t sum = K8C_PODRESOURCES_INIT, p;
	pod_requests("{\"spec\":{\"containers\":[{\"resources\":{\"requests\":"
	             "{\"cpu\":\"1\",\"nvidia.com/gpu\":\"1\"}}}]}}",
	             0, &p);
	k8c_podresources_add(&sum, &p.res);
	k8c_podresources_add(&sum, &p.res);
	k8c_podresources_free(&p);
	pod_requests("{\"spec\":{\"containers\":[{\"resources\":{\"requests\":"
	             "{\"memory\":\"1Gi\",\"example.com/a\":\"2\"}}}]}}",
	             0, &p);
	k8c_podresources_add(&sum, &p.res);
	k8c_podresources_free(&p);
	is_int(sum.res.pods, 3, "sum: three pods");
	is_int(sum.res.milli_cpu, 2000, "sum: cpu");
	is_int(sum.res.memory, Gi, "sum: memory");
	is_int(sum.res.n_scalars, 2, "sum: two scalars");
	if (sum.res.n_scalars == 2)
		ok(strcmp(sum.res.scalars[0].name, "example.com/a") == 0 &&
		       sum.res.scalars[0].value == 2 &&
		       strcmp(sum.res.scalars[1].name, "nvidia.com/gpu") == 0 &&
		       sum.res.scalars[1].value == 2,
		   "sum: scalars merged and sorted");
	k8c_sched_resources_t huge = {INT64_MAX, 0, 0, INT64_MAX, 0, NULL};
	k8c_podresources_add(&sum, &huge);
	ok(sum.res.milli_cpu == INT64_MAX && sum.res.pods == INT64_MAX, "sum saturates");
	k8c_podresources_free(&sum);
	k8c_podresources_free(&a);
	cJSON_Delete(node);

	node = cJSON_Parse("{\"metadata\":{\"name\":\"n2\"}}");
	is_int(k8c_podresources_from_node(node, &a, &err), 0, "node without status");
	ok(a.res.milli_cpu == 0 && a.res.pods == 0 && a.res.n_scalars == 0,
	   "... allocates nothing");
	k8c_podresources_free(&a);
	cJSON_Delete(node);

	node = cJSON_Parse("{\"status\":{\"allocatable\":{\"cpu\":\"4\",\"memory\":\"lots\"}}}");
	is_int(k8c_podresources_from_node(node, &a, &err), -K8C_EINVAL,
	       "bad allocatable quantity refused");
	ok(strstr(err.message, "status.allocatable.memory") != NULL, "message names the field (%s)",
	   err.message);
	cJSON_Delete(node);

	is_int(k8c_podresources_from_list(NULL, &a, &err), 0, "NULL list is empty");
	is_int(a.res.pods, 0, "... with no pods");
	k8c_podresources_free(&a);
	k8c_podresources_free(NULL);
}

static void test_names(void)
{
	static const struct {
		const char *name;
		int extended, scalar;
	} cases[] = {
	    {"nvidia.com/gpu", 1, 1},
	    {"example.com/foo", 1, 1},
	    {"cpu", 0, 0},
	    {"memory", 0, 0},
	    {"ephemeral-storage", 0, 0},
	    {"pods", 0, 0},
	    {"storage", 0, 0},
	    {"hugepages-2Mi", 0, 1},
	    {"hugepages-1Gi", 0, 1},
	    {"attachable-volumes-aws-ebs", 0, 1},
	    {"kubernetes.io/foo", 0, 1},
	    {"example.kubernetes.io/foo", 0, 1},
	    {"requests.example.com/foo", 0, 0},
	    {"example.com/", 0, 0},
	    {"a/b/c", 0, 0},
	    {"example.com/-foo", 0, 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		is_int(k8c_podresources_is_extended(cases[i].name), cases[i].extended,
		       "%s is %sextended", cases[i].name, cases[i].extended ? "" : "not ");
		is_int(k8c_podresources_is_scalar(cases[i].name), cases[i].scalar, "%s is %sscalar",
		       cases[i].name, cases[i].scalar ? "" : "not ");
	}
}

int main(void)
{
	test_containers();
	test_sidecars();
	test_overhead_limits_pod_level();
	test_scalars_and_rounding();
	test_non_zero();
	test_errors();
	test_node();
	test_names();
	return done_testing();
}
