//===- DeviceFingerprint.cpp - the machine a time was measured on ---------===//
#include "tuning/DeviceFingerprint.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/TargetParser/Host.h"

#include <algorithm>
#include <thread>

namespace cnnc {
namespace {

/// The features whose presence changes which schedule is fastest: vector
/// widths, fused multiply-add, the dot-product instructions.
constexpr const char *kKernelFeatures[] = {"avx",     "avx2",     "fma",        "f16c",
                                           "avx512f", "avx512bw", "avx512vnni", "avxvnni",
                                           "neon",    "dotprod",  "fullfp16",   "sve"};

/// The CPU's model name as the kernel reports it, else LLVM's name for it.
std::string cpuModel() {
  // /proc files report no size: read them as a stream, to their end.
  if (auto buffer = llvm::MemoryBuffer::getFileAsStream("/proc/cpuinfo")) {
    llvm::SmallVector<llvm::StringRef> lines;
    (*buffer)->getBuffer().split(lines, '\n');
    for (llvm::StringRef line : lines) {
      auto [key, value] = line.split(':');
      if (key.trim() == "model name")
        return value.trim().str();
    }
  }
  return llvm::sys::getHostCPUName().str();
}

} // namespace

std::string DeviceFingerprint::str() const {
  if (!gpu.empty())
    return "gpu=" + gpu;
  return "cpu=" + cpu + "; cores=" + std::to_string(cores) + "; isa=" + llvm::join(isa, ",");
}

DeviceFingerprint DeviceFingerprint::host() {
  DeviceFingerprint device;
  device.cpu = cpuModel();
  device.cores = std::thread::hardware_concurrency();
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  for (const char *feature : kKernelFeatures)
    if (features.lookup(feature))
      device.isa.push_back(feature);
  std::sort(device.isa.begin(), device.isa.end());
  return device;
}

} // namespace cnnc
