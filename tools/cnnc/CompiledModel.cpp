//===- CompiledModel.cpp - a compiled model, opened for cnnc run/bench ----===//
#include "CompiledModel.h"
#include "ChildCommand.h"
#include "passes/InputNormalization.h"
#include "support/BoundedInput.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <dlfcn.h>
#include <limits>
#include <map>
#include <random>

namespace cnnc {
namespace {

constexpr const char *kManifest = "cnnc-model.json";
constexpr const char *kRunner = "cnnc-runner";
/// cnnc writes manifests of a few hundred bytes.
constexpr uint64_t kMaxManifestBytes = 1 << 20;

llvm::Error fail(const llvm::Twine &message) {
  return llvm::createStringError(std::errc::invalid_argument, "%s", message.str().c_str());
}

std::string join(llvm::StringRef dir, llvm::StringRef file) {
  llvm::SmallString<256> path(dir);
  llvm::sys::path::append(path, file);
  return path.str().str();
}

const char *layoutName(cnnc_layout layout) { return layout == CNNC_LAYOUT_NHWC ? "nhwc" : "nchw"; }

} // namespace

llvm::Expected<ModelManifest> ModelManifest::read(llvm::StringRef dir) {
  std::string path = join(dir, kManifest);
  if (!llvm::sys::fs::exists(path))
    return fail(dir + " holds no compiled model (no " + kManifest + "): run cnnc compile first");
  auto text = readBoundedFile(path, kMaxManifestBytes, "a manifest", /*isText=*/true);
  if (!text)
    return fail(path + ": cannot read: " + llvm::toString(text.takeError()));
  return parse((*text)->getBuffer(), path);
}

llvm::Expected<ModelManifest> ModelManifest::parse(llvm::StringRef text, llvm::StringRef path) {
  ModelManifest m;
  m.path = path.str();
  if (std::optional<size_t> at = jsonTooDeep(text, 2))
    return fail(m.path + ": nests deeper than a manifest does (at byte " + llvm::Twine(*at) + ")");
  llvm::Expected<llvm::json::Value> json = llvm::json::parse(text);
  if (!json)
    return fail(m.path + ": " + llvm::toString(json.takeError()));
  const llvm::json::Object *object = json->getAsObject();
  auto string = [&](llvm::StringRef key) {
    auto value = object ? object->getString(key) : std::nullopt;
    return value ? value->str() : std::string();
  };
  auto shape = [&](llvm::StringRef key, llvm::MutableArrayRef<int64_t> out) {
    const llvm::json::Array *array = object ? object->getArray(key) : nullptr;
    if (!array || array->size() != out.size())
      return false;
    for (size_t i = 0; i < out.size(); ++i) {
      std::optional<int64_t> extent = jsonInteger((*array)[i]);
      if (!extent || *extent < 1 || *extent > std::numeric_limits<int32_t>::max())
        return false;
      out[i] = *extent;
    }
    return true;
  };
  m.name = string("name");
  m.identifier = string("identifier");
  m.target = string("target");
  m.halideTarget = string("halide_target");
  m.library = string("library");
  m.weights = string("weights");
  if (m.identifier.empty() || m.library.empty() || m.weights.empty() || m.halideTarget.empty() ||
      !shape("input_shape", m.inputShape) || !shape("output_shape", m.outputShape))
    return fail(m.path + " lacks the identifier, library, weights, halide_target or shapes of "
                         "a model: compile it again with this cnnc");
  // Files of the model directory, by plain names: a manifest cannot point elsewhere.
  for (const std::string *file : {&m.library, &m.weights})
    if (llvm::sys::path::filename(*file) != *file)
      return fail(m.path + ": '" + *file + "' is not a file name in the model directory");
  auto bytes = [&](llvm::StringRef key) {
    const llvm::json::Value *value = object->get(key);
    return static_cast<size_t>(std::max<int64_t>(0, value ? jsonInteger(*value).value_or(0) : 0));
  };
  // Optional: a model whose spec gave no normalization has none.
  auto numbers = [&](llvm::StringRef key, std::vector<double> &out, bool positive) {
    const llvm::json::Array *array = object->getArray(key);
    if (!array)
      return !object->get(key);
    if (array->size() != static_cast<size_t>(m.inputShape[1]))
      return false;
    for (const llvm::json::Value &value : *array) {
      std::optional<double> number = value.getAsNumber();
      if (!number || !std::isfinite(*number) || (positive && !(*number > 0)))
        return false;
      out.push_back(*number);
    }
    return true;
  };
  if (!numbers("input_mean", m.inputMean, false) || !numbers("input_std", m.inputStd, true) ||
      m.inputMean.size() != m.inputStd.size())
    return fail(m.path + ": input_mean and input_std must be lists of one finite number per "
                         "input channel (std positive), both or neither");
  m.arenaBytes = bytes("arena_bytes");
  m.weightsBytes = bytes("weights_bytes");
  return m;
}

namespace {

/// The shared library loaded into this process, called through its C API.
class InProcessModel final : public CompiledModel {
public:
  static llvm::Expected<std::unique_ptr<CompiledModel>>
  open(llvm::StringRef dir, const ModelManifest &manifest, const cnnc_options &options) {
    std::unique_ptr<InProcessModel> m(new InProcessModel());
    std::string libraryPath = join(dir, manifest.library);
    m->library = dlopen(libraryPath.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!m->library)
      return fail(llvm::Twine("cannot load ") + libraryPath + ": " + dlerror());
    using CreateFn = cnnc_status (*)(const char *, const cnnc_options *, cnnc_model **);
    auto create = reinterpret_cast<CreateFn>(
        dlsym(m->library, ("cnnc_" + manifest.identifier + "_create_from_file").c_str()));
    auto info =
        reinterpret_cast<cnnc_model_info (*)(const cnnc_model *)>(dlsym(m->library, "cnnc_info"));
    m->runFn = reinterpret_cast<decltype(runFn)>(dlsym(m->library, "cnnc_run"));
    m->destroyFn = reinterpret_cast<decltype(destroyFn)>(dlsym(m->library, "cnnc_destroy"));
    if (!create || !info || !m->runFn || !m->destroyFn)
      return fail(libraryPath + " lacks the cnnc entry points of model '" + manifest.identifier +
                  "'");
    cnnc_status status = create(join(dir, manifest.weights).c_str(), &options, &m->model);
    if (status.code != CNNC_OK)
      return fail(status.message);
    m->modelInfo = info(m->model);
    m->runTimedFn = reinterpret_cast<decltype(runTimedFn)>(dlsym(m->library, "cnnc_run_timed"));
    m->callNameFn = reinterpret_cast<decltype(callNameFn)>(dlsym(m->library, "cnnc_call_name"));
    m->callKernelFn =
        reinterpret_cast<decltype(callKernelFn)>(dlsym(m->library, "cnnc_call_kernel"));
    m->numCallsFn = reinterpret_cast<decltype(numCallsFn)>(dlsym(m->library, "cnnc_num_calls"));
    return std::unique_ptr<CompiledModel>(std::move(m));
  }

  ~InProcessModel() override {
    if (model)
      destroyFn(model);
    if (library)
      dlclose(library);
  }

  llvm::Error run(const float *input, size_t inputCount, float *output,
                  size_t outputCount) override {
    cnnc_status status = runFn(model, input, inputCount, output, outputCount);
    if (status.code != CNNC_OK)
      return fail(status.message);
    return llvm::Error::success();
  }

  bool inProcess() const override { return true; }

  llvm::Expected<std::vector<KernelTime>> kernelCalls() const override {
    if (!timesCalls())
      return olderLibrary();
    std::vector<KernelTime> calls(numCallsFn(model));
    for (size_t c = 0; c < calls.size(); ++c) {
      calls[c].kernel = callKernelFn(model, static_cast<int>(c));
      calls[c].label = callNameFn(model, static_cast<int>(c));
      calls[c].calls = 1;
    }
    return calls;
  }

  llvm::Expected<std::vector<double>> runTimingCalls(const float *input, size_t inputCount,
                                                     float *output, size_t outputCount) override {
    if (!timesCalls())
      return olderLibrary();
    std::vector<double> callMicros(numCallsFn(model));
    cnnc_status status = runTimedFn(model, input, inputCount, output, outputCount,
                                    callMicros.data(), callMicros.size());
    if (status.code != CNNC_OK)
      return fail(status.message);
    return callMicros;
  }

  llvm::Expected<Timings> time(int iterations, int warmup, bool perKernel) override {
    std::vector<KernelTime> calls;
    if (perKernel) {
      llvm::Expected<std::vector<KernelTime>> listed = kernelCalls();
      if (!listed)
        return listed.takeError();
      calls = std::move(*listed);
    }
    std::vector<float> input(modelInfo.input_count), output(modelInfo.output_count);
    std::mt19937 rng(0);
    std::normal_distribution<float> normal;
    for (float &v : input)
      v = normal(rng);
    std::vector<double> ms;
    std::vector<std::vector<double>> runsOfCall(calls.size());
    for (int i = 0; i < warmup + iterations; ++i) {
      auto start = std::chrono::steady_clock::now();
      llvm::Expected<std::vector<double>> callMicros =
          runOnce(input.data(), input.size(), output.data(), output.size(), perKernel);
      if (!callMicros)
        return callMicros.takeError();
      std::chrono::duration<double, std::milli> elapsed = std::chrono::steady_clock::now() - start;
      if (i < warmup)
        continue;
      ms.push_back(elapsed.count());
      for (size_t c = 0; c < callMicros->size(); ++c)
        runsOfCall[c].push_back((*callMicros)[c]);
    }
    return Timings{std::move(ms), std::nullopt, kernelTimes(calls, runsOfCall)};
  }

private:
  InProcessModel() = default;

  bool timesCalls() const { return runTimedFn && callNameFn && callKernelFn && numCallsFn; }
  llvm::Error olderLibrary() const {
    return fail(llvm::Twine("the library of model '") + modelInfo.name +
                "' times no kernel calls (compiled by an older cnnc): compile it again");
  }

  void *library = nullptr;
  cnnc_model *model = nullptr;

  cnnc_status (*runFn)(cnnc_model *, const float *, size_t, float *, size_t) = nullptr;
  cnnc_status (*runTimedFn)(cnnc_model *, const float *, size_t, float *, size_t, double *,
                            size_t) = nullptr;
  const char *(*callNameFn)(const cnnc_model *, int) = nullptr;
  int (*callKernelFn)(const cnnc_model *, int) = nullptr;
  size_t (*numCallsFn)(const cnnc_model *) = nullptr;
  void (*destroyFn)(cnnc_model *) = nullptr;
};

/// The target's runner, started behind a launcher; tensors cross as raw
/// float32 files (so the launcher must see this machine's paths).
class LaunchedModel final : public CompiledModel {
public:
  LaunchedModel(llvm::StringRef dir, const ModelManifest &manifest, const cnnc_options &options,
                Launcher launcher)
      : runner(join(dir, kRunner)), weights(join(dir, manifest.weights)), options(options),
        launcher(std::move(launcher)) {
    modelInfo.name = nameStorage.assign(manifest.name).c_str();
    std::copy(std::begin(manifest.inputShape), std::end(manifest.inputShape),
              modelInfo.input_shape);
    std::copy(std::begin(manifest.outputShape), std::end(manifest.outputShape),
              modelInfo.output_shape);
    modelInfo.input_dtype = modelInfo.output_dtype = CNNC_DTYPE_F32;
    modelInfo.input_count = 1;
    for (int64_t extent : manifest.inputShape)
      modelInfo.input_count *= static_cast<size_t>(extent);
    modelInfo.output_count = static_cast<size_t>(manifest.outputShape[0] * manifest.outputShape[1]);
    modelInfo.arena_bytes = manifest.arenaBytes;
    modelInfo.weights_bytes = manifest.weightsBytes;
  }

  llvm::Error run(const float *input, size_t inputCount, float *output,
                  size_t outputCount) override {
    if (inputCount != modelInfo.input_count || outputCount != modelInfo.output_count)
      return fail(llvm::formatv("model '{0}' takes {1} floats and gives {2}", modelInfo.name,
                                modelInfo.input_count, modelInfo.output_count));
    TempFile in("input"), out("output");
    if (llvm::Error error = in.create())
      return error;
    if (llvm::Error error = out.create())
      return error;
    {
      std::error_code ec;
      llvm::raw_fd_ostream os(in.path, ec);
      if (ec)
        return fail("cannot write " + in.path + ": " + ec.message());
      os.write(reinterpret_cast<const char *>(input), inputCount * sizeof(float));
    }
    llvm::Expected<std::string> printed = launch({"run", in.path, out.path});
    if (!printed)
      return printed.takeError();
    auto result = llvm::MemoryBuffer::getFile(out.path);
    if (!result || (*result)->getBufferSize() != outputCount * sizeof(float))
      return fail(runner + " wrote no complete output to " + out.path);
    std::memcpy(output, (*result)->getBufferStart(), outputCount * sizeof(float));
    return llvm::Error::success();
  }

  bool inProcess() const override { return false; }

  llvm::Expected<Timings> time(int iterations, int warmup, bool perKernel) override {
    if (perKernel)
      return fail(llvm::Twine("per-kernel times are measured for models that run in cnnc's own "
                              "process; model '") +
                  modelInfo.name + "' runs through " + runner);
    std::vector<std::string> counting;
    TempFile log("count");
    if (!launcher.countedUnit.empty()) {
      llvm::Expected<std::string> plugin = countPlugin();
      if (!plugin)
        return plugin.takeError();
      if (llvm::Error error = log.create())
        return std::move(error);
      counting = {"-plugin", *plugin, "-d", "plugin", "-D", log.path};
    }
    llvm::Expected<std::string> printed =
        launch({"bench", std::to_string(iterations), std::to_string(warmup)}, counting);
    if (!printed)
      return printed.takeError();
    Timings timings;
    llvm::SmallVector<llvm::StringRef> lines;
    llvm::StringRef(*printed).split(lines, '\n', -1, /*KeepEmpty=*/false);
    for (llvm::StringRef line : lines) {
      double value;
      if (!line.consume_front("ms ") || line.trim().getAsDouble(value))
        return fail(runner + " printed '" + line + "', not a timing");
      timings.ms.push_back(value);
    }
    if (timings.ms.size() != static_cast<size_t>(iterations))
      return fail(runner + " printed " + llvm::Twine(timings.ms.size()) + " timings, not " +
                  llvm::Twine(iterations));
    if (!counting.empty()) {
      llvm::Expected<ExecutedCount> count = readCounts(log.path, iterations, warmup);
      if (!count)
        return count.takeError();
      timings.perRun = std::move(*count);
    }
    return timings;
  }

private:
  /// A temporary file, removed when done.
  struct TempFile {
    std::string prefix, path;
    explicit TempFile(std::string prefix) : prefix(std::move(prefix)) {}
    llvm::Error create() {
      llvm::SmallString<128> p;
      if (std::error_code ec = llvm::sys::fs::createTemporaryFile("cnnc-" + prefix, "f32", p))
        return fail("cannot create a temporary file: " + ec.message());
      path = p.str().str();
      return llvm::Error::success();
    }
    ~TempFile() {
      if (!path.empty())
        llvm::sys::fs::remove(path);
    }
  };

  /// cnnc's QEMU plugin, built beside cnnc as lib/cnnc-qemu-count.so.
  static llvm::Expected<std::string> countPlugin() {
    llvm::SmallString<256> path(llvm::sys::path::parent_path(
        llvm::sys::path::parent_path(llvm::sys::fs::getMainExecutable(nullptr, nullptr))));
    llvm::sys::path::append(path, "lib", "cnnc-qemu-count.so");
    if (!llvm::sys::fs::exists(path))
      return fail("cannot count instructions: cnnc's QEMU plugin " + path +
                  " is missing (it is built with cnnc: run scripts/build.sh)");
    return path.str().str();
  }

  /// One timed run's counts from the plugin's log: it notes running totals
  /// before and after each run, warm-up runs first (the median run is kept),
  /// and at exit each function's totals (a kernel's, over all runs).
  llvm::Expected<ExecutedCount> readCounts(const std::string &path, int iterations, int warmup) {
    auto text = llvm::MemoryBuffer::getFile(path);
    if (!text)
      return fail("cannot read QEMU's log " + path + ": " + text.getError().message());
    using Pair = std::pair<uint64_t, uint64_t>; // instructions, vector instructions
    auto parse = [&](llvm::StringRef line, Pair &counts) -> llvm::Error {
      auto [all, vector] = line.trim().split(' ');
      if (all.getAsInteger(10, counts.first) || vector.getAsInteger(10, counts.second))
        return fail("QEMU's log " + path + " holds a malformed count: '" + line + "'");
      return llvm::Error::success();
    };
    std::vector<Pair> totals;
    std::map<unsigned, Pair> kernelTotals; // over all runs
    llvm::SmallVector<llvm::StringRef> lines;
    (*text)->getBuffer().split(lines, '\n', -1, /*KeepEmpty=*/false);
    std::string kernelPrefix = modelManifest.identifier + "_k";
    for (llvm::StringRef line : lines) {
      if (line.consume_front("cnnc-symbol ")) {
        auto [symbol, counts] = line.trim().split(' ');
        // A kernel's functions: <identifier>_k<N>, its _argv wrapper, and
        // the closures of its parallel loops (<identifier>_k<N>_par_for_...).
        unsigned index;
        Pair own;
        if (!symbol.consume_front(kernelPrefix) || symbol.consumeInteger(10, index) ||
            !(symbol.empty() || symbol.starts_with("_")))
          continue; // not a kernel (the runtime, libc)
        if (llvm::Error error = parse(counts, own))
          return std::move(error);
        kernelTotals[index].first += own.first;
        kernelTotals[index].second += own.second;
      } else if (line.consume_front("cnnc-count ")) {
        if (llvm::Error error = parse(line, totals.emplace_back()))
          return std::move(error);
      }
    }
    if (totals.size() < 2 * static_cast<size_t>(iterations))
      return fail("the count plugin noted " + llvm::Twine(totals.size()) + " totals in " + path +
                  ", not two per run: was " + runner + " built by this cnnc?");
    std::vector<ExecutedCount> runs;
    for (size_t end = totals.size() - 1; runs.size() < static_cast<size_t>(iterations); end -= 2)
      runs.push_back({totals[end].first - totals[end - 1].first,
                      totals[end].second - totals[end - 1].second, launcher.countedUnit,
                      launcher.countedVectorUnit});
    std::sort(runs.begin(), runs.end(), [](const ExecutedCount &a, const ExecutedCount &b) {
      return a.instructions < b.instructions;
    });
    ExecutedCount median = std::move(runs[runs.size() / 2]);
    auto runCount = static_cast<uint64_t>(warmup + iterations);
    for (auto &[index, total] : kernelTotals)
      median.kernels.push_back(
          {"k" + std::to_string(index), total.first / runCount, total.second / runCount});
    return median;
  }

  /// Runs `launcher... emulatorOptions... runner WEIGHTS <args> LAYOUT
  /// THREADS`; returns what it printed, or an error with what it said on
  /// stderr.
  llvm::Expected<std::string> launch(std::vector<std::string> args,
                                     llvm::ArrayRef<std::string> emulatorOptions = {}) {
    std::vector<std::string> command = launcher.prefix;
    command.insert(command.end(), emulatorOptions.begin(), emulatorOptions.end());
    command.push_back(runner);
    command.push_back(weights);
    command.insert(command.end(), args.begin(), args.end());
    command.push_back(layoutName(options.input_layout));
    command.push_back(std::to_string(options.num_threads));
    return runCaptured(command);
  }

  std::string runner, weights, nameStorage;
  cnnc_options options;
  Launcher launcher;
};

} // namespace

llvm::Error writeManifest(llvm::StringRef dir, mlir::func::FuncOp model,
                          const CompileSummary &summary) {
  std::string name = model.getSymName().str();
  auto shape = [](mlir::Type type) {
    return llvm::json::Array(llvm::cast<mlir::RankedTensorType>(type).getShape());
  };
  llvm::json::Object manifest{{"name", name},
                              {"input_shape", shape(model.getArgument(0).getType())},
                              {"output_shape", shape(model.getResultTypes()[0])},
                              {"identifier", summary.identifier},
                              {"target", summary.target.requested},
                              {"halide_target", summary.target.halideTarget},
                              {"backend", summary.target.backend->name()},
                              {"library", "lib" + name + ".so"},
                              {"weights", name + ".weights"},
                              {"runner", kRunner},
                              {"arena_bytes", static_cast<int64_t>(summary.arenaBytes)},
                              {"weights_bytes", static_cast<int64_t>(summary.weightsBytes)}};
  if (std::optional<InputNormalization> norm = inputNormalization(model)) {
    manifest["input_mean"] = llvm::json::Array(norm->mean);
    manifest["input_std"] = llvm::json::Array(norm->std);
  }
  std::error_code ec;
  llvm::raw_fd_ostream os(join(dir, kManifest), ec);
  if (ec)
    return fail("cannot write " + join(dir, kManifest) + ": " + ec.message());
  os << llvm::formatv("{0:2}", llvm::json::Value(std::move(manifest))) << "\n";
  return llvm::Error::success();
}

std::vector<KernelTime> kernelTimes(const std::vector<KernelTime> &calls,
                                    const std::vector<std::vector<double>> &runsOfCall) {
  std::map<int, KernelTime> byKernel;
  std::map<int, std::vector<double>> perRun;
  for (size_t c = 0; c < calls.size(); ++c) {
    KernelTime &kernel = byKernel[calls[c].kernel];
    kernel.kernel = calls[c].kernel;
    kernel.label = calls[c].label;
    ++kernel.calls;
    std::vector<double> &sums = perRun[calls[c].kernel];
    sums.resize(runsOfCall[c].size(), 0.0);
    for (size_t r = 0; r < sums.size(); ++r)
      sums[r] += runsOfCall[c][r];
  }
  std::vector<KernelTime> kernels;
  for (auto &[k, kernel] : byKernel) {
    kernel.medianMicros = medianOf(perRun[k]);
    kernels.push_back(kernel);
  }
  return kernels;
}

namespace {

/// Why a model run through its runner times no kernel calls.
llvm::Error timedInProcessOnly(const cnnc_model_info &info) {
  return fail(llvm::Twine("per-kernel times are measured for models that run in cnnc's own "
                          "process; model '") +
              info.name + "' does not");
}

} // namespace

llvm::Expected<std::vector<KernelTime>> CompiledModel::kernelCalls() const {
  return timedInProcessOnly(modelInfo);
}

llvm::Expected<std::vector<double>> CompiledModel::runTimingCalls(const float *, size_t, float *,
                                                                  size_t) {
  return timedInProcessOnly(modelInfo);
}

llvm::Expected<std::vector<double>> CompiledModel::runOnce(const float *input, size_t inputCount,
                                                           float *output, size_t outputCount,
                                                           bool timeCalls) {
  if (timeCalls)
    return runTimingCalls(input, inputCount, output, outputCount);
  if (llvm::Error error = run(input, inputCount, output, outputCount))
    return std::move(error);
  return std::vector<double>();
}

llvm::Expected<std::unique_ptr<CompiledModel>>
CompiledModel::open(llvm::StringRef dir, const cnnc_options &options,
                    const std::optional<std::string> &launcherOverride) {
  llvm::Expected<ModelManifest> manifest = ModelManifest::read(dir);
  if (!manifest)
    return manifest.takeError();
  llvm::Expected<TargetSelection> target = selectTarget(manifest->halideTarget);
  if (!target)
    return fail(dir + " was compiled for target '" + manifest->target +
                "', which this cnnc cannot run: " + llvm::toString(target.takeError()));
  Launcher launcher = target->backend->launcher(target->halideTarget);
  if (launcherOverride) {
    launcher = Launcher{};
    launcher.prefix = launcherWords(*launcherOverride);
  }
  if (!launcher.unavailable.empty())
    return fail("cannot run " + dir + " here: it was compiled for " + manifest->target + " (" +
                target->halideTarget + ") and " + launcher.unavailable);
  llvm::Expected<std::unique_ptr<CompiledModel>> model =
      launcher.inProcess ? InProcessModel::open(dir, *manifest, options)
      : !llvm::sys::fs::can_execute(join(dir, kRunner))
          ? fail(dir + " has no " + kRunner + " to run its " + target->backend->name() +
                 " model: compile it again with this cnnc")
          : llvm::Expected<std::unique_ptr<CompiledModel>>(std::unique_ptr<CompiledModel>(
                new LaunchedModel(dir, *manifest, options, launcher)));
  if (model) {
    (*model)->modelManifest = std::move(*manifest);
    (*model)->note = launcher.timingNote; // in process too: OpenCL may run on a CPU
  }
  return model;
}

} // namespace cnnc
