/* Fuzz target for core/common/yaml_json.c: any input parses or fails
 * cleanly, and every document that parses survives emit -> parse
 * unchanged (cJSON_Compare).  A broken round trip aborts. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/yaml_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_round_trip(const cJSON *doc)
{
	k8c_error_t err = { 0 };
	cJSON *back = NULL;
	char *yaml = NULL;

	if (k8c_yaml_emit(doc, &yaml, &err) < 0) {
		fprintf(stderr, "emit failed: %s\n", err.message);
		abort();
	}
	if (k8c_yaml_parse(yaml, strlen(yaml), &back, &err) < 0) {
		fprintf(stderr, "emitted YAML does not parse: %s\n---\n%s\n", err.message, yaml);
		abort();
	}
	if (!cJSON_Compare(doc, back, 1)) {
		char *a = cJSON_PrintUnformatted(doc), *b = cJSON_PrintUnformatted(back);

		fprintf(stderr, "round trip differs:\n%s\n%s\n---\n%s\n", a, b, yaml);
		abort();
	}
	cJSON_Delete(back);
	free(yaml);
}

/* Nodes in a tree, counting up to limit. */
static size_t count_nodes(const cJSON *j, size_t limit)
{
	size_t n = 1;

	for (const cJSON *c = j->child; c != NULL && n < limit; c = c->next)
		n += count_nodes(c, limit - n);
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	k8c_error_t err = { 0 };
	cJSON *docs = NULL, *one = NULL;
	int ndocs = -1;

	if (k8c_yaml_parse_stream((const char *)data, size, &docs, &err) == 0) {
		ndocs = cJSON_GetArraySize(docs);
		for (const cJSON *d = docs->child; d != NULL; d = d->next)
			/* alias expansions near the limit round-trip like small
			 * trees but slow fuzzing down a hundredfold */
			if (count_nodes(d, 20001) <= 20000)
				check_round_trip(d);
		cJSON_Delete(docs);
	} else if (err.message[0] == '\0') {
		abort(); /* a failure must say why */
	}
	/* The single-document entry point must not crash either (with one
	 * document it does what the stream did). */
	if (ndocs != 1 && k8c_yaml_parse((const char *)data, size, &one, &err) == 0)
		cJSON_Delete(one);
	return 0;
}
