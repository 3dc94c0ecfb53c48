/* The controller manager: chooses the controller plugins (--controllers),
 * gives each an instance with the controller host table, subscribes its
 * watches to the shared cache, and runs its workers while this process
 * holds the Lease kube-system/kube-controller-manager.  Workers of a
 * process that does not lead wait at a gate; keys keep queueing, so a new
 * leader starts from a complete queue. */
#define K8C_LOG_COMPONENT "controller-manager"
#include "config.h"

#include <ctype.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "client/leader.h"
#include "common/json_path.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/timestamp.h"
#include "controller/internal.h"

#define MAX_WORKERS 64

struct k8c_controller_manager {
	k8c_cm_config_t cfg;
	ctl_cache_t cache;
	ctl_instance_t **ci;     /* owned, n_ci of them */
	size_t n_ci;
	k8c_leader_t *leader;    /* owned, or NULL without election */
	pthread_t starter;       /* waits for the caches, then starts workers and the election */
	int starter_running;
	pthread_mutex_t lead_mu; /* guards leading and stopping */
	pthread_cond_t lead_cv;
	int leading, stopping;
};

/* --- which controllers ----------------------------------------------------- */

/* name without '-' and without a trailing "controller", lower case, into
 * out (size n) */
static void normalize(const char *name, size_t len, char *out, size_t n)
{
	size_t j = 0;

	for (size_t i = 0; i < len && j + 1 < n; i++) {
		if (name[i] != '-' && name[i] != '_')
			out[j++] = (char)tolower((unsigned char)name[i]);
	}
	out[j] = '\0';
	if (j > strlen("controller") && strcmp(out + j - strlen("controller"), "controller") == 0)
		out[j - strlen("controller")] = '\0';
}

int k8c_controller_selected(const cJSON *list, const char *name, int default_enabled)
{
	char want[128];
	const cJSON *item;
	int star = list == NULL, verdict = -1;

	normalize(name, strlen(name), want, sizeof(want));
	cJSON_ArrayForEach(item, list) {
		const char *s = cJSON_GetStringValue(item);
		while (s != NULL && *s != '\0') {
			size_t len = strcspn(s, ",");
			const char *word = s;
			size_t wl = len;
			char got[128];
			int neg = 0;
			while (wl > 0 && isspace((unsigned char)*word))
				word++, wl--;
			while (wl > 0 && isspace((unsigned char)word[wl - 1]))
				wl--;
			if (wl == 1 && word[0] == '*') {
				star = 1;
			} else if (wl > 0) {
				if (word[0] == '-')
					neg = 1, word++, wl--;
				normalize(word, wl, got, sizeof(got));
				if (strcmp(got, want) == 0)
					verdict = !neg;
			}
			s += len;
			if (*s == ',')
				s++;
		}
	}
	if (verdict >= 0)
		return verdict;
	return star && default_enabled;
}

/* Names of --controllers that no loaded plugin answers to: warn (a list
 * written for kube-controller-manager names controllers k8c has not). */
static void warn_unknown(const k8c_cm_config_t *cfg, const cJSON *list)
{
	const cJSON *item;

	cJSON_ArrayForEach(item, list) {
		_cleanup_free_ char *copy = k8c_xstrdup(cJSON_GetStringValue(item) ?: "");
		char *save = NULL;
		for (char *w = strtok_r(copy, ", ", &save); w != NULL; w = strtok_r(NULL, ", ", &save)) {
			int found = strcmp(w, "*") == 0;
			const char *bare = w[0] == '-' ? w + 1 : w;
			for (size_t i = 0; !found && i < cfg->plugins->n_loaded; i++) {
				const k8c_plugin_t *d = cfg->plugins->loaded[i].desc;
				_cleanup_json_ cJSON *one = cJSON_CreateStringArray(&bare, 1);
				found = d->kind == K8C_PLUGIN_CONTROLLER && k8c_controller_selected(one, d->name, 1);
			}
			if (!found)
				K8C_WARN("--controllers names \"%s\", but no controller plugin of that name is loaded (see `k8c plugins`)",
				         bare);
		}
	}
}

/* --- workers --------------------------------------------------------------- */

/* Wait until this process leads; 0 when stopping. */
static int wait_leading(k8c_controller_manager_t *cm)
{
	int ok;

	pthread_mutex_lock(&cm->lead_mu);
	while (!cm->leading && !cm->stopping)
		pthread_cond_wait(&cm->lead_cv, &cm->lead_mu);
	ok = !cm->stopping;
	pthread_mutex_unlock(&cm->lead_mu);
	return ok;
}

static int is_leading(k8c_controller_manager_t *cm)
{
	int l;

	pthread_mutex_lock(&cm->lead_mu);
	l = cm->leading && !cm->stopping;
	pthread_mutex_unlock(&cm->lead_mu);
	return l;
}

static void reconcile_one(ctl_instance_t *ci, const char *key)
{
	k8c_error_t err = {0};
	int ret = ci->ops->reconcile(ci->cookie, key, &err);

	if (ret < 0) {
		int64_t delay = ctl_ratelimit_when(&ci->rl, key, k8c_time_monotonic_ns());
		if (err.code == K8C_ECONFLICT)
			K8C_DEBUG("%s: %s: %s (retrying)", ci->p->desc->name, key, err.message);
		else
			K8C_WARN("%s: %s: %s (retrying in %lld ms)", ci->p->desc->name, key,
			         err.message[0] ? err.message : "failed", (long long)(delay / 1000000));
		k8c_workqueue_add_after(ci->queue, key, delay);
		return;
	}
	ctl_ratelimit_forget(&ci->rl, key);
	if (ret > 0)
		k8c_workqueue_add_after(ci->queue, key, (int64_t)ret * 1000000);
}

static void *worker_main(void *arg)
{
	ctl_instance_t *ci = arg;
	char *key;
	{
		char name[16];
		snprintf(name, sizeof(name), "k8c-%s", ci->p->desc->name);
		pthread_setname_np(pthread_self(), name);
	}

	while (wait_leading(ci->cm) && k8c_workqueue_get(ci->queue, &key)) {
		if (is_leading(ci->cm)) {
			reconcile_one(ci, key);
			k8c_workqueue_done(ci->queue, key);
		} else {
			/* lost the lead meanwhile: keep the key for the next leader */
			k8c_workqueue_done(ci->queue, key);
			k8c_workqueue_add(ci->queue, key);
		}
		free(key);
	}
	return NULL;
}

/* --- instances ------------------------------------------------------------- */

static void instance_free(ctl_instance_t *ci)
{
	if (ci == NULL)
		return;
	k8c_plugin_instance_free(ci->inst); /* fini: its threads stop before the queue goes */
	k8c_recorder_free(ci->recorder);
	k8c_workqueue_free(ci->queue);
	ctl_ratelimit_destroy(&ci->rl);
	ctl_expectations_destroy(&ci->ex);
	free(ci->res);
	free(ci->workers);
	free(ci->component);
	free(ci);
}

static int worker_count(const ctl_instance_t *ci, const cJSON *config)
{
	const cJSON *w = cJSON_GetObjectItemCaseSensitive(config, "workers");
	double n = cJSON_IsNumber(w) ? w->valuedouble : (double)ci->ops->workers;

	if (n < 1)
		n = 1;
	return n > MAX_WORKERS ? MAX_WORKERS : (int)n;
}

static int instance_new(k8c_controller_manager_t *cm, const k8c_loaded_plugin_t *p,
                        ctl_instance_t **out, k8c_error_t *err)
{
	const k8c_controller_ops_t *ops = p->desc->ops;
	const cJSON *config = k8c_plugin_config_for(cm->cfg.plugin_config, K8C_PLUGIN_CONTROLLER,
	                                            p->desc->name);
	ctl_instance_t *ci = k8c_xcalloc(1, sizeof(*ci));
	int ret;

	ci->cm = cm;
	ci->p = p;
	ci->ops = ops;
	ci->has_on_change = ops->on_change != NULL;
	ci->queue = k8c_workqueue_new();
	ctl_ratelimit_init(&ci->rl);
	ctl_expectations_init(&ci->ex);
	ci->component = ops->event_component ? k8c_xstrdup(ops->event_component)
	                                     : k8c_xasprintf("%s-controller", p->desc->name);
	ci->recorder = k8c_recorder_new(cm->cfg.client, ci->component);
	ci->res = k8c_xcalloc(ops->n_watches, sizeof(*ci->res));
	for (size_t i = 0; i < ops->n_watches; i++) {
		const k8c_controller_watch_t *w = &ops->watches[i];
		if (w->version == NULL || w->resource == NULL ||
		    (w->map != K8C_MAP_SELF && w->map != K8C_MAP_OWNER && w->map != K8C_MAP_NONE &&
		     w->map != K8C_MAP_OWNER_UNCOUNTED)) {
			instance_free(ci);
			return k8c_error_make(err, K8C_EINVAL,
			                      "controller %s: watches[%zu] needs a version, a resource and a map",
			                      p->desc->name, i);
		}
		ci->res[i] = ctl_cache_subscribe(&cm->cache, w, ci, i);
	}
	ctl_host_init(ci, cm->cfg.options);
	ret = k8c_plugin_instance_new_services(
		p, config, cm->cfg.data_dir,
		&(k8c_plugin_services_t){.client = k8c_client_api(),
		                         .client_ctx = k8c_client_ctx(cm->cfg.client),
		                         .controller = &ci->host},
		&ci->inst, err);
	if (ret < 0) {
		instance_free(ci);
		return ret;
	}
	ci->cookie = k8c_plugin_instance_cookie(ci->inst);
	ci->n_workers = (size_t)worker_count(ci, config);
	*out = ci;
	return 0;
}

/* --- leadership ------------------------------------------------------------ */

static void lead_started(void *arg)
{
	k8c_controller_manager_t *cm = arg;

	K8C_INFO("leading: %zu controllers at work", cm->n_ci);
	pthread_mutex_lock(&cm->lead_mu);
	cm->leading = 1;
	pthread_cond_broadcast(&cm->lead_cv);
	pthread_mutex_unlock(&cm->lead_mu);
}

static void lead_stopped(void *arg)
{
	k8c_controller_manager_t *cm = arg;

	pthread_mutex_lock(&cm->lead_mu);
	cm->leading = 0;
	pthread_mutex_unlock(&cm->lead_mu);
	K8C_INFO("no longer leading: controllers wait");
}

/* --- start and stop -------------------------------------------------------- */

static int is_stopping(void *arg)
{
	k8c_controller_manager_t *cm = arg;
	int stop;

	pthread_mutex_lock(&cm->lead_mu);
	stop = cm->stopping;
	pthread_mutex_unlock(&cm->lead_mu);
	return stop;
}

/* Once every cache listed: the workers, then the election (or work at
 * once without one).  A thread, so that a server that is slow to answer
 * delays the controllers, not the process's start and stop. */
static void *starter_main(void *arg)
{
	k8c_controller_manager_t *cm = arg;

	pthread_setname_np(pthread_self(), "k8c-cm-start");
	if (ctl_cache_wait_synced(&cm->cache, is_stopping, cm) < 0)
		return NULL;
	for (size_t i = 0; i < cm->n_ci; i++) {
		ctl_instance_t *ci = cm->ci[i];
		ci->workers = k8c_xcalloc(ci->n_workers, sizeof(*ci->workers));
		for (size_t w = 0; w < ci->n_workers; w++) {
			if (pthread_create(&ci->workers[w], NULL, worker_main, ci) != 0)
				k8c_die("controller manager: cannot start a worker thread");
			ci->n_started++;
		}
	}
	K8C_INFO("caches synced: %zu controllers ready", cm->n_ci);
	if (cm->cfg.leader_elect) {
		k8c_leader_config_t lc = {.client = cm->cfg.client, .ns = "kube-system",
		                          .name = "kube-controller-manager", .started = lead_started,
		                          .stopped = lead_stopped, .arg = cm};
		k8c_leader_t *l = k8c_leader_start(&lc);
		K8C_INFO("controller manager %s: waiting to lead (Lease kube-system/kube-controller-manager)",
		         k8c_leader_identity(l));
		pthread_mutex_lock(&cm->lead_mu);
		cm->leader = l;
		pthread_mutex_unlock(&cm->lead_mu);
	}
	return NULL;
}

int k8c_controller_manager_start(const k8c_cm_config_t *cfg, k8c_controller_manager_t **out,
                                 k8c_error_t *err)
{
	k8c_controller_manager_t *cm = k8c_xcalloc(1, sizeof(*cm));
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(cfg->options, "controllers");

	cm->cfg = *cfg;
	cm->cache.client = cfg->client;
	pthread_mutex_init(&cm->lead_mu, NULL);
	pthread_cond_init(&cm->lead_cv, NULL);
	cm->leading = !cfg->leader_elect;
	if (list != NULL && !cJSON_IsArray(list)) {
		k8c_controller_manager_stop(cm);
		return k8c_error_make(err, K8C_EINVAL, "controllers: a list of controller names, e.g. [\"*\", \"-cronjob\"]");
	}
	warn_unknown(cfg, list);
	for (size_t i = 0; i < cfg->plugins->n_loaded; i++) {
		const k8c_loaded_plugin_t *p = &cfg->plugins->loaded[i];
		const k8c_controller_ops_t *ops = p->desc->ops;
		ctl_instance_t *ci = NULL;
		if (p->desc->kind != K8C_PLUGIN_CONTROLLER)
			continue;
		if (!k8c_controller_selected(list, p->desc->name,
		                             !(ops->flags & K8C_CONTROLLER_F_DISABLED_BY_DEFAULT))) {
			K8C_INFO("controller %s not selected by --controllers", p->desc->name);
			continue;
		}
		if (instance_new(cm, p, &ci, err) < 0) {
			k8c_controller_manager_stop(cm);
			return -1;
		}
		cm->ci = k8c_xrealloc(cm->ci, (cm->n_ci + 1) * sizeof(*cm->ci));
		cm->ci[cm->n_ci++] = ci;
	}
	ctl_cache_start(&cm->cache);
	if (pthread_create(&cm->starter, NULL, starter_main, cm) != 0)
		k8c_die("controller manager: cannot start a thread");
	cm->starter_running = 1;
	*out = cm;
	return 0;
}

void k8c_controller_manager_stop(k8c_controller_manager_t *cm)
{
	if (cm == NULL)
		return;
	pthread_mutex_lock(&cm->lead_mu);
	cm->stopping = 1;
	pthread_cond_broadcast(&cm->lead_cv);
	pthread_mutex_unlock(&cm->lead_mu);
	if (cm->starter_running)
		pthread_join(cm->starter, NULL); /* it saw stopping: no more workers start */
	for (size_t i = 0; i < cm->n_ci; i++)
		k8c_workqueue_shutdown(cm->ci[i]->queue);
	for (size_t i = 0; i < cm->n_ci; i++) {
		ctl_instance_t *ci = cm->ci[i];
		for (size_t w = 0; w < ci->n_started; w++)
			pthread_join(ci->workers[w], NULL);
	}
	k8c_leader_stop(cm->leader); /* gives the Lease up: another takes over at once */
	ctl_cache_stop(&cm->cache);  /* no change reaches a controller after this */
	for (size_t i = 0; i < cm->n_ci; i++)
		instance_free(cm->ci[i]);
	free(cm->ci);
	ctl_cache_free(&cm->cache);
	pthread_cond_destroy(&cm->lead_cv);
	pthread_mutex_destroy(&cm->lead_mu);
	free(cm);
}

size_t k8c_controller_manager_count(const k8c_controller_manager_t *cm)
{
	return cm ? cm->n_ci : 0;
}
