//===- Commands.h - cnnc subcommands ----------------------------*- C++ -*-===//
#ifndef CNNC_TOOLS_COMMANDS_H
#define CNNC_TOOLS_COMMANDS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

namespace cnnc {

/// `cnnc stats MODEL [--json]`; returns the process exit status.
int runStatsCommand(llvm::ArrayRef<llvm::StringRef> args);

/// `cnnc report MODEL... --hardware PROFILE,... -o DIR`: the characterization report.
int runReportCommand(llvm::ArrayRef<llvm::StringRef> args);

/// `cnnc export MODEL (--weights W | --random-weights SEED) -o MODEL.onnx`.
int runExportCommand(llvm::ArrayRef<llvm::StringRef> args);

/// `cnnc eval MODEL --weights W --input X.npy --output Y.npy`: the reference path.
int runEvalCommand(llvm::ArrayRef<llvm::StringRef> args);

/// `cnnc compile MODEL --target T (--weights W | --random-weights SEED) -o DIR`.
int runCompileCommand(llvm::ArrayRef<llvm::StringRef> args);

/// `cnnc run DIR --input X.npy --output Y.npy`.
int runRunCommand(llvm::ArrayRef<llvm::StringRef> args);

/// `cnnc bench DIR [--threads N]`: latency and throughput.
int runBenchCommand(llvm::ArrayRef<llvm::StringRef> args);

/// `cnnc tune --report|--distill|--context`: the tuning database's tools.
int runTuneCommand(llvm::ArrayRef<llvm::StringRef> args);

} // namespace cnnc

#endif // CNNC_TOOLS_COMMANDS_H
