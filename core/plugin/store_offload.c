/* The worker pool in front of a blocking store (see store_offload.h).
 * Workers are started as calls queue up with none idle, up to
 * MAX_WORKERS (the concurrency a thread per connection used to give);
 * one idle for IDLE_NS ends, and all end when the store closes. */
#define K8C_LOG_COMPONENT "store"
#include "config.h"

#include <pthread.h>
#include <string.h>
#include <time.h>

#include "common/completion.h"
#include "common/fiber.h"
#include "common/log.h"
#include "common/mem.h"
#include "plugin/store_offload.h"

#define MAX_WORKERS 64
#define IDLE_NS (10LL * 1000000000LL)

enum op { OP_REVISION, OP_GET, OP_RANGE, OP_CREATE, OP_UPDATE, OP_DELETE, OP_COMPACT,
          OP_CREATE_TTL, OP_UPDATE_TTL };

typedef struct offload offload_t;

/* One call: the arguments as the ops table takes them (borrowed from the
 * waiting caller) and the result. */
typedef struct job {
	enum op op;
	const char *key, *range_end, *value;
	size_t value_len;
	int64_t revision, limit, expected, ttl;
	int64_t *out_revision;
	k8c_store_kv_fn fn;
	void *udata;
	k8c_store_range_info_t *info;
	k8c_error_t *err;
	int ret;
	k8c_completion_t done;
	struct job *next;
} job_t;

struct offload {
	k8c_store_ops_t ops;          /* the wrapper's table */
	const k8c_store_ops_t *real;  /* borrowed from the plugin */
	void *real_cookie;
	pthread_mutex_t lock;
	pthread_cond_t cond;           /* a job queued, or stop */
	pthread_cond_t gone;           /* a worker ended */
	job_t *head, *tail;
	int queued;                    /* jobs on the list */
	int idle, stop;
	int n_workers;                 /* running (detached) workers */
};

static int run(offload_t *o, job_t *j)
{
	const k8c_store_ops_t *r = o->real;
	void *c = o->real_cookie;

	switch (j->op) {
	case OP_REVISION:
		return r->revision(c, j->out_revision, j->err);
	case OP_GET:
		return r->get(c, j->key, j->revision, j->fn, j->udata, j->err);
	case OP_RANGE:
		return r->range(c, j->key, j->range_end, j->revision, j->limit, j->fn, j->udata,
		                j->info, j->err);
	case OP_CREATE:
		return r->create(c, j->key, j->value, j->value_len, j->out_revision, j->err);
	case OP_UPDATE:
		return r->update(c, j->key, j->value, j->value_len, j->expected, j->out_revision,
		                 j->fn, j->udata, j->err);
	case OP_DELETE:
		return r->delete(c, j->key, j->expected, j->out_revision, j->fn, j->udata, j->err);
	case OP_COMPACT:
		return r->compact(c, j->revision, j->err);
	case OP_CREATE_TTL:
		return r->create_ttl(c, j->key, j->value, j->value_len, j->ttl, j->out_revision,
		                     j->err);
	case OP_UPDATE_TTL:
		return r->update_ttl(c, j->key, j->value, j->value_len, j->expected, j->ttl,
		                     j->out_revision, j->fn, j->udata, j->err);
	}
	return k8c_error_make(j->err, K8C_EINVAL, "unknown store call");
}

static void *worker_main(void *arg)
{
	offload_t *o = arg;

	pthread_setname_np(pthread_self(), "k8c-store-io");
	pthread_mutex_lock(&o->lock);
	for (;;) {
		job_t *j = o->head;

		if (j == NULL) {
			struct timespec ts;
			int rc;
			if (o->stop)
				break;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_sec += IDLE_NS / 1000000000LL;
			o->idle++;
			rc = pthread_cond_timedwait(&o->cond, &o->lock, &ts);
			o->idle--;
			if (rc != 0 && o->head == NULL)
				break; /* idle long enough */
			continue;
		}
		o->head = j->next;
		if (o->head == NULL)
			o->tail = NULL;
		o->queued--;
		pthread_mutex_unlock(&o->lock);
		j->ret = run(o, j);
		k8c_completion_done(&j->done); /* j may be gone now */
		pthread_mutex_lock(&o->lock);
	}
	o->n_workers--;
	pthread_cond_broadcast(&o->gone);
	pthread_mutex_unlock(&o->lock);
	return NULL;
}

static int start_worker(offload_t *o)
{
	pthread_attr_t attr;
	pthread_t t;
	int rc;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&t, &attr, worker_main, o);
	pthread_attr_destroy(&attr);
	if (rc == 0)
		o->n_workers++;
	return rc;
}

/* Run j: on a worker when called on a fiber, else right here. */
static int call(offload_t *o, job_t *j)
{
	int direct;

	if (k8c_fiber_current() == NULL)
		return run(o, j);
	k8c_completion_init(&j->done);
	pthread_mutex_lock(&o->lock);
	direct = o->stop;
	/* idle workers that were signalled may not have taken their job yet:
	 * one more worker unless there are more idle ones than queued jobs */
	if (!direct && o->queued >= o->idle && o->n_workers < MAX_WORKERS) {
		if (start_worker(o) != 0 && o->n_workers == 0)
			direct = 1; /* no worker at all: block this thread rather than hang */
	}
	if (!direct) {
		j->next = NULL;
		if (o->tail != NULL)
			o->tail->next = j;
		else
			o->head = j;
		o->tail = j;
		o->queued++;
		pthread_cond_signal(&o->cond);
	}
	pthread_mutex_unlock(&o->lock);
	if (direct)
		j->ret = run(o, j);
	else
		k8c_completion_wait(&j->done);
	k8c_completion_destroy(&j->done);
	return j->ret;
}

static int w_open(void *cookie, const char *endpoint, k8c_error_t *err)
{
	offload_t *o = cookie;

	return o->real->open(o->real_cookie, endpoint, err);
}

static void w_close(void *cookie)
{
	offload_t *o = cookie;

	pthread_mutex_lock(&o->lock);
	o->stop = 1;
	pthread_cond_broadcast(&o->cond);
	while (o->n_workers > 0)
		pthread_cond_wait(&o->gone, &o->lock);
	pthread_mutex_unlock(&o->lock);
	o->real->close(o->real_cookie);
	pthread_cond_destroy(&o->gone);
	pthread_cond_destroy(&o->cond);
	pthread_mutex_destroy(&o->lock);
	free(o);
}

static int w_revision(void *cookie, int64_t *revision, k8c_error_t *err)
{
	job_t j = {.op = OP_REVISION, .out_revision = revision, .err = err};

	return call(cookie, &j);
}

static int w_get(void *cookie, const char *key, int64_t revision, k8c_store_kv_fn fn,
                 void *udata, k8c_error_t *err)
{
	job_t j = {.op = OP_GET, .key = key, .revision = revision, .fn = fn, .udata = udata,
	           .err = err};

	return call(cookie, &j);
}

static int w_range(void *cookie, const char *key, const char *range_end, int64_t revision,
                   int64_t limit, k8c_store_kv_fn fn, void *udata,
                   k8c_store_range_info_t *info, k8c_error_t *err)
{
	job_t j = {.op = OP_RANGE, .key = key, .range_end = range_end, .revision = revision,
	           .limit = limit, .fn = fn, .udata = udata, .info = info, .err = err};

	return call(cookie, &j);
}

static int w_create(void *cookie, const char *key, const char *value, size_t value_len,
                    int64_t *revision, k8c_error_t *err)
{
	job_t j = {.op = OP_CREATE, .key = key, .value = value, .value_len = value_len,
	           .out_revision = revision, .err = err};

	return call(cookie, &j);
}

static int w_update(void *cookie, const char *key, const char *value, size_t value_len,
                    int64_t expected, int64_t *revision, k8c_store_kv_fn current_fn,
                    void *udata, k8c_error_t *err)
{
	job_t j = {.op = OP_UPDATE, .key = key, .value = value, .value_len = value_len,
	           .expected = expected, .out_revision = revision, .fn = current_fn,
	           .udata = udata, .err = err};

	return call(cookie, &j);
}

static int w_delete(void *cookie, const char *key, int64_t expected, int64_t *revision,
                    k8c_store_kv_fn prev_fn, void *udata, k8c_error_t *err)
{
	job_t j = {.op = OP_DELETE, .key = key, .expected = expected, .out_revision = revision,
	           .fn = prev_fn, .udata = udata, .err = err};

	return call(cookie, &j);
}

static int w_watch(void *cookie, const char *key, const char *range_end, int64_t start,
                   k8c_store_watch_fn fn, void *udata, void (*free_fn)(void *udata),
                   k8c_store_watch_t **out, k8c_error_t *err)
{
	offload_t *o = cookie;

	return o->real->watch(o->real_cookie, key, range_end, start, fn, udata, free_fn, out,
	                      err);
}

static void w_watch_cancel(void *cookie, k8c_store_watch_t *watch)
{
	offload_t *o = cookie;

	o->real->watch_cancel(o->real_cookie, watch);
}

static int w_compact(void *cookie, int64_t revision, k8c_error_t *err)
{
	job_t j = {.op = OP_COMPACT, .revision = revision, .err = err};

	return call(cookie, &j);
}

static int w_create_ttl(void *cookie, const char *key, const char *value, size_t value_len,
                        int64_t ttl, int64_t *revision, k8c_error_t *err)
{
	job_t j = {.op = OP_CREATE_TTL, .key = key, .value = value, .value_len = value_len,
	           .ttl = ttl, .out_revision = revision, .err = err};

	return call(cookie, &j);
}

static int w_update_ttl(void *cookie, const char *key, const char *value, size_t value_len,
                        int64_t expected, int64_t ttl, int64_t *revision,
                        k8c_store_kv_fn current_fn, void *udata, k8c_error_t *err)
{
	job_t j = {.op = OP_UPDATE_TTL, .key = key, .value = value, .value_len = value_len,
	           .expected = expected, .ttl = ttl, .out_revision = revision, .fn = current_fn,
	           .udata = udata, .err = err};

	return call(cookie, &j);
}

int k8c_store_offload_wrap(k8c_store_handle_t *h)
{
	const k8c_store_ops_t *r = h->ops;
	offload_t *o;

	if (K8C_HAS_MEMBER(r->struct_size, k8c_store_ops_t, flags) &&
	    (r->flags & K8C_STORE_F_NONBLOCKING))
		return 0;
	o = k8c_xcalloc(1, sizeof(*o));
	o->real = r;
	o->real_cookie = h->cookie;
	pthread_mutex_init(&o->lock, NULL);
	pthread_cond_init(&o->cond, NULL);
	pthread_cond_init(&o->gone, NULL);
	o->ops.struct_size = sizeof(o->ops);
	o->ops.schemes = r->schemes;
	o->ops.open = w_open;
	o->ops.close = w_close;
	o->ops.revision = w_revision;
	o->ops.get = w_get;
	o->ops.range = w_range;
	o->ops.create = w_create;
	o->ops.update = w_update;
	o->ops.delete = w_delete;
	o->ops.watch = w_watch;
	o->ops.watch_cancel = w_watch_cancel;
	o->ops.compact = r->compact != NULL ? w_compact : NULL;
	if (K8C_HAS_MEMBER(r->struct_size, k8c_store_ops_t, update_ttl) &&
	    r->create_ttl != NULL && r->update_ttl != NULL) {
		o->ops.create_ttl = w_create_ttl;
		o->ops.update_ttl = w_update_ttl;
	}
	o->ops.flags = K8C_STORE_F_NONBLOCKING; /* as far as the caller can tell */
	h->ops = &o->ops;
	h->cookie = o;
	return 1;
}
