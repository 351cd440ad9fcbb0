//===- HardwareProfile.h - what the cost model knows of a device -*- C++ -*-===//
//
// A hardware profile describes a device to the cost model (CostModel.h) in
// one of two ways:
// - a systolic array (an NPU or a TPU-like matrix unit): its array, clock,
//   on-chip buffers, DRAM bandwidth and energies, from which a layer's cycles
//   are counted as SCALE-Sim counts them;
// - a roofline device (a GPU, a CPU): peak operations per second per
//   precision and memory bandwidth, a layer taking the longer of its compute
//   and its memory time.
// Profiles are YAML files: those shipped with cnnc (hardware/*.yaml, carried
// in the binary) are named by their name, any other by its path. Each number
// in a shipped profile cites its source in the file.
//
//===----------------------------------------------------------------------===//
#ifndef CNNC_COST_HARDWAREPROFILE_H
#define CNNC_COST_HARDWAREPROFILE_H

#include "mlir/IR/MLIRContext.h"
#include "mlir/Support/LogicalResult.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/SourceMgr.h"

#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace cnnc {

/// The arithmetic a model runs in: its weights and activations are this wide.
enum class Precision { int8, fp32 };

llvm::StringRef precisionName(Precision precision);
int64_t bytesPerElement(Precision precision);

/// A quantity that depends on the precision.
struct PerPrecision {
  double int8 = 0, fp32 = 0;
  double operator[](Precision precision) const {
    return precision == Precision::int8 ? int8 : fp32;
  }
};

/// How a systolic array runs a depthwise convolution, whose channels share no
/// inputs (CostModel.cpp says what each costs).
enum class DepthwiseMapping {
  /// Each channel alone, as a one-filter convolution: one column busy.
  perChannel,
  /// Channels across the columns, each column fed its own channel's inputs,
  /// as NPUs with depthwise support do.
  channelParallel,
};

/// An output-stationary systolic array of multiply-accumulate units.
struct SystolicArray {
  int64_t rows = 0, columns = 0;
  DepthwiseMapping depthwise = DepthwiseMapping::channelParallel;
  /// On-chip buffers (SCALE-Sim's ifmap, filter and ofmap SRAMs).
  int64_t ifmapBufferBytes = 0, filterBufferBytes = 0, ofmapBufferBytes = 0;
  double dramBytesPerCycle = 0;
  PerPrecision macEnergyJ;
  double sramByteEnergyJ = 0, dramByteEnergyJ = 0;
};

/// A device described by its roofline.
struct RooflineDevice {
  /// Operations (2 per multiply-accumulate) per second.
  PerPrecision peakOpsPerSecond;
  double memoryBytesPerSecond = 0;
  PerPrecision opEnergyJ;
  double memoryByteEnergyJ = 0;
};

struct HardwareProfile {
  std::string name, description;
  double clockHz = 0;
  /// Drawn whether the device computes or waits.
  double staticPowerW = 0;
  std::variant<SystolicArray, RooflineDevice> device;
};

/// The name that measures this machine (HostCalibration.h) instead of
/// reading a file.
inline constexpr llvm::StringLiteral kHostProfile("host");

/// The shipped profiles' names, sorted.
std::vector<llvm::StringRef> hardwareProfileNames();

/// The YAML text of shipped profile `name`, or of this machine measured now
/// for kHostProfile; nothing for another name.
std::optional<std::string> hardwareProfileText(llvm::StringRef name);

/// Loads `nameOrPath`: a shipped profile's name, kHostProfile, or the path of
/// a profile file (anything ending in .yaml/.yml or containing a '/'). Errors go to
/// `context`'s diagnostic handler, located in the buffer this adds to
/// `sourceMgr`.
mlir::FailureOr<HardwareProfile> loadHardwareProfile(llvm::StringRef nameOrPath,
                                                     llvm::SourceMgr &sourceMgr,
                                                     mlir::MLIRContext &context);

/// Reads a profile from `text`, named `bufferName` in errors.
mlir::FailureOr<HardwareProfile> parseHardwareProfile(llvm::StringRef text,
                                                      llvm::StringRef bufferName,
                                                      llvm::SourceMgr &sourceMgr,
                                                      mlir::MLIRContext &context);

} // namespace cnnc

#endif // CNNC_COST_HARDWAREPROFILE_H
