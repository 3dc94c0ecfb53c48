/* Unit tests for plugins/sched-default-binder against a fake host and a
 * fake API client that records each request (TAP). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include <k8c/client.h>
#include <k8c/scheduler.h>

#include "fake_host.h"
#include "tap.h"

extern const k8c_plugin_t k8c_plugin;

static fake_host_t fh;
static void *cookie;
static const k8c_sched_policy_ops_t *ops;

/* The fake client: records the last request, answers with `fail` (0 or a
 * K8C_E* code) and `fail_message`. */
typedef struct fake_client {
	int calls;
	char method[16];
	char path[512];
	char *body; /* cJSON_PrintUnformatted of the body, or NULL */
	int had_content_type, wanted_out;
	int fail;
	const char *fail_message;
} fake_client_t;

static fake_client_t fc;

static int fake_request(void *client_ctx, const char *method, const char *path, const cJSON *body,
                        const char *content_type, cJSON **out, k8c_error_t *err)
{
	fake_client_t *c = client_ctx;

	c->calls++;
	snprintf(c->method, sizeof(c->method), "%s", method);
	snprintf(c->path, sizeof(c->path), "%s", path);
	free(c->body);
	c->body = body ? cJSON_PrintUnformatted(body) : NULL;
	c->had_content_type = content_type != NULL;
	c->wanted_out = out != NULL;
	if (c->fail)
		return k8c_error_make(err, c->fail, "%s", c->fail_message);
	if (out != NULL)
		*out = cJSON_Parse("{\"kind\":\"Status\",\"status\":\"Success\",\"code\":201}");
	return 0;
}

static const k8c_client_api_t fake_api = {
    .struct_size = sizeof(k8c_client_api_t),
    .request = fake_request,
};

static void reset_client(void)
{
	free(fc.body);
	memset(&fc, 0, sizeof(fc));
}

/* Bind pod_json to node; the error in *err. */
static int do_bind(const char *pod_json, const char *node, k8c_error_t *err)
{
	cJSON *pod = pod_json ? cJSON_Parse(pod_json) : NULL;
	k8c_sched_cycle_t cycle = {.pod = pod};
	int ret;

	k8c_error_clear(err);
	ret = ops->bind(cookie, &cycle, node, err);
	cJSON_Delete(pod);
	return ret;
}

#define POD                                                                                        \
	"{\"metadata\":{\"name\":\"web-0\",\"namespace\":\"prod\",\"uid\":\"u-123\"},"             \
	"\"spec\":{\"containers\":[]}}"

static void test_descriptor(void)
{
	k8c_error_t err = {0};
	cJSON *cfg = cJSON_Parse("{}");
	void *second = NULL;
	int warn;

	is_int(k8c_plugin.abi_major, K8C_ABI_MAJOR, "abi major");
	is_int(k8c_plugin.abi_minor, K8C_ABI_MINOR, "abi minor");
	is_int(k8c_plugin.kind, K8C_PLUGIN_SCHEDULER, "scheduler kind");
	is_str(k8c_plugin.name, "default-binder", "name");
	ops = k8c_plugin.ops;
	ok(ops != NULL && ops->struct_size == sizeof(k8c_sched_policy_ops_t), "ops struct_size");
	ok(ops->bind && !ops->filter && !ops->pre_filter && !ops->score && !ops->reserve,
	   "bind only");

	warn = fh.lines[K8C_LOG_WARN];
	is_int(k8c_plugin.init(&fh.host, cfg, &second, &err), 0, "init without a client");
	is_int(fh.lines[K8C_LOG_WARN], warn + 1, "warns that binds will fail");
	k8c_plugin.fini(second);

	fh.host.client = &fake_api;
	fh.host.client_ctx = &fc;
	is_int(k8c_plugin.init(&fh.host, cfg, &cookie, &err), 0, "init");
	is_int(k8c_plugin.init(&fh.host, cfg, &second, &err), 0, "a second instance");
	ok(cookie != NULL && second != NULL && cookie != second, "instances have their own cookie");
	k8c_plugin.fini(second);
	cJSON_Delete(cfg);

	warn = fh.lines[K8C_LOG_WARN];
	cfg = cJSON_Parse("{\"bogus\": 1}");
	is_int(k8c_plugin.init(&fh.host, cfg, &second, &err), 0, "init with an unknown key");
	is_int(fh.lines[K8C_LOG_WARN], warn + 1, "unknown config key warned about");
	k8c_plugin.fini(second);
	cJSON_Delete(cfg);
}

static void test_bind(void)
{
	k8c_error_t err;

	reset_client();
	is_int(do_bind(POD, "node-1", &err), K8C_SCHED_SUCCESS, "bind succeeds");
	is_int(fc.calls, 1, "one request");
	is_str(fc.method, "POST", "POST");
	is_str(fc.path, "/api/v1/namespaces/prod/pods/web-0/binding", "to the binding subresource");
	is_str(fc.body,
	       "{\"apiVersion\":\"v1\",\"kind\":\"Binding\","
	       "\"metadata\":{\"name\":\"web-0\",\"namespace\":\"prod\",\"uid\":\"u-123\"},"
	       "\"target\":{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"name\":\"node-1\"}}",
	       "a v1 Binding with the pod's uid and the node as target");
	ok(!fc.had_content_type, "as application/json (content type NULL)");
	ok(!fc.wanted_out, "the response is not needed");
	is_int(err.code, K8C_OK, "no error");

	reset_client();
	is_int(do_bind("{\"metadata\":{\"name\":\"a.b-c\",\"namespace\":\"default\"}}",
	               "n.example.com", &err),
	       K8C_SCHED_SUCCESS, "a pod without a uid");
	is_str(fc.body,
	       "{\"apiVersion\":\"v1\",\"kind\":\"Binding\","
	       "\"metadata\":{\"name\":\"a.b-c\",\"namespace\":\"default\"},"
	       "\"target\":{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"name\":\"n.example.com\"}}",
	       "binds without a uid precondition");
	reset_client();
	is_int(do_bind("{\"metadata\":{\"name\":\"p\",\"namespace\":\"default\",\"uid\":\"\"}}",
	               "n", &err),
	       K8C_SCHED_SUCCESS, "an empty uid");
	ok(fc.body && strstr(fc.body, "uid") == NULL, "is left out too");
	reset_client();
	is_int(do_bind("{\"metadata\":{\"name\":\"p\",\"namespace\":\"default\",\"uid\":7}}", "n",
	               &err),
	       K8C_SCHED_SUCCESS, "a numeric uid");
	ok(fc.body && strstr(fc.body, "uid") == NULL, "is left out");
}

static void test_errors(void)
{
	k8c_error_t err;

	reset_client();
	fc.fail = K8C_ECONFLICT;
	fc.fail_message = "Operation cannot be fulfilled on pods/binding \"web-0\": "
	                  "pod web-0 is already assigned to node \"node-2\"";
	is_int(do_bind(POD, "node-1", &err), K8C_SCHED_ERROR, "a conflict is an error");
	is_int(err.code, K8C_ECONFLICT, "with the client's code");
	is_str(err.message,
	       "binding pod prod/web-0 to node node-1: Operation cannot be fulfilled on "
	       "pods/binding \"web-0\": pod web-0 is already assigned to node \"node-2\"",
	       "and its message, prefixed");

	fc.fail = K8C_ENOTFOUND;
	fc.fail_message = "pods \"web-0\" not found";
	is_int(do_bind(POD, "node-1", &err), K8C_SCHED_ERROR, "a deleted pod");
	is_int(err.code, K8C_ENOTFOUND, "ENOTFOUND");
	fc.fail = K8C_EUNAVAIL;
	fc.fail_message = "connection refused";
	is_int(do_bind(POD, "node-1", &err), K8C_SCHED_ERROR, "the API server down");
	is_int(err.code, K8C_EUNAVAIL, "EUNAVAIL");
	is_int(ops->bind(cookie, &(k8c_sched_cycle_t){.pod = NULL}, "n", NULL), K8C_SCHED_ERROR,
	       "a NULL err is fine");

	/* Malformed pods never reach the client. */
	reset_client();
	is_int(do_bind(NULL, "n", &err), K8C_SCHED_ERROR, "no pod");
	is_str(err.message, "default-binder: no pod to bind", "says so");
	is_int(do_bind("{}", "n", &err), K8C_SCHED_ERROR, "no metadata");
	is_str(err.message, "default-binder: the pod has no metadata.name", "names the field");
	is_int(do_bind("{\"metadata\":{\"name\":[\"x\"],\"namespace\":\"d\"}}", "n", &err),
	       K8C_SCHED_ERROR, "a list name");
	is_int(do_bind("{\"metadata\":{\"name\":\"p\"}}", "n", &err), K8C_SCHED_ERROR,
	       "no namespace");
	is_str(err.message, "default-binder: pod p has no metadata.namespace", "says so");
	is_int(do_bind("{\"metadata\":{\"name\":\"p\",\"namespace\":3}}", "n", &err),
	       K8C_SCHED_ERROR, "a numeric namespace");
	is_int(
	    do_bind("{\"metadata\":{\"name\":\"../../nodes/x\",\"namespace\":\"d\"}}", "n", &err),
	    K8C_SCHED_ERROR, "a name that would change the path");
	is_int(err.code, K8C_EINVAL, "EINVAL");
	ok(strncmp(err.message, "default-binder: pod name \"../../nodes/x\": ", 41) == 0,
	   "names the bad name: %s", err.message);
	is_int(do_bind("{\"metadata\":{\"name\":\"p\",\"namespace\":\"a/b\"}}", "n", &err),
	       K8C_SCHED_ERROR, "a namespace with a slash");
	is_int(do_bind("{\"metadata\":{\"name\":\"p?x=1\",\"namespace\":\"d\"}}", "n", &err),
	       K8C_SCHED_ERROR, "a name with a query");
	is_int(do_bind(POD, "node/1", &err), K8C_SCHED_ERROR, "a node name with a slash");
	is_int(do_bind(POD, "", &err), K8C_SCHED_ERROR, "an empty node name");
	is_str(err.message, "default-binder: no node name", "says so");
	is_int(do_bind(POD, NULL, &err), K8C_SCHED_ERROR, "a NULL node name");
	is_int(do_bind("[]", "n", &err), K8C_SCHED_ERROR, "a pod of the wrong type");
	is_int(do_bind("{\"metadata\":\"x\"}", "n", &err), K8C_SCHED_ERROR,
	       "metadata of the wrong type");
	is_int(fc.calls, 0, "no request was made for any of them");
}

static void test_no_client(void)
{
	k8c_error_t err;
	void *c = NULL;
	cJSON *cfg = cJSON_Parse("{}");
	cJSON *pod = cJSON_Parse(POD);
	k8c_sched_cycle_t cycle = {.pod = pod};
	k8c_client_api_t no_request = {.struct_size = sizeof(k8c_client_api_t)};

	fh.host.client = NULL;
	fh.host.client_ctx = NULL;
	is_int(k8c_plugin.init(&fh.host, cfg, &c, &err), 0, "init without a client");
	is_int(ops->bind(c, &cycle, "node-1", &err), K8C_SCHED_ERROR, "bind without a client");
	is_int(err.code, K8C_EUNAVAIL, "EUNAVAIL");
	is_str(err.message,
	       "default-binder: no API client: cannot bind pod prod/web-0 to node node-1",
	       "a clear message");
	k8c_plugin.fini(c);

	fh.host.client = &no_request;
	is_int(k8c_plugin.init(&fh.host, cfg, &c, &err), 0, "init with a client without request");
	is_int(ops->bind(c, &cycle, "node-1", &err), K8C_SCHED_ERROR, "bind fails the same way");
	k8c_plugin.fini(c);
	fh.host.client = &fake_api;
	fh.host.client_ctx = &fc;
	cJSON_Delete(pod);
	cJSON_Delete(cfg);
}

int main(void)
{
	fake_host_init(&fh);
	test_descriptor();
	test_bind();
	test_errors();
	test_no_client();
	k8c_plugin.fini(cookie);
	reset_client();
	return done_testing();
}
