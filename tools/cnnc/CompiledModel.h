//===- CompiledModel.h - a compiled model, loaded for cnnc run/bench -*- C++ -*-===//
//
// `cnnc compile` leaves cnnc-model.json beside the library: which library,
// weights and C entry point belong to the model. run and bench dlopen the
// shared library and go through its C API, as an application would.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_TOOLS_COMPILEDMODEL_H
#define CNNC_TOOLS_COMPILEDMODEL_H

#include "cnnc_runtime.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>

namespace cnnc {

llvm::Error writeManifest(llvm::StringRef dir, mlir::func::FuncOp model, llvm::StringRef identifier,
                          llvm::StringRef target);

class CompiledModel {
public:
  static llvm::Expected<std::unique_ptr<CompiledModel>> open(llvm::StringRef dir,
                                                             const cnnc_options &options);
  ~CompiledModel();

  llvm::Error run(const float *input, size_t inputCount, float *output, size_t outputCount);
  const cnnc_model_info &info() const { return modelInfo; }

private:
  CompiledModel() = default;

  void *library = nullptr;
  cnnc_model *model = nullptr;
  cnnc_model_info modelInfo{};
  cnnc_status (*runFn)(cnnc_model *, const float *, size_t, float *, size_t) = nullptr;
  void (*destroyFn)(cnnc_model *) = nullptr;
};

} // namespace cnnc

#endif // CNNC_TOOLS_COMPILEDMODEL_H
