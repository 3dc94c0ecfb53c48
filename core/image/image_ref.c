/* Image references as Docker and the kubelet read them (see image_ref.h). */
#include "config.h"

#include <ctype.h>
#include <string.h>

#include "common/mem.h"
#include "image/image_ref.h"

/* a path component: [a-z0-9]+ with single '.', '_', '__' or runs of '-'
 * between alphanumerics */
static int valid_component(const char *s, size_t n)
{
	size_t i = 0;

	if (n == 0 || !(islower((unsigned char)s[0]) || isdigit((unsigned char)s[0])))
		return 0;
	while (i < n) {
		if (islower((unsigned char)s[i]) || isdigit((unsigned char)s[i])) {
			i++;
			continue;
		}
		if (s[i] == '.' || (s[i] == '_' && !(i + 1 < n && s[i + 1] == '_'))) {
			i++;
		} else if (s[i] == '_') {
			i += 2;
		} else if (s[i] == '-') {
			while (i < n && s[i] == '-')
				i++;
		} else {
			return 0;
		}
		if (i >= n || !(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i])))
			return 0;
	}
	return 1;
}

/* host[:port], the host dot-separated labels of letters, digits and
 * inner '-' */
static int valid_domain(const char *s, size_t n)
{
	const char *colon = memchr(s, ':', n);
	size_t host = colon ? (size_t)(colon - s) : n;

	if (host == 0)
		return 0;
	for (size_t i = 0; i < host; i++) {
		int label_start = i == 0 || s[i - 1] == '.', label_end = i + 1 == host || s[i + 1] == '.';
		if (isalnum((unsigned char)s[i]))
			continue;
		if (s[i] == '-' && !label_start && !label_end)
			continue;
		if (s[i] == '.' && !label_start && !label_end)
			continue;
		return 0;
	}
	if (colon != NULL) {
		if (colon + 1 == s + n)
			return 0;
		for (const char *p = colon + 1; p < s + n; p++)
			if (!isdigit((unsigned char)*p))
				return 0;
	}
	return 1;
}

static int valid_tag(const char *t)
{
	size_t n = strlen(t);

	if (n == 0 || n > 128 || !(isalnum((unsigned char)t[0]) || t[0] == '_'))
		return 0;
	for (size_t i = 1; i < n; i++)
		if (!isalnum((unsigned char)t[i]) && t[i] != '_' && t[i] != '.' && t[i] != '-')
			return 0;
	return 1;
}

static int has_upper(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (isupper((unsigned char)s[i]))
			return 1;
	return 0;
}

int k8c_image_normalize(const char *ref, char **out, k8c_error_t *err)
{
	const char *slash, *path, *tag = "latest", *last_slash, *colon;
	_cleanup_free_ char *name = NULL, *domain = NULL;
	size_t path_len;

	if (ref == NULL || ref[0] == '\0' || strlen(ref) > 512)
		return k8c_error_make(err, K8C_EINVAL, "image name \"%.64s\": empty or too long", ref ? ref : "");
	if (strchr(ref, '@') != NULL)
		return k8c_error_make(err, K8C_EINVAL,
		                      "image name \"%s\": references by digest are not supported by the local store; use NAME[:TAG]",
		                      ref);
	slash = strchr(ref, '/');
	if (slash != NULL && (memchr(ref, '.', (size_t)(slash - ref)) || memchr(ref, ':', (size_t)(slash - ref)) ||
	                      (slash - ref == 9 && strncmp(ref, "localhost", 9) == 0) ||
	                      has_upper(ref, (size_t)(slash - ref)))) {
		domain = k8c_xstrndup(ref, (size_t)(slash - ref));
		path = slash + 1;
		if (strcmp(domain, "index.docker.io") == 0) {
			free(domain);
			domain = k8c_xstrdup("docker.io");
		}
	} else {
		domain = k8c_xstrdup("docker.io");
		path = ref;
	}
	last_slash = strrchr(path, '/');
	colon = strchr(last_slash ? last_slash : path, ':');
	path_len = colon ? (size_t)(colon - path) : strlen(path);
	if (colon != NULL)
		tag = colon + 1;
	if (!valid_domain(domain, strlen(domain)))
		return k8c_error_make(err, K8C_EINVAL, "image name \"%s\": invalid registry \"%s\"", ref, domain);
	if (!valid_tag(tag))
		return k8c_error_make(err, K8C_EINVAL,
		                      "image name \"%s\": invalid tag \"%s\" (letters, digits, '_', '.', '-'; at most 128)",
		                      ref, tag);
	if (path_len == 0)
		return k8c_error_make(err, K8C_EINVAL, "image name \"%s\": no repository", ref);
	for (const char *c = path; c < path + path_len;) {
		const char *e = memchr(c, '/', (size_t)(path + path_len - c));
		size_t n = e ? (size_t)(e - c) : (size_t)(path + path_len - c);
		if (!valid_component(c, n))
			return k8c_error_make(err, K8C_EINVAL,
			                      "image name \"%s\": invalid repository \"%.*s\" (lower-case letters, digits and separators)",
			                      ref, (int)path_len, path);
		c += n + (e ? 1 : 0);
		if (e != NULL && c == path + path_len)
			return k8c_error_make(err, K8C_EINVAL, "image name \"%s\": ends with '/'", ref);
	}
	name = k8c_xasprintf("%s/%s%.*s", domain,
	                     strcmp(domain, "docker.io") == 0 && memchr(path, '/', path_len) == NULL ? "library/" : "",
	                     (int)path_len, path);
	if (strlen(name) > 255) /* Docker's limit, on the full name without the tag */
		return k8c_error_make(err, K8C_EINVAL, "image name \"%.64s...\": longer than 255 characters", ref);
	*out = k8c_xasprintf("%s:%s", name, tag);
	return 0;
}
