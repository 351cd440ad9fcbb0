//===- PackageWriter.cpp - a compiled model as a CMake and pkg-config package ===//
//
// So that an application's build finds a compiled model like any other
// library, the output directory is also a package:
// - `<name>Config.cmake`: find_package(<name> CONFIG) with the directory on
//   CMAKE_PREFIX_PATH (or <name>_DIR set to it) defines the imported target
//   cnnc::<name> (the static library, its include directory and what it
//   links with), and the variables <name>_WEIGHTS (the weights file's path),
//   <name>_HEADER, <name>_CREATE_FROM_FILE and <name>_CREATE_FROM_MEMORY (the
//   header's name and the create functions', which follow the model's name).
//   A model compiled for another processor, pointer size or operating system
//   than the project's is not found, with a message saying which it was
//   compiled for. A Hexagon model's package leaves halide_print and
//   qurt_hvx_lock/unlock to the program (docs/hexagon.md).
// - `<name>.pc`: pkg-config's description of the same, relative to the file
//   (${pcfiledir}), with the weights file's path as the variable `weights`.
//
//===----------------------------------------------------------------------===//
#include "codegen/ModelBuild.h"
#include "codegen/Versions.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/raw_ostream.h"

namespace cnnc {
namespace {

/// What a project must be built for to link a model for a Halide target:
/// CMAKE_SYSTEM_PROCESSOR's names for its processor, its pointer size, and
/// the operating system (none for bare code).
struct Platform {
  llvm::StringRef processors;
  int pointerBytes;
  llvm::StringRef system;
};

Platform platformOf(llvm::StringRef halideTarget) {
  llvm::StringRef system = halideTarget.contains("-linux") ? "Linux" : "";
  if (halideTarget.starts_with("arm-64"))
    return {"^(aarch64|arm64|ARM64)$", 8, system};
  if (halideTarget.starts_with("hexagon"))
    return {"^(hexagon|Hexagon)$", 4, system};
  return {"^(x86_64|AMD64|amd64)$", 8, system};
}

/// The toolchain's link flags as CMake link items: -lpthread is Threads::Threads.
std::vector<std::string> cmakeLinkItems(const Toolchain &toolchain) {
  std::vector<std::string> items;
  for (llvm::StringRef flag : toolchain.linkLibraries) {
    llvm::StringRef library = flag;
    if (!library.consume_front("-l"))
      items.push_back(flag.str());
    else
      items.push_back(library == "pthread" ? "Threads::Threads" : library.str());
  }
  return items;
}

llvm::Error writeCMakeConfig(const ModelBuild &build, const Toolchain &toolchain) {
  auto file = build.create(build.name + "Config.cmake");
  if (!file)
    return file.takeError();
  llvm::raw_ostream &os = **file;
  std::string target = "cnnc::" + build.name, id = build.identifier;
  Platform platform = platformOf(build.target.halideTarget);
  os << "# " << build.name << ", compiled by cnnc for target " << build.target.requested
     << " (Halide target " << build.target.halideTarget << ").\n"
     << "#   find_package(" << build.name << " CONFIG REQUIRED)  # this directory on "
     << "CMAKE_PREFIX_PATH\n"
     << "#   target_link_libraries(app PRIVATE " << target << ")\n"
     << "if(NOT CMAKE_SYSTEM_PROCESSOR MATCHES \"" << platform.processors
     << "\" OR NOT CMAKE_SIZEOF_VOID_P EQUAL " << platform.pointerBytes
     << (platform.system.empty()
             ? std::string()
             : " OR NOT CMAKE_SYSTEM_NAME STREQUAL \"" + platform.system.str() + "\"")
     << ")\n"
     << "  set(${CMAKE_FIND_PACKAGE_NAME}_FOUND FALSE)\n"
     << "  set(${CMAKE_FIND_PACKAGE_NAME}_NOT_FOUND_MESSAGE \"" << build.name
     << " was compiled for Halide target " << build.target.halideTarget
     << ", not for ${CMAKE_SYSTEM_NAME} on ${CMAKE_SYSTEM_PROCESSOR}\")\n"
     << "  return()\n"
     << "endif()\n"
     << (llvm::is_contained(toolchain.linkLibraries, "-lpthread")
             ? "include(CMakeFindDependencyMacro)\nfind_dependency(Threads)\n"
             : "")
     << "if(NOT TARGET " << target << ")\n"
     << "  add_library(" << target << " STATIC IMPORTED)\n"
     << "  set_target_properties(" << target << " PROPERTIES\n"
     << "    IMPORTED_LOCATION \"${CMAKE_CURRENT_LIST_DIR}/lib" << build.name << ".a\"\n"
     << "    INTERFACE_INCLUDE_DIRECTORIES \"${CMAKE_CURRENT_LIST_DIR}\"\n"
     << "    INTERFACE_LINK_LIBRARIES \"" << llvm::join(cmakeLinkItems(toolchain), ";") << "\")\n"
     << "endif()\n"
     << "set(${CMAKE_FIND_PACKAGE_NAME}_WEIGHTS \"${CMAKE_CURRENT_LIST_DIR}/" << build.name
     << ".weights\")\n"
     << "set(${CMAKE_FIND_PACKAGE_NAME}_HEADER \"" << build.name << ".h\")\n"
     << "set(${CMAKE_FIND_PACKAGE_NAME}_CREATE_FROM_FILE cnnc_" << id << "_create_from_file)\n"
     << "set(${CMAKE_FIND_PACKAGE_NAME}_CREATE_FROM_MEMORY cnnc_" << id << "_create_from_memory)\n";
  return llvm::Error::success();
}

llvm::Error writePkgConfig(const ModelBuild &build, const Toolchain &toolchain) {
  auto file = build.create(build.name + ".pc");
  if (!file)
    return file.takeError();
  **file << "# " << build.name << ", compiled by cnnc: pkg-config --cflags --libs " << build.name
         << " with this directory on PKG_CONFIG_PATH.\n"
         << "prefix=${pcfiledir}\n"
         << "weights=${prefix}/" << build.name << ".weights\n\n"
         << "Name: " << build.name << "\n"
         << "Description: " << build.name << " compiled by cnnc for target "
         << build.target.requested << " (Halide target " << build.target.halideTarget << ")\n"
         << "Version: " << cnncVersion() << "\n"
         << "Cflags: -I${prefix}\n"
         << "Libs: ${prefix}/lib" << build.name << ".a " << llvm::join(toolchain.linkLibraries, " ")
         << "\n";
  return llvm::Error::success();
}

} // namespace

llvm::Error writePackageFiles(const ModelBuild &build) {
  Toolchain toolchain = build.target.backend->toolchain(build.target.halideTarget);
  if (llvm::Error error = writeCMakeConfig(build, toolchain))
    return error;
  return writePkgConfig(build, toolchain);
}

} // namespace cnnc
