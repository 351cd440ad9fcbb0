//===- ModelLimits.h - the resource budget of a model -----------*- C++ -*-===//
//
// What cnnc accepts before doing any work: every size a spec can ask for,
// after scaling, is checked against these with exact arithmetic, so that an
// absurd model (phi: 50, width: 1e9, a 2^62 repeat count) is one located error
// instead of a hang, an abort or a wrapped extent. The defaults are far above
// every published EfficientNet (L2: 800 px, 5,504 channels, 25 blocks a
// stage, 480 M parameters; B7 has 55 blocks); a user who means more raises a
// limit with
// `--limit NAME=N[,NAME=N...]` (cnnc) or the passes' `limits` option.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_PASSES_MODELLIMITS_H
#define CNNC_PASSES_MODELLIMITS_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>

namespace cnnc {

struct ModelLimits {
  int64_t resolution = 4096;       // input height and width, pixels
  int64_t channels = 32768;        // channels of any layer, classes excepted
  int64_t repeats = 256;           // blocks in one stage
  int64_t blocks = 1024;           // blocks in the whole model
  int64_t classes = 1 << 20;       // outputs of the classifier
  int64_t batch = 1024;            // images per run
  int64_t parameters = 4000000000; // learned parameters of the whole model
  int64_t arenaBytes = 1LL << 36;  // activation memory of one run (64 GiB)
  /// What a compiled model's runtime holds at once (the weights twice while
  /// loading, the arena, the input and output): a device's memory budget.
  /// A 32-bit target's address space (Hexagon: 4 GiB) bounds it too.
  int64_t runnerBytes = 1LL << 40;

  /// `overrides` ("resolution=8192,channels=65536") applied over these;
  /// fails naming an unknown limit or a value that is not a positive integer.
  static llvm::Expected<ModelLimits> parse(llvm::StringRef overrides);

  /// "the limit of 4096 (raise it with --limit resolution=N)".
  static std::string describe(llvm::StringRef name, int64_t limit);
};

} // namespace cnnc

#endif // CNNC_PASSES_MODELLIMITS_H
