/* Allocation wrappers that abort on out-of-memory (STYLE rule 4): callers
 * never test for NULL, and no ENOMEM path goes untested.  Plus scope-cleanup
 * helpers in the style of crun's cleanup_free. */
#ifndef K8C_COMMON_MEM_H
#define K8C_COMMON_MEM_H

#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

struct cJSON;

void *k8c_xmalloc(size_t size);
void *k8c_xcalloc(size_t n, size_t size);
void *k8c_xrealloc(void *ptr, size_t size);
char *k8c_xstrdup(const char *s);
char *k8c_xstrndup(const char *s, size_t n);
/* printf into a new string; caller frees with free(). */
char *k8c_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *k8c_xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* Abort with a message: for broken invariants and exhausted memory only. */
void k8c_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

void k8c_cleanup_freep(void *p);
void k8c_cleanup_jsonp(struct cJSON **p);

/* `_cleanup_free_ char *s = k8c_xstrdup(x);` frees s when it goes out of scope. */
#define _cleanup_free_ __attribute__((cleanup(k8c_cleanup_freep)))
/* The same for cJSON trees (cJSON_Delete). */
#define _cleanup_json_ __attribute__((cleanup(k8c_cleanup_jsonp)))

/* Hand a cleanup-managed pointer out of its scope. */
#define K8C_STEAL(p) ({ __typeof__(p) _tmp = (p); (p) = NULL; _tmp; })

#endif
