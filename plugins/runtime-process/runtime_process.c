/* runtime-process: pods as plain Linux processes in namespaces and cgroups,
 * without an OCI runtime.  A pause process per pod holds its UTS, IPC and
 * network namespaces (sandbox.c); each container runs under a shim that
 * outlives the agent (shim.c), on an overlay of the image's rootfs
 * (mounts.c), in its own cgroup (cgroup.c), logging in the CRI format
 * (crilog.c).  All state lives in files under host->data_dir, so a new
 * instance after an agent restart knows every sandbox and container.
 *
 * This file: the descriptor, init/fini, list, and the ops table.
 *
 * Config (all optional):
 *   pidsLimit   pids.max of pod and container cgroups (default 4096)
 *   cgroupRoot  parent of the pod cgroups (default "k8c") */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "common/dirs.h"
#include "common/mem.h"
#include "runtime_process.h"

void rp_log(const rp_t *rp, int level, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (rp->host == NULL || rp->host->log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	rp->host->log(rp->host->ctx, level, "%s", line);
}

static int cgroup_root_valid(const char *s)
{
	if (s == NULL || *s == '\0' || *s == '/' || strstr(s, "..") != NULL)
		return 0;
	for (const char *p = s; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		      strchr("._-/", *p) != NULL))
			return 0;
	return 1;
}

static void rp_free(rp_t *rp)
{
	free(rp->data_dir);
	free(rp->cgroup_root);
	free(rp);
}

static int rp_init(const k8c_host_t *host, const cJSON *config, void **cookie, k8c_error_t *err)
{
	const cJSON *pids = cJSON_GetObjectItemCaseSensitive(config, "pidsLimit");
	const char *root = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(config, "cgroupRoot"));
	rp_t *rp;
	char *abs;
	int ret;

	if (pids != NULL && (!cJSON_IsNumber(pids) || pids->valuedouble < 1 || pids->valuedouble > 4194304))
		return k8c_error_make(err, K8C_EINVAL, "pidsLimit: expected a number from 1 to 4194304");
	if (cJSON_GetObjectItemCaseSensitive(config, "cgroupRoot") != NULL && !cgroup_root_valid(root))
		return k8c_error_make(err, K8C_EINVAL, "cgroupRoot \"%s\": expected a relative path like \"k8c\"",
		                      root != NULL ? root : "");
	if (geteuid() != 0)
		return k8c_error_make(err, K8C_EPERM, "runtime-process needs root (namespaces, cgroups, mounts)");
	if (host == NULL || host->data_dir == NULL)
		return k8c_error_make(err, K8C_EINVAL, "runtime-process needs a data directory");
	if ((abs = realpath(host->data_dir, NULL)) == NULL)
		return k8c_error_make(err, K8C_EIO, "data directory %s: %s", host->data_dir, strerror(errno));
	rp = k8c_xcalloc(1, sizeof(*rp));
	rp->host = host;
	rp->data_dir = abs;
	rp->cgroup_root = k8c_xstrdup(root != NULL ? root : "k8c");
	rp->pids_limit = pids != NULL ? (int64_t)pids->valuedouble : 4096;
	if ((ret = rp_cgroup_setup(rp, err)) < 0)
		goto fail;
	for (const char *sub = "sandboxes\0containers\0"; *sub != '\0'; sub += strlen(sub) + 1) {
		_cleanup_free_ char *d = k8c_xasprintf("%s/%s", rp->data_dir, sub);
		if ((ret = k8c_mkdir_p(d, 0700, err)) < 0)
			goto fail;
	}
	*cookie = rp;
	return 0;
fail:
	rp_free(rp);
	return ret;
}

/* Containers and pause processes outlive the agent: stop nothing. */
static void rp_fini(void *cookie)
{
	rp_free(cookie);
}

void rp_list_ids(const rp_t *rp, const char *kind, char ***ids, size_t *n)
{
	_cleanup_free_ char *dir = k8c_xasprintf("%s/%s", rp->data_dir, kind);
	const char *file = strcmp(kind, "sandboxes") == 0 ? "sandbox" : "config.json";
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t cap = 0;

	*ids = NULL;
	*n = 0;
	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		_cleanup_free_ char *state = NULL;
		if (!rp_id_valid(de->d_name))
			continue;
		/* a half-made directory (crash during create) has no state file yet */
		state = k8c_xasprintf("%s/%s/%s", dir, de->d_name, file);
		if (access(state, F_OK) != 0)
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 16;
			*ids = k8c_xrealloc(*ids, cap * sizeof(**ids));
		}
		(*ids)[(*n)++] = k8c_xstrdup(de->d_name);
	}
	closedir(d);
}

static int rp_list(void *cookie, void (*fn)(void *udata, const k8c_runtime_entry_t *entry), void *udata,
                   k8c_error_t *err)
{
	rp_t *rp = cookie;
	char **ids;
	size_t n;

	rp_list_ids(rp, "sandboxes", &ids, &n);
	for (size_t i = 0; i < n; i++) {
		rp_sandbox_t sb;
		if (rp_sandbox_load(rp, ids[i], &sb, NULL) == 0) {
			k8c_runtime_entry_t e = {
				.struct_size = sizeof(e),
				.is_container = 0,
				.id = sb.id,
				.sandbox_id = sb.id,
				.pod_uid = sb.pod_uid,
				.pod_namespace = sb.pod_ns,
				.pod_name = sb.pod_name,
				.state = rp_sandbox_ready(&sb),
			};
			fn(udata, &e);
			rp_sandbox_free(&sb);
		}
		free(ids[i]);
	}
	free(ids);
	rp_list_ids(rp, "containers", &ids, &n);
	for (size_t i = 0; i < n; i++) {
		rp_container_rec_t rec;
		k8c_runtime_container_status_t st;
		if (rp_container_rec_load(rp, ids[i], &rec, NULL) == 0) {
			k8c_runtime_entry_t e = {
				.struct_size = sizeof(e),
				.is_container = 1,
				.id = ids[i],
				.sandbox_id = rec.sandbox_id,
				.pod_uid = rec.pod_uid,
				.pod_namespace = rec.pod_ns,
				.pod_name = rec.pod_name,
				.container_name = rec.name,
				.attempt = rec.attempt,
				.state = rp_container_status(rp, ids[i], &st, NULL) == 0 ? st.state
				                                                         : K8C_CONTAINER_UNKNOWN,
			};
			fn(udata, &e);
		}
		rp_container_rec_free(&rec);
		free(ids[i]);
	}
	free(ids);
	(void)err;
	return 0;
}

static int rp_run_sandbox(void *cookie, const cJSON *pod, char id[K8C_RUNTIME_ID_MAX], k8c_error_t *err)
{
	return rp_sandbox_run(cookie, pod, id, err);
}

static int rp_stop_sandbox(void *cookie, const char *id, k8c_error_t *err)
{
	return rp_sandbox_stop(cookie, id, err);
}

static int rp_remove_sandbox(void *cookie, const char *id, k8c_error_t *err)
{
	return rp_sandbox_remove(cookie, id, err);
}

/* hostNetwork pods report no IP: the kubelet uses the node's address.
 * Others have only a loopback-only network namespace: no IP either (a CNI
 * step would assign one). */
static int rp_sandbox_status(void *cookie, const char *id, k8c_runtime_sandbox_status_t *st, k8c_error_t *err)
{
	rp_sandbox_t sb;
	int ret;

	memset(st, 0, sizeof(*st));
	if ((ret = rp_sandbox_load(cookie, id, &sb, err)) < 0)
		return ret;
	st->ready = rp_sandbox_ready(&sb);
	rp_sandbox_free(&sb);
	return 0;
}

static int rp_sandbox_netns(void *cookie, const char *id, char *path, size_t path_len, k8c_error_t *err)
{
	rp_sandbox_t sb;
	int ret;

	if ((ret = rp_sandbox_load(cookie, id, &sb, err)) < 0)
		return ret;
	if (sb.host_net)
		snprintf(path, path_len, "%s", "");
	else if (!rp_sandbox_ready(&sb))
		ret = k8c_error_make(err, K8C_ECONFLICT, "sandbox %s is not running", id);
	else
		snprintf(path, path_len, "/proc/%d/ns/net", (int)sb.pause_pid);
	rp_sandbox_free(&sb);
	return ret;
}

static int rp_create_container(void *cookie, const char *sandbox_id, const k8c_runtime_container_config_t *config,
                               char id[K8C_RUNTIME_ID_MAX], k8c_error_t *err)
{
	return rp_container_create(cookie, sandbox_id, config, id, err);
}

static int rp_start_container(void *cookie, const char *id, k8c_error_t *err)
{
	return rp_container_start(cookie, id, err);
}

static int rp_stop_container(void *cookie, const char *id, int64_t timeout_s, k8c_error_t *err)
{
	return rp_container_stop(cookie, id, timeout_s, err);
}

static int rp_remove_container(void *cookie, const char *id, k8c_error_t *err)
{
	return rp_container_remove(cookie, id, err);
}

static int rp_container_status_op(void *cookie, const char *id, k8c_runtime_container_status_t *st,
                                  k8c_error_t *err)
{
	return rp_container_status(cookie, id, st, err);
}

static int rp_exec_op(void *cookie, const char *id, const char *const *argv, int64_t timeout_s, int *exit_code,
                      char **output, k8c_error_t *err)
{
	return rp_exec(cookie, id, argv, timeout_s, exit_code, output, err);
}

static const k8c_runtime_ops_t rp_ops = {
	.struct_size = sizeof(k8c_runtime_ops_t),
	.pull_image = NULL, /* the kubelet unpacks images and passes config->rootfs */
	.run_sandbox = rp_run_sandbox,
	.stop_sandbox = rp_stop_sandbox,
	.remove_sandbox = rp_remove_sandbox,
	.sandbox_status = rp_sandbox_status,
	.create_container = rp_create_container,
	.start_container = rp_start_container,
	.stop_container = rp_stop_container,
	.remove_container = rp_remove_container,
	.container_status = rp_container_status_op,
	.exec = rp_exec_op,
	.flags = 0,
	.list = rp_list,
	.sandbox_netns = rp_sandbox_netns,
};

K8C_PLUGIN_EXPORT const k8c_plugin_t k8c_plugin = {
	K8C_PLUGIN_HEADER(K8C_PLUGIN_RUNTIME),
	.name = "process",
	.version = "0.1.0",
	.description = "pods as Linux processes: namespaces, cgroups, overlay rootfs, shims that outlive the agent",
	.init = rp_init,
	.fini = rp_fini,
	.ops = &rp_ops,
};
