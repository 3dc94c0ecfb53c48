/* libFuzzer target for core/common/selector.c: every input is parsed as a
 * label selector and as a field selector; whatever parses must print a
 * canonical string that parses again to the same canonical string.  The
 * input is cut at its first NUL, as a C string would be. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/mem.h"
#include "common/selector.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_label(const char *s)
{
	k8c_label_selector_t *sel = NULL, *again = NULL;
	k8c_error_t err;
	char *first, *second;
	cJSON *labels;

	if (k8c_label_selector_parse(s, &sel, &err) < 0) {
		if (err.code != K8C_EINVAL || err.message[0] == '\0')
			k8c_die("label selector refused without EINVAL and a message");
		return;
	}
	first = k8c_label_selector_string(sel);
	printf("label: %s\n", first);
	if (k8c_label_selector_parse(first, &again, &err) < 0)
		k8c_die("canonical label selector \"%s\" does not parse: %s",
		        first, err.message);
	second = k8c_label_selector_string(again);
	if (strcmp(first, second) != 0)
		k8c_die("label selector canonical form \"%s\" reprints as \"%s\"",
		        first, second);

	/* Matching must agree between the two, and must not crash. */
	labels = cJSON_Parse("{\"a\":\"1\",\"b\":\"x\",\"n\":\"10\",\"e\":\"\"}");
	if (k8c_label_selector_matches(sel, labels) !=
	    k8c_label_selector_matches(again, labels))
		k8c_die("label selector \"%s\" matches differently after reprint",
		        first);
	cJSON_Delete(labels);
	free(first);
	free(second);
	k8c_label_selector_free(sel);
	k8c_label_selector_free(again);
}

static void check_field(const char *s)
{
	k8c_field_selector_t *sel = NULL, *again = NULL;
	k8c_error_t err;
	char *first, *second;

	if (k8c_field_selector_parse(s, &sel, &err) < 0) {
		if (err.code != K8C_EINVAL || err.message[0] == '\0')
			k8c_die("field selector refused without EINVAL and a message");
		return;
	}
	first = k8c_field_selector_string(sel);
	printf("field: %s\n", first);
	if (k8c_field_selector_parse(first, &again, &err) < 0)
		k8c_die("canonical field selector \"%s\" does not parse: %s",
		        first, err.message);
	second = k8c_field_selector_string(again);
	if (strcmp(first, second) != 0)
		k8c_die("field selector canonical form \"%s\" reprints as \"%s\"",
		        first, second);
	if (k8c_field_selector_count(sel) != k8c_field_selector_count(again))
		k8c_die("field selector \"%s\" changes its term count", first);
	for (size_t i = 0; i < k8c_field_selector_count(sel); i++) {
		const char *f1, *v1, *f2, *v2;
		int op1, op2;

		k8c_field_selector_term(sel, i, &f1, &op1, &v1);
		k8c_field_selector_term(again, i, &f2, &op2, &v2);
		if (strcmp(f1, f2) != 0 || op1 != op2 || strcmp(v1, v2) != 0)
			k8c_die("field selector \"%s\" term %zu changes", first, i);
	}
	free(first);
	free(second);
	k8c_field_selector_free(sel);
	k8c_field_selector_free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = k8c_xstrndup((const char *)data, size);

	check_label(s);
	check_field(s);
	free(s);
	return 0;
}
