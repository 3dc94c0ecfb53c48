/* The container's file system, set up by the container's own process in
 * its new mount namespace, before exec:
 *
 *   overlay  lowerdir=<image rootfs, never written> upperdir,workdir in the
 *            container's state directory, mounted on <dir>/rootfs
 *   pivot_root(".", ".") + umount2(".", MNT_DETACH): the old root is gone
 *   /proc, a tmpfs /dev with the usual nodes, /dev/pts, /dev/shm, /sys (ro)
 *   bind mounts, whose sources were cloned (open_tree) before the pivot
 *   and whose targets are created after it, so that symlinks in the image
 *   resolve inside the container and never on the host
 *   the working directory (created when missing, like Docker)
 *
 * Everything dies with the mount namespace: nothing is ever unmounted on
 * the host.  Fork-safe: fixed buffers only. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "runtime_process.h"

#define MAX_BINDS 256

/* <linux/mount.h> clashes with <sys/mount.h> on older glibc: the few
 * constants of the new mount API we use */
#ifndef SYS_open_tree
#define SYS_open_tree 428
#endif
#ifndef SYS_move_mount
#define SYS_move_mount 429
#endif
#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef OPEN_TREE_CLOEXEC
#define OPEN_TREE_CLOEXEC O_CLOEXEC
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#endif

static int fail(char *msg, size_t len, const char *what, const char *path)
{
	snprintf(msg, len, "%s %s: %s", what, path, strerror(errno));
	return -1;
}

/* mkdir -p inside the current root. */
static int mkdir_p(const char *path, mode_t mode)
{
	char p[PATH_MAX];

	if ((size_t)snprintf(p, sizeof(p), "%s", path) >= sizeof(p)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (char *c = p + 1; *c != '\0'; c++) {
		if (*c != '/')
			continue;
		*c = '\0';
		if (mkdir(p, 0755) != 0 && errno != EEXIST)
			return -1;
		*c = '/';
	}
	if (mkdir(p, mode) != 0 && errno != EEXIST)
		return -1;
	return 0;
}

static int setup_dev(char *msg, size_t len)
{
	static const struct {
		const char *name;
		unsigned major, minor;
	} nodes[] = {
		{"/dev/null", 1, 3}, {"/dev/zero", 1, 5},    {"/dev/full", 1, 7},
		{"/dev/random", 1, 8}, {"/dev/urandom", 1, 9}, {"/dev/tty", 5, 0},
	};
	static const char *const links[][2] = {
		{"/proc/self/fd", "/dev/fd"},     {"/proc/self/fd/0", "/dev/stdin"},
		{"/proc/self/fd/1", "/dev/stdout"}, {"/proc/self/fd/2", "/dev/stderr"},
		{"pts/ptmx", "/dev/ptmx"},
	};

	if (mkdir_p("/dev", 0755) != 0)
		return fail(msg, len, "mkdir", "/dev");
	if (mount("tmpfs", "/dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k") != 0)
		return fail(msg, len, "mount tmpfs on", "/dev");
	for (size_t i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++) {
		if (mknod(nodes[i].name, S_IFCHR | 0666, makedev(nodes[i].major, nodes[i].minor)) != 0)
			return fail(msg, len, "mknod", nodes[i].name);
		chmod(nodes[i].name, 0666); /* despite the umask */
	}
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++)
		if (symlink(links[i][0], links[i][1]) != 0)
			return fail(msg, len, "symlink", links[i][1]);
	/* optional extras: a private pty instance and shared memory */
	if (mkdir("/dev/pts", 0755) == 0)
		mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
		      "newinstance,ptmxmode=0666,mode=0620");
	if (mkdir("/dev/shm", 01777) == 0) {
		mount("shm", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777,size=65536k");
		chmod("/dev/shm", 01777);
	}
	if (mkdir("/dev/mqueue", 0755) == 0)
		mount("mqueue", "/dev/mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	return 0;
}

/* Create the mount point for a file or directory mount. */
static int create_target(const char *target, int is_dir, char *msg, size_t len)
{
	char parent[PATH_MAX];
	char *slash;
	int fd;

	if (is_dir) {
		if (mkdir_p(target, 0755) != 0)
			return fail(msg, len, "create mount point", target);
		return 0;
	}
	snprintf(parent, sizeof(parent), "%s", target);
	slash = strrchr(parent, '/');
	if (slash != NULL && slash != parent) {
		*slash = '\0';
		if (mkdir_p(parent, 0755) != 0)
			return fail(msg, len, "create mount point", parent);
	}
	fd = open(target, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0 && errno != EISDIR && errno != ETXTBSY && errno != EEXIST)
		return fail(msg, len, "create mount point", target);
	if (fd >= 0)
		close(fd);
	return 0;
}

/* Attach the bind mounts.  With trees (detached copies made by open_tree
 * before the pivot) targets are resolved in the new root; without
 * (kernels before 5.2), prefix is the new root's host path and we are
 * still before the pivot. */
static int setup_binds(const rp_plan_t *plan, const int *trees, const char *prefix, char *msg,
                       size_t len)
{
	for (size_t i = 0; i < plan->n_binds; i++) {
		const rp_bind_t *b = &plan->binds[i];
		char target[PATH_MAX];
		struct stat st;

		snprintf(target, sizeof(target), "%s%s", prefix, b->container_path);
		if ((trees != NULL ? fstat(trees[i], &st) : stat(b->host_path, &st)) != 0)
			return fail(msg, len, "stat", b->host_path);
		if (create_target(target, S_ISDIR(st.st_mode), msg, len) != 0)
			return -1;
		if (trees != NULL) {
			if (syscall(SYS_move_mount, trees[i], "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) != 0)
				return fail(msg, len, "bind mount on", b->container_path);
		} else if (mount(b->host_path, target, NULL, MS_BIND | MS_REC, NULL) != 0) {
			return fail(msg, len, "bind mount on", b->container_path);
		}
		if (b->read_only &&
		    mount(NULL, target, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) != 0)
			return fail(msg, len, "remount read-only", b->container_path);
	}
	return 0;
}

int rp_mounts_setup(const rp_plan_t *plan, char *msg, size_t len)
{
	char root[PATH_MAX], opts[3 * PATH_MAX + 64];
	int trees[MAX_BINDS], legacy = 0;

	if (plan->n_binds > MAX_BINDS) {
		snprintf(msg, len, "too many mounts (%zu, at most %d)", plan->n_binds, MAX_BINDS);
		return -1;
	}
	/* nothing we mount may propagate back to the host */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
		return fail(msg, len, "make private", "/");
	/* detached copies of the bind sources, attachable after the pivot */
	for (size_t i = 0; i < plan->n_binds && !legacy; i++) {
		trees[i] = (int)syscall(SYS_open_tree, AT_FDCWD, plan->binds[i].host_path,
		                        OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
		if (trees[i] < 0 && errno == ENOSYS)
			legacy = 1;
		else if (trees[i] < 0)
			return fail(msg, len, "open mount source", plan->binds[i].host_path);
	}
	snprintf(root, sizeof(root), "%s/rootfs", plan->dir);
	snprintf(opts, sizeof(opts), "lowerdir=%s,upperdir=%s/upper,workdir=%s/work", plan->rootfs, plan->dir,
	         plan->dir);
	if (mount("overlay", root, "overlay", 0, opts) != 0)
		return fail(msg, len, "mount overlay (lowerdir=image rootfs) on", root);
	if (legacy && setup_binds(plan, NULL, root, msg, len) != 0)
		return -1;
	if (chdir(root) != 0)
		return fail(msg, len, "chdir", root);
	if (syscall(SYS_pivot_root, ".", ".") != 0)
		return fail(msg, len, "pivot_root", root);
	if (umount2(".", MNT_DETACH) != 0)
		return fail(msg, len, "detach the old root from", root);
	if (chdir("/") != 0)
		return fail(msg, len, "chdir", "/");

	if (mkdir_p("/proc", 0555) != 0)
		return fail(msg, len, "mkdir", "/proc");
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0)
		return fail(msg, len, "mount", "/proc");
	if (setup_dev(msg, len) != 0)
		return -1;
	if (mkdir_p("/sys", 0555) == 0) /* optional: read-only sysfs */
		mount("sysfs", "/sys", "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	if (!legacy) {
		if (setup_binds(plan, trees, "", msg, len) != 0)
			return -1;
		for (size_t i = 0; i < plan->n_binds; i++)
			close(trees[i]);
	}
	if (mkdir_p(plan->workdir, 0755) != 0)
		return fail(msg, len, "create working directory", plan->workdir);
	if (chdir(plan->workdir) != 0)
		return fail(msg, len, "chdir to working directory", plan->workdir);
	return 0;
}
