/* Fill the members of a k8c_sched_node_t that the scheduler's cache looks
 * up once per node change (ABI 1.4: labels, taints, unschedulable) from
 * its Node object, as the host does. */
#ifndef K8C_TESTS_FAKE_SCHED_NODE_H
#define K8C_TESTS_FAKE_SCHED_NODE_H

#include <cjson/cJSON.h>

#include <k8c/scheduler.h>

__attribute__((unused))
static void fake_sched_node_fill(k8c_sched_node_t *n)
{
	const cJSON *md = cJSON_GetObjectItemCaseSensitive(n->node, "metadata");
	const cJSON *spec = cJSON_GetObjectItemCaseSensitive(n->node, "spec");

	n->labels = cJSON_GetObjectItemCaseSensitive(md, "labels");
	n->taints = cJSON_GetObjectItemCaseSensitive(spec, "taints");
	n->unschedulable = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(spec, "unschedulable"));
}

#endif
