//===- CudaProbe.cpp - the NVIDIA GPU this machine has, if any ------------===//
#include "codegen/gpu/CudaProbe.h"

#include <Halide.h>

#include <cstdlib>
#include <dlfcn.h>

namespace cnnc {
namespace {

/// The driver API's attribute number for multiprocessors
/// (CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT).
constexpr int kMultiprocessorCount = 16;

CudaDevice probe() {
  CudaDevice device;
  void *driver = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!driver) {
    device.missing = "no CUDA driver (libcuda.so.1 cannot be loaded)";
    return device;
  }
  using Init = int (*)(unsigned);
  using Count = int (*)(int *);
  using Get = int (*)(int *, int);
  using Name = int (*)(char *, int, int);
  using Attribute = int (*)(int *, int, int);
  auto init = reinterpret_cast<Init>(dlsym(driver, "cuInit"));
  auto count = reinterpret_cast<Count>(dlsym(driver, "cuDeviceGetCount"));
  auto get = reinterpret_cast<Get>(dlsym(driver, "cuDeviceGet"));
  auto name = reinterpret_cast<Name>(dlsym(driver, "cuDeviceGetName"));
  auto attribute = reinterpret_cast<Attribute>(dlsym(driver, "cuDeviceGetAttribute"));
  // The device Halide's runtime takes (HL_GPU_DEVICE, else the first).
  const char *chosen = std::getenv("HL_GPU_DEVICE");
  int wanted = chosen ? std::atoi(chosen) : 0;
  int devices = 0, ordinal = 0;
  char text[256] = {0};
  if (!init || !count || !get || !name || !attribute)
    device.missing = "the CUDA driver lacks the device queries";
  else if (init(0) != 0 || count(&devices) != 0 || devices <= wanted || wanted < 0 ||
           get(&ordinal, wanted) != 0)
    device.missing = "the CUDA driver finds no GPU";
  else if (name(text, sizeof text - 1, ordinal) != 0 ||
           attribute(&device.multiprocessors, kMultiprocessorCount, ordinal) != 0)
    device.missing = "the CUDA driver cannot describe its GPU";
  else
    device.name = text;
  // The driver stays loaded: Halide's runtime loads the same library.
  return device;
}

} // namespace

std::string CudaDevice::str() const {
  return name + ", " + std::to_string(multiprocessors) + " SMs";
}

const CudaDevice &cudaDeviceHere() {
  static const CudaDevice device = probe();
  return device;
}

std::string cudaGpuFor(const std::string &halideTarget) {
  if (!Halide::Target(halideTarget).has_feature(Halide::Target::CUDA))
    return "";
  const CudaDevice &device = cudaDeviceHere();
  return device.missing.empty() ? device.str() : "none";
}

} // namespace cnnc
