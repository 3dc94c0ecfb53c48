/* Pod sandboxes: a "pause" process holds the pod's namespaces.
 *
 * The agent forks A; A leaves the agent's session, unshares the UTS, IPC
 * and network namespaces (not the ones the pod shares with the host:
 * hostNetwork shares network and UTS, hostIPC IPC) and, for
 * shareProcessNamespace, a PID namespace, then forks the pause process B
 * and exits.  B (PID 1 of the pod's PID namespace when there is one) sets
 * the hostname, brings up lo, reports on a pipe and sleeps in sigwaitinfo,
 * reaping orphans.  B is reparented to init, so it outlives the agent.
 * Containers join B's namespaces through /proc/<B>/ns/.
 *
 * State: sandboxes/<id>/sandbox (key=value).  Cgroups: <root>/pod<uid> with
 * the pod's limits, B in the leaf pod<uid>/sandbox-<id>. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "common/dirs.h"
#include "common/mem.h"
#include "runtime_process.h"

static const cJSON *jget(const cJSON *o, const char *a, const char *b)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, a);
	return b != NULL ? cJSON_GetObjectItemCaseSensitive(j, b) : j;
}

static char *state_path(const rp_t *rp, const char *id)
{
	return k8c_xasprintf("%s/sandboxes/%s/sandbox", rp->data_dir, id);
}

void rp_sandbox_free(rp_sandbox_t *sb)
{
	free(sb->pod_uid);
	free(sb->pod_ns);
	free(sb->pod_name);
	free(sb->hostname);
	memset(sb, 0, sizeof(*sb));
}

static char *kv_str(const char *text, const char *key)
{
	char buf[512];

	rp_kv_get(text, key, buf, sizeof(buf));
	return k8c_xstrdup(buf);
}

int rp_sandbox_load(const rp_t *rp, const char *id, rp_sandbox_t *sb, k8c_error_t *err)
{
	_cleanup_free_ char *path = NULL, *text = NULL;
	size_t len;

	memset(sb, 0, sizeof(*sb));
	if (!rp_id_valid(id))
		return k8c_error_make(err, K8C_ENOTFOUND, "no sandbox %s", id);
	path = state_path(rp, id);
	if (k8c_read_file(path, 65536, &text, &len) < 0)
		return k8c_error_make(err, K8C_ENOTFOUND, "no sandbox %s", id);
	snprintf(sb->id, sizeof(sb->id), "%s", id);
	sb->pod_uid = kv_str(text, "pod_uid");
	sb->pod_ns = kv_str(text, "pod_namespace");
	sb->pod_name = kv_str(text, "pod_name");
	sb->hostname = kv_str(text, "hostname");
	sb->host_net = (int)rp_kv_int(text, "host_network", 0);
	sb->host_ipc = (int)rp_kv_int(text, "host_ipc", 0);
	sb->host_pid = (int)rp_kv_int(text, "host_pid", 0);
	sb->share_pid = (int)rp_kv_int(text, "share_pid", 0);
	sb->pause_pid = (pid_t)rp_kv_int(text, "pause_pid", 0);
	sb->pause_start = (unsigned long long)rp_kv_int(text, "pause_start", 0);
	sb->stopped = (int)rp_kv_int(text, "stopped", 0);
	sb->created_ns = rp_kv_int(text, "created_ns", 0);
	return 0;
}

static int sandbox_save(const rp_t *rp, const rp_sandbox_t *sb, k8c_error_t *err)
{
	_cleanup_free_ char *path = state_path(rp, sb->id);
	_cleanup_free_ char *text = k8c_xasprintf(
		"pod_uid=%s\npod_namespace=%s\npod_name=%s\nhostname=%s\nhost_network=%d\nhost_ipc=%d\n"
		"host_pid=%d\nshare_pid=%d\npause_pid=%d\npause_start=%llu\nstopped=%d\ncreated_ns=%lld\n",
		sb->pod_uid, sb->pod_ns, sb->pod_name, sb->hostname, sb->host_net, sb->host_ipc, sb->host_pid,
		sb->share_pid, (int)sb->pause_pid, sb->pause_start, sb->stopped, (long long)sb->created_ns);
	int ret = rp_kv_write(path, text);

	if (ret < 0)
		return k8c_error_make(err, K8C_EIO, "cannot write %s: %s", path, strerror(-ret));
	return 0;
}

int rp_sandbox_ready(const rp_sandbox_t *sb)
{
	return !sb->stopped && rp_proc_alive(sb->pause_pid, sb->pause_start, 0);
}

void rp_sandbox_cgroup(const rp_t *rp, const rp_sandbox_t *sb, rp_cgroup_t *cg)
{
	_cleanup_free_ char *rel = k8c_xasprintf("pod%s", sb->pod_uid);
	rp_cgroup_at(rp, rel, cg);
}

static void pause_cgroup(const rp_t *rp, const rp_sandbox_t *sb, rp_cgroup_t *cg)
{
	_cleanup_free_ char *rel = k8c_xasprintf("pod%s/sandbox-%s", sb->pod_uid, sb->id);
	rp_cgroup_at(rp, rel, cg);
}

/* The pod's limits: the sum of its containers' limits when every container
 * has one, at least the largest init container's (Kubernetes' pod-level
 * rule); pids from the config. */
static void pod_limits(const rp_t *rp, const cJSON *pod, rp_limits_t *lim)
{
	const char *lists[2] = {"containers", "initContainers"};
	int64_t sum_cpu = 0, sum_mem = 0, max_cpu = 0, max_mem = 0;
	int all_cpu = 1, all_mem = 1, any = 0;

	memset(lim, 0, sizeof(*lim));
	for (int l = 0; l < 2; l++) {
		const cJSON *c;
		cJSON_ArrayForEach(c, jget(pod, "spec", lists[l])) {
			rp_limits_t cl;
			if (rp_limits_from_container(c, &cl, NULL) < 0)
				memset(&cl, 0, sizeof(cl));
			all_cpu &= cl.cpu_limit_milli > 0;
			all_mem &= cl.memory_bytes > 0;
			any = 1;
			if (l == 0) {
				sum_cpu += cl.cpu_limit_milli;
				sum_mem += cl.memory_bytes;
			} else {
				max_cpu = cl.cpu_limit_milli > max_cpu ? cl.cpu_limit_milli : max_cpu;
				max_mem = cl.memory_bytes > max_mem ? cl.memory_bytes : max_mem;
			}
		}
	}
	if (any && all_cpu)
		lim->cpu_limit_milli = sum_cpu > max_cpu ? sum_cpu : max_cpu;
	if (any && all_mem)
		lim->memory_bytes = sum_mem > max_mem ? sum_mem : max_mem;
	lim->pids = rp->pids_limit;
}

/* "ERR <what> <arg>: <strerror(errno)>" to the agent. */
static void report(int fd, const char *what, const char *arg)
{
	char buf[512];
	int n = snprintf(buf, sizeof(buf), "ERR %s %s: %s\n", what, arg, strerror(errno));

	if (n > 0 && write(fd, buf, (size_t)n) < 0)
		_exit(1);
}

/* B, the pause process.  Never returns. */
__attribute__((noreturn)) static void pause_main(const rp_sandbox_t *sb, int new_uts, int new_net, int fd)
{
	sigset_t all;
	siginfo_t si;
	int devnull;

	if (new_uts && sethostname(sb->hostname, strlen(sb->hostname)) != 0) {
		report(fd, "sethostname", sb->hostname);
		_exit(1);
	}
	if (new_net) {
		struct ifreq ifr;
		int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		memset(&ifr, 0, sizeof(ifr));
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
		if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) != 0 ||
		    (ifr.ifr_flags |= IFF_UP | IFF_RUNNING, ioctl(s, SIOCSIFFLAGS, &ifr)) != 0) {
			report(fd, "bring up", "lo");
			_exit(1);
		}
		close(s);
	}
	rp_signals_default();
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
	prctl(PR_SET_NAME, "k8c-pause", 0, 0, 0);
	if (chdir("/") != 0)
		_exit(1);
	devnull = open("/dev/null", O_RDWR);
	if (devnull >= 0) {
		dup2(devnull, 0);
		dup2(devnull, 1);
		dup2(devnull, 2);
	}
	if (write(fd, "OK\n", 3) != 3)
		_exit(1);
	rp_close_fds_except(NULL, 0);
	for (;;) {
		int sig = sigwaitinfo(&all, &si);
		if (sig == SIGCHLD) {
			while (waitpid(-1, NULL, WNOHANG) > 0)
				;
		} else if (sig == SIGTERM || sig == SIGINT) {
			_exit(0);
		}
	}
}

/* Fork A, which forks the pause process; *pid receives B's host pid. */
static int spawn_pause(const rp_sandbox_t *sb, pid_t *pid, k8c_error_t *err)
{
	int flags = CLONE_NEWIPC * !sb->host_ipc | (CLONE_NEWUTS | CLONE_NEWNET) * !sb->host_net |
	            CLONE_NEWPID * (sb->share_pid && !sb->host_pid);
	char buf[1024], *line;
	int p[2], status;
	pid_t a;
	ssize_t n;

	if (pipe2(p, O_CLOEXEC) != 0)
		return k8c_error_make(err, K8C_EIO, "pipe: %s", strerror(errno));
	a = fork();
	if (a < 0) {
		close(p[0]);
		close(p[1]);
		return k8c_error_make(err, K8C_EIO, "fork: %s", strerror(errno));
	}
	if (a == 0) {
		pid_t b;
		close(p[0]);
		setsid();
		if (unshare(flags) != 0) {
			report(p[1], "unshare namespaces for pod", sb->pod_name);
			_exit(1);
		}
		b = fork();
		if (b == 0)
			pause_main(sb, (flags & CLONE_NEWUTS) != 0, (flags & CLONE_NEWNET) != 0, p[1]);
		snprintf(buf, sizeof(buf), "PID %d\n", (int)b);
		if (b < 0 || write(p[1], buf, strlen(buf)) < 0)
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	while (waitpid(a, &status, 0) < 0 && errno == EINTR)
		;
	n = rp_read_until(p[0], buf, sizeof(buf), rp_mono_ns() + 10000000000LL, 2); /* PID, OK */
	close(p[0]);
	*pid = 0;
	if (n < 0)
		return k8c_error_make(err, K8C_EIO, "pause process of pod %s: %s", sb->pod_name, strerror((int)-n));
	if ((line = strstr(buf, "PID ")) != NULL)
		*pid = (pid_t)atoi(line + 4);
	if ((line = strstr(buf, "ERR ")) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (*pid > 0)
			kill(*pid, SIGKILL);
		return k8c_error_make(err, K8C_EIO, "pause process: %s", line + 4);
	}
	if (*pid <= 0 || strstr(buf, "OK\n") == NULL) {
		if (*pid > 0)
			kill(*pid, SIGKILL);
		return k8c_error_make(err, K8C_EIO, "the pause process of pod %s did not start", sb->pod_name);
	}
	return 0;
}

int rp_sandbox_run(rp_t *rp, const cJSON *pod, char id[K8C_RUNTIME_ID_MAX], k8c_error_t *err)
{
	const char *uid = cJSON_GetStringValue(jget(pod, "metadata", "uid"));
	const char *name = cJSON_GetStringValue(jget(pod, "metadata", "name"));
	const char *ns = cJSON_GetStringValue(jget(pod, "metadata", "namespace"));
	const char *hostname = cJSON_GetStringValue(jget(pod, "spec", "hostname"));
	_cleanup_free_ char *dir = NULL;
	rp_sandbox_t sb;
	rp_cgroup_t pod_cg, pause_cg;
	rp_limits_t lim;
	int ret;

	memset(&sb, 0, sizeof(sb));
	if (name == NULL || *name == '\0')
		return k8c_error_make(err, K8C_EINVAL, "pod without metadata.name");
	rp_id_new(sb.id);
	sb.pod_uid = k8c_xstrdup(uid != NULL && rp_id_valid(uid) ? uid : sb.id);
	sb.pod_name = k8c_xstrdup(name);
	sb.pod_ns = k8c_xstrdup(ns != NULL ? ns : "default");
	sb.hostname = k8c_xstrndup(hostname != NULL && *hostname != '\0' ? hostname : name, 63);
	sb.host_net = cJSON_IsTrue(jget(pod, "spec", "hostNetwork"));
	sb.host_ipc = cJSON_IsTrue(jget(pod, "spec", "hostIPC"));
	sb.host_pid = cJSON_IsTrue(jget(pod, "spec", "hostPID"));
	sb.share_pid = cJSON_IsTrue(jget(pod, "spec", "shareProcessNamespace"));
	sb.created_ns = rp_now_ns();

	dir = k8c_xasprintf("%s/sandboxes/%s", rp->data_dir, sb.id);
	if ((ret = k8c_mkdir_p(dir, 0700, err)) < 0)
		goto out;
	pod_limits(rp, pod, &lim);
	rp_sandbox_cgroup(rp, &sb, &pod_cg);
	pause_cgroup(rp, &sb, &pause_cg);
	if ((ret = rp_cgroup_create(&pod_cg, &lim, err)) < 0 || (ret = rp_cgroup_create(&pause_cg, NULL, err)) < 0)
		goto fail;
	if ((ret = spawn_pause(&sb, &sb.pause_pid, err)) < 0)
		goto fail;
	sb.pause_start = rp_proc_start(sb.pause_pid, NULL);
	if (rp_cgroup_enter(&pause_cg, sb.pause_pid) < 0)
		rp_log(rp, K8C_LOG_WARN, "sandbox %s: cannot move the pause process into %s", sb.id,
		       pause_cg.dir[0]);
	if ((ret = sandbox_save(rp, &sb, err)) < 0) {
		kill(sb.pause_pid, SIGKILL);
		goto fail;
	}
	snprintf(id, K8C_RUNTIME_ID_MAX, "%s", sb.id);
	goto out;
fail:
	rp_cgroup_remove(&pause_cg, NULL);
	k8c_remove_tree(dir, NULL);
out:
	rp_sandbox_free(&sb);
	return ret;
}

/* Wait (bounded) until pid/start is gone. */
static void wait_gone(pid_t pid, unsigned long long start, int64_t timeout_ns)
{
	int64_t deadline = rp_mono_ns() + timeout_ns;

	while (rp_proc_alive(pid, start, 0) && rp_mono_ns() < deadline)
		usleep(5 * 1000);
}

/* The ids of the containers of sandbox id; caller frees with free(). */
static char **sandbox_containers(const rp_t *rp, const char *id, size_t *n)
{
	char **all = NULL, **mine;
	size_t n_all = 0;

	rp_list_ids(rp, "containers", &all, &n_all);
	mine = k8c_xcalloc(n_all + 1, sizeof(*mine));
	*n = 0;
	for (size_t i = 0; i < n_all; i++) {
		rp_container_rec_t rec;
		if (rp_container_rec_load(rp, all[i], &rec, NULL) == 0 && strcmp(rec.sandbox_id, id) == 0)
			mine[(*n)++] = all[i];
		else
			free(all[i]);
		if (rec.sandbox_id != NULL)
			rp_container_rec_free(&rec);
	}
	free(all);
	return mine;
}

int rp_sandbox_stop(rp_t *rp, const char *id, k8c_error_t *err)
{
	rp_sandbox_t sb;
	rp_cgroup_t cg;
	size_t n;
	char **ids;
	int ret;

	if ((ret = rp_sandbox_load(rp, id, &sb, err)) < 0)
		return ret;
	/* the kubelet stops containers gracefully first: what is left gets SIGKILL */
	ids = sandbox_containers(rp, id, &n);
	for (size_t i = 0; i < n; i++) {
		rp_container_stop(rp, ids[i], 0, NULL);
		free(ids[i]);
	}
	free(ids);
	if (rp_proc_alive(sb.pause_pid, sb.pause_start, 0)) {
		kill(sb.pause_pid, SIGKILL);
		wait_gone(sb.pause_pid, sb.pause_start, 5000000000LL);
	}
	pause_cgroup(rp, &sb, &cg);
	rp_cgroup_kill(&cg, SIGKILL);
	if (!sb.stopped) {
		sb.stopped = 1;
		ret = sandbox_save(rp, &sb, err);
	}
	rp_sandbox_free(&sb);
	return ret;
}

int rp_sandbox_remove(rp_t *rp, const char *id, k8c_error_t *err)
{
	_cleanup_free_ char *dir = NULL;
	rp_sandbox_t sb;
	rp_cgroup_t cg;
	char **ids, **others = NULL;
	size_t n, n_others = 0;
	int ret, shared = 0;

	if ((ret = rp_sandbox_stop(rp, id, err)) < 0)
		return ret;
	if ((ret = rp_sandbox_load(rp, id, &sb, err)) < 0)
		return ret;
	ids = sandbox_containers(rp, id, &n);
	for (size_t i = 0; i < n; i++) {
		if (ret == 0)
			ret = rp_container_remove(rp, ids[i], err);
		free(ids[i]);
	}
	free(ids);
	pause_cgroup(rp, &sb, &cg);
	if (ret == 0)
		ret = rp_cgroup_remove(&cg, err);
	/* the pod cgroup goes with the pod's last sandbox */
	rp_list_ids(rp, "sandboxes", &others, &n_others);
	for (size_t i = 0; i < n_others; i++) {
		rp_sandbox_t o;
		if (strcmp(others[i], id) != 0 && rp_sandbox_load(rp, others[i], &o, NULL) == 0) {
			shared |= strcmp(o.pod_uid, sb.pod_uid) == 0;
			rp_sandbox_free(&o);
		}
		free(others[i]);
	}
	free(others);
	rp_sandbox_cgroup(rp, &sb, &cg);
	if (ret == 0 && !shared)
		ret = rp_cgroup_remove(&cg, err);
	dir = k8c_xasprintf("%s/sandboxes/%s", rp->data_dir, id);
	if (ret == 0)
		ret = k8c_remove_tree(dir, err);
	rp_sandbox_free(&sb);
	return ret;
}
