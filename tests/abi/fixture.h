/* Shared pieces of the ABI test plugins: each tests/abi/NAME.c file is a
 * plugin that is wrong in exactly one way (or, for good_*.c, in none). */
#ifndef K8C_TESTS_ABI_FIXTURE_H
#define K8C_TESTS_ABI_FIXTURE_H

#include <stdlib.h>

#include <k8c/plugin.h>
#include <k8c/scheduler.h>
#include <k8c/store.h>

__attribute__((unused)) static int fixture_init(const k8c_host_t *host, const struct cJSON *config,
                        void **cookie, k8c_error_t *err)
{
	*cookie = malloc(1);
	return 0;
}

__attribute__((unused)) static void fixture_fini(void *cookie)
{
	free(cookie);
}

__attribute__((unused)) static int fixture_filter(void *cookie, const k8c_sched_cycle_t *cycle,
                          const k8c_sched_node_t *node,
                          char reason[K8C_SCHED_REASON_MAX])
{
	return K8C_SCHED_SUCCESS;
}

/* A scheduler policy ops table that is complete. */
#define FIXTURE_SCHED_OPS                                           \
	static const k8c_sched_policy_ops_t ops = {                 \
		.struct_size = sizeof(k8c_sched_policy_ops_t),      \
		.filter = fixture_filter,                           \
	}

#endif
