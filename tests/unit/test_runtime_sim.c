/* runtime-sim through its ops table: sandboxes with pod IPs, hollow
 * containers that run until stopped or exit as the pod's annotations say,
 * probes that succeed, errors for unknown ids and bad annotations. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include <k8c/runtime.h>

#include "tap.h"

extern const k8c_plugin_t k8c_plugin;

static const k8c_runtime_ops_t *ops;
static void *rt;

static cJSON *pod(const char *after, const char *code)
{
	cJSON *p = cJSON_Parse("{\"metadata\":{\"name\":\"p\",\"annotations\":{}},\"spec\":{\"containers\":[{\"name\":\"c\"}]}}");
	cJSON *ann = cJSON_GetObjectItem(cJSON_GetObjectItem(p, "metadata"), "annotations");

	if (after != NULL)
		cJSON_AddStringToObject(ann, "sim.k8c.io/exit-after", after);
	if (code != NULL)
		cJSON_AddStringToObject(ann, "sim.k8c.io/exit-code", code);
	return p;
}

/* A started container of a new sandbox; returns create's result. */
static int start(cJSON *p, char sb[K8C_RUNTIME_ID_MAX], char id[K8C_RUNTIME_ID_MAX], k8c_error_t *err)
{
	k8c_runtime_container_config_t cfg = {sizeof(cfg)};
	int ret;

	cfg.pod = p;
	cfg.container = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(p, "spec"), "containers"), 0);
	if ((ret = ops->run_sandbox(rt, p, sb, err)) < 0)
		return ret;
	if ((ret = ops->create_container(rt, sb, &cfg, id, err)) < 0)
		return ret;
	return ops->start_container(rt, id, err);
}

int main(void)
{
	k8c_host_t host = {sizeof(host)};
	char sb[K8C_RUNTIME_ID_MAX], id[K8C_RUNTIME_ID_MAX], sb2[K8C_RUNTIME_ID_MAX], id2[K8C_RUNTIME_ID_MAX];
	k8c_runtime_container_status_t st;
	k8c_runtime_sandbox_status_t ss;
	cJSON *conf = cJSON_Parse("{\"podSubnet\":\"nonsense\"}"), *p;
	k8c_error_t err;
	int code = -1;
	char *out = NULL;

	ops = k8c_plugin.ops;
	ok(k8c_plugin.kind == K8C_PLUGIN_RUNTIME && strcmp(k8c_plugin.name, "sim") == 0, "a runtime named sim");
	ok(k8c_plugin.init(&host, conf, &rt, &err) == -K8C_EINVAL, "a bad podSubnet is refused: %s", err.message);
	cJSON_Delete(conf);
	conf = cJSON_CreateObject();
	ok(k8c_plugin.init(&host, conf, &rt, &err) == 0, "init");

	/* runs until stopped */
	p = pod(NULL, NULL);
	ok(start(p, sb, id, &err) == 0, "a sandbox and a container start");
	ok(ops->sandbox_status(rt, sb, &ss, &err) == 0 && ss.ready && strncmp(ss.ip, "10.244.", 7) == 0,
	   "the sandbox is ready with a pod IP (%s)", ss.ip);
	ok(ops->container_status(rt, id, &st, &err) == 0 && st.state == K8C_CONTAINER_RUNNING && st.started_ns > 0,
	   "the container runs");
	ok(ops->exec(rt, id, (const char *const[]){"true", NULL}, 1, &code, &out, &err) == 0 && code == 0,
	   "exec (a probe) succeeds");
	free(out);
	ok(ops->start_container(rt, id, &err) == -K8C_ECONFLICT, "starting it again is a conflict");
	ok(ops->stop_container(rt, id, 30, &err) == 0, "stop");
	ok(ops->container_status(rt, id, &st, &err) == 0 && st.state == K8C_CONTAINER_EXITED &&
	   st.exit_code == 0 && strcmp(st.reason, "Completed") == 0, "a stopped container exited 0, Completed");
	ok(ops->exec(rt, id, (const char *const[]){"true", NULL}, 1, &code, NULL, &err) == -K8C_ECONFLICT,
	   "exec in an exited container fails");
	cJSON_Delete(p);

	/* scripted exit */
	p = pod("1s", "3");
	ok(start(p, sb2, id2, &err) == 0, "a container that exits after 1s with 3");
	ok(ops->sandbox_status(rt, sb2, &ss, &err) == 0 && strcmp(ss.ip, "") != 0, "its own pod IP (%s)", ss.ip);
	ok(ops->container_status(rt, id2, &st, &err) == 0 && st.state == K8C_CONTAINER_RUNNING, "runs at first");
	usleep(1100 * 1000);
	ok(ops->container_status(rt, id2, &st, &err) == 0 && st.state == K8C_CONTAINER_EXITED &&
	   st.exit_code == 3 && strcmp(st.reason, "Error") == 0, "then exited 3 (Error)");
	ok(st.finished_ns - st.started_ns >= 1000000000LL && st.finished_ns - st.started_ns < 1100000000LL,
	   "one second after it started");
	ok(ops->stop_container(rt, id2, 30, &err) == 0 && ops->container_status(rt, id2, &st, &err) == 0 &&
	   st.exit_code == 3, "stopping it afterwards keeps its exit code");
	cJSON_Delete(p);

	p = pod("0s", NULL);
	ok(start(p, sb2, id2, &err) == 0 && ops->container_status(rt, id2, &st, &err) == 0 &&
	   st.state == K8C_CONTAINER_EXITED && st.exit_code == 0, "exit-after 0s exits at once, 0");
	cJSON_Delete(p);

	/* bad annotations, unknown ids */
	p = pod("soon", NULL);
	ok(start(p, sb2, id2, &err) == -K8C_EINVAL && strstr(err.message, "exit-after") != NULL,
	   "a bad exit-after is refused: %s", err.message);
	cJSON_Delete(p);
	p = pod("1s", "300");
	ok(start(p, sb2, id2, &err) == -K8C_EINVAL, "an exit code above 255 is refused");
	cJSON_Delete(p);
	ok(ops->container_status(rt, "nope", &st, &err) == -K8C_ENOTFOUND, "an unknown container is not found");
	ok(ops->sandbox_status(rt, "nope", &ss, &err) == -K8C_ENOTFOUND, "an unknown sandbox is not found");

	/* removing a sandbox removes its containers */
	ok(ops->stop_sandbox(rt, sb, &err) == 0 && ops->sandbox_status(rt, sb, &ss, &err) == 0 && !ss.ready,
	   "a stopped sandbox is not ready");
	ok(ops->remove_sandbox(rt, sb, &err) == 0, "remove the sandbox");
	ok(ops->container_status(rt, id, &st, &err) == -K8C_ENOTFOUND, "its container is gone too");
	ok(ops->remove_sandbox(rt, sb, &err) == -K8C_ENOTFOUND, "removing it again: not found");

	/* many hollow pods */
	{
		int good = 1;
		p = pod(NULL, NULL);
		for (int i = 0; i < 10000 && good; i++)
			good = start(p, sb2, id2, &err) == 0;
		ok(good, "10,000 hollow pods start");
		cJSON_Delete(p);
	}
	k8c_plugin.fini(rt);
	cJSON_Delete(conf);
	return done_testing();
}
