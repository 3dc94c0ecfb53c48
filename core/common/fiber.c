/* Fibers on ucontext.  Each has an mmap'd stack with a guard page below it
 * (an overflow faults instead of writing over a neighbour); finished
 * fibers go back to a small pool with their stack, whose entry function
 * loops so that a pooled fiber needs no new makecontext.
 *
 * Under AddressSanitizer every switch is announced with
 * __sanitizer_start_switch_fiber / __sanitizer_finish_switch_fiber, so that
 * ASan knows which stack is live (otherwise it reports false stack
 * overflows and loses track of fake stacks). */
#include "config.h"

#include <pthread.h>
#include <stdint.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include "common/fiber.h"
#include "common/mem.h"

#if defined(__SANITIZE_ADDRESS__)
#define K8C_FIBER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define K8C_FIBER_ASAN 1
#endif
#endif

#ifdef K8C_FIBER_ASAN
#include <sanitizer/common_interface_defs.h>
#define STACK_SIZE (1024u * 1024u) /* ASan's frames are larger */
#else
#define STACK_SIZE (256u * 1024u)  /* as the request threads had */
#endif
#define POOL_MAX 256

struct k8c_fiber {
	ucontext_t ctx;        /* the fiber's registers while it is switched out */
	ucontext_t back;       /* the driver's while the fiber runs */
	void (*fn)(void *arg);
	void *arg;
	void *yielded;
	int started;           /* ctx was made: the entry loop is running */
	int done;              /* fn returned */
	char *map;             /* owned: guard page + stack */
	size_t map_len;
	k8c_fiber_t *next_free;
#ifdef K8C_FIBER_ASAN
	void *fake_stack;      /* the fiber's fake stack while switched out */
	const void *back_bottom; /* the driver's stack, to switch back to */
	size_t back_size;
#endif
};

static __thread k8c_fiber_t *current;

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static k8c_fiber_t *pool;
static unsigned pool_n;

static size_t page_size(void)
{
	long n = sysconf(_SC_PAGESIZE);

	return n > 0 ? (size_t)n : 4096;
}

static void *stack_lo(const k8c_fiber_t *f)
{
	return f->map + page_size();
}

/* Runs on the fiber's stack for its whole life: one fn per lap. */
static void entry(void)
{
	k8c_fiber_t *f = current;

	for (;;) {
#ifdef K8C_FIBER_ASAN
		__sanitizer_finish_switch_fiber(NULL, &f->back_bottom, &f->back_size);
#endif
		f->fn(f->arg);
		f->done = 1;
		f->yielded = NULL;
#ifdef K8C_FIBER_ASAN
		/* NULL: this lap's fake stack dies with it */
		__sanitizer_start_switch_fiber(NULL, f->back_bottom, f->back_size);
#endif
		swapcontext(&f->ctx, &f->back);
	}
}

k8c_fiber_t *k8c_fiber_new(void (*fn)(void *arg), void *arg)
{
	k8c_fiber_t *f;

	pthread_mutex_lock(&pool_lock);
	f = pool;
	if (f != NULL) {
		pool = f->next_free;
		pool_n--;
	}
	pthread_mutex_unlock(&pool_lock);
	if (f == NULL) {
		size_t guard = page_size();
		f = k8c_xcalloc(1, sizeof(*f));
		f->map_len = guard + STACK_SIZE;
		f->map = mmap(NULL, f->map_len, PROT_READ | PROT_WRITE,
		              MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
		if (f->map == MAP_FAILED)
			k8c_die("out of memory: cannot map a %u KB fiber stack", STACK_SIZE / 1024);
		if (mprotect(f->map, guard, PROT_NONE) != 0)
			k8c_die("cannot protect a fiber stack's guard page");
	}
	f->fn = fn;
	f->arg = arg;
	f->done = 0;
	f->yielded = NULL;
	f->next_free = NULL;
	return f;
}

void *k8c_fiber_resume(k8c_fiber_t *f)
{
#ifdef K8C_FIBER_ASAN
	void *fake = NULL;
#endif

	if (current != NULL)
		k8c_die("k8c_fiber_resume from a fiber");
	if (f->done)
		return NULL;
	if (!f->started) {
		if (getcontext(&f->ctx) != 0)
			k8c_die("getcontext failed");
		f->ctx.uc_stack.ss_sp = stack_lo(f);
		f->ctx.uc_stack.ss_size = STACK_SIZE;
		f->ctx.uc_link = NULL;
		makecontext(&f->ctx, entry, 0);
		f->started = 1;
	}
	current = f;
#ifdef K8C_FIBER_ASAN
	__sanitizer_start_switch_fiber(&fake, stack_lo(f), STACK_SIZE);
#endif
	swapcontext(&f->back, &f->ctx);
#ifdef K8C_FIBER_ASAN
	__sanitizer_finish_switch_fiber(fake, NULL, NULL);
#endif
	current = NULL;
	return f->done ? NULL : f->yielded;
}

void k8c_fiber_yield(void *what)
{
	k8c_fiber_t *f = current;

	if (f == NULL || what == NULL)
		k8c_die("k8c_fiber_yield outside a fiber or of nothing");
	f->yielded = what;
#ifdef K8C_FIBER_ASAN
	__sanitizer_start_switch_fiber(&f->fake_stack, f->back_bottom, f->back_size);
#endif
	swapcontext(&f->ctx, &f->back);
#ifdef K8C_FIBER_ASAN
	__sanitizer_finish_switch_fiber(f->fake_stack, &f->back_bottom, &f->back_size);
#endif
}

k8c_fiber_t *k8c_fiber_current(void)
{
	return current;
}

static void unmap(k8c_fiber_t *f)
{
	munmap(f->map, f->map_len);
	free(f);
}

void k8c_fiber_free(k8c_fiber_t *f)
{
	if (f == NULL)
		return;
	if (f->started && !f->done)
		k8c_die("k8c_fiber_free of a fiber that is still waiting");
	pthread_mutex_lock(&pool_lock);
	if (pool_n < POOL_MAX) {
		f->next_free = pool;
		pool = f;
		pool_n++;
		f = NULL;
	}
	pthread_mutex_unlock(&pool_lock);
	if (f != NULL)
		unmap(f);
}

void k8c_fiber_pool_drain(void)
{
	k8c_fiber_t *list;

	pthread_mutex_lock(&pool_lock);
	list = pool;
	pool = NULL;
	pool_n = 0;
	pthread_mutex_unlock(&pool_lock);
	while (list != NULL) {
		k8c_fiber_t *next = list->next_free;
		unmap(list);
		list = next;
	}
}
