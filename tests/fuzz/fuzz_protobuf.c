/* libFuzzer target for core/apiserver/protobuf*.c: Kubernetes protobuf
 * bodies decoded as schema types.  The low four bits of the first byte
 * pick the type; the rest is decoded twice, as a whole body (magic and
 * runtime.Unknown envelope; with bit 4 of the first byte set the magic is
 * put in front, mutations rarely find it) and as a bare message.  Checked, besides the
 * sanitizers:
 *   - success and a result go together, as do failure and a message;
 *   - a result prints and parses again;
 *   - a result holds no field the schema does not know: running it through
 *     k8c_schema_decode (what the API server does next) prunes nothing;
 *   - its only type errors can be quantities (their strings are checked
 *     there, not here).
 *
 * Built by `make fuzz` with clang (see tests/fuzz/fuzz.am); `make check`
 * replays tests/fuzz/corpus/protobuf through tests/fuzz/replay.c. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "apiserver/protobuf.h"
#include "apiserver/schema.h"
#include "apiserver/schema/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The libFuzzer build links the schema without its OpenAPI half; the
 * core library's definition wins where it is linked (replay). */
__attribute__((weak)) void k8c_openapi_cache_clear(void)
{
}

static const char *const types[16] = {
	"io.k8s.api.core.v1.ConfigMap",
	"io.k8s.api.core.v1.Secret",
	"io.k8s.api.core.v1.Pod",
	"io.k8s.api.core.v1.Service",
	"io.k8s.api.core.v1.Namespace",
	"io.k8s.api.core.v1.Node",
	"io.k8s.api.core.v1.PersistentVolume",
	"io.k8s.api.core.v1.Event",
	"io.k8s.api.apps.v1.Deployment",
	"io.k8s.api.apps.v1.StatefulSet",
	"io.k8s.api.apps.v1.ControllerRevision",
	"io.k8s.api.batch.v1.Job",
	"io.k8s.api.batch.v1.CronJob",
	"io.k8s.api.coordination.v1.Lease",
	"io.k8s.api.discovery.v1.EndpointSlice",
	"io.k8s.api.rbac.v1.ClusterRole",
};

static void die(const char *what, const char *type)
{
	fprintf(stderr, "fuzz_protobuf: %s (%s)\n", what, type);
	abort();
}

/* The decoder's result against the schema it came from. */
static void check(const char *type, int ret, cJSON *obj, const k8c_error_t *err)
{
	k8c_schema_report_t rep = {0};
	char *text;
	cJSON *again;

	if ((ret == 0) != (obj != NULL))
		die("the return value and the result disagree", type);
	if (ret < 0) {
		if (err->code != K8C_EINVAL || err->message[0] == '\0')
			die("a failure without K8C_EINVAL and a message", type);
		return;
	}
	text = cJSON_PrintUnformatted(obj);
	if (text == NULL)
		die("the result does not print", type);
	again = cJSON_Parse(text);
	if (again == NULL)
		die("the printed result does not parse", type);
	cJSON_Delete(again);
	free(text);
	if (k8c_schema_decode(k8c_schema_type(type), obj, &rep) < 0 &&
	    strstr(rep.type_error, "quantities must match") == NULL) {
		fprintf(stderr, "type error: %s\n", rep.type_error);
		die("the result has a type error", type);
	}
	if (rep.n_unknown > 0) {
		fprintf(stderr, "unknown field: %s\n", rep.unknown[0]);
		die("the result has a field the schema does not know", type);
	}
	k8c_schema_report_free(&rep);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	const char *type;
	k8c_error_t err = {0};
	cJSON *obj = NULL;
	char *body;
	int ret;

	if (!ready) {
		if (k8c_schema_init(&err) < 0) {
			fprintf(stderr, "schema: %s\n", err.message);
			abort();
		}
		ready = 1;
	}
	if (size == 0)
		return 0;
	type = types[data[0] & 15];
	data++;
	size--;

	/* A whole body; bit 4 of the selector adds the magic. */
	body = malloc(size + 4);
	if (body == NULL)
		return 0;
	if (data[-1] & 0x10) {
		memcpy(body, "k8s\0", 4);
		if (size > 0)
			memcpy(body + 4, data, size);
		ret = k8c_protobuf_decode(body, size + 4, type, &obj, &err);
	} else {
		if (size > 0)
			memcpy(body, data, size);
		ret = k8c_protobuf_decode(body, size, type, &obj, &err);
	}
	check(type, ret, obj, &err);
	cJSON_Delete(obj);
	free(body);

	/* The same bytes as the object's own message. */
	obj = NULL;
	memset(&err, 0, sizeof(err));
	ret = k8c_protobuf_decode_message(data, size, type, &obj, &err);
	check(type, ret, obj, &err);
	cJSON_Delete(obj);
	return 0;
}
