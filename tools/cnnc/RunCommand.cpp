//===- RunCommand.cpp - cnnc run and cnnc bench ---------------------------===//
#include "Args.h"
#include "Commands.h"
#include "CompiledModel.h"
#include "Npy.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <random>

namespace cnnc {
namespace {

int report(llvm::StringRef command, llvm::Error error) {
  llvm::errs() << "cnnc " << command << ": error: " << llvm::toString(std::move(error)) << "\n";
  return 1;
}

/// --threads N and --layout nchw|nhwc, shared by run and bench.
llvm::Expected<cnnc_options> runtimeOptions(const Args &args) {
  cnnc_options options{0, CNNC_LAYOUT_NCHW};
  std::string threads = args.value("threads", "0"), layout = args.value("layout", "nchw");
  if (llvm::StringRef(threads).getAsInteger(10, options.num_threads) || options.num_threads < 0)
    return llvm::createStringError(std::errc::invalid_argument,
                                   "--threads takes a number of threads, got '%s'",
                                   threads.c_str());
  if (layout != "nchw" && layout != "nhwc")
    return llvm::createStringError(std::errc::invalid_argument,
                                   "--layout takes nchw or nhwc, got '%s'", layout.c_str());
  options.input_layout = layout == "nhwc" ? CNNC_LAYOUT_NHWC : CNNC_LAYOUT_NCHW;
  return options;
}

std::string shapeText(llvm::ArrayRef<int64_t> shape) {
  std::string text = "(";
  for (size_t i = 0; i < shape.size(); ++i)
    text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + ")";
}

} // namespace

int runRunCommand(llvm::ArrayRef<llvm::StringRef> rawArgs) {
  constexpr const char *usage = "usage: cnnc run DIR --input X.npy --output Y.npy "
                                "[--layout nchw|nhwc] [--threads N]\n";
  llvm::Expected<Args> args = parseArgs(rawArgs, {"input", "output", "threads", "layout"}, {});
  if (!args) {
    llvm::errs() << "cnnc run: " << llvm::toString(args.takeError()) << "\n" << usage;
    return 2;
  }
  if (args->positional.size() != 1 || args->value("input").empty() ||
      args->value("output").empty()) {
    llvm::errs() << usage;
    return 2;
  }
  llvm::Expected<cnnc_options> options = runtimeOptions(*args);
  if (!options)
    return report("run", options.takeError());
  llvm::Expected<std::unique_ptr<CompiledModel>> model =
      CompiledModel::open(args->positional[0], *options);
  if (!model)
    return report("run", model.takeError());
  const cnnc_model_info &info = (*model)->info();

  llvm::Expected<HostTensor> input = readNpy(args->value("input"));
  if (!input)
    return report("run", input.takeError());
  std::vector<int64_t> expected(info.input_shape, info.input_shape + 4);
  if (options->input_layout == CNNC_LAYOUT_NHWC)
    expected = {expected[0], expected[2], expected[3], expected[1]};
  if (input->shape != expected)
    return report("run", llvm::createStringError(
                             std::errc::invalid_argument, "%s has shape %s; model '%s' takes %s",
                             args->value("input").c_str(), shapeText(input->shape).c_str(),
                             info.name, shapeText(expected).c_str()));
  HostTensor output({info.output_shape[0], info.output_shape[1]});
  if (llvm::Error error = (*model)->run(input->data.data(), input->data.size(), output.data.data(),
                                        output.data.size()))
    return report("run", std::move(error));
  if (llvm::Error error = writeNpy(args->value("output"), output))
    return report("run", std::move(error));
  return 0;
}

int runBenchCommand(llvm::ArrayRef<llvm::StringRef> rawArgs) {
  constexpr const char *usage =
      "usage: cnnc bench DIR [--threads N] [--iterations K] [--warmup W] [--layout nchw|nhwc]\n";
  llvm::Expected<Args> args =
      parseArgs(rawArgs, {"threads", "iterations", "warmup", "layout"}, {"json"});
  if (!args) {
    llvm::errs() << "cnnc bench: " << llvm::toString(args.takeError()) << "\n" << usage;
    return 2;
  }
  int iterations = 0, warmup = 0;
  if (args->positional.size() != 1 ||
      llvm::StringRef(args->value("iterations", "50")).getAsInteger(10, iterations) ||
      llvm::StringRef(args->value("warmup", "5")).getAsInteger(10, warmup) || iterations < 1 ||
      warmup < 0) {
    llvm::errs() << usage;
    return 2;
  }
  llvm::Expected<cnnc_options> options = runtimeOptions(*args);
  if (!options)
    return report("bench", options.takeError());
  llvm::Expected<std::unique_ptr<CompiledModel>> model =
      CompiledModel::open(args->positional[0], *options);
  if (!model)
    return report("bench", model.takeError());
  const cnnc_model_info &info = (*model)->info();

  std::vector<float> input(info.input_count), output(info.output_count);
  std::mt19937 rng(0);
  std::normal_distribution<float> normal;
  for (float &v : input)
    v = normal(rng);
  std::vector<double> ms;
  for (int i = 0; i < warmup + iterations; ++i) {
    auto start = std::chrono::steady_clock::now();
    if (llvm::Error error = (*model)->run(input.data(), input.size(), output.data(), output.size()))
      return report("bench", std::move(error));
    double elapsed =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (i >= warmup)
      ms.push_back(elapsed);
  }
  std::sort(ms.begin(), ms.end());
  double median = ms[ms.size() / 2], p90 = ms[std::min(ms.size() - 1, ms.size() * 9 / 10)];
  double batch = static_cast<double>(info.input_shape[0]);
  if (args->flag("json")) {
    llvm::outs() << llvm::format("{\"model\": \"%s\", \"threads\": %d, \"iterations\": %d, "
                                 "\"min_ms\": %.4f, \"median_ms\": %.4f, \"p90_ms\": %.4f, "
                                 "\"images_per_s\": %.2f}\n",
                                 info.name, options->num_threads, iterations, ms.front(), median,
                                 p90, batch * 1000.0 / median);
  } else {
    llvm::outs() << llvm::format("%s, batch %d, %s threads, %d runs: min %.3f ms, median %.3f ms, "
                                 "p90 %.3f ms, %.1f images/s\n",
                                 info.name, static_cast<int>(batch),
                                 options->num_threads ? std::to_string(options->num_threads).c_str()
                                                      : "all",
                                 iterations, ms.front(), median, p90, batch * 1000.0 / median);
  }
  return 0;
}

} // namespace cnnc
