/* /openapi/v2 as kubectl asks for it: the Swagger 2.0 document of
 * k8c_openapi_v2_document() in the protobuf form of the gnostic OpenAPI v2
 * model ("application/com.github.proto-openapi.spec.v2@v1.0+protobuf").
 * kubectl 1.20 reads its definitions for client-side validation and
 * `kubectl explain`; only the parts it reads are encoded: swagger, info and
 * every definition (paths stay empty).
 *
 * Field numbers of the gnostic messages used: Document{swagger 1, info 2,
 * paths 8, definitions 9}; Info{title 1, version 2};
 * Definitions/Properties{additional_properties 1: NamedSchema{name 1,
 * value 2}}; Schema{_ref 1, format 2, title 3, description 4, default 5,
 * required 19, enum 20, additional_properties 21, type 22, items 23,
 * all_of 24, properties 25, read_only 27, vendor_extension 31};
 * AdditionalPropertiesItem{schema 1, boolean 2}; TypeItem{value 1};
 * ItemsItem{schema 1}; NamedAny{name 1, value 2}; Any{yaml 2}.  Values
 * that gnostic keeps as YAML (extensions, defaults, enums) are written as
 * JSON, which is YAML. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "apiserver/schema.h"
#include "common/json_print.h"
#include "common/mem.h"

typedef k8c_json_out_t pb_t; /* a byte buffer */

static void put_varint(pb_t *o, uint64_t v)
{
	char b[10];
	size_t n = 0;

	do {
		b[n] = (char)(v & 0x7f);
		v >>= 7;
		if (v != 0)
			b[n] |= (char)0x80;
		n++;
	} while (v != 0);
	k8c_json_out_raw(o, b, n);
}

static void put_bytes(pb_t *o, unsigned num, const char *s, size_t len)
{
	put_varint(o, (uint64_t)num << 3 | 2);
	put_varint(o, len);
	k8c_json_out_raw(o, s, len);
}

static void put_string(pb_t *o, unsigned num, const char *s)
{
	put_bytes(o, num, s, strlen(s));
}

static void put_bool(pb_t *o, unsigned num, int v)
{
	put_varint(o, (uint64_t)num << 3);
	put_varint(o, v ? 1 : 0);
}

/* A sub-message written into sub, then framed into o (sub is consumed). */
static void put_message(pb_t *o, unsigned num, pb_t *sub)
{
	size_t len;
	char *bytes = k8c_json_out_finish(sub, &len);

	put_bytes(o, num, bytes, len);
	free(bytes);
}

/* Any{yaml}: the value's JSON text (JSON is YAML). */
static void put_any(pb_t *o, unsigned num, const cJSON *v)
{
	pb_t any;
	size_t len;
	char *text = k8c_json_print(v, &len);

	k8c_json_out_init(&any);
	put_bytes(&any, 2, text, len);
	free(text);
	put_message(o, num, &any);
}

static void put_schema(pb_t *o, unsigned num, const cJSON *s);

/* repeated NamedSchema {name, value} of an object's members */
static void put_named_schemas(pb_t *o, unsigned num, const cJSON *obj)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, obj) {
		pb_t named;
		k8c_json_out_init(&named);
		put_string(&named, 1, c->string);
		put_schema(&named, 2, c);
		put_message(o, num, &named);
	}
}

static void schema_fields(pb_t *o, const cJSON *s)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, s) {
		const char *k = c->string;
		if (strcmp(k, "$ref") == 0 && cJSON_IsString(c)) {
			put_string(o, 1, c->valuestring);
		} else if (strcmp(k, "format") == 0 && cJSON_IsString(c)) {
			put_string(o, 2, c->valuestring);
		} else if (strcmp(k, "title") == 0 && cJSON_IsString(c)) {
			put_string(o, 3, c->valuestring);
		} else if (strcmp(k, "description") == 0 && cJSON_IsString(c)) {
			put_string(o, 4, c->valuestring);
		} else if (strcmp(k, "default") == 0) {
			put_any(o, 5, c);
		} else if (strcmp(k, "required") == 0 && cJSON_IsArray(c)) {
			const cJSON *r;
			cJSON_ArrayForEach(r, c)
				if (cJSON_IsString(r))
					put_string(o, 19, r->valuestring);
		} else if (strcmp(k, "enum") == 0 && cJSON_IsArray(c)) {
			const cJSON *e;
			cJSON_ArrayForEach(e, c)
				put_any(o, 20, e);
		} else if (strcmp(k, "additionalProperties") == 0) {
			pb_t ap;
			k8c_json_out_init(&ap);
			if (cJSON_IsBool(c))
				put_bool(&ap, 2, cJSON_IsTrue(c));
			else
				put_schema(&ap, 1, c);
			put_message(o, 21, &ap);
		} else if (strcmp(k, "type") == 0) {
			pb_t t;
			const cJSON *v;
			k8c_json_out_init(&t);
			if (cJSON_IsString(c))
				put_string(&t, 1, c->valuestring);
			else
				cJSON_ArrayForEach(v, c)
					if (cJSON_IsString(v))
						put_string(&t, 1, v->valuestring);
			put_message(o, 22, &t);
		} else if (strcmp(k, "items") == 0) {
			pb_t items;
			const cJSON *v;
			k8c_json_out_init(&items);
			if (cJSON_IsArray(c))
				cJSON_ArrayForEach(v, c)
					put_schema(&items, 1, v);
			else
				put_schema(&items, 1, c);
			put_message(o, 23, &items);
		} else if (strcmp(k, "allOf") == 0 && cJSON_IsArray(c)) {
			const cJSON *v;
			cJSON_ArrayForEach(v, c)
				put_schema(o, 24, v);
		} else if (strcmp(k, "properties") == 0 && cJSON_IsObject(c)) {
			pb_t props;
			k8c_json_out_init(&props);
			put_named_schemas(&props, 1, c);
			put_message(o, 25, &props);
		} else if (strcmp(k, "readOnly") == 0 && cJSON_IsBool(c)) {
			put_bool(o, 27, cJSON_IsTrue(c));
		} else if (strncmp(k, "x-", 2) == 0) {
			pb_t ext;
			k8c_json_out_init(&ext);
			put_string(&ext, 1, k);
			put_any(&ext, 2, c);
			put_message(o, 31, &ext);
		}
	}
}

static void put_schema(pb_t *o, unsigned num, const cJSON *s)
{
	pb_t sub;

	k8c_json_out_init(&sub);
	if (cJSON_IsObject(s))
		schema_fields(&sub, s);
	put_message(o, num, &sub);
}

char *k8c_openapi_v2_proto(const cJSON *doc, size_t *len)
{
	const cJSON *info = cJSON_GetObjectItemCaseSensitive(doc, "info");
	pb_t o, sub;

	k8c_json_out_init(&o);
	put_string(&o, 1, "2.0");
	k8c_json_out_init(&sub);
	put_string(&sub, 1, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(info, "title")) ?: "");
	put_string(&sub, 2, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(info, "version")) ?: "");
	put_message(&o, 2, &sub);
	k8c_json_out_init(&sub);
	put_message(&o, 8, &sub); /* paths: not read by kubectl */
	k8c_json_out_init(&sub);
	put_named_schemas(&sub, 1, cJSON_GetObjectItemCaseSensitive(doc, "definitions"));
	put_message(&o, 9, &sub);
	return k8c_json_out_finish(&o, len);
}
