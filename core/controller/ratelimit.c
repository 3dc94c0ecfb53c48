/* The retry delay of a controller's failed keys, as client-go's
 * DefaultControllerRateLimiter: the larger of a per-key exponential
 * backoff (5 ms doubling to 1000 s, reset when the key succeeds) and an
 * overall token bucket (10 retries per second, burst 100) so that many
 * failing keys do not hammer the API server together. */
#include "config.h"

#include <stdint.h>

#include "common/mem.h"
#include "controller/internal.h"

#define BASE_NS (5 * INT64_C(1000000))
#define MAX_NS (1000 * INT64_C(1000000000))
#define BUCKET_QPS 10.0
#define BUCKET_BURST 100.0

void ctl_ratelimit_init(ctl_ratelimit_t *rl)
{
	pthread_mutex_init(&rl->mu, NULL);
	k8c_strmap_init(&rl->failures);
	rl->tokens = BUCKET_BURST;
	rl->last_ns = 0;
}

void ctl_ratelimit_destroy(ctl_ratelimit_t *rl)
{
	k8c_strmap_free(&rl->failures);
	pthread_mutex_destroy(&rl->mu);
}

int64_t ctl_ratelimit_when(ctl_ratelimit_t *rl, const char *key, int64_t now_ns)
{
	uintptr_t n;
	int64_t per_key = BASE_NS, bucket = 0;

	pthread_mutex_lock(&rl->mu);
	n = (uintptr_t)k8c_strmap_get(&rl->failures, key);
	k8c_strmap_put(&rl->failures, key, (void *)(n + 1));
	for (uintptr_t i = 0; i < n && per_key < MAX_NS; i++)
		per_key *= 2;
	if (per_key > MAX_NS)
		per_key = MAX_NS;
	/* refill, then take one token; a negative balance is a wait (as a
	 * rate.Limiter reservation) */
	if (rl->last_ns != 0) {
		rl->tokens += (double)(now_ns - rl->last_ns) / 1e9 * BUCKET_QPS;
		if (rl->tokens > BUCKET_BURST)
			rl->tokens = BUCKET_BURST;
	}
	rl->last_ns = now_ns;
	rl->tokens -= 1.0;
	if (rl->tokens < 0)
		bucket = (int64_t)(-rl->tokens / BUCKET_QPS * 1e9);
	pthread_mutex_unlock(&rl->mu);
	return per_key > bucket ? per_key : bucket;
}

void ctl_ratelimit_forget(ctl_ratelimit_t *rl, const char *key)
{
	pthread_mutex_lock(&rl->mu);
	k8c_strmap_remove(&rl->failures, key);
	pthread_mutex_unlock(&rl->mu);
}
