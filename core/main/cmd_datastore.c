/* `k8c datastore backup FILE` and `k8c datastore restore FILE`.
 *
 * The backup file is JSON lines:
 *   {"kind":"K8cDatastoreBackup","version":1,"revision":R,"created":"...","endpoint":"..."}
 *   {"key":K,"createRevision":C,"modRevision":M,"value":BASE64}   one per key, by key
 *   {"end":true,"count":N}
 * read at one revision R of the store (a consistent snapshot), written to
 * FILE.tmp, synced and renamed.  Restore needs an empty datastore and
 * creates the keys in modRevision order, so resourceVersions keep their
 * order (their values are the new store's). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "common/base64.h"
#include "common/dirs.h"
#include "common/json_print.h"
#include "common/mem.h"
#include "common/timestamp.h"
#include "main/commands.h"
#include "plugin/store_open.h"

#define PAGE 1000
#define PROGRESS_EVERY 10000

typedef struct backup {
	FILE *f;
	int64_t n;
	char *last_key; /* owned: where the next page starts */
} backup_t;

static int write_kv(void *udata, const k8c_store_kv_t *kv)
{
	backup_t *b = udata;
	_cleanup_free_ char *value = k8c_base64_encode(kv->value, kv->value_len);
	_cleanup_free_ char *line = NULL;
	k8c_json_out_t o;
	char nums[96];

	k8c_json_out_init(&o);
	k8c_json_out_raw(&o, "{\"key\":", 7);
	k8c_json_out_string(&o, kv->key);
	snprintf(nums, sizeof(nums), ",\"createRevision\":%lld,\"modRevision\":%lld,\"value\":",
	         (long long)kv->create_revision, (long long)kv->mod_revision);
	k8c_json_out_raw(&o, nums, strlen(nums));
	k8c_json_out_string(&o, value);
	k8c_json_out_raw(&o, "}\n", 2);
	line = k8c_json_out_finish(&o, NULL);
	if (fputs(line, b->f) == EOF)
		return -K8C_EIO;
	free(b->last_key);
	b->last_key = k8c_xstrdup(kv->key);
	if (++b->n % PROGRESS_EVERY == 0)
		fprintf(stderr, "k8c datastore: %lld keys written\n", (long long)b->n);
	return 0;
}

/* rename's result survives a crash only once the directory is synced */
static void sync_parent(const char *file)
{
	_cleanup_free_ char *dir = k8c_xstrdup(file);
	char *slash = strrchr(dir, '/');
	int fd;

	if (slash == NULL)
		strcpy(dir, ".");
	else if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

static int backup(k8c_store_handle_t *h, const char *endpoint, const char *file, k8c_error_t *err)
{
	_cleanup_free_ char *tmp = k8c_xasprintf("%s.tmp", file);
	backup_t b = {0};
	k8c_store_range_info_t info;
	char ts[K8C_TIME_STRLEN];
	int64_t rev;
	int ret;
	cJSON *head;
	char *line;

	ret = h->ops->revision(h->cookie, &rev, err);
	if (ret < 0)
		return ret;
	b.f = fopen(tmp, "w");
	if (b.f == NULL)
		return k8c_error_make(err, K8C_EIO, "%s: %s", tmp, strerror(errno));
	head = cJSON_CreateObject();
	cJSON_AddStringToObject(head, "kind", "K8cDatastoreBackup");
	cJSON_AddNumberToObject(head, "version", 1);
	cJSON_AddNumberToObject(head, "revision", (double)rev);
	cJSON_AddStringToObject(head, "created", k8c_time_format(k8c_time_now_ns(), ts));
	cJSON_AddStringToObject(head, "endpoint", endpoint);
	line = k8c_json_print(head, NULL);
	cJSON_Delete(head);
	fprintf(b.f, "%s\n", line);
	free(line);
	/* every key (keys are non-empty and have no NUL), page by page at rev */
	b.last_key = NULL;
	for (;;) {
		_cleanup_free_ char *start = b.last_key ? k8c_xasprintf("%s\x01", b.last_key)
		                                        : k8c_xstrdup("\x01");
		err->message[0] = '\0';
		ret = h->ops->range(h->cookie, start, "", rev, PAGE, write_kv, &b, &info, err);
		if (ret == -K8C_EIO && err->message[0] == '\0')
			k8c_error_make(err, K8C_EIO, "%s: %s", tmp, strerror(errno));
		if (ret < 0 || !info.more)
			break;
	}
	free(b.last_key);
	if (ret == 0) {
		fprintf(b.f, "{\"end\":true,\"count\":%lld}\n", (long long)b.n);
		if (fflush(b.f) != 0 || fsync(fileno(b.f)) != 0)
			ret = k8c_error_make(err, K8C_EIO, "%s: %s", tmp, strerror(errno));
	}
	if (fclose(b.f) != 0 && ret == 0)
		ret = k8c_error_make(err, K8C_EIO, "%s: %s", tmp, strerror(errno));
	if (ret == 0 && rename(tmp, file) != 0)
		ret = k8c_error_make(err, K8C_EIO, "rename %s to %s: %s", tmp, file, strerror(errno));
	if (ret < 0) {
		unlink(tmp);
		return ret;
	}
	sync_parent(file);
	printf("backed up %lld keys at revision %lld to %s\n", (long long)b.n, (long long)rev, file);
	return 0;
}

typedef struct entry {
	char *key;            /* owned */
	unsigned char *value; /* owned */
	size_t value_len;
	int64_t mod_rev;
} entry_t;

static int by_revision(const void *a, const void *b)
{
	const entry_t *x = a, *y = b;

	return x->mod_rev < y->mod_rev ? -1 : x->mod_rev > y->mod_rev;
}

static void entries_free(entry_t *e, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(e[i].key);
		free(e[i].value);
	}
	free(e);
}

/* Read and check the whole file; *out gets the entries (caller frees). */
static int read_backup(const char *file, entry_t **out, size_t *n_out, k8c_error_t *err)
{
	FILE *f = fopen(file, "r");
	char *line = NULL;
	size_t cap = 0, n = 0, alloc = 0;
	entry_t *e = NULL;
	int64_t lineno = 0, count = -1;
	ssize_t len;
	int ret = 0;

	if (f == NULL)
		return k8c_error_make(err, K8C_EIO, "%s: %s", file, strerror(errno));
	while (ret == 0 && (len = getline(&line, &cap, f)) > 0) {
		cJSON *j = cJSON_ParseWithLength(line, (size_t)len);
		const cJSON *key = cJSON_GetObjectItemCaseSensitive(j, "key");
		const cJSON *val = cJSON_GetObjectItemCaseSensitive(j, "value");
		const cJSON *mod = cJSON_GetObjectItemCaseSensitive(j, "modRevision");
		lineno++;
		if (lineno == 1) {
			const cJSON *kind = cJSON_GetObjectItemCaseSensitive(j, "kind");
			const cJSON *ver = cJSON_GetObjectItemCaseSensitive(j, "version");
			if (!cJSON_IsString(kind) || strcmp(kind->valuestring, "K8cDatastoreBackup") != 0 ||
			    !cJSON_IsNumber(ver) || ver->valuedouble != 1)
				ret = k8c_error_make(err, K8C_EINVAL,
				                     "%s: not a k8c datastore backup (version 1)", file);
		} else if (count >= 0) {
			ret = k8c_error_make(err, K8C_EINVAL, "%s:%lld: data after the end line", file,
			                     (long long)lineno);
		} else if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "end"))) {
			const cJSON *cnt = cJSON_GetObjectItemCaseSensitive(j, "count");
			if (!cJSON_IsNumber(cnt) || cnt->valuedouble < 0)
				ret = k8c_error_make(err, K8C_EINVAL, "%s:%lld: the end line has no count", file,
				                     (long long)lineno);
			else
				count = (int64_t)cnt->valuedouble;
		} else if (!cJSON_IsString(key) || key->valuestring[0] == '\0' || !cJSON_IsString(val) ||
		           !cJSON_IsNumber(mod)) {
			ret = k8c_error_make(err, K8C_EINVAL, "%s:%lld: not a key line", file,
			                     (long long)lineno);
		} else {
			if (n == alloc) {
				alloc = alloc ? alloc * 2 : 1024;
				e = k8c_xrealloc(e, alloc * sizeof(*e));
			}
			e[n].key = k8c_xstrdup(key->valuestring);
			e[n].mod_rev = (int64_t)mod->valuedouble;
			if (k8c_base64_decode(val->valuestring, &e[n].value, &e[n].value_len) != 0) {
				free(e[n].key);
				ret = k8c_error_make(err, K8C_EINVAL, "%s:%lld: the value is not base64", file,
				                     (long long)lineno);
			} else {
				n++;
			}
		}
		cJSON_Delete(j);
	}
	free(line);
	fclose(f);
	if (ret == 0 && (count < 0 || (size_t)count != n))
		ret = k8c_error_make(err, K8C_EINVAL,
		                     "%s: incomplete backup (%s): restore nothing from it", file,
		                     count < 0 ? "no end line" : "key count differs from its end line");
	if (ret < 0) {
		entries_free(e, n);
		return ret;
	}
	*out = e;
	*n_out = n;
	return 0;
}

static int ignore_kv(void *udata, const k8c_store_kv_t *kv)
{
	return 0;
}

/* Events get their time to live again (the backup does not carry TTLs):
 * --event-ttl, as the server gives them. */
static int create_key(k8c_store_handle_t *h, const entry_t *e, int64_t event_ttl, int64_t *rev,
                      k8c_error_t *err)
{
	static const char events[] = "/registry/core/events/";
	const k8c_store_ops_t *ops = h->ops;

	if (event_ttl > 0 && strncmp(e->key, events, sizeof(events) - 1) == 0 &&
	    K8C_HAS_MEMBER(ops->struct_size, k8c_store_ops_t, update_ttl) && ops->create_ttl != NULL)
		return ops->create_ttl(h->cookie, e->key, (const char *)e->value, e->value_len, event_ttl,
		                       rev, err);
	return ops->create(h->cookie, e->key, (const char *)e->value, e->value_len, rev, err);
}

static int restore(k8c_store_handle_t *h, const char *endpoint, const char *file, int64_t event_ttl,
                   k8c_error_t *err)
{
	k8c_store_range_info_t info = {0};
	entry_t *e = NULL;
	size_t n = 0, i;
	int64_t rev = 0;
	int ret;

	ret = read_backup(file, &e, &n, err);
	if (ret < 0)
		return ret;
	ret = h->ops->range(h->cookie, "\x01", "", 0, 1, ignore_kv, NULL, &info, err);
	if (ret == 0 && info.count > 0)
		ret = k8c_error_make(err, K8C_EINVAL,
		                     "the datastore at %s is not empty (%lld keys): restore into an empty one",
		                     endpoint, (long long)info.count);
	qsort(e, n, sizeof(*e), by_revision);
	for (i = 0; ret == 0 && i < n; i++) {
		ret = create_key(h, &e[i], event_ttl, &rev, err);
		if (ret < 0) {
			char why[K8C_ERROR_MESSAGE_MAX];
			snprintf(why, sizeof(why), "%s", err->message);
			k8c_error_make(err, -ret, "after %zu of %zu keys: %s: %s", i, n, e[i].key, why);
		} else if ((i + 1) % PROGRESS_EVERY == 0) {
			fprintf(stderr, "k8c datastore: %zu of %zu keys restored\n", i + 1, n);
		}
	}
	entries_free(e, n);
	if (ret == 0)
		printf("restored %zu keys from %s; the datastore is at revision %lld\n"
		       "resourceVersions start again from 1: restart every client of the cluster so that\n"
		       "it lists anew (as after restoring etcd from a snapshot)\n",
		       n, file, (long long)rev);
	else if (i > 0)
		fprintf(stderr, "k8c datastore restore: the datastore now holds %zu of the %zu keys: empty it\n"
		                "(a new --data-dir, or a fresh etcd) before restoring again\n",
		        i - 1, n);
	return ret;
}

int k8c_cmd_datastore(const k8c_command_t *cmd, cJSON *values)
{
	const cJSON *args = cJSON_GetObjectItemCaseSensitive(values, "args");
	const char *verb = cJSON_GetStringValue(cJSON_GetArrayItem(args, 0));
	const char *file = cJSON_GetStringValue(cJSON_GetArrayItem(args, 1));
	_cleanup_free_ char *data_dir = NULL, *endpoint = NULL;
	const char *ep = k8c_opt_string(values, "datastore-endpoint", NULL);
	k8c_plugin_set_t set;
	k8c_store_handle_t h;
	k8c_error_t err;
	int ret;

	if (cJSON_GetArraySize(args) != 2 || verb == NULL || file == NULL ||
	    (strcmp(verb, "backup") != 0 && strcmp(verb, "restore") != 0)) {
		fprintf(stderr, "k8c datastore: expected `backup FILE` or `restore FILE` (see k8c datastore --help)\n");
		return K8C_EXIT_USAGE;
	}
	k8c_plugin_set_init(&set);
	if (k8c_common_setup(values, &set, &err) < 0) {
		fprintf(stderr, "k8c datastore: %s\n", err.message);
		k8c_plugin_set_free(&set);
		return K8C_EXIT_USAGE;
	}
	data_dir = k8c_data_dir(values);
	endpoint = ep ? k8c_xstrdup(ep) : k8c_xasprintf("sqlite://%s/state.db", data_dir);
	if (ep == NULL && strcmp(verb, "restore") == 0 && k8c_mkdir_p(data_dir, 0700, &err) < 0) {
		fprintf(stderr, "k8c datastore: data directory: %s (choose another with --data-dir)\n",
		        err.message);
		k8c_plugin_set_free(&set);
		return K8C_EXIT_FAILURE;
	}
	ret = k8c_store_open(&set, k8c_opt_section(values, "plugins"), data_dir, endpoint, &h, &err);
	if (ret == 0) {
		int64_t event_ttl = 3600;
		ret = k8c_duration_parse(k8c_opt_string(values, "event-ttl", "1h"), &event_ttl, &err);
		if (ret == 0)
			ret = strcmp(verb, "backup") == 0 ? backup(&h, endpoint, file, &err)
			                                  : restore(&h, endpoint, file, event_ttl, &err);
		k8c_store_close(&h);
	}
	k8c_plugin_set_free(&set);
	if (ret < 0) {
		fprintf(stderr, "k8c datastore %s: %s\n", verb, err.message);
		if (err.code == K8C_EUNAVAIL && strncmp(endpoint, "sqlite://", 9) == 0)
			fprintf(stderr, "(is a k8c server running on this datastore? stop it first)\n");
		return K8C_EXIT_FAILURE;
	}
	return 0;
}
