/* Leader election on a Lease (see leader.h). */
#define K8C_LOG_COMPONENT "leader"
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "client/leader.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/timestamp.h"
#include "common/uuid.h"

#define LEASE_DURATION_S 15
#define RENEW_DEADLINE_NS (10LL * 1000000000LL)
#define RETRY_NS (2LL * 1000000000LL)

struct k8c_leader {
	k8c_client_t *client;
	char *ns, *name, *identity, *path, *collection; /* owned */
	void (*started)(void *arg);
	void (*stopped)(void *arg);
	void *arg;

	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int stop;

	int leading;
	int64_t last_renew_ns;   /* monotonic: our last successful renewal */
	/* what we last saw of another holder's record, and when (our clock) */
	char seen_holder[256], seen_renew[64];
	int64_t seen_at_ns;
};

static const char *str(const cJSON *o, const char *a, const char *b)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(o, a), b));
}

/* Our record: held by us, renewed now. */
static void fill_spec(k8c_leader_t *l, cJSON *spec, int acquired, int transitions)
{
	char now[K8C_TIME_STRLEN];
	static const char *const keys[] = {"holderIdentity", "leaseDurationSeconds", "renewTime",
	                                   "acquireTime", "leaseTransitions"};

	k8c_time_format_micro(k8c_time_now_ns(), now);
	for (size_t i = 0; i < sizeof(keys) / sizeof(*keys); i++)
		if (i != 3 || acquired)
			cJSON_DeleteItemFromObjectCaseSensitive(spec, keys[i]);
	cJSON_AddStringToObject(spec, "holderIdentity", l->identity);
	cJSON_AddNumberToObject(spec, "leaseDurationSeconds", LEASE_DURATION_S);
	cJSON_AddStringToObject(spec, "renewTime", now);
	if (acquired)
		cJSON_AddStringToObject(spec, "acquireTime", now);
	cJSON_AddNumberToObject(spec, "leaseTransitions", transitions);
}

/* One round: 1 when we hold the Lease after it, 0 when someone else does,
 * -1 on an error (the API server did not answer, a conflict). */
static int try_acquire_or_renew(k8c_leader_t *l)
{
	_cleanup_json_ cJSON *lease = NULL;
	k8c_error_t err;
	const char *holder;
	cJSON *spec;
	int64_t now = k8c_time_monotonic_ns();
	int mine, transitions;

	if (k8c_client_request(l->client, "GET", l->path, NULL, NULL, &lease, &err) < 0) {
		cJSON *obj, *md;
		if (err.code != K8C_ENOTFOUND)
			return -1;
		obj = cJSON_CreateObject();
		cJSON_AddStringToObject(obj, "apiVersion", "coordination.k8s.io/v1");
		cJSON_AddStringToObject(obj, "kind", "Lease");
		md = cJSON_AddObjectToObject(obj, "metadata");
		cJSON_AddStringToObject(md, "name", l->name);
		cJSON_AddStringToObject(md, "namespace", l->ns);
		fill_spec(l, cJSON_AddObjectToObject(obj, "spec"), 1, 0);
		if (k8c_client_request(l->client, "POST", l->collection, obj, NULL, NULL, &err) < 0) {
			cJSON_Delete(obj);
			return -1;
		}
		cJSON_Delete(obj);
		return 1;
	}
	spec = cJSON_GetObjectItemCaseSensitive(lease, "spec");
	if (spec == NULL)
		spec = cJSON_AddObjectToObject(lease, "spec");
	holder = str(lease, "spec", "holderIdentity");
	mine = holder != NULL && strcmp(holder, l->identity) == 0;
	if (!mine && holder != NULL && *holder) {
		const char *renew = str(lease, "spec", "renewTime");
		const cJSON *dur = cJSON_GetObjectItemCaseSensitive(spec, "leaseDurationSeconds");
		int64_t duration_ns = (cJSON_IsNumber(dur) ? (int64_t)dur->valuedouble : LEASE_DURATION_S) *
		                      1000000000LL;
		/* the record's age on our clock: since it last changed */
		if (strcmp(l->seen_holder, holder) != 0 || strcmp(l->seen_renew, renew ? renew : "") != 0) {
			snprintf(l->seen_holder, sizeof(l->seen_holder), "%s", holder);
			snprintf(l->seen_renew, sizeof(l->seen_renew), "%s", renew ? renew : "");
			l->seen_at_ns = now;
		}
		if (now - l->seen_at_ns < duration_ns)
			return 0; /* held, and alive */
		K8C_INFO("lease %s/%s: holder %s has not renewed for %lld s: taking it", l->ns, l->name,
		         holder, (long long)((now - l->seen_at_ns) / 1000000000LL));
	}
	{
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(spec, "leaseTransitions");
		transitions = cJSON_IsNumber(t) ? (int)t->valuedouble : 0;
	}
	fill_spec(l, spec, !mine, mine ? transitions : transitions + 1);
	/* the PUT carries the resourceVersion read: a race is a 409 */
	if (k8c_client_request(l->client, "PUT", l->path, lease, NULL, NULL, &err) < 0) {
		if (err.code != K8C_ECONFLICT)
			K8C_DEBUG("lease %s/%s: %s", l->ns, l->name, err.message);
		return -1;
	}
	return 1;
}

/* Give the Lease up when stopping as its holder. */
static void release(k8c_leader_t *l)
{
	_cleanup_json_ cJSON *lease = NULL;
	k8c_error_t err;
	cJSON *spec;

	if (k8c_client_request(l->client, "GET", l->path, NULL, NULL, &lease, &err) < 0)
		return;
	if (str(lease, "spec", "holderIdentity") == NULL ||
	    strcmp(str(lease, "spec", "holderIdentity"), l->identity) != 0)
		return;
	spec = cJSON_GetObjectItemCaseSensitive(lease, "spec");
	cJSON_DeleteItemFromObjectCaseSensitive(spec, "holderIdentity");
	cJSON_DeleteItemFromObjectCaseSensitive(spec, "leaseDurationSeconds");
	cJSON_AddStringToObject(spec, "holderIdentity", "");
	cJSON_AddNumberToObject(spec, "leaseDurationSeconds", 1);
	if (k8c_client_request(l->client, "PUT", l->path, lease, NULL, NULL, &err) < 0)
		K8C_DEBUG("lease %s/%s: release: %s", l->ns, l->name, err.message);
}

static void *campaign(void *arg)
{
	k8c_leader_t *l = arg;
	unsigned seed = (unsigned)k8c_time_now_ns();

	pthread_setname_np(pthread_self(), "k8c-leader");
	for (;;) {
		int ret, stop;
		int64_t wait = RETRY_NS;

		pthread_mutex_lock(&l->lock);
		stop = l->stop;
		pthread_mutex_unlock(&l->lock);
		if (stop)
			break;
		ret = try_acquire_or_renew(l);
		if (ret == 1) {
			l->last_renew_ns = k8c_time_monotonic_ns();
			if (!l->leading) {
				l->leading = 1;
				K8C_INFO("lease %s/%s: %s is the leader", l->ns, l->name, l->identity);
				if (l->started)
					l->started(l->arg);
			}
		} else if (l->leading &&
		           (ret == 0 || k8c_time_monotonic_ns() - l->last_renew_ns > RENEW_DEADLINE_NS)) {
			l->leading = 0;
			K8C_WARN("lease %s/%s: %s lost the lease: stopping until it is the leader again",
			         l->ns, l->name, l->identity);
			if (l->stopped)
				l->stopped(l->arg);
		}
		if (!l->leading) /* candidates retry with jitter, as client-go (factor 1.2) */
			wait += (int64_t)(rand_r(&seed) % 400) * 1000000LL;
		pthread_mutex_lock(&l->lock);
		if (!l->stop) {
			struct timespec ts = k8c_timespec_in(CLOCK_REALTIME, wait);
			pthread_cond_timedwait(&l->cond, &l->lock, &ts);
		}
		pthread_mutex_unlock(&l->lock);
	}
	if (l->leading) {
		l->leading = 0;
		if (l->stopped)
			l->stopped(l->arg);
		release(l);
	}
	return NULL;
}

k8c_leader_t *k8c_leader_start(const k8c_leader_config_t *cfg)
{
	k8c_leader_t *l = k8c_xcalloc(1, sizeof(*l));
	_cleanup_free_ char *ns = k8c_client_escape(cfg->ns), *name = k8c_client_escape(cfg->name);

	l->client = cfg->client;
	l->ns = k8c_xstrdup(cfg->ns);
	l->name = k8c_xstrdup(cfg->name);
	if (cfg->identity != NULL) {
		l->identity = k8c_xstrdup(cfg->identity);
	} else {
		char host[128] = "localhost", uuid[K8C_UUID_STRLEN];
		gethostname(host, sizeof(host) - 1);
		host[sizeof(host) - 1] = '\0';
		k8c_uuid_new(uuid);
		l->identity = k8c_xasprintf("%s_%s", host, uuid);
	}
	l->collection = k8c_xasprintf("/apis/coordination.k8s.io/v1/namespaces/%s/leases", ns);
	l->path = k8c_xasprintf("%s/%s", l->collection, name);
	l->started = cfg->started;
	l->stopped = cfg->stopped;
	l->arg = cfg->arg;
	pthread_mutex_init(&l->lock, NULL);
	pthread_cond_init(&l->cond, NULL);
	pthread_create(&l->thread, NULL, campaign, l);
	return l;
}

void k8c_leader_stop(k8c_leader_t *l)
{
	if (l == NULL)
		return;
	pthread_mutex_lock(&l->lock);
	l->stop = 1;
	pthread_cond_broadcast(&l->cond);
	pthread_mutex_unlock(&l->lock);
	pthread_join(l->thread, NULL);
	pthread_cond_destroy(&l->cond);
	pthread_mutex_destroy(&l->lock);
	free(l->ns);
	free(l->name);
	free(l->identity);
	free(l->path);
	free(l->collection);
	free(l);
}

const char *k8c_leader_identity(const k8c_leader_t *l)
{
	return l->identity;
}
