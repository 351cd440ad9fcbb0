//===- Int8.cpp - --precision int8: calibrate, quantize, report -----------===//
#include "Int8.h"
#include "ImageInput.h"
#include "Npy.h"
#include "codegen/ReferenceEvaluator.h"
#include "codegen/quant/Calibration.h"
#include "passes/InputNormalization.h"
#include "passes/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/GlobPattern.h"
#include "llvm/Support/Path.h"

#include <algorithm>

namespace cnnc {
namespace {

llvm::Error fail(const llvm::Twine &message) {
  return llvm::createStringError(std::errc::invalid_argument, "%s", message.str().c_str());
}

/// Every PNG or JPEG in `dir`, by name, prepared as the model expects.
llvm::Expected<std::vector<HostTensor>> loadPhotos(llvm::StringRef dir, mlir::func::FuncOp model) {
  auto shape = llvm::cast<mlir::RankedTensorType>(model.getArgument(0).getType()).getShape();
  std::optional<InputNormalization> norm = inputNormalization(model);
  if (shape[1] != 3 || !norm)
    return fail("--calibrate " + dir +
                ": a folder of photos needs a model of 3 input channels "
                "with an input normalization; give it an .npy batch instead");
  if (shape[0] != 1)
    return fail("--calibrate " + dir + ": photos make batch-1 inputs; the model's batch is " +
                llvm::Twine(shape[0]) + ": give it an .npy batch instead");
  std::vector<std::string> files;
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it(dir, ec), end; it != end && !ec; it.increment(ec)) {
    std::string ext = llvm::StringRef(llvm::sys::path::extension(it->path())).lower();
    if (ext == ".png" || ext == ".jpg" || ext == ".jpeg")
      files.push_back(it->path());
  }
  if (ec)
    return fail("--calibrate " + dir + ": cannot read the folder: " + ec.message());
  if (files.empty())
    return fail("--calibrate " + dir + " holds no PNG or JPEG photos");
  std::sort(files.begin(), files.end());
  ImagePreprocessing pre = ImagePreprocessing::of(shape[2], norm->mean, norm->std);
  std::vector<HostTensor> inputs;
  for (const std::string &file : files) {
    llvm::Expected<HostTensor> photo = loadImageInput(file, pre);
    if (!photo)
      return photo.takeError();
    inputs.push_back(std::move(*photo));
  }
  return inputs;
}

llvm::Expected<std::vector<HostTensor>> loadCalibration(llvm::StringRef path,
                                                        mlir::func::FuncOp model) {
  if (path.empty())
    return fail("--precision int8 needs calibration data: --calibrate DIR (photos) or "
                "--calibrate BATCH.npy");
  if (llvm::sys::fs::is_directory(path))
    return loadPhotos(path, model);
  llvm::Expected<HostTensor> batch = readNpy(path);
  if (!batch)
    return batch.takeError();
  auto shape = llvm::cast<mlir::RankedTensorType>(model.getArgument(0).getType()).getShape();
  return splitBatches(path, *batch, shape, model.getSymName());
}

/// Each --keep-float glob must name some layer: a typo would keep nothing in float.
llvm::Expected<std::vector<std::string>> keepFloatGlobs(const Args &args,
                                                        mlir::func::FuncOp model) {
  std::vector<std::string> globs;
  std::string option = args.value("keep-float");
  llvm::SmallVector<llvm::StringRef> parts;
  llvm::StringRef(option).split(parts, ',', -1, /*KeepEmpty=*/false);
  llvm::StringSet<> layers;
  model.walk([&](mlir::Operation *op) {
    if (auto loc = llvm::dyn_cast<mlir::NameLoc>(op->getLoc()))
      layers.insert(loc.getName().strref());
  });
  for (llvm::StringRef part : parts) {
    llvm::Expected<llvm::GlobPattern> glob = llvm::GlobPattern::create(part);
    if (!glob)
      return fail("--keep-float '" + part + "' is not a glob: " + llvm::toString(glob.takeError()));
    bool matches =
        llvm::any_of(layers, [&](const auto &layer) { return glob->match(layer.getKey()); });
    if (!matches)
      return fail("--keep-float '" + part + "' matches no layer of " + model.getSymName() +
                  "; its layers are named stem, stages.S.blocks.B (with .se or .cbam for a "
                  "block's attention) and head (see cnnc ir)");
    globs.push_back(part.str());
  }
  return globs;
}

} // namespace

llvm::Expected<std::vector<HostTensor>> splitBatches(llvm::StringRef source,
                                                     const HostTensor &tensor,
                                                     llvm::ArrayRef<int64_t> modelInput,
                                                     llvm::StringRef model) {
  bool sameImage = tensor.shape.size() == modelInput.size() &&
                   std::equal(modelInput.begin() + 1, modelInput.end(), tensor.shape.begin() + 1);
  if (!sameImage || tensor.shape[0] % modelInput[0] != 0 || tensor.shape[0] == 0) {
    std::string expected = "(N·" + std::to_string(modelInput[0]);
    for (size_t d = 1; d < modelInput.size(); ++d)
      expected += ", " + std::to_string(modelInput[d]);
    if (llvm::Error error = checkInputShape(source, tensor, modelInput, model))
      return fail(llvm::toString(std::move(error)) + "; a batch of inputs is " + expected + ")");
  }
  std::vector<HostTensor> batches;
  int64_t perBatch = tensor.numElements() / (tensor.shape[0] / modelInput[0]);
  for (int64_t start = 0; start < tensor.numElements(); start += perBatch) {
    HostTensor batch(std::vector<int64_t>(modelInput.begin(), modelInput.end()));
    std::copy_n(tensor.f32().begin() + start, perBatch, batch.f32().begin());
    batches.push_back(std::move(batch));
  }
  return batches;
}

llvm::Error writeQuantizationReport(const std::string &path, const QuantizationReport &report) {
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (ec)
    return llvm::createStringError(ec, "cannot write %s: %s", path.c_str(), ec.message().c_str());
  os << llvm::formatv("{0:2}", quantizationReportJson(report)) << "\n";
  return llvm::Error::success();
}

llvm::Error checkInt8Options(const Args &args, bool int8) {
  if (!int8)
    for (llvm::StringRef option : kInt8Options)
      if (!args.value(option).empty())
        return llvm::createStringError(std::errc::invalid_argument, "--%s needs --precision int8",
                                       option.str().c_str());
  return llvm::Error::success();
}

namespace {

/// --accuracy-budget DB: the least integer-model logit SQNR to accept.
llvm::Expected<std::optional<double>> accuracyBudget(const Args &args) {
  std::string text = args.value("accuracy-budget");
  if (text.empty())
    return std::nullopt;
  double db;
  if (llvm::StringRef(text).getAsDouble(db) || !std::isfinite(db))
    return fail("--accuracy-budget takes a logit SQNR in dB, such as 25, got '" + text + "'");
  return db;
}

/// --requantization: the rule of every cnn.requantize (cnn-lower-quantized).
llvm::Expected<std::string> requantizationRule(const Args &args, llvm::StringRef defaultRule) {
  std::string rule = args.value("requantization", defaultRule.str());
  if (rule != "fixed-point" && rule != "float32")
    return fail("--requantization must be fixed-point or float32, got '" + rule + "'");
  return rule;
}

/// Quantizes the calibrated `model` (layers matching `keepFloat` left in
/// float), measures the simulation, lowers it to integer ops and measures
/// the integer model, against `reference` and its logits on `inputs`.
llvm::Expected<QuantizationReport>
quantizeAndMeasure(mlir::func::FuncOp model, mlir::func::FuncOp reference,
                   llvm::ArrayRef<HostTensor> referenceLogits, const WeightSet &weights,
                   const std::vector<HostTensor> &inputs, const std::vector<std::string> &keepFloat,
                   const std::string &requantization,
                   mlir::OwningOpRef<mlir::func::FuncOp> *simulated) {
  mlir::PassManager pm(model.getContext(), mlir::func::FuncOp::getOperationName());
  CnnQuantizeOptions options;
  options.keepFloat = keepFloat;
  pm.addPass(createCnnQuantize(options));
  if (mlir::failed(pm.run(model)))
    return fail("cnn-quantize failed on " + model.getSymName());
  llvm::Expected<QuantizationReport> report =
      measureQuantization(reference, model, weights, inputs);
  if (!report)
    return report.takeError();
  if (simulated)
    *simulated = model.clone();
  // The simulation measured, the model becomes the integer one it stands for.
  mlir::PassManager lower(model.getContext(), mlir::func::FuncOp::getOperationName());
  CnnLowerQuantizedOptions lowering;
  lowering.requantization = requantization;
  lower.addPass(createCnnLowerQuantized(lowering));
  if (mlir::failed(lower.run(model)))
    return fail("cnn-lower-quantized failed on " + model.getSymName());
  if (llvm::Error error = measureIntegerModel(referenceLogits, model, weights, inputs, *report))
    return std::move(error);
  return report;
}

} // namespace

llvm::StringRef defaultRequantization(bool floatVectors) {
  return floatVectors ? "float32" : "fixed-point";
}

llvm::Expected<QuantizationReport>
quantizeToInt8(mlir::func::FuncOp model, WeightSet &weights, const Args &args,
               llvm::StringRef defaultRule, mlir::OwningOpRef<mlir::func::FuncOp> *simulated,
               const std::function<void(llvm::StringRef)> &phase) {
  auto announce = [&](const llvm::Twine &name) {
    if (phase)
      phase(name.str());
  };
  llvm::Expected<CalibrationOptions> method =
      parseCalibrationMethod(args.value("calibration-method", "minmax"));
  if (!method)
    return method.takeError();
  llvm::Expected<std::vector<std::string>> keepFloat = keepFloatGlobs(args, model);
  if (!keepFloat)
    return keepFloat.takeError();
  llvm::Expected<std::optional<double>> budget = accuracyBudget(args);
  if (!budget)
    return budget.takeError();
  llvm::Expected<std::string> requantization = requantizationRule(args, defaultRule);
  if (!requantization)
    return requantization.takeError();
  announce("reading the calibration inputs");
  llvm::Expected<std::vector<HostTensor>> inputs = loadCalibration(args.value("calibrate"), model);
  if (!inputs)
    return inputs.takeError();
  announce("calibrating on " + llvm::Twine(inputs->size()) + " inputs");
  if (llvm::Error error = calibrate(model, weights, *inputs, *method))
    return std::move(error);

  // The calibrated float model: what the quantized one is measured against,
  // and what each try of the accuracy budget quantizes afresh. Its logits
  // are the same for every try.
  mlir::OwningOpRef<mlir::func::FuncOp> reference = model.clone();
  std::vector<HostTensor> referenceLogits;
  for (const HostTensor &input : *inputs) {
    llvm::Expected<HostTensor> logits = evaluateReference(*reference, weights, input);
    if (!logits)
      return logits.takeError();
    referenceLogits.push_back(std::move(*logits));
  }
  std::vector<std::string> kept = *keepFloat;
  while (true) {
    size_t added = kept.size() - keepFloat->size();
    announce(added ? "quantizing again with " + std::to_string(added) +
                         " more layers in float (--accuracy-budget)"
                   : std::string("quantizing and measuring"));
    llvm::Expected<QuantizationReport> report = quantizeAndMeasure(
        model, *reference, referenceLogits, weights, *inputs, kept, *requantization, simulated);
    if (!report)
      return report.takeError();
    report->keptFloat = kept;
    if (!*budget || *report->integerLogitSqnrDb >= **budget)
      return report;
    // The worst quantized tensor's layer goes back to float, and the
    // calibrated model is quantized again without it.
    auto worst = llvm::find_if(report->tensors, [&](const QuantizedTensor &t) {
      return !t.location.empty() && !llvm::is_contained(kept, t.location);
    });
    if (worst == report->tensors.end())
      return fail(llvm::formatv("--accuracy-budget {0} dB is not met even with every layer in "
                                "float but the input's quantization ({1:F1} dB)",
                                **budget, *report->integerLogitSqnrDb)
                      .str());
    kept.push_back(worst->location);
    mlir::func::FuncOp fresh = reference->clone();
    model.getBody().takeBody(fresh.getBody());
    fresh.erase();
  }
}

} // namespace cnnc
