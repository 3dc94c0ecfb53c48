/* Expectations, as client-go's UIDTrackingControllerExpectations: what a
 * controller has asked the API server to create and delete for a key but
 * has not yet seen in its cache.  While something is pending the cache
 * undercounts or overcounts what the key owns, and acting on it would
 * create or delete twice.  Records older than five minutes count as
 * satisfied (a watch event that never comes must not wedge the key). */
#include "config.h"

#include <stdint.h>

#include "common/mem.h"
#include "common/timestamp.h"
#include "controller/internal.h"

#define EXPECTATIONS_TTL_NS (5 * 60 * INT64_C(1000000000))

typedef struct record {
	int64_t adds;          /* creations not yet seen */
	k8c_strmap_t dels;     /* object keys whose deletion is not yet seen (values unused) */
	int64_t set_ns;        /* when last raised */
} record_t;

static void record_free(record_t *r)
{
	k8c_strmap_free(&r->dels);
	free(r);
}

void ctl_expectations_init(ctl_expectations_t *ex)
{
	pthread_mutex_init(&ex->mu, NULL);
	k8c_strmap_init(&ex->by_key);
}

void ctl_expectations_destroy(ctl_expectations_t *ex)
{
	k8c_strmap_entry_t *e;
	size_t i;

	for (e = k8c_strmap_first(&ex->by_key, &i); e != NULL; e = k8c_strmap_next(&ex->by_key, e, &i))
		record_free(e->value);
	k8c_strmap_free(&ex->by_key);
	pthread_mutex_destroy(&ex->mu);
}

static int record_done(const record_t *r, int64_t now_ns)
{
	return (r->adds <= 0 && r->dels.count == 0) || now_ns - r->set_ns > EXPECTATIONS_TTL_NS;
}

/* The record of key to raise, created when absent (mu held).  A record
 * that is fulfilled or expired starts over (client-go sets expectations
 * rather than adding to them): a creation that was never seen must not
 * hold the key for another five minutes after each sync. */
static record_t *record_for(ctl_expectations_t *ex, const char *key, int64_t now_ns)
{
	record_t *r = k8c_strmap_get(&ex->by_key, key);

	if (r == NULL) {
		r = k8c_xcalloc(1, sizeof(*r));
		k8c_strmap_init(&r->dels);
		k8c_strmap_put(&ex->by_key, key, r);
	} else if (record_done(r, now_ns)) {
		r->adds = 0;
		k8c_strmap_free(&r->dels);
		k8c_strmap_init(&r->dels);
	}
	return r;
}

void ctl_expect_creations(ctl_expectations_t *ex, const char *key, int n)
{
	record_t *r;

	if (n <= 0)
		return;
	int64_t now = k8c_time_monotonic_ns();

	pthread_mutex_lock(&ex->mu);
	r = record_for(ex, key, now);
	r->adds += n;
	r->set_ns = now;
	pthread_mutex_unlock(&ex->mu);
}

void ctl_expect_deletion(ctl_expectations_t *ex, const char *key, const char *obj_key)
{
	record_t *r;

	int64_t now = k8c_time_monotonic_ns();

	pthread_mutex_lock(&ex->mu);
	r = record_for(ex, key, now);
	k8c_strmap_put(&r->dels, obj_key, r);
	r->set_ns = now;
	pthread_mutex_unlock(&ex->mu);
}

void ctl_creation_observed(ctl_expectations_t *ex, const char *key)
{
	record_t *r;

	pthread_mutex_lock(&ex->mu);
	r = k8c_strmap_get(&ex->by_key, key);
	if (r != NULL && r->adds > 0)
		r->adds--; /* never below zero: the initial list is not a creation */
	pthread_mutex_unlock(&ex->mu);
}

void ctl_deletion_observed(ctl_expectations_t *ex, const char *key, const char *obj_key)
{
	record_t *r;

	pthread_mutex_lock(&ex->mu);
	r = k8c_strmap_get(&ex->by_key, key);
	if (r != NULL)
		k8c_strmap_remove(&r->dels, obj_key);
	pthread_mutex_unlock(&ex->mu);
}

int ctl_expectations_satisfied(ctl_expectations_t *ex, const char *key, int64_t now_ns)
{
	record_t *r;
	int ok;

	pthread_mutex_lock(&ex->mu);
	r = k8c_strmap_get(&ex->by_key, key);
	ok = r == NULL || record_done(r, now_ns);
	pthread_mutex_unlock(&ex->mu);
	return ok;
}

void ctl_expectations_forget(ctl_expectations_t *ex, const char *key)
{
	record_t *r;

	pthread_mutex_lock(&ex->mu);
	r = k8c_strmap_remove(&ex->by_key, key);
	pthread_mutex_unlock(&ex->mu);
	if (r != NULL)
		record_free(r);
}
