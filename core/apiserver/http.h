/* The HTTP front end of the API server: libmicrohttpd's epoll loop on a
 * thread per CPU, each request on a fiber that yields while it waits (see
 * http.c), idle watches parked (http_stream.c). */
#ifndef K8C_APISERVER_HTTP_H
#define K8C_APISERVER_HTTP_H

#include <k8c/error.h>

struct k8c_apiserver;
typedef struct k8c_http k8c_http_t;

/* Listen on addr:port and serve requests through k8c_api_serve(srv, ...).
 * port 0 picks a free port (k8c_http_port tells which). */
int k8c_http_start(struct k8c_apiserver *srv, const char *addr, int port,
                   k8c_http_t **out, k8c_error_t *err);
int k8c_http_port(const k8c_http_t *http);
/* Stop accepting, end every connection (streams see their end), free. */
void k8c_http_stop(k8c_http_t *http);

#endif
