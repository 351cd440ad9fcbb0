//===- CompiledModel.cpp - a compiled model, loaded for cnnc run/bench ----===//
#include "CompiledModel.h"

#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <dlfcn.h>

namespace cnnc {
namespace {

constexpr const char *kManifest = "cnnc-model.json";

llvm::Error fail(const llvm::Twine &message) {
  return llvm::createStringError(std::errc::invalid_argument, "%s", message.str().c_str());
}

std::string join(llvm::StringRef dir, llvm::StringRef file) {
  llvm::SmallString<256> path(dir);
  llvm::sys::path::append(path, file);
  return path.str().str();
}

} // namespace

llvm::Error writeManifest(llvm::StringRef dir, mlir::func::FuncOp model, llvm::StringRef identifier,
                          llvm::StringRef target) {
  std::string name = model.getSymName().str();
  auto shape = [](mlir::Type type) {
    return llvm::json::Array(llvm::cast<mlir::RankedTensorType>(type).getShape());
  };
  llvm::json::Object manifest{{"name", name},
                              {"input_shape", shape(model.getArgument(0).getType())},
                              {"output_shape", shape(model.getResultTypes()[0])},
                              {"identifier", identifier},
                              {"target", target},
                              {"library", "lib" + name + ".so"},
                              {"weights", name + ".weights"}};
  std::error_code ec;
  llvm::raw_fd_ostream os(join(dir, kManifest), ec);
  if (ec)
    return fail("cannot write " + join(dir, kManifest) + ": " + ec.message());
  os << llvm::formatv("{0:2}", llvm::json::Value(std::move(manifest))) << "\n";
  return llvm::Error::success();
}

llvm::Expected<std::unique_ptr<CompiledModel>> CompiledModel::open(llvm::StringRef dir,
                                                                   const cnnc_options &options) {
  auto text = llvm::MemoryBuffer::getFile(join(dir, kManifest));
  if (!text)
    return fail(dir + " holds no compiled model (no " + kManifest + "): run cnnc compile first");
  llvm::Expected<llvm::json::Value> manifest = llvm::json::parse((*text)->getBuffer());
  if (!manifest)
    return fail(join(dir, kManifest) + ": " + llvm::toString(manifest.takeError()));
  const llvm::json::Object *object = manifest->getAsObject();
  auto field = [&](llvm::StringRef key) {
    auto value = object ? object->getString(key) : std::nullopt;
    return value ? value->str() : std::string();
  };
  std::string identifier = field("identifier"), libraryPath = join(dir, field("library"));
  if (identifier.empty() || field("library").empty() || field("weights").empty())
    return fail(join(dir, kManifest) + " lacks identifier, library or weights");

  std::unique_ptr<CompiledModel> compiled(new CompiledModel());
  compiled->library = dlopen(libraryPath.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!compiled->library)
    return fail(llvm::Twine("cannot load ") + libraryPath + ": " + dlerror());
  using CreateFn = cnnc_status (*)(const char *, const cnnc_options *, cnnc_model **);
  auto create = reinterpret_cast<CreateFn>(
      dlsym(compiled->library, ("cnnc_" + identifier + "_create_from_file").c_str()));
  auto info = reinterpret_cast<cnnc_model_info (*)(const cnnc_model *)>(
      dlsym(compiled->library, "cnnc_info"));
  compiled->runFn = reinterpret_cast<decltype(runFn)>(dlsym(compiled->library, "cnnc_run"));
  compiled->destroyFn =
      reinterpret_cast<decltype(destroyFn)>(dlsym(compiled->library, "cnnc_destroy"));
  if (!create || !info || !compiled->runFn || !compiled->destroyFn)
    return fail(libraryPath + " lacks the cnnc entry points of model '" + identifier + "'");
  cnnc_status status = create(join(dir, field("weights")).c_str(), &options, &compiled->model);
  if (status.code != CNNC_OK)
    return fail(status.message);
  compiled->modelInfo = info(compiled->model);
  return compiled;
}

CompiledModel::~CompiledModel() {
  if (model)
    destroyFn(model);
  if (library)
    dlclose(library);
}

llvm::Error CompiledModel::run(const float *input, size_t inputCount, float *output,
                               size_t outputCount) {
  cnnc_status status = runFn(model, input, inputCount, output, outputCount);
  if (status.code != CNNC_OK)
    return fail(status.message);
  return llvm::Error::success();
}

} // namespace cnnc
