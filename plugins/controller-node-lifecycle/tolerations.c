/* Taint and toleration matching for the taint eviction controller
 * (tolerations.h).  The scheduler's taint-toleration plugin has the same
 * test for filtering; it lives in another plugin and cannot be shared. */
#include "config.h"

#include <string.h>

#include <cjson/cJSON.h>

#include "common/json_path.h"
#include "delay.h"
#include "tolerations.h"

/* A string member, "" when absent or null; NULL when of another type. */
static const char *field(const cJSON *obj, const char *name)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(obj, name);

	if (m == NULL || cJSON_IsNull(m))
		return "";
	return cJSON_IsString(m) && m->valuestring != NULL ? m->valuestring : NULL;
}

/* j if it is a list, else NULL: nothing to iterate. */
static const cJSON *as_list(const cJSON *j)
{
	return cJSON_IsArray(j) ? j : NULL;
}

int nl_tolerates(const cJSON *tol, const cJSON *taint)
{
	const char *tk, *tv, *te, *op, *k, *v, *e;

	if (!cJSON_IsObject(tol) || !cJSON_IsObject(taint))
		return 0;
	tk = field(tol, "key"), tv = field(tol, "value"), te = field(tol, "effect");
	op = field(tol, "operator");
	k = field(taint, "key"), v = field(taint, "value"), e = field(taint, "effect");
	if (!tk || !tv || !te || !op || !k || !v || !e)
		return 0;
	if (te[0] != '\0' && strcmp(te, e) != 0)
		return 0;
	if (tk[0] != '\0' && strcmp(tk, k) != 0)
		return 0;
	if (op[0] == '\0' || strcmp(op, "Equal") == 0)
		return strcmp(tv, v) == 0;
	return strcmp(op, "Exists") == 0;
}

int nl_toleration_time(const cJSON *taints, const cJSON *tolerations, int64_t *seconds)
{
	const cJSON *taint, *tol;
	int64_t min = NL_TOLERATE_FOREVER;
	int any = 0;

	*seconds = 0;
	if (!cJSON_IsArray(taints) || cJSON_GetArraySize(taints) == 0)
		return 1;
	cJSON_ArrayForEach(taint, taints) {
		int matched = 0;

		cJSON_ArrayForEach(tol, as_list(tolerations)) {
			const cJSON *ts;

			if (!nl_tolerates(tol, taint))
				continue;
			/* GetMatchingTolerations takes the first one that
			 * tolerates each taint */
			matched = 1;
			ts = cJSON_GetObjectItemCaseSensitive(tol, "tolerationSeconds");
			if (cJSON_IsNumber(ts)) {
				int64_t s = nl_scale_to_i64(ts->valuedouble, 1);

				if (min == NL_TOLERATE_FOREVER || s < min)
					min = s;
			}
			any = 1;
			break;
		}
		if (!matched)
			return 0;
	}
	*seconds = any ? min : 0;
	return 1;
}

cJSON *nl_noexecute_taints(const cJSON *node)
{
	cJSON *out = cJSON_CreateArray();
	const cJSON *taints = k8c_jget(node, "spec.taints"), *t;

	cJSON_ArrayForEach(t, as_list(taints)) {
		const char *e = k8c_jstr(t, "effect");

		if (e != NULL && strcmp(e, "NoExecute") == 0)
			cJSON_AddItemToArray(out, cJSON_Duplicate(t, 1));
	}
	return out;
}
