//===- CompiledModelBench.cpp - the in-model check's real models ----------===//
#include "CompiledModelBench.h"
#include "ChildCommand.h"
#include "CompiledModel.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"

#include <map>

namespace cnnc {
namespace {

llvm::Error fail(const llvm::Twine &message) {
  return llvm::createStringError(std::errc::invalid_argument, "%s", message.str().c_str());
}

} // namespace

llvm::Expected<std::unique_ptr<CompiledModelBench>>
CompiledModelBench::create(mlir::func::FuncOp model, const WeightSet &weights,
                           const CompileOptions &options, const std::vector<TunedKernel> &kernels,
                           unsigned timeout, int iterations, std::vector<std::string> launcher,
                           llvm::StringRef beside) {
  std::unique_ptr<CompiledModelBench> bench(new CompiledModelBench());
  bench->launcher = std::move(launcher);
  bench->model = model;
  bench->weights = &weights;
  bench->options = options;
  for (const TunedKernel &kernel : kernels)
    bench->computations.push_back(kernel.signature.computation());
  bench->timeout = timeout;
  bench->iterations = iterations;
  llvm::SmallString<128> root;
  if (beside.empty()) {
    if (std::error_code ec = llvm::sys::fs::createUniqueDirectory("cnnc-tune-models", root))
      return fail("cannot create a temporary directory: " + ec.message());
  } else {
    llvm::SmallString<128> model(llvm::sys::path::parent_path(beside));
    llvm::sys::path::append(model, "cnnc-tune-models-%%%%%%");
    llvm::sys::fs::createUniquePath(model, root, /*MakeAbsolute=*/true);
    if (std::error_code ec = llvm::sys::fs::create_directory(root, /*IgnoreExisting=*/false))
      return fail("cannot create " + root + ": " + ec.message());
  }
  bench->root = root.str().str();
  return bench;
}

CompiledModelBench::~CompiledModelBench() {
  if (!root.empty())
    llvm::sys::fs::remove_directories(root);
}

llvm::Expected<size_t> CompiledModelBench::build(const std::vector<ScheduleParams> &schedules) {
  std::map<std::string, ScheduleParams> byKernel;
  for (size_t k = 0; k < schedules.size() && k < computations.size(); ++k)
    byKernel.emplace(computations[k], schedules[k]);
  CompileOptions variant = options;
  variant.outputDir = root + "/model" + std::to_string(modelDirs.size());
  variant.tunedSchedules = [byKernel](const KernelSignature &signature,
                                      const TargetSelection &) -> std::optional<ScheduleParams> {
    auto it = byKernel.find(signature.computation());
    if (it == byKernel.end())
      return std::nullopt;
    return it->second;
  };
  llvm::Expected<CompileSummary> summary = compileModel(model, *weights, variant);
  if (!summary)
    return summary.takeError();
  if (llvm::Error error = writeManifest(variant.outputDir, model, *summary))
    return std::move(error);
  if (summary->tunedKernels != computations.size())
    return fail("the model compiled with " + llvm::Twine(summary->tunedKernels) + " of " +
                llvm::Twine(computations.size()) + " kernels scheduled as checked");
  modelDirs.push_back(variant.outputDir);
  return modelDirs.size() - 1;
}

llvm::Expected<llvm::json::Value>
CompiledModelBench::benchInChild(const std::vector<std::string> &benchArgs) {
  std::vector<std::string> args = {"bench"};
  args.insert(args.end(), benchArgs.begin(), benchArgs.end());
  args.insert(args.end(), {"--json", "--warmup", "3"});
  llvm::Expected<std::string> printed = runCaptured(selfCommand(launcher, args), timeout);
  if (!printed)
    return fail("timing the model compiled in " + benchArgs.front() +
                " failed: " + llvm::toString(printed.takeError()));
  llvm::Expected<llvm::json::Value> json = llvm::json::parse(*printed);
  if (!json)
    return fail("cnnc bench printed no JSON: " + llvm::toString(json.takeError()));
  return json;
}

llvm::Expected<ModelTiming> CompiledModelBench::time(size_t v) {
  llvm::Expected<llvm::json::Value> json =
      benchInChild({modelDirs[v], "--per-kernel", "--iterations", std::to_string(iterations)});
  if (!json)
    return json.takeError();
  const llvm::json::Object *object = json->getAsObject();
  const llvm::json::Array *kernels = object ? object->getArray("kernels") : nullptr;
  std::optional<double> median = object ? object->getNumber("median_ms") : std::nullopt;
  if (!kernels || !median)
    return fail("cnnc bench printed no per-kernel times");
  ModelTiming timing;
  timing.runMicros = *median * 1000.0;
  timing.kernelMicros.assign(computations.size(), 0.0);
  for (const llvm::json::Value &entry : *kernels) {
    const llvm::json::Object *kernel = entry.getAsObject();
    std::optional<int64_t> index = kernel ? kernel->getInteger("kernel") : std::nullopt;
    std::optional<double> micros = kernel ? kernel->getNumber("median_us") : std::nullopt;
    if (!index || !micros || *index < 0 || static_cast<size_t>(*index) >= computations.size() ||
        timing.kernelMicros[*index] > 0 || !(*micros > 0))
      return fail("cnnc bench printed a kernel the search does not have, twice, or timed at 0");
    timing.kernelMicros[*index] = *micros;
  }
  if (llvm::is_contained(timing.kernelMicros, 0.0))
    return fail("cnnc bench did not time every kernel of the model");
  return timing;
}

llvm::Expected<std::pair<double, double>> CompiledModelBench::timeSideBySide(size_t a, size_t b) {
  llvm::Expected<llvm::json::Value> json =
      benchInChild({modelDirs[a], "--against", modelDirs[b], "--iterations",
                    std::to_string(kSideBySideRounds * iterations)});
  if (!json)
    return json.takeError();
  const llvm::json::Object *object = json->getAsObject();
  std::optional<double> first = object ? object->getNumber("median_ms") : std::nullopt;
  std::optional<double> second = object ? object->getNumber("against_median_ms") : std::nullopt;
  if (!first || !second)
    return fail("cnnc bench --against printed no medians");
  return std::make_pair(*first * 1000.0, *second * 1000.0);
}

} // namespace cnnc
