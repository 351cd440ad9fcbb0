//===- FuzzManifest.cpp - the compiled model's manifest -------------------===//
//
// Parses the input as cnnc-model.json; only parses: a manifest that passes
// would name a library to load, which the fuzzer must not do.
//
//===----------------------------------------------------------------------===//
#include "CompiledModel.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef text(reinterpret_cast<const char *>(data), size);
  llvm::Expected<cnnc::ModelManifest> manifest = cnnc::ModelManifest::parse(text, "fuzz.json");
  if (!manifest)
    llvm::consumeError(manifest.takeError());
  return 0;
}
