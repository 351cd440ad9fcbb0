//===- DeviceFingerprint.h - the machine a time was measured on -*- C++ -*-===//
//
// A tuning record's times hold on the machine that measured them: its CPU
// model, the instruction-set features that change which code is fast, and
// its core count; for a GPU target, the GPU alone (its name and
// multiprocessor count: the host CPU only launches its kernels). Two
// machines with the same fingerprint may share a tuning database; any
// difference makes the records foreign.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_TUNING_DEVICEFINGERPRINT_H
#define CNNC_TUNING_DEVICEFINGERPRINT_H

#include <string>
#include <vector>

namespace cnnc {

struct DeviceFingerprint {
  std::string cpu;              // the CPU's model name
  std::vector<std::string> isa; // the features that matter to kernels, sorted
  unsigned cores = 0;           // hardware threads
  std::string gpu;              // "NVIDIA H200, 132 SMs"; empty for a CPU target

  /// "cpu=AMD EPYC 7B13 64-Core Processor; cores=2; isa=avx2,f16c,fma", or
  /// "gpu=NVIDIA H200, 132 SMs" for a GPU target.
  std::string str() const;

  /// This machine's.
  static DeviceFingerprint host();
};

} // namespace cnnc

#endif // CNNC_TUNING_DEVICEFINGERPRINT_H
