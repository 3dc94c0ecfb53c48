/* What the runtime needs to create one container, resolved by the
 * kubelet: the image's rootfs from the local image store, argv from
 * command/args and env from env/envFrom (with $(VAR) references, values
 * from ConfigMaps, Secrets and the pod's own fields), and volumes as bind
 * mounts (emptyDir, hostPath, configMap and secret files written under
 * DATA-DIR/pods/<uid>/volumes).  A spec that cannot be satisfied ends in
 * a waiting reason and a message, as the kubelet reports them. */
#define K8C_LOG_COMPONENT "kubelet"
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "common/base64.h"
#include "common/dirs.h"
#include "common/log.h"
#include "common/mem.h"
#include "image/image_store.h"
#include "kubelet/internal.h"

#define CONFIG_ERROR "CreateContainerConfigError"

char *kl_pod_dir(k8c_kubelet_t *kl, const char *uid)
{
	return k8c_xasprintf("%s/pods/%s", kl->data_dir, uid);
}

char *kl_log_path(k8c_kubelet_t *kl, const char *pod_uid, const char *container, int attempt)
{
	return k8c_xasprintf("%s/pods/%s/logs/%s/%d.log", kl->data_dir, pod_uid, container, attempt);
}

/* --- a growing NULL-terminated string vector ------------------------------ */

typedef struct strv {
	char **v;
	size_t n, cap;
} strv_t;

static void strv_push(strv_t *s, char *owned)
{
	if (s->n + 2 > s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		s->v = k8c_xrealloc(s->v, s->cap * sizeof(*s->v));
	}
	s->v[s->n++] = owned;
	s->v[s->n] = NULL;
}

/* Set NAME=value, replacing an earlier NAME (later entries win). */
static void env_set(strv_t *env, const char *name, const char *value)
{
	size_t len = strlen(name);

	for (size_t i = 0; i < env->n; i++)
		if (strncmp(env->v[i], name, len) == 0 && env->v[i][len] == '=') {
			free(env->v[i]);
			env->v[i] = k8c_xasprintf("%s=%s", name, value);
			return;
		}
	strv_push(env, k8c_xasprintf("%s=%s", name, value));
}

static const char *env_get(const strv_t *env, const char *name, size_t len)
{
	for (size_t i = 0; i < env->n; i++)
		if (strncmp(env->v[i], name, len) == 0 && env->v[i][len] == '=')
			return env->v[i] + len + 1;
	return NULL;
}

/* Kubernetes' $(VAR) expansion: $(VAR) from env when defined, else kept
 * as written; $$ is a literal $.  Caller frees. */
static char *expand(const char *s, const strv_t *env)
{
	size_t cap = strlen(s) + 64, n = 0;
	char *out = k8c_xmalloc(cap);

	while (*s) {
		const char *val = NULL, *end;
		size_t add;
		if (s[0] == '$' && s[1] == '$') {
			val = "$";
			add = 2;
		} else if (s[0] == '$' && s[1] == '(' && (end = strchr(s + 2, ')')) != NULL &&
		           (val = env_get(env, s + 2, (size_t)(end - s - 2))) != NULL) {
			add = (size_t)(end - s) + 1;
		} else {
			add = 1;
		}
		{
			const char *piece = val ? val : s;
			size_t plen = val ? strlen(val) : 1;
			if (n + plen + 1 > cap) {
				cap = (n + plen + 1) * 2;
				out = k8c_xrealloc(out, cap);
			}
			memcpy(out + n, piece, plen);
			n += plen;
		}
		s += add;
	}
	out[n] = '\0';
	return out;
}

/* GET a ConfigMap or Secret of the pod's namespace; -K8C_ENOTFOUND when
 * missing.  *out owned by the caller. */
static int get_object(k8c_kubelet_t *kl, kpod_t *kp, const char *resource, const char *name,
                      cJSON **out, k8c_error_t *err)
{
	_cleanup_free_ char *ns = k8c_client_escape(kp->ns), *n = k8c_client_escape(name);
	_cleanup_free_ char *path = k8c_xasprintf("/api/v1/namespaces/%s/%s/%s", ns, resource, n);

	return k8c_client_request(kl->cfg.client, "GET", path, NULL, NULL, out, err);
}

/* The value of key in a ConfigMap's data (or binaryData) or a Secret's
 * data (base64-decoded); malloc'd, or NULL. */
static char *data_value(const cJSON *obj, int secret, const char *key)
{
	const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(obj, "data"), key));
	unsigned char *bytes;
	size_t len;

	if (v == NULL && !secret)
		v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(obj, "binaryData"), key));
	if (v == NULL && secret)
		return NULL;
	if (v == NULL)
		return NULL;
	if (!secret)
		return k8c_xstrdup(v);
	if (k8c_base64_decode(v, &bytes, &len) < 0)
		return NULL;
	bytes = k8c_xrealloc(bytes, len + 1);
	bytes[len] = '\0';
	return (char *)bytes;
}

/* metadata.labels['app'] and the like. */
static char *field_value(k8c_kubelet_t *kl, kpod_t *kp, const cJSON *pod, const char *path)
{
	const char *v = NULL;
	char key[256];

	if (strcmp(path, "status.podIP") == 0 || strcmp(path, "status.podIPs") == 0)
		return k8c_xstrdup(kp->pod_ip);
	if (strcmp(path, "status.hostIP") == 0 || strcmp(path, "status.hostIPs") == 0)
		return k8c_xstrdup(kl_node_ip(kl));
	if (sscanf(path, "metadata.labels['%255[^']']", key) == 1)
		v = k8c_jstr(cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(pod, "metadata"), "labels"), key);
	else if (sscanf(path, "metadata.annotations['%255[^']']", key) == 1)
		v = k8c_jstr(cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(pod, "metadata"), "annotations"), key);
	else if (strcmp(path, "metadata.name") == 0 || strcmp(path, "metadata.namespace") == 0 ||
	         strcmp(path, "metadata.uid") == 0 || strcmp(path, "spec.nodeName") == 0 ||
	         strcmp(path, "spec.serviceAccountName") == 0)
		v = k8c_jstr(pod, path);
	else
		return NULL;
	return k8c_xstrdup(v ? v : "");
}

/* A ref's value ({name, key, optional}) from a ConfigMap or Secret.
 * Returns 1 with *out set, 0 when optional and missing, < 0 with err. */
static int ref_value(k8c_kubelet_t *kl, kpod_t *kp, const cJSON *ref, int secret, char **out,
                     k8c_error_t *err)
{
	const char *name = k8c_jstr(ref, "name"), *key = k8c_jstr(ref, "key");
	const cJSON *opt = cJSON_GetObjectItemCaseSensitive(ref, "optional");
	const char *what = secret ? "secret" : "configmap";
	_cleanup_json_ cJSON *obj = NULL;
	int ret;

	if (name == NULL || key == NULL)
		return k8c_error_make(err, K8C_EINVAL, "a %s key reference needs name and key", what);
	ret = get_object(kl, kp, secret ? "secrets" : "configmaps", name, &obj, err);
	if (ret == -K8C_ENOTFOUND) {
		if (cJSON_IsTrue(opt))
			return 0;
		return k8c_error_make(err, K8C_ENOTFOUND, "%s \"%s\" not found", what, name);
	}
	if (ret < 0)
		return ret;
	if ((*out = data_value(obj, secret, key)) == NULL) {
		if (cJSON_IsTrue(opt))
			return 0;
		return k8c_error_make(err, K8C_ENOTFOUND, "couldn't find key %s in %s %s/%s", key,
		                      secret ? "Secret" : "ConfigMap", kp->ns, name);
	}
	return 1;
}

static int build_env(k8c_kubelet_t *kl, kpod_t *kp, const cJSON *pod, const cJSON *spec,
                     strv_t *env, k8c_error_t *err)
{
	const cJSON *e;

	env_set(env, "PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	env_set(env, "HOSTNAME", kp->name);
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(spec, "envFrom")) {
		const cJSON *cm = cJSON_GetObjectItemCaseSensitive(e, "configMapRef");
		const cJSON *sec = cJSON_GetObjectItemCaseSensitive(e, "secretRef");
		const cJSON *ref = cm ? cm : sec, *kv;
		const char *prefix = k8c_jstr(e, "prefix");
		_cleanup_json_ cJSON *obj = NULL;
		int ret;

		if (ref == NULL || k8c_jstr(ref, "name") == NULL)
			continue;
		ret = get_object(kl, kp, cm ? "configmaps" : "secrets", k8c_jstr(ref, "name"), &obj, err);
		if (ret == -K8C_ENOTFOUND && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ref, "optional")))
			continue;
		if (ret == -K8C_ENOTFOUND)
			return k8c_error_make(err, K8C_ENOTFOUND, "%s \"%s\" not found",
			                      cm ? "configmap" : "secret", k8c_jstr(ref, "name"));
		if (ret < 0)
			return ret;
		cJSON_ArrayForEach(kv, cJSON_GetObjectItemCaseSensitive(obj, "data")) {
			_cleanup_free_ char *v = data_value(obj, cm == NULL, kv->string);
			_cleanup_free_ char *name = k8c_xasprintf("%s%s", prefix ? prefix : "", kv->string);
			if (v != NULL)
				env_set(env, name, v);
		}
	}
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(spec, "env")) {
		const char *name = k8c_jstr(e, "name");
		const cJSON *from = cJSON_GetObjectItemCaseSensitive(e, "valueFrom");
		_cleanup_free_ char *v = NULL;

		if (name == NULL)
			continue;
		if (from == NULL) {
			const char *raw = k8c_jstr(e, "value");
			v = expand(raw ? raw : "", env);
		} else if (cJSON_GetObjectItemCaseSensitive(from, "configMapKeyRef") ||
		           cJSON_GetObjectItemCaseSensitive(from, "secretKeyRef")) {
			const cJSON *cm = cJSON_GetObjectItemCaseSensitive(from, "configMapKeyRef");
			int ret = ref_value(kl, kp, cm ? cm : cJSON_GetObjectItemCaseSensitive(from, "secretKeyRef"),
			                    cm == NULL, &v, err);
			if (ret < 0)
				return ret;
			if (ret == 0)
				continue;
		} else if (cJSON_GetObjectItemCaseSensitive(from, "fieldRef")) {
			const char *fp = k8c_jstr(from, "fieldRef.fieldPath");
			if (fp == NULL || (v = field_value(kl, kp, pod, fp)) == NULL)
				return k8c_error_make(err, K8C_EINVAL, "unsupported fieldRef %s", fp ? fp : "");
		} else if (cJSON_GetObjectItemCaseSensitive(from, "resourceFieldRef")) {
			const char *res = k8c_jstr(from, "resourceFieldRef.resource");
			const char *val = NULL;
			char rkey[64];
			if (res != NULL && sscanf(res, "limits.%63s", rkey) == 1)
				val = k8c_jstr(cJSON_GetObjectItemCaseSensitive(
					cJSON_GetObjectItemCaseSensitive(spec, "resources"), "limits"), rkey);
			else if (res != NULL && sscanf(res, "requests.%63s", rkey) == 1)
				val = k8c_jstr(cJSON_GetObjectItemCaseSensitive(
					cJSON_GetObjectItemCaseSensitive(spec, "resources"), "requests"), rkey);
			v = k8c_xstrdup(val ? val : "0");
		} else {
			continue;
		}
		env_set(env, name, v);
	}
	return 0;
}

/* --- volumes ----------------------------------------------------------------- */

static const cJSON *find_volume(const cJSON *pod, const char *name)
{
	const cJSON *v;

	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(pod, "spec"),
	                                                       "volumes")) {
		const char *n = k8c_jstr(v, "name");
		if (n != NULL && strcmp(n, name) == 0)
			return v;
	}
	return NULL;
}

/* Write the keys of a ConfigMap or Secret (or the listed items) as files
 * into dir.  Each file is replaced atomically and the directory is kept:
 * running containers of the pod have it bind-mounted. */
static int write_keys(const cJSON *src, const cJSON *obj, int secret, const char *dir,
                      k8c_error_t *err)
{
	const cJSON *items = cJSON_GetObjectItemCaseSensitive(src, "items"), *it;
	const cJSON *dm = cJSON_GetObjectItemCaseSensitive(src, "defaultMode");
	mode_t mode = cJSON_IsNumber(dm) ? (mode_t)dm->valuedouble & 07777 : 0644;
	int ret;

	if ((ret = k8c_mkdir_p(dir, 0755, err)) < 0)
		return ret;
	if (cJSON_GetArraySize(items) > 0) {
		cJSON_ArrayForEach(it, items) {
			const char *key = k8c_jstr(it, "key"), *path = k8c_jstr(it, "path");
			_cleanup_free_ char *v = key ? data_value(obj, secret, key) : NULL;
			_cleanup_free_ char *file = NULL, *parent = NULL;
			const cJSON *m = cJSON_GetObjectItemCaseSensitive(it, "mode");
			if (v == NULL || path == NULL || strstr(path, "..") != NULL || path[0] == '/')
				return k8c_error_make(err, K8C_ENOTFOUND, "configmap references non-existent config key: %s",
				                      key ? key : "");
			file = k8c_xasprintf("%s/%s", dir, path);
			parent = k8c_xstrdup(file);
			*strrchr(parent, '/') = '\0';
			if ((ret = k8c_mkdir_p(parent, 0755, err)) < 0 ||
			    (ret = k8c_write_file_atomic(file, v, strlen(v),
			                                 cJSON_IsNumber(m) ? (mode_t)m->valuedouble & 07777 : mode,
			                                 err)) < 0)
				return ret;
		}
		return 0;
	}
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(obj, "data")) {
		_cleanup_free_ char *v = data_value(obj, secret, it->string);
		_cleanup_free_ char *file = k8c_xasprintf("%s/%s", dir, it->string);
		if (v != NULL && (ret = k8c_write_file_atomic(file, v, strlen(v), mode, err)) < 0)
			return ret;
	}
	return 0;
}

/* The host directory or file behind volume vol (malloc'd in *out). */
static int volume_source(k8c_kubelet_t *kl, kpod_t *kp, const cJSON *vol, char **out,
                         k8c_error_t *err)
{
	const char *name = k8c_jstr(vol, "name");
	_cleanup_free_ char *pod_dir = kl_pod_dir(kl, kp->uid);
	const cJSON *src;
	int ret;

	if (cJSON_GetObjectItemCaseSensitive(vol, "emptyDir") != NULL) {
		*out = k8c_xasprintf("%s/volumes/empty-dir/%s", pod_dir, name);
		return k8c_mkdir_p(*out, 0777, err);
	}
	if ((src = cJSON_GetObjectItemCaseSensitive(vol, "hostPath")) != NULL) {
		const char *path = k8c_jstr(src, "path"), *type = k8c_jstr(src, "type");
		struct stat st;
		if (path == NULL)
			return k8c_error_make(err, K8C_EINVAL, "hostPath volume %s has no path", name);
		if (type != NULL && strcmp(type, "DirectoryOrCreate") == 0 &&
		    (ret = k8c_mkdir_p(path, 0755, err)) < 0)
			return ret;
		if (type != NULL && strcmp(type, "FileOrCreate") == 0 && stat(path, &st) < 0 &&
		    (ret = k8c_write_file_atomic(path, "", 0, 0644, err)) < 0)
			return ret;
		if (stat(path, &st) < 0)
			return k8c_error_make(err, K8C_ENOTFOUND, "hostPath type check failed: %s does not exist",
			                      path);
		if (type != NULL && ((strcmp(type, "Directory") == 0 && !S_ISDIR(st.st_mode)) ||
		                     (strcmp(type, "File") == 0 && !S_ISREG(st.st_mode))))
			return k8c_error_make(err, K8C_EINVAL, "hostPath type check failed: %s is not a %s",
			                      path, type);
		*out = k8c_xstrdup(path);
		return 0;
	}
	if ((src = cJSON_GetObjectItemCaseSensitive(vol, "configMap")) != NULL ||
	    (src = cJSON_GetObjectItemCaseSensitive(vol, "secret")) != NULL) {
		int secret = cJSON_GetObjectItemCaseSensitive(vol, "secret") != NULL;
		const char *obj_name = k8c_jstr(src, secret ? "secretName" : "name");
		_cleanup_json_ cJSON *obj = NULL;
		*out = k8c_xasprintf("%s/volumes/%s/%s", pod_dir, secret ? "secret" : "configmap", name);
		ret = obj_name ? get_object(kl, kp, secret ? "secrets" : "configmaps", obj_name, &obj, err)
		               : k8c_error_make(err, K8C_EINVAL, "volume %s names no object", name);
		if (ret == -K8C_ENOTFOUND && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(src, "optional")))
			return k8c_mkdir_p(*out, 0755, err);
		if (ret == -K8C_ENOTFOUND)
			return k8c_error_make(err, K8C_ENOTFOUND, "%s \"%s\" not found",
			                      secret ? "secret" : "configmap", obj_name);
		if (ret < 0)
			return ret;
		return write_keys(src, obj, secret, *out, err);
	}
	return k8c_error_make(err, K8C_EUNSUPPORTED, "volume %s: only emptyDir, hostPath, configMap and secret volumes are supported",
	                      name ? name : "");
}

static int build_mounts(k8c_kubelet_t *kl, kpod_t *kp, const cJSON *pod, const cJSON *spec,
                        kl_container_config_t *out, k8c_error_t *err)
{
	const cJSON *vm;
	size_t n = (size_t)cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(spec, "volumeMounts"));
	int ret;

	out->mounts = k8c_xcalloc(n ? n : 1, sizeof(*out->mounts));
	cJSON_ArrayForEach(vm, cJSON_GetObjectItemCaseSensitive(spec, "volumeMounts")) {
		const char *name = k8c_jstr(vm, "name"), *mp = k8c_jstr(vm, "mountPath");
		const char *sub = k8c_jstr(vm, "subPath");
		const cJSON *vol = name ? find_volume(pod, name) : NULL;
		char *src = NULL;
		k8c_runtime_mount_t *m;

		if (vol == NULL || mp == NULL)
			return k8c_error_make(err, K8C_EINVAL, "volumeMount %s: no such volume",
			                      name ? name : "");
		if ((ret = volume_source(kl, kp, vol, &src, err)) < 0) {
			free(src);
			return ret;
		}
		if (sub != NULL && *sub) {
			char *full;
			struct stat st;
			if (sub[0] == '/' || strstr(sub, "..") != NULL) {
				free(src);
				return k8c_error_make(err, K8C_EINVAL, "subPath %s must be a relative path without ..", sub);
			}
			full = k8c_xasprintf("%s/%s", src, sub);
			free(src);
			src = full;
			if (stat(src, &st) < 0 && (ret = k8c_mkdir_p(src, 0755, err)) < 0) {
				free(src);
				return ret;
			}
		}
		m = &out->mounts[out->n_mounts++];
		m->host_path = src;
		m->container_path = k8c_xstrdup(mp);
		m->read_only = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(vm, "readOnly")) ||
		               cJSON_GetObjectItemCaseSensitive(vol, "configMap") != NULL ||
		               cJSON_GetObjectItemCaseSensitive(vol, "secret") != NULL;
	}
	return 0;
}

void kl_container_config_free(kl_container_config_t *c)
{
	for (size_t i = 0; c->argv && c->argv[i]; i++)
		free(c->argv[i]);
	for (size_t i = 0; c->envp && c->envp[i]; i++)
		free(c->envp[i]);
	for (size_t i = 0; i < c->n_mounts; i++) {
		free((char *)c->mounts[i].host_path);
		free((char *)c->mounts[i].container_path);
	}
	free(c->mounts);
	free(c->argv);
	free(c->envp);
	free(c->rootfs);
	free(c->log_path);
	memset(c, 0, sizeof(*c));
}

int kl_container_config(k8c_kubelet_t *kl, kpod_t *kp, const cJSON *pod, const cJSON *spec,
                        kcontainer_t *kc, kl_container_config_t *out, char reason[64],
                        k8c_error_t *err)
{
	const char *image = k8c_jstr(spec, "image");
	strv_t argv = {0}, env = {0};
	const cJSON *a;
	int ret;

	memset(out, 0, sizeof(*out));
	snprintf(reason, 64, CONFIG_ERROR);
	if (!kl->hollow) {
		if (image == NULL || !*image)
			return k8c_error_make(err, K8C_EINVAL, "container %s has no image", kc->name);
		if (k8c_image_rootfs(kl->data_dir, image, &out->rootfs, err) < 0) {
			snprintf(reason, 64, "ErrImageNeverPull");
			return k8c_error_make(err, K8C_ENOTFOUND,
			                      "Container image \"%s\" is not present with pull policy of Never (import it with: k8c image import %s FILE.tar)",
			                      image, image);
		}
		if ((ret = build_env(kl, kp, pod, spec, &env, err)) < 0)
			goto fail;
		if ((ret = build_mounts(kl, kp, pod, spec, out, err)) < 0) {
			out->argv = argv.v;
			out->envp = env.v;
			kl_container_config_free(out);
			snprintf(reason, 64, "FailedMount");
			return ret;
		}
		out->log_path = kl_log_path(kl, kp->uid, kc->name, kc->restart_count);
		{
			_cleanup_free_ char *dir = k8c_xstrdup(out->log_path);
			*strrchr(dir, '/') = '\0';
			if ((ret = k8c_mkdir_p(dir, 0755, err)) < 0)
				goto fail;
			/* a new attempt with this number starts a new file */
			unlink(out->log_path);
		}
	} else if (env.n == 0) {
		strv_push(&env, k8c_xstrdup("PATH=/bin"));
	}
	/* no command: the image's entrypoint (none in a rootfs tarball) */
	cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(spec, "command"))
		strv_push(&argv, expand(cJSON_GetStringValue(a) ? cJSON_GetStringValue(a) : "", &env));
	cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(spec, "args"))
		strv_push(&argv, expand(cJSON_GetStringValue(a) ? cJSON_GetStringValue(a) : "", &env));
	if (argv.n == 0) {
		/* a rootfs tarball has no entrypoint and no CMD: sh stands for
		 * the CMD, as in busybox's image (args alone replace the CMD) */
		strv_push(&argv, k8c_xstrdup("sh"));
	}
	out->argv = argv.v;
	out->envp = env.v;
	out->rt.struct_size = sizeof(out->rt);
	out->rt.pod = pod;
	out->rt.container = spec;
	out->rt.log_path = out->log_path;
	out->rt.argv = (const char *const *)out->argv;
	out->rt.envp = (const char *const *)out->envp;
	out->rt.attempt = (uint32_t)kc->restart_count;
	out->rt.rootfs = out->rootfs;
	out->rt.mounts = out->mounts;
	out->rt.n_mounts = out->n_mounts;
	out->rt.log_max_bytes = kl->cfg.log_max_bytes > 0 ? kl->cfg.log_max_bytes : 10 << 20;
	out->rt.log_max_files = kl->cfg.log_max_files > 0 ? (uint32_t)kl->cfg.log_max_files : 5;
	reason[0] = '\0';
	return 0;
fail:
	out->argv = argv.v;
	out->envp = env.v;
	kl_container_config_free(out);
	snprintf(reason, 64, "%s", CONFIG_ERROR);
	return ret;
}
