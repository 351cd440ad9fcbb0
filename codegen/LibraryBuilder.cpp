//===- LibraryBuilder.cpp - the libraries and runner, with the target's toolchain ===//
//
// Compiles the model table and the runtime with the target backend's C
// compiler, archives them with the kernels and the Halide runtime into
// lib<name>.a, links lib<name>.so (where the toolchain builds one), and links cnnc-runner (runtime/
// cnnc_runner.c) against the static library: the program `cnnc run` starts
// when the model cannot be loaded into cnnc's own process.
//
//===----------------------------------------------------------------------===//
#include "codegen/ModelBuild.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"

namespace cnnc {
namespace {

/// The runtime sources compiled into every library (cnnc_runner.c is not).
const char *const kLibrarySources[] = {"cnnc_runtime.c", "cnnc_device.c", "cnnc_format.c",
                                       "cnnc_lookup.c"};

/// Runs `tool` (a program and its leading arguments) with `args`.
llvm::Error runTool(const ModelBuild &build, llvm::ArrayRef<std::string> tool,
                    llvm::ArrayRef<std::string> args) {
  std::string program = tool.front();
  if (!llvm::sys::fs::can_execute(program)) {
    llvm::ErrorOr<std::string> found = llvm::sys::findProgramByName(program);
    if (!found) // checkToolchain ran before anything was compiled; PATH changed since
      return llvm::createStringError(std::errc::no_such_file_or_directory,
                                     "cannot find '%s' on PATH", program.c_str());
    program = *found;
  }
  std::vector<llvm::StringRef> argv = {program};
  argv.insert(argv.end(), tool.begin() + 1, tool.end());
  argv.insert(argv.end(), args.begin(), args.end());
  std::string message;
  int rc = llvm::sys::ExecuteAndWait(program, argv, std::nullopt, {}, 0, 0, &message);
  if (rc != 0)
    return llvm::createStringError(std::errc::io_error, "%s failed for target %s (%d) %s",
                                   tool.front().c_str(), build.target.requested.c_str(), rc,
                                   message.c_str());
  return llvm::Error::success();
}

} // namespace

llvm::Error buildLibraries(const ModelBuild &build) {
  Toolchain toolchain = build.target.backend->toolchain(build.target.halideTarget);
  std::vector<std::string> objects = build.kernelObjects();
  objects.push_back(build.path("halide_runtime.o"));
  std::vector<std::string> sources = {build.identifier + "_model.c"};
  sources.insert(sources.end(), std::begin(kLibrarySources), std::end(kLibrarySources));
  DeviceRuntime device = build.target.backend->deviceRuntime(build.target.halideTarget);
  if (!device.streamApiSource.empty())
    sources.push_back(device.streamApiSource);
  if (build.target.backend->usesThreadPool())
    sources.push_back("cnnc_thread_pool.c");
  for (const std::string &source : sources) {
    std::string object = build.path(llvm::sys::path::stem(source).str() + ".o");
    std::vector<std::string> args = toolchain.cFlags;
    args.insert(args.end(), {"-I", build.outputDir, "-I", CNNC_HALIDE_INCLUDE_DIR, "-c",
                             build.path(source), "-o", object});
    if (llvm::Error error = runTool(build, toolchain.cCompiler, args))
      return error;
    objects.push_back(object);
  }

  std::string archive = build.path("lib" + build.name + ".a");
  llvm::sys::fs::remove(archive);
  std::vector<std::string> arArgs = {"rcs", archive};
  arArgs.insert(arArgs.end(), objects.begin(), objects.end());
  if (llvm::Error error = runTool(build, toolchain.archiver, arArgs))
    return error;

  if (toolchain.sharedLibrary) {
    std::vector<std::string> soArgs = {"-shared", "-o", build.path("lib" + build.name + ".so")};
    soArgs.insert(soArgs.end(), objects.begin(), objects.end());
    soArgs.insert(soArgs.end(), toolchain.linkLibraries.begin(), toolchain.linkLibraries.end());
    if (llvm::Error error = runTool(build, toolchain.cCompiler, soArgs))
      return error;
  }

  std::vector<std::string> runnerArgs = toolchain.cFlags;
  runnerArgs.insert(runnerArgs.end(),
                    {"-DCNNC_MODEL_HEADER=\"" + build.name + ".h\"",
                     "-DCNNC_MODEL_CREATE=cnnc_" + build.identifier + "_create_from_file", "-I",
                     build.outputDir, build.path("cnnc_runner.c")});
  for (const std::string &source : toolchain.runnerSources)
    runnerArgs.push_back(build.path(source));
  runnerArgs.insert(runnerArgs.end(), {archive, "-o", build.path("cnnc-runner")});
  runnerArgs.insert(runnerArgs.end(), toolchain.linkLibraries.begin(),
                    toolchain.linkLibraries.end());
  if (llvm::Error error = runTool(build, toolchain.cCompiler, runnerArgs))
    return error;

  for (const std::string &object : objects)
    llvm::sys::fs::remove(object);
  return llvm::Error::success();
}

} // namespace cnnc
