//===- HostCalibration.cpp - this machine as a roofline profile -----------===//
#include "cost/HostCalibration.h"

#include "llvm/Support/MemoryBuffer.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <functional>
#include <thread>
#include <vector>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace cnnc {
namespace {

/// Independent accumulator chains per thread: enough to cover an FMA unit's
/// latency times its throughput on current CPUs (4 cycles x 2 units).
constexpr int kChains = 10;

unsigned hardwareThreads() { return std::max(1u, std::thread::hardware_concurrency()); }

/// Runs `work(thread)` on every hardware thread at once; the units per
/// second over the best of three runs. `work` returns how many units (operations,
/// bytes) its thread did.
double perSecondOnEveryThread(const std::function<double(unsigned thread)> &work) {
  unsigned threads = hardwareThreads();
  double best = 0;
  for (int run = 0; run < 3; ++run) {
    std::vector<double> done(threads);
    auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < threads; ++t)
      pool.emplace_back([&, t] { done[t] = work(t); });
    for (std::thread &thread : pool)
      thread.join();
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    double total = 0;
    for (double d : done)
      total += d;
    best = std::max(best, total / seconds);
  }
  return best;
}

/// Operations per second of `kernel(iterations)` on every thread; the kernel
/// returns its operation count.
double opsPerSecond(double (*kernel)(int64_t), int64_t iterations) {
  return perSecondOnEveryThread([&](unsigned) { return kernel(iterations); });
}

/// Keeps a result alive so that the loop producing it is not removed.
volatile float floatSink;
volatile int32_t intSink;

// FP32: kChains accumulators, acc = acc * a + b (one fused multiply-add
// each), in vectors of BYTES.
#define CNNC_FMA_KERNEL(NAME, TARGET, BYTES)                                                       \
  TARGET double NAME(int64_t iterations) {                                                         \
    typedef float Vector __attribute__((vector_size(BYTES)));                                      \
    Vector acc[kChains], a, b;                                                                     \
    for (int lane = 0; lane < (BYTES) / 4; ++lane) {                                               \
      a[lane] = 0.999999f;                                                                         \
      b[lane] = 1e-7f;                                                                             \
    }                                                                                              \
    for (int c = 0; c < kChains; ++c)                                                              \
      acc[c] = b * static_cast<float>(c);                                                          \
    for (int64_t i = 0; i < iterations; ++i)                                                       \
      for (int c = 0; c < kChains; ++c)                                                            \
        acc[c] = acc[c] * a + b;                                                                   \
    float sum = 0;                                                                                 \
    for (int c = 0; c < kChains; ++c)                                                              \
      sum += acc[c][0];                                                                            \
    floatSink = sum;                                                                               \
    return 2.0 * (BYTES) / 4 * kChains * static_cast<double>(iterations);                          \
  }

CNNC_FMA_KERNEL(fmaPortable, , 16)
#if defined(__x86_64__)
CNNC_FMA_KERNEL(fmaAvx2, __attribute__((target("avx2,fma"))), 32)
CNNC_FMA_KERNEL(fmaAvx512, __attribute__((target("avx512f"))), 64)

// INT8: u8 x i8 products summed into i32 lanes, 2 operations per product.
__attribute__((target("avx2"))) double int8Avx2(int64_t iterations) {
  // The input changes every iteration (one add for all the chains), and each
  // chain has its own weights, so that no product is computed only once.
  __m256i acc[kChains], w[kChains], x = _mm256_set1_epi8(3), step = _mm256_set1_epi8(1),
                                    ones = _mm256_set1_epi16(1);
  for (int c = 0; c < kChains; ++c) {
    acc[c] = _mm256_set1_epi32(c);
    w[c] = _mm256_set1_epi8(static_cast<char>(c - 5));
  }
  for (int64_t i = 0; i < iterations; ++i) {
    x = _mm256_add_epi8(x, step);
    for (int c = 0; c < kChains; ++c)
      acc[c] = _mm256_add_epi32(acc[c], _mm256_madd_epi16(_mm256_maddubs_epi16(x, w[c]), ones));
  }
  uint32_t sum = 0; // wraps, as the lanes did
  for (int c = 0; c < kChains; ++c)
    sum += static_cast<uint32_t>(_mm256_extract_epi32(acc[c], 0));
  intSink = static_cast<int32_t>(sum);
  return 2.0 * 32 * kChains * static_cast<double>(iterations);
}

// vpdpbusd adds into its accumulator, so its products cannot be hoisted out of
// the loop even with a constant input.
__attribute__((target("avx512f,avx512bw,avx512vnni"))) double int8Avx512Vnni(int64_t iterations) {
  __m512i acc[kChains], x = _mm512_set1_epi8(3), w = _mm512_set1_epi8(-2);
  for (int c = 0; c < kChains; ++c)
    acc[c] = _mm512_set1_epi32(c);
  for (int64_t i = 0; i < iterations; ++i)
    for (int c = 0; c < kChains; ++c)
      acc[c] = _mm512_dpbusd_epi32(acc[c], x, w);
  uint32_t sum = 0; // wraps, as the lanes did
  for (int c = 0; c < kChains; ++c)
    sum += static_cast<uint32_t>(_mm512_reduce_add_epi32(acc[c]));
  intSink = static_cast<int32_t>(sum);
  return 2.0 * 64 * kChains * static_cast<double>(iterations);
}
#endif

/// Portable INT8: products of small integers summed into 32-bit lanes, in
/// 16-byte vectors (what a compiler makes of an INT8 dot product without
/// dedicated instructions). Unsigned, so that the sums may wrap.
double int8Portable(int64_t iterations) {
  typedef uint32_t Vector __attribute__((vector_size(16)));
  Vector acc[kChains], w[kChains], x = {3, 3, 3, 3};
  for (unsigned c = 0; c < kChains; ++c) {
    acc[c] = x * c;
    w[c] = x + c;
  }
  for (int64_t i = 0; i < iterations; ++i) {
    x += 1; // as in int8Avx2: no product is loop-invariant
    for (int c = 0; c < kChains; ++c)
      acc[c] += x * w[c];
  }
  uint32_t sum = 0;
  for (int c = 0; c < kChains; ++c)
    sum += acc[c][0];
  intSink = static_cast<int32_t>(sum);
  return 2.0 * 4 * kChains * static_cast<double>(iterations);
}

struct Measured {
  double ops = 0;
  std::string how;
};

Measured peakFp32() {
  constexpr int64_t iterations = 20'000'000;
#if defined(__x86_64__)
  if (__builtin_cpu_supports("avx512f"))
    return {opsPerSecond(fmaAvx512, iterations), "AVX-512 fused multiply-adds"};
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    return {opsPerSecond(fmaAvx2, iterations), "AVX2 fused multiply-adds"};
#endif
  return {opsPerSecond(fmaPortable, iterations), "16-byte vector multiply-adds"};
}

Measured peakInt8() {
  constexpr int64_t iterations = 20'000'000;
#if defined(__x86_64__)
  if (__builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx512bw"))
    return {opsPerSecond(int8Avx512Vnni, iterations), "AVX-512 VNNI vpdpbusd"};
  if (__builtin_cpu_supports("avx2"))
    return {opsPerSecond(int8Avx2, iterations), "AVX2 vpmaddubsw, vpmaddwd, vpaddd"};
#endif
  return {opsPerSecond(int8Portable, iterations), "16-byte vector i32 multiply-adds"};
}

/// Bytes read plus written per second copying 256 MiB, split over the threads.
double copyBandwidth() {
  constexpr size_t kBytes = size_t(256) << 20;
  std::vector<char> from(kBytes, 1), to(kBytes, 0);
  size_t slice = kBytes / hardwareThreads();
  return perSecondOnEveryThread([&](unsigned t) {
    std::memcpy(&to[t * slice], &from[t * slice], slice);
    return 2.0 * static_cast<double>(slice);
  });
}

/// A field of /proc/cpuinfo's first processor ("model name", "cpu MHz"), if any.
std::string cpuinfoField(llvm::StringRef name) {
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> file =
      llvm::MemoryBuffer::getFileAsStream("/proc/cpuinfo");
  if (!file)
    return "";
  llvm::StringRef text = (*file)->getBuffer();
  while (!text.empty()) {
    auto [line, rest] = text.split('\n');
    auto [key, value] = line.split(':');
    if (key.trim() == name)
      return value.trim().str();
    text = rest;
  }
  return "";
}

} // namespace

std::string measureHostProfile() {
  Measured fp32 = peakFp32(), int8 = peakInt8();
  double bandwidth = copyBandwidth();
  std::string model;
  for (char c : cpuinfoField("model name"))
    if (c != '"' && c != '\\') // it is written inside a double-quoted YAML string
      model += c;
  if (model.empty())
    model = "this CPU";
  double mhz = 0;
  llvm::StringRef(cpuinfoField("cpu MHz")).getAsDouble(mhz);
  unsigned threads = hardwareThreads();
  std::string yaml;
  auto line = [&](const std::string &text) { yaml += text + "\n"; };
  line(fmt::format("# This machine, measured by cnnc (cost/HostCalibration.cpp) on {} threads.",
                   threads));
  line("name: host");
  line("kind: roofline");
  line(fmt::format("description: \"{}, {} threads (measured)\"", model, threads));
  line(mhz > 0 ? "# /proc/cpuinfo's \"cpu MHz\", the clock when measured."
               : "# The clock: unknown here, 1 GHz assumed.");
  line(fmt::format("clock_hz: {:.4g}", mhz > 0 ? mhz * 1e6 : 1e9));
  line("# Measured: all threads at once, best of three. FP32: " + fp32.how +
       ", 2 operations each; INT8: " + int8.how + ", 2 operations per u8 x i8 product.");
  line(fmt::format("peak_ops_per_s: {{int8: {:.4g}, fp32: {:.4g}}}", int8.ops, fp32.ops));
  line("# Measured: a 256 MiB copy split over the threads, bytes read plus written.");
  line(fmt::format("memory_bytes_per_s: {:.4g}", bandwidth));
  line("# Assumed, not measured (cnnc reads no power counters): about 7 W per core over");
  line("# a core's FP32 peak at 3.5 GHz (32 operations a cycle) gives 60 pJ per FP32");
  line("# operation, a quarter of it per INT8 operation; DRAM at the low end of Horowitz");
  line("# (ISSCC 2014): 160 pJ per byte; 10 W drawn while waiting.");
  line("energy:");
  line("  op_pj: {int8: 15, fp32: 60}");
  line("  memory_byte_pj: 160");
  line("static_power_w: 10");
  return yaml;
}

} // namespace cnnc
