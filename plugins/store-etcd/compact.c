/* store-etcd: the compactor.  etcd keeps every revision until someone
 * compacts it; as the Kubernetes API server does, every
 * compactIntervalSeconds the store compacts to the revision it saw one
 * interval earlier, so about one interval of history stays for watches to
 * resume from (older resourceVersions get 410 Expired).  Several servers
 * on one cluster each compact; the later ones find the revision already
 * compacted, which is fine. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "common/timestamp.h"
#include "store_etcd.h"

static void *compactor_main(void *arg)
{
	etcd_t *e = arg;
	int64_t seen = 0;

	pthread_mutex_lock(&e->c_mu);
	for (;;) {
		struct timespec until = k8c_timespec_in(CLOCK_MONOTONIC,
		                                        e->conf.compact_interval_ms * 1000000);
		int64_t rev = 0;
		k8c_error_t err;
		int ret;

		while (!e->c_stop && pthread_cond_timedwait(&e->c_cond, &e->c_mu, &until) != ETIMEDOUT)
			;
		if (e->c_stop)
			break;
		pthread_mutex_unlock(&e->c_mu);
		ret = etcd_revision(e, &rev, &err);
		if (ret == 0 && seen > 0) {
			ret = etcd_compact(e, seen, &err);
			if (ret == 0)
				ETCD_LOG(e, K8C_LOG_DEBUG, "compacted to revision %lld", (long long)seen);
			else if (ret != -K8C_EEXPIRED) /* another server did it */
				ETCD_LOG(e, K8C_LOG_WARN, "compaction to revision %lld: %s", (long long)seen,
				         err.message);
		}
		if (ret == 0 || ret == -K8C_EEXPIRED)
			seen = rev;
		pthread_mutex_lock(&e->c_mu);
	}
	pthread_mutex_unlock(&e->c_mu);
	return NULL;
}

int etcd_compactor_start(etcd_t *e, k8c_error_t *err)
{
	int rc;

	if (e->conf.compact_interval_ms <= 0)
		return 0;
	e->c_stop = 0;
	rc = pthread_create(&e->compactor, NULL, compactor_main, e);
	if (rc != 0)
		return k8c_error_make(err, K8C_EIO, "start the compactor thread: %s", strerror(rc));
	e->c_running = 1;
	return 0;
}

void etcd_compactor_stop(etcd_t *e)
{
	if (!e->c_running)
		return;
	pthread_mutex_lock(&e->c_mu);
	e->c_stop = 1;
	pthread_cond_signal(&e->c_cond);
	pthread_mutex_unlock(&e->c_mu);
	pthread_join(e->compactor, NULL);
	e->c_running = 0;
}
