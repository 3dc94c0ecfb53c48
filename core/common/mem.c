/* Allocation wrappers: abort on out-of-memory. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/mem.h"

void k8c_die(const char *fmt, ...)
{
	va_list ap;

	fputs("k8c: fatal: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

static void *check(void *p, size_t size)
{
	if (p == NULL && size != 0)
		k8c_die("out of memory allocating %zu bytes", size);
	return p;
}

void *k8c_xmalloc(size_t size)
{
	return check(malloc(size ? size : 1), size);
}

void *k8c_xcalloc(size_t n, size_t size)
{
	if (n != 0 && size > (size_t)-1 / n)
		k8c_die("allocation of %zu x %zu bytes overflows", n, size);
	return check(calloc(n ? n : 1, size ? size : 1), n * size);
}

void *k8c_xrealloc(void *ptr, size_t size)
{
	return check(realloc(ptr, size ? size : 1), size);
}

char *k8c_xstrdup(const char *s)
{
	return s == NULL ? NULL : check(strdup(s), strlen(s) + 1);
}

char *k8c_xstrndup(const char *s, size_t n)
{
	return check(strndup(s, n), n + 1);
}

char *k8c_xvasprintf(const char *fmt, va_list ap)
{
	char *s = NULL;

	if (vasprintf(&s, fmt, ap) < 0)
		k8c_die("out of memory formatting a string");
	return s;
}

char *k8c_xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = k8c_xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

void k8c_cleanup_freep(void *p)
{
	free(*(void **)p);
}

void k8c_cleanup_jsonp(cJSON **p)
{
	cJSON_Delete(*p);
}
