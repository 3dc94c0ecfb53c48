/* Strategic merge patch, the list side: lists with the merge strategy
 * merge by their merge key (lists of maps) or as sets (lists of
 * primitives), with the $patch items delete and replace; then the merged
 * list is put in order the way Kubernetes does it:
 *
 *   - the items the patch names, in the patch's order (or, for
 *     $setElementOrder, in the directive's order);
 *   - the other items ("server-only"), in the original list's order;
 *   - the two runs interleaved by the original list's order: a
 *     server-only item goes before a patch item when the original list
 *     had it before that item; a patch item the original list does not
 *     have goes as soon as it comes up.
 *
 * Go sorts with sort.SliceStable and a comparison that says "less" for
 * any pair where an item has no place in the order; for lists of up to 20
 * items that sort is an insertion sort, done the same way here. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#define K8C_PATCH_INTERNAL
#include "apiserver/patch.h"
#include "common/mem.h"

#define FMT_MAX 400
#define MAP_TYPE "map[string]interface {}"

/* --- the view of the original list ----------------------------------- */

void k8c_smp_view_init(k8c_smp_view_t *view, cJSON *list)
{
	size_t n = 0;

	for (cJSON *e = list->child; e != NULL; e = e->next)
		n++;
	view->v = k8c_xcalloc(n ? n : 1, sizeof(*view->v));
	n = 0;
	for (cJSON *e = list->child; e != NULL; e = e->next)
		view->v[n++] = e;
	view->n = view->len = n;
	view->graveyard = NULL;
}

void k8c_smp_view_free(k8c_smp_view_t *view)
{
	free(view->v);
	cJSON_Delete(view->graveyard);
	memset(view, 0, sizeof(*view));
}

/* Go's append(s[:i], s[i+1:]...) on the shared array: the last slot keeps
 * its old item. */
static void view_delete(k8c_smp_view_t *view, size_t i)
{
	if (view == NULL || i >= view->len)
		return;
	memmove(&view->v[i], &view->v[i + 1], (view->len - i - 1) * sizeof(*view->v));
	view->len--;
}

/* Go's append(s, x): lands in the shared array while there is room. */
static void view_append(k8c_smp_view_t *view, cJSON *x)
{
	if (view == NULL)
		return;
	if (view->len < view->n)
		view->v[view->len] = x;
	view->len++;
}

/* An item taken out of the list: the view may still name it. */
static void bury(k8c_smp_view_t *view, cJSON *x)
{
	if (view == NULL) {
		cJSON_Delete(x);
		return;
	}
	if (view->graveyard == NULL && (view->graveyard = cJSON_CreateArray()) == NULL)
		k8c_die("out of memory");
	x->prev = x->next = NULL;
	if (!cJSON_AddItemToArray(view->graveyard, x))
		k8c_die("out of memory");
}

/* --- values as Go compares them --------------------------------------- */

static int is_nil(const cJSON *v)
{
	return v == NULL || cJSON_IsNull(v);
}

/* Go's == on decoded values (deep equality where Go would panic on maps
 * or slices). */
static int go_eq(const cJSON *a, const cJSON *b)
{
	if (is_nil(a) || is_nil(b))
		return is_nil(a) && is_nil(b);
	if (strcmp(k8c_patch_gotype(a), k8c_patch_gotype(b)) != 0)
		return 0;
	return k8c_patch_equal(a, b);
}

int k8c_smp_element_kind(k8c_smp_t *c, const cJSON *a, const cJSON *b, int *kind)
{
	const cJSON *lists[2] = {a, b}, *first = NULL;

	for (int l = 0; l < 2; l++) {
		if (lists[l] == NULL)
			continue;
		for (const cJSON *e = lists[l]->child; e != NULL; e = e->next) {
			if (first == NULL) {
				first = e;
				if (k8c_smp_kind(e) == K8C_SMP_SLICE)
					return k8c_error_make(c->err, K8C_EINVAL,
					                      "lists of lists are not supported");
				if (!is_nil(e))
					continue;
			} else if (!is_nil(e) &&
			           strcmp(k8c_patch_gotype(e), k8c_patch_gotype(first)) == 0) {
				continue;
			}
			_cleanup_free_ char *sa = k8c_patch_gofmt(a, FMT_MAX);
			_cleanup_free_ char *sb = k8c_patch_gofmt(b, FMT_MAX);
			return k8c_error_make(c->err, K8C_EINVAL,
			                      "list element types are not identical: [%s %s]",
			                      a ? sa : "[]", b ? sb : "[]");
		}
	}
	if (first == NULL)
		return k8c_error_make(c->err, K8C_EINVAL, "no elements in any of the given slices");
	*kind = k8c_smp_kind(first);
	return 0;
}

/* --- vectors of items ------------------------------------------------- */

struct vec {
	cJSON **v;
	size_t n;
};

static void vec_push(struct vec *a, cJSON *x)
{
	if ((a->n & (a->n - 1)) == 0) /* 0, 1, 2, 4, ...: grow by doubling */
		a->v = k8c_xrealloc(a->v, (a->n ? a->n * 2 : 1) * sizeof(*a->v));
	a->v[a->n++] = x;
}

static struct vec children(const cJSON *list)
{
	struct vec a = {0};

	if (list != NULL)
		for (cJSON *e = list->child; e != NULL; e = e->next)
			vec_push(&a, e);
	return a;
}

/* Make items (exactly list's items, in a new order) list's children. */
static void relist(cJSON *list, cJSON **items, size_t n)
{
	list->child = NULL;
	for (size_t i = 0; i < n; i++) {
		items[i]->prev = items[i]->next = NULL;
		if (!cJSON_AddItemToArray(list, items[i]))
			k8c_die("out of memory");
	}
}

/* --- ordering ---------------------------------------------------------- */

/* What Go's index() compares: the merge key of a map, a primitive itself. */
static const cJSON *key_of(const cJSON *item, const char *mk, int kind)
{
	if (kind != K8C_SMP_MAP)
		return item;
	return cJSON_IsObject(item) ? k8c_patch_get(item, mk) : NULL;
}

static long index_in(const cJSON *const *keys, size_t n, const cJSON *key)
{
	for (size_t i = 0; i < n; i++)
		if (go_eq(keys[i], key))
			return (long)i;
	return -1;
}

static const cJSON **keys_of(cJSON *const *items, size_t n, const char *mk, int kind)
{
	const cJSON **k = k8c_xcalloc(n ? n : 1, sizeof(*k));

	for (size_t i = 0; i < n; i++)
		k[i] = key_of(items[i], mk, kind);
	return k;
}

/* Go's validateMergeKeyInLists for one list. */
static int validate(k8c_smp_t *c, cJSON *const *items, size_t n, const char *mk)
{
	for (size_t i = 0; i < n; i++) {
		if (!cJSON_IsObject(items[i]))
			return k8c_smp_err_bad_arg(c, MAP_TYPE, items[i]);
		if (k8c_patch_get(items[i], mk) == NULL)
			return k8c_smp_err_no_merge_key(c, items[i], mk);
	}
	return 0;
}

/* Go's normalizeSliceOrder: a stable sort by the place in order. */
static void sort_by(cJSON **items, size_t n, const struct vec *order, const char *mk, int kind)
{
	_cleanup_free_ const cJSON **okeys = keys_of(order->v, order->n, mk, kind);
	_cleanup_free_ long *idx = k8c_xcalloc(n ? n : 1, sizeof(*idx));

	for (size_t i = 0; i < n; i++)
		idx[i] = index_in(okeys, order->n, key_of(items[i], mk, kind));
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0; j--) {
			/* Go's less(j, j-1): both placed and j first, or
			 * either one not placed. */
			if (idx[j] >= 0 && idx[j - 1] >= 0 && idx[j] >= idx[j - 1])
				break;
			cJSON *t = items[j];
			long ti = idx[j];
			items[j] = items[j - 1];
			idx[j] = idx[j - 1];
			items[j - 1] = t;
			idx[j - 1] = ti;
		}
}

/* Go's mergeSortedSlice: left = server-only items, right = patch items. */
static void merge_sorted(cJSON **left, size_t nl, cJSON **right, size_t nr,
                         const struct vec *server, const char *mk, int kind, cJSON **out)
{
	_cleanup_free_ const cJSON **skeys = keys_of(server->v, server->n, mk, kind);
	_cleanup_free_ long *li = k8c_xcalloc(nl ? nl : 1, sizeof(*li));
	_cleanup_free_ long *ri = k8c_xcalloc(nr ? nr : 1, sizeof(*ri));
	size_t i = 0, j = 0, k = 0;

	for (size_t x = 0; x < nl; x++)
		li[x] = index_in(skeys, server->n, key_of(left[x], mk, kind));
	for (size_t x = 0; x < nr; x++)
		ri[x] = index_in(skeys, server->n, key_of(right[x], mk, kind));
	while (i < nl || j < nr) {
		if (i >= nl)
			out[k++] = right[j++];
		else if (j >= nr)
			out[k++] = left[i++];
		else if (li[i] >= 0 && ri[j] >= 0 && li[i] < ri[j])
			out[k++] = left[i++];
		else
			out[k++] = right[j++];
	}
}

/* Go's partitionMapsByPresentInList / partitionPrimitivesByPresentInList:
 * the merged items the list `by` names, and the others. */
static int partition(k8c_smp_t *c, const struct vec *merged, const struct vec *by, const char *mk,
                     struct vec *named, struct vec *others)
{
	for (size_t i = 0; i < merged->n; i++) {
		cJSON *v = merged->v[i];
		const cJSON *kv = NULL;
		int found = 0;

		if (mk != NULL && *mk != '\0') {
			if (!cJSON_IsObject(v))
				return k8c_smp_err_bad_arg(c, MAP_TYPE, v);
			if ((kv = k8c_patch_get(v, mk)) == NULL)
				return k8c_smp_err_no_merge_key(c, v, mk);
			for (size_t j = 0; j < by->n && !found; j++) {
				const cJSON *bv;
				if (!cJSON_IsObject(by->v[j]))
					return k8c_error_make(c->err, K8C_EINVAL,
					                      "value for key %zu is not a map", j);
				bv = k8c_patch_get(by->v[j], mk);
				found = bv != NULL && go_eq(bv, kv);
			}
		} else {
			for (size_t j = 0; j < by->n && !found; j++)
				found = go_eq(by->v[j], v);
		}
		vec_push(found ? named : others, v);
	}
	return 0;
}

/* Go's normalizeElementOrder, then the result into list. */
static int normalize(k8c_smp_t *c, cJSON *list, struct vec *named, struct vec *others,
                     const struct vec *order, const struct vec *server, const char *mk, int kind)
{
	_cleanup_free_ cJSON **out = NULL;
	int ret;

	if (kind == K8C_SMP_MAP && ((ret = validate(c, named->v, named->n, mk)) < 0 ||
	                            (ret = validate(c, order->v, order->n, mk)) < 0))
		return ret;
	sort_by(named->v, named->n, order, mk, kind);
	if (kind == K8C_SMP_MAP && ((ret = validate(c, others->v, others->n, mk)) < 0 ||
	                            (ret = validate(c, server->v, server->n, mk)) < 0))
		return ret;
	sort_by(others->v, others->n, server, mk, kind);
	out = k8c_xcalloc(named->n + others->n + 1, sizeof(*out));
	merge_sorted(others->v, others->n, named->v, named->n, server, mk, kind, out);
	relist(list, out, named->n + others->n);
	return 0;
}

/* Partition then normalize; list's children are the merged items. */
static int order_list(k8c_smp_t *c, cJSON *list, const struct vec *by, const struct vec *server,
                      const char *mk, int kind, const k8c_error_t *kind_err)
{
	struct vec merged = children(list), named = {0}, others = {0};
	int ret = partition(c, &merged, by, mk, &named, &others);

	if (ret == 0 && kind_err != NULL) {
		if (c->err != NULL)
			*c->err = *kind_err;
		ret = -kind_err->code;
	}
	if (ret == 0)
		ret = normalize(c, list, &named, &others, by, server, mk, kind);
	free(merged.v);
	free(named.v);
	free(others.v);
	return ret;
}

int k8c_smp_set_order(k8c_smp_t *c, cJSON *list, const cJSON *order, cJSON *const *server,
                      size_t n_server, const char *mk, int kind, const k8c_error_t *kind_err)
{
	struct vec by = children(order);
	struct vec srv = {(cJSON **)server, n_server};
	int ret;

	/* No merge key: Go's "" (which no map has). */
	ret = order_list(c, list, &by, &srv, mk ? mk : "", kind, kind_err);

	free(by.v);
	return ret;
}

/* --- merging ------------------------------------------------------------ */

static int contains(const cJSON *list, const cJSON *x)
{
	for (const cJSON *e = list->child; e != NULL; e = e->next)
		if (go_eq(e, x))
			return 1;
	return 0;
}

/* Lists of primitives merge as sets: the union, duplicates dropped. */
static int merge_primitives(k8c_smp_t *c, cJSON *ol, cJSON *p, int del, const char *mk, int kind,
                            k8c_smp_view_t *view)
{
	struct vec orig, cand = {0}, merged = {0};
	_cleanup_free_ char *used = NULL;
	int ret;

	if (del) {
		/* $deleteFromPrimitiveList/: every equal item goes. */
		for (cJSON *e = ol->child, *next; e != NULL; e = next) {
			next = e->next;
			if (contains(p, e))
				bury(view, cJSON_DetachItemViaPointer(ol, e));
		}
		return 0;
	}
	orig = children(ol);
	for (size_t i = 0; i < orig.n; i++)
		vec_push(&cand, orig.v[i]);
	for (cJSON *e = p->child; e != NULL; e = e->next)
		vec_push(&cand, k8c_patch_copy(e));
	used = k8c_xcalloc(cand.n + 1, 1);
	for (size_t i = 0; i < cand.n; i++) {
		size_t j;
		for (j = 0; j < merged.n && !go_eq(merged.v[j], cand.v[i]); j++)
			;
		if (j == merged.n) {
			vec_push(&merged, cand.v[i]);
			used[i] = 1;
		}
	}
	relist(ol, merged.v, merged.n);
	{
		struct vec by = children(p), named = {0}, others = {0};
		ret = partition(c, &merged, &by, mk, &named, &others);
		if (ret == 0)
			ret = normalize(c, ol, &named, &others, &by, &orig, mk, kind);
		free(by.v);
		free(named.v);
		free(others.v);
	}
	for (size_t i = 0; i < cand.n; i++)
		if (!used[i]) {
			cand.v[i]->prev = cand.v[i]->next = NULL;
			if (i < orig.n)
				bury(view, cand.v[i]);
			else
				cJSON_Delete(cand.v[i]);
		}
	free(orig.v);
	free(cand.v);
	free(merged.v);
	return ret;
}

/* The first item of ol whose merge key mk is present and equals kv. */
static cJSON *find_by_key(const cJSON *ol, const char *mk, const cJSON *kv, size_t *pos)
{
	size_t i = 0;

	for (cJSON *e = ol->child; e != NULL; e = e->next, i++) {
		const cJSON *ev = k8c_patch_get(e, mk);
		if (ev != NULL && go_eq(ev, kv)) {
			if (pos != NULL)
				*pos = i;
			return e;
		}
	}
	return NULL;
}

/* Go's mergeSliceWithSpecialElements: the $patch items. */
static int special_items(k8c_smp_t *c, cJSON *ol, cJSON *p, const char *mk, int *replace,
                         k8c_smp_view_t *view)
{
	for (cJSON *e = p->child, *next; e != NULL; e = next) {
		const cJSON *d = k8c_patch_get(e, "$patch"), *kv;
		cJSON *x;
		size_t pos;

		next = e->next;
		if (d == NULL)
			continue;
		if (cJSON_IsString(d) && strcmp(d->valuestring, "delete") == 0) {
			if ((kv = k8c_patch_get(e, mk)) == NULL)
				return k8c_smp_err_no_merge_key(c, e, mk);
			/* All items with that key go. */
			while ((x = find_by_key(ol, mk, kv, &pos)) != NULL) {
				cJSON_DetachItemViaPointer(ol, x);
				view_delete(view, pos);
				bury(view, x);
			}
		} else if (cJSON_IsString(d) && strcmp(d->valuestring, "replace") == 0) {
			*replace = 1; /* and go on: the other $patch items are dropped */
		} else if (cJSON_IsString(d) && strcmp(d->valuestring, "merge") == 0) {
			return k8c_error_make(c->err, K8C_EINVAL,
			                      "merging lists cannot yet be specified in the patch");
		} else {
			return k8c_smp_err_bad_patch_type(c, d, e);
		}
		cJSON_Delete(cJSON_DetachItemViaPointer(p, e));
	}
	return 0;
}

static int merge_maps(k8c_smp_t *c, cJSON *ol, cJSON *p, const void *node, const char *mk,
                      k8c_smp_view_t *view)
{
	const void *items = k8c_smp_items(c, node);
	_cleanup_json_ cJSON *keys = NULL;
	struct vec server = {0}, by = {0};
	cJSON *e, *x, *r;
	int replace = 0, ret;

	if ((ret = special_items(c, ol, p, mk, &replace, view)) < 0)
		return ret;
	if (replace) {
		/* The patch's items, as they are, are the list. */
		while ((x = ol->child) != NULL)
			bury(view, cJSON_DetachItemViaPointer(ol, x));
		while ((e = p->child) != NULL) {
			cJSON_DetachItemViaPointer(p, e);
			if ((ret = k8c_smp_fresh(c, e, items, &r)) < 0)
				return ret;
			if (!cJSON_AddItemToArray(ol, r))
				k8c_die("out of memory");
		}
		server = children(ol);
	} else {
		server = children(ol);
		/* The patch's merge keys, kept for ordering: merging consumes
		 * the patch items. */
		if ((keys = cJSON_CreateArray()) == NULL)
			k8c_die("out of memory");
		while ((e = p->child) != NULL) {
			const cJSON *kv = k8c_patch_get(e, mk);
			cJSON *k;

			if (kv == NULL) {
				ret = k8c_smp_err_no_merge_key(c, e, mk);
				goto out;
			}
			if ((k = cJSON_CreateObject()) == NULL)
				k8c_die("out of memory");
			k8c_patch_add_member(k, mk, k8c_patch_copy(kv));
			if (!cJSON_AddItemToArray(keys, k))
				k8c_die("out of memory");
			cJSON_DetachItemViaPointer(p, e);
			x = find_by_key(ol, mk, kv, NULL);
			if (x != NULL) {
				ret = k8c_smp_merge_map(c, x, e, items);
				cJSON_Delete(e);
			} else if ((ret = k8c_smp_fresh(c, e, items, &r)) == 0) {
				if (!cJSON_AddItemToArray(ol, r))
					k8c_die("out of memory");
				view_append(view, r);
			}
			if (ret < 0)
				goto out;
		}
		by = children(keys);
	}
	ret = order_list(c, ol, &by, &server, mk, K8C_SMP_MAP, NULL);
out:
	free(server.v);
	free(by.v);
	return ret;
}

int k8c_smp_merge_slice(k8c_smp_t *c, cJSON *ol, cJSON *p, const void *node, const char *name,
                        int del, k8c_smp_view_t *view)
{
	const char *mk = k8c_smp_merge_key(c, node);
	int kind, ret;

	if (view != NULL)
		k8c_smp_view_init(view, ol);
	if (ol->child == NULL && p->child == NULL)
		return 0;
	if ((ret = k8c_smp_element_kind(c, ol, p, &kind)) < 0)
		return ret;
	if (kind != K8C_SMP_MAP)
		return merge_primitives(c, ol, p, del, mk, kind, view);
	if (mk == NULL || *mk == '\0')
		return k8c_error_make(c->err, K8C_EINVAL, "cannot merge lists without merge key for %s",
		                      name);
	return merge_maps(c, ol, p, node, mk, view);
}
