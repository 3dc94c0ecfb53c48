/* Opening the datastore an endpoint names (see store_open.h). */
#include "config.h"

#include <string.h>

#include "plugin/store_open.h"

int k8c_store_open(const k8c_plugin_set_t *set, const struct cJSON *plugins_section,
                   const char *data_dir, const char *endpoint, k8c_store_handle_t *h,
                   k8c_error_t *err)
{
	const char *colon = endpoint ? strstr(endpoint, "://") : NULL;
	size_t slen = colon ? (size_t)(colon - endpoint) : 0;
	int ret;

	memset(h, 0, sizeof(*h));
	if (colon == NULL)
		return k8c_error_make(err, K8C_EINVAL,
		                      "--datastore-endpoint %s: expected sqlite://PATH or http://HOST:PORT",
		                      endpoint ? endpoint : "(none)");
	for (size_t i = 0; set != NULL && i < set->n_loaded; i++) {
		const k8c_loaded_plugin_t *p = &set->loaded[i];
		const k8c_store_ops_t *ops = p->desc->ops;
		if (p->desc->kind != K8C_PLUGIN_STORE)
			continue;
		for (const char *const *s = ops->schemes; *s != NULL; s++) {
			if (strlen(*s) != slen || strncmp(*s, endpoint, slen) != 0)
				continue;
			ret = k8c_plugin_instance_new(
				p, k8c_plugin_config_for(plugins_section, K8C_PLUGIN_STORE, p->desc->name),
				data_dir, &h->inst, err);
			if (ret < 0)
				return ret;
			h->ops = ops;
			h->cookie = k8c_plugin_instance_cookie(h->inst);
			ret = ops->open(h->cookie, endpoint, err);
			if (ret < 0) {
				k8c_plugin_instance_free(h->inst);
				memset(h, 0, sizeof(*h));
			}
			return ret;
		}
	}
	return k8c_error_make(err, K8C_EINVAL,
	                      "no store plugin serves %.*s:// endpoints (see `k8c plugins`)", (int)slen,
	                      endpoint);
}

void k8c_store_close(k8c_store_handle_t *h)
{
	if (h->ops != NULL)
		h->ops->close(h->cookie);
	if (h->inst != NULL)
		k8c_plugin_instance_free(h->inst);
	memset(h, 0, sizeof(*h));
}
