/* batch/v1 Job and CronJob: SetDefaults_Job / SetDefaults_CronJob, the job
 * strategy's generated selector, ValidateJob(Update) and
 * ValidateCronJob(Create|Update), the status.successful field selector and
 * the Tables, as Kubernetes 1.32 has them.  The pod failure and success
 * policies are in batch_policy.c, schedules and time zones in
 * batch_cron.c. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "apiserver/kinds/groups.h"
#include "apiserver/kinds/groups_common.h"
#include "apiserver/kinds/util.h"
#include "common/mem.h"
#include "common/names.h"

#define JOB_NAME_LABEL "batch.kubernetes.io/job-name"
#define CONTROLLER_UID_LABEL "batch.kubernetes.io/controller-uid"
#define LEGACY_JOB_NAME_LABEL "job-name"
#define LEGACY_CONTROLLER_UID_LABEL "controller-uid"

#define MAX_PARALLELISM_INDEXED 100000
#define MAX_FAILED_INDEXES 100000
#define COMPLETIONS_SOFT_LIMIT 100000
#define PARALLELISM_HIGH_COMPLETIONS 10000
#define MAX_FAILED_INDEXES_HIGH_COMPLETIONS 10000
#define MAX_MANAGED_BY 63

static const char *const all_category[] = {"all", NULL};

static int is_str(const cJSON *obj, const char *path, const char *want)
{
	const char *v = k8c_jstr(obj, path);

	return v != NULL && strcmp(v, want) == 0;
}

/* Conditions on pod failure policy patterns default to status True. */
static void policy_defaults(cJSON *spec)
{
	cJSON *rule, *cond;

	cJSON_ArrayForEach(rule, (cJSON *)k8c_jget(spec, "podFailurePolicy.rules"))
		cJSON_ArrayForEach(cond, cJSON_GetObjectItemCaseSensitive(rule, "onPodConditions"))
			k8c_jdefault_str(cond, "status", "True");
}

static void job_defaults(cJSON *obj)
{
	cJSON *spec = k8c_jobject(obj, "spec");
	const cJSON *tl;

	if (spec == NULL)
		return;
	if (!k8c_groups_set(k8c_jget(spec, "completions")) &&
	    !k8c_groups_set(k8c_jget(spec, "parallelism")))
		k8c_jdefault_int(spec, "completions", 1);
	k8c_jdefault_int(spec, "parallelism", 1);
	k8c_jdefault_int(spec, "backoffLimit",
	                 k8c_groups_set(k8c_jget(spec, "backoffLimitPerIndex")) ? 2147483647 : 6);
	tl = k8c_jget(spec, "template.metadata.labels");
	if (cJSON_IsObject(tl) && cJSON_GetArraySize(k8c_jget(obj, "metadata.labels")) == 0) {
		cJSON *meta = k8c_jobject(obj, "metadata");
		cJSON_DeleteItemFromObjectCaseSensitive(meta, "labels");
		cJSON_AddItemToObject(meta, "labels", cJSON_Duplicate(tl, 1));
	}
	k8c_jdefault_str(spec, "completionMode", "NonIndexed");
	k8c_jdefault_bool(spec, "suspend", 0);
	k8c_jdefault_str(spec, "podReplacementPolicy",
	                 k8c_groups_set(k8c_jget(spec, "podFailurePolicy")) ? "Failed"
	                                                                    : "TerminatingOrFailed");
	k8c_jdefault_bool(spec, "manualSelector", 0);
	policy_defaults(spec);
	k8c_groups_pod_template_defaults(cJSON_GetObjectItemCaseSensitive(spec, "template"));
}

/* generateSelector: labels unique to this job on the template, and a
 * selector on the new controller-uid label.  metadata.uid is set by now. */
static void generate_selector(cJSON *obj)
{
	static const char *const name_labels[] = {LEGACY_JOB_NAME_LABEL, JOB_NAME_LABEL};
	static const char *const uid_labels[] = {LEGACY_CONTROLLER_UID_LABEL, CONTROLLER_UID_LABEL};
	const char *name = k8c_jstr(obj, "metadata.name"), *uid = k8c_jstr(obj, "metadata.uid");
	cJSON *labels = k8c_jobject(obj, "spec.template.metadata.labels");
	cJSON *ml = k8c_jobject(obj, "spec.selector.matchLabels");

	if (labels == NULL || ml == NULL)
		return;
	for (size_t i = 0; i < 2; i++) {
		k8c_jdefault_str(labels, name_labels[i], name ? name : "");
		k8c_jdefault_str(labels, uid_labels[i], uid ? uid : "");
	}
	k8c_jdefault_str(ml, CONTROLLER_UID_LABEL, uid ? uid : "");
	k8c_groups_sort_object(labels);
	k8c_groups_sort_object(ml);
}

static void job_prepare(int op, cJSON *obj, const cJSON *old)
{
	if (op != K8C_OP_CREATE)
		return;
	if (!k8c_jbool(obj, "spec.manualSelector", 0))
		generate_selector(obj);
	k8c_groups_reset_status(obj);
}

/* --- the Job spec (also a CronJob's job template, at base) --------------- */

static void validate_managed_by(k8c_field_errors_t *errs, const char *v, const char *base)
{
	_cleanup_free_ char *p = k8c_xasprintf("%s.managedBy", base);
	const char *slash = strchr(v, '/');

	if (v[0] == '\0') {
		k8c_groups_err(errs, K8C_FIELD_REQUIRED, p, NULL, NULL);
	} else if (slash == NULL || slash == v || slash[1] == '\0') {
		k8c_groups_err(errs, K8C_FIELD_INVALID, p, k8c_go_quote(v),
		               "must be a domain-prefixed path (such as \"acme.io/foo\")");
	} else {
		_cleanup_free_ char *host = k8c_xstrndup(v, (size_t)(slash - v));
		const char *path = slash + 1;
		k8c_groups_name_errs(errs, p, host, k8c_is_dns1123_subdomain);
		if (strspn(path, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
		                 "/-._~%!$&'()*+,;=:") != strlen(path))
			k8c_groups_err(errs, K8C_FIELD_INVALID, p, k8c_go_quote(path),
			               "Invalid path (regex used for validation is "
			               "'[A-Za-z0-9/\\-._~%%!$&'()*+,;=:]+')");
	}
	if (strlen(v) > MAX_MANAGED_BY)
		k8c_groups_err(errs, K8C_FIELD_TOO_LONG, p, NULL, "may not be longer than %d",
		               MAX_MANAGED_BY);
}

static void nonneg_at(k8c_field_errors_t *errs, const cJSON *spec, const char *base,
                      const char *name)
{
	_cleanup_free_ char *p = k8c_xasprintf("%s.%s", base, name);

	k8c_groups_nonneg(errs, p, k8c_jget(spec, name));
}

static void invalid_at(k8c_field_errors_t *errs, const char *base, const char *name,
                       long long v, const char *msg)
{
	_cleanup_free_ char *p = k8c_xasprintf("%s.%s", base, name);

	k8c_groups_err(errs, K8C_FIELD_INVALID, p, k8c_xasprintf("%lld", v), "%s", msg);
}

static void validate_indexed(k8c_field_errors_t *errs, const cJSON *spec, const char *base)
{
	const cJSON *comp = k8c_jget(spec, "completions"), *par = k8c_jget(spec, "parallelism");
	const cJSON *mfi = k8c_jget(spec, "maxFailedIndexes");
	long long c = k8c_jint(spec, "completions", 0), p = k8c_jint(spec, "parallelism", 0);
	long long m = k8c_jint(spec, "maxFailedIndexes", 0);
	_cleanup_free_ char *cp = k8c_xasprintf("%s.completions", base);
	_cleanup_free_ char *mp = k8c_xasprintf("%s.maxFailedIndexes", base);

	if (!k8c_groups_set(comp))
		k8c_groups_err(errs, K8C_FIELD_REQUIRED, cp, NULL, "when completion mode is Indexed");
	if (cJSON_IsNumber(par) && p > MAX_PARALLELISM_INDEXED)
		invalid_at(errs, base, "parallelism", p,
		           "must be less than or equal to 100000 when completion mode is Indexed");
	if (cJSON_IsNumber(comp) && cJSON_IsNumber(mfi) && m > c)
		invalid_at(errs, base, "maxFailedIndexes", m, "must be less than or equal to completions");
	if (cJSON_IsNumber(mfi) && m > MAX_FAILED_INDEXES)
		invalid_at(errs, base, "maxFailedIndexes", m, "must be less than or equal to 100000");
	if (cJSON_IsNumber(comp) && c > COMPLETIONS_SOFT_LIMIT &&
	    k8c_groups_set(k8c_jget(spec, "backoffLimitPerIndex"))) {
		if (!k8c_groups_set(mfi))
			k8c_groups_err(errs, K8C_FIELD_REQUIRED, mp, NULL,
			               "must be specified when completions is above 100000");
		if (cJSON_IsNumber(par) && p > PARALLELISM_HIGH_COMPLETIONS)
			invalid_at(errs, base, "parallelism", p,
			           "must be less than or equal to 10000 when completions are above "
			           "100000 and used with backoff limit per index");
		if (cJSON_IsNumber(mfi) && m > MAX_FAILED_INDEXES_HIGH_COMPLETIONS)
			invalid_at(errs, base, "maxFailedIndexes", m,
			           "must be less than or equal to 10000 when completions are above "
			           "100000 and used with backoff limit per index");
	}
}

static void validate_modes(k8c_field_errors_t *errs, const cJSON *spec, const char *base)
{
	const char *mode = k8c_jstr(spec, "completionMode");
	_cleanup_free_ char *mp = k8c_xasprintf("%s.completionMode", base);
	int indexed = mode != NULL && strcmp(mode, "Indexed") == 0;

	if (mode != NULL && !indexed && strcmp(mode, "NonIndexed") != 0)
		k8c_groups_err(errs, K8C_FIELD_NOT_SUPPORTED, mp, k8c_go_quote(mode),
		               "supported values: \"NonIndexed\", \"Indexed\"");
	if (indexed)
		validate_indexed(errs, spec, base);
	if (mode == NULL || strcmp(mode, "NonIndexed") == 0) {
		if (cJSON_IsNumber(k8c_jget(spec, "backoffLimitPerIndex")))
			invalid_at(errs, base, "backoffLimitPerIndex",
			           k8c_jint(spec, "backoffLimitPerIndex", 0), "requires indexed completion mode");
		if (cJSON_IsNumber(k8c_jget(spec, "maxFailedIndexes")))
			invalid_at(errs, base, "maxFailedIndexes", k8c_jint(spec, "maxFailedIndexes", 0),
			           "requires indexed completion mode");
	}
	if (k8c_groups_set(k8c_jget(spec, "podFailurePolicy")))
		k8c_batch_pod_failure_policy(errs, spec, base);
	if (k8c_groups_set(k8c_jget(spec, "successPolicy"))) {
		_cleanup_free_ char *sp = k8c_xasprintf("%s.successPolicy", base);
		if (!indexed)
			k8c_groups_err(errs, K8C_FIELD_INVALID, sp, k8c_go_json(k8c_jget(spec, "successPolicy")),
			               "requires indexed completion mode");
		else
			k8c_batch_success_policy(errs, spec, base);
	}
}

static void validate_replacement(k8c_field_errors_t *errs, const cJSON *spec, const char *base)
{
	const char *prp = k8c_jstr(spec, "podReplacementPolicy");
	_cleanup_free_ char *p = k8c_xasprintf("%s.podReplacementPolicy", base);

	if (prp == NULL)
		return;
	if (k8c_groups_set(k8c_jget(spec, "podFailurePolicy"))) {
		if (strcmp(prp, "Failed") != 0)
			k8c_groups_err(errs, K8C_FIELD_NOT_SUPPORTED, p, k8c_go_quote(prp),
			               "supported values: \"Failed\"");
	} else if (strcmp(prp, "Failed") != 0 && strcmp(prp, "TerminatingOrFailed") != 0) {
		k8c_groups_err(errs, K8C_FIELD_NOT_SUPPORTED, p, k8c_go_quote(prp),
		               "supported values: \"Failed\", \"TerminatingOrFailed\"");
	}
}

/* validateJobSpec */
static void validate_job_spec(k8c_field_errors_t *errs, const cJSON *spec, const char *base)
{
	static const char *const counts[] = {
		"parallelism", "completions", "activeDeadlineSeconds", "backoffLimit",
		"ttlSecondsAfterFinished", "backoffLimitPerIndex", "maxFailedIndexes", NULL,
	};
	const cJSON *tmpl = k8c_jget(spec, "template");
	const char *rp = k8c_groups_restart_policy(tmpl), *mb = k8c_jstr(spec, "managedBy");
	_cleanup_free_ char *tp = k8c_xasprintf("%s.template", base);
	_cleanup_free_ char *rpp = k8c_xasprintf("%s.template.spec.restartPolicy", base);
	_cleanup_free_ char *bp = k8c_xasprintf("%s.backoffLimitPerIndex", base);

	for (const char *const *c = counts; *c != NULL; c++)
		nonneg_at(errs, spec, base, *c);
	if (k8c_groups_set(k8c_jget(spec, "maxFailedIndexes")) &&
	    !k8c_groups_set(k8c_jget(spec, "backoffLimitPerIndex")))
		k8c_groups_err(errs, K8C_FIELD_REQUIRED, bp, NULL, "when maxFailedIndexes is specified");
	if (mb != NULL)
		validate_managed_by(errs, mb, base);
	validate_modes(errs, spec, base);
	validate_replacement(errs, spec, base);
	k8c_groups_pod_template_validate(errs, tmpl, tp);
	if (strcmp(rp, "Always") == 0)
		k8c_groups_err(errs, K8C_FIELD_REQUIRED, rpp, NULL,
		               "valid values: \"OnFailure\", \"Never\"");
	else if (strcmp(rp, "OnFailure") != 0 && strcmp(rp, "Never") != 0)
		k8c_groups_err(errs, K8C_FIELD_NOT_SUPPORTED, rpp, k8c_go_quote(rp),
		               "supported values: \"OnFailure\", \"Never\"");
	else if (k8c_groups_set(k8c_jget(spec, "podFailurePolicy")) && strcmp(rp, "Never") != 0)
		k8c_groups_err(errs, K8C_FIELD_INVALID, rpp, k8c_go_quote(rp),
		               "only \"Never\" is supported when podFailurePolicy is specified");
}

/* ValidateHasLabel */
static void has_label(k8c_field_errors_t *errs, const cJSON *labels, const char *key,
                      const char *want)
{
	const char *v = k8c_groups_member(labels, key);
	_cleanup_free_ char *p = k8c_xasprintf("spec.template.metadata.labels[%s]", key);

	if (cJSON_GetObjectItemCaseSensitive(labels, key) == NULL)
		k8c_groups_err(errs, K8C_FIELD_REQUIRED, p, NULL, "%s", want);
	else if (v == NULL || strcmp(v, want) != 0)
		k8c_groups_err(errs, K8C_FIELD_INVALID, p, k8c_go_string_map(labels), "must be '%s'", want);
}

/* validateGeneratedSelector */
static void generated_selector(k8c_field_errors_t *errs, const cJSON *obj, int batch_labels)
{
	const cJSON *sel = k8c_jget(obj, "spec.selector");
	const cJSON *labels = k8c_jget(obj, "spec.template.metadata.labels");
	const char *uid = k8c_jstr(obj, "metadata.uid"), *name = k8c_jstr(obj, "metadata.name");
	cJSON *want;
	k8c_label_selector_t *s;

	if (k8c_jbool(obj, "spec.manualSelector", 0) || !k8c_groups_set(sel))
		return;
	uid = uid ? uid : "";
	name = name ? name : "";
	if (uid[0] == '\0')
		k8c_groups_err(errs, K8C_FIELD_REQUIRED, "metadata.uid", NULL, NULL);
	has_label(errs, labels, LEGACY_CONTROLLER_UID_LABEL, uid);
	has_label(errs, labels, LEGACY_JOB_NAME_LABEL, name);
	want = cJSON_CreateObject();
	if (batch_labels) {
		has_label(errs, labels, CONTROLLER_UID_LABEL, uid);
		has_label(errs, labels, JOB_NAME_LABEL, name);
		cJSON_AddStringToObject(want, CONTROLLER_UID_LABEL, uid);
		cJSON_AddStringToObject(want, JOB_NAME_LABEL, name);
	}
	cJSON_AddStringToObject(want, LEGACY_CONTROLLER_UID_LABEL, uid);
	cJSON_AddStringToObject(want, LEGACY_JOB_NAME_LABEL, name);
	s = k8c_groups_selector(sel);
	if (s != NULL && !k8c_label_selector_matches(s, want))
		k8c_groups_err(errs, K8C_FIELD_INVALID, "spec.selector", k8c_go_label_selector(sel),
		               "`selector` not auto-generated");
	k8c_label_selector_free(s);
	cJSON_Delete(want);
}

/* ValidateJob */
static void validate_job(k8c_field_errors_t *errs, const cJSON *obj, int batch_labels)
{
	const cJSON *spec = k8c_jget(obj, "spec"), *sel = k8c_jget(spec, "selector");
	const cJSON *labels = k8c_jget(spec, "template.metadata.labels");
	const char *name = k8c_jstr(obj, "metadata.name");
	long long c = k8c_jint(spec, "completions", 0);
	k8c_label_selector_t *s;

	generated_selector(errs, obj, batch_labels);
	validate_job_spec(errs, spec, "spec");
	if (!k8c_groups_set(sel))
		k8c_groups_err(errs, K8C_FIELD_REQUIRED, "spec.selector", NULL, NULL);
	else
		k8c_groups_label_selector(errs, sel, "spec.selector");
	s = k8c_groups_selector(sel);
	if (s != NULL && !k8c_label_selector_matches(s, labels))
		k8c_groups_err(errs, K8C_FIELD_INVALID, "spec.template.metadata.labels",
		               k8c_go_string_map(labels), "`selector` does not match template `labels`");
	k8c_label_selector_free(s);
	if (is_str(spec, "completionMode", "Indexed") && c > 0 && name != NULL) {
		_cleanup_free_ char *host = k8c_xasprintf("%s-%lld", name, c - 1);
		if (!k8c_is_dns1123_label(host, NULL, 0))
			k8c_groups_err(errs, K8C_FIELD_INVALID, "metadata.name", k8c_go_quote(name),
			               "will not able to create pod with invalid DNS label: %s", host);
	}
}

/* Suspended jobs that never started may change their scheduling
 * directives: compare against the old template with them replaced. */
static cJSON *comparable_template(const cJSON *obj, const cJSON *old)
{
	static const char *const spec_fields[] = {"nodeSelector", "tolerations", "schedulingGates"};
	static const char *const meta_fields[] = {"annotations", "labels"};
	cJSON *t = cJSON_Duplicate(k8c_jget(old, "spec.template"), 1);
	const cJSON *nt = k8c_jget(obj, "spec.template");
	cJSON *spec, *meta, *aff;
	const cJSON *naff = k8c_jget(nt, "spec.affinity");

	if (!k8c_jbool(old, "spec.suspend", 0) || k8c_groups_set(k8c_jget(old, "status.startTime")) ||
	    (spec = k8c_jobject(t, "spec")) == NULL || (meta = k8c_jobject(t, "metadata")) == NULL)
		return t;
	aff = cJSON_GetObjectItemCaseSensitive(spec, "affinity");
	if (cJSON_IsObject(aff) || k8c_groups_set(naff)) {
		aff = k8c_jobject(spec, "affinity");
		cJSON_DeleteItemFromObjectCaseSensitive(aff, "nodeAffinity");
		if (k8c_groups_set(k8c_jget(naff, "nodeAffinity")))
			cJSON_AddItemToObject(aff, "nodeAffinity",
			                      cJSON_Duplicate(k8c_jget(naff, "nodeAffinity"), 1));
	}
	for (size_t i = 0; i < 3; i++) {
		cJSON_DeleteItemFromObjectCaseSensitive(spec, spec_fields[i]);
		if (k8c_jget(nt, "spec") && cJSON_GetObjectItemCaseSensitive(k8c_jget(nt, "spec"), spec_fields[i]))
			cJSON_AddItemToObject(spec, spec_fields[i],
			                      cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(
			                                              k8c_jget(nt, "spec"), spec_fields[i]), 1));
	}
	for (size_t i = 0; i < 2; i++) {
		const cJSON *v = k8c_jget(k8c_jget(nt, "metadata"), meta_fields[i]);
		cJSON_DeleteItemFromObjectCaseSensitive(meta, meta_fields[i]);
		if (v != NULL)
			cJSON_AddItemToObject(meta, meta_fields[i], cJSON_Duplicate(v, 1));
	}
	return t;
}

static char *go_ptr(const cJSON *v, int quote)
{
	if (!k8c_groups_set(v))
		return k8c_xstrdup("null");
	return quote && cJSON_IsString(v) ? k8c_go_quote(v->valuestring) : k8c_go_json(v);
}

/* ValidateJobSpecUpdate's immutable fields. */
static void validate_job_update(k8c_field_errors_t *errs, const cJSON *obj, const cJSON *old)
{
	static const struct { const char *name; int quote; } fixed[] = {
		{"completionMode", 1}, {"podFailurePolicy", 0}, {"backoffLimitPerIndex", 0},
		{"managedBy", 1}, {"successPolicy", 0},
	};
	const cJSON *spec = k8c_jget(obj, "spec"), *ospec = k8c_jget(old, "spec");
	const cJSON *c = k8c_jget(spec, "completions");
	cJSON *otmpl;

	if (!is_str(spec, "completionMode", "Indexed"))
		k8c_groups_immutable(errs, "spec.completions", c, k8c_jget(ospec, "completions"),
		                     go_ptr(c, 0));
	else if (!k8c_groups_equal(c, k8c_jget(ospec, "completions")) && cJSON_IsNumber(c) &&
	         k8c_jint(spec, "completions", 0) != k8c_jint(spec, "parallelism", 0))
		k8c_groups_err(errs, K8C_FIELD_INVALID, "spec.completions", go_ptr(c, 0),
		               "can only be modified in tandem with spec.parallelism");
	k8c_groups_selector_immutable(errs, obj, old);
	otmpl = comparable_template(obj, old);
	k8c_groups_immutable(errs, "spec.template", k8c_jget(spec, "template"), otmpl,
	                     k8c_go_json(k8c_jget(spec, "template")));
	cJSON_Delete(otmpl);
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		_cleanup_free_ char *p = k8c_xasprintf("spec.%s", fixed[i].name);
		const cJSON *v = k8c_jget(spec, fixed[i].name);
		k8c_groups_immutable(errs, p, v, k8c_jget(ospec, fixed[i].name), go_ptr(v, fixed[i].quote));
	}
}

static void validate_job_status(k8c_field_errors_t *errs, const cJSON *obj)
{
	static const char *const counts[] = {"active", "succeeded", "failed", "ready", "terminating", NULL};
	static const char *const lists[] = {"succeeded", "failed"};
	const cJSON *st = k8c_jget(obj, "status"), *uid;
	cJSON *seen = cJSON_CreateObject();

	k8c_groups_status_nonneg(errs, st, counts);
	for (size_t l = 0; l < 2; l++) {
		int i = 0;
		cJSON_ArrayForEach(uid, k8c_jget(k8c_jget(st, "uncountedTerminatedPods"), lists[l])) {
			_cleanup_free_ char *p = k8c_xasprintf("status.uncountedTerminatedPods.%s[%d]",
			                                       lists[l], i++);
			const char *u = cJSON_IsString(uid) ? uid->valuestring : "";
			if (u[0] == '\0')
				k8c_groups_err(errs, K8C_FIELD_INVALID, p, k8c_go_quote(u), "must not be empty");
			else if (cJSON_GetObjectItemCaseSensitive(seen, u) != NULL)
				k8c_groups_err(errs, K8C_FIELD_DUPLICATE, p, k8c_go_quote(u), NULL);
			else
				cJSON_AddTrueToObject(seen, u);
		}
	}
	cJSON_Delete(seen);
}

static void job_validate(int op, const cJSON *obj, const cJSON *old, k8c_field_errors_t *errs)
{
	int batch_labels = 1;

	if (op == K8C_OP_STATUS_UPDATE) {
		validate_job_status(errs, obj);
		return;
	}
	/* Jobs made before the batch.kubernetes.io labels keep working. */
	if (op == K8C_OP_UPDATE)
		batch_labels = k8c_groups_member(k8c_jget(old, "spec.template.metadata.labels"), JOB_NAME_LABEL) &&
		               k8c_groups_member(k8c_jget(old, "spec.template.metadata.labels"), CONTROLLER_UID_LABEL);
	validate_job(errs, obj, batch_labels);
	if (op == K8C_OP_UPDATE)
		validate_job_update(errs, obj, old);
}

/* --- Job Table and fields ----------------------------------------------- */

/* hasJobCondition: the first condition of the type decides. */
static int job_condition(const cJSON *obj, const char *type)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, k8c_jget(obj, "status.conditions"))
		if (is_str(c, "type", type))
			return is_str(c, "status", "True");
	return 0;
}

static const char *job_status(const cJSON *obj)
{
	if (job_condition(obj, "Complete"))
		return "Complete";
	if (job_condition(obj, "Failed"))
		return "Failed";
	if (k8c_groups_set(k8c_jget(obj, "metadata.deletionTimestamp")))
		return "Terminating";
	if (job_condition(obj, "Suspended"))
		return "Suspended";
	if (job_condition(obj, "FailureTarget"))
		return "FailureTarget";
	return "Running";
}

static void job_row(const cJSON *obj, cJSON *cells, long long now_s)
{
	long long ok = k8c_jint(obj, "status.succeeded", 0), par, start, end;
	int has_start = k8c_groups_time(k8c_jstr(obj, "status.startTime"), &start) > 0;
	int has_end = k8c_groups_time(k8c_jstr(obj, "status.completionTime"), &end) > 0;
	char buf[K8C_DURATION_STRLEN];

	k8c_cell_name(cells, obj);
	k8c_cell_str(cells, job_status(obj));
	if (cJSON_IsNumber(k8c_jget(obj, "spec.completions")))
		k8c_cell_own(cells, k8c_xasprintf("%lld/%lld", ok, k8c_jint(obj, "spec.completions", 0)));
	else if ((par = k8c_jint(obj, "spec.parallelism", 0)) > 1)
		k8c_cell_own(cells, k8c_xasprintf("%lld/1 of %lld", ok, par));
	else
		k8c_cell_own(cells, k8c_xasprintf("%lld/1", ok));
	if (!has_start)
		k8c_cell_str(cells, "");
	else
		k8c_cell_str(cells, k8c_human_duration((has_end ? end : now_s) - start, buf));
	k8c_cell_age(cells, obj, now_s);
	k8c_cell_containers(cells, k8c_jget(obj, "spec.template.spec"));
	k8c_cell_own(cells, k8c_groups_format_selector(k8c_jget(obj, "spec.selector")));
}

static const k8c_table_column_t job_columns[] = {
	K8C_COL_NAME,
	{"Status", "string", "", "Status of the job.", 0},
	{"Completions", "string", "",
	 "The number of pods which reached phase Succeeded. The value increases monotonically "
	 "for a given spec. However, it may decrease in reaction to scale down of elastic "
	 "indexed jobs.", 0},
	{"Duration", "string", "", "Time required to complete the job.", 0},
	K8C_COL_AGE,
	K8C_COL_CONTAINERS,
	K8C_COL_IMAGES,
	{"Selector", "string", "",
	 "A label query over pods that should match the pod count. Normally, the system sets "
	 "this field for you. More info: https://kubernetes.io/docs/concepts/overview/"
	 "working-with-objects/labels/#label-selectors", 1},
};

static const char *const job_fields[] = {"status.successful", NULL};

static const char *job_field_value(const cJSON *obj, const char *field, char *buf, size_t len)
{
	if (strcmp(field, "status.successful") != 0)
		return k8c_jstr(obj, field);
	snprintf(buf, len, "%lld", k8c_jint(obj, "status.succeeded", 0));
	return buf;
}

const k8c_kind_t k8c_kind_jobs = {
	.group = "batch",
	.version = "v1",
	.resource = "jobs",
	.singular = "job",
	.kind = "Job",
	.namespaced = 1,
	.categories = all_category,
	.verbs = K8C_VERBS_ALL,
	.subresources = K8C_SUB_STATUS,
	.schema_type = "io.k8s.api.batch.v1.Job",
	.has_status = 1,
	.has_generation = 1,
	.defaults = job_defaults,
	.prepare = job_prepare,
	.validate = job_validate,
	.columns = job_columns,
	.n_columns = sizeof(job_columns) / sizeof(job_columns[0]),
	.row = job_row,
	.field_selectors = job_fields,
	.field_value = job_field_value,
};

/* ======================================================================== */
/* CronJob                                                                  */
/* ======================================================================== */

static void cronjob_defaults(cJSON *obj)
{
	cJSON *spec = k8c_jobject(obj, "spec"), *js;
	const char *cp = k8c_jstr(spec, "concurrencyPolicy");

	if (spec == NULL)
		return;
	if (cp == NULL || cp[0] == '\0') {
		cJSON_DeleteItemFromObjectCaseSensitive(spec, "concurrencyPolicy");
		cJSON_AddStringToObject(spec, "concurrencyPolicy", "Allow");
	}
	k8c_jdefault_bool(spec, "suspend", 0);
	k8c_jdefault_int(spec, "successfulJobsHistoryLimit", 3);
	k8c_jdefault_int(spec, "failedJobsHistoryLimit", 1);
	js = (cJSON *)k8c_jget(spec, "jobTemplate.spec");
	if (cJSON_IsObject(js)) {
		policy_defaults(js);
		k8c_groups_pod_template_defaults(cJSON_GetObjectItemCaseSensitive(js, "template"));
	}
}

static void cronjob_prepare(int op, cJSON *obj, const cJSON *old)
{
	if (op == K8C_OP_CREATE)
		k8c_groups_reset_status(obj);
}

static void validate_schedule(k8c_field_errors_t *errs, const cJSON *spec, const cJSON *ospec)
{
	const char *sched = k8c_jstr(spec, "schedule"), *old = k8c_jstr(ospec, "schedule");
	int allow_tz = old != NULL && strstr(old, "TZ") != NULL;
	char *err = NULL;

	if (sched == NULL || sched[0] == '\0') {
		k8c_groups_err(errs, K8C_FIELD_REQUIRED, "spec.schedule", NULL, NULL);
		return;
	}
	if (k8c_cron_parse(sched, &err) < 0)
		k8c_groups_err(errs, K8C_FIELD_INVALID, "spec.schedule", k8c_go_quote(sched), "%s", err);
	free(err);
	if (allow_tz && strstr(sched, "TZ") && k8c_groups_set(k8c_jget(spec, "timeZone")))
		k8c_groups_err(errs, K8C_FIELD_INVALID, "spec.schedule", k8c_go_quote(sched),
		               "cannot use both timeZone field and TZ or CRON_TZ in schedule");
	else if (!allow_tz && strstr(sched, "TZ"))
		k8c_groups_err(errs, K8C_FIELD_INVALID, "spec.schedule", k8c_go_quote(sched),
		               "cannot use TZ or CRON_TZ in schedule, use timeZone field instead");
}

/* validateTimeZone; the parts must look like IANA names first. */
static void validate_time_zone(k8c_field_errors_t *errs, const char *tz)
{
	_cleanup_free_ char *copy = k8c_xstrdup(tz);
	char *err = NULL, *part = copy;

	if (tz[0] == '\0') {
		k8c_groups_err(errs, K8C_FIELD_INVALID, "spec.timeZone", k8c_go_quote(tz),
		               "timeZone must be nil or non-empty string");
		return;
	}
	for (char *slash;; part = slash + 1) {
		size_t n;
		if ((slash = strchr(part, '/')) != NULL)
			*slash = '\0';
		n = strlen(part);
		if (n == 0 || n > 14 || strcmp(part, ".") == 0 || strcmp(part, "..") == 0 ||
		    part[0] == '-' ||
		    strspn(part, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz.-_0123456789+") != n) {
			k8c_groups_err(errs, K8C_FIELD_INVALID, "spec.timeZone", k8c_go_quote(tz),
			               "unknown time zone %s", tz);
			return;
		}
		if (slash == NULL)
			break;
	}
	if (strcasecmp(tz, "Local") == 0)
		k8c_groups_err(errs, K8C_FIELD_INVALID, "spec.timeZone", k8c_go_quote(tz),
		               "timeZone must be an explicit time zone as defined in "
		               "https://www.iana.org/time-zones");
	if (k8c_time_zone_load(tz, &err) < 0)
		k8c_groups_err(errs, K8C_FIELD_INVALID, "spec.timeZone", k8c_go_quote(tz), "%s", err);
	free(err);
}

static void validate_cronjob_spec(k8c_field_errors_t *errs, const cJSON *spec, const cJSON *ospec)
{
	const cJSON *tz = k8c_jget(spec, "timeZone"), *js = k8c_jget(spec, "jobTemplate.spec");
	const char *cp = k8c_jstr(spec, "concurrencyPolicy");

	validate_schedule(errs, spec, ospec);
	k8c_groups_nonneg(errs, "spec.startingDeadlineSeconds", k8c_jget(spec, "startingDeadlineSeconds"));
	if ((ospec == NULL || !k8c_groups_equal(tz, k8c_jget(ospec, "timeZone"))) && cJSON_IsString(tz))
		validate_time_zone(errs, tz->valuestring);
	if (cp == NULL || cp[0] == '\0')
		k8c_groups_err(errs, K8C_FIELD_REQUIRED, "spec.concurrencyPolicy", NULL, NULL);
	else if (strcmp(cp, "Allow") != 0 && strcmp(cp, "Forbid") != 0 && strcmp(cp, "Replace") != 0)
		k8c_groups_err(errs, K8C_FIELD_NOT_SUPPORTED, "spec.concurrencyPolicy", k8c_go_quote(cp),
		               "supported values: \"Allow\", \"Forbid\", \"Replace\"");
	validate_job_spec(errs, js, "spec.jobTemplate.spec");
	if (k8c_groups_set(k8c_jget(js, "selector")))
		k8c_groups_err(errs, K8C_FIELD_INVALID, "spec.jobTemplate.spec.selector",
		               k8c_go_label_selector(k8c_jget(js, "selector")),
		               "`selector` will be auto-generated");
	if (k8c_jbool(js, "manualSelector", 0))
		k8c_groups_err(errs, K8C_FIELD_NOT_SUPPORTED, "spec.jobTemplate.spec.manualSelector",
		               k8c_xstrdup("true"), "supported values: \"nil\", \"false\"");
	k8c_groups_nonneg(errs, "spec.successfulJobsHistoryLimit",
	                  k8c_jget(spec, "successfulJobsHistoryLimit"));
	k8c_groups_nonneg(errs, "spec.failedJobsHistoryLimit", k8c_jget(spec, "failedJobsHistoryLimit"));
}

static void cronjob_validate(int op, const cJSON *obj, const cJSON *old, k8c_field_errors_t *errs)
{
	const char *name = k8c_jstr(obj, "metadata.name");

	if (op == K8C_OP_STATUS_UPDATE)
		return; /* the cronjob status strategy validates nothing */
	validate_cronjob_spec(errs, k8c_jget(obj, "spec"),
	                      op == K8C_OP_UPDATE ? k8c_jget(old, "spec") : NULL);
	/* Jobs get an 11-character suffix and are at most 63 long. */
	if (op == K8C_OP_CREATE && name != NULL && strlen(name) > 52)
		k8c_groups_err(errs, K8C_FIELD_INVALID, "metadata.name", k8c_go_quote(name),
		               "must be no more than 52 characters");
}

static const k8c_table_column_t cronjob_columns[] = {
	K8C_COL_NAME,
	{"Schedule", "string", "",
	 "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.", 0},
	{"Timezone", "string", "",
	 "The time zone name for the given schedule, see "
	 "https://en.wikipedia.org/wiki/List_of_tz_database_time_zones. If not specified, this "
	 "will default to the time zone of the kube-controller-manager process. The set of "
	 "valid time zone names and the time zone offset is loaded from the system-wide time "
	 "zone database by the API server during CronJob validation and the controller manager "
	 "during execution. If no system-wide time zone database can be found a bundled "
	 "version of the database is used instead. If the time zone name becomes invalid "
	 "during the lifetime of a CronJob or due to a change in host configuration, the "
	 "controller will stop creating new new Jobs and will create a system event with the "
	 "reason UnknownTimeZone. More information can be found in "
	 "https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#time-zones", 0},
	{"Suspend", "boolean", "",
	 "This flag tells the controller to suspend subsequent executions, it does not apply "
	 "to already started executions.  Defaults to false.", 0},
	{"Active", "integer", "", "A list of pointers to currently running jobs.", 0},
	{"Last Schedule", "string", "",
	 "Information when was the last time the job was successfully scheduled.", 0},
	K8C_COL_AGE,
	K8C_COL_CONTAINERS,
	K8C_COL_IMAGES,
	{"Selector", "string", "",
	 "A label query over pods that should match the pod count. Normally, the system sets "
	 "this field for you. More info: https://kubernetes.io/docs/concepts/overview/"
	 "working-with-objects/labels/#label-selectors", 1},
};

static void cronjob_row(const cJSON *obj, cJSON *cells, long long now_s)
{
	const cJSON *suspend = k8c_jget(obj, "spec.suspend");
	const char *tz = k8c_jstr(obj, "spec.timeZone");
	long long last;
	char buf[K8C_DURATION_STRLEN];

	k8c_cell_name(cells, obj);
	k8c_cell_str(cells, k8c_jstr(obj, "spec.schedule"));
	k8c_cell_str(cells, tz ? tz : "<none>");
	k8c_cell_str(cells, cJSON_IsBool(suspend) ? (cJSON_IsTrue(suspend) ? "True" : "False")
	                                          : "<unset>");
	k8c_cell_int(cells, k8c_groups_len(k8c_jget(obj, "status.active")));
	if (k8c_groups_time(k8c_jstr(obj, "status.lastScheduleTime"), &last) > 0)
		k8c_cell_str(cells, k8c_human_duration(now_s - last, buf));
	else
		k8c_cell_str(cells, "<none>");
	k8c_cell_age(cells, obj, now_s);
	k8c_cell_containers(cells, k8c_jget(obj, "spec.jobTemplate.spec.template.spec"));
	k8c_cell_own(cells, k8c_groups_format_selector(k8c_jget(obj, "spec.jobTemplate.spec.selector")));
}

static const char *const cronjob_short[] = {"cj", NULL};

const k8c_kind_t k8c_kind_cronjobs = {
	.group = "batch",
	.version = "v1",
	.resource = "cronjobs",
	.singular = "cronjob",
	.kind = "CronJob",
	.namespaced = 1,
	.short_names = cronjob_short,
	.categories = all_category,
	.verbs = K8C_VERBS_ALL,
	.subresources = K8C_SUB_STATUS,
	.schema_type = "io.k8s.api.batch.v1.CronJob",
	.has_status = 1,
	.has_generation = 1,
	.defaults = cronjob_defaults,
	.prepare = cronjob_prepare,
	.validate = cronjob_validate,
	.columns = cronjob_columns,
	.n_columns = sizeof(cronjob_columns) / sizeof(cronjob_columns[0]),
	.row = cronjob_row,
};
