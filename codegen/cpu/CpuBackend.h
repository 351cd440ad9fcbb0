//===- CpuBackend.h - what every CPU target family shares -------*- C++ -*-===//
//
// x86-64 and ARM64 kernels are the same schedules sized by different register
// files: this base class chooses, bounds and applies them (CpuSchedule.cpp),
// and a family supplies its Halide targets, register file, toolchain and
// launcher.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_CODEGEN_CPU_CPUBACKEND_H
#define CNNC_CODEGEN_CPU_CPUBACKEND_H

#include "codegen/TargetBackend.h"

namespace cnnc {

class CpuBackend : public TargetBackend {
public:
  llvm::ArrayRef<ElementType> elementTypes() const override;
  ScheduleParams defaultSchedule(const KernelSignature &signature,
                                 llvm::StringRef halideTarget) const override;
  ScheduleSpace scheduleSpace(const KernelSignature &signature,
                              llvm::StringRef halideTarget) const override;
  void applySchedule(KernelFuncs &funcs, const KernelSignature &signature) const override;
};

/// The instruction-set features of `halideTarget` that this machine's CPU
/// lacks, by Halide's names ("avx512_skylake"): code using them would die
/// with SIGILL here.
std::vector<std::string> featuresMissingOnHost(llvm::StringRef halideTarget);

/// Applies a CPU schedule to a kernel's Halide pipeline (CpuSchedule.cpp).
void applyCpuSchedule(KernelFuncs &funcs, const KernelSignature &signature);

} // namespace cnnc

#endif // CNNC_CODEGEN_CPU_CPUBACKEND_H
