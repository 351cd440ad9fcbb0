//===- Args.h - command-line arguments of a cnnc subcommand -----*- C++ -*-===//
#ifndef CNNC_TOOLS_ARGS_H
#define CNNC_TOOLS_ARGS_H

#include "cost/HardwareProfile.h"
#include "dialect/WeightSchemes.h"
#include "frontend/WeightImport.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Error.h"

#include <optional>
#include <string>
#include <vector>

namespace cnnc {

struct Args {
  std::vector<std::string> positional;
  llvm::StringMap<std::string> values; // --name VALUE or --name=VALUE
  llvm::StringMap<bool> flags;         // --name

  std::string value(llvm::StringRef name, llvm::StringRef fallback = "") const {
    auto it = values.find(name);
    return it == values.end() ? fallback.str() : it->second;
  }
  bool flag(llvm::StringRef name) const { return flags.count(name) != 0; }
};

/// The exit status of a command-line mistake (after the usage is printed).
constexpr int kUsageError = 2;

/// Parses the arguments of `cnnc <command>`, knowing which options take a
/// value and which are flags (names of one letter also take one dash: -o DIR).
/// On an unknown option or a missing value, prints "cnnc <command>: what" and
/// `usage` and returns nothing: the command then returns kUsageError.
std::optional<Args> parseCommandArgs(llvm::StringRef command, llvm::ArrayRef<llvm::StringRef> args,
                                     llvm::ArrayRef<llvm::StringRef> valueOptions,
                                     llvm::ArrayRef<llvm::StringRef> flagOptions,
                                     llvm::StringRef usage);

/// `--weight-scheme NAME`: a scheme of WeightSchemes.h, or none for `auto` or
/// when absent (the scheme is then detected from the file).
llvm::Expected<std::optional<WeightScheme>> weightSchemeOption(const Args &args);

/// `--precision`: int8, or f32 (also spelled fp32, the default); an error
/// for anything else.
llvm::Expected<Precision> precisionOf(const Args &args);

/// `--batch N`: the images a compiled model runs at once (1 when absent);
/// nothing for a value that is not a positive integer.
std::optional<int64_t> batchOf(const Args &args);

/// precisionOf, or nothing after its error naming `command`.
std::optional<Precision> precisionOption(llvm::StringRef command, const Args &args);

/// Whether the weights are chosen as a command that needs them requires:
/// exactly one of `--weights` and `--random-weights`, or neither for an
/// ONNX model (its first positional argument), which carries its own.
bool weightsChoiceGiven(const Args &args);

/// A model's weights as `--weights W.safetensors [--weight-scheme S]` or
/// `--random-weights SEED` give them, else the ONNX model's own (`carried`),
/// and where they came from ("random", "torchvision-named", "ONNX").
struct ChosenWeights {
  WeightSet weights;
  std::string from;
};
llvm::Expected<ChosenWeights> weightsOption(const Args &args, mlir::func::FuncOp model,
                                            const WeightSet *carried = nullptr);

/// Prints "cnnc <command>: error: <message>"; returns 1, a failed command's status.
int reportError(llvm::StringRef command, llvm::Error error);

} // namespace cnnc

#endif // CNNC_TOOLS_ARGS_H
