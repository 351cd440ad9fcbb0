//===- Args.cpp - command-line arguments of a cnnc subcommand -------------===//
#include "Args.h"
#include "interchange/OnnxImport.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/raw_ostream.h"

namespace cnnc {

static llvm::Expected<Args> parseArgs(llvm::ArrayRef<llvm::StringRef> args,
                                      llvm::ArrayRef<llvm::StringRef> valueOptions,
                                      llvm::ArrayRef<llvm::StringRef> flagOptions) {
  Args parsed;
  for (size_t i = 0; i < args.size(); ++i) {
    llvm::StringRef arg = args[i];
    bool shortOption = arg.size() == 2 && arg[0] == '-' && arg[1] != '-'; // -o
    if (!arg.starts_with("--") && !shortOption) {
      parsed.positional.push_back(arg.str());
      continue;
    }
    auto [name, inlineValue] = arg.drop_front(shortOption ? 1 : 2).split('=');
    if (llvm::is_contained(flagOptions, name) && !arg.contains('=')) {
      parsed.flags[name] = true;
    } else if (llvm::is_contained(valueOptions, name)) {
      if (arg.contains('='))
        parsed.values[name] = inlineValue.str();
      else if (i + 1 < args.size())
        parsed.values[name] = args[++i].str();
      else
        return llvm::createStringError(std::errc::invalid_argument, "--%s needs a value",
                                       name.str().c_str());
    } else {
      return llvm::createStringError(std::errc::invalid_argument, "unexpected argument '%s'",
                                     arg.str().c_str());
    }
  }
  return parsed;
}

std::optional<Args> parseCommandArgs(llvm::StringRef command, llvm::ArrayRef<llvm::StringRef> args,
                                     llvm::ArrayRef<llvm::StringRef> valueOptions,
                                     llvm::ArrayRef<llvm::StringRef> flagOptions,
                                     llvm::StringRef usage) {
  llvm::Expected<Args> parsed = parseArgs(args, valueOptions, flagOptions);
  if (parsed)
    return std::move(*parsed);
  llvm::errs() << "cnnc " << command << ": " << llvm::toString(parsed.takeError()) << "\n" << usage;
  return std::nullopt;
}

llvm::Expected<std::optional<WeightScheme>> weightSchemeOption(const Args &args) {
  std::string name = args.value("weight-scheme", "auto");
  if (name == "auto")
    return std::nullopt;
  if (std::optional<WeightScheme> scheme = parseWeightScheme(name))
    return scheme;
  std::string known = "auto";
  for (const WeightSchemeInfo &info : weightSchemes())
    known += ", " + info.name.str();
  return llvm::createStringError(std::errc::invalid_argument,
                                 "--weight-scheme must be one of %s, got '%s'", known.c_str(),
                                 name.c_str());
}

int reportError(llvm::StringRef command, llvm::Error error) {
  llvm::errs() << "cnnc " << command << ": error: " << llvm::toString(std::move(error)) << "\n";
  return 1;
}

bool weightsChoiceGiven(const Args &args) {
  bool random = !args.value("random-weights").empty(), file = !args.value("weights").empty();
  if (!random && !file)
    return !args.positional.empty() && isOnnxModelPath(args.positional[0]);
  return random != file;
}

llvm::Expected<ChosenWeights> weightsOption(const Args &args, mlir::func::FuncOp model,
                                            const WeightSet *carried) {
  if (carried && !args.value("weights").empty())
    return llvm::createStringError(std::errc::invalid_argument,
                                   "an ONNX model carries its weights: leave out --weights");
  if (!args.value("random-weights").empty()) {
    uint64_t seed;
    if (llvm::StringRef(args.value("random-weights")).getAsInteger(10, seed))
      return llvm::createStringError(std::errc::invalid_argument,
                                     "--random-weights takes a number, got '%s'",
                                     args.value("random-weights").c_str());
    return ChosenWeights{randomWeights(model, seed), "random"};
  }
  if (carried)
    return ChosenWeights{*carried, "ONNX"};
  llvm::Expected<std::optional<WeightScheme>> scheme = weightSchemeOption(args);
  if (!scheme)
    return scheme.takeError();
  llvm::Expected<ImportedWeights> imported =
      importWeightsFile(model, args.value("weights"), *scheme);
  if (!imported)
    return imported.takeError();
  return ChosenWeights{std::move(imported->weights),
                       weightSchemeInfo(imported->scheme).name.str() + "-named"};
}

llvm::Expected<Precision> precisionOf(const Args &args) {
  std::string name = args.value("precision", "f32");
  if (name == "int8")
    return Precision::int8;
  if (name == "f32" || name == "fp32")
    return Precision::fp32;
  return llvm::createStringError(std::errc::invalid_argument,
                                 "--precision must be f32 (or fp32) or int8, got '%s'",
                                 name.c_str());
}

std::optional<int64_t> batchOf(const Args &args) {
  int64_t batch = 0;
  if (llvm::StringRef(args.value("batch", "1")).getAsInteger(10, batch) || batch < 1)
    return std::nullopt;
  return batch;
}

std::optional<Precision> precisionOption(llvm::StringRef command, const Args &args) {
  llvm::Expected<Precision> precision = precisionOf(args);
  if (!precision) {
    reportError(command, precision.takeError());
    return std::nullopt;
  }
  return *precision;
}

} // namespace cnnc
