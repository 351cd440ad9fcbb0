//===- GpuBackend.h - GPU targets: CUDA, and OpenCL for the rest -*- C++ -*-===//
//
// One family for every GPU API Halide compiles for: the schedules map blocks
// of output onto GPU threads whatever the API, so CUDA (NVIDIA) and OpenCL
// (other GPUs, and PoCL on a CPU, which is how this machine runs the GPU
// schedules without a GPU) share them, and differ only in the Halide target.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_CODEGEN_GPU_GPUBACKEND_H
#define CNNC_CODEGEN_GPU_GPUBACKEND_H

#include "codegen/TargetBackend.h"

namespace cnnc {

/// Threads in a GPU block: at most this many, so that every GPU runs them.
constexpr int kMaxThreadsPerBlock = 256;

/// Applies a GPU schedule to a kernel's Halide pipeline (GpuSchedule.cpp).
void applyGpuSchedule(KernelFuncs &funcs, const KernelSignature &signature);

} // namespace cnnc

#endif // CNNC_CODEGEN_GPU_GPUBACKEND_H
