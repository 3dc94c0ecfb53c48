/* k8c plugin SDK — error object.
 *
 * A fallible function returns int (>= 0 success, < 0 failure) and takes a
 * k8c_error_t *err as its last parameter.  On failure it fills *err with a
 * code and a human-readable message and returns -code:
 *
 *     if (fd < 0)
 *         return k8c_error_make(err, K8C_EIO, "open %s: %m", path);
 *
 * Callers pass the error up with `if (ret < 0) return ret;` and only the
 * caller that handles the error logs it.  err may be NULL when the caller
 * does not want the message.
 *
 * The struct is part of the ABI: its layout never changes.
 */
#ifndef K8C_ERROR_H
#define K8C_ERROR_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Error codes.  Values are fixed forever; new ones are appended. */
enum k8c_errcode {
	K8C_OK = 0,
	K8C_EINVAL = 1,      /* malformed or invalid input */
	K8C_ENOMEM = 2,      /* out of memory (rarely seen: allocators abort) */
	K8C_ENOTFOUND = 3,   /* object or key does not exist */
	K8C_EEXIST = 4,      /* object or key already exists */
	K8C_ECONFLICT = 5,   /* precondition (revision, uid) did not hold */
	K8C_EEXPIRED = 6,    /* revision was compacted away */
	K8C_EIO = 7,         /* I/O or system call failure */
	K8C_EUNAVAIL = 8,    /* dependency not reachable, try again later */
	K8C_ETIMEOUT = 9,    /* deadline passed */
	K8C_EUNSUPPORTED = 10, /* operation not implemented by this plugin */
	K8C_ETOOLARGE = 11,  /* input exceeds a size limit */
	K8C_EPERM = 12,      /* operation not permitted */
	K8C_EINTERNAL = 13,  /* a bug: an invariant did not hold */
};

#define K8C_ERROR_MESSAGE_MAX 512

typedef struct k8c_error {
	int32_t code;                         /* enum k8c_errcode */
	char message[K8C_ERROR_MESSAGE_MAX];  /* NUL-terminated, may be truncated */
} k8c_error_t;

/* Fill *err (if not NULL) and return -code.  The format follows printf. */
__attribute__((format(printf, 3, 0)))
static inline int k8c_error_vmake(k8c_error_t *err, int code, const char *fmt,
                                  va_list ap)
{
	if (err != NULL) {
		err->code = code;
		vsnprintf(err->message, sizeof(err->message), fmt, ap);
	}
	return -code;
}

__attribute__((format(printf, 3, 4)))
static inline int k8c_error_make(k8c_error_t *err, int code, const char *fmt,
                                 ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = k8c_error_vmake(err, code, fmt, ap);
	va_end(ap);
	return ret;
}

/* Reset *err to "no error". */
static inline void k8c_error_clear(k8c_error_t *err)
{
	if (err != NULL) {
		err->code = K8C_OK;
		err->message[0] = '\0';
	}
}

/* A short stable name for a code ("EINVAL", ...), for logs and tests. */
static inline const char *k8c_errcode_name(int code)
{
	static const char *const names[] = {
		"OK", "EINVAL", "ENOMEM", "ENOTFOUND", "EEXIST", "ECONFLICT",
		"EEXPIRED", "EIO", "EUNAVAIL", "ETIMEOUT", "EUNSUPPORTED",
		"ETOOLARGE", "EPERM", "EINTERNAL",
	};
	if (code < 0)
		code = -code;
	if ((unsigned)code >= sizeof(names) / sizeof(names[0]))
		return "EUNKNOWN";
	return names[code];
}

#ifdef __cplusplus
}
#endif

#endif /* K8C_ERROR_H */
