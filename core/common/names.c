/* Kubernetes name and label syntax, as apimachinery's util/validation and
 * api/validate/content check it.  The regular expressions are matched by
 * hand over bytes: a byte outside ASCII never matches, as in Go where the
 * character classes are ASCII-only.  Several failures are joined with
 * "; ", as labels.Parse joins them. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/mem.h"
#include "common/names.h"

#define DNS1123_LABEL_MAX 63
#define DNS1123_SUBDOMAIN_MAX 253
#define DNS1035_LABEL_MAX 63
#define QNAME_MAX 63
#define LABEL_VALUE_MAX 63

#define DNS1123_LABEL_FMT "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
#define DNS1123_SUBDOMAIN_FMT DNS1123_LABEL_FMT "(\\." DNS1123_LABEL_FMT ")*"
#define DNS1035_LABEL_FMT "[a-z]([-a-z0-9]*[a-z0-9])?"
#define QNAME_FMT "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
#define LABEL_VALUE_FMT "(" QNAME_FMT ")?"

/* The texts of validation.RegexError(msg, fmt, examples...), examples and
 * all, with its doubled space before " or ". */
#define DNS1123_LABEL_ERR                                                     \
	"a lowercase RFC 1123 label must consist of lower case alphanumeric " \
	"characters or '-', and must start and end with an alphanumeric "    \
	"character (e.g. 'my-name',  or '123-abc', regex used for "          \
	"validation is '" DNS1123_LABEL_FMT "')"
#define DNS1123_SUBDOMAIN_ERR                                                \
	"a lowercase RFC 1123 subdomain must consist of lower case "         \
	"alphanumeric characters, '-' or '.', and must start and end with "  \
	"an alphanumeric character (e.g. 'example.com', regex used for "     \
	"validation is '" DNS1123_SUBDOMAIN_FMT "')"
#define DNS1035_LABEL_ERR                                                    \
	"a DNS-1035 label must consist of lower case alphanumeric "          \
	"characters or '-', start with an alphabetic character, and end "    \
	"with an alphanumeric character (e.g. 'my-name',  or 'abc-123', "    \
	"regex used for validation is '" DNS1035_LABEL_FMT "')"
#define QNAME_ERR                                                            \
	"must consist of alphanumeric characters, '-', '_' or '.', and must " \
	"start and end with an alphanumeric character (e.g. 'MyName',  or "  \
	"'my.name',  or '123-abc', regex used for validation is '"           \
	QNAME_FMT "')"
#define LABEL_VALUE_ERR                                                      \
	"a valid label must be an empty string or consist of alphanumeric "  \
	"characters, '-', '_' or '.', and must start and end with an "       \
	"alphanumeric character (e.g. 'MyValue',  or 'my_value',  or "       \
	"'12345', regex used for validation is '" LABEL_VALUE_FMT "')"

/* Collects the messages of one check into the caller's buffer. */
typedef struct msgbuf {
	char *buf;
	size_t len;
	size_t used;
	int count;
} msgbuf_t;

static void msgbuf_init(msgbuf_t *m, char *buf, size_t len)
{
	m->buf = buf;
	m->len = buf != NULL ? len : 0;
	m->used = 0;
	m->count = 0;
	if (m->len > 0)
		m->buf[0] = '\0';
}

__attribute__((format(printf, 2, 0)))
static void msgbuf_vappend(msgbuf_t *m, const char *fmt, va_list ap)
{
	int n;

	if (m->used + 1 >= m->len)
		return;
	n = vsnprintf(m->buf + m->used, m->len - m->used, fmt, ap);
	if (n > 0)
		m->used += (size_t)n < m->len - m->used ? (size_t)n
		                                         : m->len - m->used - 1;
}

__attribute__((format(printf, 2, 3)))
static void msgbuf_append(msgbuf_t *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	msgbuf_vappend(m, fmt, ap);
	va_end(ap);
}

/* Add one message, after "; " when there is one already. */
__attribute__((format(printf, 2, 3)))
static void msgbuf_add(msgbuf_t *m, const char *fmt, ...)
{
	va_list ap;

	if (m->count++ > 0)
		msgbuf_append(m, "; ");
	va_start(ap, fmt);
	msgbuf_vappend(m, fmt, ap);
	va_end(ap);
}

static int is_lower_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static int is_alnum(unsigned char c)
{
	return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

/* [a-z0-9]([-a-z0-9]*[a-z0-9])? over s[0..n) */
static int match_dns1123_label(const char *s, size_t n)
{
	if (n == 0 || !is_lower_alnum((unsigned char)s[0]) ||
	    !is_lower_alnum((unsigned char)s[n - 1]))
		return 0;
	for (size_t i = 1; i + 1 < n; i++)
		if (!is_lower_alnum((unsigned char)s[i]) && s[i] != '-')
			return 0;
	return 1;
}

/* Labels joined by single dots. */
static int match_dns1123_subdomain(const char *s, size_t n)
{
	size_t start = 0;

	for (size_t i = 0; i <= n; i++) {
		if (i == n || s[i] == '.') {
			if (!match_dns1123_label(s + start, i - start))
				return 0;
			start = i + 1;
		}
	}
	return 1;
}

/* [a-z]([-a-z0-9]*[a-z0-9])? */
static int match_dns1035_label(const char *s, size_t n)
{
	return n > 0 && s[0] >= 'a' && s[0] <= 'z' && match_dns1123_label(s, n);
}

/* ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9] */
static int match_qname(const char *s, size_t n)
{
	if (n == 0 || !is_alnum((unsigned char)s[0]) ||
	    !is_alnum((unsigned char)s[n - 1]))
		return 0;
	for (size_t i = 1; i + 1 < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!is_alnum(c) && c != '-' && c != '_' && c != '.')
			return 0;
	}
	return 1;
}

/* The errors of IsDNS1123Subdomain, each preceded by prefix. */
static void check_subdomain(msgbuf_t *m, const char *prefix, const char *s,
                            size_t n)
{
	if (n > DNS1123_SUBDOMAIN_MAX)
		msgbuf_add(m, "%smust be no more than %d characters", prefix,
		           DNS1123_SUBDOMAIN_MAX);
	if (!match_dns1123_subdomain(s, n))
		msgbuf_add(m, "%s%s", prefix, DNS1123_SUBDOMAIN_ERR);
}

int k8c_is_dns1123_label(const char *s, char *msg, size_t msglen)
{
	msgbuf_t m;
	size_t n = s != NULL ? strlen(s) : 0;

	msgbuf_init(&m, msg, msglen);
	if (s == NULL)
		s = "";
	if (n > DNS1123_LABEL_MAX)
		msgbuf_add(&m, "must be no more than %d characters",
		           DNS1123_LABEL_MAX);
	if (!match_dns1123_label(s, n)) {
		/* A valid subdomain that is no label can only hold dots. */
		if (match_dns1123_subdomain(s, n))
			msgbuf_add(&m, "must not contain dots");
		else
			msgbuf_add(&m, "%s", DNS1123_LABEL_ERR);
	}
	return m.count == 0;
}

int k8c_is_dns1123_subdomain(const char *s, char *msg, size_t msglen)
{
	msgbuf_t m;

	msgbuf_init(&m, msg, msglen);
	if (s == NULL)
		s = "";
	check_subdomain(&m, "", s, strlen(s));
	return m.count == 0;
}

int k8c_is_dns1035_label(const char *s, char *msg, size_t msglen)
{
	msgbuf_t m;
	size_t n = s != NULL ? strlen(s) : 0;

	msgbuf_init(&m, msg, msglen);
	if (s == NULL)
		s = "";
	if (n > DNS1035_LABEL_MAX)
		msgbuf_add(&m, "must be no more than %d characters",
		           DNS1035_LABEL_MAX);
	if (!match_dns1035_label(s, n))
		msgbuf_add(&m, "%s", DNS1035_LABEL_ERR);
	return m.count == 0;
}

int k8c_is_qualified_name(const char *s, char *msg, size_t msglen)
{
	msgbuf_t m;
	const char *slash, *name;
	size_t n;

	msgbuf_init(&m, msg, msglen);
	if (s == NULL)
		s = "";
	slash = strchr(s, '/');
	if (slash != NULL && strchr(slash + 1, '/') != NULL) {
		msgbuf_add(&m, "a qualified name %s with an optional DNS "
		               "subdomain prefix and '/' (e.g. "
		               "'example.com/MyName')", QNAME_ERR);
		return 0;
	}
	name = s;
	if (slash != NULL) {
		size_t plen = (size_t)(slash - s);
		if (plen == 0)
			msgbuf_add(&m, "prefix part must be non-empty");
		else
			check_subdomain(&m, "prefix part ", s, plen);
		name = slash + 1;
	}
	n = strlen(name);
	if (n == 0)
		msgbuf_add(&m, "name part must be non-empty");
	else if (n > QNAME_MAX)
		msgbuf_add(&m, "name part must be no more than %d characters",
		           QNAME_MAX);
	if (!match_qname(name, n))
		msgbuf_add(&m, "name part %s", QNAME_ERR);
	return m.count == 0;
}

int k8c_is_label_value(const char *s, char *msg, size_t msglen)
{
	msgbuf_t m;
	size_t n = s != NULL ? strlen(s) : 0;

	msgbuf_init(&m, msg, msglen);
	if (s == NULL)
		s = "";
	if (n > LABEL_VALUE_MAX)
		msgbuf_add(&m, "must be no more than %d characters",
		           LABEL_VALUE_MAX);
	if (n > 0 && !match_qname(s, n))
		msgbuf_add(&m, "%s", LABEL_VALUE_ERR);
	return m.count == 0;
}

int k8c_validate_labels(const struct cJSON *labels, char *msg, size_t msglen)
{
	char sub[K8C_NAME_MSG_MAX];
	const cJSON *it;

	if (msg != NULL && msglen > 0)
		msg[0] = '\0';
	if (labels == NULL || cJSON_IsNull(labels))
		return 1;
	if (!cJSON_IsObject(labels)) {
		if (msg != NULL)
			snprintf(msg, msglen, "labels must be an object of strings");
		return 0;
	}
	cJSON_ArrayForEach(it, labels) {
		if (!k8c_is_qualified_name(it->string, sub, sizeof(sub))) {
			if (msg != NULL)
				snprintf(msg, msglen, "Invalid value: \"%s\": %s",
				         it->string, sub);
			return 0;
		}
		if (!cJSON_IsString(it)) {
			if (msg != NULL)
				snprintf(msg, msglen, "[%s]: Invalid value: "
				         "label values must be strings", it->string);
			return 0;
		}
		if (!k8c_is_label_value(it->valuestring, sub, sizeof(sub))) {
			if (msg != NULL)
				snprintf(msg, msglen, "[%s]: Invalid value: \"%s\": %s",
				         it->string, it->valuestring, sub);
			return 0;
		}
	}
	return 1;
}

int k8c_validate_annotations(const struct cJSON *annotations, char *msg,
                             size_t msglen)
{
	char sub[K8C_NAME_MSG_MAX];
	const cJSON *it;
	size_t total = 0;

	if (msg != NULL && msglen > 0)
		msg[0] = '\0';
	if (annotations == NULL || cJSON_IsNull(annotations))
		return 1;
	if (!cJSON_IsObject(annotations)) {
		if (msg != NULL)
			snprintf(msg, msglen, "annotations must be an object of strings");
		return 0;
	}
	cJSON_ArrayForEach(it, annotations) {
		/* Keys are checked lower-cased, as ValidateAnnotations does. */
		_cleanup_free_ char *key = k8c_xstrdup(it->string);
		size_t klen = strlen(key);

		for (size_t i = 0; i < klen; i++)
			if (key[i] >= 'A' && key[i] <= 'Z')
				key[i] = (char)(key[i] - 'A' + 'a');
		if (!k8c_is_qualified_name(key, sub, sizeof(sub))) {
			if (msg != NULL)
				snprintf(msg, msglen, "Invalid value: \"%s\": %s",
				         it->string, sub);
			return 0;
		}
		if (!cJSON_IsString(it)) {
			if (msg != NULL)
				snprintf(msg, msglen, "[%s]: Invalid value: "
				         "annotation values must be strings", it->string);
			return 0;
		}
		total += klen + strlen(it->valuestring);
	}
	if (total > K8C_ANNOTATIONS_SIZE_MAX) {
		if (msg != NULL)
			snprintf(msg, msglen, "Too long: may not be more than %d bytes",
			         K8C_ANNOTATIONS_SIZE_MAX);
		return 0;
	}
	return 1;
}
