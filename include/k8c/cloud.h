/* k8c plugin SDK — cloud provider plugins (kind K8C_PLUGIN_CLOUD).
 *
 * The cloud-controller-manager's node, route and service controllers call
 * these to learn about instances and to program routes and load balancers.
 * A provider implements the groups it supports; a group left NULL turns the
 * matching controller off.  All calls are blocking and thread-safe.
 */
#ifndef K8C_CLOUD_H
#define K8C_CLOUD_H

#include <k8c/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct k8c_cloud_instance {
	char provider_id[256];   /* "<provider>://<id>", for spec.providerID */
	char instance_type[64];  /* node.kubernetes.io/instance-type */
	char zone[64];           /* topology.kubernetes.io/zone */
	char region[64];         /* topology.kubernetes.io/region */
	struct cJSON *addresses; /* NodeAddress array, owned by the caller (cJSON_Delete), may be NULL */
} k8c_cloud_instance_t;

typedef struct k8c_cloud_ops {
	uint32_t struct_size; /* Since 1.0 */

	/* Instances: node is borrowed.  Set *exists to 0 when the instance
	 * behind node is gone (the node controller then deletes the Node). */
	int (*instance_exists)(void *cookie, const struct cJSON *node,
	                       int *exists, k8c_error_t *err);
	int (*instance_shutdown)(void *cookie, const struct cJSON *node,
	                         int *shutdown, k8c_error_t *err);
	int (*instance_metadata)(void *cookie, const struct cJSON *node,
	                         k8c_cloud_instance_t *md, k8c_error_t *err);

	/* Load balancers for Services of type LoadBalancer.  service and nodes
	 * are borrowed.  ensure creates or updates; *status receives a
	 * LoadBalancerStatus ({"ingress":[...]}) owned by the caller. */
	int (*ensure_load_balancer)(void *cookie, const char *cluster,
	                            const struct cJSON *service,
	                            const struct cJSON *const *nodes,
	                            size_t n_nodes, struct cJSON **status,
	                            k8c_error_t *err);
	int (*delete_load_balancer)(void *cookie, const char *cluster,
	                            const struct cJSON *service,
	                            k8c_error_t *err);

	/* Routes: pod CIDR of node_name reachable across nodes.  list_routes
	 * stores an array of {"name","nodeName","destinationCIDR"} owned by
	 * the caller in *routes. */
	int (*list_routes)(void *cookie, const char *cluster,
	                   struct cJSON **routes, k8c_error_t *err);
	int (*create_route)(void *cookie, const char *cluster,
	                    const char *node_name, const char *cidr,
	                    k8c_error_t *err);
	int (*delete_route)(void *cookie, const char *cluster,
	                    const char *node_name, const char *cidr,
	                    k8c_error_t *err);
} k8c_cloud_ops_t;

#define K8C_CLOUD_OPS_SIZE_1_0 \
	(offsetof(k8c_cloud_ops_t, delete_route) + sizeof(void *))

#ifdef __cplusplus
}
#endif

#endif /* K8C_CLOUD_H */
