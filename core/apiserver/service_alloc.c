/* Service cluster IP and node port allocation (see service_alloc.h). */
#define K8C_LOG_COMPONENT "apiserver"
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <cjson/cJSON.h>

#include "apiserver/kinds/util.h"
#include "apiserver/objects.h"
#include "apiserver/service_alloc.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/timestamp.h"
#include "common/uuid.h"

int k8c_service_alloc_init(k8c_apiserver_t *srv, const char *cidr, const char *ports,
                           k8c_error_t *err)
{
	char addr[64];
	const char *slash = strchr(cidr, '/');
	struct in_addr a;
	int bits, lo, hi;

	if (slash == NULL || (size_t)(slash - cidr) >= sizeof(addr))
		return k8c_error_make(err, K8C_EINVAL, "--service-cidr %s: expected an IPv4 CIDR such as 10.43.0.0/16", cidr);
	memcpy(addr, cidr, (size_t)(slash - cidr));
	addr[slash - cidr] = '\0';
	bits = atoi(slash + 1);
	if (inet_pton(AF_INET, addr, &a) != 1 || bits < 8 || bits > 30)
		return k8c_error_make(err, K8C_EINVAL, "--service-cidr %s: expected an IPv4 CIDR between /8 and /30", cidr);
	srv->svc_net = ntohl(a.s_addr) & (bits ? ~0u << (32 - bits) : 0);
	srv->svc_size = 1u << (32 - bits);
	if (sscanf(ports, "%d-%d", &lo, &hi) != 2 || lo < 1 || hi > 65535 || lo > hi)
		return k8c_error_make(err, K8C_EINVAL, "--service-node-port-range %s: expected LOW-HIGH such as 30000-32767", ports);
	srv->node_port_lo = lo;
	srv->node_port_hi = hi;
	k8c_lock_init(&srv->svc_lock);
	srv->svc_lock_ready = 1;
	srv->cfg_service_cidr = k8c_xstrdup(cidr);
	return 0;
}

static char *ip_string(uint32_t ip)
{
	struct in_addr a = {htonl(ip)};
	char buf[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &a, buf, sizeof(buf));
	return k8c_xstrdup(buf);
}

static int parse_ip(const char *s, uint32_t *ip)
{
	struct in_addr a;

	if (s == NULL || inet_pton(AF_INET, s, &a) != 1)
		return -1;
	*ip = ntohl(a.s_addr);
	return 0;
}

typedef struct used {
	cJSON *ips;    /* object: ip string -> true */
	cJSON *ports;  /* object: port string -> true */
} used_t;

static int collect(void *udata, const k8c_store_kv_t *kv)
{
	used_t *u = udata;
	_cleanup_json_ cJSON *svc = cJSON_ParseWithLength(kv->value, kv->value_len);
	const cJSON *p;
	const char *ip = k8c_jstr(svc, "spec.clusterIP");

	if (ip != NULL && strcmp(ip, "None") != 0 && !cJSON_HasObjectItem(u->ips, ip))
		cJSON_AddTrueToObject(u->ips, ip);
	cJSON_ArrayForEach(p, k8c_jget(svc, "spec.ports")) {
		long long np = k8c_jint(p, "nodePort", 0);
		char b[32];
		if (np > 0) {
			snprintf(b, sizeof(b), "%lld", np);
			if (!cJSON_HasObjectItem(u->ports, b))
				cJSON_AddTrueToObject(u->ports, b);
		}
	}
	return 0;
}

static int scan(k8c_apiserver_t *srv, used_t *u, k8c_error_t *err)
{
	const k8c_kind_t *k = k8c_kind_by_resource("", "v1", "services");
	_cleanup_free_ char *prefix = k8c_storage_key(k, NULL, NULL);
	_cleanup_free_ char *end = k8c_storage_prefix_end(prefix);

	return srv->store->range(srv->store_cookie, prefix, end, 0, 0, collect, u, NULL, err);
}

static uint32_t random_u32(void)
{
	uint32_t r;

	if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
		r = (uint32_t)rand();
	return r;
}

int k8c_service_alloc(k8c_apiserver_t *srv, cJSON *svc, k8c_field_errors_t *errs)
{
	const char *type = k8c_jstr(svc, "spec.type");
	const char *ip = k8c_jstr(svc, "spec.clusterIP");
	cJSON *spec = k8c_jobject(svc, "spec"), *p;
	used_t u = {cJSON_CreateObject(), cJSON_CreateObject()};
	int node_ports = type && (strcmp(type, "NodePort") == 0 || strcmp(type, "LoadBalancer") == 0);
	k8c_error_t err;
	int ret = 0;

	if (type != NULL && strcmp(type, "ExternalName") == 0)
		goto out;
	if (scan(srv, &u, &err) < 0) {
		k8c_field_error_add(errs, K8C_FIELD_INVALID, "spec.clusterIPs", NULL, "failed to allocate: %s", err.message);
		ret = -1;
		goto out;
	}
	if (ip == NULL || ip[0] == '\0') {
		/* first and last addresses stay free; .1 is the kubernetes Service */
		uint32_t n = srv->svc_size - 3, start = random_u32() % n;
		_cleanup_free_ char *chosen = NULL;
		for (uint32_t i = 0; i < n && chosen == NULL; i++) {
			char *cand = ip_string(srv->svc_net + 2 + (start + i) % n);
			if (!cJSON_HasObjectItem(u.ips, cand))
				chosen = cand;
			else
				free(cand);
		}
		if (chosen == NULL) {
			k8c_field_error_add(errs, K8C_FIELD_INVALID, "spec.clusterIPs", NULL,
			                    "failed to allocate IP: range is full");
			ret = -1;
			goto out;
		}
		cJSON_DeleteItemFromObjectCaseSensitive(spec, "clusterIP");
		cJSON_AddStringToObject(spec, "clusterIP", chosen);
		ip = k8c_jstr(svc, "spec.clusterIP");
	} else if (strcmp(ip, "None") != 0) {
		uint32_t v;
		cJSON *val = cJSON_CreateStringArray(&ip, 1);
		if (parse_ip(ip, &v) < 0 || v - srv->svc_net >= srv->svc_size) {
			k8c_field_error_add(errs, K8C_FIELD_INVALID, "spec.clusterIPs", val,
			                    "failed to allocate IP %s: the provided IP (%s) is not in the valid range. The range of valid IPs is %s",
			                    ip, ip, srv->cfg_service_cidr);
			ret = -1;
		} else if (cJSON_HasObjectItem(u.ips, ip)) {
			k8c_field_error_add(errs, K8C_FIELD_INVALID, "spec.clusterIPs", val,
			                    "failed to allocate IP %s: provided IP is already allocated", ip);
			ret = -1;
		}
		cJSON_Delete(val);
		if (ret < 0)
			goto out;
	}
	cJSON_DeleteItemFromObjectCaseSensitive(spec, "clusterIPs");
	cJSON_AddItemToObject(spec, "clusterIPs", cJSON_CreateStringArray(&ip, 1));
	if (!node_ports)
		goto out;
	{
		int i = 0;
		cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(spec, "ports")) {
			long long np = k8c_jint(p, "nodePort", 0);
			char b[32], path[64];
			snprintf(path, sizeof(path), "spec.ports[%d].nodePort", i++);
			if (np == 0) {
				int span = srv->node_port_hi - srv->node_port_lo + 1, start = (int)(random_u32() % (uint32_t)span);
				for (int j = 0; j < span && np == 0; j++) {
					int cand = srv->node_port_lo + (start + j) % span;
					snprintf(b, sizeof(b), "%d", cand);
					if (!cJSON_HasObjectItem(u.ports, b))
						np = cand;
				}
				if (np == 0) {
					k8c_field_error_add(errs, K8C_FIELD_INVALID, path, NULL,
					                    "failed to allocate a nodePort: range is full");
					ret = -1;
					break;
				}
				cJSON_DeleteItemFromObjectCaseSensitive(p, "nodePort");
				cJSON_AddNumberToObject(p, "nodePort", (double)np);
			} else {
				snprintf(b, sizeof(b), "%lld", np);
				if (np < srv->node_port_lo || np > srv->node_port_hi) {
					k8c_field_error_add(errs, K8C_FIELD_INVALID, path, cJSON_GetObjectItemCaseSensitive(p, "nodePort"),
					                    "provided port is not in the valid range. The range of valid ports is %d-%d",
					                    srv->node_port_lo, srv->node_port_hi);
					ret = -1;
					continue;
				}
				if (cJSON_HasObjectItem(u.ports, b)) {
					k8c_field_error_add(errs, K8C_FIELD_INVALID, path, cJSON_GetObjectItemCaseSensitive(p, "nodePort"),
					                    "provided port is already allocated");
					ret = -1;
					continue;
				}
			}
			cJSON_AddTrueToObject(u.ports, b);
		}
	}
out:
	cJSON_Delete(u.ips);
	cJSON_Delete(u.ports);
	return ret;
}

int k8c_bootstrap_kubernetes_service(k8c_apiserver_t *srv, k8c_error_t *err)
{
	const k8c_kind_t *svck = k8c_kind_by_resource("", "v1", "services");
	const k8c_kind_t *epk = k8c_kind_by_resource("", "v1", "endpoints");
	_cleanup_free_ char *ip = ip_string(srv->svc_net + 1);
	int port = k8c_http_port(srv->http);
	cJSON *obj = NULL;
	char text[1024];
	int ret;

	if (k8c_storage_get(srv, svck, "default", "kubernetes", &obj, err) == -K8C_ENOTFOUND) {
		snprintf(text, sizeof(text),
		         "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"kubernetes\",\"namespace\":\"default\","
		         "\"labels\":{\"component\":\"apiserver\",\"provider\":\"kubernetes\"}},"
		         "\"spec\":{\"type\":\"ClusterIP\",\"clusterIP\":\"%s\",\"sessionAffinity\":\"None\","
		         "\"ports\":[{\"name\":\"https\",\"port\":443,\"protocol\":\"TCP\",\"targetPort\":%d}]}}",
		         ip, port);
		obj = cJSON_Parse(text);
		ret = k8c_object_create(srv, svck, "default", obj, err);
		cJSON_Delete(obj);
		obj = NULL;
		if (ret < 0 && ret != -K8C_EEXIST)
			return ret;
	}
	cJSON_Delete(obj);
	obj = NULL;
	/* the endpoints follow the port this start listens on */
	snprintf(text, sizeof(text),
	         "{\"apiVersion\":\"v1\",\"kind\":\"Endpoints\",\"metadata\":{\"name\":\"kubernetes\",\"namespace\":\"default\","
	         "\"labels\":{\"endpointslice.kubernetes.io/skip-mirror\":\"true\"}},"
	         "\"subsets\":[{\"addresses\":[{\"ip\":\"%s\"}],\"ports\":[{\"name\":\"https\",\"port\":%d,\"protocol\":\"TCP\"}]}]}",
	         strcmp(srv->cfg.bind_address, "0.0.0.0") == 0 ? "127.0.0.1" : srv->cfg.bind_address, port);
	if (k8c_storage_get(srv, epk, "default", "kubernetes", &obj, err) == 0) {
		cJSON *want = cJSON_Parse(text);
		cJSON_DeleteItemFromObjectCaseSensitive(obj, "subsets");
		cJSON_AddItemToObject(obj, "subsets",
		                      cJSON_Duplicate(cJSON_GetObjectItem(want, "subsets"), 1));
		cJSON_Delete(want);
		ret = k8c_storage_update(srv, epk, obj, 0, err);
		cJSON_Delete(obj);
		return ret;
	}
	/* written directly, as Kubernetes' endpoint reconciler does: a
	 * loopback API server address would not pass Endpoints validation */
	obj = cJSON_Parse(text);
	{
		char uid[K8C_UUID_STRLEN], ts[K8C_TIME_STRLEN];
		cJSON *md = cJSON_GetObjectItem(obj, "metadata");
		k8c_uuid_new(uid);
		cJSON_AddStringToObject(md, "uid", uid);
		cJSON_AddStringToObject(md, "creationTimestamp", k8c_time_format(k8c_time_now_ns(), ts));
	}
	ret = k8c_storage_create(srv, epk, obj, err);
	cJSON_Delete(obj);
	return ret == -K8C_EEXIST ? 0 : ret;
}
