//===- KernelTimer.cpp - one kernel under one schedule, timed here --------===//
#include "codegen/KernelTimer.h"
#include "codegen/HalideKernel.h"
#include "codegen/Layout.h"
#include "codegen/ModelBuild.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <optional>
#include <random>
#include <unistd.h>

#include "llvm/ADT/DenseSet.h"

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

/// A parallel loop of a few busy tasks per thread: run just before a timed
/// kernel, it leaves Halide's worker threads awake, as the kernel before it
/// leaves them inside the model. Timed after a pause (the weights' flush)
/// instead, a parallel kernel also paid for waking them: b0's SE gates
/// measured 1.6-2× their in-model time alone, and the tuner chose serial
/// schedules that were slower in the model.
class ThreadPoolWaker {
public:
  explicit ThreadPoolWaker(const Halide::Target &target) {
    Halide::Var task("task");
    Halide::RDom spin(0, kSpinsPerTask);
    Halide::Func busy("wake_threads");
    busy(task) = Halide::sum(Halide::cast<float>(task + spin) * 0.5f);
    busy.parallel(task);
    busy.compile_jit(target);
    wake = busy;
  }

  void operator()() {
    Halide::Buffer<float> tasks(kTasks);
    wake.realize(tasks);
  }

private:
  static constexpr int kSpinsPerTask = 2000;
  static constexpr int kTasks = 16;
  Halide::Func wake;
};

/// The data the rest of a model run reads between two calls of a kernel,
/// read by every thread: a parallel sweep over a buffer of that size. It
/// leaves a kernel's weights where the model leaves them. Inside a model
/// whose weights and arena fit the last-level cache, the kernel finds its
/// weights there, and in no core's L1 or L2; inside a larger model it finds
/// them in memory. Flushing the weights from every cache (`clflush`), as the
/// timer did, was right on the AVX2 EPYC, whose cache MobileNetV2 did not
/// fit, and wrong on the Zen 5's 32 MB L3: there its kernels alone summed to
/// 2.06 ms against 1.54 ms inside the model (its classifier 2.6×, reading
/// 5 MB of weights from memory), and the search ranked schedules by a cost
/// the model does not pay.
class ModelTrafficSweep {
public:
  /// Able to sweep up to `bytes`.
  ModelTrafficSweep(const Halide::Target &target, int64_t bytes)
      : data(static_cast<int>(std::max<int64_t>(bytes / kLineBytes, 1)) * kIntsPerLine) {
    data.fill(1); // written, so that its pages are real memory and take cache lines
    Halide::Var task("task");
    Halide::RDom line(0, linesPerTask);
    Halide::Expr index =
        Halide::min(task * linesPerTask + line, data.dim(0).extent() / kIntsPerLine - 1);
    Halide::Func sweep("sweep_model_traffic");
    sweep(task) = Halide::sum(data(index * kIntsPerLine));
    sweep.parallel(task);
    sweep.compile_jit(target);
    func = sweep;
  }

  /// Reads `bytes` of the buffer (at most its size), a cache line at a time.
  void operator()(int64_t bytes) {
    int64_t lines = std::min<int64_t>(bytes / kLineBytes, data.dim(0).extent() / kIntsPerLine);
    if (lines <= 0)
      return;
    linesPerTask.set(static_cast<int>((lines + kTasks - 1) / kTasks));
    Halide::Buffer<int32_t> sums(kTasks);
    func.realize(sums);
  }

private:
  static constexpr int64_t kLineBytes = 64;
  static constexpr int kIntsPerLine = kLineBytes / sizeof(int32_t);
  static constexpr int kTasks = 64;
  Halide::Buffer<int32_t> data;
  Halide::Param<int> linesPerTask{"lines_per_task"};
  Halide::Func func;
};

/// Before each timed run, the state a kernel finds inside the model: the
/// rest of the model's data read since its last call (ModelTrafficSweep),
/// its activation inputs warm (the previous kernel has just written them),
/// the threads awake (the previous kernel has just used them).
class ModelCacheState {
public:
  ModelCacheState(const KernelPlan &plan, const std::vector<Halide::Buffer<>> &inputs,
                  int64_t otherBytes, ModelTrafficSweep &sweep, ThreadPoolWaker &wakeThreads)
      : otherBytes(otherBytes), sweep(sweep), wakeThreads(wakeThreads) {
    for (size_t i = 0; i < plan.inputs.size(); ++i)
      if (plan.inputs[i].role == TensorRole::activation)
        activations.push_back(inputs[i]);
  }

  void recreate() {
    sweep(otherBytes);
    uint8_t sum = 0;
    for (const Halide::Buffer<> &buffer : activations) {
      const uint8_t *bytes = static_cast<const uint8_t *>(buffer.data());
      for (size_t i = 0; i < buffer.size_in_bytes(); i += 64)
        sum ^= bytes[i];
    }
    sink = sum;
    wakeThreads();
  }

private:
  std::vector<Halide::Buffer<>> activations;
  int64_t otherBytes;
  ModelTrafficSweep &sweep;
  ThreadPoolWaker &wakeThreads;
  volatile uint8_t sink = 0;
};

void run(JitKernel &kernel) {
  std::vector<Halide::Buffer<>> outputs = kernel.outputs;
  kernel.pipeline.realize(Halide::Realization(outputs));
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

/// The bytes of `arg` as kernel `plan` reads it.
int64_t argumentBytes(const KernelPlan &plan, const KernelArg &arg) {
  auto type = llvm::cast<mlir::RankedTensorType>(arg.value.getType()).getElementType();
  int64_t bytes = halideType(*elementTypeOf(type)).bytes();
  for (int64_t extent : plan.shapeOf(arg.value))
    bytes *= extent;
  return bytes;
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
  int64_t modelBytes = build.arenaBytes;
  llvm::DenseSet<mlir::Value> counted;
  for (const KernelPlan &call : build.calls)
    for (const KernelArg &arg : call.inputs)
      if (arg.kind == KernelArg::Kind::weight && counted.insert(arg.value).second)
        modelBytes += argumentBytes(call, arg);
  int64_t limit = trafficLimit();
  std::vector<int64_t> other;
  for (const DistinctKernel &kernel : build.kernels) {
    const KernelPlan &call = build.calls[kernel.firstCall];
    int64_t bytes = modelBytes;
    for (const KernelArg &arg : call.inputs)
      bytes -= argumentBytes(call, arg);
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

double medianOf(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
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
  /// Compiled for this machine at the first timing, then kept for every
  /// candidate.
  std::optional<ThreadPoolWaker> wakeThreads;
  std::optional<ModelTrafficSweep> sweep;
};

ModelKernelTimer::ModelKernelTimer(std::unique_ptr<Impl> impl) : impl(std::move(impl)) {}
ModelKernelTimer::~ModelKernelTimer() = default;

llvm::Expected<std::unique_ptr<ModelKernelTimer>> ModelKernelTimer::plan(mlir::func::FuncOp model,
                                                                         llvm::StringRef target) {
  auto impl = std::make_unique<Impl>();
  if (llvm::Error error = planBuild(impl->build, model, target, nullptr))
    return std::move(error);
  const TargetSelection &selection = impl->build.target;
  Launcher launcher = selection.backend->launcher(selection.halideTarget);
  if (!launcher.inProcess || !launcher.unavailable.empty() || !launcher.timingNote.empty() ||
      selection.backend->name() == "gpu")
    return llvm::createStringError(
        std::errc::invalid_argument,
        "target %s does not run natively on this machine's CPU: tuning measures real times, "
        "never emulated ones (tune on the device itself)",
        selection.requested.c_str());
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
      for (const Halide::Buffer<> &output : reference.kernel.outputs)
        reference.outputs.push_back(output.copy());
      known = impl->references.emplace(k, std::move(reference)).first;
    }
    Impl::Reference &reference = known->second;
    JitKernel tried = jitKernel(build, k, candidate, reference.inputs, target);
    run(tried);
    for (size_t o = 0; o < tried.outputs.size(); ++o)
      if (!sameResult(tried.outputs[o], reference.outputs[o])) {
        timing.status = KernelTiming::Status::wrongResult;
        timing.message = "its output differs from the default schedule's";
        return timing;
      }
    if (!impl->wakeThreads) {
      impl->wakeThreads.emplace(target);
      impl->sweep.emplace(target,
                          *std::max_element(impl->otherBytes.begin(), impl->otherBytes.end()));
    }
    ModelCacheState caches(plan, reference.inputs, impl->otherBytes[k], *impl->sweep,
                           *impl->wakeThreads);
    auto timed = [&](JitKernel &kernel) {
      caches.recreate();
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
