/* The Deployment controller's pure parts (see dep_util.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "common/json_path.h"
#include "common/mem.h"
#include "common/timestamp.h"
#include "dep_util.h"

/* --- numbers ------------------------------------------------------------- */

int dep_scaled_value(const cJSON *v, long total, int round_up, long *out)
{
	const char *s;
	char *end;
	size_t n;
	long pct, x;

	*out = 0;
	if (v == NULL || cJSON_IsNull(v))
		return 0;
	if (cJSON_IsNumber(v)) {
		*out = (long)v->valuedouble;
		return 0;
	}
	if (!cJSON_IsString(v))
		return -1;
	s = v->valuestring;
	n = strlen(s);
	if (n < 2 || s[n - 1] != '%')
		return -1;
	pct = strtol(s, &end, 10);
	if (end != s + n - 1)
		return -1;
	x = pct * total;
	/* math.Ceil / math.Floor of x/100 */
	if (round_up)
		*out = x >= 0 ? (x + 99) / 100 : -((-x) / 100);
	else
		*out = x >= 0 ? x / 100 : -((-x + 99) / 100);
	return 0;
}

void dep_fenceposts(const cJSON *max_surge, const cJSON *max_unavailable, long desired,
                    long *surge, long *unavailable)
{
	if (dep_scaled_value(max_surge, desired, 1, surge) < 0)
		*surge = 0;
	if (dep_scaled_value(max_unavailable, desired, 0, unavailable) < 0)
		*unavailable = 0;
	if (*surge == 0 && *unavailable == 0)
		*unavailable = 1;
}

/* --- a Deployment -------------------------------------------------------- */

long dep_jlong(const cJSON *obj, const char *path, long dflt)
{
	const cJSON *v = k8c_jget(obj, path);

	return cJSON_IsNumber(v) ? (long)v->valuedouble : dflt;
}

long dep_replicas(const cJSON *obj)
{
	return dep_jlong(obj, "spec.replicas", 1);
}

int dep_is_rolling(const cJSON *d)
{
	const char *t = k8c_jstr(d, "spec.strategy.type");

	return t != NULL && strcmp(t, "RollingUpdate") == 0;
}

static void fenceposts_of(const cJSON *d, long *surge, long *unavailable)
{
	const cJSON *ru = k8c_jget(d, "spec.strategy.rollingUpdate");

	dep_fenceposts(cJSON_GetObjectItemCaseSensitive(ru, "maxSurge"),
	               cJSON_GetObjectItemCaseSensitive(ru, "maxUnavailable"), dep_replicas(d),
	               surge, unavailable);
}

long dep_max_surge(const cJSON *d)
{
	long s, u;

	if (!dep_is_rolling(d))
		return 0;
	fenceposts_of(d, &s, &u);
	return s;
}

long dep_max_unavailable(const cJSON *d)
{
	long s, u, r = dep_replicas(d);

	if (!dep_is_rolling(d) || r == 0)
		return 0;
	fenceposts_of(d, &s, &u);
	return u > r ? r : u;
}

int dep_has_progress_deadline(const cJSON *d)
{
	const cJSON *p = k8c_jget(d, "spec.progressDeadlineSeconds");

	return cJSON_IsNumber(p) && p->valuedouble != 2147483647.0;
}

/* --- a ReplicaSet -------------------------------------------------------- */

const char *dep_annotation(const cJSON *obj, const char *key)
{
	const cJSON *a = k8c_jget(obj, "metadata.annotations");
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(a, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static long parse_long(const char *s, long bad)
{
	char *end;
	long v;

	if (s == NULL || *s == '\0')
		return bad;
	v = strtol(s, &end, 10);
	return *end == '\0' ? v : bad;
}

long dep_revision(const cJSON *rs)
{
	return parse_long(dep_annotation(rs, DEP_ANN_REVISION), 0);
}

long dep_annotated_max(const cJSON *rs)
{
	return parse_long(dep_annotation(rs, DEP_ANN_MAX), -1);
}

int64_t dep_created_ns(const cJSON *obj)
{
	const char *t = k8c_jstr(obj, "metadata.creationTimestamp");
	int64_t ns = 0;

	if (t == NULL || k8c_time_parse(t, &ns, NULL) < 0)
		return 0;
	return ns;
}

const char *dep_controller_uid(const cJSON *obj, const char **kind, const char **name)
{
	const cJSON *r;

	cJSON_ArrayForEach(r, k8c_jget(obj, "metadata.ownerReferences")) {
		if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "controller")))
			continue;
		if (kind != NULL)
			*kind = k8c_jstr(r, "kind");
		if (name != NULL)
			*name = k8c_jstr(r, "name");
		return k8c_jstr(r, "uid");
	}
	return NULL;
}

/* --- templates ----------------------------------------------------------- */

static int is_zero(const cJSON *v)
{
	const cJSON *c;

	if (v == NULL || cJSON_IsNull(v) || cJSON_IsFalse(v))
		return 1;
	if (cJSON_IsNumber(v))
		return v->valuedouble == 0;
	if (cJSON_IsString(v))
		return v->valuestring[0] == '\0';
	if (cJSON_IsArray(v))
		return v->child == NULL;
	if (cJSON_IsObject(v)) {
		cJSON_ArrayForEach(c, v) {
			if (!is_zero(c))
				return 0;
		}
		return 1;
	}
	return 0;
}

int dep_semantic_equal(const cJSON *a, const cJSON *b)
{
	const cJSON *c, *d;

	if (is_zero(a) && is_zero(b))
		return 1;
	if (a == NULL || b == NULL)
		return 0;
	if (cJSON_IsNumber(a) && cJSON_IsNumber(b))
		return a->valuedouble == b->valuedouble;
	if (cJSON_IsString(a) && cJSON_IsString(b))
		return strcmp(a->valuestring, b->valuestring) == 0;
	if ((a->type & 0xff) != (b->type & 0xff))
		return 0;
	if (cJSON_IsBool(a))
		return 1; /* same type: both true or both false */
	if (cJSON_IsArray(a)) {
		for (c = a->child, d = b->child; c != NULL && d != NULL; c = c->next, d = d->next)
			if (!dep_semantic_equal(c, d))
				return 0;
		return c == NULL && d == NULL;
	}
	if (cJSON_IsObject(a)) {
		cJSON_ArrayForEach(c, a) {
			if (!dep_semantic_equal(c, cJSON_GetObjectItemCaseSensitive(b, c->string)))
				return 0;
		}
		cJSON_ArrayForEach(d, b) {
			if (cJSON_GetObjectItemCaseSensitive(a, d->string) == NULL && !is_zero(d))
				return 0;
		}
		return 1;
	}
	return 0;
}

static cJSON *without_hash(const cJSON *tmpl)
{
	cJSON *t = tmpl ? cJSON_Duplicate(tmpl, 1) : cJSON_CreateObject();
	cJSON *labels = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(t, "metadata"), "labels");

	cJSON_DeleteItemFromObjectCaseSensitive(labels, DEP_HASH_LABEL);
	return t;
}

int dep_equal_ignore_hash(const cJSON *t1, const cJSON *t2)
{
	_cleanup_json_ cJSON *a = without_hash(t1);
	_cleanup_json_ cJSON *b = without_hash(t2);

	return dep_semantic_equal(a, b);
}

/* FNV-32a, fed with a canonical walk of the JSON (members sorted, zero
 * values skipped, each value tagged with its type). */
static void fnv(uint32_t *h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++) {
		*h ^= b[i];
		*h *= 16777619u;
	}
}

static int cmp_member(const void *a, const void *b)
{
	return strcmp((*(const cJSON *const *)a)->string, (*(const cJSON *const *)b)->string);
}

static void fnv_json(uint32_t *h, const cJSON *v)
{
	const cJSON *c;
	char num[64];

	if (cJSON_IsString(v)) {
		fnv(h, "s", 1);
		fnv(h, v->valuestring, strlen(v->valuestring) + 1);
	} else if (cJSON_IsNumber(v)) {
		snprintf(num, sizeof(num), "n%.17g", v->valuedouble);
		fnv(h, num, strlen(num) + 1);
	} else if (cJSON_IsBool(v)) {
		fnv(h, cJSON_IsTrue(v) ? "t" : "f", 1);
	} else if (cJSON_IsArray(v)) {
		fnv(h, "[", 1);
		cJSON_ArrayForEach(c, v) fnv_json(h, c);
		fnv(h, "]", 1);
	} else if (cJSON_IsObject(v)) {
		size_t n = 0, i = 0;
		const cJSON **m;

		cJSON_ArrayForEach(c, v) n++;
		m = k8c_xcalloc(n + 1, sizeof(*m));
		cJSON_ArrayForEach(c, v) {
			if (!is_zero(c))
				m[i++] = c;
		}
		if (i > 1)
			qsort(m, i, sizeof(*m), cmp_member);
		fnv(h, "{", 1);
		for (size_t j = 0; j < i; j++) {
			fnv(h, m[j]->string, strlen(m[j]->string) + 1);
			fnv_json(h, m[j]);
		}
		fnv(h, "}", 1);
		free(m);
	}
}

char *dep_template_hash(const cJSON *tmpl, const long *collision_count)
{
	static const char alphanums[] = "bcdfghjklmnpqrstvwxz2456789";
	_cleanup_json_ cJSON *t = without_hash(tmpl);
	uint32_t h = 2166136261u;
	char dec[16];

	fnv_json(&h, t);
	if (collision_count != NULL) {
		uint32_t c = (uint32_t)*collision_count;
		unsigned char le[4] = {c & 0xff, (c >> 8) & 0xff, (c >> 16) & 0xff, c >> 24};
		fnv(&h, le, sizeof(le));
	}
	snprintf(dec, sizeof(dec), "%u", (unsigned)h);
	for (char *p = dec; *p; p++)
		*p = alphanums[(unsigned char)*p % (sizeof(alphanums) - 1)];
	return k8c_xstrdup(dec);
}

/* --- orderings ----------------------------------------------------------- */

static const cJSON *deref(const void *p)
{
	return *(const cJSON *const *)p;
}

static int cmp_created(const cJSON *a, const cJSON *b)
{
	int64_t ta = dep_created_ns(a), tb = dep_created_ns(b);
	const char *na = k8c_jstr(a, "metadata.name"), *nb = k8c_jstr(b, "metadata.name");

	if (ta != tb)
		return ta < tb ? -1 : 1;
	return strcmp(na ? na : "", nb ? nb : "");
}

int dep_cmp_created(const void *a, const void *b)
{
	return cmp_created(deref(a), deref(b));
}

static int cmp_size(const void *a, const void *b, int newer_first)
{
	long ra = dep_replicas(deref(a)), rb = dep_replicas(deref(b));

	if (ra != rb)
		return ra > rb ? -1 : 1;
	return newer_first ? cmp_created(deref(b), deref(a)) : cmp_created(deref(a), deref(b));
}

int dep_cmp_size_older(const void *a, const void *b)
{
	return cmp_size(a, b, 0);
}

int dep_cmp_size_newer(const void *a, const void *b)
{
	return cmp_size(a, b, 1);
}

int dep_cmp_revision(const void *a, const void *b)
{
	long ra = dep_revision(deref(a)), rb = dep_revision(deref(b));

	if (ra != rb)
		return ra < rb ? -1 : 1;
	return cmp_created(deref(a), deref(b));
}

/* --- proportional scaling ------------------------------------------------ */

/* getReplicaSetFraction: how many replicas rs gains (or loses) when the
 * deployment's allowed size becomes d_replicas + max_surge. */
static long fraction(const dep_prop_t *rs, long d_replicas, long max_surge, long status_replicas)
{
	long annotated = rs->annotated_max >= 0 ? rs->annotated_max : status_replicas;
	double size;

	if (d_replicas == 0)
		return -rs->replicas;
	if (annotated == 0)
		return 0;
	size = (double)(rs->replicas * (d_replicas + max_surge)) / (double)annotated;
	/* integer.RoundToInt32: math.Round, half away from zero (size >= 0) */
	return (long)(size + 0.5) - rs->replicas;
}

void dep_proportional(dep_prop_t *rs, size_t n, long to_add, long d_replicas, long max_surge,
                      long status_replicas)
{
	long added = 0, p, allowed, f;

	for (size_t i = 0; i < n; i++) {
		p = 0;
		if (to_add != 0 && rs[i].replicas != 0 && to_add != added) {
			/* GetProportion: never past what is left to add */
			f = fraction(&rs[i], d_replicas, max_surge, status_replicas);
			allowed = to_add - added;
			if (to_add > 0)
				p = f < allowed ? f : allowed;
			else
				p = f > allowed ? f : allowed;
		}
		rs[i].size = rs[i].replicas + p;
		added += p;
	}
	/* leftovers go to the largest (the first) */
	if (n > 0 && to_add != 0) {
		rs[0].size += to_add - added;
		if (rs[0].size < 0)
			rs[0].size = 0;
	}
}
