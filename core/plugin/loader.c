/* The plugin loader.  Nothing in a plugin is called here: only its
 * descriptor is read, and only after the symbol is known to be a data
 * object large enough for what is read. */
#define K8C_LOG_COMPONENT "loader"
#include "config.h"

#include <dirent.h>
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <limits.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <k8c/cloud.h>
#include <k8c/controller.h>
#include <k8c/runtime.h>
#include <k8c/scheduler.h>
#include <k8c/store.h>

#include "common/log.h"
#include "common/mem.h"
#include "plugin/elf.h"
#include "plugin/loader.h"

static const char *const kind_names[] = {
	NULL, "store", "controller", "scheduler", "runtime", "cloud",
};
#define N_KINDS (sizeof(kind_names) / sizeof(kind_names[0]))

const char *k8c_plugin_kind_name(int kind)
{
	return kind > 0 && (size_t)kind < N_KINDS ? kind_names[kind] : NULL;
}

int k8c_plugin_kind_parse(const char *name)
{
	for (size_t i = 1; i < N_KINDS; i++)
		if (strcmp(kind_names[i], name) == 0)
			return (int)i;
	return -1;
}

const char *k8c_refusal_name(int reason)
{
	static const char *const names[] = {
		"?", "not-loadable", "no-symbol", "not-data", "abi-major",
		"abi-minor", "struct-size", "kind", "name", "missing-ops",
		"ops-size", "bad-pointer", "duplicate",
	};
	return reason > 0 && (size_t)reason < sizeof(names) / sizeof(names[0])
	               ? names[reason] : "?";
}

const char *k8c_builtin_plugin_dir(void)
{
	const char *env = getenv("K8C_BUILTIN_PLUGIN_DIR");

	return env != NULL && env[0] != '\0' ? env : K8C_PLUGINSDIR;
}

void k8c_plugin_set_init(k8c_plugin_set_t *set)
{
	memset(set, 0, sizeof(*set));
}

/* --- required operations per kind ---------------------------------------- */

typedef struct required_op {
	const char *name;
	size_t offset;
} required_op_t;

#define OP(type, member) {#member, offsetof(type, member)}

static const required_op_t store_ops[] = {
	OP(k8c_store_ops_t, schemes), OP(k8c_store_ops_t, open),
	OP(k8c_store_ops_t, close), OP(k8c_store_ops_t, revision),
	OP(k8c_store_ops_t, get), OP(k8c_store_ops_t, range),
	OP(k8c_store_ops_t, create), OP(k8c_store_ops_t, update),
	OP(k8c_store_ops_t, delete), OP(k8c_store_ops_t, watch),
	OP(k8c_store_ops_t, watch_cancel), {NULL, 0},
};
static const required_op_t controller_ops[] = {
	OP(k8c_controller_ops_t, watches), OP(k8c_controller_ops_t, reconcile),
	{NULL, 0},
};
static const required_op_t runtime_ops[] = {
	OP(k8c_runtime_ops_t, run_sandbox), OP(k8c_runtime_ops_t, stop_sandbox),
	OP(k8c_runtime_ops_t, remove_sandbox), OP(k8c_runtime_ops_t, sandbox_status),
	OP(k8c_runtime_ops_t, create_container), OP(k8c_runtime_ops_t, start_container),
	OP(k8c_runtime_ops_t, stop_container), OP(k8c_runtime_ops_t, remove_container),
	OP(k8c_runtime_ops_t, container_status), {NULL, 0},
};

typedef struct kind_rules {
	size_t min_ops_size;         /* the 1.0 size of the kind's ops table */
	const required_op_t *required;
	size_t first_op, end_op;     /* [first, end): at least one must be set */
} kind_rules_t;

static const kind_rules_t rules[N_KINDS] = {
	[K8C_PLUGIN_STORE] = {K8C_STORE_OPS_SIZE_1_0, store_ops, 0, 0},
	[K8C_PLUGIN_CONTROLLER] = {K8C_CONTROLLER_OPS_SIZE_1_5, controller_ops, 0, 0},
	[K8C_PLUGIN_SCHEDULER] = {K8C_SCHED_POLICY_OPS_SIZE_1_0, NULL,
	                          offsetof(k8c_sched_policy_ops_t, pre_filter),
	                          offsetof(k8c_sched_policy_ops_t, state_free)},
	[K8C_PLUGIN_RUNTIME] = {K8C_RUNTIME_OPS_SIZE_1_0, runtime_ops, 0, 0},
	[K8C_PLUGIN_CLOUD] = {K8C_CLOUD_OPS_SIZE_1_0, NULL,
	                      offsetof(k8c_cloud_ops_t, instance_exists),
	                      K8C_CLOUD_OPS_SIZE_1_0},
};

static const void *ptr_at(const void *table, size_t offset)
{
	const void *p;

	memcpy(&p, (const char *)table + offset, sizeof(p));
	return p;
}

/* --- checks -------------------------------------------------------------- */

/* Is p inside the object loaded from `fname`? */
static int in_object(const void *p, const char *fname)
{
	Dl_info info;

	return p != NULL && dladdr(p, &info) != 0 && info.dli_fname != NULL &&
	       strcmp(info.dli_fname, fname) == 0;
}

static int valid_name(const char *s)
{
	size_t n = strnlen(s, 64);

	if (n == 0 || n > 63)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		      s[i] == '-'))
			return 0;
	return s[0] != '-' && s[n - 1] != '-';
}

/* Check a descriptor whose symbol is `symsize` bytes in the object named
 * fname.  Returns 0 or a refusal with *why set. */
static int check_descriptor(const k8c_plugin_t *d, size_t symsize,
                            const char *fname, char **why)
{
	const kind_rules_t *r;
	uint32_t ops_size;

	if (symsize < offsetof(k8c_plugin_t, kind)) {
		*why = k8c_xasprintf("k8c_plugin is %zu bytes, too small to be a plugin descriptor", symsize);
		return K8C_REFUSE_NOT_DATA;
	}
	if (d->abi_major != K8C_ABI_MAJOR) {
		*why = k8c_xasprintf("plugin ABI major version %u differs from the core's %u: rebuild the plugin against this k8c's SDK",
		                     d->abi_major, K8C_ABI_MAJOR);
		return K8C_REFUSE_ABI_MAJOR;
	}
	if (d->abi_minor > K8C_ABI_MINOR) {
		*why = k8c_xasprintf("plugin needs ABI %u.%u but the core provides %u.%u: upgrade k8c or rebuild the plugin",
		                     d->abi_major, d->abi_minor, K8C_ABI_MAJOR, K8C_ABI_MINOR);
		return K8C_REFUSE_ABI_MINOR;
	}
	if (d->struct_size < K8C_PLUGIN_SIZE_1_0 || d->struct_size > symsize) {
		*why = k8c_xasprintf("descriptor struct_size %u is invalid (the 1.0 descriptor is %zu bytes, the symbol %zu)",
		                     d->struct_size, (size_t)K8C_PLUGIN_SIZE_1_0, symsize);
		return K8C_REFUSE_STRUCT_SIZE;
	}
	if (!in_object(d->name, fname) ||
	    (d->version != NULL && !in_object(d->version, fname)) ||
	    (d->description != NULL && !in_object(d->description, fname)) ||
	    (d->ops != NULL && !in_object(d->ops, fname))) {
		*why = k8c_xstrdup("name, version, description or ops points outside the plugin");
		return K8C_REFUSE_BAD_POINTER;
	}
	if (!valid_name(d->name)) {
		*why = k8c_xasprintf("invalid plugin name \"%.64s\": must match [a-z0-9-]{1,63}", d->name);
		return K8C_REFUSE_NAME;
	}
	if (k8c_plugin_kind_name((int)d->kind) == NULL) {
		*why = k8c_xasprintf("unknown plugin kind %u (this core knows 1-%zu)", d->kind, N_KINDS - 1);
		return K8C_REFUSE_KIND;
	}
	if (d->init == NULL || d->fini == NULL || d->ops == NULL) {
		*why = k8c_xasprintf("missing required member: %s",
		                     d->init == NULL ? "init" : d->fini == NULL ? "fini" : "ops");
		return K8C_REFUSE_MISSING_OPS;
	}
	r = &rules[d->kind];
	if (d->kind == K8C_PLUGIN_CONTROLLER && d->abi_minor < 5) {
		*why = k8c_xasprintf("controller plugins need ABI 1.5 or later (built against 1.%u; there was no controller manager before 1.5)",
		                     d->abi_minor);
		return K8C_REFUSE_ABI_MINOR;
	}
	memcpy(&ops_size, d->ops, sizeof(ops_size));
	if (ops_size < r->min_ops_size) {
		*why = k8c_xasprintf("%s ops table struct_size %u is smaller than the 1.0 table (%zu bytes)",
		                     kind_names[d->kind], ops_size, r->min_ops_size);
		return K8C_REFUSE_OPS_SIZE;
	}
	for (const required_op_t *op = r->required; op != NULL && op->name != NULL; op++) {
		if (ptr_at(d->ops, op->offset) == NULL) {
			*why = k8c_xasprintf("missing required operation %s.%s",
			                     kind_names[d->kind], op->name);
			return K8C_REFUSE_MISSING_OPS;
		}
	}
	if (d->kind == K8C_PLUGIN_CONTROLLER &&
	    ((const k8c_controller_ops_t *)d->ops)->n_watches == 0) {
		*why = k8c_xstrdup("controller declares no watched resource (n_watches is 0)");
		return K8C_REFUSE_MISSING_OPS;
	}
	if (r->end_op > r->first_op) {
		int any = 0;
		for (size_t off = r->first_op; off < r->end_op; off += sizeof(void *))
			any |= ptr_at(d->ops, off) != NULL;
		if (!any) {
			*why = k8c_xasprintf("%s plugin implements no operation", kind_names[d->kind]);
			return K8C_REFUSE_MISSING_OPS;
		}
	}
	return 0;
}

static void refuse(k8c_plugin_set_t *set, const char *path, int reason, char *why)
{
	k8c_refused_plugin_t *r;

	K8C_WARN("refused %s: %s", path, why);
	set->refused = k8c_xrealloc(set->refused, (set->n_refused + 1) * sizeof(*set->refused));
	r = &set->refused[set->n_refused++];
	r->path = k8c_xstrdup(path);
	r->reason = reason;
	r->why = why;
}

int k8c_plugin_set_load_file(k8c_plugin_set_t *set, const char *path)
{
	const k8c_plugin_t *d;
	const k8c_loaded_plugin_t *dup;
	const ElfW(Sym) *sym = NULL;
	struct link_map *lm = NULL;
	k8c_loaded_plugin_t *l;
	Dl_info info;
	char *why = NULL;
	void *handle;
	int reason;

	if (k8c_elf_check(path, &why) < 0) {
		refuse(set, path, K8C_REFUSE_NOT_LOADABLE,
		       k8c_xasprintf("not a loadable shared object: %s", why));
		free(why);
		return -1;
	}
	dlerror();
	handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (handle == NULL) {
		const char *e = dlerror();
		refuse(set, path, K8C_REFUSE_NOT_LOADABLE,
		       k8c_xasprintf("not a loadable shared object: %s", e ? e : "dlopen failed"));
		return -1;
	}
	d = dlsym(handle, "k8c_plugin");
	if (dlinfo(handle, RTLD_DI_LINKMAP, &lm) != 0 || lm == NULL || d == NULL ||
	    dladdr1(d, &info, (void **)&sym, RTLD_DL_SYMENT) == 0 || sym == NULL ||
	    info.dli_fname == NULL || strcmp(info.dli_fname, lm->l_name) != 0 ||
	    info.dli_sname == NULL || strcmp(info.dli_sname, "k8c_plugin") != 0) {
		refuse(set, path, K8C_REFUSE_NO_SYMBOL,
		       k8c_xstrdup("no k8c_plugin symbol: not a k8c plugin"));
		dlclose(handle);
		return -1;
	}
	if (ELF64_ST_TYPE(sym->st_info) != STT_OBJECT) {
		refuse(set, path, K8C_REFUSE_NOT_DATA,
		       k8c_xstrdup("k8c_plugin is not a data object (declare it as const k8c_plugin_t)"));
		dlclose(handle);
		return -1;
	}
	reason = check_descriptor(d, sym->st_size, lm->l_name, &why);
	if (reason == 0 && (dup = k8c_plugin_set_find(set, (int)d->kind, d->name)) != NULL) {
		reason = K8C_REFUSE_DUPLICATE;
		why = k8c_xasprintf("duplicate: %s plugin \"%s\" is already loaded from %s",
		                    kind_names[d->kind], d->name, dup->path);
	}
	if (reason != 0) {
		refuse(set, path, reason, why);
		dlclose(handle);
		return -1;
	}
	set->loaded = k8c_xrealloc(set->loaded, (set->n_loaded + 1) * sizeof(*set->loaded));
	l = &set->loaded[set->n_loaded++];
	l->path = k8c_xstrdup(path);
	l->handle = handle;
	l->desc = d;
	K8C_DEBUG("loaded %s plugin %s %s (ABI %u.%u) from %s", kind_names[d->kind],
	          d->name, d->version ? d->version : "", d->abi_major, d->abi_minor, path);
	return 0;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n > m && strcmp(s + n - m, suffix) == 0;
}

int k8c_plugin_set_scan(k8c_plugin_set_t *set, const char *dir, int optional,
                        k8c_error_t *err)
{
	char real[PATH_MAX];
	char **names = NULL;
	size_t n = 0;
	struct dirent *e;
	DIR *d;

	if (realpath(dir, real) == NULL || (d = opendir(real)) == NULL) {
		if (optional && errno == ENOENT) {
			K8C_DEBUG("plugin directory %s does not exist", dir);
			return 0;
		}
		return k8c_error_make(err, K8C_EIO, "plugin directory %s: %s", dir,
		                      strerror(errno));
	}
	for (size_t i = 0; i < set->n_dirs; i++) {
		if (strcmp(set->dirs[i], real) == 0) {
			closedir(d);
			return 0; /* already scanned */
		}
	}
	set->dirs = k8c_xrealloc(set->dirs, (set->n_dirs + 1) * sizeof(char *));
	set->dirs[set->n_dirs++] = k8c_xstrdup(real);
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || !has_suffix(e->d_name, ".so"))
			continue;
		names = k8c_xrealloc(names, (n + 1) * sizeof(char *));
		names[n++] = k8c_xstrdup(e->d_name);
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof(char *), name_cmp);
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *path = k8c_xasprintf("%s/%s", real, names[i]);
		k8c_plugin_set_load_file(set, path);
		free(names[i]);
	}
	free(names);
	return 0;
}

const k8c_loaded_plugin_t *k8c_plugin_set_find(const k8c_plugin_set_t *set,
                                               int kind, const char *name)
{
	for (size_t i = 0; i < set->n_loaded; i++)
		if ((int)set->loaded[i].desc->kind == kind &&
		    strcmp(set->loaded[i].desc->name, name) == 0)
			return &set->loaded[i];
	return NULL;
}

void k8c_plugin_set_free(k8c_plugin_set_t *set)
{
	for (size_t i = 0; i < set->n_loaded; i++) {
		/* Under ASan keep the code mapped so leak reports stay symbolised. */
		if (getenv("K8C_NO_DLCLOSE") == NULL)
			dlclose(set->loaded[i].handle);
		free(set->loaded[i].path);
	}
	for (size_t i = 0; i < set->n_refused; i++) {
		free(set->refused[i].path);
		free(set->refused[i].why);
	}
	for (size_t i = 0; i < set->n_dirs; i++)
		free(set->dirs[i]);
	free(set->loaded);
	free(set->refused);
	free(set->dirs);
	k8c_plugin_set_init(set);
}
