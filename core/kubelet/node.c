/* The kubelet's Nodes: registration with capacity, addresses, nodeInfo and
 * the standard labels; conditions (Ready, MemoryPressure, DiskPressure,
 * PIDPressure) posted when they change and at least every 5 minutes; a
 * Lease in kube-node-lease renewed every 10 s, as the kubelet does since
 * the NodeLease feature.  Hollow nodes get capacity from --sim-* and
 * conditions that never change. */
#define K8C_LOG_COMPONENT "kubelet"
#include "config.h"

#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "common/dirs.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/timestamp.h"
#include "kubelet/internal.h"

#define LEASE_PERIOD_NS (10 * 1000000000LL)
#define STATUS_CHECK_NS (10 * 1000000000LL)
#define LEASE_LATE_NS (5 * 1000000000LL) /* a renewal this late may have let the node go Unknown */
#define STATUS_REPORT_NS (300 * 1000000000LL)
#define LEASE_DURATION_S 40
#define EVICTION_MEMORY_KI (100 * 1024) /* memory.available<100Mi */

const char *kl_node_ip(k8c_kubelet_t *kl)
{
	return kl->node_ip;
}

/* The first line of path without its newline, or def (caller frees). */
static char *read_line(const char *path, const char *def)
{
	char *text = NULL;
	size_t len;

	if (k8c_read_file(path, 1 << 16, &text, &len) < 0)
		return k8c_xstrdup(def);
	text[strcspn(text, "\n")] = '\0';
	return text;
}

static char *os_image(void)
{
	char *text = NULL, *p;
	size_t len;

	if (k8c_read_file("/etc/os-release", 1 << 16, &text, &len) < 0)
		return k8c_xstrdup("Linux");
	if ((p = strstr(text, "PRETTY_NAME=")) != NULL) {
		char *v = p + 12, *out;
		if (*v == '"')
			v++;
		v[strcspn(v, "\"\n")] = '\0';
		out = k8c_xstrdup(v);
		free(text);
		return out;
	}
	free(text);
	return k8c_xstrdup("Linux");
}

static const char *go_arch(const char *machine)
{
	if (strcmp(machine, "x86_64") == 0)
		return "amd64";
	if (strcmp(machine, "aarch64") == 0)
		return "arm64";
	if (strncmp(machine, "armv7", 5) == 0)
		return "arm";
	return machine;
}

/* MemTotal and MemAvailable in KiB. */
static void meminfo(int64_t *total_ki, int64_t *avail_ki)
{
	char *text = NULL, *p;
	size_t len;

	*total_ki = *avail_ki = 0;
	if (k8c_read_file("/proc/meminfo", 1 << 16, &text, &len) < 0)
		return;
	if ((p = strstr(text, "MemTotal:")) != NULL)
		*total_ki = strtoll(p + 9, NULL, 10);
	if ((p = strstr(text, "MemAvailable:")) != NULL)
		*avail_ki = strtoll(p + 13, NULL, 10);
	free(text);
}

char *kl_default_node_ip(void)
{
	struct ifaddrs *ifs, *i;
	char buf[INET_ADDRSTRLEN] = "127.0.0.1";

	if (getifaddrs(&ifs) == 0) {
		for (i = ifs; i != NULL; i = i->ifa_next)
			if (i->ifa_addr != NULL && i->ifa_addr->sa_family == AF_INET &&
			    (i->ifa_flags & IFF_UP) && !(i->ifa_flags & IFF_LOOPBACK)) {
				inet_ntop(AF_INET, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, buf,
				          sizeof(buf));
				break;
			}
		freeifaddrs(ifs);
	}
	return k8c_xstrdup(buf);
}

static cJSON *condition(const char *type, int status, const char *reason, const char *message,
                        const char *now)
{
	cJSON *c = cJSON_CreateObject();

	cJSON_AddStringToObject(c, "type", type);
	cJSON_AddStringToObject(c, "status", status ? "True" : "False");
	cJSON_AddStringToObject(c, "lastHeartbeatTime", now);
	cJSON_AddStringToObject(c, "lastTransitionTime", now);
	cJSON_AddStringToObject(c, "reason", reason);
	cJSON_AddStringToObject(c, "message", message);
	return c;
}

/* The node's conditions now (lastTransitionTime set to now: the caller
 * keeps the old ones when the status did not change). */
static cJSON *node_conditions(k8c_kubelet_t *kl)
{
	cJSON *cs = cJSON_CreateArray();
	char now[K8C_TIME_STRLEN];
	int mem = 0, disk = 0, pid = 0;

	k8c_time_format(k8c_time_now_ns(), now);
	if (!kl->hollow) {
		int64_t total, avail;
		struct statvfs fs;
		long pid_max = 0, procs = 0;
		_cleanup_free_ char *pm = read_line("/proc/sys/kernel/pid_max", "0");
		_cleanup_free_ char *la = read_line("/proc/loadavg", "");
		const char *slash = strchr(la, '/');

		meminfo(&total, &avail);
		mem = total > 0 && avail < EVICTION_MEMORY_KI;
		if (statvfs(kl->data_dir, &fs) == 0 && fs.f_blocks > 0)
			disk = fs.f_bavail * 10 < fs.f_blocks; /* nodefs.available<10% */
		pid_max = atol(pm);
		if (slash != NULL)
			procs = atol(slash + 1);
		pid = pid_max > 0 && procs * 100 > pid_max * 95;
	}
	cJSON_AddItemToArray(cs, condition("MemoryPressure", mem,
	                                   mem ? "KubeletHasInsufficientMemory" : "KubeletHasSufficientMemory",
	                                   mem ? "kubelet has insufficient memory available"
	                                       : "kubelet has sufficient memory available", now));
	cJSON_AddItemToArray(cs, condition("DiskPressure", disk,
	                                   disk ? "KubeletHasDiskPressure" : "KubeletHasNoDiskPressure",
	                                   disk ? "kubelet has disk pressure" : "kubelet has no disk pressure",
	                                   now));
	cJSON_AddItemToArray(cs, condition("PIDPressure", pid,
	                                   pid ? "KubeletHasInsufficientPID" : "KubeletHasSufficientPID",
	                                   pid ? "kubelet has insufficient PID available"
	                                       : "kubelet has sufficient PID available", now));
	cJSON_AddItemToArray(cs, condition("Ready", 1, "KubeletReady", "kubelet is posting ready status",
	                                   now));
	return cs;
}

/* Conditions whose status did not change since old keep old's
 * lastTransitionTime. */
static void keep_transitions(cJSON *conds, const char *old_text)
{
	_cleanup_json_ cJSON *old = old_text ? cJSON_Parse(old_text) : NULL;
	cJSON *c, *o;

	cJSON_ArrayForEach(c, conds) {
		cJSON_ArrayForEach(o, old) {
			const char *t = k8c_jstr(o, "lastTransitionTime");
			if (t != NULL &&
			    strcmp(k8c_jstr(c, "type"), k8c_jstr(o, "type") ? k8c_jstr(o, "type") : "") == 0 &&
			    strcmp(k8c_jstr(c, "status"), k8c_jstr(o, "status") ? k8c_jstr(o, "status") : "") == 0)
				cJSON_ReplaceItemInObject(c, "lastTransitionTime", cJSON_CreateString(t));
		}
	}
}

/* The conditions without their times, to see whether anything changed. */
static char *conditions_key(const cJSON *cs)
{
	_cleanup_json_ cJSON *copy = cJSON_Duplicate(cs, 1);
	cJSON *c;

	cJSON_ArrayForEach(c, copy) {
		cJSON_DeleteItemFromObject(c, "lastHeartbeatTime");
		cJSON_DeleteItemFromObject(c, "lastTransitionTime");
	}
	return cJSON_PrintUnformatted(copy);
}

static cJSON *node_status(k8c_kubelet_t *kl, knode_t *n)
{
	cJSON *st = cJSON_CreateObject(), *cap, *alloc, *addrs, *a, *info;
	struct utsname u;
	char buf[64];

	uname(&u);
	cap = cJSON_AddObjectToObject(st, "capacity");
	if (kl->hollow) {
		cJSON_AddStringToObject(cap, "cpu", kl->sim_cpu);
		cJSON_AddStringToObject(cap, "memory", kl->sim_memory);
		cJSON_AddStringToObject(cap, "ephemeral-storage", "100Gi");
		cJSON_AddStringToObject(cap, "pods", kl->sim_pods);
		alloc = cJSON_Duplicate(cap, 1);
	} else {
		int64_t total, avail;
		struct statvfs fs;
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);

		meminfo(&total, &avail);
		snprintf(buf, sizeof(buf), "%ld", cpus > 0 ? cpus : 1);
		cJSON_AddStringToObject(cap, "cpu", buf);
		snprintf(buf, sizeof(buf), "%lldKi", (long long)total);
		cJSON_AddStringToObject(cap, "memory", buf);
		if (statvfs(kl->data_dir, &fs) == 0) {
			snprintf(buf, sizeof(buf), "%lldKi",
			         (long long)((int64_t)fs.f_blocks * (int64_t)fs.f_frsize / 1024));
			cJSON_AddStringToObject(cap, "ephemeral-storage", buf);
		}
		cJSON_AddStringToObject(cap, "pods", "110");
		alloc = cJSON_Duplicate(cap, 1);
		/* what the default hard eviction thresholds hold back */
		snprintf(buf, sizeof(buf), "%lldKi",
		         (long long)(total > EVICTION_MEMORY_KI ? total - EVICTION_MEMORY_KI : 0));
		cJSON_ReplaceItemInObject(alloc, "memory", cJSON_CreateString(buf));
		if (statvfs(kl->data_dir, &fs) == 0) {
			snprintf(buf, sizeof(buf), "%lld",
			         (long long)((int64_t)fs.f_blocks * (int64_t)fs.f_frsize / 10 * 9));
			cJSON_ReplaceItemInObject(alloc, "ephemeral-storage", cJSON_CreateString(buf));
		}
	}
	cJSON_AddItemToObject(st, "allocatable", alloc);
	cJSON_AddItemToObject(st, "conditions", node_conditions(kl));
	addrs = cJSON_AddArrayToObject(st, "addresses");
	a = cJSON_CreateObject();
	cJSON_AddStringToObject(a, "type", "InternalIP");
	cJSON_AddStringToObject(a, "address", kl->node_ip);
	cJSON_AddItemToArray(addrs, a);
	a = cJSON_CreateObject();
	cJSON_AddStringToObject(a, "type", "Hostname");
	cJSON_AddStringToObject(a, "address", n->name);
	cJSON_AddItemToArray(addrs, a);
	cJSON_AddNumberToObject(cJSON_AddObjectToObject(cJSON_AddObjectToObject(st, "daemonEndpoints"),
	                                                "kubeletEndpoint"),
	                        "Port", kl->port > 0 ? kl->port : 0);
	info = cJSON_AddObjectToObject(st, "nodeInfo");
	{
		_cleanup_free_ char *mid = read_line("/etc/machine-id", "");
		_cleanup_free_ char *boot = read_line("/proc/sys/kernel/random/boot_id", "");
		_cleanup_free_ char *osimg = os_image();
		_cleanup_free_ char *rt = k8c_xasprintf("%s://%s", kl->runtime_name, PACKAGE_VERSION);
		cJSON_AddStringToObject(info, "machineID", mid);
		cJSON_AddStringToObject(info, "systemUUID", mid);
		cJSON_AddStringToObject(info, "bootID", boot);
		cJSON_AddStringToObject(info, "kernelVersion", u.release);
		cJSON_AddStringToObject(info, "osImage", osimg);
		cJSON_AddStringToObject(info, "containerRuntimeVersion", rt);
		cJSON_AddStringToObject(info, "kubeletVersion", "v1.32.0-k8c." PACKAGE_VERSION);
		cJSON_AddStringToObject(info, "kubeProxyVersion", "");
		cJSON_AddStringToObject(info, "operatingSystem", "linux");
		cJSON_AddStringToObject(info, "architecture", go_arch(u.machine));
	}
	return st;
}

static cJSON *node_labels(const char *name)
{
	cJSON *l = cJSON_CreateObject();
	struct utsname u;

	uname(&u);
	cJSON_AddStringToObject(l, "beta.kubernetes.io/arch", go_arch(u.machine));
	cJSON_AddStringToObject(l, "beta.kubernetes.io/os", "linux");
	cJSON_AddStringToObject(l, "kubernetes.io/arch", go_arch(u.machine));
	cJSON_AddStringToObject(l, "kubernetes.io/hostname", name);
	cJSON_AddStringToObject(l, "kubernetes.io/os", "linux");
	return l;
}

static void remember_uid(knode_t *n, const cJSON *node)
{
	const char *uid = k8c_jstr(node, "metadata.uid");

	free(n->uid);
	n->uid = k8c_xstrdup(uid ? uid : "");
}

static int register_node(k8c_kubelet_t *kl, knode_t *n, k8c_error_t *err)
{
	_cleanup_json_ cJSON *node = cJSON_CreateObject(), *out = NULL;
	_cleanup_free_ char *path = NULL, *esc = k8c_client_escape(n->name);
	cJSON *md, *st;
	int ret;

	cJSON_AddStringToObject(node, "apiVersion", "v1");
	cJSON_AddStringToObject(node, "kind", "Node");
	md = cJSON_AddObjectToObject(node, "metadata");
	cJSON_AddStringToObject(md, "name", n->name);
	cJSON_AddItemToObject(md, "labels", node_labels(n->name));
	cJSON_AddObjectToObject(node, "spec");
	st = node_status(kl, n);
	free(n->last_conditions);
	n->last_conditions = cJSON_PrintUnformatted(cJSON_GetObjectItem(st, "conditions"));
	cJSON_AddItemToObject(node, "status", st);
	ret = k8c_client_request(kl->cfg.client, "POST", "/api/v1/nodes", node, NULL, &out, err);
	if (ret == -K8C_EEXIST) {
		/* registered before: make its labels and status ours again */
		_cleanup_json_ cJSON *patch = cJSON_CreateObject();
		cJSON_AddItemToObject(cJSON_AddObjectToObject(patch, "metadata"), "labels",
		                      node_labels(n->name));
		path = k8c_xasprintf("/api/v1/nodes/%s", esc);
		if ((ret = k8c_client_request(kl->cfg.client, "PATCH", path, patch, K8C_PATCH_MERGE,
		                              NULL, err)) < 0)
			return ret;
		cJSON_DeleteItemFromObject(patch, "metadata");
		cJSON_AddItemReferenceToObject(patch, "status", st);
		free(path);
		path = k8c_xasprintf("/api/v1/nodes/%s/status", esc);
		cJSON_Delete(out);
		out = NULL;
		ret = k8c_client_request(kl->cfg.client, "PATCH", path, patch, K8C_PATCH_MERGE, &out,
		                         err);
	}
	if (ret < 0)
		return ret;
	remember_uid(n, out);
	return 0;
}

int kl_nodes_register(k8c_kubelet_t *kl, k8c_error_t *err)
{
	int64_t now = k8c_time_monotonic_ns(), t0 = now;

	for (size_t i = 0; i < kl->n_nodes; i++) {
		knode_t *n = &kl->nodes[i];
		int ret;

		/* an API server that is still starting: retry for a while */
		for (int tries = 0;; tries++) {
			ret = register_node(kl, n, err);
			if (ret != -K8C_EUNAVAIL || tries >= 60)
				break;
			if (tries == 0)
				K8C_INFO("waiting for the API server: %s", err->message);
			sleep(1);
		}
		if (ret < 0) {
			char why[K8C_ERROR_MESSAGE_MAX];
			snprintf(why, sizeof(why), "%s", err->message); /* not formatted into itself */
			return k8c_error_make(err, err->code, "register node %s: %s", n->name, why);
		}
		/* spread the heartbeats of many nodes over the period */
		/* the first Lease at once, the renewals spread over the period */
		n->next_lease_ns = now;
		n->next_status_ns = now + STATUS_CHECK_NS + STATUS_CHECK_NS * (int64_t)i / (int64_t)kl->n_nodes;
		if (kl->n_nodes > 100 && (i + 1) % 1000 == 0)
			K8C_INFO("registered %zu of %zu nodes", i + 1, kl->n_nodes);
	}
	K8C_INFO("registered %zu node%s in %.2f s", kl->n_nodes, kl->n_nodes == 1 ? "" : "s",
	         (double)(k8c_time_monotonic_ns() - t0) / 1e9);
	return 0;
}

static int renew_lease(k8c_kubelet_t *kl, knode_t *n, k8c_error_t *err)
{
	char now[K8C_TIME_STRLEN];
	_cleanup_free_ char *esc = k8c_client_escape(n->name);
	_cleanup_free_ char *path = k8c_xasprintf(
		"/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/%s", esc);
	_cleanup_json_ cJSON *lease = cJSON_CreateObject();
	cJSON *spec = cJSON_AddObjectToObject(lease, "spec");
	int ret;

	k8c_time_format_micro(k8c_time_now_ns(), now);
	cJSON_AddStringToObject(spec, "renewTime", now);
	if (n->lease_exists) {
		ret = k8c_client_request(kl->cfg.client, "PATCH", path, lease, K8C_PATCH_MERGE, NULL,
		                         err);
		if (ret != -K8C_ENOTFOUND)
			return ret;
		n->lease_exists = 0;
	}
	{
		cJSON *md = cJSON_AddObjectToObject(lease, "metadata"), *refs, *ref;
		cJSON_AddStringToObject(lease, "apiVersion", "coordination.k8s.io/v1");
		cJSON_AddStringToObject(lease, "kind", "Lease");
		cJSON_AddStringToObject(md, "name", n->name);
		cJSON_AddStringToObject(md, "namespace", "kube-node-lease");
		refs = cJSON_AddArrayToObject(md, "ownerReferences");
		ref = cJSON_CreateObject();
		cJSON_AddStringToObject(ref, "apiVersion", "v1");
		cJSON_AddStringToObject(ref, "kind", "Node");
		cJSON_AddStringToObject(ref, "name", n->name);
		cJSON_AddStringToObject(ref, "uid", n->uid ? n->uid : "");
		cJSON_AddItemToArray(refs, ref);
		cJSON_AddStringToObject(spec, "holderIdentity", n->name);
		cJSON_AddNumberToObject(spec, "leaseDurationSeconds", LEASE_DURATION_S);
	}
	ret = k8c_client_request(kl->cfg.client, "POST",
	                         "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases",
	                         lease, NULL, NULL, err);
	if (ret == -K8C_EEXIST) {
		n->lease_exists = 1;
		return renew_lease(kl, n, err);
	}
	if (ret == 0)
		n->lease_exists = 1;
	return ret;
}

static int post_status(k8c_kubelet_t *kl, knode_t *n, int force, k8c_error_t *err)
{
	_cleanup_json_ cJSON *patch = cJSON_CreateObject();
	cJSON *st = node_status(kl, n);
	cJSON *conds = cJSON_GetObjectItem(st, "conditions");
	_cleanup_free_ char *esc = k8c_client_escape(n->name);
	_cleanup_free_ char *path = k8c_xasprintf("/api/v1/nodes/%s/status", esc);
	int ret;

	cJSON_AddItemToObject(patch, "status", st);
	keep_transitions(conds, n->last_conditions);
	if (!force && n->last_conditions != NULL) {
		_cleanup_json_ cJSON *old = cJSON_Parse(n->last_conditions);
		_cleanup_free_ char *a = conditions_key(conds), *b = conditions_key(old);
		if (strcmp(a, b) == 0)
			return 0;
	}
	ret = k8c_client_request(kl->cfg.client, "PATCH", path, patch, K8C_PATCH_MERGE, NULL, err);
	if (ret == -K8C_ENOTFOUND) /* someone deleted our Node: register again */
		return register_node(kl, n, err);
	if (ret == 0) {
		free(n->last_conditions);
		n->last_conditions = cJSON_PrintUnformatted(conds);
	}
	return ret;
}

void *kl_heartbeat_thread(void *arg)
{
	k8c_kubelet_t *kl = arg;
	int64_t last_report = k8c_time_monotonic_ns();

	for (;;) {
		int64_t now = k8c_time_monotonic_ns(), next = now + 1000000000LL;
		int report = now - last_report >= STATUS_REPORT_NS;
		struct timespec ts;
		k8c_error_t err;

		if (report)
			last_report = now;
		for (size_t i = 0; i < kl->n_nodes; i++) {
			knode_t *n = &kl->nodes[i];

			pthread_mutex_lock(&kl->lock);
			if (kl->stop) {
				pthread_mutex_unlock(&kl->lock);
				return NULL;
			}
			pthread_mutex_unlock(&kl->lock);
			now = k8c_time_monotonic_ns();
			if (now >= n->next_lease_ns) {
				if (renew_lease(kl, n, &err) < 0) {
					K8C_WARN("node %s: lease: %s", n->name, err.message);
					n->lease_failed = 1;
				} else {
					/* after a renewal failed or came late the node
					 * controller may have set our conditions to
					 * Unknown: post them at once, whatever we last
					 * posted (kube's kubelet compares with the server) */
					if (n->lease_failed || (n->last_lease_ok_ns != 0 &&
					                        now - n->last_lease_ok_ns > LEASE_PERIOD_NS + LEASE_LATE_NS)) {
						n->status_stale = 1;
						n->next_status_ns = now;
					}
					n->lease_failed = 0;
					n->last_lease_ok_ns = now;
				}
				n->next_lease_ns += LEASE_PERIOD_NS;
				if (!n->lease_renewed_once) {
					/* spread the renewals of many nodes over the period */
					n->lease_renewed_once = 1;
					n->next_lease_ns = now + LEASE_PERIOD_NS * (int64_t)(i + 1) / (int64_t)kl->n_nodes;
				}
				if (n->next_lease_ns < now)
					n->next_lease_ns = now + LEASE_PERIOD_NS;
			}
			if (now >= n->next_status_ns) {
				if (post_status(kl, n, report || n->status_stale, &err) < 0)
					K8C_WARN("node %s: status: %s", n->name, err.message);
				else
					n->status_stale = 0;
				n->next_status_ns = now + STATUS_CHECK_NS;
			}
			if (n->next_lease_ns < next)
				next = n->next_lease_ns;
		}
		if (next - k8c_time_monotonic_ns() > 1000000000LL)
			next = k8c_time_monotonic_ns() + 1000000000LL;
		next -= k8c_time_monotonic_ns();
		ts = k8c_timespec_in(CLOCK_REALTIME, next > 1000000 ? next : 1000000);
		pthread_mutex_lock(&kl->lock);
		if (!kl->stop)
			pthread_cond_timedwait(&kl->cond, &kl->lock, &ts);
		pthread_mutex_unlock(&kl->lock);
	}
}
