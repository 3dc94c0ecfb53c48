/* Kubernetes protobuf bodies into JSON (protobuf.h), driven by the field
 * numbers of the API schema.  The rules follow what Go does when the API
 * server unmarshals a gogo-protobuf message and a JSON client would have
 * marshalled the same struct:
 *   - a message field seen twice merges (gogo unmarshals into the existing
 *     struct), a repeated field appends, a scalar's last value wins;
 *   - an embedded struct with a protobuf tag is a nested message whose
 *     fields land in the embedding object;
 *   - map entries are messages {1: key, 2: value}, a missing value is the
 *     zero value of its type. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "apiserver/protobuf.h"
#include "apiserver/protobuf_internal.h"
#include "apiserver/schema.h"
#include "common/base64.h"
#include "common/mem.h"

static const uint8_t magic[4] = { 'k', '8', 's', 0 };

static int decode_message(k8c_pb_ctx_t *c, const k8c_schema_node_t *type, k8c_pb_buf_t in,
                          cJSON *obj);

/* Set obj[name] = v, replacing an earlier value (v may be NULL: remove). */
static void set_member(cJSON *obj, const char *name, cJSON *v)
{
	if (cJSON_GetObjectItemCaseSensitive(obj, name) != NULL)
		cJSON_DeleteItemFromObjectCaseSensitive(obj, name);
	if (v != NULL)
		cJSON_AddItemToObject(obj, name, v);
}

static int nested(k8c_pb_ctx_t *c, const k8c_schema_node_t *type, k8c_pb_buf_t in, cJSON *obj)
{
	int ret;

	if (c->depth >= K8C_PROTOBUF_MAX_DEPTH)
		return k8c_pb_fail(c, "messages nested deeper than %d", K8C_PROTOBUF_MAX_DEPTH);
	c->depth++;
	ret = decode_message(c, type, in, obj);
	c->depth--;
	return ret;
}

/* --- scalars --------------------------------------------------------------------- */

/* A string or []byte field.  *v NULL: the empty value, left out. */
static int decode_string(k8c_pb_ctx_t *c, const k8c_schema_node_t *node, k8c_pb_buf_t s,
                         int keep_zero, cJSON **v)
{
	size_t len = (size_t)(s.end - s.p);
	char *str;
	int ret;

	*v = NULL;
	if (len == 0 && !keep_zero)
		return 0;
	if (k8c_schema_format(node) == K8C_SCHEMA_FORMAT_BYTES) {
		str = k8c_base64_encode(s.p, len);
	} else if ((ret = k8c_pb_utf8(c, s.p, len, &str)) < 0) {
		return ret;
	}
	*v = cJSON_CreateString(str);
	free(str);
	return 0;
}

static int decode_varint_value(k8c_pb_ctx_t *c, const k8c_schema_node_t *node, uint64_t raw,
                               int keep_zero, cJSON **v)
{
	*v = NULL;
	if (k8c_schema_kind(node) == K8C_SCHEMA_BOOLEAN) {
		if (raw != 0 || keep_zero)
			*v = cJSON_CreateBool(raw != 0);
		return 0;
	}
	if (k8c_schema_kind(node) != K8C_SCHEMA_INTEGER)
		return k8c_pb_fail(c, "a varint where the schema has no integer or boolean");
	/* int32 fields keep the low 32 bits, as Go's generated code does. */
	if (k8c_schema_format(node) == K8C_SCHEMA_FORMAT_INT32) {
		int32_t i = (int32_t)(uint32_t)raw;

		if (i != 0 || keep_zero)
			*v = cJSON_CreateNumber(i);
	} else {
		int64_t i = (int64_t)raw;

		if (i != 0 || keep_zero)
			*v = cJSON_CreateNumber((double)i);
	}
	return 0;
}

static int decode_double(k8c_pb_ctx_t *c, uint64_t raw, int keep_zero, cJSON **v)
{
	double d;

	memcpy(&d, &raw, sizeof(d));
	*v = NULL;
	if (!isfinite(d))
		return k8c_pb_fail(c, "number %g has no JSON form", d);
	if (d != 0 || keep_zero)
		*v = cJSON_CreateNumber(d);
	return 0;
}

/* --- the special messages ---------------------------------------------------------------- */

/* intstr.IntOrString {1: type, 2: intVal, 3: strVal}. */
static int decode_intstr(k8c_pb_ctx_t *c, k8c_pb_buf_t in, cJSON **v)
{
	uint64_t type = 0, ival = 0;
	k8c_pb_buf_t sval = { NULL, NULL };
	int ret;

	while (in.p < in.end) {
		unsigned num, wire;

		if ((ret = k8c_pb_key(c, &in, &num, &wire)) < 0)
			return ret;
		if (num == 1 || num == 2) {
			if ((ret = k8c_pb_want(c, num, wire, PB_VARINT)) < 0 ||
			    (ret = k8c_pb_varint(c, &in, num == 1 ? &type : &ival)) < 0)
				return ret;
		} else if (num == 3) {
			if ((ret = k8c_pb_want(c, num, wire, PB_BYTES)) < 0 ||
			    (ret = k8c_pb_bytes(c, &in, &sval)) < 0)
				return ret;
		} else if ((ret = k8c_pb_skip(c, &in, num, wire)) < 0) {
			return ret;
		}
	}
	if (type == 0) {
		*v = cJSON_CreateNumber((int32_t)(uint32_t)ival);
		return 0;
	}
	if (type == 1) {
		char *s = NULL;

		if (sval.p != NULL && (ret = k8c_pb_utf8(c, sval.p, (size_t)(sval.end - sval.p), &s)) < 0)
			return ret;
		*v = cJSON_CreateString(s != NULL ? s : "");
		free(s);
		return 0;
	}
	return k8c_pb_fail(c, "IntOrString of type %llu (want 0 or 1)", (unsigned long long)type);
}

/* resource.Quantity {1: string}; the zero quantity is "0". */
static int decode_quantity(k8c_pb_ctx_t *c, k8c_pb_buf_t in, cJSON **v)
{
	char *s = NULL;
	int ret;

	while (in.p < in.end) {
		unsigned num, wire;
		k8c_pb_buf_t str;

		if ((ret = k8c_pb_key(c, &in, &num, &wire)) < 0)
			goto out;
		if (num != 1) {
			if ((ret = k8c_pb_skip(c, &in, num, wire)) < 0)
				goto out;
			continue;
		}
		if ((ret = k8c_pb_want(c, num, wire, PB_BYTES)) < 0 ||
		    (ret = k8c_pb_bytes(c, &in, &str)) < 0)
			goto out;
		free(s);
		s = NULL;
		if ((ret = k8c_pb_utf8(c, str.p, (size_t)(str.end - str.p), &s)) < 0)
			goto out;
	}
	*v = cJSON_CreateString(s != NULL && s[0] != '\0' ? s : "0");
	ret = 0;
out:
	free(s);
	return ret;
}

/* metav1.Time / MicroTime {1: seconds, 2: nanos}.  An empty message is the
 * zero time, which Go writes as null: *v stays NULL. */
static int decode_time(k8c_pb_ctx_t *c, const k8c_schema_node_t *node, k8c_pb_buf_t in,
                       cJSON **v)
{
	uint64_t seconds = 0, nanos = 0;
	int micro = k8c_schema_format(node) == K8C_SCHEMA_FORMAT_MICROTIME;
	char buf[48];
	int ret;

	*v = NULL;
	if (in.p == in.end)
		return 0;
	while (in.p < in.end) {
		unsigned num, wire;

		if ((ret = k8c_pb_key(c, &in, &num, &wire)) < 0)
			return ret;
		if (num == 1 || num == 2) {
			if ((ret = k8c_pb_want(c, num, wire, PB_VARINT)) < 0 ||
			    (ret = k8c_pb_varint(c, &in, num == 1 ? &seconds : &nanos)) < 0)
				return ret;
		} else if ((ret = k8c_pb_skip(c, &in, num, wire)) < 0) {
			return ret;
		}
	}
	/* metav1.Time keeps whole seconds only (its JSON has no fraction). */
	ret = k8c_pb_format_time(c, (int64_t)seconds, micro ? (int32_t)(uint32_t)nanos : 0, micro,
	                         buf, sizeof(buf));
	if (ret < 0)
		return ret;
	*v = cJSON_CreateString(buf);
	return 0;
}

/* runtime.RawExtension and metav1.FieldsV1 {1: raw JSON}.  No bytes: null,
 * *v stays NULL. */
static int decode_raw(k8c_pb_ctx_t *c, k8c_pb_buf_t in, cJSON **v)
{
	k8c_pb_buf_t raw = { NULL, NULL };
	int ret;

	*v = NULL;
	while (in.p < in.end) {
		unsigned num, wire;

		if ((ret = k8c_pb_key(c, &in, &num, &wire)) < 0)
			return ret;
		if (num != 1) {
			if ((ret = k8c_pb_skip(c, &in, num, wire)) < 0)
				return ret;
			continue;
		}
		if ((ret = k8c_pb_want(c, num, wire, PB_BYTES)) < 0 ||
		    (ret = k8c_pb_bytes(c, &in, &raw)) < 0)
			return ret;
	}
	if (raw.p == NULL || raw.p == raw.end)
		return 0;
	if (raw.end - raw.p >= 4 && memcmp(raw.p, magic, sizeof(magic)) == 0)
		return k8c_pb_fail(c, "an embedded object in protobuf form is not supported, only JSON");
	*v = cJSON_ParseWithLength((const char *)raw.p, (size_t)(raw.end - raw.p));
	if (*v == NULL)
		return k8c_pb_fail(c, "the embedded object is not valid JSON");
	return 0;
}

/* --- values and fields --------------------------------------------------------------------- */

/* One value of node read from the wire: a field, a list item or a map
 * value.  *v NULL: nothing to write (a zero scalar not kept, a null time).
 * into: an existing object to merge a message into, or NULL. */
static int decode_value(k8c_pb_ctx_t *c, const k8c_schema_node_t *node, unsigned num,
                        unsigned wire, k8c_pb_buf_t *b, int keep_zero, cJSON *into, cJSON **v)
{
	k8c_pb_buf_t sub;
	uint64_t raw;
	int kind = k8c_schema_kind(node), ret;

	*v = NULL;
	switch (kind) {
	case K8C_SCHEMA_INTEGER:
	case K8C_SCHEMA_BOOLEAN:
		if ((ret = k8c_pb_want(c, num, wire, PB_VARINT)) < 0 ||
		    (ret = k8c_pb_varint(c, b, &raw)) < 0)
			return ret;
		return decode_varint_value(c, node, raw, keep_zero, v);
	case K8C_SCHEMA_NUMBER:
		if ((ret = k8c_pb_want(c, num, wire, PB_FIXED64)) < 0 ||
		    (ret = k8c_pb_fixed64(c, b, &raw)) < 0)
			return ret;
		return decode_double(c, raw, keep_zero, v);
	case K8C_SCHEMA_ARRAY:
	case K8C_SCHEMA_MAP:
		return k8c_pb_fail(c, "field %u: lists of lists or maps have no protobuf form", num);
	default:
		break;
	}
	if ((ret = k8c_pb_want(c, num, wire, PB_BYTES)) < 0 || (ret = k8c_pb_bytes(c, b, &sub)) < 0)
		return ret;
	switch (kind) {
	case K8C_SCHEMA_STRING:
		return decode_string(c, node, sub, keep_zero, v);
	case K8C_SCHEMA_INT_OR_STRING:
		return decode_intstr(c, sub, v);
	case K8C_SCHEMA_QUANTITY:
		return decode_quantity(c, sub, v);
	case K8C_SCHEMA_TIME:
		return decode_time(c, node, sub, v);
	case K8C_SCHEMA_ANY:
		return decode_raw(c, sub, v);
	case K8C_SCHEMA_OBJECT: {
		cJSON *obj = into != NULL ? into : cJSON_CreateObject();

		if ((ret = nested(c, node, sub, obj)) < 0) {
			if (into == NULL)
				cJSON_Delete(obj);
			return ret;
		}
		*v = into != NULL ? NULL : obj;
		return 0;
	}
	default:
		return k8c_pb_fail(c, "field %u: the schema type has no protobuf form", num);
	}
}

static void append(cJSON *arr, cJSON *v)
{
	cJSON_AddItemToArray(arr, v != NULL ? v : cJSON_CreateNull());
}

/* A repeated field: one item, or a packed run of numbers. */
static int decode_repeated(k8c_pb_ctx_t *c, const k8c_schema_node_t *node, const char *name,
                           unsigned num, unsigned wire, k8c_pb_buf_t *b, cJSON *obj)
{
	const k8c_schema_node_t *items = k8c_schema_items(node);
	int ik = k8c_schema_kind(items), ret;
	cJSON *arr = cJSON_GetObjectItemCaseSensitive(obj, name), *v;

	if (!cJSON_IsArray(arr)) {
		arr = cJSON_CreateArray();
		set_member(obj, name, arr);
	}
	if (wire == PB_BYTES &&
	    (ik == K8C_SCHEMA_INTEGER || ik == K8C_SCHEMA_BOOLEAN || ik == K8C_SCHEMA_NUMBER)) {
		k8c_pb_buf_t packed;

		if ((ret = k8c_pb_bytes(c, b, &packed)) < 0)
			return ret;
		while (packed.p < packed.end) {
			size_t at = k8c_pb_path_push_index(c, (size_t)cJSON_GetArraySize(arr));

			ret = decode_value(c, items, num, ik == K8C_SCHEMA_NUMBER ? PB_FIXED64 : PB_VARINT,
			                   &packed, 1, NULL, &v);
			k8c_pb_path_pop(c, at);
			if (ret < 0)
				return ret;
			append(arr, v);
		}
		return 0;
	}
	size_t at = k8c_pb_path_push_index(c, (size_t)cJSON_GetArraySize(arr));

	ret = decode_value(c, items, num, wire, b, 1, NULL, &v);
	k8c_pb_path_pop(c, at);
	if (ret < 0)
		return ret;
	append(arr, v);
	return 0;
}

/* The zero value of a map value missing from its entry. */
static cJSON *zero_value(const k8c_schema_node_t *node)
{
	switch (k8c_schema_kind(node)) {
	case K8C_SCHEMA_STRING:
		return cJSON_CreateString("");
	case K8C_SCHEMA_INTEGER:
	case K8C_SCHEMA_NUMBER:
	case K8C_SCHEMA_INT_OR_STRING:
		return cJSON_CreateNumber(0);
	case K8C_SCHEMA_BOOLEAN:
		return cJSON_CreateFalse();
	case K8C_SCHEMA_QUANTITY:
		return cJSON_CreateString("0");
	case K8C_SCHEMA_OBJECT:
		return cJSON_CreateObject();
	default:
		return cJSON_CreateNull();
	}
}

/* A map entry {1: key, 2: value}. */
static int decode_map_entry(k8c_pb_ctx_t *c, const k8c_schema_node_t *node, const char *name,
                            unsigned num, unsigned wire, k8c_pb_buf_t *b, cJSON *obj)
{
	const k8c_schema_node_t *values = k8c_schema_items(node);
	_cleanup_free_ char *key = NULL;
	_cleanup_json_ cJSON *value = NULL;
	k8c_pb_buf_t entry;
	cJSON *map;
	int ret;

	if ((ret = k8c_pb_want(c, num, wire, PB_BYTES)) < 0 || (ret = k8c_pb_bytes(c, b, &entry)) < 0)
		return ret;
	while (entry.p < entry.end) {
		unsigned n, w;

		if ((ret = k8c_pb_key(c, &entry, &n, &w)) < 0)
			return ret;
		if (n == 1) {
			k8c_pb_buf_t k;

			if ((ret = k8c_pb_want(c, n, w, PB_BYTES)) < 0 ||
			    (ret = k8c_pb_bytes(c, &entry, &k)) < 0)
				return ret;
			free(key);
			key = NULL;
			if ((ret = k8c_pb_utf8(c, k.p, (size_t)(k.end - k.p), &key)) < 0)
				return ret;
		} else if (n == 2) {
			cJSON *v;
			int merge = k8c_schema_kind(values) == K8C_SCHEMA_OBJECT && cJSON_IsObject(value);

			ret = decode_value(c, values, n, w, &entry, 1, merge ? value : NULL, &v);
			if (ret < 0)
				return ret;
			if (!merge) {
				cJSON_Delete(value);
				value = v;
			}
		} else if ((ret = k8c_pb_skip(c, &entry, n, w)) < 0) {
			return ret;
		}
	}
	map = cJSON_GetObjectItemCaseSensitive(obj, name);
	if (!cJSON_IsObject(map)) {
		map = cJSON_CreateObject();
		set_member(obj, name, map);
	}
	set_member(map, key != NULL ? key : "", value != NULL ? K8C_STEAL(value) : zero_value(values));
	return 0;
}

/* One field of an object. */
static int decode_field(k8c_pb_ctx_t *c, const k8c_schema_node_t *node, const char *name,
                        unsigned num, unsigned wire, k8c_pb_buf_t *b, cJSON *obj)
{
	int kind = k8c_schema_kind(node), ret;
	cJSON *into = NULL, *v;

	if (kind == K8C_SCHEMA_ARRAY)
		return decode_repeated(c, node, name, num, wire, b, obj);
	if (kind == K8C_SCHEMA_MAP)
		return decode_map_entry(c, node, name, num, wire, b, obj);
	if (kind == K8C_SCHEMA_OBJECT) {
		into = cJSON_GetObjectItemCaseSensitive(obj, name);
		if (!cJSON_IsObject(into)) {
			into = cJSON_CreateObject();
			set_member(obj, name, into);
		}
	}
	ret = decode_value(c, node, num, wire, b, k8c_schema_pb_keep_zero(node), into, &v);
	if (ret < 0 || kind == K8C_SCHEMA_OBJECT)
		return ret;
	set_member(obj, name, v);
	return 0;
}

static int decode_message(k8c_pb_ctx_t *c, const k8c_schema_node_t *type, k8c_pb_buf_t in,
                          cJSON *obj)
{
	int ret;

	while (in.p < in.end) {
		const k8c_schema_node_t *f;
		const char *name = NULL;
		unsigned num, wire;

		if ((ret = k8c_pb_key(c, &in, &num, &wire)) < 0)
			return ret;
		f = k8c_schema_pb_field(type, num, &name);
		if (f == NULL) {
			/* Unknown fields are dropped, as Go's generated code does. */
			ret = k8c_pb_skip(c, &in, num, wire);
		} else if (name == NULL) {
			/* An embedded struct: its fields belong to this object. */
			k8c_pb_buf_t sub;

			if ((ret = k8c_pb_want(c, num, wire, PB_BYTES)) < 0 ||
			    (ret = k8c_pb_bytes(c, &in, &sub)) < 0)
				return ret;
			ret = nested(c, f, sub, obj);
		} else {
			size_t at = k8c_pb_path_push(c, name);

			ret = decode_field(c, f, name, num, wire, &in, obj);
			if (ret == 0)
				k8c_pb_path_pop(c, at);
		}
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* --- entry points -------------------------------------------------------------------------- */

static const k8c_schema_node_t *proto_type(const char *schema_type, k8c_error_t *err)
{
	const k8c_schema_node_t *type = schema_type != NULL ? k8c_schema_type(schema_type) : NULL;

	if (type == NULL || k8c_schema_kind(type) != K8C_SCHEMA_OBJECT) {
		k8c_error_make(err, K8C_EINVAL, "no schema type %s to decode protobuf as",
		               schema_type != NULL ? schema_type : "(none)");
		return NULL;
	}
	if (!k8c_schema_has_proto(type)) {
		k8c_error_make(err, K8C_EINVAL, "%s has no protobuf encoding", schema_type);
		return NULL;
	}
	return type;
}

int k8c_protobuf_decode_message(const void *data, size_t len, const char *schema_type,
                                cJSON **out, k8c_error_t *err)
{
	k8c_pb_ctx_t c = { .err = err };
	k8c_pb_buf_t in = { NULL, NULL };
	const k8c_schema_node_t *type = proto_type(schema_type, err);
	cJSON *obj;

	*out = NULL;
	if (type == NULL)
		return -K8C_EINVAL;
	if (len > 0) {
		in.p = data;
		in.end = in.p + len;
	}
	obj = cJSON_CreateObject();
	if (decode_message(&c, type, in, obj) < 0) {
		cJSON_Delete(obj);
		return -K8C_EINVAL;
	}
	*out = obj;
	return 0;
}

/* runtime.TypeMeta {1: apiVersion, 2: kind}. */
static int decode_typemeta(k8c_pb_ctx_t *c, k8c_pb_buf_t in, char **api_version, char **kind)
{
	int ret;

	while (in.p < in.end) {
		unsigned num, wire;
		k8c_pb_buf_t s;
		char **dst;

		if ((ret = k8c_pb_key(c, &in, &num, &wire)) < 0)
			return ret;
		if (num != 1 && num != 2) {
			if ((ret = k8c_pb_skip(c, &in, num, wire)) < 0)
				return ret;
			continue;
		}
		dst = num == 1 ? api_version : kind;
		if ((ret = k8c_pb_want(c, num, wire, PB_BYTES)) < 0 || (ret = k8c_pb_bytes(c, &in, &s)) < 0)
			return ret;
		free(*dst);
		*dst = NULL;
		if ((ret = k8c_pb_utf8(c, s.p, (size_t)(s.end - s.p), dst)) < 0)
			return ret;
	}
	return 0;
}

/* runtime.Unknown {1: typeMeta, 2: raw, 3: contentEncoding, 4: contentType}. */
static int decode_envelope(k8c_pb_ctx_t *c, k8c_pb_buf_t in, char **api_version, char **kind,
                           k8c_pb_buf_t *raw)
{
	int ret;

	while (in.p < in.end) {
		unsigned num, wire;
		k8c_pb_buf_t sub;

		if ((ret = k8c_pb_key(c, &in, &num, &wire)) < 0)
			return ret;
		if (num < 1 || num > 4) {
			if ((ret = k8c_pb_skip(c, &in, num, wire)) < 0)
				return ret;
			continue;
		}
		if ((ret = k8c_pb_want(c, num, wire, PB_BYTES)) < 0 ||
		    (ret = k8c_pb_bytes(c, &in, &sub)) < 0)
			return ret;
		if (num == 1) {
			if ((ret = decode_typemeta(c, sub, api_version, kind)) < 0)
				return ret;
		} else if (num == 2) {
			*raw = sub;
		} else if (num == 3 && sub.p != sub.end) {
			return k8c_pb_fail(c, "content encoding \"%.*s\" is not supported",
			                   (int)(sub.end - sub.p > 64 ? 64 : sub.end - sub.p),
			                   (const char *)sub.p);
		}
		/* contentType (4) names the encoding of raw; Kubernetes does not
		 * look at it either. */
	}
	return 0;
}

int k8c_protobuf_decode(const char *body, size_t len, const char *schema_type, cJSON **out,
                        k8c_error_t *err)
{
	k8c_pb_ctx_t c = { .err = err };
	k8c_pb_buf_t in, raw = { NULL, NULL };
	_cleanup_free_ char *api_version = NULL, *kind = NULL;
	const k8c_schema_node_t *type;
	cJSON *obj;

	*out = NULL;
	if (len < sizeof(magic) || memcmp(body, magic, sizeof(magic)) != 0)
		return k8c_error_make(err, K8C_EINVAL,
		                      "invalid protobuf body: it does not start with the \"k8s\\0\" prefix");
	type = proto_type(schema_type, err);
	if (type == NULL)
		return -K8C_EINVAL;
	in.p = (const uint8_t *)body + sizeof(magic);
	in.end = (const uint8_t *)body + len;
	if (decode_envelope(&c, in, &api_version, &kind, &raw) < 0)
		return -K8C_EINVAL;
	obj = cJSON_CreateObject();
	/* Go's TypeMeta comes first: kind, then apiVersion. */
	if (kind != NULL && kind[0] != '\0')
		cJSON_AddStringToObject(obj, "kind", kind);
	if (api_version != NULL && api_version[0] != '\0')
		cJSON_AddStringToObject(obj, "apiVersion", api_version);
	if (raw.p != NULL && decode_message(&c, type, raw, obj) < 0) {
		cJSON_Delete(obj);
		return -K8C_EINVAL;
	}
	*out = obj;
	return 0;
}
