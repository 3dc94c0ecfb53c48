/* Containers: records on disk and the agent's side of their life cycle.
 *
 * containers/<id>/config.json  written by create: everything start needs
 *                              (so a restarted agent can start it)
 * containers/<id>/started      written by the shim once exec succeeded:
 *                              shim and container pids with start times
 * containers/<id>/exited       written by the shim when the container ended
 * containers/<id>/{upper,work,rootfs}  the overlay (mounted in the
 *                              container's mount namespace only)
 *
 * start forks a shim (shim.c) that outlives the agent; status reads the
 * files and checks the pids, so a new plugin instance answers from disk. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "common/dirs.h"
#include "common/mem.h"
#include "runtime_process.h"

#define START_TIMEOUT_NS 30000000000LL

static const cJSON *jget(const cJSON *o, const char *a, const char *b)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, a);
	return b != NULL ? cJSON_GetObjectItemCaseSensitive(j, b) : j;
}

static char *cpath(const rp_t *rp, const char *id, const char *file)
{
	return file != NULL ? k8c_xasprintf("%s/containers/%s/%s", rp->data_dir, id, file)
	                    : k8c_xasprintf("%s/containers/%s", rp->data_dir, id);
}

/* config.json of container id into *out (caller frees with cJSON_Delete). */
static int load_config(const rp_t *rp, const char *id, cJSON **out, k8c_error_t *err)
{
	_cleanup_free_ char *path = NULL, *text = NULL;
	size_t len;

	*out = NULL;
	if (!rp_id_valid(id))
		return k8c_error_make(err, K8C_ENOTFOUND, "no container %s", id);
	path = cpath(rp, id, "config.json");
	if (k8c_read_file(path, 16 << 20, &text, &len) < 0)
		return k8c_error_make(err, K8C_ENOTFOUND, "no container %s", id);
	if ((*out = cJSON_Parse(text)) == NULL)
		return k8c_error_make(err, K8C_EIO, "container %s: %s is damaged", id, path);
	return 0;
}

/* Read a key=value state file of container id; NULL when missing. */
static char *load_kv(const rp_t *rp, const char *id, const char *file)
{
	_cleanup_free_ char *path = cpath(rp, id, file);
	char *text = NULL;
	size_t len;

	return k8c_read_file(path, 65536, &text, &len) == 0 ? text : NULL;
}

static char *jstr(const cJSON *o, const char *key)
{
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
	return k8c_xstrdup(s != NULL ? s : "");
}

void rp_container_rec_free(rp_container_rec_t *rec)
{
	free(rec->sandbox_id);
	free(rec->pod_uid);
	free(rec->pod_ns);
	free(rec->pod_name);
	free(rec->name);
	memset(rec, 0, sizeof(*rec));
}

int rp_container_rec_load(const rp_t *rp, const char *id, rp_container_rec_t *rec, k8c_error_t *err)
{
	_cleanup_json_ cJSON *c = NULL;
	int ret;

	memset(rec, 0, sizeof(*rec));
	if ((ret = load_config(rp, id, &c, err)) < 0)
		return ret;
	rec->sandbox_id = jstr(c, "sandbox_id");
	rec->pod_uid = jstr(c, "pod_uid");
	rec->pod_ns = jstr(c, "pod_namespace");
	rec->pod_name = jstr(c, "pod_name");
	rec->name = jstr(c, "name");
	rec->attempt = (uint32_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(c, "attempt"));
	return 0;
}

static char **strv_from_json(const cJSON *arr)
{
	char **v = k8c_xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof(char *));
	const cJSON *e;
	size_t n = 0;

	cJSON_ArrayForEach(e, arr)
		if (cJSON_IsString(e))
			v[n++] = k8c_xstrdup(e->valuestring);
	return v;
}

static void strv_free(char **v)
{
	for (size_t i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

void rp_plan_free(rp_plan_t *plan)
{
	free(plan->dir);
	free(plan->rootfs);
	free(plan->log_path);
	strv_free(plan->argv);
	strv_free(plan->envp);
	free(plan->workdir);
	for (size_t i = 0; i < plan->n_binds; i++) {
		free(plan->binds[i].host_path);
		free(plan->binds[i].container_path);
	}
	free(plan->binds);
	memset(plan, 0, sizeof(*plan));
}

int rp_plan_load(const rp_t *rp, const char *id, rp_plan_t *plan, k8c_error_t *err)
{
	_cleanup_json_ cJSON *c = NULL;
	_cleanup_free_ char *rel = NULL;
	const cJSON *m, *g;
	rp_sandbox_t sb;
	int ret;

	memset(plan, 0, sizeof(*plan));
	if ((ret = load_config(rp, id, &c, err)) < 0)
		return ret;
	snprintf(plan->id, sizeof(plan->id), "%s", id);
	plan->dir = cpath(rp, id, NULL);
	plan->rootfs = jstr(c, "rootfs");
	plan->log_path = jstr(c, "log_path");
	plan->log_max_bytes = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(c, "log_max_bytes"));
	plan->log_max_files = (uint32_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(c, "log_max_files"));
	plan->argv = strv_from_json(cJSON_GetObjectItemCaseSensitive(c, "argv"));
	plan->envp = strv_from_json(cJSON_GetObjectItemCaseSensitive(c, "env"));
	plan->workdir = jstr(c, "workdir");
	plan->binds = k8c_xcalloc((size_t)cJSON_GetArraySize(jget(c, "mounts", NULL)) + 1, sizeof(rp_bind_t));
	cJSON_ArrayForEach(m, jget(c, "mounts", NULL)) {
		rp_bind_t *b = &plan->binds[plan->n_binds++];
		b->host_path = jstr(m, "host_path");
		b->container_path = jstr(m, "container_path");
		b->read_only = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(m, "read_only"));
	}
	if ((g = jget(c, "uid", NULL)) != NULL && cJSON_IsNumber(g)) {
		plan->has_uid = 1;
		plan->uid = (uid_t)g->valuedouble;
	}
	if ((g = jget(c, "gid", NULL)) != NULL && cJSON_IsNumber(g)) {
		plan->has_gid = 1;
		plan->gid = (gid_t)g->valuedouble;
	}
	cJSON_ArrayForEach(g, jget(c, "groups", NULL))
		if (cJSON_IsNumber(g) && plan->n_groups < (int)(sizeof(plan->groups) / sizeof(plan->groups[0])))
			plan->groups[plan->n_groups++] = (gid_t)g->valuedouble;
	rel = k8c_xasprintf("pod%s/%s", cJSON_GetStringValue(jget(c, "pod_uid", NULL)), id);
	rp_cgroup_at(rp, rel, &plan->cg);
	if ((ret = rp_sandbox_load(rp, cJSON_GetStringValue(jget(c, "sandbox_id", NULL)), &sb, err)) < 0)
		return ret;
	plan->pause_pid = sb.pause_pid;
	plan->pause_start = sb.pause_start;
	plan->host_pid = sb.host_pid;
	plan->own_pidns = !sb.share_pid && !sb.host_pid;
	rp_sandbox_free(&sb);
	return 0;
}

static const cJSON *security_value(const cJSON *pod, const cJSON *container, const char *key)
{
	const cJSON *v = jget(jget(container, "securityContext", NULL), key, NULL);
	return v != NULL ? v : jget(jget(jget(pod, "spec", NULL), "securityContext", NULL), key, NULL);
}

static int has_env(const char *const *envp, const char *name)
{
	size_t n = strlen(name);

	for (; envp != NULL && *envp != NULL; envp++)
		if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=')
			return 1;
	return 0;
}

/* The shim works from "/": paths must be absolute. */
static void add_realpath(cJSON *o, const char *key, const char *path)
{
	_cleanup_free_ char *abs = realpath(path, NULL);
	cJSON_AddStringToObject(o, key, abs != NULL ? abs : path);
}

/* config.json of a new container.  Takes nothing; returns a new tree. */
static cJSON *make_config(const rp_sandbox_t *sb, const k8c_runtime_container_config_t *config)
{
	cJSON *c = cJSON_CreateObject(), *a, *m;
	const char *name = cJSON_GetStringValue(jget(config->container, "name", NULL));
	const char *wd = cJSON_GetStringValue(jget(config->container, "workingDir", NULL));
	const cJSON *v;

	cJSON_AddStringToObject(c, "sandbox_id", sb->id);
	cJSON_AddStringToObject(c, "pod_uid", sb->pod_uid);
	cJSON_AddStringToObject(c, "pod_namespace", sb->pod_ns);
	cJSON_AddStringToObject(c, "pod_name", sb->pod_name);
	cJSON_AddStringToObject(c, "name", name != NULL ? name : "");
	cJSON_AddNumberToObject(c, "attempt", config->attempt);
	add_realpath(c, "rootfs", config->rootfs);
	cJSON_AddStringToObject(c, "log_path", config->log_path);
	cJSON_AddNumberToObject(c, "log_max_bytes", (double)config->log_max_bytes);
	cJSON_AddNumberToObject(c, "log_max_files", config->log_max_files);
	cJSON_AddStringToObject(c, "workdir", wd != NULL && wd[0] == '/' ? wd : "/");
	cJSON_AddNumberToObject(c, "created_ns", (double)rp_now_ns());
	a = cJSON_AddArrayToObject(c, "argv");
	for (const char *const *p = config->argv; *p != NULL; p++)
		cJSON_AddItemToArray(a, cJSON_CreateString(*p));
	a = cJSON_AddArrayToObject(c, "env");
	/* what Docker adds when the image and the pod do not say */
	if (!has_env(config->envp, "PATH"))
		cJSON_AddItemToArray(a, cJSON_CreateString(
			"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));
	if (!has_env(config->envp, "HOSTNAME")) {
		_cleanup_free_ char *h = k8c_xasprintf("HOSTNAME=%s", sb->hostname);
		cJSON_AddItemToArray(a, cJSON_CreateString(h));
	}
	for (const char *const *p = config->envp; p != NULL && *p != NULL; p++)
		cJSON_AddItemToArray(a, cJSON_CreateString(*p));
	a = cJSON_AddArrayToObject(c, "mounts");
	for (size_t i = 0; i < config->n_mounts; i++) {
		m = cJSON_CreateObject();
		add_realpath(m, "host_path", config->mounts[i].host_path);
		cJSON_AddStringToObject(m, "container_path", config->mounts[i].container_path);
		cJSON_AddBoolToObject(m, "read_only", config->mounts[i].read_only);
		cJSON_AddItemToArray(a, m);
	}
	if ((v = security_value(config->pod, config->container, "runAsUser")) != NULL && cJSON_IsNumber(v))
		cJSON_AddNumberToObject(c, "uid", v->valuedouble);
	if ((v = security_value(config->pod, config->container, "runAsGroup")) != NULL && cJSON_IsNumber(v))
		cJSON_AddNumberToObject(c, "gid", v->valuedouble);
	a = cJSON_AddArrayToObject(c, "groups");
	cJSON_ArrayForEach(v, jget(jget(jget(config->pod, "spec", NULL), "securityContext", NULL),
	                           "supplementalGroups", NULL))
		if (cJSON_IsNumber(v))
			cJSON_AddItemToArray(a, cJSON_CreateNumber(v->valuedouble));
	if ((v = jget(jget(jget(config->pod, "spec", NULL), "securityContext", NULL), "fsGroup", NULL)) != NULL &&
	    cJSON_IsNumber(v))
		cJSON_AddItemToArray(a, cJSON_CreateNumber(v->valuedouble));
	return c;
}

static int check_config(const k8c_runtime_container_config_t *config, k8c_error_t *err)
{
	struct stat st;

	if (config == NULL || !K8C_HAS_MEMBER(config->struct_size, k8c_runtime_container_config_t, log_max_files))
		return k8c_error_make(err, K8C_EINVAL, "runtime-process needs a 1.3 container config (rootfs, mounts)");
	if (config->rootfs == NULL || stat(config->rootfs, &st) != 0 || !S_ISDIR(st.st_mode))
		return k8c_error_make(err, K8C_EINVAL, "container rootfs %s is not a directory",
		                      config->rootfs != NULL ? config->rootfs : "(none)");
	if (strpbrk(config->rootfs, ",:") != NULL)
		return k8c_error_make(err, K8C_EINVAL, "container rootfs %s: ',' and ':' cannot be used in overlay paths",
		                      config->rootfs);
	if (config->argv == NULL || config->argv[0] == NULL || config->argv[0][0] == '\0')
		return k8c_error_make(err, K8C_EINVAL, "container without a command (argv is empty)");
	if (config->log_path == NULL || config->log_path[0] != '/')
		return k8c_error_make(err, K8C_EINVAL, "container log path must be absolute");
	for (size_t i = 0; i < config->n_mounts; i++) {
		const k8c_runtime_mount_t *m = &config->mounts[i];
		if (m->container_path == NULL || m->container_path[0] != '/' || m->host_path == NULL)
			return k8c_error_make(err, K8C_EINVAL, "mount %zu: container path must be absolute", i);
		if (stat(m->host_path, &st) != 0)
			return k8c_error_make(err, K8C_EINVAL, "mount source %s: %s", m->host_path, strerror(errno));
	}
	return 0;
}

int rp_container_create(rp_t *rp, const char *sandbox_id, const k8c_runtime_container_config_t *config,
                        char id[K8C_RUNTIME_ID_MAX], k8c_error_t *err)
{
	_cleanup_free_ char *dir = NULL, *path = NULL, *text = NULL, *rel = NULL;
	_cleanup_json_ cJSON *c = NULL;
	char cid[K8C_RUNTIME_ID_MAX];
	rp_sandbox_t sb;
	rp_cgroup_t cg;
	rp_limits_t lim;
	int ret;

	if ((ret = check_config(config, err)) < 0)
		return ret;
	if ((ret = rp_sandbox_load(rp, sandbox_id, &sb, err)) < 0)
		return ret;
	if (!rp_sandbox_ready(&sb)) {
		ret = k8c_error_make(err, K8C_ECONFLICT, "sandbox %s is not ready", sandbox_id);
		goto out;
	}
	if ((ret = rp_limits_from_container(config->container, &lim, err)) < 0)
		goto out;
	lim.pids = rp->pids_limit;
	rp_id_new(cid);
	dir = cpath(rp, cid, NULL);
	for (const char *sub = "upper\0work\0rootfs\0"; *sub != '\0'; sub += strlen(sub) + 1) {
		_cleanup_free_ char *d = k8c_xasprintf("%s/%s", dir, sub);
		if ((ret = k8c_mkdir_p(d, 0755, err)) < 0)
			goto fail;
	}
	rel = k8c_xasprintf("pod%s/%s", sb.pod_uid, cid);
	rp_cgroup_at(rp, rel, &cg);
	if ((ret = rp_cgroup_create(&cg, &lim, err)) < 0)
		goto fail;
	c = make_config(&sb, config);
	text = cJSON_PrintUnformatted(c);
	path = cpath(rp, cid, "config.json");
	if ((ret = k8c_write_file_atomic(path, text, strlen(text), 0600, err)) < 0)
		goto fail;
	snprintf(id, K8C_RUNTIME_ID_MAX, "%s", cid);
	goto out;
fail:
	rp_cgroup_remove(&cg, NULL);
	k8c_remove_tree(dir, NULL);
out:
	rp_sandbox_free(&sb);
	return ret;
}

int rp_container_start(rp_t *rp, const char *id, k8c_error_t *err)
{
	_cleanup_free_ char *started = NULL, *exited = NULL;
	char buf[1024];
	rp_plan_t plan;
	int rep[2], status, ret;
	pid_t x;
	ssize_t n;

	if ((ret = rp_plan_load(rp, id, &plan, err)) < 0)
		goto out;
	if ((started = load_kv(rp, id, "started")) != NULL || (exited = load_kv(rp, id, "exited")) != NULL) {
		ret = k8c_error_make(err, K8C_ECONFLICT, "container %s was started before", id);
		goto out;
	}
	if (!rp_proc_alive(plan.pause_pid, plan.pause_start, 0)) {
		ret = k8c_error_make(err, K8C_ECONFLICT, "container %s: its sandbox is not running", id);
		goto out;
	}
	if (pipe2(rep, O_CLOEXEC) != 0) {
		ret = k8c_error_make(err, K8C_EIO, "pipe: %s", strerror(errno));
		goto out;
	}
	/* double fork: the shim is nobody's child in the agent (reparented
	 * to init or the nearest subreaper) and in a session of its own */
	x = fork();
	if (x < 0) {
		close(rep[0]);
		close(rep[1]);
		ret = k8c_error_make(err, K8C_EIO, "fork: %s", strerror(errno));
		goto out;
	}
	if (x == 0) {
		pid_t s;
		close(rep[0]);
		setsid();
		s = fork();
		if (s == 0)
			rp_shim_main(&plan, rep[1]);
		_exit(s < 0 ? 1 : 0);
	}
	close(rep[1]);
	while (waitpid(x, &status, 0) < 0 && errno == EINTR)
		;
	n = rp_read_until(rep[0], buf, sizeof(buf), rp_mono_ns() + START_TIMEOUT_NS, 1);
	close(rep[0]);
	buf[strcspn(buf, "\n")] = '\0';
	if (n == -ETIMEDOUT)
		ret = k8c_error_make(err, K8C_ETIMEOUT, "container %s did not start within 30s", id);
	else if (n < 0)
		ret = k8c_error_make(err, K8C_EIO, "container %s: %s", id, strerror((int)-n));
	else if (strncmp(buf, "OK ", 3) == 0)
		ret = 0;
	else if (strncmp(buf, "ERR ", 4) == 0)
		ret = k8c_error_make(err, K8C_EINVAL, "container %s cannot run: %s", id, buf + 4);
	else
		ret = k8c_error_make(err, K8C_EIO, "container %s: its shim died while starting it", id);
out:
	rp_plan_free(&plan);
	return ret;
}

typedef struct started {
	pid_t shim, pid;
	unsigned long long shim_start, pid_start;
	int64_t started_ns;
} started_t;

static int load_started(const rp_t *rp, const char *id, started_t *s)
{
	_cleanup_free_ char *t = load_kv(rp, id, "started");

	memset(s, 0, sizeof(*s));
	if (t == NULL)
		return 0;
	s->shim = (pid_t)rp_kv_int(t, "shim_pid", 0);
	s->shim_start = (unsigned long long)rp_kv_int(t, "shim_start", 0);
	s->pid = (pid_t)rp_kv_int(t, "pid", 0);
	s->pid_start = (unsigned long long)rp_kv_int(t, "pid_start", 0);
	s->started_ns = rp_kv_int(t, "started_ns", 0);
	return 1;
}

static int has_exited(const rp_t *rp, const char *id)
{
	_cleanup_free_ char *path = cpath(rp, id, "exited");
	return access(path, F_OK) == 0;
}

int rp_container_status(rp_t *rp, const char *id, k8c_runtime_container_status_t *st, k8c_error_t *err)
{
	_cleanup_json_ cJSON *c = NULL;
	_cleanup_free_ char *ex = NULL;
	started_t s;
	int ret;

	memset(st, 0, sizeof(*st));
	if ((ret = load_config(rp, id, &c, err)) < 0)
		return ret;
	st->created_ns = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(c, "created_ns"));
	st->state = K8C_CONTAINER_CREATED;
	if (load_started(rp, id, &s)) {
		st->started_ns = s.started_ns;
		st->state = K8C_CONTAINER_RUNNING;
		st->pid = s.pid;
	}
	if ((ex = load_kv(rp, id, "exited")) != NULL) {
		st->state = K8C_CONTAINER_EXITED;
		st->pid = 0;
		st->exit_code = (int)rp_kv_int(ex, "exit_code", 0);
		st->finished_ns = rp_kv_int(ex, "finished_ns", 0);
		rp_kv_get(ex, "reason", st->reason, sizeof(st->reason));
		rp_kv_get(ex, "message", st->message, sizeof(st->message));
	} else if (st->state == K8C_CONTAINER_RUNNING && !rp_proc_alive(s.pid, s.pid_start, 1) &&
	           !rp_proc_alive(s.shim, s.shim_start, 0) && !has_exited(rp, id)) {
		/* the shim was killed before it could record the end */
		st->state = K8C_CONTAINER_EXITED;
		st->pid = 0;
		st->exit_code = 255;
		snprintf(st->reason, sizeof(st->reason), "Error");
		snprintf(st->message, sizeof(st->message), "the container's shim vanished; exit status unknown");
	}
	return 0;
}

pid_t rp_container_pid(const rp_t *rp, const char *id)
{
	started_t s;

	if (!load_started(rp, id, &s) || has_exited(rp, id) || !rp_proc_alive(s.pid, s.pid_start, 0))
		return 0;
	return s.pid;
}

/* Wait until the shim recorded the end (or nobody is left to), at most
 * until deadline.  1 when it ended. */
static int wait_exited(const rp_t *rp, const char *id, const started_t *s, int64_t deadline)
{
	for (;;) {
		if (has_exited(rp, id) ||
		    (!rp_proc_alive(s->pid, s->pid_start, 1) && !rp_proc_alive(s->shim, s->shim_start, 0)))
			return 1;
		if (rp_mono_ns() >= deadline)
			return 0;
		usleep(10 * 1000);
	}
}

int rp_container_stop(rp_t *rp, const char *id, int64_t timeout_s, k8c_error_t *err)
{
	_cleanup_json_ cJSON *c = NULL;
	_cleanup_free_ char *rel = NULL;
	rp_cgroup_t cg;
	started_t s;
	int ret;

	if ((ret = load_config(rp, id, &c, err)) < 0)
		return ret;
	if (!load_started(rp, id, &s) || has_exited(rp, id))
		return 0; /* never started, or over: nothing to stop */
	rel = k8c_xasprintf("pod%s/%s", cJSON_GetStringValue(jget(c, "pod_uid", NULL)), id);
	rp_cgroup_at(rp, rel, &cg);
	if (timeout_s > 0 && rp_proc_alive(s.pid, s.pid_start, 0)) {
		kill(s.pid, SIGTERM);
		if (wait_exited(rp, id, &s, rp_mono_ns() + timeout_s * 1000000000LL)) {
			rp_cgroup_kill(&cg, SIGKILL); /* what it left behind (shared PID namespace) */
			return 0;
		}
	}
	/* PID 1 of a PID namespace ignores SIGTERM without a handler: escalate */
	if (rp_proc_alive(s.pid, s.pid_start, 0))
		kill(s.pid, SIGKILL);
	rp_cgroup_kill(&cg, SIGKILL);
	if (!wait_exited(rp, id, &s, rp_mono_ns() + 10000000000LL))
		return k8c_error_make(err, K8C_ETIMEOUT, "container %s did not exit after SIGKILL", id);
	return 0;
}

int rp_container_remove(rp_t *rp, const char *id, k8c_error_t *err)
{
	_cleanup_json_ cJSON *c = NULL;
	_cleanup_free_ char *rel = NULL, *dir = NULL;
	rp_cgroup_t cg;
	started_t s;
	int ret;

	if ((ret = load_config(rp, id, &c, err)) < 0)
		return ret;
	if ((ret = rp_container_stop(rp, id, 0, err)) < 0)
		return ret;
	/* the shim may still be writing the exit record and the last output */
	if (load_started(rp, id, &s)) {
		int64_t deadline = rp_mono_ns() + 5000000000LL;
		while (rp_proc_alive(s.shim, s.shim_start, 0) && rp_mono_ns() < deadline)
			usleep(5 * 1000);
		if (rp_proc_alive(s.shim, s.shim_start, 0))
			kill(s.shim, SIGKILL);
	}
	rel = k8c_xasprintf("pod%s/%s", cJSON_GetStringValue(jget(c, "pod_uid", NULL)), id);
	rp_cgroup_at(rp, rel, &cg);
	if ((ret = rp_cgroup_remove(&cg, err)) < 0)
		return ret;
	dir = cpath(rp, id, NULL);
	return k8c_remove_tree(dir, err);
}
