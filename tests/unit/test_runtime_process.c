/* runtime-process through its ops table, for real: a busybox rootfs made
 * here, pods with their own namespaces and cgroups, containers whose output
 * lands in CRI logs, exit codes, PID 1, hostname, env, workingDir, bind
 * mounts (read-only too), an OOM kill, SIGTERM escalated to SIGKILL, exec,
 * a missing executable, log rotation, and a second plugin instance adopting
 * a running container.  Needs root and cgroups; skipped otherwise.
 * Cleans up its processes, cgroups and files even when checks fail. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include <k8c/runtime.h>

#include "common/dirs.h"
#include "common/mem.h"
#include "fake_host.h"
#include "tap.h"

extern const k8c_plugin_t k8c_plugin;

/* ok() with the condition evaluated before the diagnostic's arguments
 * (which may show what the condition just computed) */
#define check(cond, ...)                    \
	do {                                \
		int c_ = (cond);            \
		ok(c_, __VA_ARGS__);        \
	} while (0)
#define check_v(cond, ...) ({ int c_ = (cond); ok(c_, __VA_ARGS__); })

static const k8c_runtime_ops_t *ops;
static void *rt;
static char tmp[64] = "/tmp/k8c-rp-test-XXXXXX";
static char rootfs[128], logs[128], vol_ro[128], vol_rw[128], cgroot[64], data_dir[128];

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static char *slurp(const char *path)
{
	char *s = NULL;
	size_t len;

	if (k8c_read_file(path, 1 << 24, &s, &len) < 0)
		return k8c_xstrdup("");
	return s;
}

static int exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (f != NULL) {
		fputs(text, f);
		fclose(f);
	}
}

static int run(const char *cmd)
{
	int st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static const char *busybox_path(void)
{
	static const char *const c[] = {"/bin/busybox", "/usr/bin/busybox", NULL};
	for (int i = 0; c[i] != NULL; i++)
		if (access(c[i], X_OK) == 0)
			return c[i];
	return NULL;
}

static int make_rootfs(void)
{
	char cmd[4096];

	snprintf(rootfs, sizeof(rootfs), "%s/rootfs", tmp);
	snprintf(cmd, sizeof(cmd),
	         "mkdir -p %1$s/bin %1$s/sbin %1$s/usr/bin %1$s/usr/sbin %1$s/etc %1$s/tmp %1$s/proc %1$s/sys %1$s/dev && cp %2$s %1$s/bin/busybox && "
	         "chroot %1$s /bin/busybox --install -s && echo root:x:0:0:root:/root:/bin/sh > %1$s/etc/passwd",
	         rootfs, busybox_path());
	return run(cmd) == 0 && exists(strcat(strcpy(cmd, rootfs), "/bin/sh"));
}

static cJSON *make_pod(const char *name, const char *uid, const char *spec_extra)
{
	char buf[1024];

	snprintf(buf, sizeof(buf),
	         "{\"metadata\":{\"name\":\"%s\",\"namespace\":\"default\",\"uid\":\"%s\"},"
	         "\"spec\":{%s%s\"containers\":[{\"name\":\"c\"}]}}",
	         name, uid, spec_extra != NULL ? spec_extra : "", spec_extra != NULL ? "," : "");
	return cJSON_Parse(buf);
}

typedef struct ctr {
	const char *container_json; /* the container spec; NULL: {"name":"c"} */
	const char *const *argv;
	const char *const *envp;
	const k8c_runtime_mount_t *mounts;
	size_t n_mounts;
	int64_t log_max_bytes;
	uint32_t log_max_files;
	char log_path[256];
	char id[K8C_RUNTIME_ID_MAX];
} ctr_t;

static int create(const char *sb, cJSON *pod, ctr_t *c, const char *logname, k8c_error_t *err)
{
	static const char *const no_env[] = {NULL};
	k8c_runtime_container_config_t cfg = {sizeof(cfg)};
	cJSON *spec = cJSON_Parse(c->container_json != NULL ? c->container_json : "{\"name\":\"c\"}");
	int ret;

	snprintf(c->log_path, sizeof(c->log_path), "%s/%s.log", logs, logname);
	cfg.pod = pod;
	cfg.container = spec;
	cfg.log_path = c->log_path;
	cfg.argv = c->argv;
	cfg.envp = c->envp != NULL ? c->envp : no_env;
	cfg.rootfs = rootfs;
	cfg.mounts = c->mounts;
	cfg.n_mounts = c->n_mounts;
	cfg.log_max_bytes = c->log_max_bytes;
	cfg.log_max_files = c->log_max_files;
	ret = ops->create_container(rt, sb, &cfg, c->id, err);
	cJSON_Delete(spec);
	return ret;
}

static int start(const char *sb, cJSON *pod, ctr_t *c, const char *logname, k8c_error_t *err)
{
	int ret = create(sb, pod, c, logname, err);
	return ret < 0 ? ret : ops->start_container(rt, c->id, err);
}

/* Status once the container has exited (or after 20 s). */
static int wait_exit(const char *id, k8c_runtime_container_status_t *st)
{
	k8c_error_t err;
	int64_t end = mono_ms() + 20000;

	while (mono_ms() < end) {
		if (ops->container_status(rt, id, st, &err) < 0)
			return -1;
		if (st->state == K8C_CONTAINER_EXITED)
			return 0;
		usleep(10 * 1000);
	}
	return -1;
}

static int cg_v2; /* /sys/fs/cgroup is a pure cgroup2 mount */

/* A file of a pod's or container's cgroup: v1 names, or the v2 ones */
static char *cg_file(const char *ctrl, const char *pod_uid, const char *id, const char *file)
{
	if (cg_v2 && file != NULL)
		file = strcmp(file, "memory.limit_in_bytes") == 0 ? "memory.max"
		       : strcmp(file, "cpu.cfs_quota_us") == 0    ? "cpu.max"
		                                                  : file;
	return k8c_xasprintf("/sys/fs/cgroup/%s%s%s/pod%s%s%s%s%s", cg_v2 ? "" : ctrl, cg_v2 ? "" : "/", cgroot,
	                     pod_uid, id ? "/" : "", id ? id : "", file ? "/" : "", file ? file : "");
}

typedef struct seen {
	int sandboxes, containers, found, state;
	const char *want;
	char sandbox[K8C_RUNTIME_ID_MAX];
} seen_t;

static void on_entry(void *udata, const k8c_runtime_entry_t *e)
{
	seen_t *s = udata;

	if (e->is_container) {
		s->containers++;
		if (s->want != NULL && strcmp(e->id, s->want) == 0) {
			s->found = 1;
			s->state = e->state;
			snprintf(s->sandbox, sizeof(s->sandbox), "%s", e->sandbox_id);
		}
	} else {
		s->sandboxes++;
		if (s->containers > 0)
			s->found = -100; /* sandboxes must come first */
	}
}

/* Remove every sandbox the runtime knows, then the cgroup root and the
 * temp directory: runs even when checks failed. */
static char **leftover;
static size_t n_leftover;
static void collect_sandbox(void *udata, const k8c_runtime_entry_t *e)
{
	(void)udata;
	if (!e->is_container) {
		leftover = k8c_xrealloc(leftover, (n_leftover + 1) * sizeof(*leftover));
		leftover[n_leftover++] = k8c_xstrdup(e->id);
	}
}

static void cleanup(void)
{
	static const char *const ctrls[] = {"memory", "cpu", "cpuacct", "pids", "", NULL};
	k8c_error_t err;

	if (rt != NULL) {
		ops->list(rt, collect_sandbox, NULL, &err);
		for (size_t i = 0; i < n_leftover; i++) {
			if (ops->remove_sandbox(rt, leftover[i], &err) < 0)
				diag("cleanup: %s", err.message);
			free(leftover[i]);
		}
		free(leftover);
		k8c_plugin.fini(rt);
		rt = NULL;
	}
	for (int i = 0; ctrls[i] != NULL; i++) {
		char *d = k8c_xasprintf("/sys/fs/cgroup/%s%s%s", ctrls[i], *ctrls[i] ? "/" : "", cgroot);
		if (cg_v2 != (*ctrls[i] == '\0')) {
			free(d);
			continue;
		}
		if (exists(d) && rmdir(d) != 0)
			diag("cleanup: rmdir %s: %s", d, strerror(errno));
		free(d);
	}
	k8c_remove_tree(tmp, NULL);
}

static const char *skip_reason(void)
{
	struct statfs sfs;

	if (geteuid() != 0)
		return "needs root";
	if (statfs("/sys/fs/cgroup", &sfs) != 0 ||
	    (sfs.f_type != 0x63677270 && access("/sys/fs/cgroup/memory/memory.limit_in_bytes", F_OK) != 0))
		return "no cgroup memory controller";
	if (busybox_path() == NULL || access("/usr/sbin/chroot", X_OK) != 0)
		return "no busybox (Debian: busybox-static) or chroot";
	if (access("/proc/self/ns/net", F_OK) != 0)
		return "no namespaces";
	return NULL;
}

int main(void)
{
	fake_host_t fh;
	k8c_error_t err;
	k8c_runtime_container_status_t st;
	k8c_runtime_sandbox_status_t ss;
	char sb[K8C_RUNTIME_ID_MAX], sb2[K8C_RUNTIME_ID_MAX], sb3[K8C_RUNTIME_ID_MAX], path[512], conf_text[128];
	const char *why = skip_reason();
	cJSON *conf, *pod, *pod2, *pod3;
	char *s, *s2;
	int code;
	char *out;
	int64_t t0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (why != NULL) {
		printf("1..0 # SKIP %s\n", why);
		return 0;
	}
	{
		struct statfs sfs;
		cg_v2 = statfs("/sys/fs/cgroup", &sfs) == 0 && sfs.f_type == 0x63677270;
	}
	if (mkdtemp(tmp) == NULL) {
		printf("1..0 # SKIP mkdtemp: %s\n", strerror(errno));
		return 0;
	}
	snprintf(cgroot, sizeof(cgroot), "k8c-test-%d", (int)getpid());
	snprintf(logs, sizeof(logs), "%s/logs", tmp);
	snprintf(vol_ro, sizeof(vol_ro), "%s/vol-ro", tmp);
	snprintf(vol_rw, sizeof(vol_rw), "%s/vol-rw", tmp);
	snprintf(data_dir, sizeof(data_dir), "%s/data", tmp);
	mkdir(logs, 0755);
	mkdir(vol_ro, 0755);
	mkdir(vol_rw, 0755);
	mkdir(data_dir, 0755);
	if (!make_rootfs()) {
		printf("1..0 # SKIP cannot build a busybox rootfs\n");
		k8c_remove_tree(tmp, NULL);
		return 0;
	}
	fake_host_init(&fh);
	fh.host.data_dir = data_dir;
	ops = k8c_plugin.ops;

	check(k8c_plugin.kind == K8C_PLUGIN_RUNTIME && strcmp(k8c_plugin.name, "process") == 0,
	   "a runtime named process");
	check(ops->flags == 0 && ops->pull_image == NULL && ops->list != NULL && ops->sandbox_netns != NULL &&
	   ops->exec != NULL, "not hollow; list, sandbox_netns and exec provided, pull_image not");
	conf = cJSON_Parse("{\"pidsLimit\":\"many\"}");
	check(k8c_plugin.init(&fh.host, conf, &rt, &err) == -K8C_EINVAL, "a bad pidsLimit is refused: %s",
	   err.message);
	cJSON_Delete(conf);
	snprintf(conf_text, sizeof(conf_text), "{\"pidsLimit\":1000,\"cgroupRoot\":\"%s\"}", cgroot);
	conf = cJSON_Parse(conf_text);
	rt = NULL;
	if (!check_v(k8c_plugin.init(&fh.host, conf, &rt, &err) == 0, "init")) {
		diag("%s", err.message);
		rt = NULL;
		cleanup();
		cJSON_Delete(conf);
		return done_testing();
	}

	/* ---- a sandbox ---- */
	pod = make_pod("web-1", "11111111-aaaa", NULL);
	check(ops->run_sandbox(rt, pod, sb, &err) == 0, "run a sandbox: %s", err.message);
	check(ops->sandbox_status(rt, sb, &ss, &err) == 0 && ss.ready && ss.ip[0] == '\0',
	   "it is ready, without an IP");
	path[0] = '\0';
	check(ops->sandbox_netns(rt, sb, path, sizeof(path), &err) == 0 && strncmp(path, "/proc/", 6) == 0 &&
	   exists(path), "its netns is %s", path);
	{
		char self[64] = "", other[64] = "";
		ssize_t a = readlink("/proc/self/ns/net", self, sizeof(self) - 1);
		ssize_t b = readlink(path, other, sizeof(other) - 1);
		check(a > 0 && b > 0 && strcmp(self, other) != 0, "a network namespace of its own (%s)", other);
	}
	s = cg_file("pids", "11111111-aaaa", NULL, "pids.max");
	s2 = slurp(s);
	check(strcmp(s2, "1000\n") == 0, "the pod cgroup has pids.max 1000 (pidsLimit)");
	free(s);
	free(s2);

	/* ---- output, exit codes ---- */
	{
		const char *const argv[] = {"sh", "-c", "echo hello; echo err >&2", NULL};
		ctr_t c = {.argv = argv};
		check(start(sb, pod, &c, "hello", &err) == 0, "a container runs echo: %s", err.message);
		check(wait_exit(c.id, &st) == 0 && st.exit_code == 0 && strcmp(st.reason, "Completed") == 0,
		   "it exits 0, Completed (%d %s)", st.exit_code, st.reason);
		check(st.created_ns > 0 && st.started_ns >= st.created_ns && st.finished_ns >= st.started_ns,
		   "created <= started <= finished");
		s = slurp(c.log_path);
		check(strstr(s, "Z stdout F hello\n") != NULL && strstr(s, "Z stderr F err\n") != NULL,
		   "the log has CRI lines for stdout and stderr");
		check(strlen(s) > 31 && s[4] == '-' && s[10] == 'T' && s[19] == '.' && s[29] == 'Z' && s[30] == ' ',
		   "timestamps are RFC 3339 with nanoseconds: %.30s", s);
		free(s);
		check(ops->start_container(rt, c.id, &err) == -K8C_ECONFLICT, "starting it again is a conflict");
		check(ops->remove_container(rt, c.id, &err) == 0, "remove it");
	}
	{
		const char *const argv[] = {"sh", "-c", "exit 3", NULL};
		ctr_t c = {.argv = argv};
		check(start(sb, pod, &c, "exit3", &err) == 0 && wait_exit(c.id, &st) == 0 && st.exit_code == 3 &&
		   strcmp(st.reason, "Error") == 0, "exit 3: EXITED 3, Error (%d %s)", st.exit_code, st.reason);
		ops->remove_container(rt, c.id, &err);
	}

	/* ---- PID 1, hostname, env, workingDir, mounts, user ---- */
	{
		const char *const argv[] = {
			"sh", "-c",
			"echo pid=$$; echo host=$(hostname); echo foo=$FOO; echo pwd=$(pwd); cat /mnt/ro/hello.txt; "
			"touch /mnt/ro/x 2>/dev/null && echo ro=writable || echo ro=readonly; echo data > /mnt/rw/out.txt; "
			"cat /etc/single.txt; touch /image-write && echo wrote; ls /dev/null /dev/zero /dev/urandom",
			NULL};
		const char *const envp[] = {"FOO=bar baz", NULL};
		char file[256];
		k8c_runtime_mount_t m[3] = {
			{vol_ro, "/mnt/ro", 1},
			{vol_rw, "/mnt/rw", 0},
			{file, "/etc/single.txt", 1},
		};
		ctr_t c = {.argv = argv, .envp = envp, .mounts = m, .n_mounts = 3,
		           .container_json = "{\"name\":\"c\",\"workingDir\":\"/work/dir\"}"};
		snprintf(file, sizeof(file), "%s/single.txt", tmp);
		put(file, "single-file\n");
		snprintf(path, sizeof(path), "%s/hello.txt", vol_ro);
		put(path, "hello-volume\n");
		check(start(sb, pod, &c, "env", &err) == 0, "a container with env, workingDir and mounts: %s",
		   err.message);
		check(wait_exit(c.id, &st) == 0 && st.exit_code == 0, "exits 0 (%d %s)", st.exit_code, st.message);
		s = slurp(c.log_path);
		check(strstr(s, " stdout F pid=1\n") != NULL, "its command is PID 1");
		check(strstr(s, " stdout F host=web-1\n") != NULL, "the hostname is the pod name");
		check(strstr(s, " stdout F foo=bar baz\n") != NULL, "env passes");
		check(strstr(s, " stdout F pwd=/work/dir\n") != NULL, "workingDir is created and used");
		check(strstr(s, " stdout F hello-volume\n") != NULL, "a directory bind mount");
		check(strstr(s, " stdout F ro=readonly\n") != NULL, "a read-only mount is read-only");
		check(strstr(s, " stdout F single-file\n") != NULL, "a file bind mount");
		check(strstr(s, " stdout F wrote\n") != NULL && strstr(s, "/dev/urandom") != NULL,
		   "the root is writable and /dev has the usual nodes");
		if (tap_failed)
			diag("log:\n%s", s);
		free(s);
		snprintf(path, sizeof(path), "%s/out.txt", vol_rw);
		s = slurp(path);
		check(strcmp(s, "data\n") == 0, "a read-write mount is written through");
		free(s);
		snprintf(path, sizeof(path), "%s/image-write", rootfs);
		check(!exists(path), "the image rootfs is never written (overlay)");
		ops->remove_container(rt, c.id, &err);
	}
	{
		const char *const argv[] = {"sh", "-c", "echo uid=$(id -u) gid=$(id -g)", NULL};
		ctr_t c = {.argv = argv,
		           .container_json = "{\"name\":\"c\",\"securityContext\":{\"runAsUser\":1000,\"runAsGroup\":1001}}"};
		check(start(sb, pod, &c, "user", &err) == 0 && wait_exit(c.id, &st) == 0, "a container with runAsUser");
		s = slurp(c.log_path);
		check(strstr(s, " stdout F uid=1000 gid=1001\n") != NULL, "runs as 1000:1001");
		free(s);
		ops->remove_container(rt, c.id, &err);
	}

	/* ---- memory limit: OOM ---- */
	{
		const char *const argv[] = {"dd", "if=/dev/zero", "of=/dev/null", "bs=64M", "count=1", NULL};
		ctr_t c = {.argv = argv,
		           .container_json = "{\"name\":\"c\",\"resources\":{\"limits\":{\"memory\":\"20Mi\"}}}"};
		check(start(sb, pod, &c, "oom", &err) == 0, "a container with 20Mi allocating 64M: %s", err.message);
		s = cg_file("memory", "11111111-aaaa", c.id, "memory.limit_in_bytes");
		s2 = slurp(s);
		check(strcmp(s2, "20971520\n") == 0, "memory.limit_in_bytes is 20Mi");
		free(s2);
		check(wait_exit(c.id, &st) == 0 && st.exit_code == 137 && strcmp(st.reason, "OOMKilled") == 0,
		   "it ends OOMKilled, 137 (%d %s)", st.exit_code, st.reason);
		check(ops->remove_container(rt, c.id, &err) == 0 && !exists(s), "remove: its cgroup is gone");
		free(s);
		snprintf(path, sizeof(path), "%s/data/containers/%s", tmp, c.id);
		check(!exists(path), "and its state and overlay directories");
	}

	/* ---- stop: SIGTERM ignored by PID 1, escalated ---- */
	{
		const char *const argv[] = {"sleep", "1000", NULL};
		ctr_t c = {.argv = argv,
		           .container_json = "{\"name\":\"c\",\"resources\":{\"limits\":{\"cpu\":\"500m\"}}}"};
		check(start(sb, pod, &c, "sleep", &err) == 0, "sleep 1000 with cpu 500m: %s", err.message);
		check(ops->container_status(rt, c.id, &st, &err) == 0 && st.state == K8C_CONTAINER_RUNNING && st.pid > 0,
		   "it runs (pid %d)", st.pid);
		s = cg_file("cpu", "11111111-aaaa", c.id, "cpu.cfs_quota_us");
		s2 = slurp(s);
		check(strcmp(s2, cg_v2 ? "50000 100000\n" : "50000\n") == 0, "cpu.cfs_quota_us is 50000 of 100000");
		free(s);
		free(s2);
		t0 = mono_ms();
		check(ops->stop_container(rt, c.id, 1, &err) == 0, "stop with a 1s grace period: %s", err.message);
		t0 = mono_ms() - t0;
		check(t0 >= 900 && t0 < 5000, "took %lld ms: SIGTERM was ignored, SIGKILL followed", (long long)t0);
		check(ops->container_status(rt, c.id, &st, &err) == 0 && st.state == K8C_CONTAINER_EXITED &&
		   st.exit_code == 137, "EXITED 137 (%d)", st.exit_code);
		ops->remove_container(rt, c.id, &err);
	}

	/* ---- exec ---- */
	{
		const char *const argv[] = {"sleep", "1000", NULL};
		const char *const envp[] = {"GREETING=hi", NULL};
		ctr_t c = {.argv = argv, .envp = envp};
		check(start(sb, pod, &c, "exec", &err) == 0, "a container to exec in");
		out = NULL;
		code = -1;
		check(ops->exec(rt, c.id, (const char *const[]){"hostname", NULL}, 5, &code, &out, &err) == 0 &&
		   code == 0 && out != NULL && strcmp(out, "web-1\n") == 0, "exec hostname");
		free(out);
		out = NULL;
		check(ops->exec(rt, c.id, (const char *const[]){"sh", "-c", "tr '\\0' ' ' < /proc/1/cmdline; echo; echo $GREETING; exit 5", NULL},
		             5, &code, &out, &err) == 0 && code == 5 && out != NULL && strstr(out, "sleep") != NULL &&
		   strstr(out, "hi\n") != NULL, "exec sees the container's PID 1 and env, exit code 5 (%d)", code);
		free(out);
		out = NULL;
		check(ops->exec(rt, c.id, (const char *const[]){"no-such-cmd", NULL}, 5, &code, &out, &err) == 0 &&
		   code == 127 && out != NULL && strstr(out, "not found") != NULL, "exec of a missing command: 127, with a message");
		free(out);
		out = NULL;
		t0 = mono_ms();
		check(ops->exec(rt, c.id, (const char *const[]){"sleep", "30", NULL}, 1, &code, &out, &err) == -K8C_ETIMEOUT,
		   "exec times out: %s", err.message);
		t0 = mono_ms() - t0;
		check(t0 < 3000, "after about 1s (%lld ms)", (long long)t0);
		free(out);
		check(ops->exec(rt, c.id, (const char *const[]){"true", NULL}, 1, &code, NULL, &err) == 0 && code == 0,
		   "exec without output");
		ops->stop_container(rt, c.id, 0, &err);
		check(ops->exec(rt, c.id, (const char *const[]){"true", NULL}, 1, &code, NULL, &err) == -K8C_ECONFLICT,
		   "exec in a stopped container fails");
		ops->remove_container(rt, c.id, &err);
	}

	/* ---- missing executables ---- */
	{
		const char *const argv[] = {"no-such-cmd", NULL};
		const char *const argv2[] = {"/no/such/file", NULL};
		ctr_t c = {.argv = argv}, c2 = {.argv = argv2};
		/* like runc: create works, start fails; the kubelet reports StartError */
		check(create(sb, pod, &c, "missing", &err) == 0, "create with a missing command works");
		check(ops->start_container(rt, c.id, &err) == -K8C_EINVAL &&
		      strstr(err.message, "exec: \"no-such-cmd\": executable file not found in $PATH") != NULL,
		      "start fails: %s", err.message);
		check(ops->container_status(rt, c.id, &st, &err) == 0 && st.state == K8C_CONTAINER_EXITED &&
		      st.exit_code == 128 && strcmp(st.reason, "StartError") == 0 &&
		      strstr(st.message, "not found in $PATH") != NULL,
		      "status: EXITED 128, StartError, with the message (%d %s)", st.exit_code, st.reason);
		check(ops->remove_container(rt, c.id, &err) == 0, "remove it");
		check(create(sb, pod, &c2, "missing", &err) == 0 && ops->start_container(rt, c2.id, &err) == -K8C_EINVAL &&
		      strstr(err.message, "exec: \"/no/such/file\": No such file or directory") != NULL,
		      "a missing absolute path: %s", err.message);
		ops->remove_container(rt, c2.id, &err);
	}

	/* ---- log rotation, partial lines ---- */
	{
		const char *const argv[] = {"sh", "-c",
		                            "i=0; while [ $i -lt 200 ]; do echo line-$i-xxxxxxxxxxxxxxxxxxxxxxxxx; "
		                            "i=$((i+1)); done", NULL};
		const char *const argv2[] = {"sh", "-c", "head -c 20000 /dev/zero | tr '\\0' a; echo; printf tail", NULL};
		ctr_t c = {.argv = argv, .log_max_bytes = 2000, .log_max_files = 3}, c2 = {.argv = argv2};
		struct stat lst;
		check(start(sb, pod, &c, "rotate", &err) == 0 && wait_exit(c.id, &st) == 0 && st.exit_code == 0,
		   "200 lines with log_max_bytes 2000");
		snprintf(path, sizeof(path), "%s.1", c.log_path);
		check(exists(path), "rotated to .1");
		snprintf(path, sizeof(path), "%s.2", c.log_path);
		check(exists(path), "and .2");
		snprintf(path, sizeof(path), "%s.3", c.log_path);
		check(!exists(path), "but no .3 (log_max_files 3)");
		s = slurp(c.log_path);
		check(stat(c.log_path, &lst) == 0 && lst.st_size <= 2000 && strstr(s, " stdout F line-199-") != NULL,
		   "the current log is at most 2000 bytes (%lld) and ends with the last line", (long long)lst.st_size);
		free(s);
		check(start(sb, pod, &c2, "partial", &err) == 0 && wait_exit(c2.id, &st) == 0, "a 20000-byte line");
		s = slurp(c2.log_path);
		check(strstr(s, " stdout P aaaa") != NULL && strstr(s, "aaaa\n") != NULL && strstr(s, " stdout F tail\n") != NULL,
		   "is split into P and F parts; output without a newline ends as F");
		free(s);
		ops->remove_container(rt, c.id, &err);
		ops->remove_container(rt, c2.id, &err);
	}

	/* ---- PID namespace shared, host network ---- */
	pod2 = make_pod("shared", "22222222-bbbb", "\"shareProcessNamespace\":true,\"hostNetwork\":true");
	check(ops->run_sandbox(rt, pod2, sb2, &err) == 0, "a sandbox with shareProcessNamespace and hostNetwork: %s",
	   err.message);
	path[0] = 'x';
	check(ops->sandbox_netns(rt, sb2, path, sizeof(path), &err) == 0 && path[0] == '\0',
	   "hostNetwork: no netns path");
	{
		const char *const argv[] = {"sh", "-c", "echo pid=$$; cat /proc/1/comm", NULL};
		ctr_t c = {.argv = argv};
		check(start(sb2, pod2, &c, "shared", &err) == 0 && wait_exit(c.id, &st) == 0 && st.exit_code == 0,
		   "a container in the shared PID namespace: %s", err.message);
		s = slurp(c.log_path);
		check(strstr(s, " stdout F pid=1\n") == NULL && strstr(s, " stdout F k8c-pause\n") != NULL,
		   "PID 1 is the pause process");
		free(s);
	}

	/* ---- re-adoption by a new plugin instance ---- */
	pod3 = make_pod("adopt", "33333333-cccc", NULL);
	{
		const char *const argv[] = {"sh", "-c", "while true; do echo tick; sleep 0.2; done", NULL};
		ctr_t c = {.argv = argv};
		seen_t seen = {.want = c.id};
		void *old = rt;
		struct stat a, b;
		check(ops->run_sandbox(rt, pod3, sb3, &err) == 0 && start(sb3, pod3, &c, "adopt", &err) == 0,
		   "a long-running container");
		seen.want = c.id;
		k8c_plugin.fini(old);
		rt = NULL;
		if (!check_v(k8c_plugin.init(&fh.host, conf, &rt, &err) == 0, "the plugin instance is gone; a new one starts")) {
			diag("%s", err.message);
			rt = NULL;
			cleanup();
			return done_testing();
		}
		ops->list(rt, on_entry, &seen, &err);
		check(seen.found == 1 && seen.state == K8C_CONTAINER_RUNNING && strcmp(seen.sandbox, sb3) == 0,
		   "list shows the container RUNNING, same id, same sandbox");
		check(seen.found == 1 && seen.sandboxes == 3 && seen.containers >= 2, "sandboxes first, then containers (%d, %d)",
		   seen.sandboxes, seen.containers);
		check(ops->container_status(rt, c.id, &st, &err) == 0 && st.state == K8C_CONTAINER_RUNNING,
		   "status: running");
		stat(c.log_path, &a);
		usleep(600 * 1000);
		stat(c.log_path, &b);
		check(b.st_size > a.st_size, "its log keeps growing (%lld -> %lld)", (long long)a.st_size,
		   (long long)b.st_size);
		check(ops->stop_container(rt, c.id, 2, &err) == 0 && ops->container_status(rt, c.id, &st, &err) == 0 &&
		   st.state == K8C_CONTAINER_EXITED, "the new instance stops it (%d)", st.exit_code);
	}

	/* ---- the agent is killed with SIGKILL: its containers live on ---- */
	{
		const char *const argv[] = {"sh", "-c", "while true; do echo tock; sleep 0.2; done", NULL};
		ctr_t c = {.argv = argv};
		int p[2];
		pid_t agent;
		struct stat a, b;
		seen_t seen = {0};

		if (pipe(p) != 0)
			p[0] = p[1] = -1;
		agent = fork();
		if (agent == 0) {
			/* the "agent": starts a container with its own copy of the instance, then hangs */
			k8c_error_t e;
			close(p[0]);
			if (start(sb3, pod3, &c, "killed", &e) != 0 || write(p[1], c.id, strlen(c.id) + 1) < 0)
				_exit(1);
			for (;;)
				pause();
		}
		close(p[1]);
		c.id[0] = '\0';
		check(agent > 0 && read(p[0], c.id, sizeof(c.id)) > 0 && c.id[0] != '\0',
		      "an agent process started a container");
		close(p[0]);
		if (agent > 0) {
			kill(agent, SIGKILL);
			waitpid(agent, NULL, 0);
		}
		snprintf(c.log_path, sizeof(c.log_path), "%s/killed.log", logs);
		seen.want = c.id;
		ops->list(rt, on_entry, &seen, &err);
		check(seen.found == 1 && seen.state == K8C_CONTAINER_RUNNING,
		      "after kill -9 of the agent, list shows the container RUNNING");
		stat(c.log_path, &a);
		usleep(600 * 1000);
		stat(c.log_path, &b);
		check(b.st_size > a.st_size, "and its log keeps being written (%lld -> %lld)", (long long)a.st_size,
		      (long long)b.st_size);
		check(ops->exec(rt, c.id, (const char *const[]){"true", NULL}, 5, &code, NULL, &err) == 0 && code == 0,
		      "exec works in it");
		check(ops->remove_container(rt, c.id, &err) == 0, "and it can be removed");
	}

	/* ---- removal ---- */
	check(ops->stop_sandbox(rt, sb, &err) == 0 && ops->sandbox_status(rt, sb, &ss, &err) == 0 && !ss.ready,
	   "a stopped sandbox is not ready");
	check(ops->remove_sandbox(rt, sb, &err) == 0, "remove it: %s", err.message);
	check(ops->sandbox_status(rt, sb, &ss, &err) == -K8C_ENOTFOUND, "it is gone");
	s = cg_file("memory", "11111111-aaaa", NULL, NULL);
	check(!exists(s), "its pod cgroup too");
	free(s);
	check(ops->remove_sandbox(rt, sb2, &err) == 0 && ops->remove_sandbox(rt, sb3, &err) == 0,
	   "remove the others (with their containers)");
	{
		seen_t seen = {0};
		ops->list(rt, on_entry, &seen, &err);
		check(seen.sandboxes == 0 && seen.containers == 0, "nothing is left (%d, %d)", seen.sandboxes,
		   seen.containers);
	}
	check(ops->container_status(rt, "nope", &st, &err) == -K8C_ENOTFOUND &&
	   ops->container_status(rt, "../x", &st, &err) == -K8C_ENOTFOUND, "unknown or bad ids are not found");

	cJSON_Delete(pod);
	cJSON_Delete(pod2);
	cJSON_Delete(pod3);
	cleanup();
	cJSON_Delete(conf);
	{
		char d[128];
		snprintf(d, sizeof(d), "/sys/fs/cgroup/%s%s", cg_v2 ? "" : "memory/", cgroot);
		check(!exists(d) && !exists(tmp), "the cgroup root and the temp directory are gone");
	}
	return done_testing();
}
