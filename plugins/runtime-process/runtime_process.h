/* runtime-process internals: what the modules of the plugin share.
 *
 *   runtime_process.c  descriptor, init/fini, ids, list, sandbox ops glue
 *   sandbox.c          the pause process holding a pod's namespaces
 *   container.c        container records, create/start/stop/remove/status
 *   shim.c             the per-container shim that outlives the agent
 *   mounts.c           the container's root filesystem (runs in its child)
 *   cgroup.c           cgroup v1 / v2 directories and limits
 *   crilog.c           CRI log lines and rotation (runs in the shim)
 *   exec.c             exec inside a running container
 *   lookup.c           argv[0] through $PATH (runs in the container)
 *   proc.c             /proc helpers, fds, small key=value state files
 *
 * Code that runs in a process forked from the (multi-threaded, maybe
 * ASan-instrumented) agent must not allocate: everything it needs is built
 * before the fork (rp_plan_t) and it works on fixed buffers.  Functions
 * safe there say "fork-safe".
 */
#ifndef K8C_RUNTIME_PROCESS_H
#define K8C_RUNTIME_PROCESS_H

#include <limits.h>
#include <stdint.h>
#include <sys/types.h>

#include <k8c/runtime.h>

struct cJSON;

#define RP_CG_MAX 4 /* cgroup v1 controllers we use: memory cpu cpuacct pids */

/* The plugin instance (the cookie). */
typedef struct rp {
	const k8c_host_t *host; /* borrowed until fini */
	char *data_dir;         /* owned: realpath of host->data_dir */
	char *cgroup_root;      /* owned: relative cgroup path, "k8c" */
	int64_t pids_limit;
	int cg_v2;              /* /sys/fs/cgroup is a pure cgroup2 mount */
	const char *cg_ctrl[RP_CG_MAX]; /* v1 controllers present (static strings) */
	int n_ctrl;
} rp_t;

/* ---- cgroup.c ---------------------------------------------------------- */

/* One cgroup, as directories (one per v1 controller, or one for v2).
 * Fixed buffers: fork-safe to use. */
typedef struct rp_cgroup {
	int n;
	int v2;
	const char *ctrl[RP_CG_MAX]; /* static: "memory", ...; "" for v2 */
	char dir[RP_CG_MAX][PATH_MAX];
} rp_cgroup_t;

typedef struct rp_limits {
	int64_t cpu_limit_milli;   /* 0: none */
	int64_t cpu_request_milli; /* 0: none */
	int64_t memory_bytes;      /* 0: none */
	int64_t pids;              /* 0: none */
} rp_limits_t;

int rp_cgroup_setup(rp_t *rp, k8c_error_t *err);
/* The cgroup at <cgroup_root>/<rel> (rel: "pod<uid>" or "pod<uid>/<id>"). */
void rp_cgroup_at(const rp_t *rp, const char *rel, rp_cgroup_t *cg);
int rp_cgroup_create(const rp_cgroup_t *cg, const rp_limits_t *lim, k8c_error_t *err);
/* Move pid into every directory.  Fork-safe; -errno. */
int rp_cgroup_enter(const rp_cgroup_t *cg, pid_t pid);
/* Signal every process in the cgroup; returns how many were signalled. */
int rp_cgroup_kill(const rp_cgroup_t *cg, int sig);
/* rmdir every directory (and leftover children), retrying briefly while
 * processes leave.  A missing cgroup is fine. */
int rp_cgroup_remove(const rp_cgroup_t *cg, k8c_error_t *err);
/* The oom_kill counter of the memory controller (0 when unknown).
 * Fork-safe. */
long rp_cgroup_oom_kills(const rp_cgroup_t *cg);
/* Resource limits/requests of one container spec (borrowed). */
int rp_limits_from_container(const struct cJSON *container, rp_limits_t *lim, k8c_error_t *err);

/* ---- proc.c ------------------------------------------------------------ */

/* Start time of pid (clock ticks since boot, field 22 of /proc/pid/stat),
 * 0 when there is no such process; *state receives its state letter.
 * Fork-safe. */
unsigned long long rp_proc_start(pid_t pid, char *state);
/* pid exists with that start time (zombies count when zombie_ok). */
int rp_proc_alive(pid_t pid, unsigned long long start, int zombie_ok);
/* Close every fd >= 3 except those listed.  Fork-safe. */
void rp_close_fds_except(const int *keep, int n);
/* Write text to path atomically (tmp + fsync + rename).  Fork-safe;
 * -errno. */
int rp_kv_write(const char *path, const char *text);
/* Find "key=value\n" in text, copy value to buf.  1 found, 0 not. */
int rp_kv_get(const char *text, const char *key, char *buf, size_t len);
int64_t rp_kv_int(const char *text, const char *key, int64_t dflt);
/* Wall-clock ns.  Fork-safe. */
int64_t rp_now_ns(void);
/* Reset all signal handlers to SIG_DFL and unblock everything.
 * Fork-safe. */
void rp_signals_default(void);
/* ids: [A-Za-z0-9._-]{1,127}, not "." or "..". */
int rp_id_valid(const char *id);
void rp_id_new(char id[K8C_RUNTIME_ID_MAX]);
/* Read from fd with a deadline (monotonic ns) into buf (NUL-terminated),
 * until EOF, a full buffer, `lines` complete lines or an "ERR ..." line
 * (lines > 0; 0: until EOF), or the deadline.  Not waiting for EOF
 * matters: a process forked at the same time by another thread may hold a
 * copy of the pipe.  Returns bytes or -errno (-ETIMEDOUT).  Fork-safe. */
ssize_t rp_read_until(int fd, char *buf, size_t len, int64_t deadline_ns, int lines);
int64_t rp_mono_ns(void);

/* ---- runtime_process.c ------------------------------------------------- */

/* The ids under data_dir/<kind> ("sandboxes" or "containers") that have
 * a state file.  Caller frees each id and the array with free(). */
void rp_list_ids(const rp_t *rp, const char *kind, char ***ids, size_t *n);
/* host->log, when there is one */
void rp_log(const rp_t *rp, int level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* ---- sandbox.c --------------------------------------------------------- */

typedef struct rp_sandbox {
	char id[K8C_RUNTIME_ID_MAX];
	char *pod_uid, *pod_ns, *pod_name; /* owned */
	char *hostname;                    /* owned */
	int host_net, host_ipc, host_pid, share_pid;
	pid_t pause_pid;
	unsigned long long pause_start;
	int stopped;
	int64_t created_ns;
} rp_sandbox_t;

int rp_sandbox_run(rp_t *rp, const struct cJSON *pod, char id[K8C_RUNTIME_ID_MAX],
                   k8c_error_t *err);
/* Load sandboxes/<id>; free with rp_sandbox_free. */
int rp_sandbox_load(const rp_t *rp, const char *id, rp_sandbox_t *sb, k8c_error_t *err);
void rp_sandbox_free(rp_sandbox_t *sb);
int rp_sandbox_ready(const rp_sandbox_t *sb);
int rp_sandbox_stop(rp_t *rp, const char *id, k8c_error_t *err);
int rp_sandbox_remove(rp_t *rp, const char *id, k8c_error_t *err);
/* "pod<uid>" relative cgroup of a sandbox. */
void rp_sandbox_cgroup(const rp_t *rp, const rp_sandbox_t *sb, rp_cgroup_t *cg);

/* ---- container.c ------------------------------------------------------- */

typedef struct rp_bind {
	char *host_path;      /* owned by the plan */
	char *container_path; /* owned by the plan */
	int read_only;
} rp_bind_t;

/* Everything a container's shim and process need, built before the fork
 * (all strings owned by the plan; rp_plan_free). */
typedef struct rp_plan {
	char id[K8C_RUNTIME_ID_MAX];
	char *dir;        /* containers/<id> */
	char *rootfs;     /* image rootfs: overlay lowerdir, never written */
	char *log_path;
	int64_t log_max_bytes;
	uint32_t log_max_files;
	char **argv;      /* NULL-terminated */
	char **envp;      /* NULL-terminated */
	char *workdir;    /* absolute, "/" by default */
	rp_bind_t *binds;
	size_t n_binds;
	int has_uid, has_gid;
	uid_t uid;
	gid_t gid;
	gid_t groups[32];
	int n_groups;
	pid_t pause_pid;  /* the sandbox's namespaces */
	unsigned long long pause_start;
	int own_pidns;    /* 0: the pod's (shareProcessNamespace) or host's */
	int host_pid;
	rp_cgroup_t cg;   /* the container's cgroup */
} rp_plan_t;

void rp_plan_free(rp_plan_t *plan);

int rp_container_create(rp_t *rp, const char *sandbox_id,
                        const k8c_runtime_container_config_t *config,
                        char id[K8C_RUNTIME_ID_MAX], k8c_error_t *err);
int rp_container_start(rp_t *rp, const char *id, k8c_error_t *err);
int rp_container_stop(rp_t *rp, const char *id, int64_t timeout_s, k8c_error_t *err);
int rp_container_remove(rp_t *rp, const char *id, k8c_error_t *err);
int rp_container_status(rp_t *rp, const char *id, k8c_runtime_container_status_t *st,
                        k8c_error_t *err);
/* The sandbox id, pod identity, name and attempt of a container: strings
 * owned by *rec (rp_container_rec_free). */
typedef struct rp_container_rec {
	char *sandbox_id, *pod_uid, *pod_ns, *pod_name, *name;
	uint32_t attempt;
} rp_container_rec_t;
int rp_container_rec_load(const rp_t *rp, const char *id, rp_container_rec_t *rec,
                          k8c_error_t *err);
void rp_container_rec_free(rp_container_rec_t *rec);
/* The running container's host pid (PID 1 of the container) or 0. */
pid_t rp_container_pid(const rp_t *rp, const char *id);
/* Build the plan of container id (for start and exec). */
int rp_plan_load(const rp_t *rp, const char *id, rp_plan_t *plan, k8c_error_t *err);

/* ---- shim.c ------------------------------------------------------------ */

/* The shim: runs in a forked, setsid'ed process, never returns.  Starts
 * the container, reports "OK <pid>" or "ERR <message>" on report_fd,
 * copies its output to the log, records how it exited. */
__attribute__((noreturn)) void rp_shim_main(const rp_plan_t *plan, int report_fd);

/* ---- mounts.c ---------------------------------------------------------- */

/* In the container's process, after unshare(CLONE_NEWNS): overlay root,
 * pivot_root, /proc, /dev, /sys, bind mounts, working directory.
 * Fork-safe; on failure msg receives why and -1 is returned. */
int rp_mounts_setup(const rp_plan_t *plan, char *msg, size_t msg_len);

/* ---- crilog.c ---------------------------------------------------------- */

#define RP_LOG_LINE_MAX 16384

typedef struct rp_crilog {
	int fd;
	const char *path; /* borrowed from the plan */
	int64_t size;
	int64_t max_bytes;
	uint32_t max_files;
} rp_crilog_t;

typedef struct rp_logstream {
	const char *name; /* "stdout" / "stderr" */
	size_t len;
	char buf[RP_LOG_LINE_MAX];
} rp_logstream_t;

/* All fork-safe. */
int rp_crilog_open(rp_crilog_t *log, const char *path, int64_t max_bytes, uint32_t max_files);
void rp_crilog_feed(rp_crilog_t *log, rp_logstream_t *s, const char *data, size_t n);
void rp_crilog_flush(rp_crilog_t *log, rp_logstream_t *s);
/* "2006-01-02T15:04:05.000000000Z" into buf (>= 31 bytes). */
void rp_format_time_nano(int64_t ns, char *buf, size_t len);

/* ---- exec.c ------------------------------------------------------------ */

int rp_exec(rp_t *rp, const char *id, const char *const *argv, int64_t timeout_s,
            int *exit_code, char **output, k8c_error_t *err);

/* ---- lookup.c (fork-safe) ---------------------------------------------- */

/* Resolve name through PATH from envp (default the usual one), inside the
 * container: names with a '/' as they are.  out receives the path.  0, or
 * -errno (-ENOENT: not found, -EACCES: found but not executable). */
int rp_path_lookup(const char *name, char *const *envp, char *out, size_t len);

#endif
