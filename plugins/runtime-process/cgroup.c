/* cgroups of runtime-process.  A pod gets <cgroupRoot>/pod<uid> and each of
 * its containers <cgroupRoot>/pod<uid>/<container id>; the pause process
 * lives in the leaf pod<uid>/pause (cgroup v2 allows no processes in inner
 * nodes).  With cgroup v1 the same relative path exists under each
 * controller we use (memory, cpu, cpuacct, pids); with v2 (a pure cgroup2
 * /sys/fs/cgroup) there is one directory and the controllers are enabled
 * in every parent's cgroup.subtree_control. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "common/dirs.h"
#include "common/quantity.h"
#include "runtime_process.h"

#define CG_BASE "/sys/fs/cgroup"
#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif
#ifndef CGROUP_SUPER_MAGIC
#define CGROUP_SUPER_MAGIC 0x27e0eb
#endif
#define CFS_PERIOD_US 100000

static const char *const v1_ctrls[RP_CG_MAX] = {"memory", "cpu", "cpuacct", "pids"};

int rp_cgroup_setup(rp_t *rp, k8c_error_t *err)
{
	struct statfs sfs;
	struct stat seen[RP_CG_MAX];

	if (statfs(CG_BASE, &sfs) != 0)
		return k8c_error_make(err, K8C_EUNAVAIL, "runtime-process needs cgroups: %s: %s", CG_BASE,
		                      strerror(errno));
	rp->n_ctrl = 0;
	if (sfs.f_type == CGROUP2_SUPER_MAGIC) {
		char *ctl = NULL;
		size_t len;
		rp->cg_v2 = 1;
		if (k8c_read_file(CG_BASE "/cgroup.controllers", 4096, &ctl, &len) < 0 ||
		    strstr(ctl, "memory") == NULL || strstr(ctl, "pids") == NULL) {
			free(ctl);
			return k8c_error_make(err, K8C_EUNAVAIL,
			                      "runtime-process: the cgroup2 hierarchy lacks the memory or pids controller");
		}
		free(ctl);
		return 0;
	}
	for (int i = 0; i < RP_CG_MAX; i++) {
		char dir[64];
		struct stat st;
		int dup = 0;
		snprintf(dir, sizeof(dir), CG_BASE "/%s", v1_ctrls[i]);
		if (statfs(dir, &sfs) != 0 || sfs.f_type != CGROUP_SUPER_MAGIC || stat(dir, &st) != 0)
			continue;
		/* cpu and cpuacct are often one hierarchy (cpu,cpuacct) */
		for (int j = 0; j < rp->n_ctrl; j++)
			dup |= seen[j].st_dev == st.st_dev && seen[j].st_ino == st.st_ino;
		if (dup)
			continue;
		seen[rp->n_ctrl] = st;
		rp->cg_ctrl[rp->n_ctrl++] = v1_ctrls[i];
	}
	if (rp->n_ctrl == 0 || strcmp(rp->cg_ctrl[0], "memory") != 0)
		return k8c_error_make(err, K8C_EUNAVAIL,
		                      "runtime-process needs the cgroup v1 memory controller at " CG_BASE "/memory");
	return 0;
}

void rp_cgroup_at(const rp_t *rp, const char *rel, rp_cgroup_t *cg)
{
	memset(cg, 0, sizeof(*cg));
	cg->v2 = rp->cg_v2;
	if (rp->cg_v2) {
		cg->n = 1;
		cg->ctrl[0] = "";
		snprintf(cg->dir[0], sizeof(cg->dir[0]), CG_BASE "/%s/%s", rp->cgroup_root, rel);
		return;
	}
	for (int i = 0; i < rp->n_ctrl; i++) {
		cg->ctrl[cg->n] = rp->cg_ctrl[i];
		snprintf(cg->dir[cg->n++], sizeof(cg->dir[0]), CG_BASE "/%s/%s/%s", rp->cg_ctrl[i],
		         rp->cgroup_root, rel);
	}
}

/* Write a short value into dir/file.  -errno. */
static int cg_write(const char *dir, const char *file, const char *value)
{
	char path[PATH_MAX + 64];
	size_t len = strlen(value);
	int fd, ret = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, value, len) != (ssize_t)len)
		ret = -errno;
	close(fd);
	return ret;
}

/* Read dir/file into buf (NUL-terminated).  Fork-safe.  -errno. */
static int cg_read(const char *dir, const char *file, char *buf, size_t len)
{
	char path[PATH_MAX + 64];
	size_t got = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (got + 1 < len && (n = read(fd, buf + got, len - 1 - got)) > 0)
		got += (size_t)n;
	close(fd);
	buf[got] = '\0';
	return 0;
}

/* cgroup v2: enable cpu, memory and pids for the children of every
 * ancestor of dir (best effort: a controller already enabled or missing
 * is not our problem here, the limit writes report it). */
static void v2_enable_parents(const char *dir)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s", dir);
	for (char *slash = path + strlen(CG_BASE); (slash = strchr(slash + 1, '/')) != NULL;) {
		*slash = '\0';
		for (const char *c = "+cpu\0+memory\0+pids\0"; *c != '\0'; c += strlen(c) + 1)
			cg_write(path, "cgroup.subtree_control", c);
		*slash = '/';
	}
	/* the root itself */
	for (const char *c = "+cpu\0+memory\0+pids\0"; *c != '\0'; c += strlen(c) + 1)
		cg_write(CG_BASE, "cgroup.subtree_control", c);
}

static int limit_err(k8c_error_t *err, const char *dir, const char *file, int ret)
{
	return k8c_error_make(err, K8C_EIO, "cgroup %s/%s: %s", dir, file, strerror(-ret));
}

int rp_cgroup_create(const rp_cgroup_t *cg, const rp_limits_t *lim, k8c_error_t *err)
{
	char v[64];
	int ret;

	for (int i = 0; i < cg->n; i++) {
		const char *d = cg->dir[i], *c = cg->ctrl[i];
		if ((ret = k8c_mkdir_p(d, 0755, err)) < 0)
			return ret;
		if (cg->v2)
			v2_enable_parents(d);
		if (lim == NULL)
			continue;
		if (lim->memory_bytes > 0 && (cg->v2 || strcmp(c, "memory") == 0)) {
			const char *f = cg->v2 ? "memory.max" : "memory.limit_in_bytes";
			snprintf(v, sizeof(v), "%lld", (long long)lim->memory_bytes);
			if ((ret = cg_write(d, f, v)) < 0)
				return limit_err(err, d, f, ret);
		}
		if (lim->pids > 0 && (cg->v2 || strcmp(c, "pids") == 0)) {
			snprintf(v, sizeof(v), "%lld", (long long)lim->pids);
			if ((ret = cg_write(d, "pids.max", v)) < 0)
				return limit_err(err, d, "pids.max", ret);
		}
		if (cg->v2 || strcmp(c, "cpu") == 0) {
			if (lim->cpu_limit_milli > 0) {
				long long quota = (long long)lim->cpu_limit_milli * CFS_PERIOD_US / 1000;
				if (quota < 1000)
					quota = 1000; /* the kernel's minimum */
				if (cg->v2) {
					snprintf(v, sizeof(v), "%lld %d", quota, CFS_PERIOD_US);
					ret = cg_write(d, "cpu.max", v);
				} else {
					snprintf(v, sizeof(v), "%d", CFS_PERIOD_US);
					if ((ret = cg_write(d, "cpu.cfs_period_us", v)) == 0) {
						snprintf(v, sizeof(v), "%lld", quota);
						ret = cg_write(d, "cpu.cfs_quota_us", v);
					}
				}
				if (ret < 0)
					return limit_err(err, d, "cpu quota", ret);
			}
			if (lim->cpu_request_milli > 0) {
				/* Kubernetes' MilliCPUToShares, and its v2 weight conversion */
				long long shares = (long long)lim->cpu_request_milli * 1024 / 1000;
				if (shares < 2)
					shares = 2;
				if (shares > 262144)
					shares = 262144;
				snprintf(v, sizeof(v), "%lld", cg->v2 ? 1 + ((shares - 2) * 9999) / 262142 : shares);
				ret = cg_write(d, cg->v2 ? "cpu.weight" : "cpu.shares", v);
				if (ret < 0)
					return limit_err(err, d, "cpu.shares", ret);
			}
		}
	}
	return 0;
}

int rp_cgroup_enter(const rp_cgroup_t *cg, pid_t pid)
{
	char v[32];
	int ret = 0;

	snprintf(v, sizeof(v), "%d", (int)pid);
	for (int i = 0; i < cg->n; i++) {
		int r = cg_write(cg->dir[i], "cgroup.procs", v);
		if (r < 0 && ret == 0)
			ret = r;
	}
	return ret;
}

/* Signal the processes listed in dir/cgroup.procs and in its child
 * cgroups.  Returns how many. */
static int kill_dir(const char *dir, int sig, int depth)
{
	char buf[8192];
	int n = 0;
	DIR *d;
	struct dirent *de;

	if (cg_read(dir, "cgroup.procs", buf, sizeof(buf)) == 0) {
		for (char *p = buf; *p != '\0';) {
			char *end;
			long pid = strtol(p, &end, 10);
			if (end == p)
				break;
			if (pid > 1 && kill((pid_t)pid, sig) == 0)
				n++;
			p = end;
			while (*p == '\n')
				p++;
		}
	}
	if (depth > 0 && (d = opendir(dir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			char sub[PATH_MAX];
			if (de->d_type != DT_DIR || de->d_name[0] == '.')
				continue;
			if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name) < sizeof(sub))
				n += kill_dir(sub, sig, depth - 1);
		}
		closedir(d);
	}
	return n;
}

int rp_cgroup_kill(const rp_cgroup_t *cg, int sig)
{
	/* every directory holds the same processes: the first one will do */
	return cg->n > 0 ? kill_dir(cg->dir[0], sig, 2) : 0;
}

/* rmdir dir after its child cgroups; 0, or -errno of the last failure. */
static int rmdir_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int ret = 0;

	if (d == NULL)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d)) != NULL) {
		char sub[PATH_MAX];
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name) < sizeof(sub)) {
			int r = rmdir_tree(sub);
			if (r < 0)
				ret = r;
		}
	}
	closedir(d);
	if (rmdir(dir) != 0 && errno != ENOENT)
		ret = -errno;
	return ret;
}

int rp_cgroup_remove(const rp_cgroup_t *cg, k8c_error_t *err)
{
	/* processes take a moment to leave a cgroup after they died */
	for (int tries = 0; tries < 100; tries++) {
		int ret = 0, failed = -1;
		for (int i = 0; i < cg->n; i++) {
			int r = rmdir_tree(cg->dir[i]);
			if (r < 0) {
				ret = r;
				failed = i;
			}
		}
		if (ret == 0)
			return 0;
		if (ret != -EBUSY || tries == 99)
			return k8c_error_make(err, K8C_EIO, "cannot remove cgroup %s: %s", cg->dir[failed],
			                      strerror(-ret));
		if (tries == 20)
			rp_cgroup_kill(cg, SIGKILL);
		usleep(20 * 1000);
	}
	return 0;
}

long rp_cgroup_oom_kills(const rp_cgroup_t *cg)
{
	char buf[1024];

	for (int i = 0; i < cg->n; i++) {
		const char *file = cg->v2 ? "memory.events" : "memory.oom_control";
		char *p;
		if (!cg->v2 && strcmp(cg->ctrl[i], "memory") != 0)
			continue;
		if (cg_read(cg->dir[i], file, buf, sizeof(buf)) < 0)
			return 0;
		for (p = buf; (p = strstr(p, "oom_kill ")) != NULL; p++)
			if (p == buf || p[-1] == '\n')
				return strtol(p + 9, NULL, 10);
		return 0;
	}
	return 0;
}

/* resources.<which>.<name> of a container, or NULL. */
static const cJSON *resource(const cJSON *container, const char *which, const char *name)
{
	const cJSON *r = cJSON_GetObjectItemCaseSensitive(container, "resources");
	return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(r, which), name);
}

int rp_limits_from_container(const cJSON *container, rp_limits_t *lim, k8c_error_t *err)
{
	const cJSON *j;
	k8c_quantity_t q;
	int ret;

	memset(lim, 0, sizeof(*lim));
	if ((j = resource(container, "limits", "cpu")) != NULL) {
		if ((ret = k8c_quantity_from_json(j, &q, err)) < 0)
			return ret;
		lim->cpu_limit_milli = k8c_quantity_milli(&q);
	}
	if ((j = resource(container, "requests", "cpu")) != NULL) {
		if ((ret = k8c_quantity_from_json(j, &q, err)) < 0)
			return ret;
		lim->cpu_request_milli = k8c_quantity_milli(&q);
	}
	if ((j = resource(container, "limits", "memory")) != NULL) {
		if ((ret = k8c_quantity_from_json(j, &q, err)) < 0)
			return ret;
		lim->memory_bytes = k8c_quantity_value(&q);
	}
	return 0;
}
