/* cnnc_thread_pool.c - the threads a CPU model's parallel loops run on.
 *
 * Halide's own pool hands out a loop's iterations one at a time under one
 * mutex, and its idle workers look for work between sched_yield calls. A
 * model is ~50 short kernels (5-100 us, 4-30 iterations each), and pays that
 * at every loop's start and end: on mobilenet-v2 (2-core Zen 5) Halide's
 * worker sat idle for 11.6% of a run and the calling thread waited for it
 * 5.6%. Here a loop is published with a few atomic stores, each iteration is
 * claimed with one atomic add, and an idle worker spins on the loop counter
 * (pausing, and yielding the core every few spins to any other thread that
 * wants it) for kSpinMicros, longer than the gap between two kernels or two
 * runs, before it sleeps: a process that stops running models does not keep
 * its cores busy.
 *
 * One loop runs on the pool at a time. A loop started while the pool is busy
 * (another thread's run) goes to Halide's own pool; a loop started inside an
 * iteration runs in that thread (every thread is busy already). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#endif
#include "cnnc_model_desc.h"

#include "HalideRuntime.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <time.h>

enum {
  kMaxThreads = 256,
  kSpinsPerLook = 64, /* pauses between looks at the clock (and yields) */
};

/* How long an idle worker spins for the next loop before it sleeps. */
static const double kSpinMicros = 200;

static struct {
  pthread_mutex_t lock; /* guards starting workers and the sleepers' wait */
  pthread_cond_t wake;
  atomic_int started;
  pthread_t workers[kMaxThreads];
  atomic_int wanted;   /* workers that take part in loops: threads - 1 */
  atomic_int sleeping; /* workers waiting on `wake` */
  atomic_int busy;     /* a loop runs on the pool */
  atomic_int shutdown;
  atomic_uint generation; /* bumped as each loop is published */
  /* The loop: written by its owner while no iteration is claimable. */
  halide_task_t task;
  void *user_context;
  uint8_t *closure;
  int min, size;
  atomic_int error;
  /* Iterations are claimed by counting `next` up from -size to 0, so that a
   * claim needs nothing else of the loop, and finished by counting `done`
   * up to size. Each on a cache line of its own. */
  _Alignas(64) atomic_int next;
  _Alignas(64) atomic_int done;
} pool = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER};

/* This thread runs one of the pool's iterations: a loop it starts runs here. */
static _Thread_local int in_iteration;

static inline void cpu_pause(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

static double now_micros(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e6 + (double)t.tv_nsec * 1e-3;
}

/* Claims and runs iterations of the current loop until none is left. A
 * claim is what makes the loop's fields safe to read: the owner does not
 * publish the next loop before every claimed iteration is done. */
static void run_iterations(void) {
  in_iteration = 1;
  for (;;) {
    int claimed = atomic_fetch_add_explicit(&pool.next, 1, memory_order_acquire);
    if (claimed >= 0)
      break;
    int error = pool.task(pool.user_context, pool.min + pool.size + claimed, pool.closure);
    if (error) {
      int none = 0;
      atomic_compare_exchange_strong(&pool.error, &none, error);
    }
    atomic_fetch_add_explicit(&pool.done, 1, memory_order_release);
  }
  in_iteration = 0;
}

/* Waits for a loop published after `seen` that worker `index` takes part in:
 * spins for kSpinMicros, then sleeps. Returns 0 at shutdown. */
static int wait_for_loop(int index, unsigned *seen) {
  double since = now_micros();
  for (int spins = 1;; ++spins) {
    if (atomic_load_explicit(&pool.shutdown, memory_order_relaxed))
      return 0;
    unsigned generation = atomic_load_explicit(&pool.generation, memory_order_acquire);
    if (generation != *seen && index < atomic_load_explicit(&pool.wanted, memory_order_relaxed)) {
      *seen = generation;
      return 1;
    }
    cpu_pause();
    if (spins % kSpinsPerLook)
      continue;
    if (now_micros() - since < kSpinMicros) {
      sched_yield();
      continue;
    }
    /* Sleeping is announced before the last look, and the owner bumps the
     * generation before it looks for sleepers: one of them sees the other. */
    pthread_mutex_lock(&pool.lock);
    atomic_fetch_add(&pool.sleeping, 1);
    while (!atomic_load(&pool.shutdown) &&
           (atomic_load(&pool.generation) == *seen || index >= atomic_load(&pool.wanted)))
      pthread_cond_wait(&pool.wake, &pool.lock);
    atomic_fetch_sub(&pool.sleeping, 1);
    pthread_mutex_unlock(&pool.lock);
    since = now_micros();
  }
}

static void *worker_main(void *arg) {
  int index = (int)(intptr_t)arg;
  /* As if the loop before the current one was the last seen: a worker that
   * starts after the loop that started it was published joins it. */
  unsigned seen = atomic_load(&pool.generation) - 1;
  while (wait_for_loop(index, &seen))
    run_iterations();
  return NULL;
}

static void wake_sleepers(void) {
  if (atomic_load(&pool.sleeping) == 0)
    return;
  pthread_mutex_lock(&pool.lock);
  pthread_cond_broadcast(&pool.wake);
  pthread_mutex_unlock(&pool.lock);
}

/* Starts the workers wanted and not yet running. */
static void start_workers(void) {
  int wanted = atomic_load(&pool.wanted);
  pthread_mutex_lock(&pool.lock);
  int started = atomic_load(&pool.started);
  while (started < wanted &&
         pthread_create(&pool.workers[started], NULL, worker_main, (void *)(intptr_t)started) == 0)
    atomic_store(&pool.started, ++started);
  if (started < wanted) /* the system gave fewer threads: loops use those */
    atomic_store(&pool.wanted, started);
  pthread_mutex_unlock(&pool.lock);
}

static int serial_loop(void *user_context, halide_task_t task, int min, int size,
                       uint8_t *closure) {
  for (int i = min; i < min + size; ++i) {
    int error = task(user_context, i, closure);
    if (error)
      return error;
  }
  return 0;
}

/* Halide's do_par_for: iterations min .. min + size - 1 of `task`. */
static int pool_par_for(void *user_context, halide_task_t task, int min, int size,
                        uint8_t *closure) {
  if (in_iteration || size <= 1 || atomic_load_explicit(&pool.wanted, memory_order_relaxed) == 0)
    return serial_loop(user_context, task, min, size, closure);
  if (atomic_exchange_explicit(&pool.busy, 1, memory_order_acquire))
    return halide_default_do_par_for(user_context, task, min, size, closure);
  if (atomic_load_explicit(&pool.started, memory_order_relaxed) <
      atomic_load_explicit(&pool.wanted, memory_order_relaxed))
    start_workers();
  pool.task = task;
  pool.user_context = user_context;
  pool.closure = closure;
  pool.min = min;
  pool.size = size;
  atomic_store_explicit(&pool.error, 0, memory_order_relaxed);
  atomic_store_explicit(&pool.done, 0, memory_order_relaxed);
  atomic_store_explicit(&pool.next, -size, memory_order_release); /* claimable from here */
  atomic_fetch_add(&pool.generation, 1);
  wake_sleepers();
  run_iterations();
  while (atomic_load_explicit(&pool.done, memory_order_acquire) < size)
    cpu_pause();
  int error = atomic_load_explicit(&pool.error, memory_order_relaxed);
  atomic_store_explicit(&pool.busy, 0, memory_order_release);
  return error;
}

/* CPUs this process may run on (its affinity mask: a container's or
 * taskset's share), at least one. */
static int usable_cpus(void) {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) != 0)
    return 1;
  int count = CPU_COUNT(&set);
  return count > 0 ? count : 1;
}

void cnnc_thread_pool_use(int threads) {
  int count = threads > 0 ? threads : usable_cpus();
  if (count > kMaxThreads)
    count = kMaxThreads;
  halide_set_num_threads(count); /* Halide's pool: loops started while this one is busy */
  atomic_store(&pool.wanted, count - 1);
  wake_sleepers(); /* workers no longer wanted go to sleep, wanted ones wake */
  halide_set_custom_do_par_for(pool_par_for);
}

/* A library unloaded (dlclose) takes the workers' code with it: they are
 * stopped first. */
__attribute__((destructor)) static void stop_workers(void) {
  atomic_store(&pool.shutdown, 1);
  pthread_mutex_lock(&pool.lock);
  pthread_cond_broadcast(&pool.wake);
  int started = atomic_load(&pool.started);
  pthread_mutex_unlock(&pool.lock);
  for (int i = 0; i < started; ++i)
    pthread_join(pool.workers[i], NULL);
}
