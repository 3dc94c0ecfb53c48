/* Internals of the protobuf decoder (protobuf.h): the wire format reader
 * and the value conversions shared by protobuf.c and protobuf_wire.c. */
#ifndef K8C_APISERVER_PROTOBUF_INTERNAL_H
#define K8C_APISERVER_PROTOBUF_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <k8c/error.h>

/* Wire types. */
enum pb_wire {
	PB_VARINT = 0,
	PB_FIXED64 = 1,
	PB_BYTES = 2,
	PB_GROUP_START = 3,
	PB_GROUP_END = 4,
	PB_FIXED32 = 5,
};

/* A slice of the input being read; p moves towards end. */
typedef struct k8c_pb_buf {
	const uint8_t *p, *end;
} k8c_pb_buf_t;

/* Decoding state: where errors go and the JSON path of the value being
 * read, for messages ("spec.template.spec.containers[0].ports[1].name"). */
typedef struct k8c_pb_ctx {
	k8c_error_t *err;
	int depth;
	size_t path_len;
	char path[320];
} k8c_pb_ctx_t;

/* Fail with K8C_EINVAL: "invalid protobuf body at PATH: MESSAGE". */
__attribute__((format(printf, 2, 3)))
int k8c_pb_fail(k8c_pb_ctx_t *c, const char *fmt, ...);

/* Path steps: ".name" (or "name" at the root), "[i]"; pop restores the
 * length returned by push.  Long paths are cut, never overflow. */
size_t k8c_pb_path_push(k8c_pb_ctx_t *c, const char *name);
size_t k8c_pb_path_push_index(k8c_pb_ctx_t *c, size_t i);
void k8c_pb_path_pop(k8c_pb_ctx_t *c, size_t len);

/* Wire reads; 0 or < 0 (through k8c_pb_fail). */
int k8c_pb_varint(k8c_pb_ctx_t *c, k8c_pb_buf_t *b, uint64_t *v);
/* A field key: number (1..2^29-1) and wire type. */
int k8c_pb_key(k8c_pb_ctx_t *c, k8c_pb_buf_t *b, unsigned *num, unsigned *wire);
/* A length-delimited value: *sub covers it, b moves past it. */
int k8c_pb_bytes(k8c_pb_ctx_t *c, k8c_pb_buf_t *b, k8c_pb_buf_t *sub);
int k8c_pb_fixed64(k8c_pb_ctx_t *c, k8c_pb_buf_t *b, uint64_t *v);
/* Skip the value of a field of unknown number (groups included). */
int k8c_pb_skip(k8c_pb_ctx_t *c, k8c_pb_buf_t *b, unsigned num, unsigned wire);
/* Fail unless wire is want, naming both. */
int k8c_pb_want(k8c_pb_ctx_t *c, unsigned num, unsigned wire, unsigned want);

/* Bytes as a JSON-safe string: invalid UTF-8 sequences become U+FFFD, as
 * Go's encoding/json writes them; a NUL byte is an error (k8c's JSON
 * strings cannot hold it).  Caller frees. */
int k8c_pb_utf8(k8c_pb_ctx_t *c, const uint8_t *s, size_t len, char **out);

/* metav1.Time (whole seconds) or MicroTime (microseconds) of a Timestamp
 * message as RFC 3339 in UTC, into buf (at least 40 bytes).  Years outside
 * 0000-9999 fail, as Go's Time.MarshalJSON does. */
int k8c_pb_format_time(k8c_pb_ctx_t *c, int64_t seconds, int64_t nanos, int micro, char *buf,
                       size_t len);

#endif
