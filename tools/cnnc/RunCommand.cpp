//===- RunCommand.cpp - cnnc run and cnnc bench ---------------------------===//
#include "Args.h"
#include "Commands.h"
#include "CompiledModel.h"
#include "ImageInput.h"
#include "Npy.h"
#include "support/EmbeddedFile.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>

namespace cnnc {

/// tools/cnnc/imagenet_classes.txt, embedded at build time.
extern const EmbeddedFile kImageNetClasses[];

namespace {

/// --launcher PREFIX, shared by run and bench: absent, the target's own way.
std::optional<std::string> launcherOption(const Args &args) {
  if (!args.values.count("launcher"))
    return std::nullopt;
  return args.value("launcher");
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

} // namespace

/// ImageNet's class names when the model has 1000 classes, else "class N".
std::string className(size_t index, size_t classes) {
  static const std::vector<llvm::StringRef> labels = [] {
    std::vector<llvm::StringRef> lines;
    llvm::SmallVector<llvm::StringRef> split;
    llvm::StringRef(kImageNetClasses[0].text).split(split, '\n', -1, /*KeepEmpty=*/false);
    lines.assign(split.begin(), split.end());
    return lines;
  }();
  if (classes == labels.size())
    return labels[index].str();
  return "class " + std::to_string(index);
}

void printTop(const HostTensor &logits, size_t k) {
  size_t classes = static_cast<size_t>(logits.shape[1]);
  std::vector<size_t> order(classes);
  std::iota(order.begin(), order.end(), 0);
  k = std::min(k, classes);
  std::partial_sort(order.begin(), order.begin() + k, order.end(),
                    [&](size_t a, size_t b) { return logits.f32()[a] > logits.f32()[b]; });
  float top = logits.f32()[order[0]];
  double sum = 0;
  for (size_t i = 0; i < classes; ++i)
    sum += std::exp(static_cast<double>(logits.f32()[i] - top));
  for (size_t rank = 0; rank < k; ++rank) {
    size_t c = order[rank];
    llvm::outs() << llvm::format("%2zu. %-32s %5zu  logit %8.4f  p %.4f\n", rank + 1,
                                 className(c, classes).c_str(), c, logits.f32()[c],
                                 std::exp(static_cast<double>(logits.f32()[c] - top)) / sum);
  }
}

/// The photo at `path` as `model` expects its input.
static llvm::Expected<HostTensor> imageInput(llvm::StringRef path, const CompiledModel &model) {
  const ModelManifest &manifest = model.manifest();
  if (manifest.inputShape[1] != 3)
    return llvm::createStringError(std::errc::invalid_argument,
                                   "--image makes a 3-channel input; %s takes %d channels: give "
                                   "it an --input .npy instead",
                                   manifest.name.c_str(), static_cast<int>(manifest.inputShape[1]));
  if (manifest.inputMean.empty())
    return llvm::createStringError(std::errc::invalid_argument,
                                   "%s records no input normalization (compiled by an older "
                                   "cnnc?): compile it again, or give it an --input .npy",
                                   manifest.name.c_str());
  return loadImageInput(
      path, ImagePreprocessing::of(manifest.inputShape[2], manifest.inputMean, manifest.inputStd));
}

int runRunCommand(llvm::ArrayRef<llvm::StringRef> rawArgs) {
  constexpr const char *usage =
      "usage: cnnc run DIR (--input X.npy | --image PHOTO.png|jpg) [--output Y.npy] [--top K]\n"
      "                [--layout nchw|nhwc] [--threads N] [--launcher PREFIX]\n";
  std::optional<Args> args = parseCommandArgs(
      "run", rawArgs, {"input", "image", "output", "top", "threads", "layout", "launcher"}, {},
      usage);
  if (!args)
    return kUsageError;
  bool image = !args->value("image").empty();
  size_t top = 0;
  if (args->positional.size() != 1 || image == !args->value("input").empty() ||
      llvm::StringRef(args->value("top", image ? "5" : "0")).getAsInteger(10, top) ||
      (args->value("output").empty() && top == 0)) {
    llvm::errs() << usage;
    return kUsageError;
  }
  llvm::Expected<cnnc_options> options = runtimeOptions(*args);
  if (!options)
    return reportError("run", options.takeError());
  if (image && options->input_layout != CNNC_LAYOUT_NCHW)
    return reportError("run",
                       llvm::createStringError(std::errc::invalid_argument,
                                               "--image makes an NCHW input; drop --layout"));
  llvm::Expected<std::unique_ptr<CompiledModel>> model =
      CompiledModel::open(args->positional[0], *options, launcherOption(*args));
  if (!model)
    return reportError("run", model.takeError());
  const cnnc_model_info &info = (*model)->info();

  std::vector<int64_t> expected(info.input_shape, info.input_shape + 4);
  if (options->input_layout == CNNC_LAYOUT_NHWC)
    expected = {expected[0], expected[2], expected[3], expected[1]};
  llvm::Expected<HostTensor> input =
      image ? imageInput(args->value("image"), **model) : readNpy(args->value("input"));
  if (!input)
    return reportError("run", input.takeError());
  if (llvm::Error error =
          checkInputShape(args->value(image ? "image" : "input"), *input, expected, info.name))
    return reportError("run", std::move(error));
  HostTensor output({info.output_shape[0], info.output_shape[1]});
  if (llvm::Error error = (*model)->run(input->f32().data(), input->f32().size(),
                                        output.f32().data(), output.f32().size()))
    return reportError("run", std::move(error));
  if (!args->value("output").empty())
    if (llvm::Error error = writeNpy(args->value("output"), output))
      return reportError("run", std::move(error));
  if (top > 0)
    printTop(output, top);
  return 0;
}

/// `{"unit": "packets", "count": N, "vector_unit": "HVX packets", "vector_count": M,
/// "kernels": [{"kernel": "k0", "count": N0, "vector_count": M0}, ...]}`.
static std::string executedJson(const ExecutedCount &executed) {
  std::vector<std::string> kernels;
  for (const ExecutedCount::Kernel &kernel : executed.kernels)
    kernels.push_back(llvm::formatv("{{\"kernel\": \"{0}\", \"count\": {1}, \"vector_count\": {2}}",
                                    kernel.name, kernel.instructions, kernel.vectorInstructions));
  return llvm::formatv("{{\"unit\": \"{0}\", \"count\": {1}, \"vector_unit\": \"{2}\", "
                       "\"vector_count\": {3}, \"kernels\": [{4}]}",
                       executed.unit, executed.instructions, executed.vectorUnit,
                       executed.vectorInstructions, llvm::join(kernels, ", "))
      .str();
}

/// "k18 12.3% (4% HVX packets), ...": the kernels executing the most.
static std::string heaviestKernels(const ExecutedCount &executed, size_t count) {
  std::vector<ExecutedCount::Kernel> kernels = executed.kernels;
  std::sort(kernels.begin(), kernels.end(),
            [](const auto &a, const auto &b) { return a.instructions > b.instructions; });
  kernels.resize(std::min(count, kernels.size()));
  std::vector<std::string> parts;
  for (const ExecutedCount::Kernel &kernel : kernels)
    parts.push_back(llvm::formatv(
        "{0} {1:P1} ({2:P0} {3})", kernel.name, double(kernel.instructions) / executed.instructions,
        kernel.instructions ? double(kernel.vectorInstructions) / kernel.instructions : 0.0,
        executed.vectorUnit));
  return llvm::join(parts, ", ");
}

namespace {

/// `--per-kernel` in --json: [{"kernel": K, "label": ..., "calls": N,
/// "median_us": T}, ...], with `against` (--against's kernels, grouped
/// alike) each one's "against_median_us" too; null without --per-kernel.
llvm::json::Value kernelTimesJson(const std::vector<KernelTime> &kernels,
                                  const std::vector<KernelTime> *against = nullptr) {
  if (kernels.empty())
    return nullptr;
  llvm::json::Array array;
  for (size_t k = 0; k < kernels.size(); ++k) {
    llvm::json::Object kernel{{"kernel", kernels[k].kernel},
                              {"label", kernels[k].label},
                              {"calls", kernels[k].calls},
                              {"median_us", kernels[k].medianMicros}};
    if (against)
      kernel["against_median_us"] = (*against)[k].medianMicros;
    array.push_back(std::move(kernel));
  }
  return array;
}

/// `--per-kernel` as a table, by kernel, each one's share of the kernels' sum.
void printKernelTimes(llvm::raw_ostream &os, const std::vector<KernelTime> &kernels) {
  double total = 0;
  for (const KernelTime &k : kernels)
    total += k.medianMicros;
  os << "| kernel | computes | calls | us per run (median) | share |\n"
        "| --- | --- | --- | --- | --- |\n";
  for (const KernelTime &k : kernels)
    os << llvm::formatv("| k{0} | {1} | {2} | {3:F1} | {4:P1} |\n", k.kernel, k.label, k.calls,
                        k.medianMicros, total > 0 ? k.medianMicros / total : 0.0);
}

/// `--against` with `--per-kernel`: each of DIR's kernels beside the same
/// calls of OTHER (grouped as DIR groups them), their medians and ratio.
void printKernelTimesSideBySide(llvm::raw_ostream &os, const std::vector<KernelTime> &kernels,
                                const std::vector<KernelTime> &against, llvm::StringRef name,
                                llvm::StringRef otherName) {
  os << llvm::formatv("| kernel | computes | calls | {0} (us) | {1} (us) | {1} / {0} |\n"
                      "| --- | --- | --- | --- | --- | --- |\n",
                      name, otherName);
  for (size_t k = 0; k < kernels.size(); ++k) {
    double ratio =
        kernels[k].medianMicros > 0 ? against[k].medianMicros / kernels[k].medianMicros : 0.0;
    os << llvm::formatv("| k{0} | {1} | {2} | {3:F1} | {4:F1} | {5:F3} |\n", kernels[k].kernel,
                        kernels[k].label, kernels[k].calls, kernels[k].medianMicros,
                        against[k].medianMicros, ratio);
  }
}

/// The kernel calls of `a` where `b` makes the same calls (the same ops, in
/// the same order: two builds of one model), else why not.
llvm::Expected<std::vector<KernelTime>> matchingCalls(const CompiledModel &a,
                                                      const CompiledModel &b) {
  llvm::Expected<std::vector<KernelTime>> calls = a.kernelCalls(), other = b.kernelCalls();
  if (!calls)
    return calls.takeError();
  if (!other)
    return other.takeError();
  for (size_t c = 0; c < std::max(calls->size(), other->size()); ++c)
    if (c >= calls->size() || c >= other->size() || (*calls)[c].label != (*other)[c].label)
      return llvm::createStringError(
          std::errc::invalid_argument,
          "--per-kernel compares builds of one model, whose kernels make the same calls: call "
          "%zu of '%s' computes %s, of '%s' %s",
          c, a.info().name, c < calls->size() ? (*calls)[c].label.c_str() : "nothing",
          b.info().name, c < other->size() ? (*other)[c].label.c_str() : "nothing");
  return calls;
}

/// `cnnc bench DIR --against OTHER`: both models in this process, runs
/// alternated (each first every other time), their medians and ratio; with
/// --per-kernel, each kernel's too.
int benchSideBySide(CompiledModel &model, const Args &args, const cnnc_options &options,
                    int iterations, int warmup) {
  auto fail = [](llvm::Error error) { return reportError("bench", std::move(error)); };
  if (args.values.count("launcher"))
    return fail(
        llvm::createStringError(std::errc::invalid_argument, "--against takes no --launcher"));
  llvm::Expected<std::unique_ptr<CompiledModel>> other =
      CompiledModel::open(args.value("against"), options);
  if (!other)
    return fail(other.takeError());
  CompiledModel *models[] = {&model, other->get()};
  for (CompiledModel *m : models)
    if (!m->inProcess())
      return fail(llvm::createStringError(
          std::errc::invalid_argument,
          "--against runs both models in this process; '%s' runs through its runner",
          m->info().name));
  const cnnc_model_info &a = model.info(), &b = (*other)->info();
  if (a.input_count != b.input_count || a.output_count != b.output_count)
    return fail(llvm::createStringError(std::errc::invalid_argument,
                                        "'%s' and '%s' take or give different shapes", a.name,
                                        b.name));
  bool perKernel = args.flag("per-kernel");
  std::vector<KernelTime> calls;
  if (perKernel) {
    llvm::Expected<std::vector<KernelTime>> matched = matchingCalls(model, **other);
    if (!matched)
      return fail(matched.takeError());
    calls = std::move(*matched);
  }
  std::vector<float> input(a.input_count), output(a.output_count);
  for (size_t i = 0; i < input.size(); ++i)
    input[i] = static_cast<float>(i % 255) / 255.0f;
  std::vector<double> ms[2];
  std::vector<std::vector<double>> runsOfCall[2] = {std::vector<std::vector<double>>(calls.size()),
                                                    std::vector<std::vector<double>>(calls.size())};
  for (int i = 0; i < warmup + iterations; ++i)
    for (int turn = 0; turn < 2; ++turn) {
      int which = (turn + i) % 2;
      auto start = std::chrono::steady_clock::now();
      llvm::Expected<std::vector<double>> callMicros = models[which]->runOnce(
          input.data(), input.size(), output.data(), output.size(), perKernel);
      if (!callMicros)
        return fail(callMicros.takeError());
      std::chrono::duration<double, std::milli> elapsed = std::chrono::steady_clock::now() - start;
      if (i < warmup)
        continue;
      ms[which].push_back(elapsed.count());
      for (size_t c = 0; c < callMicros->size(); ++c)
        runsOfCall[which][c].push_back((*callMicros)[c]);
    }
  double median[2] = {medianOf(ms[0]), medianOf(ms[1])};
  // The other model's calls grouped as this one's kernels group them.
  std::vector<KernelTime> kernels[2] = {kernelTimes(calls, runsOfCall[0]),
                                        kernelTimes(calls, runsOfCall[1])};
  if (args.flag("json"))
    llvm::outs() << llvm::formatv(
        "{0}\n", llvm::json::Value(
                     llvm::json::Object{{"model", args.positional[0]},
                                        {"median_ms", median[0]},
                                        {"against", args.value("against")},
                                        {"against_median_ms", median[1]},
                                        {"ratio", median[1] / median[0]},
                                        {"iterations", iterations},
                                        {"threads", options.num_threads},
                                        {"kernels", kernelTimesJson(kernels[0], &kernels[1])}}));
  else
    llvm::outs() << llvm::formatv("{0}: median {1:F3} ms; {2}: median {3:F3} ms; {2} / {0} = "
                                  "{4:F3} ({5} alternating runs each)\n",
                                  args.positional[0], median[0], args.value("against"), median[1],
                                  median[1] / median[0], iterations);
  if (perKernel && !args.flag("json"))
    printKernelTimesSideBySide(llvm::outs(), kernels[0], kernels[1], args.positional[0],
                               args.value("against"));
  return 0;
}

} // namespace

int runBenchCommand(llvm::ArrayRef<llvm::StringRef> rawArgs) {
  constexpr const char *usage =
      "usage: cnnc bench DIR [--threads N] [--iterations K] [--warmup W] [--layout nchw|nhwc]\n"
      "                  [--launcher PREFIX] [--json] [--per-kernel] [--against OTHER]\n"
      "  --per-kernel: each distinct kernel's time in the run too (its calls timed one by\n"
      "  one, the median over the runs), for a model that runs in this process.\n"
      "  --against OTHER: DIR and the model compiled in OTHER (same input and output\n"
      "  shapes), both loaded into this process and run one after the other, each first\n"
      "  every other time: a busy moment of a shared machine falls on both alike (each\n"
      "  run finds the other build's idle threads asleep: judge a change to the threads\n"
      "  by whole runs of each, not this). With --per-kernel, two builds of one model\n"
      "  (the same kernel calls): each of DIR's kernels beside OTHER's same calls, timed\n"
      "  in the same alternating runs.\n";
  std::optional<Args> args = parseCommandArgs(
      "bench", rawArgs, {"threads", "iterations", "warmup", "layout", "launcher", "against"},
      {"json", "per-kernel"}, usage);
  if (!args)
    return kUsageError;
  int iterations = 0, warmup = 0;
  if (args->positional.size() != 1 ||
      llvm::StringRef(args->value("iterations", "50")).getAsInteger(10, iterations) ||
      llvm::StringRef(args->value("warmup", "5")).getAsInteger(10, warmup) || iterations < 1 ||
      warmup < 0) {
    llvm::errs() << usage;
    return kUsageError;
  }
  llvm::Expected<cnnc_options> options = runtimeOptions(*args);
  if (!options)
    return reportError("bench", options.takeError());
  llvm::Expected<std::unique_ptr<CompiledModel>> model =
      CompiledModel::open(args->positional[0], *options, launcherOption(*args));
  if (!model)
    return reportError("bench", model.takeError());
  if (!args->value("against").empty())
    return benchSideBySide(**model, *args, *options, iterations, warmup);
  const cnnc_model_info &info = (*model)->info();
  llvm::Expected<Timings> timings = (*model)->time(iterations, warmup, args->flag("per-kernel"));
  if (!timings)
    return reportError("bench", timings.takeError());
  const std::vector<KernelTime> &kernels = timings->perKernel;
  std::vector<double> &ms = timings->ms;
  const std::optional<ExecutedCount> &executed = timings->perRun;
  std::sort(ms.begin(), ms.end());
  double median = timings->medianMs(), p90 = ms[std::min(ms.size() - 1, ms.size() * 9 / 10)];
  double batch = static_cast<double>(info.input_shape[0]);
  const std::string &note = (*model)->timingNote();
  if (args->flag("json")) {
    llvm::outs() << llvm::format("{\"model\": \"%s\", \"threads\": %d, \"iterations\": %d, "
                                 "\"min_ms\": %.4f, \"median_ms\": %.4f, \"p90_ms\": %.4f, "
                                 "\"images_per_s\": %.2f, \"note\": %s, \"executed\": %s, "
                                 "\"kernels\": %s}\n",
                                 info.name, options->num_threads, iterations, ms.front(), median,
                                 p90, batch * 1000.0 / median,
                                 note.empty() ? "null" : ("\"" + note + "\"").c_str(),
                                 executed ? executedJson(*executed).c_str() : "null",
                                 llvm::formatv("{0}", kernelTimesJson(kernels)).str().c_str());
  } else {
    llvm::outs() << llvm::format("%s, batch %d, %s threads, %d runs: min %.3f ms, median %.3f ms, "
                                 "p90 %.3f ms, %.1f images/s\n",
                                 info.name, static_cast<int>(batch),
                                 options->num_threads ? std::to_string(options->num_threads).c_str()
                                                      : "all",
                                 iterations, ms.front(), median, p90, batch * 1000.0 / median);
    if (!note.empty())
      llvm::outs() << "note: " << note << "\n";
    if (executed)
      llvm::outs() << llvm::formatv("executed per inference (counted by cnnc's QEMU plugin): {0:N} "
                                    "{1}, of which {2:N} {3} ({4:P1})\n",
                                    executed->instructions, executed->unit,
                                    executed->vectorInstructions, executed->vectorUnit,
                                    executed->instructions ? double(executed->vectorInstructions) /
                                                                 executed->instructions
                                                           : 0.0);
    if (!kernels.empty())
      printKernelTimes(llvm::outs(), kernels);
    if (executed && !executed->kernels.empty())
      llvm::outs() << "the kernels executing the most (" << (*model)->manifest().identifier
                   << "_model.c lists each one's ops): " << heaviestKernels(*executed, 5) << "\n";
  }
  return 0;
}

} // namespace cnnc
