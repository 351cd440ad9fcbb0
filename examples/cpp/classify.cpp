// classify.cpp - runs a cnnc-compiled model from C++, with the C API wrapped in
// a small class that owns the model and turns bad statuses into exceptions.
//
// usage: classify_cpp MODEL.weights [THREADS]
#include CNNC_MODEL_HEADER

#include <algorithm>
#include <cstdio>
#include <memory>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

void check(const cnnc_status &status) {
  if (status.code != CNNC_OK)
    throw std::runtime_error(status.message);
}

class Model {
public:
  Model(const std::string &weights, int threads) {
    cnnc_options options = cnnc_default_options();
    options.num_threads = threads;
    cnnc_model *raw = nullptr;
    check(CNNC_MODEL_CREATE(weights.c_str(), &options, &raw));
    model.reset(raw);
    info = cnnc_info(raw);
  }

  std::vector<float> run(const std::vector<float> &input) {
    std::vector<float> output(info.output_count);
    check(cnnc_run(model.get(), input.data(), input.size(), output.data(), output.size()));
    return output;
  }

  cnnc_model_info info{};

private:
  struct Destroy {
    void operator()(cnnc_model *m) const { cnnc_destroy(m); }
  };
  std::unique_ptr<cnnc_model, Destroy> model;
};

} // namespace

int main(int argc, char **argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s MODEL.weights [THREADS]\n", argv[0]);
    return 2;
  }
  try {
    Model model(argv[1], argc > 2 ? std::stoi(argv[2]) : 0);
    std::vector<float> input(model.info.input_count);
    for (size_t i = 0; i < input.size(); ++i)
      input[i] = static_cast<float>(i % 251) / 125.0f - 1.0f;
    std::vector<float> logits = model.run(input);

    std::vector<size_t> order(logits.size());
    std::iota(order.begin(), order.end(), 0);
    size_t top = std::min<size_t>(5, order.size());
    std::partial_sort(order.begin(), order.begin() + top, order.end(),
                      [&](size_t a, size_t b) { return logits[a] > logits[b]; });
    std::printf("%s: %lldx%lldx%lldx%lld -> %lld classes\ntop-5:", model.info.name,
                static_cast<long long>(model.info.input_shape[0]),
                static_cast<long long>(model.info.input_shape[1]),
                static_cast<long long>(model.info.input_shape[2]),
                static_cast<long long>(model.info.input_shape[3]),
                static_cast<long long>(model.info.output_shape[1]));
    for (size_t k = 0; k < top; ++k)
      std::printf(" %zu (%.4f)", order[k], logits[order[k]]);
    std::printf("\n");

    input.pop_back(); // a wrong input size is refused with a message
    try {
      model.run(input);
    } catch (const std::exception &error) {
      std::printf("wrong input size: %s\n", error.what());
    }
  } catch (const std::exception &error) {
    std::fprintf(stderr, "error: %s\n", error.what());
    return 1;
  }
  return 0;
}
