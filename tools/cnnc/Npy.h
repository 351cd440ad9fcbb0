//===- Npy.h - NumPy .npy files ---------------------------------*- C++ -*-===//
#ifndef CNNC_TOOLS_NPY_H
#define CNNC_TOOLS_NPY_H

#include "codegen/HostTensor.h"
#include "llvm/Support/Error.h"

namespace cnnc {

/// Reads a C-ordered little-endian float32 .npy file; any other dtype or
/// layout is an error naming the file and what it holds.
llvm::Expected<HostTensor> readNpy(llvm::StringRef path);

/// Writes `tensor` as a float32 .npy file (format version 1.0).
llvm::Error writeNpy(llvm::StringRef path, const HostTensor &tensor);

/// Fails, naming `source` and `model`, unless `input` has shape `expected`.
llvm::Error checkInputShape(llvm::StringRef source, const HostTensor &input,
                            llvm::ArrayRef<int64_t> expected, llvm::StringRef model);

} // namespace cnnc

#endif // CNNC_TOOLS_NPY_H
