//===- HostCalibration.h - this machine as a roofline profile ---*- C++ -*-===//
//
// `--hardware host`: the machine cnnc runs on, measured in a second or two
// rather than looked up. Peak FP32 operations (independent fused
// multiply-add chains on every thread, in the widest vectors the CPU has),
// peak INT8 operations (the u8 x i8 dot-product sequence an INT8 kernel's
// inner loop uses: VNNI's vpdpbusd where the CPU has it, else pmaddubsw and
// pmaddwd), and memory bandwidth (a copy far larger than the caches, bytes
// read plus written). Energies cannot be measured here and are stated
// assumptions in the profile.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_COST_HOSTCALIBRATION_H
#define CNNC_COST_HOSTCALIBRATION_H

#include <string>

namespace cnnc {

/// Measures this machine and returns its profile as YAML text (the format
/// HardwareProfile.h reads), with comments saying what was measured and how.
std::string measureHostProfile();

} // namespace cnnc

#endif // CNNC_COST_HOSTCALIBRATION_H
