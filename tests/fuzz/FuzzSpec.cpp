//===- FuzzSpec.cpp - the spec reader, scaling and lowering ---------------===//
//
// A spec as a user writes it, through what `cnnc stats` runs: YAML, the spec
// schema, `base:` chains, compound scaling within the resource limits, and
// the lowering to cnn IR. Every input must end in IR or in diagnostics.
//
//===----------------------------------------------------------------------===//
#include "FuzzInput.h"
#include "ModelSession.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string path = cnnc::fuzz::asFile(data, size, ".yaml");
  cnnc::ModelSession session;
  if (mlir::succeeded(session.load(path)))
    (void)session.lower(cnnc::ModelSession::Pipeline::frontend);
  return 0;
}
