/* Shared by tests/store/contract.c (harness, reads, writes, compaction,
 * lifecycle) and tests/store/contract_watch.c (watch). */
#ifndef K8C_TESTS_STORE_CONTRACT_PRIV_H
#define K8C_TESTS_STORE_CONTRACT_PRIV_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "contract.h"

typedef struct sc {
	const store_contract_t *c;
	const k8c_store_ops_t *ops;
	void *cookie;
	char prefix[64];   /* "/contract/<pid>-<n>/" */
	int failures;
} sc_t;

/* One TAP check; counts failures.  Returns cond. */
int sc_check(sc_t *t, int cond, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A check that two integers are equal, printing both when not. */
int sc_is(sc_t *t, long long got, long long want, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void sc_diag(sc_t *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* prefix + the formatted name; caller frees. */
char *sc_key(sc_t *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int64_t sc_revision(sc_t *t);
int64_t sc_now_ms(void);
void sc_sleep_ms(int ms);

/* --- recording watch events ---------------------------------------------- */

typedef struct sc_event {
	int type;
	char *key, *value;
	size_t len;
	int64_t create_rev, mod_rev;
	int has_prev, value_null;
	char *prev_value;
	size_t prev_len;
	int64_t prev_create, prev_mod;
} sc_event_t;

typedef struct sc_rec {
	pthread_mutex_t mu;
	pthread_cond_t cond;
	sc_event_t *ev;
	int n, cap;
	int finals, end_code, frees;
	int after_final;     /* callbacks after the final one */
	int free_early;      /* free_fn before the final callback */
	int bad_value;       /* a value without its NUL */
	int64_t last_rev;
	/* cancel the watch from its own callback at the first event */
	int cancel_on_event;
	sc_t *t;
	k8c_store_watch_t *handle;
} sc_rec_t;

void sc_rec_init(sc_rec_t *r, sc_t *t);
void sc_rec_free(sc_rec_t *r);
/* Start a watch recording into r; returns the op's result. */
int sc_rec_watch(sc_rec_t *r, const char *key, const char *end,
                 int64_t start, k8c_error_t *err);
/* Wait until an event at or above rev arrived; 1 when it did. */
int sc_rec_wait_rev(sc_rec_t *r, int64_t rev, int timeout_ms);
/* Wait for the final callback; 1 when it came. */
int sc_rec_wait_final(sc_rec_t *r, int timeout_ms);

void sc_watch_tests(sc_t *t);
void sc_ttl_tests(sc_t *t);

#endif
