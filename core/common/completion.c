/* Completions, fiber-aware locks and sleep (see completion.h). */
#include "config.h"

#include <time.h>

#include "common/completion.h"
#include "common/fiber.h"
#include "common/timer.h"

void k8c_completion_init(k8c_completion_t *c)
{
	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->cond, NULL);
	c->done = 0;
	c->wake = NULL;
	c->wake_arg = NULL;
}

void k8c_completion_destroy(k8c_completion_t *c)
{
	pthread_cond_destroy(&c->cond);
	pthread_mutex_destroy(&c->mu);
}

/* A plain thread's wait. */
static void block(k8c_completion_t *c)
{
	pthread_mutex_lock(&c->mu);
	while (!c->done)
		pthread_cond_wait(&c->cond, &c->mu);
	pthread_mutex_unlock(&c->mu);
}

void k8c_completion_wait(k8c_completion_t *c)
{
	if (k8c_fiber_current() == NULL) {
		block(c);
		return;
	}
	pthread_mutex_lock(&c->mu);
	if (c->done) {
		pthread_mutex_unlock(&c->mu);
		return;
	}
	pthread_mutex_unlock(&c->mu);
	k8c_fiber_yield(c);
	/* the driver resumes the fiber only once c is done */
}

void k8c_completion_done(k8c_completion_t *c)
{
	void (*wake)(void *);
	void *arg;

	pthread_mutex_lock(&c->mu);
	c->done = 1;
	wake = c->wake;
	arg = c->wake_arg;
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->mu);
	/* c may be gone from here on */
	if (wake != NULL)
		wake(arg);
}

int k8c_completion_arm(k8c_completion_t *c, void (*park)(void *arg),
                       void (*wake)(void *arg), void *arg)
{
	pthread_mutex_lock(&c->mu);
	if (c->done) {
		pthread_mutex_unlock(&c->mu);
		return 1;
	}
	park(arg);
	c->wake = wake;
	c->wake_arg = arg;
	pthread_mutex_unlock(&c->mu);
	return 0;
}

/* --- k8c_lock_t ------------------------------------------------------------ */

struct k8c_lock_waiter {
	k8c_completion_t c;
	k8c_lock_waiter_t *next;
};

void k8c_lock_init(k8c_lock_t *l)
{
	pthread_mutex_init(&l->mu, NULL);
	l->held = 0;
	l->head = l->tail = NULL;
}

void k8c_lock_destroy(k8c_lock_t *l)
{
	pthread_mutex_destroy(&l->mu);
}

void k8c_lock(k8c_lock_t *l)
{
	k8c_lock_waiter_t w;

	pthread_mutex_lock(&l->mu);
	if (!l->held) {
		l->held = 1;
		pthread_mutex_unlock(&l->mu);
		return;
	}
	k8c_completion_init(&w.c);
	w.next = NULL;
	if (l->tail != NULL)
		l->tail->next = &w;
	else
		l->head = &w;
	l->tail = &w;
	pthread_mutex_unlock(&l->mu);
	k8c_completion_wait(&w.c); /* the lock is ours when it returns */
	k8c_completion_destroy(&w.c);
}

void k8c_unlock(k8c_lock_t *l)
{
	k8c_lock_waiter_t *w;

	pthread_mutex_lock(&l->mu);
	w = l->head;
	if (w != NULL) {
		l->head = w->next;
		if (l->head == NULL)
			l->tail = NULL;
	} else {
		l->held = 0;
	}
	pthread_mutex_unlock(&l->mu);
	if (w != NULL)
		k8c_completion_done(&w->c); /* held passes to w */
}

/* --- sleep ------------------------------------------------------------------- */

static void sleep_over(void *arg)
{
	k8c_completion_done(arg);
}

void k8c_sleep_ns(int64_t ns)
{
	k8c_completion_t c;
	k8c_timer_t t;

	if (ns <= 0)
		return;
	if (k8c_fiber_current() == NULL) {
		struct timespec ts = {ns / 1000000000LL, ns % 1000000000LL};
		while (nanosleep(&ts, &ts) != 0)
			;
		return;
	}
	k8c_completion_init(&c);
	k8c_timer_start(&t, k8c_timer_now_ns() + ns, sleep_over, &c);
	k8c_completion_wait(&c);
	k8c_timer_cancel(&t); /* fired: returns at once, once its fn is over */
	k8c_completion_destroy(&c);
}
