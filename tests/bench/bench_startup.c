/* Benchmark: how fast k8c starts and how little it holds when idle.
 *
 *   tests/bench/bench_startup [K8C [RUNS]]
 *
 * Measures, over RUNS runs (default 50):
 *   - `k8c version`: exec to exit (the floor: dynamic linking, no work);
 *   - `k8c plugins`: exec, scan the plugin directories, check and dlopen
 *     every plugin, print, exit;
 *   - `k8c server`: exec to its "running:" log line (plugins loaded and
 *     every instance initialised), then RSS of the idle server after 1 s.
 * Prints median, p90 and max.  Not a test: run it on purpose and record the
 * figures in doc/benchmarks.md. */
#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void report(const char *what, double *v, int n, const char *unit)
{
	qsort(v, (size_t)n, sizeof(double), cmp_double);
	printf("%-34s median %8.2f %s   p90 %8.2f %s   max %8.2f %s   (n=%d)\n", what,
	       v[n / 2], unit, v[(n * 9) / 10], unit, v[n - 1], unit, n);
}

/* Run argv to completion with output discarded; returns elapsed ms. */
static double run_once(char *const argv[])
{
	double t0 = now_ms();
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 1);
		dup2(null, 2);
		execv(argv[0], argv);
		_exit(127);
	}
	waitpid(pid, &status, 0);
	return now_ms() - t0;
}

static long rss_kb(pid_t pid)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	while (f != NULL && fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
			break;
	if (f != NULL)
		fclose(f);
	return kb;
}

/* Start `k8c server`, time until "running:" appears on its stderr. */
static double server_once(const char *k8c, const char *datadir, long *rss)
{
	char *argv[] = {(char *)k8c, "server", "--data-dir", (char *)datadir, NULL};
	char buf[8192];
	size_t have = 0;
	int p[2], status;
	double t0, t;
	pid_t pid;

	if (pipe(p) != 0)
		return -1;
	t0 = now_ms();
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 2);
		close(p[0]);
		execv(k8c, argv);
		_exit(127);
	}
	close(p[1]);
	for (;;) {
		ssize_t n = read(p[0], buf + have, sizeof(buf) - 1 - have);
		if (n <= 0)
			break;
		have += (size_t)n;
		buf[have] = '\0';
		if (strstr(buf, "running:") != NULL)
			break;
		if (have >= sizeof(buf) - 1)
			have = 0;
	}
	t = now_ms() - t0;
	if (rss != NULL) {
		usleep(1000 * 1000);
		*rss = rss_kb(pid);
	}
	kill(pid, SIGTERM);
	while (read(p[0], buf, sizeof(buf)) > 0)
		;
	close(p[0]);
	waitpid(pid, &status, 0);
	return t;
}

int main(int argc, char **argv)
{
	const char *k8c = argc > 1 ? argv[1] : "./k8c";
	int runs = argc > 2 ? atoi(argv[2]) : 50;
	char datadir[] = "/tmp/k8c-bench-XXXXXX";
	char *version[] = {(char *)k8c, "version", NULL};
	char *plugins[] = {(char *)k8c, "plugins", NULL};
	double *v;
	long rss = -1;
	char cmd[256];

	if (runs < 3)
		runs = 3;
	if (access(k8c, X_OK) != 0 || mkdtemp(datadir) == NULL) {
		fprintf(stderr, "usage: %s [PATH-TO-K8C [RUNS]]\n", argv[0]);
		return 2;
	}
	/* An uninstalled k8c: use the build tree's plugins. */
	if (getenv("K8C_BUILTIN_PLUGIN_DIR") == NULL) {
		char dir[4096];
		const char *slash = strrchr(k8c, '/');
		snprintf(dir, sizeof(dir), "%.*s/plugins/.libs",
		         slash ? (int)(slash - k8c) : 1, slash ? k8c : ".");
		if (access(dir, R_OK) == 0)
			setenv("K8C_BUILTIN_PLUGIN_DIR", dir, 1);
	}
	v = calloc((size_t)runs, sizeof(double));
	printf("k8c startup benchmark: %s, %d runs, plugins from %s\n", k8c, runs,
	       getenv("K8C_BUILTIN_PLUGIN_DIR") ? getenv("K8C_BUILTIN_PLUGIN_DIR") : "the built-in directory");
	for (int i = 0; i < runs; i++)
		v[i] = run_once(version);
	report("k8c version (exec to exit)", v, runs, "ms");
	for (int i = 0; i < runs; i++)
		v[i] = run_once(plugins);
	report("k8c plugins (scan+load+exit)", v, runs, "ms");
	for (int i = 0; i < runs; i++)
		v[i] = server_once(k8c, datadir, i == 0 ? &rss : NULL);
	report("k8c server (exec to running)", v, runs, "ms");
	printf("%-34s %ld kB\n", "k8c server idle RSS", rss);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", datadir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", datadir);
	free(v);
	return 0;
}
