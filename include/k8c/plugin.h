/* k8c plugin SDK — the plugin descriptor and the host table.
 *
 * A plugin is a shared object that exports exactly one symbol: the const
 * data object `k8c_plugin` of type k8c_plugin_t.  The core dlopen()s the
 * file, reads abi_major, abi_minor and struct_size from that object and only
 * then, if they are acceptable, calls anything in the plugin:
 *
 *   - abi_major must equal the core's K8C_ABI_MAJOR;
 *   - abi_minor must be <= the core's K8C_ABI_MINOR;
 *   - struct_size must be at least the size of the 1.0 descriptor.
 *
 * Rules that keep the ABI stable (see doc/plugin-guide.md):
 *   - every struct here starts with (or carries) its own size, and only ever
 *     grows at the end; a minor bump marks each append, a major bump any other
 *     change;
 *   - a member added in minor N is only read when the other side's
 *     struct_size covers it (K8C_HAS_MEMBER);
 *   - objects cross the boundary as cJSON trees; every pointer documents who
 *     owns it.  Memory handed across is allocated with malloc() (or cJSON) and
 *     freed with free() (or cJSON_Delete()): both sides share one libc and one
 *     libcjson.
 *   - a plugin keeps its state in the cookie returned by init(), never in
 *     file-level variables, so it can be instantiated twice.
 */
#ifndef K8C_PLUGIN_H
#define K8C_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#include <k8c/error.h>

#ifdef __cplusplus
extern "C" {
#endif

#define K8C_ABI_MAJOR 1
#define K8C_ABI_MINOR 6

struct cJSON; /* from <cjson/cJSON.h>; forward-declared so the SDK needs no cJSON headers */
struct k8c_client_api;
struct k8c_completion; /* opaque: see k8c_host_t.completion_new */
struct k8c_controller_host; /* <k8c/controller.h> */

/* Does a struct whose first uint32_t says it is `size` bytes long contain
 * `member` of `type`?  Use before reading any member added after 1.0. */
#define K8C_HAS_MEMBER(size, type, member) \
	((size) >= offsetof(type, member) + sizeof(((type *)0)->member))

/* Plugin kinds.  Values are fixed forever. */
enum k8c_plugin_kind {
	K8C_PLUGIN_STORE = 1,      /* datastore: include <k8c/store.h> */
	K8C_PLUGIN_CONTROLLER = 2, /* reconcile loop: <k8c/controller.h> */
	K8C_PLUGIN_SCHEDULER = 3,  /* scheduler policy: <k8c/scheduler.h> */
	K8C_PLUGIN_RUNTIME = 4,    /* container runtime: <k8c/runtime.h> */
	K8C_PLUGIN_CLOUD = 5,      /* cloud provider: <k8c/cloud.h> */
};

/* Log levels for k8c_host_t.log. */
enum k8c_log_level {
	K8C_LOG_ERROR = 0,
	K8C_LOG_WARN = 1,
	K8C_LOG_INFO = 2,
	K8C_LOG_DEBUG = 3,
	K8C_LOG_TRACE = 4,
};

/* Services the core offers a plugin instance.  Passed to init(); the
 * pointer and everything it points to stay valid until fini() returns.
 * Members appended in later minors are read only when struct_size covers
 * them (K8C_HAS_MEMBER(host->struct_size, k8c_host_t, member)). */
typedef struct k8c_host {
	uint32_t struct_size;   /* sizeof(k8c_host_t) in the core. Since 1.0 */
	uint32_t abi_major;     /* the core's K8C_ABI_MAJOR. Since 1.0 */
	uint32_t abi_minor;     /* the core's K8C_ABI_MINOR. Since 1.0 */
	uint32_t reserved0;     /* zero. Since 1.0 */
	const char *core_version; /* borrowed, e.g. "0.1.0". Since 1.0 */

	/* Opaque host context of this plugin instance: pass it back as the
	 * first argument of every host function.  Since 1.0 */
	void *ctx;

	/* Log one line; the core adds time, level, plugin kind and name.  The
	 * message needs no trailing newline.  Thread-safe.  Since 1.0 */
	void (*log)(void *ctx, int level, const char *fmt, ...)
		__attribute__((format(printf, 3, 4)));

	/* Non-zero when a line at `level` would be written: guard expensive
	 * formatting with it.  Since 1.0 */
	int (*log_enabled)(void *ctx, int level);

	/* Wall-clock time in nanoseconds since the Unix epoch.  Since 1.0 */
	int64_t (*now_ns)(void *ctx);

	/* Monotonic time in nanoseconds, for timeouts and backoff.  Since 1.0 */
	int64_t (*monotonic_ns)(void *ctx);

	/* The directory where this instance may keep files (borrowed; it
	 * exists).  Since 1.0 */
	const char *data_dir;

	/* API client, or NULL where the instance has no API server to talk to
	 * (store plugins run inside the API server and get NULL).  See
	 * <k8c/client.h>; pass client_ctx as its first argument.  Since 1.0 */
	const struct k8c_client_api *client;
	void *client_ctx;

	/* Completions: how a plugin makes its caller wait for the plugin's
	 * own threads (a store's group commit), instead of a condition
	 * variable.  The API server serves many requests on one thread; a
	 * request waiting here gives the thread to the others until done.
	 * Since 1.2 (K8C_HAS_MEMBER(host->struct_size, k8c_host_t,
	 * completion_free); before, use a condition variable).
	 *   new:  a completion, owned by the caller until free (never NULL).
	 *   wait: return once done was called, before or after this wait.
	 *         Call it holding no lock that the thread calling done
	 *         takes, and at most once per completion.
	 *   done: from any thread but the waiting one, exactly once.  The
	 *         waiter may free c as soon as done was called: touch
	 *         nothing of the request after calling it.
	 *   free: after wait returned (or when nobody waits and done ran). */
	struct k8c_completion *(*completion_new)(void *ctx);
	void (*completion_wait)(void *ctx, struct k8c_completion *c);
	void (*completion_done)(void *ctx, struct k8c_completion *c);
	void (*completion_free)(void *ctx, struct k8c_completion *c);

	/* The controller manager's services (<k8c/controller.h>): set for
	 * controller plugins run by the controller manager, NULL otherwise.
	 * Since 1.5. */
	const struct k8c_controller_host *controller;
} k8c_host_t;

/* The descriptor every plugin exports as `k8c_plugin`. */
typedef struct k8c_plugin {
	uint32_t abi_major;   /* K8C_ABI_MAJOR the plugin was built against */
	uint32_t abi_minor;   /* K8C_ABI_MINOR the plugin was built against */
	uint32_t struct_size; /* sizeof(k8c_plugin_t) the plugin was built with */
	uint32_t kind;        /* enum k8c_plugin_kind */

	/* Static strings owned by the plugin.  name matches [a-z0-9-]{1,63}
	 * and is unique per kind; version is free-form ("1.2.0"). */
	const char *name;
	const char *version;
	const char *description; /* one line, may be NULL */

	/* Create an instance.  config is this instance's read-only config
	 * subtree (a cJSON object, never NULL: empty when unconfigured),
	 * borrowed and valid until fini().  On success store the instance
	 * state in *cookie and return 0; on failure fill err and return < 0
	 * (fini is then not called).  Required. */
	int (*init)(const k8c_host_t *host, const struct cJSON *config,
	            void **cookie, k8c_error_t *err);

	/* Destroy an instance: stop its threads, free the cookie.  Required. */
	void (*fini)(void *cookie);

	/* The kind's operation table (k8c_store_ops_t, k8c_controller_ops_t,
	 * k8c_sched_policy_ops_t, k8c_runtime_ops_t, k8c_cloud_ops_t), static
	 * and owned by the plugin.  Its first member is its own struct_size.
	 * Required. */
	const void *ops;
} k8c_plugin_t;

/* Size of the 1.0 descriptor: the loader refuses anything smaller. */
#define K8C_PLUGIN_SIZE_1_0 (offsetof(k8c_plugin_t, ops) + sizeof(const void *))

#define K8C_PLUGIN_EXPORT __attribute__((visibility("default")))

/* The version fields of a descriptor, for designated initialisers:
 *   K8C_PLUGIN_EXPORT const k8c_plugin_t k8c_plugin = {
 *       K8C_PLUGIN_HEADER(K8C_PLUGIN_SCHEDULER),
 *       .name = "my-policy", ...
 *   };
 */
#define K8C_PLUGIN_HEADER(k)                                              \
	.abi_major = K8C_ABI_MAJOR, .abi_minor = K8C_ABI_MINOR,           \
	.struct_size = (uint32_t)sizeof(k8c_plugin_t), .kind = (uint32_t)(k)

#ifdef __cplusplus
}
#endif

#endif /* K8C_PLUGIN_H */
