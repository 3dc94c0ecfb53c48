/* `k8c image import NAME[:TAG] FILE.tar | ls | rm NAME...`: the local image
 * store under --data-dir (core/image/image_store.h). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/mem.h"
#include "image/image_store.h"
#include "main/commands.h"
#include "main/options.h"

static void show_progress(int64_t files, int64_t bytes, void *arg)
{
	fprintf(stderr, "k8c image import: %s: %lld files, %.1f MB so far\n", (const char *)arg,
	        (long long)files, (double)bytes / 1e6);
}

static int do_import(const char *data_dir, const cJSON *args)
{
	const char *ref = cJSON_GetStringValue(cJSON_GetArrayItem(args, 1));
	const char *file = cJSON_GetStringValue(cJSON_GetArrayItem(args, 2));
	_cleanup_free_ char *id = NULL, *name = NULL;
	k8c_error_t err;

	if (cJSON_GetArraySize(args) != 3 || ref == NULL || file == NULL) {
		fprintf(stderr, "k8c image: expected `import NAME[:TAG] FILE` (see k8c image --help)\n");
		return K8C_EXIT_USAGE;
	}
	if (k8c_image_normalize(ref, &name, &err) < 0) {
		fprintf(stderr, "k8c image import: %s\n", err.message);
		return K8C_EXIT_USAGE;
	}
	if (k8c_image_import(data_dir, ref, file, show_progress, (void *)file, &id, &err) < 0) {
		fprintf(stderr, "k8c image import: %s\n", err.message);
		return K8C_EXIT_FAILURE;
	}
	printf("imported %s as %s (id %.12s)\n", file, name, id);
	return 0;
}

static int do_ls(const char *data_dir, const cJSON *args)
{
	cJSON *images = NULL, *e;
	k8c_error_t err;

	if (cJSON_GetArraySize(args) != 1) {
		fprintf(stderr, "k8c image: `ls` takes no arguments\n");
		return K8C_EXIT_USAGE;
	}
	if (k8c_image_list(data_dir, &images, &err) < 0) {
		fprintf(stderr, "k8c image ls: %s\n", err.message);
		return K8C_EXIT_FAILURE;
	}
	printf("%-48s %-12s %10s  %s\n", "IMAGE", "IMAGE ID", "SIZE", "CREATED");
	cJSON_ArrayForEach(e, images) {
		const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "name"));
		const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "id"));
		const char *created = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "created"));
		double size = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(e, "size"));
		printf("%-48s %-12.12s %8.1fMB  %s\n", name ? name : "?", id ? id : "?",
		       size == size ? size / 1e6 : 0.0, created ? created : "");
	}
	cJSON_Delete(images);
	return 0;
}

static int do_rm(const char *data_dir, const cJSON *args)
{
	int n = cJSON_GetArraySize(args), status = 0;
	k8c_error_t err;

	if (n < 2) {
		fprintf(stderr, "k8c image: expected `rm NAME[:TAG]...` (see k8c image --help)\n");
		return K8C_EXIT_USAGE;
	}
	for (int i = 1; i < n; i++) {
		const char *ref = cJSON_GetStringValue(cJSON_GetArrayItem(args, i));
		if (k8c_image_remove(data_dir, ref, &err) < 0) {
			fprintf(stderr, "k8c image rm: %s\n", err.message);
			status = K8C_EXIT_FAILURE;
		} else {
			printf("removed %s\n", ref);
		}
	}
	return status;
}

int k8c_cmd_image(const k8c_command_t *cmd, cJSON *values)
{
	const cJSON *args = cJSON_GetObjectItemCaseSensitive(values, "args");
	const char *verb = cJSON_GetStringValue(cJSON_GetArrayItem(args, 0));
	_cleanup_free_ char *data_dir = k8c_data_dir(values);

	(void)cmd;
	if (verb != NULL && strcmp(verb, "import") == 0)
		return do_import(data_dir, args);
	if (verb != NULL && (strcmp(verb, "ls") == 0 || strcmp(verb, "list") == 0))
		return do_ls(data_dir, args);
	if (verb != NULL && (strcmp(verb, "rm") == 0 || strcmp(verb, "remove") == 0))
		return do_rm(data_dir, args);
	fprintf(stderr, "k8c image: expected `import NAME[:TAG] FILE`, `ls` or `rm NAME...` (see k8c image --help)\n");
	return K8C_EXIT_USAGE;
}
