/* One API request and its response, independent of the transport: the
 * HTTP front end (http.c) and the in-process client both fill a
 * k8c_api_request_t and serve a k8c_api_response_t, so every component
 * talks to the API the same way (DESIGN §1). */
#ifndef K8C_APISERVER_API_H
#define K8C_APISERVER_API_H

#include <stddef.h>
#include <stdint.h>

struct cJSON;
struct k8c_apiserver;

/* Request body limit: larger bodies are 413 RequestEntityTooLarge. */
#define K8C_API_MAX_BODY (3u << 20)

typedef struct k8c_api_param {
	char *key;   /* owned, URL-decoded */
	char *value; /* owned, URL-decoded */
} k8c_api_param_t;

typedef struct k8c_api_request {
	const char *method;         /* borrowed: "GET", ... */
	char *path;                 /* owned, URL path without the query */
	k8c_api_param_t *params;    /* owned query parameters, in order */
	size_t n_params;
	const char *accept;         /* borrowed Accept header or NULL */
	const char *content_type;   /* borrowed Content-Type or NULL */
	const char *user_agent;     /* borrowed or NULL */
	char *body;                 /* owned, NUL-terminated, body_len bytes */
	size_t body_len;
	int body_too_large;         /* the body exceeded K8C_API_MAX_BODY and was dropped */
} k8c_api_request_t;

/* A streamed response (LIST pages, watch): the transport calls next()
 * until it returns < 0 (end) to get chunks.  next() does not wait for data:
 * a stream that can have nothing yet (a watch) returns 0 and sets arm.
 * free_fn releases ctx once the stream is over or the client went away. */
typedef struct k8c_api_stream {
	/* Fill *buf (malloc'd, taken by the caller) with the next chunk; returns
	 * its length, 0 for "nothing yet" (arm, then call again once woken),
	 * -1 at the end, -2 when the stream failed (the transport cuts the
	 * connection so that the client sees an error, not a short body). */
	long (*next)(void *ctx, char **buf);
	/* After next() returned 0: returns 1 when next() has something after
	 * all (call it now).  Otherwise sets *wake_at_ns (monotonic) to when
	 * next() should be called anyway (a deadline, a bookmark; 0: never),
	 * then calls park(arg), which stops the transport from calling next(),
	 * and returns -1 when park refused (the transport is closing: end the
	 * stream) or 0: the stream then calls wake(arg) once when next() has
	 * something — from any thread, until next() or free_fn is called
	 * again.  park and wake are made under one lock of the stream, so
	 * that an event cannot slip between them. */
	int (*arm)(void *ctx, int (*park)(void *arg), void (*wake)(void *arg), void *arg,
	           int64_t *wake_at_ns);
	void (*free_fn)(void *ctx);
	void *ctx;
} k8c_api_stream_t;

typedef struct k8c_api_response {
	int code;                   /* HTTP status */
	const char *content_type;   /* static string */
	char *body;                 /* owned, body_len bytes; NULL when streaming */
	size_t body_len;
	k8c_api_stream_t stream;    /* set when stream.next != NULL */
	char *warning;              /* owned Warning header value, or NULL */
} k8c_api_response_t;

/* The value of a query parameter (last one wins), or NULL. */
const char *k8c_api_param(const k8c_api_request_t *req, const char *key);
/* A boolean query parameter: "true"/"True"/"1" (python sends True). */
int k8c_api_param_bool(const k8c_api_request_t *req, const char *key);
void k8c_api_request_add_param(k8c_api_request_t *req, const char *key, const char *value);
void k8c_api_request_free(k8c_api_request_t *req);

/* Responses.  json is taken (printed, then freed). */
void k8c_api_respond_json(k8c_api_response_t *resp, int code, struct cJSON *json);
void k8c_api_respond_raw(k8c_api_response_t *resp, int code, const char *content_type,
                         char *body, size_t len);
/* A Status failure: reason ("NotFound"), message printf-style; details may
 * be NULL (taken). */
void k8c_api_respond_status(k8c_api_response_t *resp, int code, const char *reason,
                            struct cJSON *details, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
void k8c_api_response_free(k8c_api_response_t *resp);

/* Serve one request (any thread). */
void k8c_api_serve(struct k8c_apiserver *srv, const k8c_api_request_t *req,
                   k8c_api_response_t *resp);

#endif
