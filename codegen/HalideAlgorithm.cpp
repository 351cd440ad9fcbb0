//===- HalideAlgorithm.cpp - what each cnn op computes, in Halide ---------===//
#include "codegen/FastExp.h"
#include "codegen/HalideFixedPoint.h"
#include "codegen/HalideKernel.h"
#include "codegen/Winograd.h"
#include "dialect/Cnn.h"
#include "dialect/IntegerArithmetic.h"

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
    return v / (1.0f + fastExp(-v));
  case cnn::Activation::relu:
    return max(v, 0.0f);
  case cnn::Activation::relu6:
    return relu6(v);
  case cnn::Activation::hardswish:
    return v * relu6(v + 3.0f) * (1.0f / 6.0f);
  case cnn::Activation::sigmoid:
    return 1.0f / (1.0f + fastExp(-v));
  case cnn::Activation::hardsigmoid:
    return relu6(v + 3.0f) * (1.0f / 6.0f);
  }
  return v;
}

class Translator {
public:
  Translator(const KernelPlan &plan, ProductWidth width) : plan(plan), width(width) {}

  KernelFuncs run() {
    for (size_t i = 0; i < plan.inputs.size(); ++i) {
      const KernelArg &arg = plan.inputs[i];
      auto extents = halideExtents(arg.role, plan.shapeOf(arg.value));
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
    for (Operation *op : plan.ops) {
      Func f = translate(op);
      values[op->getResult(0)] = f;
      funcs.ops.push_back({op, f});
    }
    Value result = plan.kernelResult();
    std::vector<Var> vars = varsFor(result);
    funcs.output = Func("output");
    funcs.output(vars) = values[result](asExprs(vars));
    // The output is dense with static extents too, so every intermediate has
    // a constant size (and small ones can live on the stack).
    auto extents = halideExtents(TensorRole::activation, plan.shapeOf(result));
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

  /// `f`, of the NCHW shape `s`, read as `outside` beyond its extents
  /// (convolution padding: real zeros).
  Func padded(Func f, ArrayRef<int64_t> s, Expr outside) {
    Halide::Region bounds = {{0, static_cast<int>(s[1])},
                             {0, static_cast<int>(s[3])},
                             {0, static_cast<int>(s[2])},
                             {0, static_cast<int>(s[0])}};
    return BoundaryConditions::constant_exterior(f, outside, bounds);
  }

  static bool pads(ArrayRef<int64_t> pad) {
    return llvm::any_of(pad, [](int64_t p) { return p != 0; });
  }

  /// The input of a convolution `conv`, padded with zeros where it pads.
  Func convolutionInput(Operation *conv, Value source, ArrayRef<int64_t> pad) {
    if (!pads(pad))
      return at(source);
    Func input = padded(at(source), plan.shapeOf(source), 0.0f);
    funcs.stagedInputs.push_back({conv, input});
    return input;
  }

  /// The input of an integer convolution as its i16 products take it: x − zp,
  /// and 0 (the zero point's own value) where the convolution pads, and
  /// beyond the last channel (which an odd channel count's last pair reads)
  /// or the last column (which an odd window's last tap pair reads).
  Func centered(Value source, ArrayRef<int64_t> pad, int32_t zp, bool readsPastLastColumn) {
    Var c("c"), x("x"), y("y"), n("n");
    Func centered(name("centered"));
    centered(c, x, y, n) =
        Halide::cast<int16_t>(at(source)(c, x, y, n)) - Halide::cast<int16_t>(zp);
    bool oddChannels = shapeOf(source)[1] % 2;
    return pads(pad) || oddChannels || readsPastLastColumn
               ? padded(centered, plan.shapeOf(source), Halide::cast<int16_t>(0))
               : centered;
  }

  /// centered(), staged by the schedule for the convolution `conv`.
  Func centeredInput(Operation *conv, Value source, ArrayRef<int64_t> pad, int32_t zp) {
    Func input = centered(source, pad, zp, /*readsPastLastColumn=*/false);
    funcs.stagedInputs.push_back({conv, input});
    return input;
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
          f(c, x, y, n) =
              concatenated(concat.getInputs(), c, Expr(0.0f), [&](size_t, Value input, Expr local) {
                return at(input)(local, x, y, n);
              });
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
          Func f(name("mul"));
          f(c, x, y, n) =
              at(mul.getInput())(c, x, y, n) * gateOf(mul.getInput(), mul.getGate(), c, x, y, n);
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
        .Case<cnn::IntegerConv2DOp, cnn::IntegerDepthwiseConv2DOp>(
            [&](auto conv) { return integerConvolution(conv); })
        .Case([&](cnn::IntegerFullyConnectedOp fc) { return integerFullyConnected(fc); })
        .Case([&](cnn::RequantizeOp r) {
          std::vector<Var> v = varsFor(r.getResult());
          Func f(name("requantize"));
          f(v) = requantized(r.getRequantization(), at(r.getInput())(asExprs(v)), r.getMultiplier(),
                             v[0], r.getZeroPoint(), r.getMin(), r.getMax());
          return f;
        })
        .Case([&](cnn::LookupOp l) {
          std::vector<Var> v = varsFor(l.getResult());
          Buffer<uint8_t> table(256);
          for (int q = 0; q < 256; ++q)
            table(q) = static_cast<uint8_t>(l.getTable()[q]);
          Func f(name("lookup"));
          f(v) = table(Halide::cast<int32_t>(at(l.getInput())(asExprs(v))));
          return f;
        })
        .Case([&](cnn::IntegerAddOp add) {
          std::vector<Var> v = varsFor(add.getResult());
          ArrayRef<double> scale = add.getScales();
          ArrayRef<int64_t> zp = add.getZeroPoints();
          if (add.getRequantization() == cnn::Requantization::float32)
            return integerAddFloat32(add, v);
          AddRescale r = addRescale(scale[0], scale[1], scale[2]);
          auto side = [&](Value operand, int64_t zeroPoint, FixedPointMultiplier m) {
            Expr offset =
                Halide::cast<int32_t>(at(operand)(asExprs(v))) - static_cast<int32_t>(zeroPoint);
            return multiplyByFixedPoint(offset * (1 << kAddHeadroomBits),
                                        fixedPointExprs(m, width));
          };
          Func f(name("int_add"));
          f(v) =
              cnnc::requantize(side(add.getLhs(), zp[0], r.lhs) + side(add.getRhs(), zp[1], r.rhs),
                               fixedPointExprs(r.result, width), zp[2], 0, 255);
          return f;
        })
        .Case([&](cnn::IntegerMulOp mul) {
          Var c("c"), x("x"), y("y"), n("n");
          ArrayRef<int64_t> zp = mul.getZeroPoints();
          Expr g = gateOf(mul.getInput(), mul.getGate(), c, x, y, n);
          Expr product = (Halide::cast<int32_t>(at(mul.getInput())(c, x, y, n)) -
                          static_cast<int32_t>(zp[0])) *
                         (Halide::cast<int32_t>(g) - static_cast<int32_t>(zp[1]));
          Func f(name("int_mul"));
          f(c, x, y, n) = requantized(mul.getRequantization(), product,
                                      mulMultiplier(mul.getScales().data()), c, zp[2], 0, 255);
          return f;
        })
        .Case([&](cnn::IntegerGlobalPoolOp pool) { return integerPool(pool, false); })
        .Case([&](cnn::IntegerChannelPoolOp pool) { return integerPool(pool, true); })
        .Case([&](cnn::IntegerConcatOp concat) {
          Var c("c"), x("x"), y("y"), n("n");
          ArrayRef<double> scale = concat.getScales();
          ArrayRef<int64_t> zp = concat.getZeroPoints();
          auto rescaled = [&](size_t i, Value input, Expr local) {
            Expr offset =
                Halide::cast<int32_t>(at(input)(local, x, y, n)) - static_cast<int32_t>(zp[i]);
            return cnnc::requantize(
                offset, fixedPointExprs(fixedPointMultiplier(scale[i] / scale.back()), width),
                zp.back(), 0, 255);
          };
          Func f(name("int_concat"));
          f(c, x, y, n) = concatenated(concat.getInputs(), c, Halide::cast<uint8_t>(0), rescaled);
          return f;
        })
        .Case([&](cnn::QuantizeOp q) {
          std::vector<Var> v = varsFor(q.getResult());
          // quantizeValue in double: round half away from zero, then clamp.
          auto f64 = [](double d) { return Internal::make_const(Float(64), d); };
          Expr real =
              Halide::cast<double>(at(q.getInput())(asExprs(v))) * f64(1.0 / q.getScale()[0]);
          Expr whole = trunc(real);
          Expr away = select(real < f64(0), f64(-1), f64(1));
          Expr rounded = whole + select(abs(real - whole) >= f64(0.5), away, f64(0));
          Expr shifted = rounded + f64(static_cast<double>(q.getZeroPoint()[0]));
          Func f(name("quantize"));
          f(v) = Halide::cast<uint8_t>(clamp(shifted, f64(0), f64(255)));
          return f;
        })
        .Case([&](cnn::DequantizeOp dq) {
          std::vector<Var> v = varsFor(dq.getResult());
          ArrayRef<double> scales = dq.getScale();
          ArrayRef<int64_t> zeroPoints = dq.getZeroPoint();
          Buffer<double> scale(static_cast<int>(scales.size()));
          Buffer<int32_t> zeroPoint(static_cast<int>(scales.size()));
          for (size_t i = 0; i < scales.size(); ++i) {
            scale(static_cast<int>(i)) = scales[i];
            zeroPoint(static_cast<int>(i)) = static_cast<int32_t>(zeroPoints[i]);
          }
          // Per channel along axis 1, which is Halide's innermost dimension.
          Expr index = dq.getAxis() ? Expr(v[0]) : Expr(0);
          Expr offset = Halide::cast<double>(Halide::cast<int32_t>(at(dq.getInput())(asExprs(v))) -
                                             zeroPoint(index));
          Func f(name("dequantize"));
          f(v) = Halide::cast<float>(scale(index) * offset);
          return f;
        })
        .Default([&](Operation *other) -> Func {
          throw CompileError("cnnc codegen cannot translate " +
                             other->getName().getStringRef().str());
        });
  }

  /// Channel c of the concatenation of `inputs`: `read(i, input, local)` is
  /// input i at its own channel `local`. Each piece wraps the select chain so
  /// far: the last piece's test is the outermost, and channel c reads the last
  /// piece beginning at or before it. (Wrapped the other way round, the first
  /// piece's test, c >= 0, held for every channel.)
  template <typename Read> Expr concatenated(mlir::ValueRange inputs, Var c, Expr none, Read read) {
    Expr value = none;
    int64_t begin = 0;
    for (auto [i, input] : llvm::enumerate(inputs)) {
      int64_t size = shapeOf(input)[1];
      Expr local = clamp(c - static_cast<int>(begin), 0, static_cast<int>(size - 1));
      value = select(c >= static_cast<int>(begin), read(i, input, local), value);
      begin += size;
    }
    return value;
  }

  /// `acc` requantized to u8 under `rule` by `multipliers`: one, or one per
  /// channel `channel`.
  Expr requantized(cnn::Requantization rule, Expr acc, ArrayRef<double> multipliers, Expr channel,
                   int64_t zeroPoint, int64_t lo, int64_t hi) {
    if (rule == cnn::Requantization::float32)
      return requantizeFloat32(acc, float32Multiplier(multipliers, channel), zeroPoint, lo, hi);
    return cnnc::requantize(acc, fixedPointExprs(multipliers, channel, width), zeroPoint, lo, hi);
  }

  /// An integer layer's accumulator before its products: its bias, clamped
  /// as accumulatorBias clamps it, or 0.
  Expr accumulatorStart(Value bias, Expr channel) {
    if (!bias)
      return Expr(0);
    return clamp(at(bias)(channel), -kMaxAccumulatorBias, kMaxAccumulatorBias);
  }

  /// The gate value that scales element (c, x, y, n) of `input` (cnn.mul's broadcast).
  Expr gateOf(Value input, Value gate, Var c, Var x, Var y, Var n) {
    ArrayRef<int64_t> in = shapeOf(input), g = shapeOf(gate);
    return g[1] == 1 && in[1] != 1  ? at(gate)(0, x, y, n)
           : g[2] == 1 && g[3] == 1 ? at(gate)(c, 0, 0, n)
                                    : at(gate)(c, x, y, n);
  }

  /// The input of an integer convolution as vrmpy's u8 products take it:
  /// raw, and the zero point (x − zp = 0) where the convolution pads and
  /// beyond the last channel (which a channel count short of a quad reads).
  Func rawInput(Operation *conv, Value source, ArrayRef<int64_t> pad, int32_t zp) {
    bool partialQuad = shapeOf(source)[1] % 4;
    Func input = pads(pad) || partialQuad
                     ? padded(at(source), plan.shapeOf(source), Halide::cast<uint8_t>(zp))
                     : at(source);
    funcs.stagedInputs.push_back({conv, input});
    return input;
  }

  /// The layout of the filter `filter`, a kernel argument (Layout.h).
  TensorRole filterRole(Value filter) const {
    for (const KernelArg &arg : plan.inputs)
      if (arg.value == filter)
        return arg.role;
    return TensorRole::vector;
  }

  /// The input channels the filter `filter` groups (Layout.h).
  int64_t filterGroup(Value filter) const { return inputChannelGroup(filterRole(filter)); }

  /// A depthwise integer convolution's Σ (x − zp)·w over a paired filter
  /// (Layout.h), added to `f`: the products of taps 2t and 2t + 1 of a row
  /// summed in one i32 lane, as pmaddwd sums a pair. Each tap pair reads one
  /// dense vector of `pairs` (p, c, u, y, n), the centered input of columns
  /// (u + p) at an odd stride and (2u − pad + p) at an even one, where only
  /// every other column starts a pair: output x at stride s reads pair
  /// u = s·x − pad + 2t, or u = (s/2)·x + t. A window of odd width multiplies
  /// the column past its last tap by a zero weight. The sum is the same
  /// integer as tap by tap.
  void addTapPairProducts(Operation *op, Func f, int32_t zp) {
    auto conv = cast<cnn::IntegerDepthwiseConv2DOp>(op);
    ArrayRef<int64_t> filter = shapeOf(conv.getFilter());
    int kh = static_cast<int>(filter[2]), kw = static_cast<int>(filter[3]);
    int strideX = static_cast<int>(conv.getStrides()[1]),
        strideY = static_cast<int>(conv.getStrides()[0]);
    int padX = static_cast<int>(conv.getPadding()[1]),
        padY = static_cast<int>(conv.getPadding()[0]);
    Func input = centered(conv.getInput(), conv.getPadding(), zp, /*readsPastLastColumn=*/kw % 2);
    Var p("p"), c("c"), u("u"), x("x"), y("y"), n("n");
    Func pairs(name("tap_pairs"));
    RDom r(0, 2, 0, (kw + 1) / 2, 0, kh, "r");
    Expr pair;
    if (strideX % 2 == 0) {
      pairs(p, c, u, y, n) = input(c, 2 * u - padX + p, y, n);
      pair = strideX / 2 * x + r.y;
    } else {
      pairs(p, c, u, y, n) = input(c, u + p, y, n);
      pair = strideX * x - padX + 2 * r.y;
    }
    f(c, x, y, n) +=
        Halide::cast<int32_t>(Halide::cast<int16_t>(at(conv.getFilter())(r.x, c, r.y, r.z))) *
        Halide::cast<int32_t>(pairs(r.x, c, pair, y * strideY - padY + r.z, n));
    funcs.groupedReductions[op] = 2;
    funcs.tapPairs.push_back({op, input, pairs});
  }

  /// int_conv2d, int_depthwise_conv2d: Σ (x − zp)·w in i32 from the clamped
  /// bias. The dense convolution sums its products in groups of input
  /// channels, as the target's instruction does (its filter's layout says
  /// which):
  /// - pairs, for pmaddwd: i16 products of x − zp (two of up to 127·255 each
  ///   are exact in its i32 lanes, where pmaddubsw would saturate them);
  /// - quads, for vrmpy: u8 × i8 products of raw x, and −zp·Σw, the zero
  ///   point's share, added to the start once per output channel. The sum is
  ///   the same integer: every partial sum fits in i32.
  template <typename ConvOp> Func integerConvolution(ConvOp conv) {
    bool depthwise = std::is_same_v<ConvOp, cnn::IntegerDepthwiseConv2DOp>;
    ArrayRef<int64_t> in = shapeOf(conv.getInput()), filter = shapeOf(conv.getFilter());
    ArrayRef<int64_t> strides = conv.getStrides(), pad = conv.getPadding();
    auto zp = static_cast<int32_t>(conv.getInputZeroPoint());
    Var c("c"), x("x"), y("y"), n("n");
    Func w = at(conv.getFilter());
    int kh = static_cast<int>(filter[2]), kw = static_cast<int>(filter[3]);
    Expr x0 = x * static_cast<int>(strides[1]) - static_cast<int>(pad[1]);
    Expr y0 = y * static_cast<int>(strides[0]) - static_cast<int>(pad[0]);
    Func f(name(depthwise ? "int_depthwise_conv" : "int_conv"));
    if (depthwise && filterRole(conv.getFilter()) == TensorRole::pairedDepthwiseFilter) {
      f(c, x, y, n) = accumulatorStart(conv.getBias(), c);
      addTapPairProducts(conv.getOperation(), f, zp);
      return f;
    }
    if (depthwise) {
      Func input = centeredInput(conv.getOperation(), conv.getInput(), pad, zp);
      f(c, x, y, n) = accumulatorStart(conv.getBias(), c);
      RDom r(0, kw, 0, kh, "r");
      f(c, x, y, n) += Halide::cast<int32_t>(w(c, r.x, r.y)) *
                       Halide::cast<int32_t>(input(c, x0 + r.x, y0 + r.y, n));
      return f;
    }
    // r.x: the channel within the group; r.y: the group; r.z, r.w: the tap.
    auto group = static_cast<int>(filterGroup(conv.getFilter()));
    int groups = static_cast<int>((in[1] + group - 1) / group);
    RDom r(0, group, 0, groups, 0, kw, 0, kh, "r");
    Expr weight = w(r.x, c, r.y, r.w * kw + r.z);
    Expr channel = group * r.y + r.x;
    funcs.groupedReductions[conv.getOperation()] = group;
    if (group == 2) {
      Func input = centeredInput(conv.getOperation(), conv.getInput(), pad, zp);
      f(c, x, y, n) = accumulatorStart(conv.getBias(), c);
      f(c, x, y, n) += Halide::cast<int32_t>(Halide::cast<int16_t>(weight)) *
                       Halide::cast<int32_t>(input(channel, x0 + r.z, y0 + r.w, n));
      return f;
    }
    Func input = rawInput(conv.getOperation(), conv.getInput(), pad, zp);
    Expr product = Halide::cast<int32_t>(weight) *
                   Halide::cast<int32_t>(input(channel, x0 + r.z, y0 + r.w, n));
    // Schedules may compute whole vectors of channels, as an HVX quad filter
    // holds them (Layout.h): those past the last read the last channel's
    // start, and are not stored.
    Expr biasChannel = min(c, static_cast<int>(shapeOf(conv.getResult())[1]) - 1);
    if (conv.getBias() && filterRole(conv.getBias()) == TensorRole::quadConvStart) {
      f(c, x, y, n) = at(conv.getBias())(biasChannel); // bias − zp·Σw, packed (Layout.h)
      f(c, x, y, n) += product;
      return f;
    }
    Func filterSum(name("filter_sum"));
    filterSum(c) = 0;
    filterSum(c) += Halide::cast<int32_t>(weight);
    funcs.filterSums.push_back(
        {conv.getOperation(), filterSum, halideExtents(filterRole(conv.getFilter()), filter)[1]});
    // A convolution without a bias sums its filter's weights in every call.
    f(c, x, y, n) = accumulatorStart(conv.getBias(), biasChannel) - zp * filterSum(c);
    f(c, x, y, n) += product;
    return f;
  }

  /// int_add under the float32 rule (IntegerArithmetic.h, integerAddFloat32):
  /// strict_float, so that LLVM cannot fuse a product into the sum.
  Func integerAddFloat32(cnn::IntegerAddOp add, const std::vector<Var> &v) {
    ArrayRef<double> scale = add.getScales();
    ArrayRef<int64_t> zp = add.getZeroPoints();
    AddFloat32 m = addFloat32(scale[0], scale[1], scale[2]);
    auto side = [&](Value operand, int64_t zeroPoint, float multiplier) {
      Expr offset =
          Halide::cast<int32_t>(at(operand)(asExprs(v))) - static_cast<int32_t>(zeroPoint);
      return Halide::cast<float>(offset) * multiplier;
    };
    Expr sum =
        Halide::strict_float(side(add.getLhs(), zp[0], m.lhs) + side(add.getRhs(), zp[1], m.rhs));
    Func f(name("int_add"));
    f(v) = float32ToU8(sum, zp[2], 0, 255);
    return f;
  }

  Func integerFullyConnected(cnn::IntegerFullyConnectedOp fc) {
    Var k("k"), n("n");
    auto zp = static_cast<int32_t>(fc.getInputZeroPoint());
    RDom r(0, static_cast<int>(shapeOf(fc.getInput())[1]), "r");
    Func f(name("int_fully_connected"));
    f(k, n) = accumulatorStart(fc.getBias(), k);
    f(k, n) += Halide::cast<int32_t>(at(fc.getWeight())(k, r)) *
               (Halide::cast<int32_t>(at(fc.getInput())(r, n)) - zp);
    return f;
  }

  /// int_global_pool (over x, y) or int_channel_pool (over c).
  template <typename PoolOp> Func integerPool(PoolOp pool, bool overChannels) {
    ArrayRef<int64_t> s = shapeOf(pool.getInput());
    Var c("c"), x("x"), y("y"), n("n");
    bool average = pool.getKind() == cnn::PoolKind::avg;
    int64_t count = overChannels ? s[1] : s[2] * s[3];
    auto zp = pool.getZeroPoints();
    Func in = at(pool.getInput());
    RDom r = overChannels ? RDom(0, static_cast<int>(s[1]), "r")
                          : RDom(0, static_cast<int>(s[3]), 0, static_cast<int>(s[2]), "r");
    Expr value = Halide::cast<int32_t>(overChannels ? in(r.x, x, y, n) : in(c, r.x, r.y, n));
    Func reduced(name(average ? "int_pool_sum" : "int_pool_max"));
    reduced(c, x, y, n) = 0; // a sum's start, and a maximum's: u8 values are at least 0
    if (average)
      reduced(c, x, y, n) += value - static_cast<int32_t>(zp[0]);
    else
      reduced(c, x, y, n) = max(reduced(c, x, y, n), value);
    Func f(name("int_pool"));
    Expr offset = average ? reduced(c, x, y, n) : reduced(c, x, y, n) - static_cast<int32_t>(zp[0]);
    FixedPointMultiplier m =
        fixedPointMultiplier(poolMultiplier(average, pool.getScales().data(), count));
    f(c, x, y, n) = cnnc::requantize(offset, fixedPointExprs(m, width), zp[1], 0, 255);
    inner[f.name()] = reduced;
    return f;
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
      funcs.imageFilterExtents.assign(plan.imageFilterExtents.begin(),
                                      plan.imageFilterExtents.end());
      source = mul.getInput();
    }
    if (!depthwise && filterRole(conv.getFilter()) == TensorRole::winogradFilter)
      return winogradConvolution(conv.getOperation());
    Func input = convolutionInput(conv.getOperation(), source, pad);
    if (conv.getOperation() == plan.gatedConvolution) // the group's mul, staged
      funcs.stagedInputs.push_back({conv.getOperation(), input});
    int kh = static_cast<int>(filter[2]), kw = static_cast<int>(filter[3]);
    Expr x0 = x * static_cast<int>(strides[1]) - static_cast<int>(pad[1]);
    Expr y0 = y * static_cast<int>(strides[0]) - static_cast<int>(pad[0]);
    Func f(name(depthwise ? "depthwise_conv" : "conv"));
    f(c, x, y, n) = conv.getBias() ? at(conv.getBias())(c) : Expr(0.0f);
    bool folds = conv.getOperation() == plan.foldingConvolution;
    if (depthwise) {
      RDom r(0, kw, 0, kh, "r");
      f(c, x, y, n) += w(c, r.x, r.y) * input(c, x0 + r.x, y0 + r.y, n);
    } else if (conv.getOperation() == plan.pixelPairConvolution) {
      // Output channel c of the pixels (2x, 2x + 1), a 1×1 convolution's:
      // the first pixel's channels, then the second's, each reading its
      // own pixel, through the filter and bias held twice over (Layout.h).
      RDom r(0, static_cast<int>(in[1]), "r");
      auto channels = static_cast<int>(shapeOf(conv.getResult())[1]);
      Expr weight = folds ? (*funcs.imageFilter)(c, r, n) : w(c, r, 0, 0);
      f(c, x, y, n) +=
          weight * select(c < channels, input(r, 2 * x, y, n), input(r, 2 * x + 1, y, n));
    } else {
      RDom r(0, static_cast<int>(in[1]), 0, kw, 0, kh, "r");
      Expr weight = folds ? (*funcs.imageFilter)(c, r.x, n) : w(c, r.x, r.y, r.z);
      f(c, x, y, n) += weight * input(r.x, x0 + r.y, y0 + r.z, n);
    }
    return f;
  }

  /// Σₖ coefficient(k)·term(k) over k < count, leaving out the zero
  /// coefficients and multiplying by none of ±1: a Winograd transform's
  /// row, its additions only where its coefficients are ±1.
  template <typename Coefficient, typename Term>
  static Expr combination(int count, Coefficient coefficient, Term term) {
    Expr sum;
    for (int k = 0; k < count; ++k) {
      double cf = coefficient(k);
      if (cf == 0)
        continue;
      Expr t = term(k);
      if (!sum.defined())
        sum = cf == 1 ? t : cf == -1 ? -t : t * static_cast<float>(cf);
      else if (cf == 1 || cf == -1)
        sum = cf == 1 ? sum + t : sum - t;
      else
        sum = sum + t * static_cast<float>(cf);
    }
    return sum.defined() ? sum : Expr(0.0f);
  }

  /// Row `row` of a transform applied along one tile axis: a mux over the
  /// `rows` rows of `coefficient` (row, k), which a schedule unrolling that
  /// axis resolves to one row's combination.
  template <typename Coefficient, typename Term>
  static Expr transformed(Expr row, int rows, int count, Coefficient coefficient, Term term) {
    std::vector<Expr> options;
    for (int r = 0; r < rows; ++r)
      options.push_back(combination(
          count, [&](int k) { return coefficient(r, k); }, term));
    return mux(row, options);
  }

  /// The 3×3 convolution `op` by Winograd's F(m×m, 3×3) over its
  /// transformed filter (Layout.h's winogradFilter, (o, i, t)): each n×n
  /// input tile, its corner at m·tx less the left padding and m·ty less the
  /// top, transformed (V = Bᵀ d B), the products at each of its n²
  /// positions summed over the input channels, and the sums transformed
  /// back (Aᵀ M A) to the m×m outputs from (m·tx, m·ty)
  /// (KernelFuncs::Winograd).
  Func winogradConvolution(Operation *op) {
    auto conv = cast<cnn::Conv2DOp>(op);
    const WinogradTransforms &w = winogradTransforms();
    int m = kWinogradOutputTile, tile = kWinogradInputTile;
    ArrayRef<int64_t> pad = conv.getPadding();
    Value source = conv.getInput();
    // Padded even where the convolution does not pad: the last tiles of a
    // map that is not whole tiles read past the input's edge.
    Func input = padded(at(source), plan.shapeOf(source), 0.0f);
    Func filter = at(conv.getFilter());
    Var c("c"), x("x"), y("y"), n("n"), a("a"), b("b"), j("j"), r("r"), tx("tx"), ty("ty");
    Expr left = m * tx - static_cast<int>(pad[1]), top = m * ty - static_cast<int>(pad[0]);
    auto inputT = [&](int row, int k) { return w.bt(row, k); };
    auto outputT = [&](int row, int k) { return w.at(row, k); };

    KernelFuncs::Winograd stages{op, Func(name("winograd_columns")), Func(name("winograd_input")),
                                 Func(name("winograd_products")), Func(name("winograd_rows"))};
    stages.inputColumns(c, j, a, tx, ty, n) =
        transformed(a, tile, tile, inputT, [&](int k) { return input(c, left + j, top + k, n); });
    stages.input(c, b, a, tx, ty, n) = transformed(
        b, tile, tile, inputT, [&](int k) { return stages.inputColumns(c, k, a, tx, ty, n); });
    RDom channels(0, static_cast<int>(shapeOf(source)[1]), "r");
    stages.products(c, b, a, tx, ty, n) = 0.0f;
    stages.products(c, b, a, tx, ty, n) +=
        filter(c, channels, a * tile + b) * stages.input(channels, b, a, tx, ty, n);
    stages.outputRows(c, b, r, tx, ty, n) = transformed(
        r, m, tile, outputT, [&](int k) { return stages.products(c, b, k, tx, ty, n); });
    Func f(name("conv"));
    f(c, x, y, n) = (conv.getBias() ? at(conv.getBias())(c) : Expr(0.0f)) +
                    transformed(x % m, m, tile, outputT, [&](int k) {
                      return stages.outputRows(c, k, y % m, x / m, y / m, n);
                    });
    funcs.winograd.push_back(stages);
    return f;
  }

  const KernelPlan &plan;
  ProductWidth width;
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

KernelFuncs defineKernel(const KernelPlan &plan, ProductWidth width) {
  Translator translator(plan, width);
  KernelFuncs funcs = translator.run();
  // The sum behind an average pool is scheduled as the pool itself would be.
  for (auto &[op, f] : funcs.ops)
    if (auto it = translator.inner.find(f.name()); it != translator.inner.end())
      f = it->second;
  return funcs;
}

} // namespace cnnc
