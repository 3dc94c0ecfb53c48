/* The host table: what a plugin instance may ask of the core. */
#define K8C_LOG_COMPONENT "plugin"
#include "config.h"

#include <string.h>

#include <cjson/cJSON.h>

#include "common/completion.h"
#include "common/dirs.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/timestamp.h"
#include "plugin/host.h"

struct k8c_plugin_instance {
	k8c_host_t host;               /* handed to the plugin; ctx points back here */
	const k8c_loaded_plugin_t *p;  /* borrowed */
	char *label;                   /* "scheduler/node-affinity", the log component */
	char *data_dir;                /* owned, or NULL */
	cJSON *config;                 /* owned copy, alive until fini returns */
	void *cookie;
};

__attribute__((format(printf, 3, 4)))
static void host_log(void *ctx, int level, const char *fmt, ...)
{
	k8c_plugin_instance_t *inst = ctx;
	va_list ap;

	va_start(ap, fmt);
	k8c_vlog(level, inst->label, fmt, ap);
	va_end(ap);
}

static int host_log_enabled(void *ctx, int level)
{
	return K8C_LOG_ENABLED(level);
}

static int64_t host_now_ns(void *ctx)
{
	return k8c_time_now_ns();
}

static int64_t host_monotonic_ns(void *ctx)
{
	return k8c_time_monotonic_ns();
}

static struct k8c_completion *host_completion_new(void *ctx)
{
	k8c_completion_t *c = k8c_xmalloc(sizeof(*c));

	k8c_completion_init(c);
	return c;
}

static void host_completion_wait(void *ctx, struct k8c_completion *c)
{
	k8c_completion_wait(c);
}

static void host_completion_done(void *ctx, struct k8c_completion *c)
{
	k8c_completion_done(c);
}

static void host_completion_free(void *ctx, struct k8c_completion *c)
{
	if (c == NULL)
		return;
	k8c_completion_destroy(c);
	free(c);
}

int k8c_plugin_instance_new(const k8c_loaded_plugin_t *p, const cJSON *config,
                            const char *data_dir, k8c_plugin_instance_t **out,
                            k8c_error_t *err)
{
	return k8c_plugin_instance_new_client(p, config, data_dir, NULL, NULL, out, err);
}

int k8c_plugin_instance_new_client(const k8c_loaded_plugin_t *p, const cJSON *config,
                                   const char *data_dir, const struct k8c_client_api *client,
                                   void *client_ctx, k8c_plugin_instance_t **out,
                                   k8c_error_t *err)
{
	return k8c_plugin_instance_new_services(
		p, config, data_dir,
		&(k8c_plugin_services_t){.client = client, .client_ctx = client_ctx}, out, err);
}

int k8c_plugin_instance_new_services(const k8c_loaded_plugin_t *p, const cJSON *config,
                                     const char *data_dir, const k8c_plugin_services_t *svc,
                                     k8c_plugin_instance_t **out, k8c_error_t *err)
{
	const char *kind = k8c_plugin_kind_name((int)p->desc->kind);
	k8c_plugin_instance_t *inst = k8c_xcalloc(1, sizeof(*inst));
	int ret;

	inst->p = p;
	inst->label = k8c_xasprintf("%s/%s", kind, p->desc->name);
	inst->config = config ? cJSON_Duplicate(config, 1) : cJSON_CreateObject();
	if (data_dir != NULL) {
		inst->data_dir = k8c_xasprintf("%s/plugins/%s-%s", data_dir, kind,
		                               p->desc->name);
		if ((ret = k8c_mkdir_p(inst->data_dir, 0700, err)) < 0) {
			inst->p = NULL; /* init never ran: no fini */
			k8c_plugin_instance_free(inst);
			return ret;
		}
	}
	inst->host.struct_size = sizeof(k8c_host_t);
	inst->host.abi_major = K8C_ABI_MAJOR;
	inst->host.abi_minor = K8C_ABI_MINOR;
	inst->host.core_version = PACKAGE_VERSION;
	inst->host.ctx = inst;
	inst->host.log = host_log;
	inst->host.log_enabled = host_log_enabled;
	inst->host.now_ns = host_now_ns;
	inst->host.monotonic_ns = host_monotonic_ns;
	inst->host.data_dir = inst->data_dir;
	inst->host.client = svc->client;
	inst->host.client_ctx = svc->client_ctx;
	inst->host.controller = svc->controller;
	inst->host.completion_new = host_completion_new;
	inst->host.completion_wait = host_completion_wait;
	inst->host.completion_done = host_completion_done;
	inst->host.completion_free = host_completion_free;

	ret = p->desc->init(&inst->host, inst->config, &inst->cookie, err);
	if (ret < 0) {
		if (err != NULL && err->code == K8C_OK)
			err->code = K8C_EINTERNAL; /* plugin forgot to say why */
		inst->p = NULL;                /* init failed: no fini */
		k8c_plugin_instance_free(inst);
		return ret;
	}
	K8C_DEBUG("%s: instance created", inst->label);
	*out = inst;
	return 0;
}

void k8c_plugin_instance_free(k8c_plugin_instance_t *inst)
{
	if (inst == NULL)
		return;
	if (inst->p != NULL)
		inst->p->desc->fini(inst->cookie);
	cJSON_Delete(inst->config);
	free(inst->data_dir);
	free(inst->label);
	free(inst);
}

void *k8c_plugin_instance_cookie(const k8c_plugin_instance_t *inst)
{
	return inst->cookie;
}

const k8c_plugin_t *k8c_plugin_instance_desc(const k8c_plugin_instance_t *inst)
{
	return inst->p->desc;
}

const k8c_host_t *k8c_plugin_instance_host(const k8c_plugin_instance_t *inst)
{
	return &inst->host;
}

const cJSON *k8c_plugin_config_for(const cJSON *plugins_section, int kind,
                                   const char *name)
{
	const char *k = k8c_plugin_kind_name(kind);
	const cJSON *byk;

	if (plugins_section == NULL || k == NULL)
		return NULL;
	byk = cJSON_GetObjectItemCaseSensitive(plugins_section, k);
	return cJSON_GetObjectItemCaseSensitive(byk, name);
}
