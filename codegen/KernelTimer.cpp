//===- KernelTimer.cpp - one kernel under one schedule, timed here --------===//
#include "codegen/KernelTimer.h"
#include "codegen/HalideKernel.h"
#include "codegen/Layout.h"
#include "codegen/ModelBuild.h"
#include "support/Median.h"

#include "llvm/ADT/DenseSet.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <optional>
#include <random>
#include <unistd.h>

namespace cnnc {

namespace {

/// A dense buffer of `type` with `extents`, its dimensions stored in
/// `storageOrder` (innermost first; empty: in order), filled from `seed`:
/// values in [-1, 1] for floats, over a small range for integers (so that
/// products and sums stay where real kernels keep them).
Halide::Buffer<> filledBuffer(Halide::Type type, llvm::ArrayRef<int64_t> extents,
                              const std::vector<int> &storageOrder, uint64_t seed) {
  std::vector<int> sizes(extents.begin(), extents.end());
  Halide::Buffer<> buffer = storageOrder.empty() ? Halide::Buffer<>(type, sizes)
                                                 : Halide::Buffer<>(type, sizes, storageOrder);
  std::mt19937_64 random(seed);
  std::uniform_real_distribution<float> real(-1.0f, 1.0f);
  std::uniform_int_distribution<int> small(-20, 20);
  size_t count = buffer.number_of_elements();
  void *data = buffer.data();
  for (size_t i = 0; i < count; ++i) {
    if (type == Halide::Float(32))
      static_cast<float *>(data)[i] = real(random);
    else if (type == Halide::UInt(8))
      static_cast<uint8_t *>(data)[i] = static_cast<uint8_t>(small(random) + 128);
    else if (type == Halide::Int(8))
      static_cast<int8_t *>(data)[i] = static_cast<int8_t>(small(random));
    else if (type == Halide::Int(32))
      static_cast<int32_t *>(data)[i] = small(random) * 100;
    else if (type == Halide::Int(16))
      static_cast<int16_t *>(data)[i] = static_cast<int16_t>(small(random));
  }
  return buffer;
}

/// Kernel `k`'s pipeline under `signature`'s schedule, its inputs bound to
/// `inputs`, compiled for `target`.
struct JitKernel {
  KernelFuncs funcs;
  Halide::Pipeline pipeline;
  std::vector<Halide::Buffer<>> outputs;
};

JitKernel jitKernel(const ModelBuild &build, size_t k, const KernelSignature &signature,
                    const std::vector<Halide::Buffer<>> &inputs, const Halide::Target &target) {
  const KernelPlan &plan = build.calls[build.kernels[k].firstCall];
  JitKernel kernel;
  kernel.funcs = defineKernel(plan, build.target.backend->productWidth());
  build.target.backend->applySchedule(kernel.funcs, signature, target);
  for (size_t i = 0; i < inputs.size(); ++i)
    kernel.funcs.params[i].set(inputs[i]);
  kernel.pipeline = kernel.funcs.imageFilter
                        ? Halide::Pipeline({kernel.funcs.output, *kernel.funcs.imageFilter})
                        : Halide::Pipeline(kernel.funcs.output);
  kernel.pipeline.compile_jit(target);
  auto extents = halideExtents(TensorRole::activation, plan.shapeOf(plan.kernelResult()));
  kernel.outputs.push_back(Halide::Buffer<>(kernel.funcs.output.type(),
                                            std::vector<int>(extents.begin(), extents.end())));
  if (kernel.funcs.imageFilter)
    kernel.outputs.push_back(Halide::Buffer<>(
        kernel.funcs.imageFilter->type(),
        std::vector<int>(plan.imageFilterExtents.begin(), plan.imageFilterExtents.end())));
  return kernel;
}

/// Every thread reading its share of a buffer: the state a model's kernels
/// leave the caches in, where each runs on all threads.
class ParallelReader {
public:
  explicit ParallelReader(const Halide::Target &target) {
    Halide::Var task("task");
    Halide::RDom line(0, linesPerTask);
    Halide::Expr index =
        Halide::min(task * linesPerTask + line, memory.dim(0).extent() / kIntsPerLine - 1);
    Halide::Func read("read_in_parallel");
    read(task) = Halide::sum(memory(index * kIntsPerLine));
    read.parallel(task);
    read.compile_jit(target);
    func = read;
  }

  /// The threads read the first `bytes` of `words` (at most all), a cache
  /// line at a time, each taking slices as it comes free.
  void operator()(const Halide::Buffer<int32_t> &words, int64_t bytes) {
    int64_t lines = std::min<int64_t>(bytes, words.size_in_bytes()) / kLineBytes;
    if (lines <= 0)
      return;
    memory.set(words);
    linesPerTask.set(static_cast<int>((lines + kTasks - 1) / kTasks));
    Halide::Buffer<int32_t> sums(kTasks);
    func.realize(sums);
  }

private:
  static constexpr int64_t kLineBytes = 64;
  static constexpr int kIntsPerLine = kLineBytes / sizeof(int32_t);
  static constexpr int kTasks = 64;
  Halide::ImageParam memory{Halide::Int(32), 1, "memory"};
  Halide::Param<int> linesPerTask{"lines_per_task"};
  Halide::Func func;
};

/// A buffer of `bytes` in real memory (written: untouched pages would all
/// be the one zero page, and take no cache lines).
Halide::Buffer<int32_t> trafficBuffer(int64_t bytes) {
  Halide::Buffer<int32_t> words(static_cast<int>(std::max<int64_t>(bytes / sizeof(int32_t), 1)));
  words.fill(1);
  return words;
}

/// `buffer`'s memory seen as 32-bit words.
Halide::Buffer<int32_t> wordsOf(const Halide::Buffer<> &buffer) {
  return Halide::Buffer<int32_t>(static_cast<int32_t *>(const_cast<void *>(buffer.data())),
                                 static_cast<int>(buffer.size_in_bytes() / sizeof(int32_t)));
}

/// Before each timed run, the state a kernel finds inside the model:
/// - the data the rest of a model run reads between two of its calls read by
///   every thread (`otherBytes` of a buffer of the model's traffic). The
///   kernel's weights are then where the model leaves them: in the last-level
///   cache of a model that fits it, and in no core's L1 or L2; in memory
///   otherwise. Flushing the weights from every cache (`clflush`), as the
///   timer did, was right on the AVX2 EPYC, whose cache MobileNetV2 did not
///   fit, and wrong on the Zen 5's 32 MB L3: there its kernels alone summed
///   to 2.06 ms against 1.54 ms inside the model (its classifier 2.6×, its
///   5 MB of weights read from memory).
/// - its activation inputs read by every thread, each a share, as the
///   kernel before leaves the input it has just written.
/// - the threads awake, as the kernel before leaves them: the reads have
///   just used them. Timed after a pause (the weights' flush) instead, a
///   parallel kernel also paid for waking them: b0's SE gates measured
///   1.6-2× their in-model time alone, and the tuner chose serial schedules
///   that were slower in the model.
class ModelCacheState {
public:
  ModelCacheState(const KernelPlan &plan, const std::vector<Halide::Buffer<>> &inputs,
                  const Halide::Buffer<int32_t> &traffic, int64_t otherBytes, ParallelReader &read)
      : traffic(traffic), otherBytes(otherBytes), read(read) {
    for (size_t i = 0; i < plan.inputs.size(); ++i)
      if (plan.inputs[i].role == TensorRole::activation)
        activations.push_back(inputs[i]);
  }

  void recreate() {
    read(traffic, otherBytes);
    for (const Halide::Buffer<> &buffer : activations)
      read(wordsOf(buffer), static_cast<int64_t>(buffer.size_in_bytes()));
  }

private:
  const Halide::Buffer<int32_t> &traffic;
  int64_t otherBytes;
  ParallelReader &read;
  std::vector<Halide::Buffer<>> activations;
};

void run(JitKernel &kernel) {
  std::vector<Halide::Buffer<>> outputs = kernel.outputs;
  kernel.pipeline.realize(Halide::Realization(outputs));
  // On a GPU, realize only queues the kernel: the run ends when the device
  // has finished it (a no-op for buffers in host memory).
  for (Halide::Buffer<> &output : outputs)
    output.device_sync();
}

/// The kernel's outputs, where the host can read them (copied back from a
/// GPU; a no-op on a CPU).
const std::vector<Halide::Buffer<>> &hostOutputs(JitKernel &kernel) {
  for (Halide::Buffer<> &output : kernel.outputs)
    output.copy_to_host();
  return kernel.outputs;
}

/// Whether `got` equals `expected`: exactly for integers, within 1e-4 of the
/// largest value for floats (a schedule may sum in another order).
bool sameResult(const Halide::Buffer<> &got, const Halide::Buffer<> &expected) {
  size_t count = got.number_of_elements();
  if (count != expected.number_of_elements() || got.type() != expected.type())
    return false;
  if (got.type() != Halide::Float(32))
    return std::equal(static_cast<const uint8_t *>(got.data()),
                      static_cast<const uint8_t *>(got.data()) + got.size_in_bytes(),
                      static_cast<const uint8_t *>(expected.data()));
  const float *a = static_cast<const float *>(got.data());
  const float *b = static_cast<const float *>(expected.data());
  float scale = 0, worst = 0;
  for (size_t i = 0; i < count; ++i) {
    scale = std::max(scale, std::abs(b[i]));
    worst = std::max(worst, std::abs(a[i] - b[i]));
    if (std::isnan(a[i]) != std::isnan(b[i]))
      return false;
  }
  return worst <= 1e-4f * std::max(scale, 1e-30f);
}

/// Beyond twice the last-level cache, more traffic leaves the caches as they
/// are (0: no cache size known, no limit).
int64_t trafficLimit() {
  long lastLevel = 0;
#ifdef _SC_LEVEL3_CACHE_SIZE
  lastLevel = std::max(sysconf(_SC_LEVEL3_CACHE_SIZE), sysconf(_SC_LEVEL2_CACHE_SIZE));
#endif
  return lastLevel > 0 ? 2 * static_cast<int64_t>(lastLevel) : 0;
}

/// Per distinct kernel of `build`, the bytes one model run reads besides one
/// call of it: every weight once, and the arena, less the kernel's own
/// weights and inputs; at most trafficLimit().
std::vector<int64_t> modelTraffic(const ModelBuild &build) {
  // A call's arguments are its kernel signature's, in the same order.
  int64_t modelBytes = build.arenaBytes;
  llvm::DenseSet<mlir::Value> counted;
  for (size_t c = 0; c < build.calls.size(); ++c) {
    const std::vector<SignatureArg> &args = build.kernels[build.kernelOfCall[c]].signature.args;
    for (size_t a = 0; a < args.size(); ++a)
      if (args[a].kind == KernelArg::Kind::weight &&
          counted.insert(build.calls[c].inputs[a].value).second)
        modelBytes += args[a].tensor.bytes();
  }
  int64_t limit = trafficLimit();
  std::vector<int64_t> other;
  for (const DistinctKernel &kernel : build.kernels) {
    int64_t bytes = modelBytes;
    for (const SignatureArg &arg : kernel.signature.args)
      bytes -= arg.tensor.bytes();
    bytes = std::max<int64_t>(bytes, 0);
    other.push_back(limit > 0 ? std::min(bytes, limit) : bytes);
  }
  return other;
}

/// Seeded inputs of kernel `k`'s static shapes, the model's input stored as a
/// library takes it by default, NCHW: (c, x, y, n) stored x innermost, then
/// y, c, n.
std::vector<Halide::Buffer<>> kernelInputs(const KernelPlan &plan) {
  std::vector<Halide::Buffer<>> inputs;
  for (size_t i = 0; i < plan.inputs.size(); ++i) {
    const KernelArg &arg = plan.inputs[i];
    auto type = llvm::cast<mlir::RankedTensorType>(arg.value.getType()).getElementType();
    std::vector<int> storageOrder;
    if (arg.kind == KernelArg::Kind::modelInput && plan.shapeOf(arg.value).size() == 4)
      storageOrder = {1, 2, 0, 3};
    inputs.push_back(filledBuffer(halideType(*elementTypeOf(type)),
                                  halideExtents(arg.role, plan.shapeOf(arg.value)), storageOrder,
                                  1000 + i));
  }
  return inputs;
}

} // namespace

struct ModelKernelTimer::Impl {
  ModelBuild build;
  std::vector<size_t> calls;
  std::vector<ScheduleSpace> spaces;
  /// Each kernel under its default schedule, compiled the first time the
  /// kernel is timed, then kept: every later candidate's output is compared
  /// with its outputs, and the candidate timed in turns with it.
  struct Reference {
    std::vector<Halide::Buffer<>> inputs; // the candidates' too
    JitKernel kernel;
    std::vector<Halide::Buffer<>> outputs;
  };
  std::map<size_t, Reference> references;
  /// Per kernel, the bytes the rest of the model reads between two of its
  /// calls (modelTraffic).
  std::vector<int64_t> otherBytes;
  /// Compiled for this machine and made at the first timing, then kept for
  /// every candidate.
  std::optional<ParallelReader> read;
  Halide::Buffer<int32_t> traffic; // the largest of otherBytes
};

ModelKernelTimer::ModelKernelTimer(std::unique_ptr<Impl> impl) : impl(std::move(impl)) {}
ModelKernelTimer::~ModelKernelTimer() = default;

llvm::Expected<std::unique_ptr<ModelKernelTimer>>
ModelKernelTimer::plan(mlir::func::FuncOp model, llvm::StringRef target, bool measuredHere) {
  auto impl = std::make_unique<Impl>();
  if (llvm::Error error = planBuild(impl->build, model, target, nullptr))
    return std::move(error);
  const TargetSelection &selection = impl->build.target;
  if (std::string why = measuredHere ? whyNotNativeHere(selection) : ""; !why.empty())
    return llvm::createStringError(
        std::errc::invalid_argument,
        "target %s does not run natively here (%s): tuning measures real times, never "
        "emulated ones (tune on the device itself, or from here with --launcher PREFIX, a "
        "command prefix that reaches it: ssh board)",
        selection.requested.c_str(), why.c_str());
  impl->calls.assign(impl->build.kernels.size(), 0);
  for (size_t kernel : impl->build.kernelOfCall)
    ++impl->calls[kernel];
  for (const DistinctKernel &kernel : impl->build.kernels)
    impl->spaces.push_back(
        selection.backend->scheduleSpace(kernel.signature, selection.halideTarget));
  impl->otherBytes = modelTraffic(impl->build);
  return std::unique_ptr<ModelKernelTimer>(new ModelKernelTimer(std::move(impl)));
}

size_t ModelKernelTimer::kernels() const { return impl->build.kernels.size(); }
size_t ModelKernelTimer::calls(size_t k) const { return impl->calls[k]; }
const KernelSignature &ModelKernelTimer::signature(size_t k) const {
  return impl->build.kernels[k].signature;
}
const ScheduleSpace &ModelKernelTimer::space(size_t k) const { return impl->spaces[k]; }
const TargetSelection &ModelKernelTimer::target() const { return impl->build.target; }

KernelTiming ModelKernelTimer::time(size_t k, const ScheduleParams &schedule, int runs) {
  KernelTiming timing;
  const ModelBuild &build = impl->build;
  Halide::Target target = kernelTarget(build.target);
  const KernelPlan &plan = build.calls[build.kernels[k].firstCall];
  KernelSignature candidate = build.kernels[k].signature;
  candidate.schedule = schedule;
  try {
    auto known = impl->references.find(k);
    if (known == impl->references.end()) {
      Impl::Reference reference;
      reference.inputs = kernelInputs(plan);
      reference.kernel = jitKernel(build, k, build.kernels[k].signature, reference.inputs, target);
      run(reference.kernel);
      for (const Halide::Buffer<> &output : hostOutputs(reference.kernel))
        reference.outputs.push_back(output.copy());
      known = impl->references.emplace(k, std::move(reference)).first;
    }
    Impl::Reference &reference = known->second;
    JitKernel tried = jitKernel(build, k, candidate, reference.inputs, target);
    run(tried);
    const std::vector<Halide::Buffer<>> &got = hostOutputs(tried);
    for (size_t o = 0; o < got.size(); ++o)
      if (!sameResult(got[o], reference.outputs[o])) {
        timing.status = KernelTiming::Status::wrongResult;
        timing.message = "its output differs from the default schedule's";
        return timing;
      }
    // A GPU's caches are not the CPU's: its kernels run as they come, the
    // weights where the last run left them.
    bool onGpu = target.has_gpu_feature();
    if (!impl->read && !onGpu) {
      impl->read.emplace(target);
      impl->traffic =
          trafficBuffer(*std::max_element(impl->otherBytes.begin(), impl->otherBytes.end()));
    }
    std::optional<ModelCacheState> caches;
    if (!onGpu)
      caches.emplace(plan, reference.inputs, impl->traffic, impl->otherBytes[k], *impl->read);
    auto timed = [&](JitKernel &kernel) {
      if (caches)
        caches->recreate();
      auto start = std::chrono::steady_clock::now();
      run(kernel);
      return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
          .count();
    };
    // The default schedule itself is its own reference; any other is timed
    // in turns with it, which goes first alternating.
    bool sideBySide = schedule != build.kernels[k].signature.schedule;
    for (int warmup = 0; warmup < 3; ++warmup) {
      run(tried);
      if (sideBySide)
        run(reference.kernel);
    }
    std::vector<double> micros, ratios;
    for (int r = 0; r < runs; ++r) {
      if (!sideBySide) {
        micros.push_back(timed(tried));
        continue;
      }
      double mine, theirs;
      if (r % 2 == 0) {
        theirs = timed(reference.kernel);
        mine = timed(tried);
      } else {
        mine = timed(tried);
        theirs = timed(reference.kernel);
      }
      micros.push_back(mine);
      ratios.push_back(mine / theirs);
    }
    // A GPU's outputs are left on the device: back on the host, so that no
    // buffer is destroyed (or compared) with its device copy newer.
    hostOutputs(tried);
    hostOutputs(reference.kernel);
    timing.runs = runs;
    timing.minMicros = *std::min_element(micros.begin(), micros.end());
    timing.maxMicros = *std::max_element(micros.begin(), micros.end());
    timing.medianMicros = medianOf(micros);
    timing.vsDefault = sideBySide ? medianOf(ratios) : 1.0;
  } catch (const Halide::Error &error) {
    timing.status = KernelTiming::Status::compileError;
    timing.message = error.what();
  }
  return timing;
}

} // namespace cnnc
