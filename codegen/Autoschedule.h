//===- Autoschedule.h - Halide's autoschedulers as schedules ----*- C++ -*-===//
//
// A schedule "autoscheduled NAME" is whatever Halide's autoscheduler NAME
// chooses for the kernel's pipeline (Autoschedule.cpp): the autotuner's
// seeds, on CPUs and GPUs alike.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_CODEGEN_AUTOSCHEDULE_H
#define CNNC_CODEGEN_AUTOSCHEDULE_H

#include "codegen/HalideKernel.h"
#include "codegen/Schedule.h"

#include <Halide.h>

namespace cnnc {

struct KernelSignature;

/// Whether Halide's plugin for `which` is installed (the Halide wheel cnnc is
/// built against ships them); it is loaded when first used.
bool autoschedulerAvailable(ScheduleParams::Autoscheduler which);

/// Those of `candidates` (a target family's) that seed the kernel `s` in
/// its schedule space: the installed ones, for a float kernel only (none was
/// tried on the integer kernels, whose tap pairs and tables cnnc stages
/// itself).
std::vector<ScheduleParams::Autoscheduler>
autoschedulersFor(const KernelSignature &s,
                  llvm::ArrayRef<ScheduleParams::Autoscheduler> candidates);

/// Schedules the kernel's pipeline for `target` by the autoscheduler
/// `signature.schedule` names, its estimates the kernel's static shapes.
void autoscheduleKernel(KernelFuncs &funcs, const KernelSignature &signature,
                        const Halide::Target &target);

} // namespace cnnc

#endif // CNNC_CODEGEN_AUTOSCHEDULE_H
