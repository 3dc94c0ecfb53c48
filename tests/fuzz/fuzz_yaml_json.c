/* Fuzz target for core/common/yaml_json.c: any input parses or fails
 * cleanly, and every document that parses survives emit -> parse
 * unchanged (cJSON_Compare), and so does its compact JSON text
 * (core/common/json_print.c).  A broken round trip aborts. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/json_print.h"
#include "common/yaml_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Whether a tree holds raw text (YAML's big integers), which parses back
 * as a number, not as raw. */
static int has_raw(const cJSON *j)
{
	if (cJSON_IsRaw(j))
		return 1;
	for (const cJSON *c = j->child; c != NULL; c = c->next)
		if (has_raw(c))
			return 1;
	return 0;
}

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
	{
		/* the compact JSON printer: what it prints parses back equal
		 * (raw nodes are YAML's exact big integers: numbers again) */
		size_t len;
		char *json = k8c_json_print(doc, &len);
		cJSON *again = cJSON_ParseWithLength(json, len);
		if (again == NULL || strlen(json) != len ||
		    (!has_raw(doc) && !cJSON_Compare(doc, again, 1))) {
			fprintf(stderr, "k8c_json_print: no round trip:\n%s\n", json);
			abort();
		}
		cJSON_Delete(again);
		free(json);
	}
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
