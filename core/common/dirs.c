/* Directories and files: mkdir -p, atomic writes, rm -r. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/dirs.h"
#include "common/mem.h"

int k8c_mkdir_p(const char *path, mode_t mode, k8c_error_t *err)
{
	_cleanup_free_ char *p = k8c_xstrdup(path);

	for (char *c = p + 1; *c != '\0'; c++) {
		if (*c != '/')
			continue;
		*c = '\0';
		if (mkdir(p, 0755) != 0 && errno != EEXIST)
			return k8c_error_make(err, K8C_EIO, "cannot create %s: %s", p, strerror(errno));
		*c = '/';
	}
	if (mkdir(p, mode) != 0 && errno != EEXIST)
		return k8c_error_make(err, K8C_EIO, "cannot create %s: %s", p, strerror(errno));
	return 0;
}

int k8c_read_file(const char *path, size_t max, char **out, size_t *len)
{
	FILE *f = fopen(path, "rbe");
	char *buf = NULL;
	size_t n = 0, cap = 0, got;
	int e = 0;

	if (f == NULL)
		return -errno;
	do {
		if (cap - n < 4096) {
			cap = cap ? cap * 2 : 8192;
			buf = k8c_xrealloc(buf, cap);
		}
		got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
		if (n > max)
			e = EFBIG;
	} while (got > 0 && e == 0);
	if (e == 0 && ferror(f))
		e = errno ? errno : EIO;
	fclose(f);
	if (e != 0) {
		free(buf);
		return -e;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

int k8c_write_file_atomic(const char *path, const char *data, size_t len, mode_t mode,
                          k8c_error_t *err)
{
	_cleanup_free_ char *tmp = k8c_xasprintf("%s.tmp", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode), e;

	if (fd < 0)
		return k8c_error_make(err, K8C_EIO, "cannot write %s: %s", tmp, strerror(errno));
	if (write(fd, data, len) != (ssize_t)len || fsync(fd) != 0) {
		e = errno;
		close(fd);
		unlink(tmp);
		return k8c_error_make(err, K8C_EIO, "cannot write %s: %s", tmp, strerror(e));
	}
	close(fd);
	if (rename(tmp, path) != 0) {
		e = errno;
		unlink(tmp);
		return k8c_error_make(err, K8C_EIO, "cannot write %s: %s", path, strerror(e));
	}
	return 0;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return (flag == FTW_DP ? rmdir(path) : unlink(path)) != 0 && errno != ENOENT ? -1 : 0;
}

int k8c_remove_tree(const char *path, k8c_error_t *err)
{
	if (nftw(path, remove_one, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) != 0 && errno != ENOENT)
		return k8c_error_make(err, K8C_EIO, "cannot remove %s: %s", path, strerror(errno));
	return 0;
}
