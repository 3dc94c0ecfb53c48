/* Where a container's command is: argv[0] through $PATH, as a shell (or
 * runc) would, from inside the container (after the pivot, so that volumes
 * count and the image's absolute symlinks resolve in the image).
 * Fork-safe. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime_process.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* 0: an executable regular file; -errno otherwise. */
static int executable(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EACCES;
	return access(path, X_OK) == 0 ? 0 : -EACCES;
}

int rp_path_lookup(const char *name, char *const *envp, char *out, size_t len)
{
	const char *path = DEFAULT_PATH;
	int ret = -ENOENT;

	if (name == NULL || *name == '\0')
		return -ENOENT;
	if (strchr(name, '/') != NULL) /* execve tells what is wrong with it */
		return (size_t)snprintf(out, len, "%s", name) < len ? 0 : -ENAMETOOLONG;
	for (char *const *e = envp; e != NULL && *e != NULL; e++)
		if (strncmp(*e, "PATH=", 5) == 0)
			path = *e + 5;
	for (const char *p = path;; p++) {
		const char *colon = strchr(p, ':');
		size_t dlen = colon != NULL ? (size_t)(colon - p) : strlen(p);
		/* an empty element means the current directory */
		int r = dlen == 0 ? snprintf(out, len, "%s", name) : snprintf(out, len, "%.*s/%s", (int)dlen, p, name);
		if (r > 0 && (size_t)r < len) {
			int x = executable(out);
			if (x == 0)
				return 0;
			if (x == -EACCES)
				ret = x; /* found but not executable, unless a later one is */
		}
		if (colon == NULL)
			break;
		p = colon;
	}
	return ret;
}
