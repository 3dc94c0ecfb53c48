/* The per-container shim.  Forked (twice) from the agent by start, in a
 * session of its own; it outlives the agent.  It:
 *
 *   1. joins the sandbox's UTS, IPC and network namespaces (setns on
 *      /proc/<pause>/ns/...) and either unshares a PID namespace (the
 *      container's command becomes PID 1) or joins the pod's;
 *   2. forks the container process, which waits on a pipe until the shim
 *      has put it into its cgroup, then sets up its mount namespace
 *      (mounts.c), drops to runAsUser/runAsGroup and execs;
 *   3. reports "OK <pid>" (exec happened: the error pipe closed on exec) or
 *      "ERR <why>" to the agent waiting in start;
 *   4. copies the container's stdout/stderr into the CRI log (crilog.c)
 *      until the container exits, then records the exit in
 *      containers/<id>/exited and exits.
 *
 * It runs in a copy of the agent's address space: no allocation (the plan
 * was built before the fork), no return into agent code. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime_process.h"

typedef struct shim {
	const rp_plan_t *plan; /* borrowed: the agent's copy, frozen by the fork */
	int report_fd;         /* to the agent in start; -1 once reported */
	char path[PATH_MAX];   /* scratch */
} shim_t;

static void report(shim_t *sh, const char *what, const char *msg)
{
	char buf[1024];
	int n;

	if (sh->report_fd < 0)
		return;
	n = snprintf(buf, sizeof(buf), "%s %s\n", what, msg);
	if (n > 0 && write(sh->report_fd, buf, (size_t)n) < 0) {
		/* the agent gave up waiting: nothing else to tell */
	}
	close(sh->report_fd);
	sh->report_fd = -1;
}

static void record_exit(shim_t *sh, int code, const char *reason, const char *message)
{
	char text[1024];

	snprintf(sh->path, sizeof(sh->path), "%s/exited", sh->plan->dir);
	snprintf(text, sizeof(text), "exit_code=%d\nreason=%s\nmessage=%s\nfinished_ns=%lld\n", code, reason,
	         message, (long long)rp_now_ns());
	rp_kv_write(sh->path, text);
}

/* Fail before the container ran: tell the agent and record it. */
__attribute__((noreturn)) static void fail_start(shim_t *sh, const char *msg)
{
	record_exit(sh, 128, "StartError", msg);
	report(sh, "ERR", msg);
	_exit(1);
}

/* Join the pause process's namespaces; set the PID namespace of our
 * children.  0, or -1 with msg. */
static int join_pod(const rp_plan_t *plan, char *msg, size_t len)
{
	static const struct {
		const char *name;
		int type;
	} nss[] = {{"ipc", CLONE_NEWIPC}, {"uts", CLONE_NEWUTS}, {"net", CLONE_NEWNET}, {"pid", CLONE_NEWPID}};
	int fds[4];
	char path[64];

	for (int i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)plan->pause_pid, nss[i].name);
		fds[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0) {
			snprintf(msg, len, "the sandbox is gone: %s: %s", path, strerror(errno));
			return -1;
		}
	}
	/* the fds are the right ones only if the pause process is still ours */
	if (!rp_proc_alive(plan->pause_pid, plan->pause_start, 0)) {
		snprintf(msg, len, "the sandbox's pause process %d is gone", (int)plan->pause_pid);
		return -1;
	}
	for (int i = 0; i < 3; i++) {
		if (setns(fds[i], nss[i].type) != 0) {
			snprintf(msg, len, "setns %s: %s", nss[i].name, strerror(errno));
			return -1;
		}
	}
	if (plan->own_pidns) {
		if (unshare(CLONE_NEWPID) != 0) {
			snprintf(msg, len, "unshare PID namespace: %s", strerror(errno));
			return -1;
		}
	} else if (!plan->host_pid && setns(fds[3], CLONE_NEWPID) != 0) {
		snprintf(msg, len, "setns pid: %s", strerror(errno));
		return -1;
	}
	for (int i = 0; i < 4; i++)
		close(fds[i]);
	return 0;
}

/* The container's process.  Never returns: exec or _exit. */
__attribute__((noreturn)) static void container_main(const rp_plan_t *plan, int out, int err, int sync_fd,
                                                     int err_fd)
{
	char msg[1024], exe[PATH_MAX], c;
	int fd, r;

	/* wait until the shim moved us into the cgroup */
	if (read(sync_fd, &c, 1) != 1)
		_exit(1);
	close(sync_fd);
	if (unshare(CLONE_NEWNS) != 0) {
		snprintf(msg, sizeof(msg), "unshare mount namespace: %s", strerror(errno));
		goto fail;
	}
	umask(022);
	if (rp_mounts_setup(plan, msg, sizeof(msg)) != 0)
		goto fail;
	fd = open("/dev/null", O_RDONLY);
	if (fd < 0 || dup2(fd, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0) {
		snprintf(msg, sizeof(msg), "stdio: %s", strerror(errno));
		goto fail;
	}
	if (fd > 2)
		close(fd);
	if ((plan->has_uid || plan->has_gid) && setgroups((size_t)plan->n_groups, plan->groups) != 0) {
		snprintf(msg, sizeof(msg), "setgroups: %s", strerror(errno));
		goto fail;
	}
	if (plan->has_gid && setgid(plan->gid) != 0) {
		snprintf(msg, sizeof(msg), "setgid %u: %s", (unsigned)plan->gid, strerror(errno));
		goto fail;
	}
	if (plan->has_uid && setuid(plan->uid) != 0) {
		snprintf(msg, sizeof(msg), "setuid %u: %s", (unsigned)plan->uid, strerror(errno));
		goto fail;
	}
	rp_signals_default();
	/* resolved here: the image and the volumes are what the command sees */
	r = rp_path_lookup(plan->argv[0], plan->envp, exe, sizeof(exe));
	if (r == 0)
		execve(exe, plan->argv, plan->envp);
	else
		errno = -r;
	if (errno == ENOENT && strchr(plan->argv[0], '/') == NULL)
		snprintf(msg, sizeof(msg), "exec: \"%s\": executable file not found in $PATH", plan->argv[0]);
	else
		snprintf(msg, sizeof(msg), "exec: \"%s\": %s", plan->argv[0], strerror(errno));
fail:
	if (write(err_fd, msg, strlen(msg)) < 0)
		_exit(126);
	_exit(127);
}

static void set_nonblock(int fd)
{
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

/* Copy what fd has to the log; -1 at EOF. */
static int pump(rp_crilog_t *log, rp_logstream_t *s, int fd)
{
	char buf[65536];

	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n > 0) {
			rp_crilog_feed(log, s, buf, (size_t)n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		return n == 0 ? -1 : 0;
	}
}

__attribute__((noreturn)) void rp_shim_main(const rp_plan_t *plan, int report_fd)
{
	static rp_logstream_t streams[2]; /* a static: 32 KB is much for a stack */
	shim_t sh = {.plan = plan, .report_fd = report_fd};
	int out[2], err[2], sync_fd[2], err_fd[2], sfd, status = 0, keep[1] = {report_fd}, live[2];
	char msg[1024], text[512];
	rp_crilog_t log;
	sigset_t chld;
	pid_t pid;
	ssize_t n;

	rp_signals_default();
	signal(SIGPIPE, SIG_IGN);
	prctl(PR_SET_NAME, "k8c-shim", 0, 0, 0);
	rp_close_fds_except(keep, 1);
	if ((sfd = open("/dev/null", O_RDWR | O_CLOEXEC)) >= 0) {
		dup3(sfd, 0, 0);
		dup3(sfd, 1, 0);
		dup3(sfd, 2, 0);
		if (sfd > 2)
			close(sfd);
	}
	if (chdir("/") != 0)
		fail_start(&sh, "chdir /");
	if (rp_crilog_open(&log, plan->log_path, plan->log_max_bytes, plan->log_max_files) < 0) {
		snprintf(msg, sizeof(msg), "open log %s: %s", plan->log_path, strerror(errno));
		fail_start(&sh, msg);
	}
	if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0 || pipe2(sync_fd, O_CLOEXEC) != 0 ||
	    pipe2(err_fd, O_CLOEXEC) != 0)
		fail_start(&sh, "pipe");
	if (join_pod(plan, msg, sizeof(msg)) != 0)
		fail_start(&sh, msg);
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
	pid = fork();
	if (pid < 0) {
		snprintf(msg, sizeof(msg), "fork: %s", strerror(errno));
		fail_start(&sh, msg);
	}
	if (pid == 0) {
		close(out[0]);
		close(err[0]);
		close(sync_fd[1]);
		close(err_fd[0]);
		container_main(plan, out[1], err[1], sync_fd[0], err_fd[1]);
	}
	close(out[1]);
	close(err[1]);
	close(sync_fd[0]);
	close(err_fd[1]);
	if (rp_cgroup_enter(&plan->cg, pid) < 0) {
		snprintf(msg, sizeof(msg), "cannot join cgroup %.900s: %s", plan->cg.dir[0], strerror(errno));
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		fail_start(&sh, msg);
	}
	if (write(sync_fd[1], "x", 1) != 1)
		fail_start(&sh, "release the container");
	close(sync_fd[1]);
	n = rp_read_until(err_fd[0], msg, sizeof(msg), rp_mono_ns() + 25000000000LL, 0);
	close(err_fd[0]);
	if (n != 0) {
		if (n < 0)
			snprintf(msg, sizeof(msg), "the container process did not exec within 25s");
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		fail_start(&sh, msg);
	}

	snprintf(sh.path, sizeof(sh.path), "%s/started", plan->dir);
	snprintf(text, sizeof(text), "shim_pid=%d\nshim_start=%llu\npid=%d\npid_start=%llu\nstarted_ns=%lld\n",
	         (int)getpid(), rp_proc_start(getpid(), NULL), (int)pid, rp_proc_start(pid, NULL),
	         (long long)rp_now_ns());
	rp_kv_write(sh.path, text);
	snprintf(msg, sizeof(msg), "%d", (int)pid);
	report(&sh, "OK", msg);

	streams[0].name = "stdout";
	streams[1].name = "stderr";
	live[0] = out[0];
	live[1] = err[0];
	set_nonblock(out[0]);
	set_nonblock(err[0]);
	for (int exited = 0; !exited;) {
		struct pollfd pfd[3] = {{.fd = live[0], .events = POLLIN},
		                        {.fd = live[1], .events = POLLIN},
		                        {.fd = sfd, .events = POLLIN}};
		/* without a signalfd, poll the child every 100 ms */
		if (poll(pfd, 3, sfd >= 0 ? -1 : 100) < 0 && errno != EINTR)
			break;
		for (int i = 0; i < 2; i++) {
			if (live[i] >= 0 && (pfd[i].revents & (POLLIN | POLLHUP | POLLERR)) && pump(&log, &streams[i], live[i]) < 0) {
				close(live[i]);
				live[i] = -1; /* poll ignores negative fds */
			}
		}
		if (sfd >= 0 && (pfd[2].revents & POLLIN)) {
			struct signalfd_siginfo si;
			while (read(sfd, &si, sizeof(si)) > 0)
				;
		}
		if (waitpid(pid, &status, WNOHANG) == pid)
			exited = 1;
	}
	/* what the container wrote before it died; processes it left behind in
	 * a shared PID namespace may hold the pipes: do not wait for EOF */
	for (int i = 0; i < 2; i++) {
		if (live[i] >= 0)
			pump(&log, &streams[i], live[i]);
		rp_crilog_flush(&log, &streams[i]);
	}
	{
		int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		int oom = code != 0 && rp_cgroup_oom_kills(&plan->cg) > 0;
		record_exit(&sh, code, oom ? "OOMKilled" : code == 0 ? "Completed" : "Error", "");
	}
	_exit(0);
}
