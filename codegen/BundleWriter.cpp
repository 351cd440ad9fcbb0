//===- BundleWriter.cpp - the weights file, model table and header --------===//
//
// What a compiled model is besides its kernels: the weights file (header and
// packed tensors), the model table `<id>_model.c` (every kernel call with its
// tensors: kind, element type, offset, extents, quantization) that the
// runtime walks, the public header `<name>.h`, and the runtime's sources.
// All of it is target-independent C: the target's toolchain compiles it.
//
//===----------------------------------------------------------------------===//
#include "codegen/ModelBuild.h"
#include "dialect/Cnn.h"
#include "passes/InputNormalization.h"
#include "support/EmbeddedFile.h"

#include "cnnc_model_desc.h"

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>

namespace cnnc {

extern const EmbeddedFile kRuntimeSources[];
extern const size_t kRuntimeSourcesCount;

namespace {

/// One cnnc_tensor_ref initializer.
struct TensorRef {
  const char *kind;
  int64_t offset;
  llvm::SmallVector<int64_t, 4> extents;
  ElementType elementType;
  QuantParams quant;
};

void write(llvm::raw_ostream &os, const TensorRef &ref) {
  os << "{" << ref.kind << ", " << elementTypeCName(ref.elementType) << ", " << ref.offset << ", "
     << ref.extents.size() << ", {";
  llvm::interleaveComma(ref.extents, os);
  os << "}, {" << llvm::format("%a", ref.quant.scale) << "f, " << ref.quant.zeroPoint << "}}";
}

int64_t arenaOffset(mlir::Value value) {
  return value.getDefiningOp()->getAttrOfType<mlir::IntegerAttr>(kArenaOffsetAttr).getInt();
}

/// The tensors of call `i`, in the kernel's argument order: inputs, the
/// output, then the per-image filter when the call folds a channel scale.
std::vector<TensorRef> tensorsOf(const ModelBuild &build, size_t i) {
  const KernelPlan &call = build.calls[i];
  const KernelSignature &signature = build.kernels[build.kernelOfCall[i]].signature;
  std::vector<TensorRef> refs;
  for (size_t a = 0; a < call.inputs.size(); ++a) {
    const KernelArg &arg = call.inputs[a];
    const TensorDesc &tensor = signature.args[a].tensor;
    TensorRef ref{"CNNC_TENSOR_ARENA", 0, halideExtents(arg.role, tensor.shape), tensor.elementType,
                  tensor.quant};
    if (arg.kind == KernelArg::Kind::modelInput)
      ref.kind = "CNNC_TENSOR_INPUT";
    else if (arg.kind == KernelArg::Kind::weight) {
      ref.kind = "CNNC_TENSOR_WEIGHT";
      ref.offset = build.weights[build.weightOf.lookup(arg.value)].offset;
    } else
      ref.offset = arenaOffset(arg.value);
    refs.push_back(ref);
  }
  const TensorDesc &result = signature.ops.back().results[0];
  TensorRef output{"CNNC_TENSOR_OUTPUT", 0, halideExtents(TensorRole::activation, result.shape),
                   result.elementType, result.quant};
  if (call.group->result().getDefiningOp()->hasAttr(kArenaOffsetAttr)) {
    output.kind = "CNNC_TENSOR_ARENA";
    output.offset = arenaOffset(call.group->result());
  }
  refs.push_back(output);
  if (call.foldedScale) // the per-image filter, of the convolution's element type
    refs.push_back({"CNNC_TENSOR_ARENA",
                    build.scratchOffset,
                    {call.imageFilterExtents.begin(), call.imageFilterExtents.end()},
                    result.elementType,
                    {}});
  return refs;
}

llvm::Error fail(const llvm::Twine &message) {
  return llvm::createStringError(std::errc::invalid_argument, "%s", message.str().c_str());
}

/// Opens `file` in the output directory for writing.
llvm::Expected<std::unique_ptr<llvm::raw_fd_ostream>> create(const ModelBuild &build,
                                                             llvm::StringRef file) {
  std::error_code ec;
  auto os = std::make_unique<llvm::raw_fd_ostream>(build.path(file), ec, llvm::sys::fs::OF_None);
  if (ec)
    return fail("cannot write " + build.path(file) + ": " + ec.message());
  return os;
}

llvm::Error writeWeightsFile(const ModelBuild &build) {
  auto os = create(build, build.name + ".weights");
  if (!os)
    return os.takeError();
  uint64_t bytes = build.payload.size();
  uint64_t header[CNNC_WEIGHTS_HEADER_BYTES / sizeof(uint64_t)] = {
      0, build.signature, bytes, cnnc_fnv1a64(build.payload.data(), bytes)};
  std::memcpy(&header[0], CNNC_WEIGHTS_MAGIC, 8);
  (*os)->write(reinterpret_cast<const char *>(header), sizeof header);
  (*os)->write(reinterpret_cast<const char *>(build.payload.data()), bytes);
  return llvm::Error::success();
}

mlir::RankedTensorType inputType(const ModelBuild &build) {
  return llvm::cast<mlir::RankedTensorType>(build.model.getArgument(0).getType());
}
mlir::RankedTensorType outputType(const ModelBuild &build) {
  return llvm::cast<mlir::RankedTensorType>(build.model.getResultTypes()[0]);
}
ElementType elementOf(mlir::RankedTensorType type) {
  return elementTypeOf(type.getElementType()).value_or(ElementType::f32);
}

llvm::Error writeModelTable(const ModelBuild &build) {
  const std::string &id = build.identifier;
  auto file = create(build, id + "_model.c");
  if (!file)
    return file.takeError();
  llvm::raw_ostream &os = **file;
  os << "/* Generated by cnnc for model '" << build.name << "', target "
     << build.target.halideTarget << ". */\n"
     << "#include \"" << build.name << ".h\"\n#include \"cnnc_model_desc.h\"\n\n";
  for (size_t k = 0; k < build.kernels.size(); ++k)
    os << "extern int " << build.kernelName(k) << "_argv(void **args);\n";
  std::vector<size_t> numArgs;
  for (size_t i = 0; i < build.calls.size(); ++i) {
    std::vector<TensorRef> refs = tensorsOf(build, i);
    numArgs.push_back(refs.size());
    os << "static const cnnc_tensor_ref call" << i << "_args[] = {\n";
    for (const TensorRef &ref : refs) {
      os << "    ";
      write(os, ref);
      os << ",\n";
    }
    os << "};\n";
    if (auto table = llvm::dyn_cast_or_null<cnn::LookupOp>(build.calls[i].outputTable)) {
      os << "static const uint8_t call" << i << "_table[256] = {";
      llvm::interleaveComma(table.getTable(), os);
      os << "};\n";
    }
  }
  os << "static const cnnc_call calls[] = {\n";
  for (size_t i = 0; i < build.calls.size(); ++i) {
    size_t k = build.kernelOfCall[i];
    const KernelPlan &call = build.calls[i];
    os << "    {" << build.kernelName(k) << "_argv, \"" << build.kernels[k].signature.label()
       << (call.outputTable ? "+lookup" : "") << "\", " << numArgs[i] << ", call" << i << "_args, "
       << call.inputs.size() << ", "
       << (call.outputTable ? "call" + std::to_string(i) + "_table" : std::string("NULL"))
       << "},\n";
  }
  std::vector<CpuFeature> features =
      build.target.backend->requiredFeatures(build.target.halideTarget);
  os << "};\n\n/* The CPU features the kernels use: create refuses a CPU without one. */\n"
     << "static const cnnc_cpu_feature cpu_features[] = {\n";
  for (const CpuFeature &feature : features)
    os << "    {" << feature.halideFeature << ", \"" << feature.name << "\"},\n";
  if (features.empty())
    os << "    {0, 0} /* none; C has no empty arrays */\n";
  DeviceRuntime device = build.target.backend->deviceRuntime(build.target.halideTarget);
  os << "};\n\n";
  if (!device.interfaceFunction.empty())
    os << "/* Weights and activations live in device memory. */\n"
       << "extern const struct halide_device_interface_t *" << device.interfaceFunction
       << "(void);\n";
  if (!device.selectStreamFunction.empty())
    os << "extern int " << device.selectStreamFunction << "(void *stream);\n";
  mlir::RankedTensorType in = inputType(build), out = outputType(build);
  os << "\nstatic const cnnc_model_desc desc = {\n"
     << "    \"" << build.name << "\", 0x" << llvm::format_hex_no_prefix(build.signature, 16)
     << "ull,\n    {";
  llvm::interleaveComma(in.getShape(), os);
  os << "}, {";
  llvm::interleaveComma(out.getShape(), os);
  os << "},\n    " << elementTypeCName(elementOf(in)) << ", " << elementTypeCName(elementOf(out))
     << ",\n"
     << "    " << build.arenaBytes << ", " << build.payload.size() << ", " << build.calls.size()
     << ", calls,\n"
     << "    \"" << build.target.halideTarget << "\", " << features.size() << ", cpu_features,\n"
     << "    " << (device.interfaceFunction.empty() ? "NULL" : device.interfaceFunction) << ", "
     << (device.selectStreamFunction.empty() ? "NULL" : device.selectStreamFunction) << "};\n\n"
     << "cnnc_status cnnc_" << id << "_create_from_file(const char *weights_path,\n"
     << "    const cnnc_options *options, cnnc_model **model) {\n"
     << "  return cnnc_create_from_file(&desc, weights_path, options, model);\n}\n\n"
     << "cnnc_status cnnc_" << id << "_create_from_memory(const void *weights, size_t size,\n"
     << "    const cnnc_options *options, cnnc_model **model) {\n"
     << "  return cnnc_create_from_memory(&desc, weights, size, options, model);\n}\n";
  return llvm::Error::success();
}

llvm::Error writeHeader(const ModelBuild &build) {
  auto file = create(build, build.name + ".h");
  if (!file)
    return file.takeError();
  llvm::raw_ostream &os = **file;
  std::string id = build.identifier, upper = llvm::StringRef(id).upper();
  std::string guard = "CNNC_" + upper + "_H";
  mlir::RankedTensorType in = inputType(build), out = outputType(build);
  auto dims = [](mlir::RankedTensorType t) {
    std::string s;
    for (int64_t d : t.getShape())
      s += (s.empty() ? "" : "x") + std::to_string(d);
    return s;
  };
  os << "/* " << build.name << ": compiled by cnnc for target " << build.target.requested << "\n"
     << " * (Halide target " << build.target.halideTarget << ", " << build.target.backend->name()
     << " backend).\n"
     << " *\n"
     << " * input:   " << elementTypeName(elementOf(in)) << " " << dims(in)
     << " (N, C, H, W), NCHW by default; NHWC with\n"
     << " *          options.input_layout = CNNC_LAYOUT_NHWC\n"
     << " * output:  " << elementTypeName(elementOf(out)) << " " << dims(out) << " logits\n"
     << " * arena:   " << build.arenaBytes << " bytes of activations, " << CNNC_ALIGNMENT
     << "-byte aligned, allocated by\n"
     << " *          create; run allocates nothing\n"
     << " * weights: " << build.name << ".weights (" << build.payload.size() << " bytes + a "
     << CNNC_WEIGHTS_HEADER_BYTES << "-byte header), signature "
     << llvm::format_hex(build.signature, 18) << "\n"
     << " *\n"
     << " * Link lib" << build.name << ".a (or .so) with -lpthread -ldl -lm. */\n"
     << "#ifndef " << guard << "\n#define " << guard << "\n\n#include \"cnnc_runtime.h\"\n\n"
     << "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n";
  const char *axes[] = {"N", "C", "H", "W"};
  for (int d = 0; d < 4; ++d)
    os << "#define CNNC_" << upper << "_INPUT_" << axes[d] << " " << in.getDimSize(d) << "\n";
  if (std::optional<InputNormalization> norm = inputNormalization(build.model)) {
    os << "/* The input the model expects: (pixel / 255 - MEAN[c]) / STD[c]. */\n";
    auto list = [&](llvm::ArrayRef<double> values) {
      os << "{";
      for (size_t i = 0; i < values.size(); ++i)
        os << (i ? ", " : "") << llvm::format("%.9g", values[i]) << "f";
      os << "}\n";
    };
    os << "#define CNNC_" << upper << "_INPUT_MEAN ";
    list(norm->mean);
    os << "#define CNNC_" << upper << "_INPUT_STD ";
    list(norm->std);
  }
  os << "#define CNNC_" << upper << "_NUM_CLASSES " << out.getDimSize(1) << "\n"
     << "#define CNNC_" << upper << "_ARENA_ALIGNMENT " << CNNC_ALIGNMENT << "\n\n"
     << "cnnc_status cnnc_" << id << "_create_from_file(const char *weights_path,\n"
     << "    const cnnc_options *options, cnnc_model **model);\n"
     << "cnnc_status cnnc_" << id << "_create_from_memory(const void *weights, size_t size,\n"
     << "    const cnnc_options *options, cnnc_model **model);\n\n"
     << "#ifdef __cplusplus\n}\n#endif\n\n#endif /* " << guard << " */\n";
  return llvm::Error::success();
}

llvm::Error writeRuntimeSources(const ModelBuild &build) {
  for (size_t i = 0; i < kRuntimeSourcesCount; ++i) {
    auto os = create(build, kRuntimeSources[i].name);
    if (!os)
      return os.takeError();
    **os << kRuntimeSources[i].text;
  }
  return llvm::Error::success();
}

} // namespace

llvm::Error writeBundle(const ModelBuild &build) {
  for (auto step : {writeWeightsFile, writeModelTable, writeHeader, writeRuntimeSources})
    if (llvm::Error error = step(build))
      return error;
  return llvm::Error::success();
}

} // namespace cnnc
