//===- CudaProbe.h - the NVIDIA GPU this machine has, if any ----*- C++ -*-===//
//
// The tuner measures a CUDA kernel only on a real GPU, and files its records
// under that GPU (a tuning record holds on the device that measured it: its
// name and multiprocessor count, as the CPU's model and cores for a CPU). The
// driver (libcuda.so.1) is asked directly, not through Halide, whose JIT
// runtime turns a missing driver into a failure of the first kernel.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_CODEGEN_GPU_CUDAPROBE_H
#define CNNC_CODEGEN_GPU_CUDAPROBE_H

#include <string>

namespace cnnc {

struct CudaDevice {
  std::string name; // the device's (HL_GPU_DEVICE's, else the first), as the driver names it
  int multiprocessors = 0;
  std::string missing; // why there is none: no driver, no device; empty if there is

  /// "NVIDIA H200, 132 SMs".
  std::string str() const;
};

/// This machine's CUDA device, the one Halide's runtime uses (HL_GPU_DEVICE,
/// else the first), probed once per process.
const CudaDevice &cudaDeviceHere();

/// For a CUDA target, the GPU its kernels run on here ("NVIDIA H200, 132
/// SMs", or "none"); empty for any other target.
std::string cudaGpuFor(const std::string &halideTarget);

} // namespace cnnc

#endif // CNNC_CODEGEN_GPU_CUDAPROBE_H
