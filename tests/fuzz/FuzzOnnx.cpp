//===- FuzzOnnx.cpp - the ONNX importer -----------------------------------===//
//
// An ONNX file as `cnnc compile model.onnx` reads it: protobuf, constants in
// every encoding, shape arithmetic folded at import, the graph lowered node by
// node into cnn IR within the resource limits. Every input must end in IR or
// in one error.
//
//===----------------------------------------------------------------------===//
#include "FuzzInput.h"
#include "ModelSession.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string path = cnnc::fuzz::asFile(data, size, ".onnx");
  cnnc::ModelSession session;
  if (mlir::succeeded(session.load(path)))
    (void)session.lower(cnnc::ModelSession::Pipeline::frontend);
  return 0;
}
