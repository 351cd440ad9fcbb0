//===- ThreadPoolTest.cpp - the runtime's thread pool ------------------------===//
//
// cnnc_thread_pool.c as Halide's runtime would drive it: the loop function it
// installs with halide_set_custom_do_par_for, called with Halide's task
// signature. The Halide runtime functions the pool calls are stand-ins here:
// installing records the loop function, and Halide's own do_par_for (where a
// loop goes while the pool is busy) runs serially.
// Checked: every iteration runs exactly once, over thousands of loops in
// succession (the publish-and-claim protocol); the workers take part; the
// first error is returned; a loop inside an iteration runs in its thread;
// loops from two threads at once all complete; the thread count is obeyed.
//
//===----------------------------------------------------------------------===//
#include "cnnc_model_desc.h"

#include "HalideRuntime.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace {
halide_do_par_for_t installedLoop = nullptr;
} // namespace

extern "C" {
halide_do_par_for_t halide_set_custom_do_par_for(halide_do_par_for_t loop) {
  halide_do_par_for_t old = installedLoop;
  installedLoop = loop;
  return old;
}

int halide_default_do_par_for(void *userContext, halide_task_t task, int min, int size,
                              uint8_t *closure) {
  for (int i = min; i < min + size; ++i)
    if (int error = task(userContext, i, closure))
      return error;
  return 0;
}

int halide_set_num_threads(int threads) { return threads; }
}

namespace {

/// Counts each iteration's runs and remembers the threads that ran them.
struct Tally {
  int min = 0;
  std::vector<std::atomic<int>> runs;
  std::mutex lock;
  std::set<std::thread::id> threads;

  Tally(int min, int size) : min(min), runs(size) {}

  static int task(void *, int index, uint8_t *closure) {
    auto *tally = reinterpret_cast<Tally *>(closure);
    ++tally->runs[index - tally->min];
    std::lock_guard<std::mutex> guard(tally->lock);
    tally->threads.insert(std::this_thread::get_id());
    return 0;
  }

  int loop() {
    return installedLoop(nullptr, task, min, static_cast<int>(runs.size()),
                         reinterpret_cast<uint8_t *>(this));
  }

  bool eachRanOnce() const {
    for (const std::atomic<int> &r : runs)
      if (r.load() != 1)
        return false;
    return true;
  }
};

TEST(ThreadPoolTest, EveryIterationRunsOnceInEveryLoop) {
  cnnc_thread_pool_use(4);
  ASSERT_NE(installedLoop, nullptr);
  for (int round = 0; round < 3000; ++round) {
    int size = 2 + round % 37, min = round % 5 - 2;
    Tally tally(min, size);
    ASSERT_EQ(tally.loop(), 0);
    ASSERT_TRUE(tally.eachRanOnce()) << "loop " << round << " of " << size << " iterations";
  }
}

TEST(ThreadPoolTest, WorkersTakePart) {
  cnnc_thread_pool_use(2);
  // Each iteration waits (up to 5 s) until two threads are inside the loop:
  // iterations run one after another would wait in vain.
  struct Meeting {
    std::atomic<int> inside{0};
    std::atomic<bool> met{false};
  } meeting;
  auto task = [](void *, int, uint8_t *closure) -> int {
    auto *m = reinterpret_cast<Meeting *>(closure);
    ++m->inside;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    // Until it sees the other inside, or the other saw it: the other may
    // come and go between two looks (this had waited out the 5 s then).
    while (m->inside.load() < 2 && !m->met.load() && std::chrono::steady_clock::now() < deadline)
      std::this_thread::yield();
    if (m->inside.load() >= 2)
      m->met = true;
    --m->inside;
    return 0;
  };
  ASSERT_EQ(installedLoop(nullptr, task, 0, 2, reinterpret_cast<uint8_t *>(&meeting)), 0);
  EXPECT_TRUE(meeting.met);
}

TEST(ThreadPoolTest, ReturnsTheError) {
  cnnc_thread_pool_use(3);
  auto failAtSeven = [](void *, int index, uint8_t *) { return index == 7 ? -42 : 0; };
  EXPECT_EQ(installedLoop(nullptr, failAtSeven, 0, 20, nullptr), -42);
  Tally after(0, 20); // the pool still works
  EXPECT_EQ(after.loop(), 0);
  EXPECT_TRUE(after.eachRanOnce());
}

/// An iteration that runs a loop of its own: each inner iteration counts
/// itself and notes whether it ran in the outer iteration's thread.
struct Nested {
  std::atomic<int> innerRuns{0};
  std::atomic<bool> innerInOuterThread{true};
  struct Inner {
    Nested *nested;
    std::thread::id thread;
  };

  static int inner(void *, int, uint8_t *closure) {
    auto *in = reinterpret_cast<Inner *>(closure);
    ++in->nested->innerRuns;
    if (std::this_thread::get_id() != in->thread)
      in->nested->innerInOuterThread = false;
    return 0;
  }

  static int outer(void *context, int, uint8_t *closure) {
    Inner in{reinterpret_cast<Nested *>(closure), std::this_thread::get_id()};
    return installedLoop(context, inner, 0, 5, reinterpret_cast<uint8_t *>(&in));
  }
};

TEST(ThreadPoolTest, LoopInsideAnIterationRunsInItsThread) {
  cnnc_thread_pool_use(2);
  Nested nested;
  ASSERT_EQ(installedLoop(nullptr, Nested::outer, 0, 8, reinterpret_cast<uint8_t *>(&nested)), 0);
  EXPECT_EQ(nested.innerRuns.load(), 8 * 5);
  EXPECT_TRUE(nested.innerInOuterThread);
}

TEST(ThreadPoolTest, LoopsFromTwoThreadsAtOnceAllComplete) {
  cnnc_thread_pool_use(2);
  std::atomic<bool> allRight{true};
  auto caller = [&allRight] {
    for (int round = 0; round < 500; ++round) {
      Tally tally(0, 3 + round % 11);
      if (tally.loop() != 0 || !tally.eachRanOnce())
        allRight = false;
    }
  };
  std::thread a(caller), b(caller);
  a.join();
  b.join();
  EXPECT_TRUE(allRight);
}

TEST(ThreadPoolTest, OneThreadRunsLoopsInTheCaller) {
  cnnc_thread_pool_use(1);
  Tally tally(0, 64);
  ASSERT_EQ(tally.loop(), 0);
  EXPECT_TRUE(tally.eachRanOnce());
  EXPECT_EQ(tally.threads, std::set<std::thread::id>{std::this_thread::get_id()});
}

TEST(ThreadPoolTest, FewerThreadsAfterMore) {
  cnnc_thread_pool_use(4);
  Tally warm(0, 64);
  ASSERT_EQ(warm.loop(), 0);
  cnnc_thread_pool_use(2);
  std::set<std::thread::id> threads;
  for (int round = 0; round < 200; ++round) {
    Tally tally(0, 16);
    ASSERT_EQ(tally.loop(), 0);
    ASSERT_TRUE(tally.eachRanOnce());
    if (round > 0) // a worker no longer wanted may finish the loop it was in
      threads.insert(tally.threads.begin(), tally.threads.end());
  }
  EXPECT_LE(threads.size(), 2u);
}

} // namespace
