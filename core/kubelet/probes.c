/* Container probes (startup, liveness, readiness) with Kubernetes'
 * defaults: periodSeconds 10, timeoutSeconds 1, successThreshold 1,
 * failureThreshold 3, after initialDelaySeconds.  Each armed probe is a
 * key "UID CONTAINER KIND GEN" in kl->probe_queue, re-added after its
 * period; probe threads run them.  exec probes go through the runtime;
 * httpGet and tcpSocket probes connect from inside the pod's network
 * namespace (setns on the probe thread, undone afterwards).  A failed
 * startup or liveness probe asks the pod's worker to kill the container;
 * readiness sets the container's ready flag. */
#define _GNU_SOURCE
#define K8C_LOG_COMPONENT "kubelet"
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "common/log.h"
#include "common/mem.h"
#include "common/timestamp.h"
#include "kubelet/internal.h"

#define SEC 1000000000LL
#define N_THREADS 4

static const char *const kind_names[] = {"startupProbe", "livenessProbe", "readinessProbe"};
static const char *const kind_words[] = {"Startup", "Liveness", "Readiness"};

static int64_t probe_int(const cJSON *probe, const char *name, int64_t def)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(probe, name);
	return cJSON_IsNumber(v) && v->valuedouble > 0 ? (int64_t)v->valuedouble : def;
}

static void schedule(k8c_kubelet_t *kl, kpod_t *kp, kcontainer_t *kc, int kind, int64_t delay_ns)
{
	char key[512];

	snprintf(key, sizeof(key), "%s %s %d %u", kp->uid, kc->name, kind, kc->probe_gen);
	k8c_workqueue_add_after(kl->probe_queue, key, delay_ns);
}

void kl_probes_reset(kcontainer_t *kc)
{
	kc->probe_gen++;
	for (int k = 0; k < N_PROBES; k++) {
		memset(&kc->probes[k], 0, sizeof(kc->probes[k]));
		kc->probes[k].result = -1;
	}
	kc->started = 0;
	kc->ready = 0;
}

void kl_probes_arm(k8c_kubelet_t *kl, kpod_t *kp, kcontainer_t *kc, const cJSON *spec)
{
	kl_probes_reset(kc);
	for (int k = 0; k < N_PROBES; k++) {
		const cJSON *probe = cJSON_GetObjectItemCaseSensitive(spec, kind_names[k]);
		if (!cJSON_IsObject(probe) || kc->is_init)
			continue;
		kc->probes[k].configured = 1;
		schedule(kl, kp, kc, k, probe_int(probe, "initialDelaySeconds", 0) * SEC);
	}
	kc->started = !kc->probes[PROBE_STARTUP].configured;
	kc->ready = !kc->probes[PROBE_READINESS].configured;
}

/* --- running one probe ------------------------------------------------------ */

typedef struct netns_guard {
	int self; /* our own netns, -1 when not switched */
} netns_guard_t;

static int enter_netns(const char *path, netns_guard_t *g, char *msg, size_t len)
{
	int fd;

	g->self = -1;
	if (path == NULL || !*path)
		return 0;
	g->self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (g->self < 0 || fd < 0 || setns(fd, CLONE_NEWNET) < 0) {
		snprintf(msg, len, "cannot enter the pod's network namespace: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		if (g->self >= 0)
			close(g->self);
		g->self = -1;
		return -1;
	}
	close(fd);
	return 0;
}

static void leave_netns(netns_guard_t *g)
{
	if (g->self < 0)
		return;
	if (setns(g->self, CLONE_NEWNET) < 0)
		k8c_die("probe thread cannot return to its network namespace: %s", strerror(errno));
	close(g->self);
}

/* A named port of the container, or the number. */
static int port_of(const cJSON *port, const cJSON *spec)
{
	const cJSON *p;

	if (cJSON_IsNumber(port))
		return (int)port->valuedouble;
	if (cJSON_IsString(port)) {
		char *end;
		long n = strtol(port->valuestring, &end, 10);
		if (*end == '\0' && n > 0)
			return (int)n;
		cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(spec, "ports")) {
			const char *name = k8c_jstr(p, "name");
			const cJSON *cp = cJSON_GetObjectItemCaseSensitive(p, "containerPort");
			if (name && strcmp(name, port->valuestring) == 0 && cJSON_IsNumber(cp))
				return (int)cp->valuedouble;
		}
	}
	return -1;
}

static int tcp_probe(const char *host, int port, int64_t timeout_s, char *msg, size_t len)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai = NULL;
	char ps[16];
	int fd, ret = -1;

	snprintf(ps, sizeof(ps), "%d", port);
	if (getaddrinfo(host, ps, &hints, &ai) != 0 || ai == NULL) {
		snprintf(msg, len, "dial tcp %s:%d: cannot resolve", host, port);
		return -1;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
			ret = 0;
		} else if (errno == EINPROGRESS) {
			struct pollfd pfd = {fd, POLLOUT, 0};
			int soerr = 0;
			socklen_t sl = sizeof(soerr);
			if (poll(&pfd, 1, (int)(timeout_s * 1000)) == 1 &&
			    getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 && soerr == 0)
				ret = 0;
			else
				snprintf(msg, len, "dial tcp %s:%d: %s", host, port,
				         soerr ? strerror(soerr) : "i/o timeout");
		} else {
			snprintf(msg, len, "dial tcp %s:%d: %s", host, port, strerror(errno));
		}
		close(fd);
	}
	freeaddrinfo(ai);
	return ret;
}

static size_t discard(char *d, size_t s, size_t n, void *u)
{
	(void)d;
	(void)u;
	return s * n;
}

static int http_probe(const cJSON *http, const char *host, int port, int64_t timeout_s, char *msg,
                      size_t len)
{
	const char *path = k8c_jstr(http, "path"), *scheme = k8c_jstr(http, "scheme");
	const char *h = k8c_jstr(http, "host");
	int https = scheme != NULL && strcmp(scheme, "HTTPS") == 0;
	_cleanup_free_ char *url = k8c_xasprintf("%s://%s:%d%s%s", https ? "https" : "http",
	                                         h ? h : host, port,
	                                         path && path[0] == '/' ? "" : "/", path ? path : "");
	struct curl_slist *headers = curl_slist_append(NULL, "User-Agent: kube-probe/1.32");
	const cJSON *hd;
	CURL *c = curl_easy_init();
	long code = 0;
	CURLcode rc;

	cJSON_ArrayForEach(hd, cJSON_GetObjectItemCaseSensitive(http, "httpHeaders")) {
		_cleanup_free_ char *line = k8c_xasprintf("%s: %s", k8c_jstr(hd, "name") ? k8c_jstr(hd, "name") : "X",
		                                          k8c_jstr(hd, "value") ? k8c_jstr(hd, "value") : "");
		headers = curl_slist_append(headers, line);
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)(timeout_s * 1000));
	curl_easy_setopt(c, CURLOPT_FORBID_REUSE, 1L);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L); /* as the kubelet: no verification */
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	curl_easy_setopt(c, CURLOPT_PROXY, "");
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(c);
	curl_slist_free_all(headers);
	if (rc != CURLE_OK) {
		snprintf(msg, len, "Get \"%s\": %s", url, curl_easy_strerror(rc));
		return -1;
	}
	if (code < 200 || code >= 400) {
		snprintf(msg, len, "HTTP probe failed with statuscode: %ld", code);
		return -1;
	}
	return 0;
}

typedef struct probe_job {
	cJSON *probe, *spec;      /* owned copies */
	char container_id[K8C_RUNTIME_ID_MAX];
	char netns[256];
	char pod_ip[64];
} probe_job_t;

static int run_probe(k8c_kubelet_t *kl, probe_job_t *j, char *msg, size_t len)
{
	int64_t timeout = probe_int(j->probe, "timeoutSeconds", 1);
	const cJSON *exec = cJSON_GetObjectItemCaseSensitive(j->probe, "exec");
	const cJSON *http = cJSON_GetObjectItemCaseSensitive(j->probe, "httpGet");
	const cJSON *tcp = cJSON_GetObjectItemCaseSensitive(j->probe, "tcpSocket");
	const char *host = j->pod_ip[0] ? j->pod_ip : "127.0.0.1";
	netns_guard_t g;
	int ret;

	msg[0] = '\0';
	if (exec != NULL) {
		const cJSON *cmd = cJSON_GetObjectItemCaseSensitive(exec, "command"), *a;
		int n = cJSON_GetArraySize(cmd), i = 0, code = 0;
		const char **argv = k8c_xcalloc((size_t)n + 1, sizeof(*argv));
		char *out = NULL;
		k8c_error_t err;

		cJSON_ArrayForEach(a, cmd)
			argv[i++] = cJSON_GetStringValue(a) ? cJSON_GetStringValue(a) : "";
		if (kl->cfg.runtime->exec == NULL)
			ret = k8c_error_make(&err, K8C_EUNSUPPORTED, "the runtime cannot exec");
		else
			ret = kl->cfg.runtime->exec(kl->cfg.runtime_cookie, j->container_id, argv, timeout,
			                            &code, &out, &err);
		free(argv);
		if (ret < 0) {
			snprintf(msg, len, "%.255s", err.code == K8C_ETIMEOUT
			                               ? "command timed out" : err.message);
		} else if (code != 0) {
			snprintf(msg, len, "%s", out && *out ? out : "command failed");
			ret = -1;
		}
		free(out);
		return ret;
	}
	if (kl->hollow)
		return 0; /* no network to probe: counted as succeeding */
	if (http == NULL && tcp == NULL) {
		snprintf(msg, len, "unsupported probe handler (exec, httpGet and tcpSocket are)");
		return -1;
	}
	{
		int port = port_of(cJSON_GetObjectItemCaseSensitive(http ? http : tcp, "port"), j->spec);
		if (port <= 0 || port > 65535) {
			snprintf(msg, len, "invalid port");
			return -1;
		}
		if (enter_netns(j->netns, &g, msg, len) < 0)
			return -1;
		ret = http ? http_probe(http, host, port, timeout, msg, len)
		           : tcp_probe(k8c_jstr(tcp, "host") ? k8c_jstr(tcp, "host") : host, port,
		                       timeout, msg, len);
		leave_netns(&g);
	}
	return ret;
}

static void probe_once(k8c_kubelet_t *kl, const char *key)
{
	char uid[128], name[256];
	int kind, changed = 0, success;
	unsigned gen;
	kpod_t *kp;
	kcontainer_t *kc;
	probe_job_t j = {0};
	char msg[256];
	int64_t period, threshold_ok, threshold_bad;
	kprobe_t *p;

	if (sscanf(key, "%127s %255s %d %u", uid, name, &kind, &gen) != 4 || kind < 0 || kind >= N_PROBES)
		return;
	pthread_mutex_lock(&kl->lock);
	kp = k8c_strmap_get(&kl->pods, uid);
	kc = kp ? kl_container(kp, name) : NULL;
	if (kc == NULL || kc->probe_gen != gen || !kc->probes[kind].configured || kp->pod == NULL) {
		pthread_mutex_unlock(&kl->lock);
		return;
	}
	if (!kc->running) {
		/* not running (yet, or any more): look again later */
		const cJSON *probe = cJSON_GetObjectItemCaseSensitive(
			kl_container_spec(kp->pod, name, NULL), kind_names[kind]);
		schedule(kl, kp, kc, kind, probe_int(probe, "periodSeconds", 10) * SEC);
		pthread_mutex_unlock(&kl->lock);
		return;
	}
	j.spec = cJSON_Duplicate(kl_container_spec(kp->pod, name, NULL), 1);
	j.probe = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(j.spec, kind_names[kind]), 1);
	snprintf(j.container_id, sizeof(j.container_id), "%s", kc->id);
	snprintf(j.pod_ip, sizeof(j.pod_ip), "%s", kp->pod_ip);
	period = probe_int(j.probe, "periodSeconds", 10) * SEC;
	/* liveness and readiness wait for the startup probe */
	if (kind != PROBE_STARTUP && !kc->started) {
		schedule(kl, kp, kc, kind, period);
		pthread_mutex_unlock(&kl->lock);
		goto out;
	}
	if (kind == PROBE_STARTUP && kc->started) {
		pthread_mutex_unlock(&kl->lock);
		goto out; /* done for this container's life */
	}
	if (kp->sandbox_id[0] && kl->cfg.runtime->sandbox_netns != NULL &&
	    K8C_HAS_MEMBER(kl->cfg.runtime->struct_size, k8c_runtime_ops_t, sandbox_netns)) {
		k8c_error_t err;
		if (kl->cfg.runtime->sandbox_netns(kl->cfg.runtime_cookie, kp->sandbox_id, j.netns,
		                                   sizeof(j.netns), &err) < 0)
			j.netns[0] = '\0';
	}
	pthread_mutex_unlock(&kl->lock);

	success = j.container_id[0] && run_probe(kl, &j, msg, sizeof(msg)) == 0;
	threshold_ok = kind == PROBE_READINESS ? probe_int(j.probe, "successThreshold", 1) : 1;
	threshold_bad = probe_int(j.probe, "failureThreshold", 3);

	pthread_mutex_lock(&kl->lock);
	kp = k8c_strmap_get(&kl->pods, uid);
	kc = kp ? kl_container(kp, name) : NULL;
	if (kc == NULL || kc->probe_gen != gen) {
		pthread_mutex_unlock(&kl->lock);
		goto out;
	}
	p = &kc->probes[kind];
	if (success) {
		p->successes++;
		p->failures = 0;
		if (p->successes >= threshold_ok && p->result != 1) {
			p->result = 1;
			changed = 1;
		}
	} else {
		p->failures++;
		p->successes = 0;
		snprintf(p->last_output, sizeof(p->last_output), "%s", msg);
		if (p->failures >= threshold_bad && p->result != 0) {
			p->result = 0;
			changed = 1;
		}
	}
	if (changed) {
		if (kind == PROBE_STARTUP && p->result == 1)
			kc->started = 1;
		if (kind == PROBE_READINESS)
			kc->ready = p->result == 1;
		if ((kind == PROBE_LIVENESS || kind == PROBE_STARTUP) && p->result == 0) {
			kc->kill_requested = 1;
			snprintf(kc->kill_reason, sizeof(kc->kill_reason),
			         "Container %s failed %s probe, will be restarted", kc->name,
			         kind == PROBE_LIVENESS ? "liveness" : "startup");
			/* the next run starts from zero */
			p->failures = 0;
			p->result = -1;
		}
	}
	if (!success) {
		/* copies: the pod may go while the lock is not held */
		_cleanup_free_ char *fp = k8c_xasprintf("spec.containers{%s}", kc->name);
		_cleanup_free_ char *ns = k8c_xstrdup(kp->ns), *pn = k8c_xstrdup(kp->name);
		_cleanup_free_ char *node = k8c_xstrdup(kp->node->name);
		_cleanup_free_ char *text = k8c_xasprintf("%s probe failed: %s", kind_words[kind], msg);
		kl_pod_ref_t ref = {ns, pn, uid, node};
		pthread_mutex_unlock(&kl->lock);
		kl_event_ref(kl, &ref, fp, "Warning", "Unhealthy", text);
		pthread_mutex_lock(&kl->lock);
		kp = k8c_strmap_get(&kl->pods, uid);
		kc = kp ? kl_container(kp, name) : NULL;
	}
	if (kc != NULL && kc->probe_gen == gen && !(kind == PROBE_STARTUP && kc->started))
		schedule(kl, kp, kc, kind, period);
	pthread_mutex_unlock(&kl->lock);
	if (changed)
		k8c_workqueue_add(kl->queue, uid);
out:
	cJSON_Delete(j.spec);
	cJSON_Delete(j.probe);
}

static void *probe_thread(void *arg)
{
	k8c_kubelet_t *kl = arg;
	char *key;

	while (k8c_workqueue_get(kl->probe_queue, &key)) {
		probe_once(kl, key);
		k8c_workqueue_done(kl->probe_queue, key);
		free(key);
	}
	return NULL;
}

void kl_probes_start(k8c_kubelet_t *kl)
{
	kl->probe_queue = k8c_workqueue_new();
	for (int i = 0; i < N_THREADS; i++)
		pthread_create(&kl->probe_threads[i], NULL, probe_thread, kl);
}

void kl_probes_stop(k8c_kubelet_t *kl)
{
	if (kl->probe_queue == NULL)
		return;
	k8c_workqueue_shutdown(kl->probe_queue);
	for (int i = 0; i < N_THREADS; i++)
		pthread_join(kl->probe_threads[i], NULL);
}

void kl_probes_free(k8c_kubelet_t *kl)
{
	k8c_workqueue_free(kl->probe_queue);
	kl->probe_queue = NULL;
}
