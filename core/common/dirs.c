/* mkdir -p. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

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
