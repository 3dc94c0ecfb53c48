/* Helpers shared by the core/v1 kinds: JSON access, field errors worded as
 * Kubernetes words them, name and port checks, Table cells. */
#include "config.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "apiserver/kinds/core_internal.h"
#include "apiserver/kinds/util.h"
#include "common/mem.h"
#include "common/names.h"
#include "common/timestamp.h"

/* --- JSON access ---------------------------------------------------------- */

const cJSON *k8c_core_member(const cJSON *o, const char *key)
{
	const cJSON *v;

	if (!cJSON_IsObject(o))
		return NULL;
	v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsNull(v) ? NULL : v;
}

const cJSON *k8c_core_array(const cJSON *o, const char *key)
{
	const cJSON *v = k8c_core_member(o, key);

	return cJSON_IsArray(v) ? v : NULL;
}

const cJSON *k8c_core_object(const cJSON *o, const char *key)
{
	const cJSON *v = k8c_core_member(o, key);

	return cJSON_IsObject(v) ? v : NULL;
}

const char *k8c_core_str(const cJSON *o, const char *key)
{
	const cJSON *v = k8c_core_member(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

const char *k8c_core_strz(const cJSON *o, const char *key)
{
	const char *s = k8c_core_str(o, key);

	return s ? s : "";
}

int k8c_core_has(const cJSON *o, const char *key)
{
	return k8c_core_member(o, key) != NULL;
}

long long k8c_core_int(const cJSON *o, const char *key, long long def)
{
	const cJSON *v = k8c_core_member(o, key);

	return cJSON_IsNumber(v) ? (long long)v->valuedouble : def;
}

int k8c_core_bool(const cJSON *o, const char *key, int def)
{
	const cJSON *v = k8c_core_member(o, key);

	return cJSON_IsBool(v) ? cJSON_IsTrue(v) : def;
}

int k8c_core_count(const cJSON *o, const char *key)
{
	const cJSON *v = k8c_core_member(o, key);

	return cJSON_IsArray(v) || cJSON_IsObject(v) ? cJSON_GetArraySize(v) : 0;
}

int k8c_core_in(const char *s, const char *const *set)
{
	for (; s != NULL && *set != NULL; set++)
		if (strcmp(s, *set) == 0)
			return 1;
	return 0;
}

void k8c_core_set(cJSON *obj, const char *key, cJSON *item)
{
	if (cJSON_GetObjectItemCaseSensitive(obj, key) != NULL)
		cJSON_ReplaceItemInObjectCaseSensitive(obj, key, item);
	else
		cJSON_AddItemToObject(obj, key, item);
}

/* Paths are formatted for every field validated, error or not (~40 per
 * pod create): %s and %d are done here, anything else by vsnprintf. */
char *k8c_core_pathf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	size_t n = 0;
	const char *f;

	for (f = strchr(fmt, '%'); f != NULL; f = strchr(f + 2, '%'))
		if (f[1] != 's' && f[1] != 'd') {
			va_start(ap, fmt);
			vsnprintf(buf, len, fmt, ap);
			va_end(ap);
			return buf;
		}
	va_start(ap, fmt);
	for (f = fmt; *f != '\0' && n + 1 < len; f++) {
		char num[16], *p = num + sizeof(num);
		const char *s;
		size_t sl;
		if (*f != '%') {
			buf[n++] = *f;
			continue;
		}
		if (*++f == 's') {
			s = va_arg(ap, const char *);
			s = s ? s : "(null)";
			sl = strlen(s);
		} else {
			int v = va_arg(ap, int);
			unsigned u = v < 0 ? 0u - (unsigned)v : (unsigned)v;
			do
				*--p = (char)('0' + u % 10);
			while ((u /= 10) != 0);
			if (v < 0)
				*--p = '-';
			s = p;
			sl = (size_t)(num + sizeof(num) - p);
		}
		if (sl > len - 1 - n)
			sl = len - 1 - n;
		memcpy(buf + n, s, sl);
		n += sl;
	}
	va_end(ap);
	buf[n] = '\0';
	return buf;
}

/* --- field errors ---------------------------------------------------------- */

void k8c_core_required(k8c_field_errors_t *e, const char *path, const char *detail)
{
	if (detail != NULL && detail[0] != '\0')
		k8c_field_error_add(e, K8C_FIELD_REQUIRED, path, NULL, "%s", detail);
	else
		k8c_field_error_add(e, K8C_FIELD_REQUIRED, path, NULL, NULL);
}

void k8c_core_forbidden(k8c_field_errors_t *e, const char *path, const char *detail)
{
	k8c_field_error_add(e, K8C_FIELD_FORBIDDEN, path, NULL, "%s", detail ? detail : "");
}

void k8c_core_invalid_raw(k8c_field_errors_t *e, const char *path, const char *value,
                          const char *detail)
{
	k8c_field_error_add_raw(e, K8C_FIELD_INVALID, path, value, "%s", detail ? detail : "");
}

char *k8c_core_quote(const char *s)
{
	cJSON *j = cJSON_CreateString(s ? s : "");
	char *out = cJSON_PrintUnformatted(j);

	cJSON_Delete(j);
	if (out == NULL)
		k8c_die("out of memory");
	return out;
}

void k8c_core_invalid_str(k8c_field_errors_t *e, const char *path, const char *value,
                          const char *detail)
{
	_cleanup_free_ char *q = k8c_core_quote(value);

	k8c_core_invalid_raw(e, path, q, detail);
}

void k8c_core_invalid_int(k8c_field_errors_t *e, const char *path, long long value,
                          const char *detail)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", value);
	k8c_core_invalid_raw(e, path, buf, detail);
}

void k8c_core_not_supported(k8c_field_errors_t *e, const char *path, const char *value,
                            const char *const *supported)
{
	_cleanup_free_ char *q = k8c_core_quote(value);
	size_t cap = 64, len = 0;
	_cleanup_free_ char *detail = k8c_xmalloc(cap);

	detail[0] = '\0';
	for (size_t i = 0; supported != NULL && supported[i] != NULL; i++) {
		_cleanup_free_ char *sv = k8c_core_quote(supported[i]);
		size_t need = strlen(sv) + 24;
		while (len + need >= cap)
			detail = k8c_xrealloc(detail, cap *= 2);
		len += (size_t)snprintf(detail + len, cap - len, "%s%s",
		                        i ? ", " : "supported values: ", sv);
	}
	k8c_field_error_add_raw(e, K8C_FIELD_NOT_SUPPORTED, path, q, "%s", detail);
}

void k8c_core_duplicate_str(k8c_field_errors_t *e, const char *path, const char *value)
{
	_cleanup_free_ char *q = k8c_core_quote(value);

	k8c_field_error_add_raw(e, K8C_FIELD_DUPLICATE, path, q, NULL);
}

void k8c_core_not_found_str(k8c_field_errors_t *e, const char *path, const char *value)
{
	_cleanup_free_ char *q = k8c_core_quote(value);

	k8c_field_error_add_raw(e, K8C_FIELD_NOT_FOUND, path, q, NULL);
}

void k8c_core_too_long(k8c_field_errors_t *e, const char *path, long long max_bytes)
{
	k8c_field_error_add(e, K8C_FIELD_TOO_LONG, path, NULL, "may not be more than %lld %s",
	                    max_bytes, max_bytes == 1 ? "byte" : "bytes");
}

char *k8c_core_goslice(const char *type, const cJSON *arr)
{
	size_t cap = 64, len = 0;
	char *out = k8c_xmalloc(cap);
	const cJSON *it;
	int first = 1;

	len = (size_t)snprintf(out, cap, "[]%s{", type);
	cJSON_ArrayForEach(it, arr)
	{
		_cleanup_free_ char *q = k8c_core_quote(cJSON_IsString(it) ? it->valuestring : "");
		size_t need = strlen(q) + 4;
		while (len + need >= cap)
			out = k8c_xrealloc(out, cap *= 2);
		len += (size_t)snprintf(out + len, cap - len, "%s%s", first ? "" : ", ", q);
		first = 0;
	}
	if (len + 2 >= cap)
		out = k8c_xrealloc(out, cap += 2);
	strcpy(out + len, "}");
	return out;
}

/* --- names ------------------------------------------------------------------ */

void k8c_core_invalid_msgs(k8c_field_errors_t *e, const char *path, const char *value, char *msgs)
{
	char *p = msgs;

	while (p != NULL && *p != '\0') {
		char *sep = strstr(p, "; ");
		if (sep != NULL)
			*sep = '\0';
		k8c_core_invalid_raw(e, path, value, p);
		p = sep ? sep + 2 : NULL;
	}
}

/* One Invalid error per "; "-separated message of names.h. */
static void add_msgs(k8c_field_errors_t *e, const char *path, const char *value, char *msgs)
{
	_cleanup_free_ char *q = k8c_core_quote(value);

	k8c_core_invalid_msgs(e, path, q, msgs);
}

void k8c_core_dns_label(k8c_field_errors_t *e, const char *path, const char *s)
{
	char msg[K8C_NAME_MSG_MAX];

	if (!k8c_is_dns1123_label(s, msg, sizeof(msg)))
		add_msgs(e, path, s, msg);
}

void k8c_core_dns_subdomain(k8c_field_errors_t *e, const char *path, const char *s)
{
	char msg[K8C_NAME_MSG_MAX];

	if (!k8c_is_dns1123_subdomain(s, msg, sizeof(msg)))
		add_msgs(e, path, s, msg);
}

void k8c_core_subdomain_prefix(k8c_field_errors_t *e, const char *path, const char *s)
{
	char msg[K8C_NAME_MSG_MAX];
	size_t n = strlen(s);
	_cleanup_free_ char *masked = k8c_xstrdup(s);

	/* maskTrailingDash: a generateName-style prefix may end in '-' */
	if (n > 1 && masked[n - 1] == '-')
		masked[n - 1] = 'a';
	if (!k8c_is_dns1123_subdomain(masked, msg, sizeof(msg)))
		add_msgs(e, path, s, msg);
}

void k8c_core_dns1035_label(k8c_field_errors_t *e, const char *path, const char *s)
{
	char msg[K8C_NAME_MSG_MAX];

	if (!k8c_is_dns1035_label(s, msg, sizeof(msg)))
		add_msgs(e, path, s, msg);
}

void k8c_core_qualified_name(k8c_field_errors_t *e, const char *path, const char *s)
{
	char msg[K8C_NAME_MSG_MAX];

	if (!k8c_is_qualified_name(s, msg, sizeof(msg)))
		add_msgs(e, path, s, msg);
}

void k8c_core_label_value(k8c_field_errors_t *e, const char *path, const char *s)
{
	char msg[K8C_NAME_MSG_MAX];

	if (!k8c_is_label_value(s, msg, sizeof(msg)))
		add_msgs(e, path, s, msg);
}

void k8c_core_labels(k8c_field_errors_t *e, const char *path, const cJSON *map)
{
	const cJSON *it;

	if (!cJSON_IsObject(map))
		return;
	cJSON_ArrayForEach(it, map)
	{
		k8c_core_qualified_name(e, path, it->string);
		if (cJSON_IsString(it))
			k8c_core_label_value(e, path, it->valuestring);
	}
}

#define CONFIG_KEY_ERR                                                                             \
	"a valid config key must consist of alphanumeric characters, '-', '_' or "                 \
	"'.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for "                    \
	"validation is '[-._a-zA-Z0-9]+')"

void k8c_core_config_key(k8c_field_errors_t *e, const char *path, const char *key)
{
	size_t n = strlen(key);
	int ok = n > 0;

	if (n > 253)
		k8c_core_invalid_str(e, path, key, "must be no more than 253 characters");
	for (size_t i = 0; i < n; i++) {
		char c = key[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '.' || c == '_'))
			ok = 0;
	}
	if (!ok)
		k8c_core_invalid_str(e, path, key, CONFIG_KEY_ERR);
	/* hasChDirPrefix */
	if (strcmp(key, ".") == 0)
		k8c_core_invalid_str(e, path, key, "must not be '.'");
	else if (strcmp(key, "..") == 0)
		k8c_core_invalid_str(e, path, key, "must not be '..'");
	else if (strncmp(key, "..", 2) == 0)
		k8c_core_invalid_str(e, path, key, "must not start with '..'");
}

void k8c_core_label_selector(k8c_field_errors_t *e, const char *path, const cJSON *sel)
{
	char p[CORE_PATH_MAX];
	const cJSON *exprs, *expr;
	int i = 0;

	if (!cJSON_IsObject(sel))
		return;
	snprintf(p, sizeof(p), "%s.matchLabels", path);
	k8c_core_labels(e, p, k8c_core_object(sel, "matchLabels"));
	exprs = k8c_core_array(sel, "matchExpressions");
	cJSON_ArrayForEach(expr, exprs)
	{
		const char *op = k8c_core_strz(expr, "operator");
		int nvals = k8c_core_count(expr, "values");
		const cJSON *v;
		int j = 0;

		if (strcmp(op, "In") == 0 || strcmp(op, "NotIn") == 0) {
			if (nvals == 0) {
				snprintf(p, sizeof(p), "%s.matchExpressions[%d].values", path, i);
				k8c_core_required(
				    e, p, "must be specified when `operator` is 'In' or 'NotIn'");
			}
		} else if (strcmp(op, "Exists") == 0 || strcmp(op, "DoesNotExist") == 0) {
			if (nvals > 0) {
				snprintf(p, sizeof(p), "%s.matchExpressions[%d].values", path, i);
				k8c_core_forbidden(e, p,
				                   "may not be specified when `operator` is "
				                   "'Exists' or 'DoesNotExist'");
			}
		} else {
			snprintf(p, sizeof(p), "%s.matchExpressions[%d].operator", path, i);
			k8c_core_invalid_str(e, p, op, "not a valid selector operator");
		}
		snprintf(p, sizeof(p), "%s.matchExpressions[%d].key", path, i);
		k8c_core_qualified_name(e, p, k8c_core_strz(expr, "key"));
		cJSON_ArrayForEach(v, k8c_core_array(expr, "values"))
		{
			snprintf(p, sizeof(p), "%s.matchExpressions[%d].values[%d]", path, i, j++);
			if (cJSON_IsString(v))
				k8c_core_label_value(e, p, v->valuestring);
		}
		i++;
	}
}

/* --- ports ---------------------------------------------------------------- */

void k8c_core_port_num(k8c_field_errors_t *e, const char *path, long long port)
{
	if (port < 1 || port > 65535)
		k8c_core_invalid_int(e, path, port, "must be between 1 and 65535, inclusive");
}

void k8c_core_port_name(k8c_field_errors_t *e, const char *path, const char *name)
{
	size_t n = strlen(name);
	int charset = n > 0, letter = 0;

	if (n > 15)
		k8c_core_invalid_str(e, path, name, "must be no more than 15 characters");
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (c >= 'a' && c <= 'z')
			letter = 1;
		else if (!(c >= '0' && c <= '9') && c != '-')
			charset = 0;
	}
	if (!charset)
		k8c_core_invalid_str(
		    e, path, name,
		    "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
	if (!letter)
		k8c_core_invalid_str(e, path, name, "must contain at least one letter (a-z)");
	if (strstr(name, "--") != NULL)
		k8c_core_invalid_str(e, path, name, "must not contain consecutive hyphens");
	if (n > 0 && (name[0] == '-' || name[n - 1] == '-'))
		k8c_core_invalid_str(e, path, name, "must not begin or end with a hyphen");
}

void k8c_core_port_num_or_name(k8c_field_errors_t *e, const char *path, const cJSON *v)
{
	if (cJSON_IsString(v))
		k8c_core_port_name(e, path, v->valuestring);
	else
		k8c_core_port_num(e, path, cJSON_IsNumber(v) ? (long long)v->valuedouble : 0);
}

/* --- IPs ------------------------------------------------------------------- */

/* Go's sloppy IPv4 parser: four decimal fields of at most 255, leading
 * zeros allowed. */
static int parse_ipv4(const char *s, unsigned char out[4])
{
	for (int i = 0; i < 4; i++) {
		unsigned v = 0;
		int digits = 0;
		if (i > 0) {
			if (*s != '.')
				return 0;
			s++;
		}
		while (*s >= '0' && *s <= '9' && v <= 0xFF) {
			v = v * 10 + (unsigned)(*s++ - '0');
			digits++;
		}
		if (digits == 0 || v > 0xFF)
			return 0;
		out[i] = (unsigned char)v;
	}
	return *s == '\0';
}

int k8c_core_parse_ip(const char *s, unsigned char ip[16])
{
	unsigned char v4[4];

	if (s == NULL || *s == '\0')
		return 0;
	if (strchr(s, ':') != NULL) {
		if (strchr(s, '%') != NULL || inet_pton(AF_INET6, s, ip) != 1)
			return 0;
		return 6;
	}
	if (!parse_ipv4(s, v4))
		return 0;
	memset(ip, 0, 10);
	ip[10] = ip[11] = 0xff;
	memcpy(ip + 12, v4, 4);
	return 4;
}

int k8c_core_is_ipv6(const char *s)
{
	unsigned char ip[16];
	static const unsigned char v4prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	/* net.IP.To4() == nil: IPv4-mapped addresses count as IPv4 */
	return k8c_core_parse_ip(s, ip) != 0 && memcmp(ip, v4prefix, 12) != 0;
}

void k8c_core_valid_ip(k8c_field_errors_t *e, const char *path, const char *s)
{
	unsigned char ip[16];

	if (!k8c_core_parse_ip(s, ip))
		k8c_core_invalid_str(
		    e, path, s, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)");
}

void k8c_core_non_special_ip(k8c_field_errors_t *e, const char *path, const char *s)
{
	static const unsigned char v4prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	static const unsigned char zero[16];
	unsigned char ip[16];
	int v4;
	char buf[128];

	if (!k8c_core_parse_ip(s, ip)) {
		k8c_core_invalid_str(e, path, s, "must be a valid IP address");
		return;
	}
	v4 = memcmp(ip, v4prefix, 12) == 0;
	if (memcmp(ip, zero, 16) == 0 || (v4 && memcmp(ip + 12, zero, 4) == 0)) {
		snprintf(buf, sizeof(buf), "may not be unspecified (%s)", s);
		k8c_core_invalid_str(e, path, s, buf);
	}
	if ((v4 && ip[12] == 127) || (!v4 && memcmp(ip, zero, 15) == 0 && ip[15] == 1))
		k8c_core_invalid_str(e, path, s,
		                     "may not be in the loopback range (127.0.0.0/8, ::1/128)");
	if ((v4 && ip[12] == 169 && ip[13] == 254) ||
	    (!v4 && ip[0] == 0xfe && (ip[1] & 0xc0) == 0x80))
		k8c_core_invalid_str(
		    e, path, s, "may not be in the link-local range (169.254.0.0/16, fe80::/10)");
	if ((v4 && ip[12] == 224 && ip[13] == 0 && ip[14] == 0) ||
	    (!v4 && ip[0] == 0xff && (ip[1] & 0x0f) == 0x02))
		k8c_core_invalid_str(
		    e, path, s,
		    "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)");
}

void k8c_core_valid_cidr(k8c_field_errors_t *e, const char *path, const char *s)
{
	const char *slash = strrchr(s, '/');
	unsigned char ip[16];
	int fam = 0, ok = 0;

	if (slash != NULL && slash[1] != '\0') {
		_cleanup_free_ char *addr = k8c_xstrndup(s, (size_t)(slash - s));
		long bits = 0;
		const char *p = slash + 1;
		int digits = 0;
		fam = k8c_core_parse_ip(addr, ip);
		while (*p >= '0' && *p <= '9' && bits < 1000) {
			bits = bits * 10 + (*p++ - '0');
			digits++;
		}
		ok = fam != 0 && digits > 0 && *p == '\0' && bits <= (fam == 4 ? 32 : 128);
	}
	if (!ok)
		k8c_core_invalid_str(
		    e, path, s, "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)");
}

/* --- quantities ----------------------------------------------------------- */

int k8c_core_qty(const cJSON *v, k8c_quantity_t *q)
{
	if (v == NULL || cJSON_IsNull(v))
		return -1;
	return k8c_quantity_from_json(v, q, NULL) < 0 ? -1 : 0;
}

const char *k8c_core_qty_str(const cJSON *v, char buf[K8C_QUANTITY_STRLEN])
{
	k8c_quantity_t q;

	if (k8c_core_qty(v, &q) < 0)
		q = k8c_quantity_from_int(0, K8C_QUANTITY_DECIMAL_SI);
	return k8c_quantity_format(&q, buf, K8C_QUANTITY_STRLEN);
}

/* --- semantic comparison -------------------------------------------------- */

static int is_zero(const cJSON *v)
{
	if (v == NULL || cJSON_IsNull(v) || cJSON_IsFalse(v))
		return 1;
	if (cJSON_IsString(v))
		return v->valuestring[0] == '\0';
	if (cJSON_IsNumber(v))
		return v->valuedouble == 0;
	if (cJSON_IsArray(v) || cJSON_IsObject(v))
		return v->child == NULL;
	return 0;
}

/* Keys whose values are ResourceLists (name -> Quantity). */
static int is_resource_list(const char *key)
{
	static const char *const keys[] = {"limits",      "requests", "capacity",
	                                   "allocatable", "overhead", "allocatedResources",
	                                   NULL};
	return key != NULL && k8c_core_in(key, keys);
}

static int equal(const cJSON *a, const cJSON *b, int qty)
{
	if (is_zero(a) && is_zero(b))
		return 1;
	if (a == NULL || b == NULL || cJSON_IsNull(a) || cJSON_IsNull(b))
		return 0;
	if (qty && (cJSON_IsString(a) || cJSON_IsNumber(a)) &&
	    (cJSON_IsString(b) || cJSON_IsNumber(b))) {
		k8c_quantity_t qa, qb;
		if (k8c_core_qty(a, &qa) == 0 && k8c_core_qty(b, &qb) == 0)
			return k8c_quantity_cmp(&qa, &qb) == 0;
	}
	if ((a->type & 0xff) != (b->type & 0xff)) {
		/* true/false are distinct cJSON types */
		return cJSON_IsBool(a) && cJSON_IsBool(b) && cJSON_IsTrue(a) == cJSON_IsTrue(b);
	}
	if (cJSON_IsString(a))
		return strcmp(a->valuestring, b->valuestring) == 0;
	if (cJSON_IsNumber(a))
		return a->valuedouble == b->valuedouble;
	if (cJSON_IsBool(a))
		return cJSON_IsTrue(a) == cJSON_IsTrue(b);
	if (cJSON_IsArray(a)) {
		const cJSON *x = a->child, *y = b->child;
		for (; x != NULL && y != NULL; x = x->next, y = y->next)
			if (!equal(x, y, qty))
				return 0;
		return x == NULL && y == NULL;
	}
	if (cJSON_IsObject(a)) {
		const cJSON *x;
		cJSON_ArrayForEach(x, a)
		{
			if (!equal(x, cJSON_GetObjectItemCaseSensitive(b, x->string),
			           qty || is_resource_list(x->string) ||
			               strcmp(x->string, "sizeLimit") == 0))
				return 0;
		}
		cJSON_ArrayForEach(x, b)
		{
			if (cJSON_GetObjectItemCaseSensitive(a, x->string) == NULL && !is_zero(x))
				return 0;
		}
		return 1;
	}
	return 1;
}

int k8c_core_equal(const cJSON *a, const cJSON *b)
{
	return equal(a, b, 0);
}

typedef struct strbuf {
	char *s;
	size_t len, cap;
} strbuf_t;

__attribute__((format(printf, 2, 3))) static void sb_printf(strbuf_t *sb, const char *fmt, ...)
{
	va_list ap;
	_cleanup_free_ char *piece = NULL;
	size_t n;

	va_start(ap, fmt);
	piece = k8c_xvasprintf(fmt, ap);
	va_end(ap);
	n = strlen(piece);
	if (sb->len + n + 1 > sb->cap) {
		sb->cap = (sb->len + n + 1) * 2;
		sb->s = k8c_xrealloc(sb->s, sb->cap);
	}
	memcpy(sb->s + sb->len, piece, n + 1);
	sb->len += n;
}

static char *print_or_none(const cJSON *v)
{
	char *s = v != NULL ? cJSON_PrintUnformatted(v) : NULL;

	return s != NULL ? s : k8c_xstrdup("null");
}

static void diff(strbuf_t *sb, const cJSON *a, const cJSON *b, const char *path, int qty)
{
	if (equal(a, b, qty))
		return;
	if (cJSON_IsObject(a) && cJSON_IsObject(b)) {
		const cJSON *x;
		cJSON_ArrayForEach(x, a)
		{
			_cleanup_free_ char *p = k8c_xasprintf("%s.%s", path, x->string);
			diff(sb, x, cJSON_GetObjectItemCaseSensitive(b, x->string), p,
			     qty || is_resource_list(x->string));
		}
		cJSON_ArrayForEach(x, b)
		{
			if (cJSON_GetObjectItemCaseSensitive(a, x->string) == NULL) {
				_cleanup_free_ char *p = k8c_xasprintf("%s.%s", path, x->string);
				diff(sb, NULL, x, p, qty || is_resource_list(x->string));
			}
		}
		return;
	}
	if (cJSON_IsArray(a) && cJSON_IsArray(b) &&
	    cJSON_GetArraySize(a) == cJSON_GetArraySize(b)) {
		const cJSON *x = a->child, *y = b->child;
		for (int i = 0; x != NULL && y != NULL; x = x->next, y = y->next, i++) {
			_cleanup_free_ char *p = k8c_xasprintf("%s[%d]", path, i);
			diff(sb, x, y, p, qty);
		}
		return;
	}
	{
		_cleanup_free_ char *sa = print_or_none(a);
		_cleanup_free_ char *sbv = print_or_none(b);
		sb_printf(sb, "- %s: %s\n+ %s: %s\n", path, sa, path, sbv);
	}
}

char *k8c_core_diff(const cJSON *old, const cJSON *new_, const char *path)
{
	strbuf_t sb = {k8c_xstrdup(""), 0, 1};

	diff(&sb, old, new_, path, 0);
	return sb.s;
}

/* --- base64 ---------------------------------------------------------------- */

long long k8c_core_b64_len(const char *s)
{
	long long n = 0, pad = 0, i;

	for (i = 0; s[i] != '\0'; i++) {
		char c = s[i];
		if (c == '\r' || c == '\n')
			continue;
		if (c == '=') {
			pad++;
			if (pad > 2)
				return -1 - i;
			n++;
			continue;
		}
		if (pad > 0 || !((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		                 (c >= '0' && c <= '9') || c == '+' || c == '/'))
			return -1 - i;
		n++;
	}
	if (n % 4 != 0)
		return -1 - i;
	return n / 4 * 3 - pad;
}

/* --- Table cells ------------------------------------------------------------ */

void k8c_core_cell_str(cJSON *cells, const char *s)
{
	cJSON_AddItemToArray(cells, cJSON_CreateString(s ? s : ""));
}

void k8c_core_cell_int(cJSON *cells, long long v)
{
	cJSON_AddItemToArray(cells, cJSON_CreateNumber((double)v));
}

void k8c_core_cell_age(cJSON *cells, const cJSON *obj, long long now_s)
{
	char buf[K8C_DURATION_STRLEN];

	k8c_core_cell_str(cells, k8c_age(obj, now_s, buf));
}

long long k8c_core_time_s(const char *ts, int *ok)
{
	int64_t ns;

	if (ts == NULL || ts[0] == '\0' || k8c_time_parse(ts, &ns, NULL) < 0) {
		*ok = 0;
		return 0;
	}
	*ok = 1;
	return ns / 1000000000LL;
}

void k8c_core_cell_since(cJSON *cells, const char *ts, long long now_s)
{
	char buf[K8C_DURATION_STRLEN];
	int ok;
	long long t = k8c_core_time_s(ts, &ok);

	k8c_core_cell_str(cells, ok ? k8c_human_duration(now_s - t, buf) : "<unknown>");
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

char *k8c_core_format_labels(const cJSON *map)
{
	int n = cJSON_IsObject(map) ? cJSON_GetArraySize(map) : 0, i = 0;
	_cleanup_free_ const char **keys = NULL;
	strbuf_t sb = {k8c_xstrdup(""), 0, 1};
	const cJSON *it;

	if (n == 0) {
		free(sb.s);
		return k8c_xstrdup("<none>");
	}
	keys = k8c_xcalloc((size_t)n, sizeof(*keys));
	cJSON_ArrayForEach(it, map) keys[i++] = it->string;
	qsort(keys, (size_t)n, sizeof(*keys), cmp_str);
	for (i = 0; i < n; i++) {
		const char *v = k8c_core_strz(map, keys[i]);
		sb_printf(&sb, "%s%s=%s", i ? "," : "", keys[i], v);
	}
	return sb.s;
}
