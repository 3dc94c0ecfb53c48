/* Small groups: coordination.k8s.io/v1 Lease, discovery.k8s.io/v1
 * EndpointSlice and events.k8s.io/v1 Event, as Kubernetes 1.32 defaults,
 * validates and prints them. */
#include "config.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "apiserver/kinds/core.h"
#include "apiserver/kinds/groups.h"
#include "apiserver/kinds/groups_common.h"
#include "apiserver/kinds/util.h"
#include "common/mem.h"
#include "common/names.h"
#include "common/timestamp.h"

/* ======================================================================== */
/* Lease                                                                    */
/* ======================================================================== */

/* CoordinatedLeaderElection is alpha (off) in 1.32: strategy and
 * preferredHolder are dropped unless already stored. */
static void lease_prepare(int op, cJSON *obj, const cJSON *old)
{
	static const char *const gated[] = {"strategy", "preferredHolder"};
	cJSON *spec = (cJSON *)k8c_jget(obj, "spec");

	if (!cJSON_IsObject(spec))
		return;
	for (size_t i = 0; i < 2; i++)
		if (op == K8C_OP_CREATE || !k8c_groups_set(k8c_jget(k8c_jget(old, "spec"), gated[i])))
			cJSON_DeleteItemFromObjectCaseSensitive(spec, gated[i]);
}

static void lease_validate(int op, const cJSON *obj, const cJSON *old, k8c_field_errors_t *errs)
{
	const cJSON *spec = k8c_jget(obj, "spec");
	const cJSON *dur = k8c_jget(spec, "leaseDurationSeconds");
	const cJSON *tr = k8c_jget(spec, "leaseTransitions");
	const char *strategy = k8c_jstr(spec, "strategy"), *ph = k8c_jstr(spec, "preferredHolder");

	if (cJSON_IsNumber(dur) && dur->valuedouble <= 0)
		k8c_groups_err(errs, K8C_FIELD_INVALID, "spec.leaseDurationSeconds", k8c_go_json(dur),
		               "must be greater than 0");
	if (cJSON_IsNumber(tr) && tr->valuedouble < 0)
		k8c_groups_err(errs, K8C_FIELD_INVALID, "spec.leaseTransitions", k8c_go_json(tr),
		               K8C_NONNEG_MSG);
	/* ValidateCoordinatedLeaseStrategy names the field twice. */
	if (strategy != NULL && strchr(strategy, '/') == NULL &&
	    strcmp(strategy, "OldestEmulationVersion") != 0)
		k8c_groups_err(errs, K8C_FIELD_NOT_SUPPORTED, "spec.strategy.strategy",
		               k8c_go_quote(strategy), "supported values: \"OldestEmulationVersion\"");
	else if (strategy != NULL && strchr(strategy, '/') != NULL)
		k8c_groups_name_errs(errs, "spec.strategy.strategy", strategy, k8c_is_qualified_name);
	if (ph != NULL && ph[0] != '\0' && (strategy == NULL || strategy[0] == '\0'))
		k8c_groups_err(errs, K8C_FIELD_FORBIDDEN, "spec.preferredHolder", NULL,
		               "may only be specified if `strategy` is defined");
}

static const k8c_table_column_t lease_columns[] = {
	K8C_COL_NAME,
	{"Holder", "string", "",
	 "holderIdentity contains the identity of the holder of a current lease. If "
	 "Coordinated Leader Election is used, the holder identity must be equal to the "
	 "elected LeaseCandidate.metadata.name field.", 0},
	K8C_COL_AGE,
};

static void lease_row(const cJSON *obj, cJSON *cells, long long now_s)
{
	k8c_cell_name(cells, obj);
	k8c_cell_str(cells, k8c_jstr(obj, "spec.holderIdentity"));
	k8c_cell_age(cells, obj, now_s);
}

const k8c_kind_t k8c_kind_leases = {
	.group = "coordination.k8s.io",
	.version = "v1",
	.resource = "leases",
	.singular = "lease",
	.kind = "Lease",
	.namespaced = 1,
	.verbs = K8C_VERBS_ALL,
	.schema_type = "io.k8s.api.coordination.v1.Lease",
	.prepare = lease_prepare,
	.validate = lease_validate,
	.columns = lease_columns,
	.n_columns = sizeof(lease_columns) / sizeof(lease_columns[0]),
	.row = lease_row,
};

/* ======================================================================== */
/* EndpointSlice                                                            */
/* ======================================================================== */

#define MAX_ENDPOINTS 1000
#define MAX_ADDRESSES 100
#define MAX_PORTS 100
#define MAX_TOPOLOGY_LABELS 16
#define MAX_ZONE_HINTS 8

static void eps_defaults(cJSON *obj)
{
	cJSON *port;

	cJSON_ArrayForEach(port, cJSON_GetObjectItemCaseSensitive(obj, "ports")) {
		k8c_jdefault_str(port, "name", "");
		k8c_jdefault_str(port, "protocol", "TCP");
	}
}

/* The v1 API drops endpoints[].deprecatedTopology on writes; a node name
 * kept there before is moved to nodeName (dropTopologyOnV1). */
static void eps_drop_topology(cJSON *obj, const cJSON *old)
{
	cJSON *ep;

	if (old != NULL && k8c_groups_equal(k8c_jget(obj, "endpoints"), k8c_jget(old, "endpoints")))
		return;
	cJSON_ArrayForEach(ep, cJSON_GetObjectItemCaseSensitive(obj, "endpoints")) {
		const char *host = k8c_groups_member(k8c_jget(ep, "deprecatedTopology"), "kubernetes.io/hostname");
		int known = 0;
		const cJSON *oep;
		cJSON_ArrayForEach(oep, k8c_jget(old, "endpoints")) {
			const char *h = k8c_groups_member(k8c_jget(oep, "deprecatedTopology"), "kubernetes.io/hostname");
			known |= h != NULL && host != NULL && strcmp(h, host) == 0;
		}
		if (host != NULL && known && !k8c_groups_set(k8c_jget(ep, "nodeName")) &&
		    k8c_is_dns1123_subdomain(host, NULL, 0)) {
			cJSON_DeleteItemFromObjectCaseSensitive(ep, "nodeName");
			cJSON_AddStringToObject(ep, "nodeName", host);
		}
		cJSON_DeleteItemFromObjectCaseSensitive(ep, "deprecatedTopology");
	}
}

static void eps_prepare(int op, cJSON *obj, const cJSON *old)
{
	cJSON *meta;

	if (op == K8C_OP_STATUS_UPDATE)
		return;
	eps_drop_topology(obj, op == K8C_OP_UPDATE ? old : NULL);
	/* Label changes are a new generation too (the rest is the core's). */
	if (op == K8C_OP_UPDATE &&
	    !k8c_groups_equal(k8c_jget(obj, "metadata.labels"), k8c_jget(old, "metadata.labels")) &&
	    (meta = k8c_jobject(obj, "metadata")) != NULL) {
		cJSON_DeleteItemFromObjectCaseSensitive(meta, "generation");
		cJSON_AddNumberToObject(meta, "generation",
		                        (double)(k8c_jint(old, "metadata.generation", 0) + 1));
	}
}

/* netutils.ParseIPSloppy into 16 bytes (IPv4 as ::ffff:a.b.c.d); IPv4
 * octets may carry leading zeros. */
static int parse_ip(const char *s, unsigned char ip[16], int *is_v4)
{
	unsigned v[4];
	int n = 0;
	const char *p = s;

	memset(ip, 0, 16);
	*is_v4 = 0;
	if (strchr(s, ':') != NULL) {
		if (inet_pton(AF_INET6, s, ip) != 1)
			return 0;
		*is_v4 = memcmp(ip, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0;
		return 1;
	}
	for (; n < 4; n++) {
		unsigned x = 0;
		int digits = 0;
		for (; *p >= '0' && *p <= '9' && x <= 255; p++, digits++)
			x = x * 10 + (unsigned)(*p - '0');
		if (digits == 0 || x > 255 || (n < 3 && *p++ != '.'))
			return 0;
		v[n] = x;
	}
	if (*p != '\0')
		return 0;
	ip[10] = ip[11] = 0xff;
	for (n = 0; n < 4; n++)
		ip[12 + n] = (unsigned char)v[n];
	*is_v4 = 1;
	return 1;
}

/* ValidateNonSpecialIP */
static void non_special_ip(k8c_field_errors_t *errs, const char *path, const char *s)
{
	static const unsigned char zero[16], loop6[16] = {[15] = 1};
	unsigned char ip[16];
	int v4;

	if (!parse_ip(s, ip, &v4)) {
		k8c_groups_err(errs, K8C_FIELD_INVALID, path, k8c_go_quote(s), "must be a valid IP address");
		return;
	}
	if (v4 ? memcmp(ip + 12, zero, 4) == 0 : memcmp(ip, zero, 16) == 0)
		k8c_groups_err(errs, K8C_FIELD_INVALID, path, k8c_go_quote(s),
		               "may not be unspecified (0.0.0.0)");
	if (v4 ? ip[12] == 127 : memcmp(ip, loop6, 16) == 0)
		k8c_groups_err(errs, K8C_FIELD_INVALID, path, k8c_go_quote(s),
		               "may not be in the loopback range (127.0.0.0/8, ::1/128)");
	if (v4 ? ip[12] == 169 && ip[13] == 254 : ip[0] == 0xfe && (ip[1] & 0xc0) == 0x80)
		k8c_groups_err(errs, K8C_FIELD_INVALID, path, k8c_go_quote(s),
		               "may not be in the link-local range (169.254.0.0/16, fe80::/10)");
	if (v4 ? ip[12] == 224 && ip[13] == 0 && ip[14] == 0 : ip[0] == 0xff && (ip[1] & 0x0f) == 0x02)
		k8c_groups_err(errs, K8C_FIELD_INVALID, path, k8c_go_quote(s),
		               "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)");
}

/* IsFullyQualifiedDomainName */
static void fqdn(k8c_field_errors_t *errs, const char *path, const char *name_in)
{
	_cleanup_free_ char *name = k8c_xstrdup(name_in);
	size_t n = strlen(name);
	char msg[2048];

	if (n == 0) {
		k8c_groups_err(errs, K8C_FIELD_REQUIRED, path, NULL, NULL);
		return;
	}
	if (name[n - 1] == '.')
		name[--n] = '\0';
	if (!k8c_is_dns1123_subdomain(name, msg, sizeof(msg))) {
		for (char *sep; (sep = strstr(msg, "; ")) != NULL;) /* errors joined with "," */
			memmove(sep + 1, sep + 2, strlen(sep + 2) + 1);
		k8c_groups_err(errs, K8C_FIELD_INVALID, path, k8c_go_quote(name), "%s", msg);
	} else if (strchr(name, '.') == NULL) {
		k8c_groups_err(errs, K8C_FIELD_INVALID, path, k8c_go_quote(name),
		               "should be a domain with at least two segments separated by dots");
	}
}

static void eps_address(k8c_field_errors_t *errs, const char *type, const char *path,
                        const char *a)
{
	unsigned char ip[16];
	int v4, ok = parse_ip(a, ip, &v4);

	if (strcmp(type, "IP") == 0) {
		if (!ok)
			k8c_groups_err(errs, K8C_FIELD_INVALID, path, k8c_go_quote(a),
			               "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)");
	} else if (strcmp(type, "IPv4") == 0 || strcmp(type, "IPv6") == 0) {
		int want4 = type[3] == '4';
		if (!ok || v4 != want4)
			k8c_groups_err(errs, K8C_FIELD_INVALID, path, k8c_go_quote(a),
			               want4 ? "must be a valid IPv4 address" : "must be a valid IPv6 address");
		non_special_ip(errs, path, a);
	} else if (strcmp(type, "FQDN") == 0) {
		fqdn(errs, path, a);
	}
}

/* nodeName, and the deprecated topology kept from an older write. */
static void eps_endpoint_fields(k8c_field_errors_t *errs, const cJSON *ep, int i)
{
	const char *node = k8c_jstr(ep, "nodeName");
	const cJSON *topo = k8c_jget(ep, "deprecatedTopology");
	_cleanup_free_ char *np = k8c_xasprintf("endpoints[%d].nodeName", i);
	_cleanup_free_ char *tp = k8c_xasprintf("endpoints[%d].deprecatedTopology", i);
	int n = cJSON_IsObject(topo) ? cJSON_GetArraySize(topo) : 0;

	if (node != NULL)
		k8c_groups_name_errs(errs, np, node, k8c_is_dns1123_subdomain);
	if (n > MAX_TOPOLOGY_LABELS)
		k8c_groups_err(errs, K8C_FIELD_TOO_MANY, tp, k8c_xasprintf("%d", n),
		               "must have at most %d items", MAX_TOPOLOGY_LABELS);
	k8c_groups_labels(errs, topo, tp);
}

/* validateHints: zone names are label values, each once. */
static void eps_hints(k8c_field_errors_t *errs, const cJSON *hints, int i)
{
	const cJSON *zones = k8c_jget(hints, "forZones"), *z, *y;
	int n = k8c_groups_len(zones), j = 0;

	if (n > MAX_ZONE_HINTS) {
		_cleanup_free_ char *p = k8c_xasprintf("endpoints[%d].hints.forZones", i);
		k8c_groups_err(errs, K8C_FIELD_TOO_MANY, p, k8c_xasprintf("%d", n),
		               "must have at most %d items", MAX_ZONE_HINTS);
		return;
	}
	cJSON_ArrayForEach(z, zones) {
		_cleanup_free_ char *p = k8c_xasprintf("endpoints[%d].hints.forZones[%d].name", i, j++);
		const char *name = k8c_jstr(z, "name") ? k8c_jstr(z, "name") : "";
		int dup = 0;
		for (y = zones->child; y != z; y = y->next)
			dup |= strcmp(k8c_jstr(y, "name") ? k8c_jstr(y, "name") : "", name) == 0;
		if (dup)
			k8c_groups_err(errs, K8C_FIELD_DUPLICATE, p, k8c_go_quote(name), NULL);
		k8c_groups_name_errs(errs, p, name, k8c_is_label_value);
	}
}

static void eps_endpoints(k8c_field_errors_t *errs, const cJSON *obj, const char *type)
{
	const cJSON *eps = k8c_jget(obj, "endpoints"), *ep, *a;
	int n = k8c_groups_len(eps), i = 0;

	if (n > MAX_ENDPOINTS) {
		k8c_groups_err(errs, K8C_FIELD_TOO_MANY, "endpoints", k8c_xasprintf("%d", n),
		               "must have at most %d items", MAX_ENDPOINTS);
		return;
	}
	cJSON_ArrayForEach(ep, eps) {
		_cleanup_free_ char *ap = k8c_xasprintf("endpoints[%d].addresses", i);
		_cleanup_free_ char *hp = k8c_xasprintf("endpoints[%d].hostname", i);
		int na = k8c_groups_len(k8c_jget(ep, "addresses")), j = 0;
		if (na == 0)
			k8c_groups_err(errs, K8C_FIELD_REQUIRED, ap, NULL, "must contain at least 1 address");
		else if (na > MAX_ADDRESSES)
			k8c_groups_err(errs, K8C_FIELD_TOO_MANY, ap, k8c_xasprintf("%d", na),
			               "must have at most %d items", MAX_ADDRESSES);
		cJSON_ArrayForEach(a, k8c_jget(ep, "addresses")) {
			_cleanup_free_ char *p = k8c_xasprintf("%s[%d]", ap, j++);
			if (cJSON_IsString(a))
				eps_address(errs, type, p, a->valuestring);
		}
		eps_endpoint_fields(errs, ep, i);
		if (k8c_jstr(ep, "hostname") != NULL)
			k8c_groups_name_errs(errs, hp, k8c_jstr(ep, "hostname"), k8c_is_dns1123_label);
		eps_hints(errs, k8c_jget(ep, "hints"), i);
		i++;
	}
}

static void eps_ports(k8c_field_errors_t *errs, const cJSON *obj)
{
	const cJSON *ports = k8c_jget(obj, "ports"), *p, *q;
	int n = k8c_groups_len(ports), i = 0;

	if (n > MAX_PORTS) {
		k8c_groups_err(errs, K8C_FIELD_TOO_MANY, "ports", k8c_xasprintf("%d", n),
		               "must have at most %d items", MAX_PORTS);
		return;
	}
	cJSON_ArrayForEach(p, ports) {
		const char *name = k8c_jstr(p, "name"), *proto = k8c_jstr(p, "protocol");
		const char *app = k8c_jstr(p, "appProtocol");
		_cleanup_free_ char *np = k8c_xasprintf("ports[%d].name", i);
		_cleanup_free_ char *pp = k8c_xasprintf("ports[%d].protocol", i);
		_cleanup_free_ char *app_p = k8c_xasprintf("ports[%d].appProtocol", i);
		int dup = 0;
		name = name ? name : "";
		if (name[0] != '\0')
			k8c_groups_name_errs(errs, np, name, k8c_is_dns1123_label);
		for (q = ports->child; q != p; q = q->next)
			dup |= strcmp(k8c_jstr(q, "name") ? k8c_jstr(q, "name") : "", name) == 0;
		if (dup)
			k8c_groups_err(errs, K8C_FIELD_DUPLICATE, np, k8c_go_quote(name), NULL);
		if (proto == NULL)
			k8c_groups_err(errs, K8C_FIELD_REQUIRED, pp, NULL, NULL);
		else if (strcmp(proto, "TCP") != 0 && strcmp(proto, "UDP") != 0 && strcmp(proto, "SCTP") != 0)
			k8c_groups_err(errs, K8C_FIELD_NOT_SUPPORTED, pp, k8c_go_quote(proto),
			               "supported values: \"SCTP\", \"TCP\", \"UDP\"");
		if (app != NULL)
			k8c_groups_name_errs(errs, app_p, app, k8c_is_qualified_name);
		i++;
	}
}

static void eps_validate(int op, const cJSON *obj, const cJSON *old, k8c_field_errors_t *errs)
{
	const char *type = k8c_jstr(obj, "addressType");
	int ok = type != NULL && (strcmp(type, "IPv4") == 0 || strcmp(type, "IPv6") == 0 ||
	                          strcmp(type, "FQDN") == 0 ||
	                          (op != K8C_OP_CREATE && strcmp(type, "IP") == 0));

	if (type == NULL || type[0] == '\0')
		k8c_groups_err(errs, K8C_FIELD_REQUIRED, "addressType", NULL, NULL);
	else if (!ok)
		k8c_groups_err(errs, K8C_FIELD_NOT_SUPPORTED, "addressType", k8c_go_quote(type),
		               op == K8C_OP_CREATE ? "supported values: \"FQDN\", \"IPv4\", \"IPv6\""
		                                   : "supported values: \"FQDN\", \"IP\", \"IPv4\", \"IPv6\"");
	eps_endpoints(errs, obj, type ? type : "");
	eps_ports(errs, obj);
	if (op == K8C_OP_UPDATE) {
		const cJSON *now = k8c_jget(obj, "addressType");
		k8c_groups_immutable(errs, "addressType", now, k8c_jget(old, "addressType"),
		                     k8c_go_quote(type ? type : ""));
	}
}

/* formatDiscoveryPorts / formatDiscoveryEndpoints: three, then "+ N more..." */
static void list_more(k8c_sbuf_t *b, int *count, const char *item)
{
	if (*count < 3)
		k8c_sbuf_add(b, "%s%s", *count ? "," : "", item);
	(*count)++;
}

static char *list_done(k8c_sbuf_t *b, int count)
{
	char *s = k8c_sbuf_take(b), *r;

	if (count > 3) {
		r = k8c_xasprintf("%s + %d more...", s, count - 3);
		free(s);
		return r;
	}
	if (s[0] == '\0') {
		free(s);
		return k8c_xstrdup("<unset>");
	}
	return s;
}

static void eps_row(const cJSON *obj, cJSON *cells, long long now_s)
{
	k8c_sbuf_t ports = {0}, addrs = {0};
	const cJSON *p, *ep, *a;
	int np = 0, na = 0;

	cJSON_ArrayForEach(p, k8c_jget(obj, "ports")) {
		_cleanup_free_ char *num = NULL;
		if (cJSON_IsNumber(k8c_jget(p, "port")))
			num = k8c_xasprintf("%lld", k8c_jint(p, "port", 0));
		else
			num = k8c_xstrdup(k8c_jstr(p, "name") ? k8c_jstr(p, "name") : "*");
		list_more(&ports, &np, num);
	}
	cJSON_ArrayForEach(ep, k8c_jget(obj, "endpoints"))
		cJSON_ArrayForEach(a, k8c_jget(ep, "addresses"))
			list_more(&addrs, &na, cJSON_IsString(a) ? a->valuestring : "");
	k8c_cell_name(cells, obj);
	k8c_cell_str(cells, k8c_jstr(obj, "addressType"));
	k8c_cell_own(cells, list_done(&ports, np));
	k8c_cell_own(cells, list_done(&addrs, na));
	k8c_cell_age(cells, obj, now_s);
}

static const k8c_table_column_t eps_columns[] = {
	K8C_COL_NAME,
	{"AddressType", "string", "",
	 "addressType specifies the type of address carried by this EndpointSlice. All "
	 "addresses in this slice must be the same type. This field is immutable after "
	 "creation. The following address types are currently supported: * IPv4: Represents "
	 "an IPv4 Address. * IPv6: Represents an IPv6 Address. * FQDN: Represents a Fully "
	 "Qualified Domain Name.", 0},
	{"Ports", "string", "",
	 "ports specifies the list of network ports exposed by each endpoint in this slice. "
	 "Each port must have a unique name. When ports is empty, it indicates that there are "
	 "no defined ports. When a port is defined with a nil port value, it indicates \"all "
	 "ports\". Each slice may include a maximum of 100 ports.", 0},
	{"Endpoints", "string", "",
	 "endpoints is a list of unique endpoints in this slice. Each slice may include a "
	 "maximum of 1000 endpoints.", 0},
	K8C_COL_AGE,
};

const k8c_kind_t k8c_kind_endpointslices = {
	.group = "discovery.k8s.io",
	.version = "v1",
	.resource = "endpointslices",
	.singular = "endpointslice",
	.kind = "EndpointSlice",
	.namespaced = 1,
	.verbs = K8C_VERBS_ALL,
	.schema_type = "io.k8s.api.discovery.v1.EndpointSlice",
	.has_generation = 1,
	.defaults = eps_defaults,
	.prepare = eps_prepare,
	.validate = eps_validate,
	.columns = eps_columns,
	.n_columns = sizeof(eps_columns) / sizeof(eps_columns[0]),
	.row = eps_row,
};

/* ======================================================================== */
/* events.k8s.io/v1 Event                                                   */
/* ======================================================================== */

#define LIMIT_REPORTING_INSTANCE 128
#define LIMIT_ACTION 128
#define LIMIT_REASON 128
#define LIMIT_NOTE 1024

static int time_set(const cJSON *v)
{
	return cJSON_IsString(v) && v->valuestring[0] != '\0';
}

/* Go's time.Time.String() in UTC, "0001-01-01 00:00:00 +0000 UTC" when
 * unset (metav1.Time and MicroTime print that way). */
static char *go_time(const cJSON *v)
{
	int64_t ns;
	time_t secs;
	struct tm tm;
	char date[32], frac[16] = "";

	if (!time_set(v) || k8c_time_parse(v->valuestring, &ns, NULL) < 0)
		return k8c_xstrdup("0001-01-01 00:00:00 +0000 UTC");
	secs = (time_t)(ns / 1000000000LL);
	if (ns % 1000000000LL != 0) {
		snprintf(frac, sizeof(frac), ".%09lld", (long long)(ns % 1000000000LL));
		for (size_t n = strlen(frac); n > 1 && frac[n - 1] == '0'; n--)
			frac[n - 1] = '\0';
	}
	gmtime_r(&secs, &tm);
	strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S", &tm);
	return k8c_xasprintf("%s%s +0000 UTC", date, frac);
}

static char *go_ref_field(const cJSON *ref, const char *key)
{
	return k8c_go_quote(k8c_jstr(ref, key) ? k8c_jstr(ref, key) : "");
}

/* core.ObjectReference{...}; "null" for an unset pointer when nullable. */
static char *go_object_ref(const cJSON *ref, int nullable)
{
	static const char *const keys[] = {"kind", "namespace", "name", "uid", "apiVersion",
	                                   "resourceVersion", "fieldPath"};
	static const char *const names[] = {"Kind", "Namespace", "Name", "UID", "APIVersion",
	                                    "ResourceVersion", "FieldPath"};
	k8c_sbuf_t b = {0};

	if (nullable && !k8c_groups_set(ref))
		return k8c_xstrdup("null");
	k8c_sbuf_add(&b, "core.ObjectReference{");
	for (size_t i = 0; i < 7; i++) {
		_cleanup_free_ char *v = go_ref_field(ref, keys[i]);
		k8c_sbuf_add(&b, "%s%s:%s", i ? ", " : "", names[i], v);
	}
	k8c_sbuf_add(&b, "}");
	return k8c_sbuf_take(&b);
}

static char *go_source(const cJSON *src)
{
	_cleanup_free_ char *c = go_ref_field(src, "component");
	_cleanup_free_ char *h = go_ref_field(src, "host");

	return k8c_xasprintf("core.EventSource{Component:%s, Host:%s}", c, h);
}

static void too_long(k8c_field_errors_t *errs, const cJSON *obj, const char *key,
                     const char *path, size_t limit, int required)
{
	const char *v = k8c_jstr(obj, key);
	size_t n = v ? strlen(v) : 0;

	if (required && n == 0)
		k8c_groups_err(errs, K8C_FIELD_REQUIRED, path, NULL, NULL);
	if (n > limit)
		k8c_groups_err(errs, K8C_FIELD_INVALID, path, k8c_xstrdup("\"\""),
		               "can have at most %zu characters", limit);
}

/* legacyValidateEvent, over the events.k8s.io names of the fields. */
static void event_legacy(k8c_field_errors_t *errs, const cJSON *obj)
{
	const char *ns = k8c_jstr(obj, "metadata.namespace");
	const char *rns = k8c_jstr(obj, "regarding.namespace");
	const char *rc = k8c_jstr(obj, "reportingController");
	int mismatch;

	ns = ns ? ns : "";
	rns = rns ? rns : "";
	if (!time_set(k8c_jget(obj, "eventTime")))
		mismatch = rns[0] == '\0' ? ns[0] != '\0' && strcmp(ns, "default") != 0
		                          : strcmp(ns, rns) != 0;
	else
		mismatch = rns[0] == '\0' && strcmp(ns, "default") != 0 && strcmp(ns, "kube-system") != 0;
	if (mismatch)
		k8c_groups_err(errs, K8C_FIELD_INVALID, "involvedObject.namespace", k8c_go_quote(rns),
		               "does not match event.namespace");
	if (time_set(k8c_jget(obj, "eventTime"))) {
		if (rc == NULL || rc[0] == '\0')
			k8c_groups_err(errs, K8C_FIELD_REQUIRED, "reportingController", NULL, NULL);
		k8c_groups_name_errs(errs, "reportingController", rc ? rc : "", k8c_is_qualified_name);
		too_long(errs, obj, "reportingInstance", "reportingInstance", LIMIT_REPORTING_INSTANCE, 1);
		too_long(errs, obj, "action", "action", LIMIT_ACTION, 1);
		too_long(errs, obj, "reason", "reason", LIMIT_REASON, 1);
		too_long(errs, obj, "note", "message", LIMIT_NOTE, 0);
	}
	k8c_groups_name_errs(errs, "namespace", ns, k8c_is_dns1123_subdomain);
}

static void event_series(k8c_field_errors_t *errs, const cJSON *obj)
{
	const cJSON *series = k8c_jget(obj, "series");

	if (!k8c_groups_set(series))
		return;
	if (k8c_jint(series, "count", 0) < 2)
		k8c_groups_err(errs, K8C_FIELD_INVALID, "series.count", k8c_xstrdup("\"\""),
		               "should be at least 2");
	if (!time_set(k8c_jget(series, "lastObservedTime")))
		k8c_groups_err(errs, K8C_FIELD_REQUIRED, "series.lastObservedTime", NULL, NULL);
}

/* The strict checks of ValidateEventCreate for events.k8s.io/v1. */
static void event_strict(k8c_field_errors_t *errs, const cJSON *obj)
{
	const char *type = k8c_jstr(obj, "type");
	const char *sc = k8c_jstr(obj, "deprecatedSource.component");
	const char *sh = k8c_jstr(obj, "deprecatedSource.host");

	event_series(errs, obj);
	if (!time_set(k8c_jget(obj, "eventTime")))
		k8c_groups_err(errs, K8C_FIELD_REQUIRED, "eventTime", NULL, NULL);
	if (type == NULL || (strcmp(type, "Normal") != 0 && strcmp(type, "Warning") != 0))
		k8c_groups_err(errs, K8C_FIELD_INVALID, "type", k8c_xstrdup("\"\""),
		               "has invalid value: %s", type ? type : "");
	if (time_set(k8c_jget(obj, "deprecatedFirstTimestamp")))
		k8c_groups_err(errs, K8C_FIELD_INVALID, "firstTimestamp", k8c_xstrdup("\"\""),
		               "needs to be unset");
	if (time_set(k8c_jget(obj, "deprecatedLastTimestamp")))
		k8c_groups_err(errs, K8C_FIELD_INVALID, "lastTimestamp", k8c_xstrdup("\"\""),
		               "needs to be unset");
	if (k8c_jint(obj, "deprecatedCount", 0) != 0)
		k8c_groups_err(errs, K8C_FIELD_INVALID, "count", k8c_xstrdup("\"\""), "needs to be unset");
	if ((sc && sc[0]) || (sh && sh[0]))
		k8c_groups_err(errs, K8C_FIELD_INVALID, "source", k8c_xstrdup("\"\""), "needs to be unset");
}

/* ValidateEventUpdate's immutable fields (wire name, internal path). */
static void event_update(k8c_field_errors_t *errs, const cJSON *obj, const cJSON *old)
{
	static const struct { const char *key, *path; int kind; } fixed[] = {
		{"regarding", "involvedObject", 'o'}, {"reason", "reason", 's'},
		{"note", "message", 's'}, {"deprecatedSource", "source", 'e'},
		{"deprecatedFirstTimestamp", "firstTimestamp", 't'},
		{"deprecatedLastTimestamp", "lastTimestamp", 't'}, {"deprecatedCount", "count", 'n'},
		{"type", "type", 's'}, {"eventTime", "eventTime", 't'}, {"action", "action", 's'},
		{"related", "related", 'r'}, {"reportingController", "reportingController", 's'},
		{"reportingInstance", "reportingInstance", 's'},
	};

	if (!k8c_groups_equal(k8c_jget(obj, "series"), k8c_jget(old, "series")))
		event_series(errs, obj);
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		const cJSON *v = k8c_jget(obj, fixed[i].key);
		char *shown;
		switch (fixed[i].kind) {
		case 'o': shown = go_object_ref(v, 0); break;
		case 'r': shown = go_object_ref(v, 1); break;
		case 'e': shown = go_source(v); break;
		case 't': shown = go_time(v); break;
		case 'n': shown = k8c_xasprintf("%lld", k8c_jint(obj, fixed[i].key, 0)); break;
		default: shown = k8c_go_quote(cJSON_IsString(v) ? v->valuestring : ""); break;
		}
		k8c_groups_immutable(errs, fixed[i].path, v, k8c_jget(old, fixed[i].key), shown);
	}
}

static void event_validate(int op, const cJSON *obj, const cJSON *old, k8c_field_errors_t *errs)
{
	event_legacy(errs, obj);
	if (op == K8C_OP_CREATE)
		event_strict(errs, obj);
	else
		event_update(errs, obj, old);
}

/* translateMicroTimestampSince / translateTimestampSince */
static void since(const cJSON *ts, long long now_s, char buf[K8C_DURATION_STRLEN])
{
	long long t;

	if (!time_set(ts) || k8c_groups_time(ts->valuestring, &t) <= 0)
		snprintf(buf, K8C_DURATION_STRLEN, "<unknown>");
	else
		k8c_human_duration(now_s - t, buf);
}

static void event_row(const cJSON *obj, cJSON *cells, long long now_s)
{
	char first[K8C_DURATION_STRLEN], last[K8C_DURATION_STRLEN];
	const char *kind = k8c_jstr(obj, "regarding.kind"), *name = k8c_jstr(obj, "regarding.name");
	const char *src = k8c_jstr(obj, "deprecatedSource.component");
	const char *host = k8c_jstr(obj, "deprecatedSource.host");
	const char *note = k8c_jstr(obj, "note");
	const cJSON *series = k8c_jget(obj, "series");
	long long count = k8c_jint(obj, "deprecatedCount", 0);
	_cleanup_free_ char *target = NULL;
	size_t n;

	if (time_set(k8c_jget(obj, "deprecatedFirstTimestamp")))
		since(k8c_jget(obj, "deprecatedFirstTimestamp"), now_s, first);
	else
		since(k8c_jget(obj, "eventTime"), now_s, first);
	if (time_set(k8c_jget(obj, "deprecatedLastTimestamp")))
		since(k8c_jget(obj, "deprecatedLastTimestamp"), now_s, last);
	else
		memcpy(last, first, sizeof(last));
	if (k8c_groups_set(series)) {
		since(k8c_jget(series, "lastObservedTime"), now_s, last);
		count = k8c_jint(series, "count", 0);
	} else if (count == 0) {
		count = 1; /* singleton events have no count in the new API */
	}
	target = name && name[0] ? k8c_xasprintf("%s/%s", kind ? kind : "", name)
	                         : k8c_xstrdup(kind ? kind : "");
	for (char *c = target; *c && *c != '/'; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	src = src && src[0] ? src : k8c_jstr(obj, "reportingController");
	host = host && host[0] ? host : k8c_jstr(obj, "reportingInstance");
	k8c_cell_str(cells, last);
	k8c_cell_str(cells, k8c_jstr(obj, "type"));
	k8c_cell_str(cells, k8c_jstr(obj, "reason"));
	k8c_cell_str(cells, target);
	k8c_cell_str(cells, k8c_jstr(obj, "regarding.fieldPath"));
	if (host != NULL && host[0] != '\0')
		k8c_cell_own(cells, k8c_xasprintf("%s, %s", src ? src : "", host));
	else
		k8c_cell_str(cells, src);
	note = note ? note : "";
	while (*note == ' ' || *note == '\t' || *note == '\n' || *note == '\r' || *note == '\v' ||
	       *note == '\f')
		note++;
	for (n = strlen(note); n > 0 && strchr(" \t\n\r\v\f", note[n - 1]) != NULL; n--)
		;
	k8c_cell_own(cells, k8c_xstrndup(note, n));
	k8c_cell_str(cells, first);
	k8c_cell_int(cells, count);
	k8c_cell_name(cells, obj);
}

static const k8c_table_column_t event_columns[] = {
	{"Last Seen", "string", "",
	 "The time at which the most recent occurrence of this event was recorded.", 0},
	{"Type", "string", "", "Type of this event (Normal, Warning), new types could be added "
	                       "in the future", 0},
	{"Reason", "string", "",
	 "This should be a short, machine understandable string that gives the reason for the "
	 "transition into the object's current status.", 0},
	{"Object", "string", "", "The object that this event is about.", 0},
	{"Subobject", "string", "",
	 "If referring to a piece of an object instead of an entire object, this string should "
	 "contain a valid JSON/Go field access statement, such as "
	 "desiredState.manifest.containers[2]. For example, if the object reference is to a "
	 "container within a pod, this would take on a value like: \"spec.containers{name}\" "
	 "(where \"name\" refers to the name of the container that triggered the event) or if "
	 "no container name is specified \"spec.containers[2]\" (container with index 2 in this "
	 "pod). This syntax is chosen only to have some well-defined way of referencing a part "
	 "of an object.", 1},
	{"Source", "string", "",
	 "The component reporting this event. Should be a short machine understandable string.", 1},
	{"Message", "string", "", "A human-readable description of the status of this operation.", 0},
	{"First Seen", "string", "",
	 "The time at which the event was first recorded. (Time of server receipt is in "
	 "TypeMeta.)", 1},
	{"Count", "string", "", "The number of times this event has occurred.", 1},
	{"Name", "string", "name", K8C_DOC_NAME, 1},
};

static const char *const event_fields[] = {
	"reason", "regarding.kind", "regarding.namespace", "regarding.name", "regarding.uid",
	"regarding.apiVersion", "regarding.resourceVersion", "regarding.fieldPath",
	"reportingController", "source", "type", NULL,
};

/* "source" selects on the deprecated source's component. */
static const char *event_field_value(const cJSON *obj, const char *field, char *buf,
                                     size_t len)
{
	if (strcmp(field, "source") == 0)
		return k8c_jstr(obj, "deprecatedSource.component");
	return k8c_jstr(obj, field);
}

static const char *const event_short[] = {"ev", NULL};

const k8c_kind_t k8c_kind_events_events_k8s_io = {
	.group = "events.k8s.io",
	.version = "v1",
	.resource = "events",
	.singular = "event",
	.kind = "Event",
	.namespaced = 1,
	.short_names = event_short,
	.verbs = K8C_VERBS_ALL,
	.schema_type = "io.k8s.api.events.v1.Event",
	.validate = event_validate,
	.columns = event_columns,
	.n_columns = sizeof(event_columns) / sizeof(event_columns[0]),
	.row = event_row,
	.field_selectors = event_fields,
	.field_value = event_field_value,
	.stored_as = &k8c_kind_events,
	.to_stored = k8c_event_to_core,
	.from_stored = k8c_event_from_core,
};
