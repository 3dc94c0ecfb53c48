/* The plugin loader: finds *.so files in plugin directories, dlopen()s
 * them RTLD_NOW | RTLD_LOCAL and checks the `k8c_plugin` descriptor before
 * anything in the plugin is called (DESIGN §3).  A file that fails a check
 * is refused with one log line naming its path and the reason; the rest
 * load. */
#ifndef K8C_PLUGIN_LOADER_H
#define K8C_PLUGIN_LOADER_H

#include <stddef.h>

#include <k8c/plugin.h>

/* Why a file was refused.  Tests assert on these. */
enum k8c_refusal {
	K8C_REFUSE_NOT_LOADABLE = 1,  /* dlopen failed: not a shared object, unresolved symbols, ... */
	K8C_REFUSE_NO_SYMBOL,         /* no k8c_plugin */
	K8C_REFUSE_NOT_DATA,          /* k8c_plugin is not a data object, or too small to hold the version */
	K8C_REFUSE_ABI_MAJOR,         /* abi_major differs from the core's */
	K8C_REFUSE_ABI_MINOR,         /* abi_minor newer than the core's */
	K8C_REFUSE_STRUCT_SIZE,       /* struct_size smaller than the 1.0 descriptor or larger than the symbol */
	K8C_REFUSE_KIND,              /* unknown kind */
	K8C_REFUSE_NAME,              /* name missing or not [a-z0-9-]{1,63} */
	K8C_REFUSE_MISSING_OPS,       /* init, fini, ops or a required operation missing */
	K8C_REFUSE_OPS_SIZE,          /* the ops table's struct_size too small */
	K8C_REFUSE_BAD_POINTER,       /* a pointer in the descriptor leads outside the plugin */
	K8C_REFUSE_DUPLICATE,         /* same kind and name as one already loaded */
};

typedef struct k8c_loaded_plugin {
	char *path;                /* owned */
	void *handle;              /* dlopen handle, owned */
	const k8c_plugin_t *desc;  /* inside the plugin, valid until unload */
} k8c_loaded_plugin_t;

typedef struct k8c_refused_plugin {
	char *path;   /* owned */
	int reason;   /* enum k8c_refusal */
	char *why;    /* owned, one line */
} k8c_refused_plugin_t;

typedef struct k8c_plugin_set {
	k8c_loaded_plugin_t *loaded;
	size_t n_loaded;
	k8c_refused_plugin_t *refused;
	size_t n_refused;
	char **dirs;       /* real paths of scanned directories, owned */
	size_t n_dirs;
} k8c_plugin_set_t;

/* The directory compiled in (K8C_PLUGINSDIR), unless the environment sets
 * K8C_BUILTIN_PLUGIN_DIR (tests point it at the build tree). */
const char *k8c_builtin_plugin_dir(void);

void k8c_plugin_set_init(k8c_plugin_set_t *set);
/* Scan one directory (a missing built-in directory is not an error: pass
 * optional = 1).  Files are taken in name order.  Returns < 0 only when
 * the directory cannot be read. */
int k8c_plugin_set_scan(k8c_plugin_set_t *set, const char *dir, int optional,
                        k8c_error_t *err);
/* Check and add one file. Returns 0 when loaded, -1 when refused. */
int k8c_plugin_set_load_file(k8c_plugin_set_t *set, const char *path);
const k8c_loaded_plugin_t *k8c_plugin_set_find(const k8c_plugin_set_t *set,
                                               int kind, const char *name);
/* dlclose everything; no instance may be alive. */
void k8c_plugin_set_free(k8c_plugin_set_t *set);

/* "store", "controller", "scheduler", "runtime", "cloud"; NULL if unknown. */
const char *k8c_plugin_kind_name(int kind);
int k8c_plugin_kind_parse(const char *name);
const char *k8c_refusal_name(int reason);

#endif
