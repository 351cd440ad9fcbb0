//===- ModelCompiler.cpp - a lowered model to a linkable library ----------===//
//
// Plans the build (ModelBuild.h) and runs its steps. Planning decides, for the
// chosen target backend: the kernel calls, each call's typed signature and
// schedule (the backend's default, checked against its legal space), which
// calls share a compiled kernel (equal signatures), the packed weights and
// the arena with its scratch region. Nothing is written before the whole plan
// holds, and the target's toolchain is checked before the slow kernel
// compilation starts.
//
//===----------------------------------------------------------------------===//
#include "codegen/ModelCompiler.h"
#include "codegen/ModelBuild.h"
#include "codegen/ReferenceEvaluator.h"
#include "dialect/Cnn.h"
#include "passes/ModelLimits.h"

#include "cnnc_model_desc.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"

#include <limits>
#include <map>

namespace cnnc {
namespace {

llvm::Error fail(const llvm::Twine &message) {
  return llvm::createStringError(std::errc::invalid_argument, "%s", message.str().c_str());
}

int64_t alignUp(int64_t bytes) {
  return (bytes + CNNC_ALIGNMENT - 1) / CNNC_ALIGNMENT * CNNC_ALIGNMENT;
}

/// Halide buffers hold at most 2^31 - 1 bytes (without its large_buffers
/// feature), and their extents and strides are 32-bit: a larger tensor would
/// wrap silently.
llvm::Error checkTensorSizes(mlir::func::FuncOp model) {
  constexpr int64_t kMaxBufferBytes = std::numeric_limits<int32_t>::max();
  llvm::Error error = llvm::Error::success();
  model.walk([&](mlir::Operation *op) {
    for (mlir::Value result : op->getResults())
      if (!error && tensorBytes(result.getType()) > kMaxBufferBytes) {
        std::string where;
        llvm::raw_string_ostream(where) << op->getLoc();
        error = fail("'" + op->getName().getStringRef() + "' at " + where + " makes a tensor of " +
                     llvm::Twine(tensorBytes(result.getType())) +
                     " bytes; a kernel buffer holds at most " + llvm::Twine(kMaxBufferBytes));
      }
  });
  return error;
}

llvm::Error planCalls(ModelBuild &build) {
  if (llvm::Error error = checkTensorSizes(build.model))
    return error;
  build.groups = collectKernelGroups(build.model);
  for (mlir::Operation &op : build.model.getBody().front())
    if (!isWeightOnly(&op) && !llvm::isa<mlir::func::ReturnOp>(op) && !op.hasAttr(kGroupAttr))
      return fail("'" + op.getName().getStringRef() +
                  "' is in no kernel group: compile runs after the full cnnc pipeline");
  auto arena = build.model->getAttrOfType<mlir::IntegerAttr>(kArenaSizeAttr);
  build.calls = planKernels(build.groups, build.target);
  // Per-image filters go to one scratch region after the planned arena:
  // kernels run one at a time, so they share it.
  build.scratchOffset = alignUp(arena ? arena.getInt() : 0);
  int64_t scratchBytes = 0;
  for (const KernelPlan &call : build.calls) {
    int64_t bytes = call.foldedScale ? static_cast<int64_t>(sizeof(float)) : 0;
    for (int64_t extent : call.imageFilterExtents)
      bytes *= extent;
    scratchBytes = std::max(scratchBytes, bytes);
  }
  build.arenaBytes = build.scratchOffset + scratchBytes;
  return llvm::Error::success();
}

/// Each call's signature with the backend's schedule, or the tuned one where
/// the backend's space allows it; equal signatures share one kernel.
llvm::Error planKernels(ModelBuild &build, const TunedSchedules &tunedSchedules) {
  const TargetBackend &backend = *build.target.backend;
  std::map<std::string, size_t> byKey;
  for (size_t i = 0; i < build.calls.size(); ++i) {
    llvm::Expected<KernelSignature> signature = signatureOf(build.calls[i]);
    if (!signature)
      return signature.takeError();
    for (const SignatureArg &arg : signature->args)
      if (!llvm::is_contained(backend.elementTypes(), arg.tensor.elementType))
        return fail("target " + build.target.requested + " (" + backend.name() +
                    ") has no kernels for " + elementTypeName(arg.tensor.elementType) +
                    " tensors, which kernel '" + signature->label() + "' takes");
    signature->schedule = backend.defaultSchedule(*signature, build.target.halideTarget);
    ScheduleSpace space = backend.scheduleSpace(*signature, build.target.halideTarget);
    if (llvm::Error error = space.check(signature->schedule))
      return fail("kernel '" + signature->label() + "' on " + build.target.requested + ": " +
                  llvm::toString(std::move(error)));
    // A tuned schedule the space no longer allows (the backend changed since
    // it was measured) is not used.
    bool tuned = false, asDefault = false;
    if (std::optional<ScheduleParams> schedule =
            tunedSchedules ? tunedSchedules(*signature, build.target) : std::nullopt) {
      llvm::Error illegal = space.check(*schedule);
      tuned = !illegal;
      llvm::consumeError(std::move(illegal));
      asDefault = tuned && *schedule == signature->schedule;
      if (tuned)
        signature->schedule = *schedule;
    }
    auto [it, inserted] = byKey.try_emplace(signature->str(), build.kernels.size());
    if (inserted)
      build.kernels.push_back({std::move(*signature), i, tuned, asDefault});
    build.kernelOfCall.push_back(it->second);
  }
  return llvm::Error::success();
}

/// The accumulator start (Layout.h's quadConvStart) of the integer
/// convolution whose bias is `bias`, of values `biasValues`.
HostTensor quadConvStartOf(mlir::Value bias, const HostTensor &biasValues,
                           const WeightValues &values) {
  for (mlir::Operation *user : bias.getUsers())
    if (auto conv = llvm::dyn_cast<cnn::IntegerConv2DOp>(user); conv && conv.getBias() == bias)
      return quadConvStart(biasValues, values.find(conv.getFilter())->second,
                           conv.getInputZeroPoint());
  llvm_unreachable("a quad convolution's start is the bias of an integer convolution");
}

llvm::Error packWeights(ModelBuild &build, const WeightSet &weights) {
  llvm::Expected<WeightValues> values = evaluateWeightValues(build.model, weights);
  if (!values)
    return values.takeError();
  for (size_t i = 0; i < build.calls.size(); ++i) {
    const KernelSignature &signature = build.kernels[build.kernelOfCall[i]].signature;
    for (size_t a = 0; a < build.calls[i].inputs.size(); ++a) {
      const KernelArg &arg = build.calls[i].inputs[a];
      if (arg.kind != KernelArg::Kind::weight || build.weightOf.count(arg.value))
        continue;
      const HostTensor &tensor = values->find(arg.value)->second;
      std::vector<uint8_t> packed =
          arg.role == TensorRole::quadConvStart
              ? packForKernels(arg.role, quadConvStartOf(arg.value, tensor, *values))
              : packForKernels(arg.role, tensor);
      int64_t offset = static_cast<int64_t>(build.payload.size());
      build.weightOf[arg.value] = build.weights.size();
      build.weights.push_back({arg.value, arg.role, signature.args[a].tensor, offset});
      build.payload.insert(build.payload.end(), packed.begin(), packed.end());
      build.payload.resize(
          static_cast<size_t>(alignUp(static_cast<int64_t>(build.payload.size()))));
    }
  }
  return llvm::Error::success();
}

/// Refuses a model its runtime could not hold: at create it holds the
/// weights file's bytes and their packed copy, then the arena, beside the
/// caller's float input and output.
llvm::Error checkRunnerMemory(const ModelBuild &build, uint64_t limit) {
  auto elements = [](mlir::Type type) {
    return static_cast<uint64_t>(llvm::cast<mlir::ShapedType>(type).getNumElements());
  };
  uint64_t weights = build.payload.size(), arena = static_cast<uint64_t>(build.arenaBytes);
  uint64_t tensors = sizeof(float) * (elements(build.model.getArgument(0).getType()) +
                                      elements(build.model.getResultTypes()[0]));
  uint64_t needed = 2 * weights + arena + tensors;
  uint64_t addressSpace = build.target.backend->addressSpaceBytes();
  bool addressBound = addressSpace && addressSpace <= limit;
  if (needed <= (addressBound ? addressSpace : limit))
    return llvm::Error::success();
  std::string over =
      addressBound
          ? llvm::formatv("more than its runner's {0} MiB address space", addressSpace >> 20).str()
          : "over " + ModelLimits::describe("runner-bytes", limit);
  return fail(llvm::formatv("model '{0}' needs {1} bytes at once on target {2} (the weights "
                            "twice while loading: 2 x {3}, arena {4}, input and output {5}), "
                            "{6}: lower --batch or the input resolution",
                            build.name, needed, build.target.requested, weights, arena, tensors,
                            over));
}

} // namespace

llvm::Error planBuild(ModelBuild &build, mlir::func::FuncOp model, llvm::StringRef target,
                      const TunedSchedules &tunedSchedules) {
  build.model = model;
  build.name = model.getSymName().str();
  build.identifier = cIdentifier(build.name);
  llvm::Expected<TargetSelection> selection = selectTarget(target);
  if (!selection)
    return selection.takeError();
  build.target = *selection;
  if (llvm::Error error = planCalls(build))
    return error;
  return planKernels(build, tunedSchedules);
}

namespace {

/// Identifies the weights layout and the call sequence: a weights file is
/// accepted only by the build it was written for.
uint64_t buildSignature(const ModelBuild &build) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << build.name << "|" << build.arenaBytes << "|" << build.payload.size();
  for (const WeightSlot &slot : build.weights)
    os << "|" << slot.offset << ":" << slot.value.getType();
  for (size_t kernel : build.kernelOfCall)
    os << "|k" << kernel;
  return cnnc_fnv1a64(text.data(), text.size());
}

} // namespace

std::string ModelBuild::path(llvm::StringRef file) const {
  llvm::SmallString<256> p(outputDir);
  llvm::sys::path::append(p, file);
  return p.str().str();
}

llvm::Expected<std::unique_ptr<llvm::raw_fd_ostream>>
ModelBuild::create(llvm::StringRef file) const {
  std::error_code ec;
  auto os = std::make_unique<llvm::raw_fd_ostream>(path(file), ec, llvm::sys::fs::OF_None);
  if (ec)
    return llvm::createStringError(ec, "cannot write %s: %s", path(file).c_str(),
                                   ec.message().c_str());
  return os;
}

std::string ModelBuild::kernelName(size_t kernel) const {
  return identifier + "_k" + std::to_string(kernel);
}

std::vector<std::string> ModelBuild::kernelObjects() const {
  std::vector<std::string> objects;
  for (size_t k = 0; k < kernels.size(); ++k)
    objects.push_back(path(kernelName(k) + ".o"));
  return objects;
}

std::string cIdentifier(llvm::StringRef modelName) {
  std::string id;
  for (char ch : modelName)
    id += llvm::isAlnum(ch) ? ch : '_';
  if (id.empty() || llvm::isDigit(id[0]))
    id = "m" + id;
  return id;
}

llvm::Expected<CompiledKernels> planModelKernels(mlir::func::FuncOp model, llvm::StringRef target,
                                                 const TunedSchedules &tunedSchedules) {
  ModelBuild build;
  if (llvm::Error error = planBuild(build, model, target, tunedSchedules))
    return std::move(error);
  CompiledKernels listing;
  listing.target = build.target;
  for (size_t i = 0; i < build.calls.size(); ++i)
    listing.calls.push_back({build.kernelOfCall[i], build.calls[i].group->ops.front()->getLoc()});
  for (const DistinctKernel &kernel : build.kernels) {
    listing.kernels.push_back(kernel.signature);
    listing.tuned.push_back(kernel.tuned);
    listing.spaces.push_back(
        build.target.backend->scheduleSpace(kernel.signature, build.target.halideTarget));
  }
  return listing;
}

llvm::Expected<CompileSummary> compileModel(mlir::func::FuncOp model, const WeightSet &weights,
                                            const CompileOptions &options) {
  ModelBuild build;
  if (llvm::Error error = planBuild(build, model, options.target, options.tunedSchedules))
    return std::move(error);
  build.outputDir = options.outputDir;
  build.progress = options.progress;
  if (llvm::Error error = checkToolchain(build.target.backend->toolchain(build.target.halideTarget),
                                         build.target.requested))
    return std::move(error);
  if (llvm::Error error = packWeights(build, weights))
    return std::move(error);
  if (llvm::Error error = checkRunnerMemory(build, options.runnerBytes))
    return std::move(error);
  if (std::error_code ec = llvm::sys::fs::create_directories(options.outputDir))
    return fail("cannot create " + options.outputDir + ": " + ec.message());
  build.signature = buildSignature(build);
  if (llvm::Error error = compileKernels(build))
    return std::move(error);
  if (build.progress)
    build.progress("building the library", 0, 0);
  for (auto step : {writeBundle, buildLibraries, writePackageFiles})
    if (llvm::Error error = step(build))
      return std::move(error);
  return CompileSummary{
      build.identifier,
      build.target,
      build.calls.size(),
      build.kernels.size(),
      build.payload.size(),
      static_cast<size_t>(build.arenaBytes),
      static_cast<size_t>(
          llvm::count_if(build.kernels, [](const DistinctKernel &k) { return k.tuned; })),
      static_cast<size_t>(
          llvm::count_if(build.kernels, [](const DistinctKernel &k) { return k.tunedAsDefault; }))};
}

} // namespace cnnc
