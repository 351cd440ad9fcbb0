# A CMake toolchain file for building the examples (or any application) for
# ARM64 Linux on an x86 machine, against a model compiled with
# `cnnc compile --target arm64`: Debian's g++-aarch64-linux-gnu.
#   cmake -S examples -B build-arm64 -DCMAKE_TOOLCHAIN_FILE=examples/aarch64-linux-gnu.cmake ...
# Run the programs under `qemu-aarch64 -L /usr/aarch64-linux-gnu`.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
