/* Image references as the local store matches them (Docker's rules). */
#include "config.h"

#include <stdlib.h>

#include "image/image_ref.h"
#include "tap.h"

int main(void)
{
	static const char *const good[][2] = {
		{"busybox", "docker.io/library/busybox:latest"},
		{"busybox:1.36", "docker.io/library/busybox:1.36"},
		{"library/busybox", "docker.io/library/busybox:latest"},
		{"docker.io/library/busybox:latest", "docker.io/library/busybox:latest"},
		{"myorg/app", "docker.io/myorg/app:latest"},
		{"registry.local:5000/team/app:v1.2_3", "registry.local:5000/team/app:v1.2_3"},
		{"localhost/app", "localhost/app:latest"},
		{"localhost:5000/a/b/c:x", "localhost:5000/a/b/c:x"},
		{"quay.io/k8s-e2e/pause__x.y", "quay.io/k8s-e2e/pause__x.y:latest"},
		{"a--b:TAG_1", "docker.io/library/a--b:TAG_1"},
		{"index.docker.io/library/busybox", "docker.io/library/busybox:latest"},
		{"LOCALHOST/x", "LOCALHOST/x:latest"},
		{"my-registry.example.com:443/x/y:1", "my-registry.example.com:443/x/y:1"},
	};
	static const char *const bad[] = {
		"", "Busybox", "busybox@sha256:0123", "busybox:", "busybox:-x", "busybox/",
		"/busybox", "bu..sybox", "busy_-box", "registry:port/app", ":tag", "a//b",
		"busybox:a/b", "-busybox", "../x", "./x", "a..b/x", "-h.com/x", "h-.com/x", "h.com:/x",
		"h.com:8a/x",
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		char *out = NULL;
		k8c_error_t err;
		int ret = k8c_image_normalize(good[i][0], &out, &err);
		ok(ret == 0, "\"%s\" is a valid reference%s%s", good[i][0], ret ? ": " : "",
		   ret ? err.message : "");
		is_str(out, good[i][1], "\"%s\" is %s", good[i][0], good[i][1]);
		free(out);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *out = NULL;
		k8c_error_t err;
		ok(k8c_image_normalize(bad[i], &out, &err) == -K8C_EINVAL && out == NULL,
		   "\"%s\" is refused", bad[i]);
		free(out);
	}
	return done_testing();
}
