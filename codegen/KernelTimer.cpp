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

/// Before each timed run, the state a kernel finds inside the model: its
/// weights cold (last read a whole model run ago: a kernel timed alone would
/// find them in the caches, and rank schedules by the wrong cost), its
/// activation inputs warm (the previous kernel has just written them), the
/// threads awake (the previous kernel has just used them). The weights'
/// cache lines are flushed, then the activations read, then the threads
/// woken.
class ModelCacheState {
public:
  ModelCacheState(const KernelPlan &plan, const std::vector<Halide::Buffer<>> &inputs,
                  ThreadPoolWaker &wakeThreads)
      : wakeThreads(wakeThreads) {
    for (size_t i = 0; i < plan.inputs.size(); ++i)
      (plan.inputs[i].role == TensorRole::activation ? activations : weights).push_back(inputs[i]);
  }

  void recreate() {
    for (const Halide::Buffer<> &buffer : weights) {
      const char *bytes = static_cast<const char *>(buffer.data());
      for (size_t i = 0; i < buffer.size_in_bytes(); i += 64)
        flushLine(bytes + i);
    }
    fence();
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
  // Kernels are timed on the machine that runs them (ModelKernelTimer::plan
  // refuses others), so the host's own instructions do.
  static void flushLine(const char *line) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_clflush(line);
#elif defined(__aarch64__)
    asm volatile("dc civac, %0" : : "r"(line) : "memory");
#else
    (void)line; // no user-level flush: the weights stay warm, as timed alone
#endif
  }
  static void fence() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_mfence();
#elif defined(__aarch64__)
    asm volatile("dsb ish" : : : "memory");
#endif
  }

  std::vector<Halide::Buffer<>> activations, weights;
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

} // namespace

struct ModelKernelTimer::Impl {
  ModelBuild build;
  std::vector<size_t> calls;
  std::vector<ScheduleSpace> spaces;
  /// Each kernel's outputs under its default schedule, once computed: what
  /// every later candidate of it is compared with.
  std::map<size_t, std::vector<Halide::Buffer<>>> referenceOutputs;
  /// Compiled for this machine at the first timing, then kept for every
  /// candidate.
  std::optional<ThreadPoolWaker> wakeThreads;
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
  std::vector<Halide::Buffer<>> inputs;
  for (size_t i = 0; i < plan.inputs.size(); ++i) {
    const KernelArg &arg = plan.inputs[i];
    auto type = llvm::cast<mlir::RankedTensorType>(arg.value.getType()).getElementType();
    // The model's input in the layout a library takes by default, NCHW:
    // (c, x, y, n) stored x innermost, then y, c, n.
    std::vector<int> storageOrder;
    if (arg.kind == KernelArg::Kind::modelInput && plan.shapeOf(arg.value).size() == 4)
      storageOrder = {1, 2, 0, 3};
    inputs.push_back(filledBuffer(halideType(*elementTypeOf(type)),
                                  halideExtents(arg.role, plan.shapeOf(arg.value)), storageOrder,
                                  1000 + i));
  }
  KernelSignature candidate = build.kernels[k].signature;
  KernelSignature reference = candidate;
  candidate.schedule = schedule;
  try {
    auto known = impl->referenceOutputs.find(k);
    if (known == impl->referenceOutputs.end()) {
      JitKernel expected = jitKernel(build, k, reference, inputs, target);
      run(expected);
      known = impl->referenceOutputs.emplace(k, expected.outputs).first;
    }
    const std::vector<Halide::Buffer<>> &expected = known->second;
    JitKernel tried = jitKernel(build, k, candidate, inputs, target);
    run(tried);
    for (size_t o = 0; o < tried.outputs.size(); ++o)
      if (!sameResult(tried.outputs[o], expected[o])) {
        timing.status = KernelTiming::Status::wrongResult;
        timing.message = "its output differs from the default schedule's";
        return timing;
      }
    if (!impl->wakeThreads)
      impl->wakeThreads.emplace(target);
    ModelCacheState caches(plan, inputs, *impl->wakeThreads);
    for (int warmup = 0; warmup < 3; ++warmup)
      run(tried);
    std::vector<double> micros;
    for (int r = 0; r < runs; ++r) {
      caches.recreate();
      auto start = std::chrono::steady_clock::now();
      run(tried);
      micros.push_back(
          std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
              .count());
    }
    std::sort(micros.begin(), micros.end());
    timing.runs = runs;
    timing.minMicros = micros.front();
    timing.maxMicros = micros.back();
    timing.medianMicros = micros[micros.size() / 2];
  } catch (const Halide::Error &error) {
    timing.status = KernelTiming::Status::compileError;
    timing.message = error.what();
  }
  return timing;
}

} // namespace cnnc
