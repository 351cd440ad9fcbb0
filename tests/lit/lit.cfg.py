# lit configuration for cnnc: .mlir files exercise cnnc-opt (passes, verifiers,
# round trips); .yaml files exercise the spec frontend through cnnc; .c files
# are runtime programs built for a target and run under its emulator.
import importlib.util
import os
import platform
import shutil
import subprocess

import lit.formats

config.name = "cnnc"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir", ".yaml", ".c"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.cnnc_tools_dir, "..", "tests", "lit-out")
config.excludes = ["lit.cfg.py", "lit.site.cfg.py.in", "Inputs"]

config.environment["PATH"] = os.pathsep.join(
    [config.cnnc_tools_dir, config.llvm_tools_dir, config.environment.get("PATH", os.environ["PATH"])])
config.substitutions.append(("%inputs", os.path.join(config.test_source_root, "Inputs")))
config.substitutions.append(("%python", config.python))
config.substitutions.append(("%cmake", config.cmake))
config.substitutions.append(("%examples", os.path.join(config.cnnc_source_dir, "examples")))
# %make_weights CNNC MODEL OUT [...]: random weights for a model, optionally broken.
config.substitutions.append(
    ("%make_weights", config.python + " " +
     os.path.join(config.cnnc_source_dir, "tests", "tools", "make_weights.py") + " cnnc"))
# The cnnc binary by path, for commands run with a reduced PATH.
config.substitutions.append(("%cnnc", os.path.join(config.cnnc_tools_dir, "cnnc")))

# Target features: what this machine can build and run. Tests say what they
# need (REQUIRES) instead of assuming the host's ISA.
config.available_features.add("host-" + platform.machine())
if shutil.which("aarch64-linux-gnu-gcc") and shutil.which("aarch64-linux-gnu-g++"):
    config.available_features.add("arm64-cross")
# Zig (the Hexagon runner's toolchain) keeps its build of musl in a cache under HOME.
for name in ("HOME", "XDG_CACHE_HOME", "ZIG_GLOBAL_CACHE_DIR"):
    if name in os.environ:
        config.environment[name] = os.environ[name]
if shutil.which("qemu-hexagon"):
    config.available_features.add("qemu-hexagon")
zig_module = importlib.util.find_spec("ziglang")
zig = shutil.which("zig") or (os.path.join(os.path.dirname(zig_module.origin), "zig")
                              if zig_module else None)
if zig:
    config.available_features.add("hexagon-toolchain")
    config.substitutions.append(("%zig", zig))
if shutil.which("qemu-aarch64"):
    config.available_features.add("qemu-aarch64")
# GPU targets: an OpenCL driver runs the GPU schedules (PoCL on this CPU, from
# scripts/setup.sh); ptxas (the CUDA toolkit) checks CUDA device code; an
# NVIDIA driver's device node means a CUDA model really runs here.
if os.path.exists("/etc/OpenCL/vendors") and os.listdir("/etc/OpenCL/vendors"):
    config.available_features.add("opencl")
ptxas = shutil.which("ptxas") or ("/usr/local/cuda/bin/ptxas"
                                  if os.access("/usr/local/cuda/bin/ptxas", os.X_OK) else None)
if ptxas:
    config.available_features.add("ptxas")
    config.substitutions.append(("%ptxas", ptxas))
if os.path.exists("/dev/nvidia0"):
    config.available_features.add("nvidia-gpu")
try:
    with open("/proc/cpuinfo") as cpuinfo:
        flags = next((line.split(":", 1)[1].split() for line in cpuinfo
                      if line.startswith("flags")), [])
except OSError:
    flags = []
for feature in ("avx512f", "apx"):
    if any(f == feature or f.startswith(feature + "_") for f in flags):
        config.available_features.add("cpu-" + feature)
# The features of `host` as Halide names them (halide-host-avx512_zen4, ...):
# which instructions a model compiled for host may use.
try:
    host_target = subprocess.run(
        [config.python, "-c", "import halide; print(halide.get_host_target())"],
        capture_output=True, text=True, timeout=60).stdout.strip()
except (OSError, subprocess.SubprocessError):
    host_target = ""
for feature in host_target.split("-")[2:]:
    config.available_features.add("halide-host-" + feature)
