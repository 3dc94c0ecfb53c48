/* Fibers, completions, fiber locks, timers and sleep: what the HTTP front
 * end builds on.  A small driver below plays the front end's part: it
 * resumes fibers, parks the ones that wait and resumes them when their
 * completion's wake says so. */
#include "config.h"

#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "common/completion.h"
#include "common/fiber.h"
#include "common/timer.h"
#include "tap.h"

/* --- a driver: one thread, many fibers ------------------------------------- */

#define MAX_F 8

typedef struct driver {
	pthread_mutex_t mu;
	pthread_cond_t cond;
	k8c_fiber_t *ready[MAX_F];
	int n_ready;
	int parked;
	int parks; /* how many times a fiber was parked */
} driver_t;

typedef struct slot {
	driver_t *d;
	k8c_fiber_t *f;
} slot_t;

static void park(void *arg)
{
	slot_t *s = arg;

	s->d->parked++;
	s->d->parks++;
}

static void wake(void *arg)
{
	slot_t *s = arg;

	pthread_mutex_lock(&s->d->mu);
	s->d->parked--;
	s->d->ready[s->d->n_ready++] = s->f;
	pthread_cond_signal(&s->d->cond);
	pthread_mutex_unlock(&s->d->mu);
}

/* Run the fibers to their end; returns how many finished. */
static int drive(driver_t *d, slot_t *slots, int n)
{
	int finished = 0;

	pthread_mutex_lock(&d->mu);
	for (int i = 0; i < n; i++)
		d->ready[d->n_ready++] = slots[i].f;
	while (finished < n) {
		k8c_fiber_t *f;
		slot_t *s = NULL;
		k8c_completion_t *c;

		while (d->n_ready == 0)
			pthread_cond_wait(&d->cond, &d->mu);
		f = d->ready[0];
		memmove(d->ready, d->ready + 1, sizeof(d->ready[0]) * (size_t)--d->n_ready);
		for (int i = 0; i < n; i++)
			if (slots[i].f == f)
				s = &slots[i];
		pthread_mutex_unlock(&d->mu);
		for (;;) {
			c = k8c_fiber_resume(f);
			if (c == NULL) {
				finished++;
				k8c_fiber_free(f);
				break;
			}
			pthread_mutex_lock(&d->mu);
			if (k8c_completion_arm(c, park, wake, s) == 0) {
				pthread_mutex_unlock(&d->mu);
				break;
			}
			pthread_mutex_unlock(&d->mu);
		}
		pthread_mutex_lock(&d->mu);
	}
	pthread_mutex_unlock(&d->mu);
	return finished;
}

/* --- plain fibers ----------------------------------------------------------- */

static char trace[64];

static void append(const char *s)
{
	strncat(trace, s, sizeof(trace) - strlen(trace) - 1);
}

static void three_steps(void *arg)
{
	append(arg);
	k8c_fiber_yield((void *)"1");
	append(arg);
	k8c_fiber_yield((void *)"2");
	append(arg);
}

static int deep(int n)
{
	volatile char pad[1024];

	pad[0] = (char)n;
	return n == 0 ? pad[0] : deep(n - 1) + 1 + pad[0] - (char)n;
}

static void go_deep(void *arg)
{
	*(int *)arg = deep(150); /* ~150 KB of stack */
}

/* --- completions ------------------------------------------------------------- */

typedef struct later {
	k8c_completion_t *c;
	int delay_ms;
} later_t;

static void *complete_later(void *arg)
{
	later_t *l = arg;

	usleep((useconds_t)l->delay_ms * 1000);
	k8c_completion_done(l->c);
	return NULL;
}

static int waited;

static void wait_for_thread(void *arg)
{
	k8c_completion_t c;
	later_t l = {&c, 30};
	pthread_t t;

	(void)arg;
	k8c_completion_init(&c);
	pthread_create(&t, NULL, complete_later, &l);
	k8c_completion_wait(&c);
	waited++;
	pthread_join(t, NULL);
	k8c_completion_destroy(&c);
}

static void wait_done_already(void *arg)
{
	k8c_completion_t c;

	(void)arg;
	k8c_completion_init(&c);
	k8c_completion_done(&c);
	k8c_completion_wait(&c); /* no yield */
	waited++;
	k8c_completion_destroy(&c);
}

/* --- the fiber lock ------------------------------------------------------------ */

static k8c_lock_t lock;
static char order[16];

static void hold_across_wait(void *arg)
{
	k8c_lock(&lock);
	strncat(order, arg, sizeof(order) - strlen(order) - 1);
	k8c_sleep_ns(20 * 1000000LL); /* yields, holding the lock */
	strncat(order, arg, sizeof(order) - strlen(order) - 1);
	k8c_unlock(&lock);
}

/* --- timers --------------------------------------------------------------------- */

static char fired[16];
static pthread_mutex_t fired_mu = PTHREAD_MUTEX_INITIALIZER;

static void note(void *arg)
{
	pthread_mutex_lock(&fired_mu);
	strncat(fired, arg, sizeof(fired) - strlen(fired) - 1);
	pthread_mutex_unlock(&fired_mu);
}

int main(void)
{
	driver_t d = {.mu = PTHREAD_MUTEX_INITIALIZER};
	k8c_fiber_t *f;
	void *y1, *y2, *y3;
	int depth = 0;

	pthread_cond_init(&d.cond, NULL);

	/* yield and resume */
	f = k8c_fiber_new(three_steps, "a");
	ok(k8c_fiber_current() == NULL, "no fiber on the main stack");
	y1 = k8c_fiber_resume(f);
	y2 = k8c_fiber_resume(f);
	y3 = k8c_fiber_resume(f);
	ok(y1 != NULL && strcmp(y1, "1") == 0 && y2 != NULL && strcmp(y2, "2") == 0,
	   "resume returns what the fiber yielded");
	ok(y3 == NULL, "and NULL once the function returned");
	is_str(trace, "aaa", "the function ran in three laps");
	ok(k8c_fiber_resume(f) == NULL, "a finished fiber stays finished");
	k8c_fiber_free(f);

	/* a pooled stack runs a new function from its start */
	trace[0] = '\0';
	f = k8c_fiber_new(three_steps, "b");
	while (k8c_fiber_resume(f) != NULL)
		;
	k8c_fiber_free(f);
	is_str(trace, "bbb", "a pooled fiber runs the next function");

	f = k8c_fiber_new(go_deep, &depth);
	ok(k8c_fiber_resume(f) == NULL && depth == 150, "150 KB of stack on a fiber");
	k8c_fiber_free(f);

	/* completions on fibers, parked by the driver */
	{
		slot_t s[3] = {{&d, k8c_fiber_new(wait_for_thread, NULL)},
		               {&d, k8c_fiber_new(wait_for_thread, NULL)},
		               {&d, k8c_fiber_new(wait_done_already, NULL)}};
		waited = 0;
		is_int(drive(&d, s, 3), 3, "three fibers waited on completions and finished");
		is_int(waited, 3, "each wait returned");
		is_int(d.parks, 2, "the two that waited for a thread were parked, not the done one");
		is_int(d.parked, 0, "and woken");
	}

	/* completion on a plain thread blocks */
	{
		k8c_completion_t c;
		later_t l = {&c, 10};
		pthread_t t;
		k8c_completion_init(&c);
		pthread_create(&t, NULL, complete_later, &l);
		k8c_completion_wait(&c);
		pthread_join(t, NULL);
		k8c_completion_destroy(&c);
		ok(1, "a thread's wait blocks until done");
	}

	/* two fibers of one thread contend for a lock held across a wait */
	{
		slot_t s[2] = {{&d, k8c_fiber_new(hold_across_wait, "x")},
		               {&d, k8c_fiber_new(hold_across_wait, "y")}};
		k8c_lock_init(&lock);
		d.parks = 0;
		is_int(drive(&d, s, 2), 2, "both lock holders finished on one thread");
		is_str(order, "xxyy", "the second waited for the first's unlock");
		ok(d.parks >= 3, "the waiter was parked, not blocking the thread (%d parks)", d.parks);
		k8c_lock_destroy(&lock);
	}

	/* timers fire in deadline order; a cancelled one never */
	{
		k8c_timer_t t1, t2, t3;
		int64_t now = k8c_timer_now_ns();
		k8c_timer_start(&t1, now + 30 * 1000000LL, note, "3");
		k8c_timer_start(&t2, now + 10 * 1000000LL, note, "1");
		k8c_timer_start(&t3, now + 20 * 1000000LL, note, "2");
		k8c_timer_cancel(&t3);
		usleep(80 * 1000);
		pthread_mutex_lock(&fired_mu);
		is_str(fired, "13", "timers fire in order; the cancelled one did not");
		pthread_mutex_unlock(&fired_mu);
		k8c_timer_cancel(&t1); /* already fired: a no-op */
		k8c_timer_start(&t1, k8c_timer_now_ns() + 60 * 1000000000LL, note, "4");
		k8c_timers_stop();
		pthread_mutex_lock(&fired_mu);
		is_str(fired, "134", "stopping the timers fires the pending ones");
		pthread_mutex_unlock(&fired_mu);
	}

	k8c_fiber_pool_drain();
	pthread_cond_destroy(&d.cond);
	return done_testing();
}
