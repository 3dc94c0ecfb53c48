/* libFuzzer target for image references (a pod's spec.containers[].image):
 * any input is refused with EINVAL or gives a full reference that is a
 * fixed point (normalizing it again gives itself), names a registry, a
 * repository and a tag, and never grows past the input by more than the
 * defaults it adds. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image/image_ref.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), *out = NULL, *again = NULL;
	const char *slash, *colon;
	k8c_error_t err;

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (k8c_image_normalize(s, &out, &err) < 0) {
		if (err.code != K8C_EINVAL || out != NULL)
			abort();
		free(s);
		return 0;
	}
	slash = strchr(out, '/');
	colon = strrchr(out, ':');
	if (slash == NULL || colon == NULL || colon < strrchr(out, '/') || colon[1] == '\0')
		abort(); /* registry/repository:tag */
	if (strlen(out) > strlen(s) + strlen("docker.io/library/") + strlen(":latest"))
		abort();
	if (k8c_image_normalize(out, &again, &err) < 0 || strcmp(out, again) != 0)
		abort();
	free(again);
	free(out);
	free(s);
	return 0;
}
