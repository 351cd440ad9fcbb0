//===- HalideAlgorithm.cpp - what each cnn op computes, in Halide ---------===//
#include "codegen/HalideKernel.h"
#include "dialect/Cnn.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace Halide;

namespace cnnc {
namespace {

/// Halide dims (c, x, y, n) or (k, n) of an NCHW or N×K value.
std::vector<Var> varsFor(Value v) {
  if (shapeOf(v).size() == 4)
    return {Var("c"), Var("x"), Var("y"), Var("n")};
  return {Var("k"), Var("n")};
}

std::vector<Expr> asExprs(const std::vector<Var> &vars) { return {vars.begin(), vars.end()}; }

Expr activate(cnn::Activation kind, Expr v) {
  auto relu6 = [](Expr e) { return clamp(e, 0.0f, 6.0f); };
  switch (kind) {
  case cnn::Activation::identity:
    return v;
  case cnn::Activation::silu:
    return v / (1.0f + fast_exp(-v));
  case cnn::Activation::relu:
    return max(v, 0.0f);
  case cnn::Activation::relu6:
    return relu6(v);
  case cnn::Activation::hardswish:
    return v * relu6(v + 3.0f) * (1.0f / 6.0f);
  case cnn::Activation::sigmoid:
    return 1.0f / (1.0f + fast_exp(-v));
  case cnn::Activation::hardsigmoid:
    return relu6(v + 3.0f) * (1.0f / 6.0f);
  }
  return v;
}

class Translator {
public:
  explicit Translator(const KernelPlan &plan) : plan(plan) {}

  KernelFuncs run() {
    for (size_t i = 0; i < plan.inputs.size(); ++i) {
      const KernelArg &arg = plan.inputs[i];
      auto extents = halideExtents(arg.role, shapeOf(arg.value));
      auto type = cast<RankedTensorType>(arg.value.getType()).getElementType();
      ImageParam param(halideType(*elementTypeOf(type)), static_cast<int>(extents.size()),
                       "arg" + std::to_string(i));
      // Static shapes: constant bounds let Halide simplify. The model input's
      // strides depend on the caller's layout, so only its bounds are fixed.
      int64_t stride = 1;
      for (size_t d = 0; d < extents.size(); ++d) {
        param.dim(static_cast<int>(d)).set_bounds(0, static_cast<int>(extents[d]));
        if (arg.kind != KernelArg::Kind::modelInput)
          param.dim(static_cast<int>(d)).set_stride(static_cast<int>(stride));
        else if (d == 0)
          param.dim(0).set_stride(Expr());
        stride *= extents[d];
      }
      funcs.params.push_back(param);
      values[arg.value] = Func(param);
    }
    for (Operation *op : plan.group->ops) {
      Func f = translate(op);
      values[op->getResult(0)] = f;
      funcs.ops.push_back({op, f});
    }
    Value result = plan.group->result();
    std::vector<Var> vars = varsFor(result);
    funcs.output = Func("output");
    funcs.output(vars) = values[result](asExprs(vars));
    // The output is dense with static extents too, so every intermediate has
    // a constant size (and small ones can live on the stack).
    auto extents = halideExtents(TensorRole::activation, shapeOf(result));
    int64_t stride = 1;
    for (size_t d = 0; d < extents.size(); ++d) {
      funcs.output.output_buffer()
          .dim(static_cast<int>(d))
          .set_bounds(0, static_cast<int>(extents[d]))
          .set_stride(static_cast<int>(stride));
      stride *= extents[d];
    }
    return funcs;
  }

private:
  Func at(Value v) { return values[v]; }

  /// Func names are unique within a pipeline (an SE group has two convolutions).
  std::string name(const std::string &base) { return base + "_" + std::to_string(counter++); }

  /// `v` read with zeros outside its extents (convolution padding).
  Func padded(Value v) {
    ArrayRef<int64_t> s = shapeOf(v);
    Halide::Region bounds = {{0, static_cast<int>(s[1])},
                             {0, static_cast<int>(s[3])},
                             {0, static_cast<int>(s[2])},
                             {0, static_cast<int>(s[0])}};
    return BoundaryConditions::constant_exterior(at(v), 0.0f, bounds);
  }

  Func translate(Operation *op) {
    return llvm::TypeSwitch<Operation *, Func>(op)
        .Case([&](cnn::Conv2DOp conv) { return convolution(conv, false); })
        .Case([&](cnn::DepthwiseConv2DOp conv) { return convolution(conv, true); })
        .Case([&](cnn::FullyConnectedOp fc) {
          Var k("k"), n("n");
          int64_t inFeatures = shapeOf(fc.getInput())[1];
          RDom r(0, static_cast<int>(inFeatures), "r");
          Func f(name("fully_connected"));
          f(k, n) = fc.getBias() ? at(fc.getBias())(k) : Expr(0.0f);
          f(k, n) += at(fc.getWeight())(k, r) * at(fc.getInput())(r, n);
          return f;
        })
        .Case([&](cnn::BatchNormOp bn) {
          std::vector<Var> v = varsFor(bn.getResult());
          Func f(name("batch_norm"));
          Expr ch = v[0];
          float eps = static_cast<float>(bn.getEpsilon().convertToDouble());
          f(v) = (at(bn.getInput())(asExprs(v)) - at(bn.getMean())(ch)) *
                     (at(bn.getScale())(ch) / sqrt(at(bn.getVariance())(ch) + eps)) +
                 at(bn.getShift())(ch);
          return f;
        })
        .Case([&](cnn::ActivationOp act) {
          std::vector<Var> v = varsFor(act.getResult());
          Func f(name(cnn::stringifyActivation(act.getKind()).str()));
          f(v) = activate(act.getKind(), at(act.getInput())(asExprs(v)));
          return f;
        })
        .Case([&](cnn::GlobalPoolOp pool) {
          ArrayRef<int64_t> s = shapeOf(pool.getInput());
          Var c("c"), x("x"), y("y"), n("n");
          RDom r(0, static_cast<int>(s[3]), 0, static_cast<int>(s[2]), "r");
          Func in = at(pool.getInput());
          Func f(name("global_pool"));
          if (pool.getKind() == cnn::PoolKind::avg) {
            Func sum(name("pool_sum"));
            sum(c, x, y, n) = 0.0f;
            sum(c, x, y, n) += in(c, r.x, r.y, n);
            f(c, x, y, n) = sum(c, x, y, n) * (1.0f / static_cast<float>(s[2] * s[3]));
            inner[f.name()] = sum;
          } else {
            f(c, x, y, n) = Float(32).min();
            f(c, x, y, n) = max(f(c, x, y, n), in(c, r.x, r.y, n));
          }
          return f;
        })
        .Case([&](cnn::ChannelPoolOp pool) {
          int64_t channels = shapeOf(pool.getInput())[1];
          Var c("c"), x("x"), y("y"), n("n");
          RDom r(0, static_cast<int>(channels), "r");
          Func in = at(pool.getInput());
          Func f(name("channel_pool"));
          if (pool.getKind() == cnn::PoolKind::avg) {
            Func sum(name("channel_sum"));
            sum(c, x, y, n) = 0.0f;
            sum(c, x, y, n) += in(r, x, y, n);
            f(c, x, y, n) = sum(c, x, y, n) * (1.0f / static_cast<float>(channels));
            inner[f.name()] = sum;
          } else {
            f(c, x, y, n) = Float(32).min();
            f(c, x, y, n) = max(f(c, x, y, n), in(r, x, y, n));
          }
          return f;
        })
        .Case([&](cnn::ConcatOp concat) {
          Var c("c"), x("x"), y("y"), n("n");
          Func f(name("concat"));
          Expr value = 0.0f;
          int64_t end = 0;
          std::vector<std::pair<int64_t, Value>> pieces;
          for (Value input : concat.getInputs()) {
            pieces.push_back({end, input});
            end += shapeOf(input)[1];
          }
          // Each piece wraps the chain so far: the last piece's test is the
          // outermost, and channel c reads the last piece beginning at or
          // before it. (Wrapped the other way round, the first piece's test,
          // c >= 0, held for every channel.)
          for (auto [begin, input] : pieces) {
            int64_t size = shapeOf(input)[1];
            Expr local = clamp(c - static_cast<int>(begin), 0, static_cast<int>(size - 1));
            value = select(c >= static_cast<int>(begin), at(input)(local, x, y, n), value);
          }
          f(c, x, y, n) = value;
          return f;
        })
        .Case([&](cnn::AddOp add) {
          std::vector<Var> v = varsFor(add.getResult());
          Func f(name("add"));
          f(v) = at(add.getLhs())(asExprs(v)) + at(add.getRhs())(asExprs(v));
          return f;
        })
        .Case([&](cnn::MulOp mul) {
          Var c("c"), x("x"), y("y"), n("n");
          ArrayRef<int64_t> in = shapeOf(mul.getInput()), gate = shapeOf(mul.getGate());
          Expr g = gate[1] == 1 && in[1] != 1     ? at(mul.getGate())(0, x, y, n)
                   : gate[2] == 1 && gate[3] == 1 ? at(mul.getGate())(c, 0, 0, n)
                                                  : at(mul.getGate())(c, x, y, n);
          Func f(name("mul"));
          f(c, x, y, n) = at(mul.getInput())(c, x, y, n) * g;
          return f;
        })
        .Case([&](cnn::FlattenOp flatten) {
          ArrayRef<int64_t> s = shapeOf(flatten.getInput());
          int h = static_cast<int>(s[2]), w = static_cast<int>(s[3]);
          Var k("k"), n("n");
          Func f(name("flatten")); // NCHW order: k = (c·H + y)·W + x
          f(k, n) = at(flatten.getInput())(k / (h * w), k % w, (k / w) % h, n);
          return f;
        })
        .Default([&](Operation *other) -> Func {
          throw CompileError("cnnc codegen cannot translate " +
                             other->getName().getStringRef().str());
        });
  }

  template <typename ConvOp> Func convolution(ConvOp conv, bool depthwise) {
    ArrayRef<int64_t> in = shapeOf(conv.getInput());
    ArrayRef<int64_t> filter = shapeOf(conv.getFilter());
    ArrayRef<int64_t> strides = conv.getStrides(), pad = conv.getPadding();
    Var c("c"), x("x"), y("y"), n("n");
    Value source = conv.getInput();
    Func w = at(conv.getFilter());
    if (conv.getOperation() == plan.foldingConvolution) {
      // conv(x · s) = conv with W · diag(s): scale the 1×1 filter, not the tensor.
      auto mul = cast<cnn::MulOp>(plan.foldedScale);
      Var i("i");
      Func scaled("image_filter");
      scaled(c, i, n) = w(c, i, 0, 0) * at(mul.getGate())(i, 0, 0, n);
      int64_t stride = 1;
      for (size_t d = 0; d < plan.imageFilterExtents.size(); ++d) {
        scaled.output_buffer()
            .dim(static_cast<int>(d))
            .set_bounds(0, static_cast<int>(plan.imageFilterExtents[d]))
            .set_stride(static_cast<int>(stride));
        stride *= plan.imageFilterExtents[d];
      }
      funcs.imageFilter = scaled;
      source = mul.getInput();
    }
    bool needsPadding = llvm::any_of(pad, [](int64_t p) { return p != 0; });
    Func input = at(source);
    if (needsPadding) {
      input = padded(source);
      funcs.paddedInputs.push_back({conv.getOperation(), input});
    }
    int kh = static_cast<int>(filter[2]), kw = static_cast<int>(filter[3]);
    Expr x0 = x * static_cast<int>(strides[1]) - static_cast<int>(pad[1]);
    Expr y0 = y * static_cast<int>(strides[0]) - static_cast<int>(pad[0]);
    Func f(name(depthwise ? "depthwise_conv" : "conv"));
    f(c, x, y, n) = conv.getBias() ? at(conv.getBias())(c) : Expr(0.0f);
    if (depthwise) {
      RDom r(0, kw, 0, kh, "r");
      f(c, x, y, n) += w(c, r.x, r.y) * input(c, x0 + r.x, y0 + r.y, n);
    } else {
      RDom r(0, static_cast<int>(in[1]), 0, kw, 0, kh, "r");
      Expr weight = conv.getOperation() == plan.foldingConvolution ? (*funcs.imageFilter)(c, r.x, n)
                                                                   : w(c, r.x, r.y, r.z);
      f(c, x, y, n) += weight * input(r.x, x0 + r.y, y0 + r.z, n);
    }
    return f;
  }

  const KernelPlan &plan;
  int counter = 0;
  KernelFuncs funcs;
  llvm::DenseMap<Value, Func> values;

public:
  /// Reductions hidden behind an op's Func (an average's sum), by Func name.
  std::map<std::string, Func> inner;
};

} // namespace

Halide::Type halideType(ElementType type) {
  int bits = static_cast<int>(8 * byteSize(type));
  switch (type) {
  case ElementType::f32:
  case ElementType::f16:
    return Float(bits);
  case ElementType::bf16:
    return BFloat(bits);
  case ElementType::i8:
  case ElementType::i32:
    return Int(bits);
  case ElementType::u8:
    return UInt(bits);
  }
  llvm_unreachable("an ElementType without a Halide type");
}

KernelFuncs defineKernel(const KernelPlan &plan) {
  Translator translator(plan);
  KernelFuncs funcs = translator.run();
  // The sum behind an average pool is scheduled as the pool itself would be.
  for (auto &[op, f] : funcs.ops)
    if (auto it = translator.inner.find(f.name()); it != translator.inner.end())
      f = it->second;
  return funcs;
}

} // namespace cnnc
