/* Scheduler policy "node-ports": kube-scheduler's NodePorts.
 *
 * pre_filter collects the host ports the pod asks for: every
 * spec.containers[].ports[] entry with a hostPort > 0, its protocol
 * defaulting to TCP and its hostIP to 0.0.0.0.  A pod with none (nearly
 * every pod) gets SKIP, so filter is never called for it.
 *
 * filter rejects a node where a pod already bound to it uses one of those
 * (protocol, port) pairs on a clashing address: 0.0.0.0 on either side
 * clashes with any address, otherwise the addresses must be equal (as
 * strings, like Kubernetes' HostPortInfo).  The reason is Kubernetes'
 * "node(s) didn't have free ports for the requested pod ports", and the
 * code UNSCHEDULABLE: evicting the other pod (preemption) frees the port.
 *
 * Init containers are not looked at, on either side, as in Kubernetes
 * 1.32: kube-scheduler began counting the ports of restartable ("sidecar")
 * init containers only in 1.34 (backported to 1.33.x, not to 1.32).
 *
 * A port entry that is not an object, a hostPort that is not a whole
 * number in 1..65535, a protocol or hostIP that is not a string: the entry
 * is ignored.  The API server's validation refuses all of these, so only a
 * confused host can hand them to us; we must merely not crash.
 *
 * No config. */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include <k8c/scheduler.h>

#include "common/mem.h"

#define REASON_PORTS "node(s) didn't have free ports for the requested pod ports"
#define BIND_ALL "0.0.0.0"
#define DEFAULT_PROTOCOL "TCP"

struct node_ports {
	const k8c_host_t *host; /* borrowed, valid until fini */
};

typedef struct host_port {
	const char *ip;       /* borrowed from the pod (or BIND_ALL) */
	const char *protocol; /* borrowed from the pod (or DEFAULT_PROTOCOL) */
	int port;
} host_port_t;

/* The pod's wanted host ports: cycle->state, owned by the cycle and freed
 * with state_free.  The strings are borrowed from cycle->pod, which lives
 * as long as the cycle. */
typedef struct ports_state {
	size_t n;
	host_port_t ports[];
} ports_state_t;

static const cJSON *path2(const cJSON *obj, const char *a, const char *b)
{
	return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(obj, a), b);
}

/* A string member, def when absent, null or ""; NULL when another type. */
static const char *str_or(const cJSON *obj, const char *name, const char *def)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(obj, name);

	if (m == NULL || cJSON_IsNull(m))
		return def;
	if (!cJSON_IsString(m) || m->valuestring == NULL)
		return NULL;
	return m->valuestring[0] != '\0' ? m->valuestring : def;
}

/* One ContainerPort: true when it is well-formed and uses a host port. */
static bool read_port(const cJSON *p, host_port_t *out)
{
	const cJSON *hp = cJSON_GetObjectItemCaseSensitive(p, "hostPort");

	if (!cJSON_IsObject(p) || !cJSON_IsNumber(hp))
		return false;
	/* The range first: casting a huge double to int is undefined. */
	if (!(hp->valuedouble >= 1 && hp->valuedouble <= 65535) ||
	    hp->valuedouble != (double)(int)hp->valuedouble)
		return false;
	out->port = (int)hp->valuedouble;
	out->ip = str_or(p, "hostIP", BIND_ALL);
	out->protocol = str_or(p, "protocol", DEFAULT_PROTOCOL);
	return out->ip != NULL && out->protocol != NULL;
}

/* Iterate the host ports of a pod's spec.containers: for each well-formed
 * one, fn(udata, port); stops early and returns true when fn does. */
static bool each_port(const cJSON *pod, bool (*fn)(void *udata, const host_port_t *hp), void *udata)
{
	const cJSON *containers = path2(pod, "spec", "containers"), *c, *p;

	if (!cJSON_IsArray(containers))
		return false;
	cJSON_ArrayForEach(c, containers)
	{
		const cJSON *ports = cJSON_GetObjectItemCaseSensitive(c, "ports");

		if (!cJSON_IsObject(c) || !cJSON_IsArray(ports))
			continue;
		cJSON_ArrayForEach(p, ports)
		{
			host_port_t hp;

			if (read_port(p, &hp) && fn(udata, &hp))
				return true;
		}
	}
	return false;
}

static bool count_port(void *udata, const host_port_t *hp)
{
	(void)hp;
	(*(size_t *)udata)++;
	return false;
}

static bool add_port(void *udata, const host_port_t *hp)
{
	ports_state_t *s = udata;

	s->ports[s->n++] = *hp;
	return false;
}

/* The pod's host ports, or NULL when it has none.  Caller frees. */
static ports_state_t *collect(const cJSON *pod)
{
	size_t n = 0;
	ports_state_t *s;

	each_port(pod, count_port, &n);
	if (n == 0)
		return NULL;
	s = k8c_xmalloc(sizeof(*s) + n * sizeof(s->ports[0]));
	s->n = 0;
	each_port(pod, add_port, s);
	return s;
}

/* HostPortInfo.CheckConflict, seen from one used port. */
static bool clashes(const host_port_t *want, const host_port_t *used)
{
	if (want->port != used->port || strcmp(want->protocol, used->protocol) != 0)
		return false;
	return strcmp(want->ip, BIND_ALL) == 0 || strcmp(used->ip, BIND_ALL) == 0 ||
	       strcmp(want->ip, used->ip) == 0;
}

static bool clashes_any(void *udata, const host_port_t *used)
{
	const ports_state_t *want = udata;

	for (size_t i = 0; i < want->n; i++)
		if (clashes(&want->ports[i], used))
			return true;
	return false;
}

static void state_free(void *cookie, void *state)
{
	(void)cookie;
	free(state);
}

static int pre_filter(void *cookie, k8c_sched_cycle_t *cycle, char reason[K8C_SCHED_REASON_MAX])
{
	ports_state_t *s;

	(void)cookie;
	(void)reason;
	if (cycle == NULL)
		return K8C_SCHED_SKIP;
	s = collect(cycle->pod);
	if (s == NULL) /* no host ports */
		return K8C_SCHED_SKIP;
	if (cycle->state != NULL) /* pre_filter twice in one cycle */
		state_free(NULL, cycle->state);
	cycle->state = s;
	return K8C_SCHED_SUCCESS;
}

static int filter(void *cookie, const k8c_sched_cycle_t *cycle, const k8c_sched_node_t *node,
                  char reason[K8C_SCHED_REASON_MAX])
{
	const ports_state_t *want;
	ports_state_t *own = NULL;
	bool clash = false;

	(void)cookie;
	if (cycle == NULL || node == NULL) {
		snprintf(reason, K8C_SCHED_REASON_MAX, "invalid nodeInfo");
		return K8C_SCHED_ERROR;
	}
	if (node->n_pods == 0 || node->pods == NULL)
		return K8C_SCHED_SUCCESS;
	want = cycle->state;
	if (want == NULL) /* the host did not call pre_filter: work it out here */
		want = own = collect(cycle->pod);
	for (size_t i = 0; want != NULL && i < node->n_pods && !clash; i++)
		clash = each_port(node->pods[i], clashes_any, (void *)want);
	free(own);
	if (!clash)
		return K8C_SCHED_SUCCESS;
	snprintf(reason, K8C_SCHED_REASON_MAX, REASON_PORTS);
	return K8C_SCHED_UNSCHEDULABLE;
}

static int init(const k8c_host_t *host, const cJSON *config, void **cookie, k8c_error_t *err)
{
	struct node_ports *np;
	const cJSON *c;

	cJSON_ArrayForEach(c, config)
	{
		host->log(host->ctx, K8C_LOG_WARN, "ignoring unknown config key \"%s\"",
		          c->string ? c->string : "");
	}
	(void)err;
	np = k8c_xcalloc(1, sizeof(*np));
	np->host = host;
	*cookie = np;
	return 0;
}

static void fini(void *cookie)
{
	free(cookie);
}

static const k8c_sched_policy_ops_t ops = {
    .struct_size = sizeof(k8c_sched_policy_ops_t),
    .pre_filter = pre_filter,
    .filter = filter,
    .state_free = state_free,
};

K8C_PLUGIN_EXPORT const k8c_plugin_t k8c_plugin = {
    K8C_PLUGIN_HEADER(K8C_PLUGIN_SCHEDULER),
    .name = "node-ports",
    .version = PACKAGE_VERSION,
    .description = "host ports already taken on the node (kube-scheduler NodePorts)",
    .init = init,
    .fini = fini,
    .ops = &ops,
};
