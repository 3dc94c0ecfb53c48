/* The datastore contract as a reusable test: every store plugin (sqlite,
 * etcd, ...) must pass it.  It drives the plugin through its descriptor
 * and ops table only (init, open, every op, close, fini) and reports TAP
 * through the caller's ok()/diag(), so that the numbering continues with
 * the caller's own tests:
 *
 *     #include "unit/tap.h"
 *     #include "store/contract.h"
 *     store_contract_t c = {
 *         .plugin = &k8c_plugin, .host = &fh.host,
 *         .endpoint = "sqlite:///tmp/x/state.db", .config = cfg,
 *         .ok = ok, .diag = diag,
 *     };
 *     store_contract_run(&c);
 *
 * The store may hold other data: the suite writes only under
 * "/contract/<pid>-<n>/" and makes no assumption about absolute revision
 * numbers.  It does compact the store, and it closes and reopens it.
 * config must keep the store from compacting on its own while the suite
 * runs (the suite takes a few seconds).
 *
 * Points that store.h leaves open and this suite pins down:
 *   - reads at a revision above the current one fail with -K8C_EINVAL;
 *     a revision below the compacted one fails with -K8C_EEXPIRED, the
 *     compacted revision itself is still readable (as etcd);
 *   - range_end "" means every key >= key (etcd's "\0"); range_end <= key
 *     is an empty range; continue-style paging starts the next page at
 *     last_key + "\x01" (the next possible key: keys contain no NUL) at
 *     the first page's info.revision;
 *   - update with expected_revision 0 is a conflict (no key has mod
 *     revision 0); delete with 0 is unconditional; update/delete of a
 *     missing key is -K8C_ENOTFOUND; compact(rev) with rev above the
 *     current revision is -K8C_EINVAL, with rev at or below the compacted
 *     one -K8C_EEXPIRED;
 *   - a failed watch() calls neither fn nor free_fn (udata stays the
 *     caller's); a successful one ends with exactly one final callback
 *     (ev NULL, end set) followed by one free_fn(udata);
 *   - watch_cancel may be called from a watch callback (also on its own
 *     watch); no event follows the final callback;
 *   - after the final callback the handle stays valid until watch_cancel
 *     (which then only releases it), even after close(), until fini();
 *   - operations after close() fail with -K8C_EUNAVAIL; open() after
 *     close() on the same instance works, and the revision never goes
 *     back, across close/open and fini/init/open, even after compaction.
 */
#ifndef K8C_TESTS_STORE_CONTRACT_H
#define K8C_TESTS_STORE_CONTRACT_H

#include <k8c/plugin.h>
#include <k8c/store.h>

struct cJSON;

typedef struct store_contract {
	const k8c_plugin_t *plugin;  /* the store plugin under test (borrowed) */
	const k8c_host_t *host;      /* handed to init (borrowed) */
	const char *endpoint;        /* handed to open (borrowed) */
	const struct cJSON *config;  /* handed to init (borrowed; not NULL) */
	/* TAP reporting: tests/unit/tap.h's ok and diag. */
	int (*ok)(int cond, const char *fmt, ...);
	void (*diag)(const char *fmt, ...);
} store_contract_t;

/* Run the whole contract.  Returns the number of failed checks (they are
 * also reported through ok()). */
int store_contract_run(const store_contract_t *c);

#endif
