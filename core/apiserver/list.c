/* LIST: label and field selectors, limit and continue (a consistent
 * snapshot at one revision), Table output. */
#define K8C_LOG_COMPONENT "apiserver"
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "apiserver/kinds/util.h"
#include "apiserver/list.h"
#include "apiserver/metrics.h"
#include "common/timestamp.h"
#include "common/base64.h"
#include "common/completion.h"
#include "common/log.h"
#include "common/json_print.h"
#include "common/mem.h"

#define PAGE 500

cJSON *k8c_make_list(const k8c_kind_t *kind, cJSON *items, int64_t rev, const char *cont)
{
	cJSON *l = cJSON_CreateObject(), *md;
	char buf[32];
	_cleanup_free_ char *lk = k8c_xasprintf("%sList", kind->kind);
	_cleanup_free_ char *av = kind->group[0] ? k8c_xasprintf("%s/%s", kind->group, kind->version)
	                                         : k8c_xstrdup(kind->version);

	cJSON_AddStringToObject(l, "kind", lk);
	cJSON_AddStringToObject(l, "apiVersion", av);
	md = cJSON_AddObjectToObject(l, "metadata");
	if (rev > 0) {
		snprintf(buf, sizeof(buf), "%lld", (long long)rev);
		cJSON_AddStringToObject(md, "resourceVersion", buf);
	}
	if (cont != NULL)
		cJSON_AddStringToObject(md, "continue", cont);
	cJSON_AddItemToObject(l, "items", items);
	return l;
}

int k8c_selectors_parse(const k8c_kind_t *kind, const k8c_api_request_t *req, k8c_selectors_t *s,
                        k8c_api_response_t *resp)
{
	k8c_error_t err;
	const char *ls = k8c_api_param(req, "labelSelector");
	const char *fs = k8c_api_param(req, "fieldSelector");

	memset(s, 0, sizeof(*s));
	if (ls != NULL && ls[0] && k8c_label_selector_parse(ls, &s->labels, &err) < 0) {
		k8c_api_respond_status(resp, 400, "BadRequest", NULL, "unable to parse requirement: %s", err.message);
		return -1;
	}
	if (fs != NULL && fs[0]) {
		if (k8c_field_selector_parse(fs, &s->fields, &err) < 0) {
			k8c_selectors_free(s);
			k8c_api_respond_status(resp, 400, "BadRequest", NULL, "invalid field selector: %s", err.message);
			return -1;
		}
		for (size_t i = 0; i < k8c_field_selector_count(s->fields); i++) {
			const char *field, *value;
			int op, ok = 0;
			k8c_field_selector_term(s->fields, i, &field, &op, &value);
			ok = strcmp(field, "metadata.name") == 0 ||
			     (kind->namespaced && strcmp(field, "metadata.namespace") == 0);
			for (const char *const *f = kind->field_selectors; !ok && f && *f; f++)
				ok = strcmp(*f, field) == 0;
			if (!ok) {
				k8c_api_respond_status(resp, 400, "BadRequest", NULL,
				                       "field label not supported: %s", field);
				k8c_selectors_free(s);
				return -1;
			}
		}
	}
	return 0;
}

typedef struct field_ctx {
	const k8c_kind_t *kind;
	const cJSON *obj;
	char buf[256];
} field_ctx_t;

static const char *field_get(void *udata, const char *field)
{
	field_ctx_t *c = udata;

	if (c->kind->field_value != NULL) {
		const char *v = c->kind->field_value(c->obj, field, c->buf, sizeof(c->buf));
		if (v != NULL)
			return v;
	}
	{
		const cJSON *v = k8c_jget(c->obj, field);
		if (cJSON_IsString(v))
			return v->valuestring;
		if (cJSON_IsBool(v))
			return cJSON_IsTrue(v) ? "true" : "false";
		if (cJSON_IsNumber(v)) {
			snprintf(c->buf, sizeof(c->buf), "%lld", (long long)v->valuedouble);
			return c->buf;
		}
	}
	return NULL;
}

int k8c_selectors_match(const k8c_kind_t *kind, const k8c_selectors_t *s, const cJSON *obj)
{
	if (s->labels != NULL &&
	    !k8c_label_selector_matches(s->labels, k8c_jget(obj, "metadata.labels")))
		return 0;
	if (s->fields != NULL) {
		field_ctx_t c = {kind, obj, ""};
		return k8c_field_selector_matches(s->fields, field_get, &c);
	}
	return 1;
}

void k8c_selectors_free(k8c_selectors_t *s)
{
	k8c_label_selector_free(s->labels);
	k8c_field_selector_free(s->fields);
	memset(s, 0, sizeof(*s));
}

/* Continue tokens: base64 of {"v":"meta.k8s.io/v1","rv":N,"start":KEY}. */
static char *encode_continue(int64_t rev, const char *start)
{
	cJSON *t = cJSON_CreateObject();
	char *json, *out;

	cJSON_AddStringToObject(t, "v", "meta.k8s.io/v1");
	cJSON_AddNumberToObject(t, "rv", (double)rev);
	cJSON_AddStringToObject(t, "start", start);
	json = cJSON_PrintUnformatted(t);
	cJSON_Delete(t);
	out = k8c_base64_encode(json, strlen(json));
	free(json);
	return out;
}

static int decode_continue(const char *token, const char *prefix, int64_t *rev, char **start)
{
	unsigned char *raw = NULL;
	size_t len;
	cJSON *t;
	int ret = -1;

	if (k8c_base64_decode(token, &raw, &len) < 0)
		return -1;
	t = cJSON_ParseWithLength((const char *)raw, len);
	free(raw);
	if (cJSON_IsNumber(cJSON_GetObjectItem(t, "rv")) && k8c_jstr(t, "start") != NULL &&
	    strncmp(k8c_jstr(t, "start"), prefix, strlen(prefix)) == 0) {
		*rev = (int64_t)cJSON_GetObjectItem(t, "rv")->valuedouble;
		*start = k8c_xstrdup(k8c_jstr(t, "start"));
		ret = *rev > 0 ? 0 : -1;
	}
	cJSON_Delete(t);
	return ret;
}

typedef struct collect {
	const k8c_kind_t *kind;
	const k8c_selectors_t *sel;
	cJSON *items;       /* the matching objects, or NULL when text is set */
	k8c_json_out_t *text; /* or their JSON text, comma-separated */
	long limit;       /* 0: all */
	long count;
	char *last_key;   /* owned: the last key read */
	int full;         /* limit reached with more to read */
} collect_t;

/* A stored value as a list item's text: the stored bytes with the
 * resourceVersion spliced in, parsed only when selectors need the object
 * (a LIST of 10,000 pods no longer builds 10,000 trees). */
static void collect_text(collect_t *c, const k8c_store_kv_t *kv)
{
	size_t n;
	char *item;

	if (c->sel->labels != NULL || c->sel->fields != NULL) {
		cJSON *obj = k8c_storage_decode(c->kind, kv->value, kv->value_len, kv->mod_revision);
		int match = obj != NULL && k8c_selectors_match(c->kind, c->sel, obj);
		cJSON_Delete(obj);
		if (!match)
			return;
	}
	item = k8c_storage_item_json(c->kind, kv, &n);
	if (item == NULL)
		return;
	if (c->count > 0)
		k8c_json_out_raw(c->text, ",", 1);
	k8c_json_out_raw(c->text, item, n);
	free(item);
	c->count++;
}

static int collect_kv(void *udata, const k8c_store_kv_t *kv)
{
	collect_t *c = udata;
	cJSON *obj;

	if (c->limit > 0 && c->count >= c->limit) {
		c->full = 1;
		return -1; /* stop: one more matching-or-not key exists */
	}
	free(c->last_key);
	c->last_key = k8c_xstrdup(kv->key);
	if (c->text != NULL) {
		collect_text(c, kv);
		return 0;
	}
	obj = k8c_storage_decode(c->kind, kv->value, kv->value_len, kv->mod_revision);
	if (obj == NULL)
		return 0;
	if (!k8c_selectors_match(c->kind, c->sel, obj)) {
		cJSON_Delete(obj);
		return 0;
	}
	cJSON_AddItemToArray(c->items, obj);
	c->count++;
	return 0;
}

/* One page of the range from `from` at *rev (read first when 0); *more
 * says whether keys remain after it. */
static int read_page(k8c_apiserver_t *srv, const char *from, const char *end, int64_t *rev,
                     collect_t *c, int *more, k8c_error_t *err)
{
	k8c_store_range_info_t info = {0};
	int64_t t0;
	int ret;

	if (*rev == 0) {
		/* read every page at one revision: a consistent snapshot */
		ret = srv->store->revision(srv->store_cookie, rev, err);
		if (ret < 0)
			return ret;
	}
	t0 = k8c_time_monotonic_ns();
	ret = srv->store->range(srv->store_cookie, from, end, *rev, PAGE, collect_kv, c, &info, err);
	k8c_metrics_store(K8C_MS_LIST, k8c_time_monotonic_ns() - t0);
	if (ret < 0 && !c->full)
		return ret;
	*more = !c->full && info.more;
	return 0;
}

/* Read matching objects from the store, at most limit (0: all). */
static int read_range(k8c_apiserver_t *srv, const char *prefix, const char *start, int64_t *rev,
                      collect_t *c, k8c_error_t *err)
{
	_cleanup_free_ char *end = k8c_storage_prefix_end(prefix);
	_cleanup_free_ char *from = k8c_xstrdup(start ? start : prefix);

	for (;;) {
		int more = 0, ret = read_page(srv, from, end, rev, c, &more, err);
		if (ret < 0 || !more)
			return ret;
		free(from);
		from = k8c_xasprintf("%s\x01", c->last_key); /* just after the last key */
	}
}

/* --- a long LIST streamed page by page ------------------------------------------- */

/* A LIST without a limit whose first page does not hold it all is sent as
 * it is read, one page (PAGE keys) at a time at the list's revision, so
 * that a LIST of every pod of a large cluster does not sit in memory whole.
 * A store error after the first page (say the list's revision was
 * compacted meanwhile) cuts the connection: the client sees an error, not a
 * short list; it is logged. */
typedef struct list_stream {
	k8c_apiserver_t *srv;
	k8c_selectors_t sel;   /* owned */
	collect_t c;           /* c.text points at text */
	k8c_json_out_t text;
	char *end;             /* owned: the range end */
	char *first;           /* owned: the header and first page, until sent */
	size_t first_len;
	int64_t rev;
	int done;
} list_stream_t;

static long list_stream_next(void *ctx, char **buf)
{
	list_stream_t *ls = ctx;
	_cleanup_free_ char *from = NULL;
	k8c_error_t err;
	size_t len;
	int more = 0;

	if (ls->first != NULL) {
		*buf = ls->first;
		ls->first = NULL;
		return (long)ls->first_len;
	}
	if (ls->done)
		return -1;
	from = k8c_xasprintf("%s\x01", ls->c.last_key);
	k8c_json_out_init(&ls->text);
	if (read_page(ls->srv, from, ls->end, &ls->rev, &ls->c, &more, &err) < 0) {
		K8C_ERROR("LIST of %s at revision %lld ended early: %s", ls->c.kind->resource,
		          (long long)ls->rev, err.message);
		free(k8c_json_out_finish(&ls->text, NULL));
		ls->done = 1;
		return -2; /* the client must not take a cut list for a whole one */
	}
	if (!more) {
		k8c_json_out_raw(&ls->text, "]}", 2);
		ls->done = 1;
	}
	*buf = k8c_json_out_finish(&ls->text, &len);
	return (long)len;
}

static void list_stream_free(void *ctx)
{
	list_stream_t *ls = ctx;

	k8c_selectors_free(&ls->sel);
	free(ls->c.last_key);
	free(ls->end);
	free(ls->first);
	free(ls);
}

cJSON *k8c_list_matching(k8c_apiserver_t *srv, const k8c_api_request_t *req, const k8c_route_t *r,
                         k8c_api_response_t *resp)
{
	_cleanup_free_ char *prefix = k8c_storage_key(r->kind, r->ns, NULL);
	k8c_selectors_t sel;
	collect_t c = {r->kind, &sel, cJSON_CreateArray(), NULL, 0, 0, NULL, 0};
	int64_t rev = 0;
	k8c_error_t err;

	if (k8c_selectors_parse(r->kind, req, &sel, resp) < 0) {
		cJSON_Delete(c.items);
		return NULL;
	}
	if (read_range(srv, prefix, NULL, &rev, &c, &err) < 0) {
		k8c_respond_error(resp, r->kind, NULL, -err.code, &err);
		cJSON_Delete(c.items);
		c.items = NULL;
	}
	free(c.last_key);
	k8c_selectors_free(&sel);
	return c.items;
}

/* Start out with the list's text up to its items: what k8c_make_list
 * would print, open after `"items":[`. */
static void list_head(k8c_json_out_t *out, const k8c_kind_t *kind, int64_t rev, const char *cont)
{
	_cleanup_json_ cJSON *head = k8c_make_list(kind, cJSON_CreateArray(), rev, cont);

	cJSON_DeleteItemFromObjectCaseSensitive(head, "items");
	k8c_json_out_init(out);
	k8c_json_out_item(out, head);
	out->len--; /* reopen the object after metadata */
	k8c_json_out_raw(out, ",\"items\":[", 10);
}

/* The list around the items' text (consumed). */
static void respond_text(k8c_api_response_t *resp, const k8c_kind_t *kind, k8c_json_out_t *items,
                         int64_t rev, const char *cont)
{
	_cleanup_free_ char *itext = NULL;
	k8c_json_out_t out;
	size_t ilen, len;
	char *body;

	itext = k8c_json_out_finish(items, &ilen);
	list_head(&out, kind, rev, cont);
	k8c_json_out_raw(&out, itext, ilen);
	k8c_json_out_raw(&out, "]}", 2);
	body = k8c_json_out_finish(&out, &len);
	k8c_api_respond_raw(resp, 200, "application/json", body, len);
}

/* Read the first page; when more follow, answer with a stream (taking
 * *sel and the first page) and return 1.  Returns 1 after answering an
 * error too; 0 when the first page is the whole list (c holds it, the
 * caller answers as usual, reading nothing more). */
static int stream_list(k8c_apiserver_t *srv, const k8c_route_t *r, const char *prefix,
                       k8c_selectors_t *sel, collect_t *c, k8c_json_out_t *text,
                       k8c_api_response_t *resp)
{
	_cleanup_free_ char *end = k8c_storage_prefix_end(prefix);
	list_stream_t *ls;
	k8c_error_t err;
	int64_t rev = 0;
	int more = 0;

	if (read_page(srv, prefix, end, &rev, c, &more, &err) < 0) {
		k8c_respond_error(resp, r->kind, NULL, -err.code, &err);
		free(k8c_json_out_finish(text, NULL));
		free(c->last_key);
		k8c_selectors_free(sel);
		return 1;
	}
	if (!more) {
		respond_text(resp, r->kind, text, rev, NULL);
		free(c->last_key);
		k8c_selectors_free(sel);
		return 1;
	}
	ls = k8c_xcalloc(1, sizeof(*ls));
	ls->srv = srv;
	ls->sel = *sel;
	memset(sel, 0, sizeof(*sel));
	ls->c = *c;
	ls->c.sel = &ls->sel;
	ls->c.text = &ls->text;
	ls->end = K8C_STEAL(end);
	ls->rev = rev;
	{
		/* the header, then the first page's items */
		_cleanup_free_ char *items = NULL;
		k8c_json_out_t out;
		size_t ilen;
		items = k8c_json_out_finish(text, &ilen);
		list_head(&out, r->kind, rev, NULL);
		k8c_json_out_raw(&out, items, ilen);
		ls->first = k8c_json_out_finish(&out, &ls->first_len);
	}
	resp->code = 200;
	resp->content_type = "application/json";
	resp->stream.next = list_stream_next;
	resp->stream.free_fn = list_stream_free;
	resp->stream.ctx = ls;
	return 1;
}

/* resourceVersion and resourceVersionMatch of a LIST, as Kubernetes reads
 * them: unset or "0" is the latest state; N with Exact is the state at N
 * (410 once compacted); N otherwise is any state not older than N, and an N
 * the store has not reached within 3 s is 504 "Too large resource
 * version".  *rev gets the revision to read at (0: latest).  Returns < 0
 * after answering an error. */
static int list_revision(k8c_apiserver_t *srv, const k8c_api_request_t *req, int continued,
                         int64_t *rev, k8c_api_response_t *resp)
{
	const char *rv = k8c_api_param(req, "resourceVersion");
	const char *match = k8c_api_param(req, "resourceVersionMatch");
	int64_t want;
	char *end;

	if (match != NULL && match[0] && strcmp(match, "Exact") != 0 && strcmp(match, "NotOlderThan") != 0) {
		k8c_api_respond_status(resp, 400, "BadRequest", NULL,
		                       "resourceVersionMatch: Unsupported value: \"%s\": supported values: "
		                       "\"Exact\", \"NotOlderThan\"", match);
		return -1;
	}
	if (rv == NULL || rv[0] == '\0') {
		if (match != NULL && match[0]) {
			k8c_api_respond_status(resp, 400, "BadRequest", NULL,
			                       "resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden "
			                       "unless resourceVersion is provided");
			return -1;
		}
		return 0;
	}
	want = strtoll(rv, &end, 10);
	if (*end != '\0' || want < 0) {
		k8c_api_respond_status(resp, 400, "BadRequest", NULL,
		                       "resourceVersion: Invalid value: \"%s\": must be a number", rv);
		return -1;
	}
	if (continued) {
		if (want != 0) {
			k8c_api_respond_status(resp, 400, "BadRequest", NULL,
			                       "specifying resource version is not allowed when using continue");
			return -1;
		}
		return 0;
	}
	if (want == 0)
		return 0;
	if (k8c_wait_revision(srv, want, resp) < 0)
		return -1;
	if (match != NULL && strcmp(match, "Exact") == 0)
		*rev = want;
	return 0;
}

int k8c_wait_revision(k8c_apiserver_t *srv, int64_t want, k8c_api_response_t *resp)
{
	int64_t now = 0;
	k8c_error_t err;

	for (int i = 0; i <= 30; i++) {
		if (srv->store->revision(srv->store_cookie, &now, &err) < 0) {
			k8c_respond_error(resp, NULL, NULL, -err.code, &err);
			return -1;
		}
		if (now >= want)
			return 0;
		if (i < 30)
			k8c_sleep_ns(100000000LL); /* a request's fiber: the thread serves others */
	}
	k8c_api_respond_status(resp, 504, "Timeout", NULL, "Too large resource version: %lld, current: %lld",
	                       (long long)want, (long long)now);
	return -1;
}

void k8c_handle_list(k8c_apiserver_t *srv, const k8c_api_request_t *req, const k8c_route_t *r,
                     k8c_api_response_t *resp)
{
	_cleanup_free_ char *prefix = k8c_storage_key(r->kind, r->ns, NULL);
	_cleanup_free_ char *start = NULL, *cont = NULL;
	const char *limit_s = k8c_api_param(req, "limit");
	const char *token = k8c_api_param(req, "continue");
	k8c_selectors_t sel;
	collect_t c = {r->kind, &sel, NULL, NULL, 0, 0, NULL, 0};
	k8c_json_out_t text;
	int64_t rev = 0;
	k8c_error_t err;
	cJSON *list;

	if (!(r->kind->verbs & K8C_VERB_LIST)) {
		k8c_api_respond_status(resp, 405, "MethodNotAllowed", NULL,
		                       "the server does not allow this method on the requested resource");
		return;
	}
	if (limit_s != NULL) {
		char *e;
		c.limit = strtol(limit_s, &e, 10);
		if (*e != '\0' || c.limit < 0)
			c.limit = 0;
	}
	if (token != NULL && token[0] && decode_continue(token, prefix, &rev, &start) < 0) {
		k8c_api_respond_status(resp, 400, "BadRequest", NULL, "continue key is not valid");
		return;
	}
	if (list_revision(srv, req, token != NULL && token[0], &rev, resp) < 0)
		return;
	if (k8c_selectors_parse(r->kind, req, &sel, resp) < 0)
		return;
	if (k8c_wants_table(req)) {
		c.items = cJSON_CreateArray();
	} else {
		k8c_json_out_init(&text);
		c.text = &text;
		/* streamed pages are read outside the request's fiber: not from a
		 * store whose calls must leave the thread (etcd) */
		if (c.limit == 0 && start == NULL && rev == 0 && !srv->store_offloaded &&
		    stream_list(srv, r, prefix, &sel, &c, &text, resp))
			return; /* streamed (it took sel), or answered with an error */
	}
	if (read_range(srv, prefix, start, &rev, &c, &err) < 0) {
		if (err.code == K8C_EEXPIRED && token != NULL)
			k8c_api_respond_status(resp, 410, "Expired", NULL,
			                       "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.");
		else
			k8c_respond_error(resp, r->kind, NULL, -err.code, &err);
		cJSON_Delete(c.items);
		if (c.text != NULL)
			free(k8c_json_out_finish(c.text, NULL));
		free(c.last_key);
		k8c_selectors_free(&sel);
		return;
	}
	if (c.full && c.last_key != NULL) {
		_cleanup_free_ char *next = k8c_xasprintf("%s\x01", c.last_key);
		cont = encode_continue(rev, next);
	}
	if (c.text != NULL) {
		respond_text(resp, r->kind, &text, rev, cont);
		free(c.last_key);
		k8c_selectors_free(&sel);
		return;
	}
	list = k8c_make_list(r->kind, c.items, rev, cont);
	free(c.last_key);
	k8c_selectors_free(&sel);
	if (k8c_wants_table(req)) {
		cJSON *t = k8c_table(r->kind, cJSON_GetObjectItem(list, "items"),
		                     cJSON_GetObjectItem(list, "metadata"), 1);
		cJSON_Delete(list);
		k8c_api_respond_json(resp, 200, t);
		return;
	}
	k8c_api_respond_json(resp, 200, list);
}
