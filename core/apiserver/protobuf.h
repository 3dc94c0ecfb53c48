/* Kubernetes protobuf request bodies (application/vnd.kubernetes.protobuf),
 * as kubectl and client-go send them for typed objects.
 *
 * A body is the 4-byte magic "k8s\0" followed by a runtime.Unknown
 * message: typeMeta (1: apiVersion, kind), raw (2: the object's own
 * message), contentEncoding (3), contentType (4).  The object is decoded
 * with the protobuf field numbers of the API schema (pb=N in
 * core/apiserver/schema/, see schema.h) into the JSON a JSON client would
 * have sent for the same Go object:
 *   - apiVersion and kind come from the envelope;
 *   - zero scalars are left out unless the Go field is a pointer or has no
 *     omitempty (pbzero), as encoding/json does; nested messages that are
 *     present become objects (Go's value structs always encode);
 *   - metav1.Time and MicroTime become RFC 3339 strings (an empty message is
 *     the zero time, left out), resource.Quantity its string,
 *     intstr.IntOrString a number or a string, []byte base64,
 *     RawExtension and FieldsV1 their JSON;
 *   - unknown field numbers are skipped, as Kubernetes does;
 *   - strings with invalid UTF-8 get U+FFFD, as Go's encoder writes them.
 * Malformed input (truncated varints or lengths, wrong wire types, nesting
 * deeper than K8C_PROTOBUF_MAX_DEPTH) fails with K8C_EINVAL and a message
 * naming the JSON path of the offending field. */
#ifndef K8C_APISERVER_PROTOBUF_H
#define K8C_APISERVER_PROTOBUF_H

#include <stddef.h>

#include <k8c/error.h>

struct cJSON;

/* Content-Type of protobuf bodies, without parameters. */
#define K8C_PROTOBUF_CONTENT_TYPE "application/vnd.kubernetes.protobuf"

/* Nested messages (and groups of unknown fields) deeper than this fail. */
#define K8C_PROTOBUF_MAX_DEPTH 100

/* Decode a whole body (magic and runtime.Unknown) as schema_type
 * ("io.k8s.api.apps.v1.Deployment").  On success *out is a new object owned
 * by the caller (free with cJSON_Delete); on failure *out is NULL and err
 * says why (K8C_EINVAL). */
int k8c_protobuf_decode(const char *body, size_t len, const char *schema_type,
                        struct cJSON **out, k8c_error_t *err);

/* Decode one bare message (no magic, no envelope) as schema_type: the raw
 * field of the envelope.  Same ownership and errors. */
int k8c_protobuf_decode_message(const void *data, size_t len, const char *schema_type,
                                struct cJSON **out, k8c_error_t *err);

#endif
