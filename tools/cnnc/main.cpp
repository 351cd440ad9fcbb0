//===- main.cpp - the cnnc driver -----------------------------------------===//
#include "Commands.h"
#include "ModelSession.h"
#include "frontend/Presets.h"

#include "mlir/IR/AsmState.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>
#include <functional>
#include <string>

using namespace mlir;

namespace {

const char kUsage[] = R"(usage: cnnc COMMAND [ARGS]

commands:
  stats MODEL [--json]           per-stage table and totals: parameters, MACs,
                                 activation memory (total and peak live)
  ir MODEL [--level LEVEL]       print the model as MLIR; LEVEL is spec (effnet
                                 dialect as written), scaled (after compound
                                 scaling) or cnn (lowered, the default)
  presets                        list the preset names

MODEL is a preset name (see `cnnc presets`) or the path of a YAML spec.
)";

int runIrCommand(ArrayRef<StringRef> args) {
  StringRef modelName, level = "cnn";
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--level" && i + 1 < args.size())
      level = args[++i];
    else if (args[i].starts_with("--level="))
      level = args[i].drop_front(strlen("--level="));
    else if (!args[i].starts_with("-") && modelName.empty())
      modelName = args[i];
    else {
      llvm::errs() << "cnnc ir: unexpected argument '" << args[i] << "'\n" << kUsage;
      return 2;
    }
  }
  if (modelName.empty() || !(level == "spec" || level == "scaled" || level == "cnn")) {
    llvm::errs() << "usage: cnnc ir MODEL [--level spec|scaled|cnn]\n";
    return 2;
  }
  cnnc::ModelSession session;
  if (failed(session.load(modelName)))
    return 1;
  OpPrintingFlags flags;
  if (level == "spec") {
    session.module()->print(llvm::outs(), flags);
    return 0;
  }
  bool printed = false;
  auto printScaled = [&](cnnc::effnet::ModelOp model) {
    model->print(llvm::outs(), flags);
    llvm::outs() << "\n";
    printed = true;
  };
  std::function<void(cnnc::effnet::ModelOp)> afterScaling;
  if (level == "scaled")
    afterScaling = printScaled;
  if (failed(session.lower(afterScaling)))
    return 1;
  if (!printed)
    session.module()->print(llvm::outs(), flags);
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  if (argc < 2) {
    llvm::errs() << kUsage;
    return 2;
  }
  StringRef command = argv[1];
  std::vector<StringRef> args(argv + 2, argv + argc);
  if (command == "stats")
    return cnnc::runStatsCommand(args);
  if (command == "ir")
    return runIrCommand(args);
  if (command == "presets") {
    for (StringRef name : cnnc::presetNames())
      llvm::outs() << name << "\n";
    return 0;
  }
  if (command == "help" || command == "--help" || command == "-h") {
    llvm::outs() << kUsage;
    return 0;
  }
  llvm::errs() << "cnnc: unknown command '" << command << "'\n" << kUsage;
  return 2;
}
