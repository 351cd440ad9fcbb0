//===- ModelCompiler.cpp - a lowered model to a linkable library ----------===//
//
// One Halide kernel per distinct kernel group (compiled in-process, linked
// into one object with one Halide runtime), a C table of kernel calls for the
// runtime to walk, the runtime itself, and the weights packed for the kernels.
//
//===----------------------------------------------------------------------===//
#include "codegen/ModelCompiler.h"
#include "codegen/HalideKernel.h"
#include "codegen/ReferenceEvaluator.h"
#include "support/EmbeddedFile.h"

#include "cnnc_model_desc.h" // the weights-file format the runtime reads

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"

#include <map>

namespace cnnc {

extern const EmbeddedFile kRuntimeSources[];
extern const size_t kRuntimeSourcesCount;

namespace {

using mlir::Value;

constexpr int64_t kAlignment = 64;

llvm::Error fail(const llvm::Twine &message) {
  return llvm::createStringError(std::errc::invalid_argument, "%s", message.str().c_str());
}

struct TensorRef {
  const char *kind;
  int64_t offset = 0;
  llvm::SmallVector<int64_t, 4> extents;
};

struct WeightSlot {
  Value value;
  TensorRole role;
  int64_t offset;
};

class Compiler {
public:
  Compiler(mlir::func::FuncOp model, const WeightSet &weights, const CompileOptions &options)
      : model(model), weights(weights), options(options) {}

  llvm::Expected<CompileSummary> run();

private:
  llvm::Error planCalls();
  llvm::Error packWeights();
  llvm::Error compileKernels();
  llvm::Error writeSources();
  llvm::Error buildLibraries();
  TensorRef refFor(const KernelArg &arg);
  TensorRef outputRef(const KernelPlan &plan);
  uint64_t signature();
  std::string path(llvm::StringRef file) const;
  llvm::Error runTool(llvm::StringRef tool, llvm::ArrayRef<std::string> args);

  mlir::func::FuncOp model;
  const WeightSet &weights;
  CompileOptions options;
  std::string id, name;
  std::vector<KernelGroup> groups;
  std::vector<KernelPlan> plans;
  std::vector<size_t> kernelOfPlan;  // index into uniqueKernels
  std::vector<size_t> uniqueKernels; // a plan index for each distinct kernel
  llvm::DenseMap<Value, size_t> slotOf;
  std::vector<WeightSlot> slots;
  std::vector<float> payload;
  int64_t arenaBytes = 0, scratchOffset = 0;
};

std::string Compiler::path(llvm::StringRef file) const {
  llvm::SmallString<256> p(options.outputDir);
  llvm::sys::path::append(p, file);
  return p.str().str();
}

llvm::Error Compiler::planCalls() {
  groups = collectKernelGroups(model);
  for (mlir::Operation &op : model.getBody().front())
    if (!isWeightOnly(&op) && !llvm::isa<mlir::func::ReturnOp>(op) && !op.hasAttr(kGroupAttr))
      return fail("'" + op.getName().getStringRef() +
                  "' is in no kernel group: compile runs after the full cnnc pipeline");
  auto arena = model->getAttrOfType<mlir::IntegerAttr>(kArenaSizeAttr);
  arenaBytes = arena ? arena.getInt() : 0;
  plans = planKernels(groups);
  // Per-image filters go to one scratch region after the planned arena:
  // kernels run one at a time, so they share it.
  scratchOffset = (arenaBytes + kAlignment - 1) / kAlignment * kAlignment;
  int64_t scratchBytes = 0;
  for (const KernelPlan &plan : plans) {
    int64_t bytes = plan.foldedScale ? static_cast<int64_t>(sizeof(float)) : 0;
    for (int64_t extent : plan.imageFilterExtents)
      bytes *= extent;
    scratchBytes = std::max(scratchBytes, bytes);
  }
  arenaBytes = scratchOffset + scratchBytes;
  std::map<std::string, size_t> byKey;
  for (size_t i = 0; i < plans.size(); ++i) {
    auto [it, inserted] = byKey.try_emplace(plans[i].key, uniqueKernels.size());
    if (inserted)
      uniqueKernels.push_back(i);
    kernelOfPlan.push_back(it->second);
  }
  return llvm::Error::success();
}

llvm::Error Compiler::packWeights() {
  llvm::Expected<WeightValues> values = evaluateWeightValues(model, weights);
  if (!values)
    return values.takeError();
  for (const KernelPlan &plan : plans)
    for (const KernelArg &arg : plan.inputs) {
      if (arg.kind != KernelArg::Kind::weight || slotOf.count(arg.value))
        continue;
      const HostTensor &tensor = values->find(arg.value)->second;
      std::vector<float> packed = packForKernels(arg.role, tensor);
      int64_t offset = static_cast<int64_t>(payload.size() * sizeof(float));
      slotOf[arg.value] = slots.size();
      slots.push_back({arg.value, arg.role, offset});
      payload.insert(payload.end(), packed.begin(), packed.end());
      payload.resize((payload.size() * sizeof(float) + kAlignment - 1) / kAlignment * kAlignment /
                     sizeof(float));
    }
  return llvm::Error::success();
}

TensorRef Compiler::refFor(const KernelArg &arg) {
  auto shape = llvm::cast<mlir::RankedTensorType>(arg.value.getType()).getShape();
  TensorRef ref{"CNNC_TENSOR_ARENA", 0, halideExtents(arg.role, shape)};
  if (arg.kind == KernelArg::Kind::modelInput) {
    ref.kind = "CNNC_TENSOR_INPUT";
  } else if (arg.kind == KernelArg::Kind::weight) {
    ref.kind = "CNNC_TENSOR_WEIGHT";
    ref.offset = slots[slotOf[arg.value]].offset;
  } else {
    ref.offset =
        arg.value.getDefiningOp()->getAttrOfType<mlir::IntegerAttr>(kArenaOffsetAttr).getInt();
  }
  return ref;
}

TensorRef Compiler::outputRef(const KernelPlan &plan) {
  Value result = plan.group->result();
  auto shape = llvm::cast<mlir::RankedTensorType>(result.getType()).getShape();
  TensorRef ref{"CNNC_TENSOR_OUTPUT", 0, halideExtents(TensorRole::activation, shape)};
  if (auto offset = result.getDefiningOp()->getAttrOfType<mlir::IntegerAttr>(kArenaOffsetAttr)) {
    ref.kind = "CNNC_TENSOR_ARENA";
    ref.offset = offset.getInt();
  }
  return ref;
}

/// Identifies the weights layout and the call sequence: a weights file is
/// accepted only by the build it was written for.
uint64_t Compiler::signature() {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << name << "|" << arenaBytes << "|" << payload.size();
  for (const WeightSlot &slot : slots)
    os << "|" << slot.offset << ":" << slot.value.getType();
  for (size_t i = 0; i < plans.size(); ++i)
    os << "|k" << kernelOfPlan[i];
  return cnnc_fnv1a64(text.data(), text.size());
}

llvm::Error Compiler::compileKernels() {
  try {
    if (!Halide::Target::validate_target_string(options.target))
      return fail("unknown target '" + options.target +
                  "'; use a Halide target such as host, x86-64-linux-avx2 or "
                  "x86-64-linux-avx512");
    Halide::Target target =
        options.target == "host" ? Halide::get_host_target() : Halide::Target(options.target);
    std::vector<Halide::Module> modules;
    for (size_t k = 0; k < uniqueKernels.size(); ++k) {
      const KernelPlan &plan = plans[uniqueKernels[k]];
      KernelFuncs funcs = defineKernel(plan);
      scheduleKernel(funcs, plan, target);
      std::vector<Halide::Argument> args(funcs.params.begin(), funcs.params.end());
      Halide::Pipeline pipeline = funcs.imageFilter
                                      ? Halide::Pipeline({funcs.output, *funcs.imageFilter})
                                      : Halide::Pipeline(funcs.output);
      modules.push_back(pipeline.compile_to_module(args, id + "_k" + std::to_string(k),
                                                   target.with_feature(Halide::Target::NoRuntime)));
    }
    Halide::link_modules(id + "_kernels", modules)
        .compile({{Halide::OutputFileType::object, path(id + "_kernels.o")}});
    Halide::compile_standalone_runtime(path("halide_runtime.o"), target);
  } catch (const Halide::Error &error) {
    return fail(llvm::Twine("Halide: ") + error.what());
  }
  return llvm::Error::success();
}

std::string kernelLabel(const KernelPlan &plan) {
  std::string label;
  for (mlir::Operation *op : plan.group->ops)
    label += (label.empty() ? "" : "+") + op->getName().stripDialect().str();
  return label;
}

void writeExtents(llvm::raw_ostream &os, const TensorRef &ref) {
  os << "{" << ref.kind << ", " << ref.offset << ", " << ref.extents.size() << ", {";
  for (size_t d = 0; d < ref.extents.size(); ++d)
    os << (d ? ", " : "") << ref.extents[d];
  os << "}}";
}

llvm::Error Compiler::writeSources() {
  auto inputType = llvm::cast<mlir::RankedTensorType>(model.getArgument(0).getType());
  auto outputType = llvm::cast<mlir::RankedTensorType>(model.getResultTypes()[0]);
  uint64_t sig = signature();
  std::error_code ec;

  { // The weights file.
    llvm::raw_fd_ostream os(path(name + ".weights"), ec, llvm::sys::fs::OF_None);
    if (ec)
      return fail("cannot write " + path(name + ".weights") + ": " + ec.message());
    uint64_t bytes = payload.size() * sizeof(float);
    uint64_t header[CNNC_WEIGHTS_HEADER_BYTES / sizeof(uint64_t)] = {
        0, sig, bytes, cnnc_fnv1a64(payload.data(), bytes)};
    std::memcpy(&header[0], CNNC_WEIGHTS_MAGIC, 8);
    os.write(reinterpret_cast<const char *>(header), sizeof header);
    os.write(reinterpret_cast<const char *>(payload.data()), static_cast<size_t>(bytes));
  }

  { // The call table and the model's create functions.
    llvm::raw_fd_ostream os(path(id + "_model.c"), ec);
    if (ec)
      return fail("cannot write " + path(id + "_model.c") + ": " + ec.message());
    os << "/* Generated by cnnc for model '" << name << "'. */\n"
       << "#include \"" << name << ".h\"\n#include \"cnnc_model_desc.h\"\n\n";
    for (size_t k = 0; k < uniqueKernels.size(); ++k)
      os << "extern int " << id << "_k" << k << "_argv(void **args);\n";
    for (size_t i = 0; i < plans.size(); ++i) {
      os << "static const cnnc_tensor_ref call" << i << "_args[] = {";
      for (const KernelArg &arg : plans[i].inputs) {
        writeExtents(os, refFor(arg));
        os << ", ";
      }
      writeExtents(os, outputRef(plans[i]));
      if (plans[i].foldedScale) {
        os << ", ";
        writeExtents(os, TensorRef{"CNNC_TENSOR_ARENA",
                                   scratchOffset,
                                   {plans[i].imageFilterExtents.begin(),
                                    plans[i].imageFilterExtents.end()}});
      }
      os << "};\n";
    }
    os << "static const cnnc_call calls[] = {\n";
    for (size_t i = 0; i < plans.size(); ++i)
      os << "    {" << id << "_k" << kernelOfPlan[i] << "_argv, \"" << kernelLabel(plans[i])
         << "\", " << plans[i].inputs.size() + (plans[i].foldedScale ? 2 : 1) << ", call" << i
         << "_args},\n";
    os << "};\n\nstatic const cnnc_model_desc desc = {\n"
       << "    \"" << name << "\", 0x" << llvm::format_hex_no_prefix(sig, 16) << "ull,\n"
       << "    {" << inputType.getDimSize(0) << ", " << inputType.getDimSize(1) << ", "
       << inputType.getDimSize(2) << ", " << inputType.getDimSize(3) << "}, {"
       << outputType.getDimSize(0) << ", " << outputType.getDimSize(1) << "},\n"
       << "    " << arenaBytes << ", " << payload.size() * sizeof(float) << ", " << plans.size()
       << ", calls};\n\n"
       << "cnnc_status cnnc_" << id << "_create_from_file(const char *weights_path,\n"
       << "    const cnnc_options *options, cnnc_model **model) {\n"
       << "  return cnnc_create_from_file(&desc, weights_path, options, model);\n}\n\n"
       << "cnnc_status cnnc_" << id << "_create_from_memory(const void *weights, size_t size,\n"
       << "    const cnnc_options *options, cnnc_model **model) {\n"
       << "  return cnnc_create_from_memory(&desc, weights, size, options, model);\n}\n";
  }

  { // The public header.
    llvm::raw_fd_ostream os(path(name + ".h"), ec);
    if (ec)
      return fail("cannot write " + path(name + ".h") + ": " + ec.message());
    std::string guard = "CNNC_" + llvm::StringRef(id).upper() + "_H";
    auto dims = [&](mlir::RankedTensorType t) {
      std::string s;
      for (int64_t d : t.getShape())
        s += (s.empty() ? "" : "x") + std::to_string(d);
      return s;
    };
    os << "/* " << name << ": compiled by cnnc for target " << options.target << ".\n"
       << " *\n"
       << " * input:   float32 " << dims(inputType) << " (N, C, H, W), NCHW by default; NHWC with\n"
       << " *          options.input_layout = CNNC_LAYOUT_NHWC\n"
       << " * output:  float32 " << dims(outputType) << " logits\n"
       << " * arena:   " << arenaBytes << " bytes of activations, 64-byte aligned, allocated by\n"
       << " *          create; run allocates nothing\n"
       << " * weights: " << name << ".weights (" << payload.size() * sizeof(float)
       << " bytes + a 64-byte header), signature " << llvm::format_hex(sig, 18) << "\n"
       << " *\n"
       << " * Link lib" << name << ".a (or .so) with -lpthread -ldl -lm. */\n"
       << "#ifndef " << guard << "\n#define " << guard << "\n\n#include \"cnnc_runtime.h\"\n\n"
       << "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n";
    const char *axes[] = {"N", "C", "H", "W"};
    for (int d = 0; d < 4; ++d)
      os << "#define CNNC_" << llvm::StringRef(id).upper() << "_INPUT_" << axes[d] << " "
         << inputType.getDimSize(d) << "\n";
    os << "#define CNNC_" << llvm::StringRef(id).upper() << "_NUM_CLASSES "
       << outputType.getDimSize(1) << "\n\n"
       << "cnnc_status cnnc_" << id << "_create_from_file(const char *weights_path,\n"
       << "    const cnnc_options *options, cnnc_model **model);\n"
       << "cnnc_status cnnc_" << id << "_create_from_memory(const void *weights, size_t size,\n"
       << "    const cnnc_options *options, cnnc_model **model);\n\n"
       << "#ifdef __cplusplus\n}\n#endif\n\n#endif /* " << guard << " */\n";
  }

  for (size_t i = 0; i < kRuntimeSourcesCount; ++i) {
    llvm::raw_fd_ostream os(path(kRuntimeSources[i].name), ec);
    if (ec)
      return fail("cannot write " + path(kRuntimeSources[i].name) + ": " + ec.message());
    os << kRuntimeSources[i].text;
  }
  return llvm::Error::success();
}

llvm::Error Compiler::runTool(llvm::StringRef tool, llvm::ArrayRef<std::string> args) {
  llvm::ErrorOr<std::string> program = llvm::sys::findProgramByName(tool);
  if (!program)
    return fail("cannot find '" + tool + "' on PATH; cnnc compile needs a C compiler and ar");
  std::vector<llvm::StringRef> argv = {*program};
  argv.insert(argv.end(), args.begin(), args.end());
  std::string message;
  int rc = llvm::sys::ExecuteAndWait(*program, argv, std::nullopt, {}, 0, 0, &message);
  if (rc != 0)
    return fail(tool + " failed (" + llvm::Twine(rc) + ") " + message);
  return llvm::Error::success();
}

llvm::Error Compiler::buildLibraries() {
  std::vector<std::string> objects = {path(id + "_kernels.o"), path("halide_runtime.o")};
  for (const std::string &source :
       {id + "_model.c", std::string("cnnc_runtime.c"), std::string("cnnc_checksum.c")}) {
    std::string object = path(llvm::sys::path::stem(source).str() + ".o");
    if (llvm::Error error =
            runTool(options.cCompiler, {"-std=c11", "-O2", "-fPIC", "-I", options.outputDir, "-I",
                                        CNNC_HALIDE_INCLUDE_DIR, "-c", path(source), "-o", object}))
      return error;
    objects.push_back(object);
  }
  std::string archive = path("lib" + name + ".a");
  llvm::sys::fs::remove(archive);
  std::vector<std::string> arArgs = {"rcs", archive};
  arArgs.insert(arArgs.end(), objects.begin(), objects.end());
  if (llvm::Error error = runTool(options.archiver, arArgs))
    return error;
  std::vector<std::string> soArgs = {"-shared", "-o", path("lib" + name + ".so")};
  soArgs.insert(soArgs.end(), objects.begin(), objects.end());
  for (const char *lib : {"-lpthread", "-ldl", "-lm"})
    soArgs.push_back(lib);
  if (llvm::Error error = runTool(options.cCompiler, soArgs))
    return error;
  for (const std::string &object : objects)
    llvm::sys::fs::remove(object);
  return llvm::Error::success();
}

llvm::Expected<CompileSummary> Compiler::run() {
  name = model.getSymName().str();
  id = cIdentifier(name);
  if (std::error_code ec = llvm::sys::fs::create_directories(options.outputDir))
    return fail("cannot create " + options.outputDir + ": " + ec.message());
  for (auto step : {&Compiler::planCalls, &Compiler::packWeights, &Compiler::compileKernels,
                    &Compiler::writeSources, &Compiler::buildLibraries})
    if (llvm::Error error = (this->*step)())
      return std::move(error);
  return CompileSummary{id, plans.size(), uniqueKernels.size(), payload.size() * sizeof(float),
                        static_cast<size_t>(arenaBytes)};
}

} // namespace

std::string cIdentifier(llvm::StringRef modelName) {
  std::string id;
  for (char ch : modelName)
    id += llvm::isAlnum(ch) ? ch : '_';
  if (id.empty() || llvm::isDigit(id[0]))
    id = "m" + id;
  return id;
}

llvm::Expected<CompileSummary> compileModel(mlir::func::FuncOp model, const WeightSet &weights,
                                            const CompileOptions &options) {
  return Compiler(model, weights, options).run();
}

} // namespace cnnc
