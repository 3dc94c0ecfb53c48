/* One timer thread with a list of timers sorted by deadline: k8c runs few
 * timers at once (a sleeping request, the HTTP front end's tick), so a
 * list is enough. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "common/mem.h"
#include "common/timer.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond;        /* the list changed, or stop */
static pthread_cond_t fired;       /* a callback finished */
static int started, stopping;
static pthread_t thread;
static k8c_timer_t *list;
static k8c_timer_t *running;       /* whose fn runs now, lock not held */

int64_t k8c_timer_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Take the first timer off the list and run it; lock held (dropped
 * while its fn runs, so that fn may start timers). */
static void fire_first(void)
{
	k8c_timer_t *t = list;

	list = t->next;
	t->next = NULL;
	t->pending = 0;
	running = t;
	pthread_mutex_unlock(&lock);
	t->fn(t->arg);
	pthread_mutex_lock(&lock);
	running = NULL;
	pthread_cond_broadcast(&fired);
}

static void *timer_main(void *unused)
{
	(void)unused;
	pthread_setname_np(pthread_self(), "k8c-timer");
	pthread_mutex_lock(&lock);
	while (!stopping) {
		k8c_timer_t *t = list;
		int64_t now = k8c_timer_now_ns();

		if (t == NULL) {
			pthread_cond_wait(&cond, &lock);
			continue;
		}
		if (t->at_ns > now) {
			struct timespec ts = {t->at_ns / 1000000000LL, t->at_ns % 1000000000LL};
			pthread_cond_timedwait(&cond, &lock, &ts);
			continue;
		}
		fire_first();
	}
	pthread_mutex_unlock(&lock);
	return NULL;
}

static void start_thread(void)
{
	pthread_condattr_t attr;
	int rc;

	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&cond, &attr);
	pthread_condattr_destroy(&attr);
	pthread_cond_init(&fired, NULL);
	stopping = 0;
	rc = pthread_create(&thread, NULL, timer_main, NULL);
	if (rc != 0)
		k8c_die("cannot start the timer thread: %s", strerror(rc));
	started = 1;
}

void k8c_timer_start(k8c_timer_t *t, int64_t at_ns, void (*fn)(void *arg), void *arg)
{
	k8c_timer_t **pp;

	pthread_mutex_lock(&lock);
	if (!started)
		start_thread();
	t->at_ns = at_ns;
	t->fn = fn;
	t->arg = arg;
	t->pending = 1;
	for (pp = &list; *pp != NULL && (*pp)->at_ns <= at_ns; pp = &(*pp)->next)
		;
	t->next = *pp;
	*pp = t;
	if (list == t)
		pthread_cond_signal(&cond);
	pthread_mutex_unlock(&lock);
}

void k8c_timer_cancel(k8c_timer_t *t)
{
	pthread_mutex_lock(&lock);
	if (t->pending) {
		for (k8c_timer_t **pp = &list; *pp != NULL; pp = &(*pp)->next) {
			if (*pp == t) {
				*pp = t->next;
				break;
			}
		}
		t->pending = 0;
		t->next = NULL;
	}
	while (running == t)
		pthread_cond_wait(&fired, &lock);
	pthread_mutex_unlock(&lock);
}

void k8c_timers_stop(void)
{
	pthread_mutex_lock(&lock);
	if (!started) {
		pthread_mutex_unlock(&lock);
		return;
	}
	stopping = 1;
	pthread_cond_signal(&cond);
	pthread_mutex_unlock(&lock);
	pthread_join(thread, NULL);
	pthread_mutex_lock(&lock);
	while (list != NULL) /* fire early rather than never */
		fire_first();
	started = 0;
	pthread_cond_destroy(&cond);
	pthread_cond_destroy(&fired);
	pthread_mutex_unlock(&lock);
}
