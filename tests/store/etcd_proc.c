/* Real etcd members for tests (see etcd_proc.h). */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "etcd_proc.h"

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};

	nanosleep(&ts, NULL);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A loopback port nobody listens on; the socket stays open (in *fd) so
 * that the next call picks another one. */
static int free_port(int *fd)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(sa);

	*fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (*fd < 0 || bind(*fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    getsockname(*fd, (struct sockaddr *)&sa, &len) < 0)
		return -1;
	return ntohs(sa.sin_port);
}

/* One HTTP/1.0 exchange on loopback; the answer's body into buf. */
static int http(int port, const char *method, const char *path, const char *body, char *buf,
                size_t len)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
	                         .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	struct timeval tv = {2, 0};
	char req[1024];
	size_t got = 0;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), n;
	char *p;

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	n = snprintf(req, sizeof(req),
	             "%s %s HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
	             "Content-Length: %zu\r\n\r\n%s",
	             method, path, body ? strlen(body) : 0, body ? body : "");
	if (write(fd, req, (size_t)n) != n) {
		close(fd);
		return -1;
	}
	while (got + 1 < len && (n = (int)read(fd, buf + got, len - 1 - got)) > 0)
		got += (size_t)n;
	close(fd);
	buf[got] = '\0';
	p = strstr(buf, "\r\n\r\n");
	if (p == NULL)
		return -1;
	memmove(buf, p + 4, strlen(p + 4) + 1);
	return 0;
}

static int spawn(etcd_cluster_t *c, int i)
{
	etcd_member_t *m = &c->m[i];
	char client[64], peer[64], cluster[512] = "";
	pid_t pid;

	snprintf(client, sizeof(client), "http://127.0.0.1:%d", m->client_port);
	snprintf(peer, sizeof(peer), "http://127.0.0.1:%d", m->peer_port);
	for (int j = 0; j < c->n; j++) {
		size_t at = strlen(cluster);
		snprintf(cluster + at, sizeof(cluster) - at, "%s%s=http://127.0.0.1:%d", j ? "," : "",
		         c->m[j].name, c->m[j].peer_port);
	}
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open(m->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execl(ETCD_BIN, ETCD_BIN, "--name", m->name, "--data-dir", m->dir, "--listen-client-urls",
		      client, "--advertise-client-urls", client, "--listen-peer-urls", peer,
		      "--initial-advertise-peer-urls", peer, "--initial-cluster", cluster,
		      "--initial-cluster-state", "new", "--initial-cluster-token", strrchr(c->root, '/') + 1,
		      "--logger", "zap", "--log-level", "warn", (char *)NULL);
		_exit(127);
	}
	m->pid = pid;
	return 0;
}

int etcd_member_wait_healthy(etcd_cluster_t *c, int i, int ms)
{
	long long deadline = now_ms() + ms;
	char buf[4096];

	while (now_ms() < deadline) {
		if (http(c->m[i].client_port, "GET", "/health", NULL, buf, sizeof(buf)) == 0 &&
		    strstr(buf, "\"true\"") != NULL)
			return 0;
		sleep_ms(50);
	}
	return -1;
}

int etcd_cluster_start(etcd_cluster_t *c, int n)
{
	int fds[2 * ETCD_MAX_MEMBERS];
	const char *tmp = getenv("TMPDIR");

	memset(c, 0, sizeof(*c));
	if (n < 1 || n > ETCD_MAX_MEMBERS)
		return -1;
	snprintf(c->root, sizeof(c->root), "%s/k8c-etcd-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
	if (mkdtemp(c->root) == NULL) {
		fprintf(stderr, "etcd_proc: mkdtemp: %s\n", strerror(errno));
		return -1;
	}
	c->n = n;
	for (int i = 0; i < n; i++) {
		etcd_member_t *m = &c->m[i];
		snprintf(m->name, sizeof(m->name), "m%d", i);
		snprintf(m->dir, sizeof(m->dir), "%s/%s", c->root, m->name);
		snprintf(m->log, sizeof(m->log), "%s/%s.log", c->root, m->name);
		m->client_port = free_port(&fds[2 * i]);
		m->peer_port = free_port(&fds[2 * i + 1]);
	}
	for (int i = 0; i < 2 * n; i++)
		close(fds[i]);
	for (int i = 0; i < n; i++) {
		size_t at = strlen(c->endpoints);
		snprintf(c->endpoints + at, sizeof(c->endpoints) - at, "%shttp://127.0.0.1:%d",
		         i ? "," : "", c->m[i].client_port);
		if (spawn(c, i) < 0) {
			etcd_cluster_stop(c);
			return -1;
		}
	}
	for (int i = 0; i < n; i++)
		if (etcd_member_wait_healthy(c, i, 30000) < 0) {
			fprintf(stderr, "etcd_proc: member %s not healthy within 30 s (log %s)\n",
			        c->m[i].name, c->m[i].log);
			etcd_cluster_stop(c);
			return -1;
		}
	return 0;
}

void etcd_member_kill(etcd_cluster_t *c, int i, int sig)
{
	etcd_member_t *m = &c->m[i];

	if (m->pid <= 0)
		return;
	kill(m->pid, sig);
	waitpid(m->pid, NULL, 0);
	m->pid = 0;
}

int etcd_member_restart(etcd_cluster_t *c, int i)
{
	if (c->m[i].pid > 0)
		return 0;
	return spawn(c, i);
}

int etcd_cluster_leader(etcd_cluster_t *c)
{
	for (int i = 0; i < c->n; i++) {
		char buf[4096];
		cJSON *st;
		int leader = 0;
		if (c->m[i].pid <= 0 ||
		    http(c->m[i].client_port, "POST", "/v3/maintenance/status", "{}", buf, sizeof(buf)) < 0)
			continue;
		st = cJSON_Parse(buf);
		if (st != NULL) {
			const cJSON *l = cJSON_GetObjectItemCaseSensitive(st, "leader");
			const cJSON *me = cJSON_GetObjectItemCaseSensitive(
				cJSON_GetObjectItemCaseSensitive(st, "header"), "member_id");
			leader = cJSON_IsString(l) && cJSON_IsString(me) &&
			         strcmp(l->valuestring, me->valuestring) == 0;
		}
		cJSON_Delete(st);
		if (leader)
			return i;
	}
	return -1;
}

int etcd_member_post(etcd_cluster_t *c, int i, const char *path, const char *body, char *out,
                     size_t len)
{
	return http(c->m[i].client_port, "POST", path, body, out, len);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

void etcd_cluster_stop(etcd_cluster_t *c)
{
	for (int i = 0; i < c->n; i++)
		etcd_member_kill(c, i, SIGTERM);
	if (c->root[0] != '\0')
		nftw(c->root, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	c->root[0] = '\0';
}
