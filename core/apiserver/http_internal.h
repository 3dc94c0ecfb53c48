/* Shared by the HTTP front end's files: http.c (daemon, requests on
 * fibers) and http_stream.c (streamed responses that park while idle). */
#ifndef K8C_APISERVER_HTTP_INTERNAL_H
#define K8C_APISERVER_HTTP_INTERNAL_H

#include <pthread.h>

#include <microhttpd.h>

#include "apiserver/api.h"
#include "apiserver/http.h"
#include "common/timer.h"

typedef struct stream_state stream_state_t;

#define K8C_HTTP_MAX_LOOPS 16

struct k8c_http {
	struct k8c_apiserver *srv;
	int port;
	int listen_fd;
	pthread_t acceptor;              /* accepts, hands each to a loop */
	struct MHD_Daemon *loops[K8C_HTTP_MAX_LOOPS]; /* an epoll thread each */
	int loop_conns[K8C_HTTP_MAX_LOOPS];           /* their connections */
	int n_loops;

	/* Requests on fibers, streams parked with nothing to send.  MHD must
	 * not stop while a connection is suspended: once stopping, new
	 * requests are refused and streams do not park, and the stop waits
	 * until every fiber has finished (parking again meanwhile is fine). */
	pthread_mutex_t park_lock;
	pthread_cond_t park_cond;      /* fibers fell */
	int stopping;
	int fibers;                    /* requests being served on fibers */
	int sending;                   /* responses queued, not yet sent */
	stream_state_t *parked_streams; /* list, for the tick */
	k8c_timer_t tick;              /* checks parked streams every second */
	unsigned ticks;
};

/* A response that reads stream (taken: its free_fn runs when MHD is done
 * with the response).  NULL when MHD cannot make one (stream freed). */
struct MHD_Response *k8c_http_stream_response(k8c_http_t *http, struct MHD_Connection *c,
                                              k8c_api_stream_t *stream);
/* Start the tick; stop it and end every parked stream. */
void k8c_http_streams_start(k8c_http_t *http);
void k8c_http_streams_stop(k8c_http_t *http);

#endif
