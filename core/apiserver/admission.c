/* Admission (admission.h): Kubernetes' Priority admission plugin, which
 * resolves a pod's priority from its PriorityClass and keeps a single
 * globalDefault class, and its DefaultTolerationSeconds, which lets every
 * pod tolerate the not-ready and unreachable NoExecute taints for 300 s.  Pods read the classes from a copy of them all (as
 * Kubernetes reads an informer's cache): refilled after any class was
 * written through this server, and at least every second for writes
 * through another one; a class the copy lacks is looked up in storage
 * before a pod naming it is refused.  The one-default check of a class
 * write reads storage. */
#define K8C_LOG_COMPONENT "apiserver"
#include "config.h"

#include <pthread.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "apiserver/admission.h"
#include "apiserver/kinds/core.h"
#include "apiserver/kinds/groups.h"
#include "apiserver/kinds/util.h"
#include "common/mem.h"
#include "common/timestamp.h"

#define CLASSES_TRUSTED_NS 1000000000LL /* the copy of the classes, at most 1 s */

static int internal_error(k8c_api_response_t *resp, int ret, const k8c_error_t *err,
                          const char *what)
{
	k8c_error_t e;

	k8c_error_make(&e, K8C_EINTERNAL, "%s: %s", what, err->message);
	k8c_respond_error(resp, NULL, NULL, -K8C_EINTERNAL, &e);
	return ret;
}

/* A copy of the class named name among items, or with name NULL of the
 * default one (getDefaultPriorityClass: the globalDefault class with the
 * lowest value, should a race have left several); NULL when none. */
static cJSON *pick(const cJSON *items, const char *name)
{
	const cJSON *pc, *best = NULL;

	cJSON_ArrayForEach(pc, items) {
		if (name != NULL) {
			const char *n = k8c_meta_str(pc, "name");
			if (n != NULL && strcmp(n, name) == 0)
				return cJSON_Duplicate(pc, 1);
		} else if (k8c_jbool(pc, "globalDefault", 0) &&
		           (best == NULL || k8c_jint(pc, "value", 0) < k8c_jint(best, "value", 0))) {
			best = pc;
		}
	}
	return best != NULL ? cJSON_Duplicate(best, 1) : NULL;
}

/* The default class from storage (*out NULL when none; caller frees). */
static int default_class(k8c_apiserver_t *srv, cJSON **out, k8c_error_t *err)
{
	_cleanup_json_ cJSON *items = cJSON_CreateArray();
	int ret = k8c_storage_list(srv, &k8c_kind_priorityclasses, NULL, items, err);

	*out = ret < 0 ? NULL : pick(items, NULL);
	return ret < 0 ? ret : 0;
}

/* The same from the copy of the classes, for name or the default (name
 * NULL), refilling the copy when stale.  No lock is held across the store
 * read (request fibers share threads). */
static int cached_class(k8c_apiserver_t *srv, const char *name, cJSON **out, k8c_error_t *err)
{
	const k8c_kind_t *pck = &k8c_kind_priorityclasses;
	uint64_t writes = k8c_storage_writes(srv, pck);
	cJSON *items;
	int ret;

	pthread_mutex_lock(&srv->pc_lock);
	if (srv->pc_cache != NULL && srv->pc_cache_writes == writes &&
	    k8c_time_monotonic_ns() < srv->pc_cache_until_ns) {
		*out = pick(srv->pc_cache, name);
		pthread_mutex_unlock(&srv->pc_lock);
		return 0;
	}
	pthread_mutex_unlock(&srv->pc_lock);
	items = cJSON_CreateArray();
	if ((ret = k8c_storage_list(srv, pck, NULL, items, err)) < 0) {
		cJSON_Delete(items);
		*out = NULL;
		return ret;
	}
	*out = pick(items, name);
	/* filled at the count read before the list: a write since makes it
	 * stale at once */
	pthread_mutex_lock(&srv->pc_lock);
	cJSON_Delete(srv->pc_cache);
	srv->pc_cache = items;
	srv->pc_cache_writes = writes;
	srv->pc_cache_until_ns = k8c_time_monotonic_ns() + CLASSES_TRUSTED_NS;
	pthread_mutex_unlock(&srv->pc_lock);
	return 0;
}

static void set_member(cJSON *obj, const char *key, cJSON *v)
{
	cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
	cJSON_AddItemToObject(obj, key, v);
}

/* The class a new pod gets: the one it names, else the default class
 * (*pc NULL when there is none).  < 0 with resp filled. */
static int pod_class(k8c_apiserver_t *srv, const k8c_kind_t *kind, const char *pod_name,
                     const char *class_name, cJSON **pc, k8c_api_response_t *resp)
{
	k8c_error_t err;
	int ret;

	if (class_name == NULL || class_name[0] == '\0') {
		ret = cached_class(srv, NULL, pc, &err);
		return ret < 0 ? internal_error(resp, ret, &err, "failed to get default priority class")
		               : 0;
	}
	ret = cached_class(srv, class_name, pc, &err);
	if (ret == 0 && *pc == NULL) /* perhaps new through another server */
		ret = k8c_storage_get(srv, &k8c_kind_priorityclasses, NULL, class_name, pc, &err);
	if (ret == -K8C_ENOTFOUND)
		return k8c_respond_forbidden(resp, kind, pod_name,
		                             "no PriorityClass with name %s was found", class_name);
	if (ret < 0) {
		_cleanup_free_ char *what =
			k8c_xasprintf("failed to get PriorityClass with name %s", class_name);
		return internal_error(resp, ret, &err, what);
	}
	return 0;
}

/* admitPod on create. */
static int admit_pod_create(k8c_apiserver_t *srv, const k8c_kind_t *kind, cJSON *pod,
                            const char *name, k8c_api_response_t *resp)
{
	cJSON *spec = k8c_jobject(pod, "spec");
	_cleanup_json_ cJSON *pc = NULL;
	const cJSON *given;
	const char *policy = "PreemptLowerPriority", *given_policy;
	long long priority = 0;
	int ret;

	if (spec == NULL)
		return 0;
	ret = pod_class(srv, kind, name, k8c_jstr(spec, "priorityClassName"), &pc, resp);
	if (ret < 0)
		return ret;
	if (pc != NULL) {
		priority = k8c_jint(pc, "value", 0);
		policy = k8c_jstr(pc, "preemptionPolicy");
		if (k8c_jstr(spec, "priorityClassName") == NULL ||
		    k8c_jstr(spec, "priorityClassName")[0] == '\0')
			set_member(spec, "priorityClassName", cJSON_CreateString(k8c_meta_str(pc, "name")));
	}
	given = k8c_jget(spec, "priority");
	if (cJSON_IsNumber(given) && (long long)given->valuedouble != priority)
		return k8c_respond_forbidden(
			resp, kind, name,
			"the integer value of priority (%lld) must not be provided in pod spec; priority "
			"admission controller computed %lld from the given PriorityClass name",
			(long long)given->valuedouble, priority);
	set_member(spec, "priority", cJSON_CreateNumber((double)priority));
	if (policy == NULL)
		return 0;
	given_policy = k8c_jstr(spec, "preemptionPolicy");
	if (given_policy != NULL && strcmp(given_policy, policy) != 0)
		return k8c_respond_forbidden(
			resp, kind, name,
			"the string value of PreemptionPolicy (%s) must not be provided in pod spec; "
			"priority admission controller computed %s from the given PriorityClass name",
			given_policy, policy);
	set_member(spec, "preemptionPolicy", cJSON_CreateString(policy));
	return 0;
}

/* admitPod on update: what the plugin set on create stays when left out
 * (pod validation refuses any change). */
static void admit_pod_update(cJSON *pod, const cJSON *old)
{
	static const char *const kept[] = {"priority", "preemptionPolicy"};
	const cJSON *old_spec = k8c_jget(old, "spec");
	cJSON *spec = cJSON_GetObjectItemCaseSensitive(pod, "spec");

	if (!cJSON_IsObject(spec))
		return;
	for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++) {
		const cJSON *was = cJSON_GetObjectItemCaseSensitive(old_spec, kept[i]);
		if (cJSON_GetObjectItemCaseSensitive(spec, kept[i]) == NULL && was != NULL)
			cJSON_AddItemToObject(spec, kept[i], cJSON_Duplicate(was, 1));
	}
}

#define TAINT_NOT_READY "node.kubernetes.io/not-ready"
#define TAINT_UNREACHABLE "node.kubernetes.io/unreachable"
#define DEFAULT_TOLERATION_SECONDS 300 /* --default-{not-ready,unreachable}-toleration-seconds */

/* Does a toleration of the list cover taint key:NoExecute in the way
 * DefaultTolerationSeconds asks (key equal or empty, effect NoExecute or
 * empty, whatever the operator)? */
static int has_noexecute_toleration(const cJSON *tols, const char *key)
{
	const cJSON *t;

	if (!cJSON_IsArray(tols))
		return 0;
	cJSON_ArrayForEach(t, tols) {
		const char *k = k8c_jstr(t, "key"), *eff = k8c_jstr(t, "effect");

		if ((k == NULL || k[0] == '\0' || strcmp(k, key) == 0) &&
		    (eff == NULL || eff[0] == '\0' || strcmp(eff, "NoExecute") == 0))
			return 1;
	}
	return 0;
}

/* DefaultTolerationSeconds (on create and update of pods proper): append
 * key:NoExecute for 300 s, operator Exists, for each of the two node
 * taints the pod does not already tolerate, not-ready first, members in
 * the order Kubernetes serialises a Toleration. */
static void default_toleration_seconds(cJSON *pod)
{
	static const char *const keys[] = {TAINT_NOT_READY, TAINT_UNREACHABLE};
	cJSON *spec = k8c_jobject(pod, "spec"), *tols;
	int need[2];

	if (spec == NULL)
		return;
	tols = cJSON_GetObjectItemCaseSensitive(spec, "tolerations");
	for (size_t i = 0; i < 2; i++)
		need[i] = !has_noexecute_toleration(tols, keys[i]);
	if (!need[0] && !need[1])
		return;
	if (!cJSON_IsArray(tols)) {
		/* absent or null (a nil list); validation refuses anything else */
		if (tols != NULL && !cJSON_IsNull(tols))
			return;
		cJSON_DeleteItemFromObjectCaseSensitive(spec, "tolerations");
		tols = cJSON_AddArrayToObject(spec, "tolerations");
	}
	for (size_t i = 0; i < 2; i++) {
		cJSON *t;

		if (!need[i])
			continue;
		t = cJSON_CreateObject();
		cJSON_AddStringToObject(t, "key", keys[i]);
		cJSON_AddStringToObject(t, "operator", "Exists");
		cJSON_AddStringToObject(t, "effect", "NoExecute");
		cJSON_AddNumberToObject(t, "tolerationSeconds", DEFAULT_TOLERATION_SECONDS);
		cJSON_AddItemToArray(tols, t);
	}
}

static int is_pods(const k8c_kind_t *kind)
{
	return kind == &k8c_kind_pods;
}

int k8c_admission_mutate(k8c_apiserver_t *srv, const k8c_kind_t *kind, int op, cJSON *obj,
                         const cJSON *old, const char *name, k8c_api_response_t *resp)
{
	int ret = 0;

	if (!is_pods(kind))
		return 0;
	if (op == K8C_OP_CREATE)
		ret = admit_pod_create(srv, kind, obj, name, resp);
	else if (op == K8C_OP_UPDATE)
		admit_pod_update(obj, old);
	if (ret == 0 && (op == K8C_OP_CREATE || op == K8C_OP_UPDATE))
		default_toleration_seconds(obj);
	return ret;
}

/* validatePriorityClass: at most one globalDefault class. */
int k8c_admission_validate(k8c_apiserver_t *srv, const k8c_kind_t *kind, int op,
                           const cJSON *obj, k8c_api_response_t *resp)
{
	_cleanup_json_ cJSON *dpc = NULL;
	const char *name = k8c_meta_str(obj, "name"), *dname;
	k8c_error_t err;
	int ret;

	if (kind != &k8c_kind_priorityclasses || (op != K8C_OP_CREATE && op != K8C_OP_UPDATE) ||
	    !k8c_jbool(obj, "globalDefault", 0))
		return 0;
	ret = default_class(srv, &dpc, &err);
	if (ret < 0)
		return internal_error(resp, ret, &err, "failed to get default priority class");
	if (dpc == NULL)
		return 0;
	dname = k8c_meta_str(dpc, "name");
	if (op == K8C_OP_CREATE || strcmp(dname ? dname : "", name ? name : "") != 0)
		return k8c_respond_forbidden(resp, kind, name,
		                             "PriorityClass %s is already marked as default. Only one "
		                             "default can exist",
		                             dname ? dname : "");
	return 0;
}
