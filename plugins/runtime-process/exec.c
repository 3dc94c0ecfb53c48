/* exec: run a command inside a running container (exec probes, kubectl
 * exec without a terminal).
 *
 * The agent opens the container's namespaces (/proc/<pid>/ns/ of its
 * PID 1, checked against the recorded start time) and forks E1; E1 joins
 * the container's cgroup and namespaces (mount last) and forks E2, which
 * is inside the container's PID namespace, and execs there with the
 * container's environment, working directory and user.  E1 tells the
 * agent E2's pid and waits for it; the agent collects stdout+stderr (at
 * most EXEC_OUTPUT_MAX bytes kept) and kills E2 at the deadline.
 * E1 and E2 run in copies of the agent: syscalls only. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/mem.h"
#include "runtime_process.h"

#define EXEC_OUTPUT_MAX (64 * 1024)

static const struct {
	const char *name;
	int type;
} exec_ns[] = {
	{"ipc", CLONE_NEWIPC}, {"uts", CLONE_NEWUTS}, {"net", CLONE_NEWNET},
	{"pid", CLONE_NEWPID}, {"mnt", CLONE_NEWNS},
};
#define N_NS (sizeof(exec_ns) / sizeof(exec_ns[0]))

/* E2: in the container.  Never returns. */
__attribute__((noreturn)) static void exec_inner(const rp_plan_t *plan, char *const *argv, int out)
{
	char exe[PATH_MAX], msg[PATH_MAX + 128];
	int fd = open("/dev/null", O_RDONLY), r;

	if (fd >= 0)
		dup2(fd, 0);
	dup2(out, 1);
	dup2(out, 2);
	rp_close_fds_except(NULL, 0); /* the agent's fds are none of its business */
	if (chdir(plan->workdir) != 0 && chdir("/") != 0)
		_exit(126);
	if ((plan->has_uid || plan->has_gid) && setgroups((size_t)plan->n_groups, plan->groups) != 0)
		_exit(126);
	if ((plan->has_gid && setgid(plan->gid) != 0) || (plan->has_uid && setuid(plan->uid) != 0))
		_exit(126);
	rp_signals_default();
	r = rp_path_lookup(argv[0], plan->envp, exe, sizeof(exe));
	if (r == 0)
		execve(exe, argv, plan->envp);
	else
		errno = -r;
	if (errno == ENOENT && strchr(argv[0], '/') == NULL)
		r = snprintf(msg, sizeof(msg), "exec: \"%s\": executable file not found in $PATH\n", argv[0]);
	else
		r = snprintf(msg, sizeof(msg), "exec: \"%s\": %s\n", argv[0], strerror(errno));
	if (r > 0 && write(1, msg, (size_t)r) < 0)
		_exit(127);
	_exit(errno == ENOENT ? 127 : 126);
}

/* E1.  Never returns: exits with E2's status (128+signal when killed). */
__attribute__((noreturn)) static void exec_outer(const rp_plan_t *plan, char *const *argv, const int *nsfd,
                                                 int out, int pid_fd)
{
	char buf[32];
	int status, n;
	pid_t e2;

	rp_signals_default();
	rp_cgroup_enter(&plan->cg, getpid()); /* host paths: before the mount namespace */
	for (size_t i = 0; i < N_NS; i++) {
		if (nsfd[i] >= 0 && setns(nsfd[i], exec_ns[i].type) != 0) {
			n = snprintf(buf, sizeof(buf), "ERR %d\n", errno);
			if (write(pid_fd, buf, (size_t)n) < 0)
				_exit(125);
			_exit(125);
		}
	}
	e2 = fork();
	if (e2 < 0)
		_exit(125);
	if (e2 == 0)
		exec_inner(plan, argv, out);
	close(out);
	n = snprintf(buf, sizeof(buf), "%d\n", (int)e2);
	if (write(pid_fd, buf, (size_t)n) < 0) {
		/* the agent is gone: still reap */
	}
	close(pid_fd);
	while (waitpid(e2, &status, 0) < 0)
		if (errno != EINTR)
			_exit(125);
	_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

/* Open the namespaces of pid; -1 unless all are there. */
static int open_ns(pid_t pid, int *nsfd)
{
	char path[64];

	for (size_t i = 0; i < N_NS; i++) {
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, exec_ns[i].name);
		nsfd[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (nsfd[i] < 0)
			return -1;
	}
	return 0;
}

static void close_ns(int *nsfd)
{
	for (size_t i = 0; i < N_NS; i++)
		if (nsfd[i] >= 0)
			close(nsfd[i]);
}

/* Collect E2's output until EOF and E1's exit, or the deadline.  *kept
 * bytes of it go to *buf (grown as needed, at most EXEC_OUTPUT_MAX).
 * Returns 0, or -ETIMEDOUT; *status receives E1's wait status. */
static int collect(int out, pid_t e1, int64_t deadline, char **buf, size_t *kept, int *status)
{
	char chunk[8192];
	int eof = 0, done = 0;

	for (;;) {
		struct pollfd pfd = {.fd = out, .events = POLLIN};
		int64_t left = deadline - rp_mono_ns();
		ssize_t n;

		if (!done) {
			pid_t w = waitpid(e1, status, WNOHANG);
			/* ECHILD: the agent ignores SIGCHLD, the exit code is lost */
			done = w == e1 || (w < 0 && errno == ECHILD);
		}
		if (done && eof)
			return 0;
		if (left <= 0)
			return -ETIMEDOUT;
		if (eof) {
			usleep(5 * 1000);
			continue;
		}
		/* wake up now and then to see whether E1 is done even though a
		 * background process still holds the output pipe */
		if (poll(&pfd, 1, left > 50000000 ? 50 : (int)(left / 1000000) + 1) <= 0) {
			if (done) /* E1 is done: what is left arrives now or never */
				eof = 1;
			continue;
		}
		n = read(out, chunk, sizeof(chunk));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0) {
			eof = 1;
			continue;
		}
		if (*kept < EXEC_OUTPUT_MAX) {
			size_t take = (size_t)n < EXEC_OUTPUT_MAX - *kept ? (size_t)n : EXEC_OUTPUT_MAX - *kept;
			*buf = k8c_xrealloc(*buf, *kept + take + 1);
			memcpy(*buf + *kept, chunk, take);
			*kept += take;
			(*buf)[*kept] = '\0';
		}
	}
}

int rp_exec(rp_t *rp, const char *id, const char *const *argv, int64_t timeout_s, int *exit_code,
            char **output, k8c_error_t *err)
{
	rp_plan_t plan;
	int nsfd[N_NS], out[2] = {-1, -1}, pidp[2] = {-1, -1}, status = 0, ret;
	pid_t pid, e1, e2 = 0;
	char **args = NULL, pidbuf[32];
	char *buf = NULL;
	size_t kept = 0, n_args = 0;
	int64_t deadline = rp_mono_ns() + (timeout_s > 0 ? timeout_s * 1000000000LL : INT64_MAX / 2);

	for (size_t i = 0; i < N_NS; i++)
		nsfd[i] = -1;
	if (argv == NULL || argv[0] == NULL)
		return k8c_error_make(err, K8C_EINVAL, "exec without a command");
	if ((ret = rp_plan_load(rp, id, &plan, err)) < 0)
		return ret;
	pid = rp_container_pid(rp, id);
	if (pid <= 0) {
		ret = k8c_error_make(err, K8C_ECONFLICT, "container %s is not running", id);
		goto out;
	}
	if (open_ns(pid, nsfd) < 0 || rp_container_pid(rp, id) != pid) {
		ret = k8c_error_make(err, K8C_ECONFLICT, "container %s is not running", id);
		goto out;
	}
	while (argv[n_args] != NULL)
		n_args++;
	args = k8c_xcalloc(n_args + 1, sizeof(*args));
	for (size_t i = 0; i < n_args; i++)
		args[i] = k8c_xstrdup(argv[i]);
	if (pipe2(out, O_CLOEXEC) != 0 || pipe2(pidp, O_CLOEXEC) != 0) {
		ret = k8c_error_make(err, K8C_EIO, "pipe: %s", strerror(errno));
		goto out;
	}
	e1 = fork();
	if (e1 < 0) {
		ret = k8c_error_make(err, K8C_EIO, "fork: %s", strerror(errno));
		goto out;
	}
	if (e1 == 0) {
		close(out[0]);
		close(pidp[0]);
		exec_outer(&plan, args, nsfd, out[1], pidp[1]);
	}
	close(out[1]);
	close(pidp[1]);
	out[1] = pidp[1] = -1;
	if (rp_read_until(pidp[0], pidbuf, sizeof(pidbuf), deadline, 1) > 0) {
		if (strncmp(pidbuf, "ERR ", 4) == 0) {
			waitpid(e1, &status, 0);
			ret = k8c_error_make(err, K8C_EIO, "exec in container %s: cannot enter its namespaces: %s", id,
			                     strerror(atoi(pidbuf + 4)));
			goto out;
		}
		e2 = (pid_t)atoi(pidbuf);
	}
	fcntl(out[0], F_SETFL, fcntl(out[0], F_GETFL) | O_NONBLOCK);
	if (collect(out[0], e1, deadline, &buf, &kept, &status) < 0) {
		if (e2 > 0)
			kill(e2, SIGKILL);
		kill(e1, SIGKILL);
		waitpid(e1, &status, 0);
		ret = k8c_error_make(err, K8C_ETIMEOUT, "exec in container %s: timed out after %llds", id,
		                     (long long)timeout_s);
		goto out;
	}
	*exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	if (output != NULL) {
		*output = buf != NULL ? buf : k8c_xstrdup("");
		buf = NULL;
	}
	ret = 0;
out:
	for (int i = 0; i < 2; i++) {
		if (out[i] >= 0)
			close(out[i]);
		if (pidp[i] >= 0)
			close(pidp[i]);
	}
	close_ns(nsfd);
	for (size_t i = 0; args != NULL && i < n_args; i++)
		free(args[i]);
	free(args);
	free(buf);
	rp_plan_free(&plan);
	return ret;
}
