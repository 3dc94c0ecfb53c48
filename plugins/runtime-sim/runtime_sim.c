/* runtime-sim: hollow pods for scale tests (kwok-style).  Sandboxes and
 * containers are records, nothing runs: a started container is "running"
 * until it is stopped, or until the duration in the pod annotation
 * sim.k8c.io/exit-after (e.g. "2s", "1m30s") has passed since it started;
 * it then exits with sim.k8c.io/exit-code (default 0).  Each sandbox gets a
 * pod IP from 10.244.0.0/16 (or the subnet in the config key podSubnet);
 * exec (probes) succeeds at once.  Small on purpose: thousands of hollow
 * nodes share one agent process. */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include <k8c/runtime.h>

#include "common/mem.h"
#include "common/strmap.h"
#include "common/timestamp.h"

#define EXIT_AFTER "sim.k8c.io/exit-after"
#define EXIT_CODE "sim.k8c.io/exit-code"

typedef struct sim_sandbox sim_sandbox_t;

typedef struct sim_container {
	char id[32];
	sim_sandbox_t *sandbox;  /* borrowed: the sandbox outlives its containers */
	char *name;              /* owned */
	uint32_t attempt;
	int state;             /* enum k8c_container_state */
	int exit_code;         /* what it exits with (after exit_after_ns, or 0 when stopped) */
	int64_t exit_after_ns; /* 0: runs until stopped */
	int64_t created_ns, started_ns, finished_ns;
	struct sim_container *next, **pprev; /* in its sandbox's list */
} sim_container_t;

struct sim_sandbox {
	char id[32];
	char ip[16];
	int ready;
	char *uid, *ns, *name;       /* the pod's, owned */
	sim_container_t *containers; /* owned */
};

typedef struct sim {
	const k8c_host_t *host;   /* borrowed until fini */
	pthread_mutex_t lock;
	k8c_strmap_t sandboxes;   /* id -> sim_sandbox_t* (owned) */
	k8c_strmap_t containers;  /* id -> sim_container_t* (owned by their sandbox) */
	uint64_t next_id;
	uint32_t subnet;          /* network address of the /16 pod IPs come from */
} sim_t;

static int sim_init(const k8c_host_t *host, const cJSON *config, void **cookie, k8c_error_t *err)
{
	const char *subnet = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(config, "podSubnet"));
	unsigned a = 10, b = 244;
	sim_t *s;

	if (subnet != NULL && (sscanf(subnet, "%u.%u.0.0/16", &a, &b) != 2 || a > 255 || b > 255))
		return k8c_error_make(err, K8C_EINVAL,
		                      "podSubnet \"%s\": expected A.B.0.0/16", subnet);
	s = k8c_xcalloc(1, sizeof(*s));
	s->host = host;
	s->subnet = (a << 24) | (b << 16);
	k8c_strmap_init(&s->sandboxes);
	k8c_strmap_init(&s->containers);
	pthread_mutex_init(&s->lock, NULL);
	*cookie = s;
	return 0;
}

static void container_free(sim_container_t *c)
{
	free(c->name);
	free(c);
}

static void sandbox_free(sim_sandbox_t *b)
{
	while (b->containers != NULL) {
		sim_container_t *c = b->containers;
		b->containers = c->next;
		container_free(c);
	}
	free(b->uid);
	free(b->ns);
	free(b->name);
	free(b);
}

static void sim_fini(void *cookie)
{
	sim_t *s = cookie;
	k8c_strmap_entry_t *e;
	size_t i;

	for (e = k8c_strmap_first(&s->sandboxes, &i); e; e = k8c_strmap_next(&s->sandboxes, e, &i))
		sandbox_free(e->value);
	k8c_strmap_free(&s->sandboxes);
	k8c_strmap_free(&s->containers);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

static sim_sandbox_t *find_sandbox(sim_t *s, const char *id)
{
	return k8c_strmap_get(&s->sandboxes, id);
}

static sim_container_t *find_container(sim_t *s, const char *id)
{
	return k8c_strmap_get(&s->containers, id);
}

static char *pod_field(const cJSON *pod, const char *name)
{
	const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(pod, "metadata"), name));
	return k8c_xstrdup(v ? v : "");
}

static int not_found(k8c_error_t *err, const char *what, const char *id)
{
	return k8c_error_make(err, K8C_ENOTFOUND, "no %s %s", what, id);
}

static int sim_run_sandbox(void *cookie, const cJSON *pod, char id[K8C_RUNTIME_ID_MAX],
                           k8c_error_t *err)
{
	sim_t *s = cookie;
	sim_sandbox_t *b = k8c_xcalloc(1, sizeof(*b));
	uint32_t host;

	(void)err;
	b->uid = pod_field(pod, "uid");
	b->ns = pod_field(pod, "namespace");
	b->name = pod_field(pod, "name");
	pthread_mutex_lock(&s->lock);
	s->next_id++;
	snprintf(b->id, sizeof(b->id), "sim-sb-%llu", (unsigned long long)s->next_id);
	/* .0.1 .. .255.254, skipping network and broadcast-looking addresses */
	host = (uint32_t)(s->next_id % 65024) + 257;
	if ((host & 0xff) == 0 || (host & 0xff) == 255)
		host += 2;
	host = s->subnet | (host & 0xffff);
	snprintf(b->ip, sizeof(b->ip), "%u.%u.%u.%u", host >> 24, (host >> 16) & 255, (host >> 8) & 255,
	         host & 255);
	b->ready = 1;
	k8c_strmap_put(&s->sandboxes, b->id, b);
	snprintf(id, K8C_RUNTIME_ID_MAX, "%s", b->id);
	pthread_mutex_unlock(&s->lock);
	return 0;
}

/* A running container whose scripted time is up exits now; lock held. */
static void catch_up(sim_container_t *c, int64_t now)
{
	if (c->state == K8C_CONTAINER_RUNNING && c->exit_after_ns > 0 &&
	    now >= c->started_ns + c->exit_after_ns - 1) {
		c->state = K8C_CONTAINER_EXITED;
		c->finished_ns = c->started_ns + c->exit_after_ns - 1;
	}
}

/* Stop c as on SIGTERM (a hollow container stops at once, exit 0), unless
 * its scripted exit came first; lock held. */
static void stop_now(sim_container_t *c, int64_t now)
{
	catch_up(c, now);
	if (c->state != K8C_CONTAINER_EXITED) {
		c->state = K8C_CONTAINER_EXITED;
		c->exit_code = 0;
		c->finished_ns = now;
	}
}

static int sim_stop_sandbox(void *cookie, const char *id, k8c_error_t *err)
{
	sim_t *s = cookie;
	sim_sandbox_t *b;
	int ret = 0;

	pthread_mutex_lock(&s->lock);
	b = find_sandbox(s, id);
	if (b == NULL) {
		ret = not_found(err, "sandbox", id);
	} else {
		int64_t now = k8c_time_now_ns();
		b->ready = 0;
		for (sim_container_t *c = b->containers; c != NULL; c = c->next)
			stop_now(c, now);
	}
	pthread_mutex_unlock(&s->lock);
	return ret;
}

static int sim_remove_sandbox(void *cookie, const char *id, k8c_error_t *err)
{
	sim_t *s = cookie;
	sim_sandbox_t *b;

	pthread_mutex_lock(&s->lock);
	b = k8c_strmap_remove(&s->sandboxes, id);
	if (b == NULL) {
		pthread_mutex_unlock(&s->lock);
		return not_found(err, "sandbox", id);
	}
	for (sim_container_t *c = b->containers; c != NULL; c = c->next)
		k8c_strmap_remove(&s->containers, c->id);
	pthread_mutex_unlock(&s->lock);
	sandbox_free(b);
	return 0;
}

static int sim_sandbox_status(void *cookie, const char *id, k8c_runtime_sandbox_status_t *st,
                              k8c_error_t *err)
{
	sim_t *s = cookie;
	sim_sandbox_t *b;
	int ret = 0;

	pthread_mutex_lock(&s->lock);
	b = find_sandbox(s, id);
	if (b == NULL) {
		ret = not_found(err, "sandbox", id);
	} else {
		st->ready = b->ready;
		snprintf(st->ip, sizeof(st->ip), "%s", b->ip);
	}
	pthread_mutex_unlock(&s->lock);
	return ret;
}

/* The pod annotations that script a hollow container's exit. */
static int exit_plan(const cJSON *pod, int64_t *after_ns, int *code, k8c_error_t *err)
{
	const cJSON *ann = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(pod, "metadata"), "annotations");
	const char *after = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ann, EXIT_AFTER));
	const char *c = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ann, EXIT_CODE));
	int64_t seconds = 0;

	*after_ns = 0;
	*code = 0;
	if (after != NULL) {
		if (k8c_duration_parse(after, &seconds, err) < 0)
			return k8c_error_make(err, K8C_EINVAL, "annotation %s: \"%s\" is not a duration (e.g. 2s, 1m30s)",
			                      EXIT_AFTER, after);
		*after_ns = (seconds > 0 ? seconds : 0) * 1000000000LL + 1; /* "0s": at once */
	}
	if (c != NULL) {
		char *end;
		long v = strtol(c, &end, 10);
		if (*c == '\0' || *end != '\0' || v < 0 || v > 255)
			return k8c_error_make(err, K8C_EINVAL, "annotation %s: \"%s\" is not an exit code (0-255)",
			                      EXIT_CODE, c);
		*code = (int)v;
	}
	return 0;
}

static int sim_create_container(void *cookie, const char *sandbox_id,
                                const k8c_runtime_container_config_t *config,
                                char id[K8C_RUNTIME_ID_MAX], k8c_error_t *err)
{
	sim_t *s = cookie;
	sim_sandbox_t *b;
	sim_container_t *c;
	int64_t after = 0;
	int code = 0, ret;

	if ((ret = exit_plan(config->pod, &after, &code, err)) < 0)
		return ret;
	pthread_mutex_lock(&s->lock);
	b = find_sandbox(s, sandbox_id);
	if (b == NULL) {
		pthread_mutex_unlock(&s->lock);
		return not_found(err, "sandbox", sandbox_id);
	}
	c = k8c_xcalloc(1, sizeof(*c));
	s->next_id++;
	snprintf(c->id, sizeof(c->id), "sim-c-%llu", (unsigned long long)s->next_id);
	c->sandbox = b;
	c->name = k8c_xstrdup(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(config->container, "name"))
	                      ? cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(config->container, "name"))
	                      : "");
	c->attempt = config->attempt;
	c->state = K8C_CONTAINER_CREATED;
	c->exit_after_ns = after;
	c->exit_code = code;
	c->created_ns = k8c_time_now_ns();
	c->next = b->containers;
	if (c->next != NULL)
		c->next->pprev = &c->next;
	c->pprev = &b->containers;
	b->containers = c;
	k8c_strmap_put(&s->containers, c->id, c);
	snprintf(id, K8C_RUNTIME_ID_MAX, "%s", c->id);
	pthread_mutex_unlock(&s->lock);
	return 0;
}

static int sim_start_container(void *cookie, const char *id, k8c_error_t *err)
{
	sim_t *s = cookie;
	sim_container_t *c;
	int ret = 0;

	pthread_mutex_lock(&s->lock);
	c = find_container(s, id);
	if (c == NULL)
		ret = not_found(err, "container", id);
	else if (c->state != K8C_CONTAINER_CREATED)
		ret = k8c_error_make(err, K8C_ECONFLICT, "container %s was started before", id);
	else {
		c->state = K8C_CONTAINER_RUNNING;
		c->started_ns = k8c_time_now_ns();
	}
	pthread_mutex_unlock(&s->lock);
	return ret;
}

static int sim_stop_container(void *cookie, const char *id, int64_t timeout_s, k8c_error_t *err)
{
	sim_t *s = cookie;
	sim_container_t *c;
	int ret = 0;

	(void)timeout_s; /* a hollow container stops at once, as on SIGTERM */
	pthread_mutex_lock(&s->lock);
	c = find_container(s, id);
	if (c == NULL) {
		ret = not_found(err, "container", id);
	} else {
		stop_now(c, k8c_time_now_ns());
	}
	pthread_mutex_unlock(&s->lock);
	return ret;
}

static int sim_remove_container(void *cookie, const char *id, k8c_error_t *err)
{
	sim_t *s = cookie;
	sim_container_t *c;

	pthread_mutex_lock(&s->lock);
	c = k8c_strmap_remove(&s->containers, id);
	if (c != NULL) {
		*c->pprev = c->next;
		if (c->next != NULL)
			c->next->pprev = c->pprev;
	}
	pthread_mutex_unlock(&s->lock);
	if (c == NULL)
		return not_found(err, "container", id);
	container_free(c);
	return 0;
}

static int sim_container_status(void *cookie, const char *id, k8c_runtime_container_status_t *st,
                                k8c_error_t *err)
{
	sim_t *s = cookie;
	sim_container_t *c;
	int ret = 0;

	pthread_mutex_lock(&s->lock);
	c = find_container(s, id);
	if (c == NULL) {
		ret = not_found(err, "container", id);
	} else {
		catch_up(c, k8c_time_now_ns());
		memset(st, 0, sizeof(*st));
		st->state = c->state;
		st->created_ns = c->created_ns;
		st->started_ns = c->started_ns;
		st->finished_ns = c->finished_ns;
		if (c->state == K8C_CONTAINER_EXITED) {
			st->exit_code = c->exit_code;
			snprintf(st->reason, sizeof(st->reason), "%s", c->exit_code == 0 ? "Completed" : "Error");
		}
	}
	pthread_mutex_unlock(&s->lock);
	return ret;
}

static int sim_exec(void *cookie, const char *id, const char *const *argv, int64_t timeout_s,
                    int *exit_code, char **output, k8c_error_t *err)
{
	sim_t *s = cookie;
	sim_container_t *c;
	int ret = 0;

	(void)argv;
	(void)timeout_s;
	pthread_mutex_lock(&s->lock);
	c = find_container(s, id);
	if (c != NULL)
		catch_up(c, k8c_time_now_ns());
	if (c == NULL)
		ret = not_found(err, "container", id);
	else if (c->state != K8C_CONTAINER_RUNNING)
		ret = k8c_error_make(err, K8C_ECONFLICT, "container %s is not running", id);
	pthread_mutex_unlock(&s->lock);
	if (ret == 0) {
		*exit_code = 0; /* probes of hollow pods succeed */
		if (output != NULL)
			*output = k8c_xstrdup("");
	}
	return ret;
}

static int sim_list(void *cookie, void (*fn)(void *udata, const k8c_runtime_entry_t *entry),
                    void *udata, k8c_error_t *err)
{
	sim_t *s = cookie;
	k8c_strmap_entry_t *e;
	int64_t now = k8c_time_now_ns();
	size_t i;

	(void)err;
	pthread_mutex_lock(&s->lock);
	for (e = k8c_strmap_first(&s->sandboxes, &i); e; e = k8c_strmap_next(&s->sandboxes, e, &i)) {
		sim_sandbox_t *b = e->value;
		k8c_runtime_entry_t en = {sizeof(en)};
		en.id = en.sandbox_id = b->id;
		en.pod_uid = b->uid;
		en.pod_namespace = b->ns;
		en.pod_name = b->name;
		en.state = b->ready;
		fn(udata, &en);
	}
	for (e = k8c_strmap_first(&s->sandboxes, &i); e; e = k8c_strmap_next(&s->sandboxes, e, &i)) {
		sim_sandbox_t *b = e->value;
		for (sim_container_t *c = b->containers; c != NULL; c = c->next) {
			k8c_runtime_entry_t en = {sizeof(en)};
			catch_up(c, now);
			en.is_container = 1;
			en.id = c->id;
			en.sandbox_id = b->id;
			en.pod_uid = b->uid;
			en.pod_namespace = b->ns;
			en.pod_name = b->name;
			en.container_name = c->name;
			en.attempt = c->attempt;
			en.state = c->state;
			fn(udata, &en);
		}
	}
	pthread_mutex_unlock(&s->lock);
	return 0;
}

static const k8c_runtime_ops_t sim_ops = {
	.struct_size = sizeof(k8c_runtime_ops_t),
	.run_sandbox = sim_run_sandbox,
	.stop_sandbox = sim_stop_sandbox,
	.remove_sandbox = sim_remove_sandbox,
	.sandbox_status = sim_sandbox_status,
	.create_container = sim_create_container,
	.start_container = sim_start_container,
	.stop_container = sim_stop_container,
	.remove_container = sim_remove_container,
	.container_status = sim_container_status,
	.exec = sim_exec,
	.flags = K8C_RUNTIME_F_HOLLOW,
	.list = sim_list,
};

K8C_PLUGIN_EXPORT const k8c_plugin_t k8c_plugin = {
	K8C_PLUGIN_HEADER(K8C_PLUGIN_RUNTIME),
	.name = "sim",
	.version = "0.1.0",
	.description = "hollow pods for scale tests: no processes, scripted exits (sim.k8c.io/exit-after)",
	.init = sim_init,
	.fini = sim_fini,
	.ops = &sim_ops,
};
