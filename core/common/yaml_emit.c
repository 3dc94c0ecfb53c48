/* Writing cJSON as YAML (see yaml_json.h for the rules).
 *
 * Walks the cJSON tree and feeds libyaml's emitter, which picks a safe
 * scalar style when the one we ask for cannot be used.  The quoting rules
 * make every string read back as that string, also with YAML 1.1 readers. */
#include "config.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/mem.h"
#include "common/yaml_internal.h"
#include "common/yaml_json.h"

#define DIGITS "0123456789"

struct outbuf {
	char *buf;
	size_t len, cap;
};

static int write_out(void *data, unsigned char *bytes, size_t size)
{
	struct outbuf *o = data;

	if (o->len + size + 1 > o->cap) {
		while (o->len + size + 1 > o->cap)
			o->cap = o->cap ? 2 * o->cap : 256;
		o->buf = k8c_xrealloc(o->buf, o->cap);
	}
	memcpy(o->buf + o->len, bytes, size);
	o->len += size;
	o->buf[o->len] = '\0';
	return 1;
}

static int emit(yaml_emitter_t *em, yaml_event_t *ev, k8c_error_t *err)
{
	if (yaml_emitter_emit(em, ev)) /* consumes ev either way */
		return 0;
	return k8c_error_make(err, em->error == YAML_MEMORY_ERROR ? K8C_ENOMEM : K8C_EINVAL,
	                      "yaml emitter: %s", em->problem ? em->problem : "failed");
}

/* Words a YAML 1.1 reader (and many tools) would not read as a string. */
static const char *const yaml11_words[] = {
	"y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "on", "On",
	"ON", "off", "Off", "OFF", "<<", "=", NULL
};

static bool is_yaml11_word(const char *s)
{
	for (const char *const *w = yaml11_words; *w != NULL; w++)
		if (strcmp(s, *w) == 0)
			return true;
	return false;
}

/* Should a string be quoted so it reads back as that string everywhere? */
static bool needs_quotes(const char *s)
{
	size_t n;

	if (!k8c_yaml_plain_is_string(s) || is_yaml11_word(s))
		return true;
	/* number-ish (1_000, 0b101, 1:30, 2001-12-14, 1.2.3): a YAML 1.1 reader
	 * might read a number or a timestamp */
	n = strspn(s, DIGITS "_.:+-eExXoObBabcdfABCDF");
	return s[n] == '\0' && strpbrk(s, DIGITS) != NULL &&
	       (strchr(DIGITS, s[0]) || s[0] == '.' || s[0] == '-' || s[0] == '+');
}

/* Carriage returns and the Unicode line breaks (NEL, LS, PS) do not survive
 * anything but a double-quoted scalar's escapes. */
static bool has_odd_break(const char *s)
{
	return strchr(s, '\r') != NULL || strstr(s, "\xc2\x85") != NULL ||
	       strstr(s, "\xe2\x80\xa8") != NULL || strstr(s, "\xe2\x80\xa9") != NULL;
}

static int emit_scalar(yaml_emitter_t *em, const char *s,
                       yaml_scalar_style_t style, k8c_error_t *err)
{
	yaml_event_t ev;
	size_t len = strlen(s);

	if (len > INT32_MAX)
		return k8c_error_make(err, K8C_ETOOLARGE, "yaml: string too long");
	if (!yaml_scalar_event_initialize(&ev, NULL, NULL, (const yaml_char_t *)s,
	                                  (int)len, 1, 1, style))
		return k8c_error_make(err, K8C_EINVAL,
		                      "yaml: string is not valid UTF-8");
	return emit(em, &ev, err);
}

static int emit_string(yaml_emitter_t *em, const char *s, k8c_error_t *err)
{
	yaml_scalar_style_t style = YAML_PLAIN_SCALAR_STYLE;

	if (has_odd_break(s))
		style = YAML_DOUBLE_QUOTED_SCALAR_STYLE;
	else if (needs_quotes(s))
		style = YAML_SINGLE_QUOTED_SCALAR_STYLE;
	else if (strchr(s, '\n') != NULL)
		style = YAML_LITERAL_SCALAR_STYLE;
	return emit_scalar(em, s, style, err);
}

/* Shortest text that reads back as the same double, and as a number, not
 * a raw integer (a double never holds more than 15 digits exactly). */
static void format_number(double d, char buf[64])
{
	if (d > -(double)K8C_YAML_RAW_MIN && d < (double)K8C_YAML_RAW_MIN &&
	    d == (double)(long long)d) {
		snprintf(buf, 64, "%.0f", d);
		return;
	}
	snprintf(buf, 64, "%.15g", d);
	if (strtod(buf, NULL) != d)
		snprintf(buf, 64, "%.17g", d);
	if (buf[strspn(buf, "-" DIGITS)] == '\0')
		strcat(buf, ".0");
}

static int emit_node(yaml_emitter_t *em, const cJSON *j, int depth,
                     k8c_error_t *err)
{
	yaml_event_t ev;
	const cJSON *c;
	char num[64];
	int ret;

	if (depth >= K8C_YAML_MAX_DEPTH)
		return k8c_error_make(err, K8C_ETOOLARGE,
		                      "yaml: nesting deeper than %d levels", K8C_YAML_MAX_DEPTH);
	switch (j->type & 0xff) {
	case cJSON_NULL:
		return emit_scalar(em, "null", YAML_PLAIN_SCALAR_STYLE, err);
	case cJSON_True:
		return emit_scalar(em, "true", YAML_PLAIN_SCALAR_STYLE, err);
	case cJSON_False:
		return emit_scalar(em, "false", YAML_PLAIN_SCALAR_STYLE, err);
	case cJSON_Number:
		if (!isfinite(j->valuedouble))
			return k8c_error_make(err, K8C_EINVAL,
			                      "yaml: number is not finite");
		format_number(j->valuedouble, num);
		return emit_scalar(em, num, YAML_PLAIN_SCALAR_STYLE, err);
	case cJSON_Raw:
		return emit_scalar(em, j->valuestring ? j->valuestring : "null",
		                   YAML_PLAIN_SCALAR_STYLE, err);
	case cJSON_String:
		return emit_string(em, j->valuestring ? j->valuestring : "", err);
	case cJSON_Array:
		if (!yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
		                                          YAML_BLOCK_SEQUENCE_STYLE))
			return k8c_error_make(err, K8C_ENOMEM, "yaml: out of memory");
		ret = emit(em, &ev, err);
		for (c = j->child; ret >= 0 && c != NULL; c = c->next)
			ret = emit_node(em, c, depth + 1, err);
		if (ret < 0)
			return ret;
		yaml_sequence_end_event_initialize(&ev);
		return emit(em, &ev, err);
	case cJSON_Object:
		if (!yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
		                                         YAML_BLOCK_MAPPING_STYLE))
			return k8c_error_make(err, K8C_ENOMEM, "yaml: out of memory");
		ret = emit(em, &ev, err);
		for (c = j->child; ret >= 0 && c != NULL; c = c->next) {
			ret = emit_string(em, c->string ? c->string : "", err);
			if (ret >= 0)
				ret = emit_node(em, c, depth + 1, err);
		}
		if (ret < 0)
			return ret;
		yaml_mapping_end_event_initialize(&ev);
		return emit(em, &ev, err);
	default:
		return k8c_error_make(err, K8C_EINVAL, "yaml: invalid JSON item");
	}
}

int k8c_yaml_emit(const struct cJSON *json, char **out, k8c_error_t *err)
{
	struct outbuf o = { NULL, 0, 0 };
	yaml_emitter_t em;
	yaml_event_t ev;
	int ret;

	*out = NULL;
	if (json == NULL)
		return k8c_error_make(err, K8C_EINVAL, "yaml: nothing to emit");
	if (!yaml_emitter_initialize(&em))
		return k8c_error_make(err, K8C_ENOMEM, "yaml: out of memory");
	yaml_emitter_set_output(&em, write_out, &o);
	yaml_emitter_set_unicode(&em, 1);
	yaml_emitter_set_width(&em, -1); /* never fold long scalars */
	yaml_emitter_set_indent(&em, 2);

	yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
	ret = emit(&em, &ev, err);
	if (ret >= 0) {
		yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
		ret = emit(&em, &ev, err);
	}
	if (ret >= 0)
		ret = emit_node(&em, json, 0, err);
	if (ret >= 0) {
		yaml_document_end_event_initialize(&ev, 1);
		ret = emit(&em, &ev, err);
	}
	if (ret >= 0) {
		yaml_stream_end_event_initialize(&ev);
		ret = emit(&em, &ev, err);
	}
	yaml_emitter_delete(&em);
	if (ret < 0) {
		free(o.buf);
		return ret;
	}
	*out = o.buf ? o.buf : k8c_xstrdup("");
	return 0;
}
