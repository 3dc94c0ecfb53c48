/* UUIDs: random bytes drawn in batches from getrandom(2), formatted and
 * parsed by libuuid. */
#include "config.h"

#include <pthread.h>
#include <string.h>
#include <sys/random.h>
#include <uuid/uuid.h>

#include "common/uuid.h"

/* libuuid's uuid_generate_random() makes a getrandom() call (and a getpid())
 * for every UUID, ~5 µs of each API create in tests/bench/bench_api; one
 * call per 32 UUIDs per thread is enough. */
#define POOL_UUIDS 32

static _Thread_local unsigned char pool[POOL_UUIDS * sizeof(uuid_t)];
static _Thread_local size_t pool_left;

/* a forked child must not reuse its parent's bytes */
static void forget_pool(void)
{
	pool_left = 0;
}

static void register_fork_handler(void)
{
	pthread_atfork(NULL, NULL, forget_pool);
}

static void random_bytes(unsigned char *u)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, register_fork_handler);
	if (pool_left == 0) {
		size_t got = 0;
		while (got < sizeof(pool)) {
			ssize_t n = getrandom(pool + got, sizeof(pool) - got, 0);
			if (n <= 0) { /* no getrandom (or interrupted): libuuid's sources */
				uuid_generate_random(u);
				return;
			}
			got += (size_t)n;
		}
		pool_left = POOL_UUIDS;
	}
	pool_left--;
	memcpy(u, pool + pool_left * sizeof(uuid_t), sizeof(uuid_t));
	memset(pool + pool_left * sizeof(uuid_t), 0, sizeof(uuid_t)); /* never hand out twice */
}

void k8c_uuid_new(char out[K8C_UUID_STRLEN])
{
	uuid_t u;

	random_bytes(u);
	u[6] = (unsigned char)((u[6] & 0x0f) | 0x40); /* version 4 */
	u[8] = (unsigned char)((u[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	uuid_unparse_lower(u, out);
}

int k8c_uuid_valid(const char *s)
{
	uuid_t u;

	return s != NULL && uuid_parse(s, u) == 0;
}
