/* Start-up state: built-in namespaces and PriorityClasses, and the admin
 * kubeconfig. */
#define K8C_LOG_COMPONENT "apiserver"
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "apiserver/bootstrap.h"
#include "apiserver/internal.h"
#include "apiserver/kinds/groups.h"
#include "apiserver/objects.h"
#include "common/dirs.h"
#include "common/log.h"
#include "common/mem.h"

int k8c_bootstrap_namespaces(k8c_apiserver_t *srv, k8c_error_t *err)
{
	static const char *const names[] = {"default", "kube-system", "kube-public",
	                                    "kube-node-lease"};
	const k8c_kind_t *ns = k8c_kind_by_resource("", "v1", "namespaces");

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		cJSON *obj = NULL;
		int ret = k8c_storage_get(srv, ns, NULL, names[i], &obj, err);
		cJSON_Delete(obj);
		if (ret == 0)
			continue;
		if (ret != -K8C_ENOTFOUND)
			return ret;
		obj = cJSON_CreateObject();
		cJSON_AddStringToObject(obj, "apiVersion", "v1");
		cJSON_AddStringToObject(obj, "kind", "Namespace");
		cJSON_AddStringToObject(cJSON_AddObjectToObject(obj, "metadata"), "name", names[i]);
		ret = k8c_object_create(srv, ns, NULL, obj, err);
		cJSON_Delete(obj);
		if (ret < 0 && ret != -K8C_EEXIST)
			return ret;
		K8C_INFO("created namespace %s", names[i]);
	}
	return 0;
}

/* As the API server's scheduling/bootstrap-system-priority-classes hook:
 * each missing class is created (defaulted and validated like any), one
 * that exists is left as it is. */
int k8c_bootstrap_priority_classes(k8c_apiserver_t *srv, k8c_error_t *err)
{
	const k8c_kind_t *pck = &k8c_kind_priorityclasses;

	for (size_t i = 0; i < k8c_n_system_priority_classes; i++) {
		const k8c_system_priority_class_t *spc = &k8c_system_priority_classes[i];
		cJSON *obj = NULL;
		int ret = k8c_storage_get(srv, pck, NULL, spc->name, &obj, err);
		cJSON_Delete(obj);
		if (ret == 0)
			continue;
		if (ret != -K8C_ENOTFOUND)
			return ret;
		obj = cJSON_CreateObject();
		cJSON_AddStringToObject(obj, "apiVersion", "scheduling.k8s.io/v1");
		cJSON_AddStringToObject(obj, "kind", "PriorityClass");
		cJSON_AddStringToObject(cJSON_AddObjectToObject(obj, "metadata"), "name", spc->name);
		cJSON_AddNumberToObject(obj, "value", spc->value);
		cJSON_AddStringToObject(obj, "description", spc->description);
		ret = k8c_object_create(srv, pck, NULL, obj, err);
		cJSON_Delete(obj);
		if (ret < 0 && ret != -K8C_EEXIST)
			return ret;
		K8C_INFO("created PriorityClass %s with value %d", spc->name, spc->value);
	}
	return 0;
}

int k8c_write_kubeconfig(const char *path, const char *addr, int port, k8c_error_t *err)
{
	_cleanup_free_ char *text = k8c_xasprintf(
		"apiVersion: v1\n"
		"kind: Config\n"
		"clusters:\n"
		"- name: k8c\n"
		"  cluster:\n"
		"    server: http://%s:%d\n"
		"contexts:\n"
		"- name: k8c\n"
		"  context:\n"
		"    cluster: k8c\n"
		"    user: admin\n"
		"    namespace: default\n"
		"current-context: k8c\n"
		"users:\n"
		"- name: admin\n"
		"  user: {}\n"
		"preferences: {}\n",
		addr, port);
	_cleanup_free_ char *why = NULL;

	if (k8c_write_file_atomic(path, text, strlen(text), 0600, err) == 0)
		return 0;
	why = k8c_xstrdup(err->message);
	return k8c_error_make(err, K8C_EIO, "kubeconfig: %s (choose another file with --write-kubeconfig)",
	                      why);
}
