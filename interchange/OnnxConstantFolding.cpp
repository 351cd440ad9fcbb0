//===- OnnxConstantFolding.cpp - shape arithmetic on constants ------------===//
#include "interchange/OnnxConstantFolding.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/FormatVariadic.h"

#include <cmath>
#include <functional>
#include <numeric>

namespace cnnc {
namespace {

/// Shape arithmetic is small; anything larger is not what this is for.
constexpr int64_t kMaxValues = int64_t(1) << 20;

llvm::Error fail(const llvm::Twine &message) {
  return llvm::createStringError(std::errc::invalid_argument, "%s", message.str().c_str());
}

llvm::Expected<int64_t> elementsOf(llvm::ArrayRef<int64_t> shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0 || (d > 0 && n > kMaxValues / d))
      return fail("a constant of shape with dimension " + llvm::Twine(d) +
                  " is beyond what cnnc folds (" + llvm::Twine(kMaxValues) + " values)");
    n *= d;
  }
  return n;
}

/// Row-major strides of `shape`.
std::vector<int64_t> stridesOf(llvm::ArrayRef<int64_t> shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (int i = static_cast<int>(shape.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

/// Calls `visit(index)` for every element of `shape`, in row-major order.
void forEachIndex(llvm::ArrayRef<int64_t> shape,
                  const std::function<void(llvm::ArrayRef<int64_t>)> &visit) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  std::vector<int64_t> index(shape.size(), 0);
  for (int64_t flat = 0; flat < n; ++flat) {
    visit(index);
    for (int i = static_cast<int>(shape.size()) - 1; i >= 0; --i) {
      if (++index[i] < shape[i])
        break;
      index[i] = 0;
    }
  }
}

/// The constant of `shape` whose values are `from`'s at `sources` (flat
/// indices): every data movement (gather, slice, transpose, concat) is one.
llvm::Expected<OnnxConstant> moved(llvm::ArrayRef<const OnnxConstant *> from,
                                   llvm::ArrayRef<std::pair<size_t, int64_t>> sources,
                                   std::vector<int64_t> shape) {
  OnnxConstant out;
  out.shape = std::move(shape);
  out.isFloat = from[0]->isFloat;
  for (auto [part, index] : sources) {
    if (from[part]->isFloat != out.isFloat)
      return fail("combines floating-point and integer tensors");
    if (out.isFloat)
      out.floats.push_back(from[part]->floats[index]);
    else
      out.ints.push_back(from[part]->ints[index]);
  }
  return out;
}

llvm::Expected<int64_t> normalizeAxis(int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank)
    return fail("axis " + llvm::Twine(axis) + " is out of range for rank " + llvm::Twine(rank));
  return axis < 0 ? axis + rank : axis;
}

const onnx::AttributeProto *attribute(const onnx::NodeProto &node, llvm::StringRef name) {
  for (const onnx::AttributeProto &a : node.attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}

/// A float that an integer tensor can hold, truncated toward zero.
llvm::Expected<int64_t> toInteger(double v) {
  // 2^63 is exact as a double; every double below it converts.
  if (!(v > -9223372036854775808.0 - 1024 && v < 9223372036854775808.0))
    return fail("a value (" + llvm::formatv("{0}", v).str() +
                ") is out of the range of a 64-bit integer");
  return static_cast<int64_t>(std::max(std::trunc(v), -9223372036854775807.0 - 1));
}

/// Integers from input `i` when given, else from attribute `name`.
llvm::Expected<std::optional<std::vector<int64_t>>>
intsFrom(const onnx::NodeProto &node, llvm::ArrayRef<const OnnxConstant *> inputs, size_t i,
         llvm::StringRef name) {
  if (i < inputs.size() && inputs[i]) {
    if (!inputs[i]->isFloat)
      return std::optional(inputs[i]->ints);
    std::vector<int64_t> ints;
    for (float v : inputs[i]->floats) {
      llvm::Expected<int64_t> integer = toInteger(v);
      if (!integer)
        return integer.takeError();
      ints.push_back(*integer);
    }
    return std::optional(ints);
  }
  if (const onnx::AttributeProto *a = attribute(node, name))
    return std::optional(std::vector<int64_t>(a->ints().begin(), a->ints().end()));
  return std::optional<std::vector<int64_t>>();
}

/// Exact integer arithmetic, failing on overflow; float arithmetic in double.
llvm::Expected<int64_t> integerOp(llvm::StringRef op, int64_t x, int64_t y) {
  int64_t r = 0;
  bool overflow = false;
  if (op == "Add")
    overflow = __builtin_add_overflow(x, y, &r);
  else if (op == "Sub")
    overflow = __builtin_sub_overflow(x, y, &r);
  else if (op == "Mul")
    overflow = __builtin_mul_overflow(x, y, &r);
  else if (op == "Max")
    r = std::max(x, y);
  else if (op == "Min")
    r = std::min(x, y);
  else if (y == 0) // Div
    return fail("divides an integer by zero");
  else if (x == INT64_MIN && y == -1)
    overflow = true;
  else
    r = x / y; // truncates toward zero, as ONNX's integer Div
  if (overflow)
    return fail("integer arithmetic overflows");
  return r;
}

double floatOp(llvm::StringRef op, double x, double y) {
  return op == "Add"   ? x + y
         : op == "Sub" ? x - y
         : op == "Mul" ? x * y
         : op == "Max" ? std::max(x, y)
         : op == "Min" ? std::min(x, y)
                       : x / y;
}

llvm::Expected<OnnxConstant> binary(llvm::StringRef op, const OnnxConstant &a,
                                    const OnnxConstant &b) {
  if (a.isFloat != b.isFloat)
    return fail("combines a floating-point and an integer tensor");
  size_t rank = std::max(a.shape.size(), b.shape.size());
  auto padded = [&](const OnnxConstant &c) {
    std::vector<int64_t> s(rank - c.shape.size(), 1);
    s.insert(s.end(), c.shape.begin(), c.shape.end());
    return s;
  };
  std::vector<int64_t> sa = padded(a), sb = padded(b), shape(rank);
  for (size_t i = 0; i < rank; ++i) {
    if (sa[i] != sb[i] && sa[i] != 1 && sb[i] != 1)
      return fail("shapes do not broadcast");
    shape[i] = sa[i] == 1 ? sb[i] : sa[i];
  }
  if (llvm::Error error = elementsOf(shape).takeError())
    return std::move(error);
  std::vector<int64_t> stridesA = stridesOf(sa), stridesB = stridesOf(sb);
  OnnxConstant out;
  out.shape = shape;
  out.isFloat = a.isFloat;
  llvm::Error error = llvm::Error::success();
  forEachIndex(shape, [&](llvm::ArrayRef<int64_t> index) {
    if (error)
      return;
    int64_t ia = 0, ib = 0;
    for (size_t i = 0; i < rank; ++i) {
      ia += (sa[i] == 1 ? 0 : index[i]) * stridesA[i];
      ib += (sb[i] == 1 ? 0 : index[i]) * stridesB[i];
    }
    if (out.isFloat) {
      out.floats.push_back(static_cast<float>(floatOp(op, a.floats[ia], b.floats[ib])));
    } else if (llvm::Expected<int64_t> v = integerOp(op, a.ints[ia], b.ints[ib])) {
      out.ints.push_back(*v);
    } else {
      error = v.takeError();
    }
  });
  if (error)
    return std::move(error);
  return out;
}

llvm::Expected<OnnxConstant> gather(const OnnxConstant &data, const OnnxConstant &indices,
                                    int64_t axisAttr) {
  llvm::Expected<int64_t> axis = normalizeAxis(axisAttr, data.shape.size());
  if (!axis)
    return axis.takeError();
  if (indices.isFloat)
    return fail("gathers at floating-point indices");
  int64_t outer = 1, inner = 1, extent = data.shape[*axis];
  for (int64_t i = 0; i < *axis; ++i)
    outer *= data.shape[i];
  for (size_t i = *axis + 1; i < data.shape.size(); ++i)
    inner *= data.shape[i];
  std::vector<int64_t> shape(data.shape.begin(), data.shape.begin() + *axis);
  shape.insert(shape.end(), indices.shape.begin(), indices.shape.end());
  shape.insert(shape.end(), data.shape.begin() + *axis + 1, data.shape.end());
  if (llvm::Error error = elementsOf(shape).takeError())
    return std::move(error);
  std::vector<std::pair<size_t, int64_t>> sources;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t index : indices.ints) {
      if (index < -extent || index >= extent)
        return fail("index " + llvm::Twine(index) + " is out of range for " + llvm::Twine(extent));
      index = index < 0 ? index + extent : index;
      for (int64_t i = 0; i < inner; ++i)
        sources.push_back({0, (o * extent + index) * inner + i});
    }
  return moved({&data}, sources, shape);
}

llvm::Expected<OnnxConstant> concat(llvm::ArrayRef<const OnnxConstant *> parts, int64_t axisAttr) {
  if (parts.empty())
    return fail("concatenates nothing");
  size_t rank = parts[0]->shape.size();
  llvm::Expected<int64_t> axis = normalizeAxis(axisAttr, rank);
  if (!axis)
    return axis.takeError();
  std::vector<int64_t> shape = parts[0]->shape;
  shape[*axis] = 0;
  for (const OnnxConstant *p : parts) {
    if (p->shape.size() != rank)
      return fail("concatenates tensors of different ranks");
    for (size_t i = 0; i < rank; ++i)
      if (static_cast<int64_t>(i) != *axis && p->shape[i] != parts[0]->shape[i])
        return fail("concatenates tensors that differ off the axis");
    shape[*axis] += p->shape[*axis];
    if (llvm::Error error = elementsOf(shape).takeError())
      return std::move(error);
  }
  int64_t outer = 1;
  for (int64_t i = 0; i < *axis; ++i)
    outer *= shape[i];
  std::vector<std::pair<size_t, int64_t>> sources;
  for (int64_t o = 0; o < outer; ++o)
    for (size_t part = 0; part < parts.size(); ++part) {
      int64_t block = parts[part]->elements() / std::max<int64_t>(outer, 1);
      for (int64_t i = 0; i < block; ++i)
        sources.push_back({part, o * block + i});
    }
  return moved(parts, sources, shape);
}

llvm::Expected<OnnxConstant> reshape(OnnxConstant data, std::vector<int64_t> shape,
                                     bool allowZero) {
  int64_t inferred = -1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == 0 && !allowZero) {
      if (i >= data.shape.size())
        return fail("reshape copies a dimension the input does not have");
      shape[i] = data.shape[i];
    }
    if (shape[i] == -1) {
      if (inferred >= 0)
        return fail("reshape infers more than one dimension");
      inferred = i;
      shape[i] = 1;
    } else if (shape[i] < 0) {
      return fail("reshape to a negative dimension");
    }
  }
  llvm::Expected<int64_t> known = elementsOf(shape);
  if (!known)
    return known.takeError();
  int64_t n = data.elements();
  if (inferred >= 0) {
    if (*known == 0 || n % *known)
      return fail("reshape cannot infer a dimension");
    shape[inferred] = n / *known;
  } else if (*known != n) {
    return fail("reshape changes the number of values");
  }
  data.shape = shape;
  return data;
}

llvm::Expected<OnnxConstant> slice(const OnnxConstant &data, const std::vector<int64_t> &starts,
                                   const std::vector<int64_t> &ends,
                                   std::optional<std::vector<int64_t>> axes,
                                   std::optional<std::vector<int64_t>> steps) {
  size_t rank = data.shape.size();
  if (!axes) {
    axes.emplace(starts.size());
    std::iota(axes->begin(), axes->end(), 0);
  }
  if (!steps)
    steps.emplace(starts.size(), 1);
  if (ends.size() != starts.size() || axes->size() != starts.size() ||
      steps->size() != starts.size())
    return fail("slice's starts, ends, axes and steps differ in length");
  std::vector<int64_t> begin(rank, 0), step(rank, 1), shape = data.shape;
  for (size_t k = 0; k < starts.size(); ++k) {
    llvm::Expected<int64_t> axis = normalizeAxis((*axes)[k], rank);
    if (!axis)
      return axis.takeError();
    // Indices are clamped into [-1, dim], so nothing below can overflow.
    int64_t dim = data.shape[*axis];
    int64_t s = std::clamp<int64_t>((*steps)[k], -dim - 1, dim + 1);
    if (s == 0)
      return fail("slice with a step of 0");
    auto clampIndex = [&](int64_t v) {
      v = std::clamp<int64_t>(v, -dim - 1, dim + 1);
      if (v < 0)
        v += dim;
      return s > 0 ? std::clamp<int64_t>(v, 0, dim) : std::clamp<int64_t>(v, -1, dim - 1);
    };
    int64_t first = clampIndex(starts[k]), last = clampIndex(ends[k]);
    int64_t count = s > 0 ? (last > first ? (last - first - 1) / s + 1 : 0)
                          : (first > last ? (first - last - 1) / -s + 1 : 0);
    begin[*axis] = first;
    step[*axis] = s;
    shape[*axis] = count;
  }
  std::vector<int64_t> strides = stridesOf(data.shape);
  std::vector<std::pair<size_t, int64_t>> sources;
  forEachIndex(shape, [&](llvm::ArrayRef<int64_t> index) {
    int64_t flat = 0;
    for (size_t i = 0; i < rank; ++i)
      flat += (begin[i] + index[i] * step[i]) * strides[i];
    sources.push_back({0, flat});
  });
  return moved({&data}, sources, shape);
}

llvm::Expected<OnnxConstant> transpose(const OnnxConstant &data,
                                       std::optional<std::vector<int64_t>> perm) {
  size_t rank = data.shape.size();
  std::vector<int64_t> identity(rank);
  std::iota(identity.begin(), identity.end(), 0);
  if (!perm)
    perm.emplace(identity.rbegin(), identity.rend());
  std::vector<int64_t> sorted = *perm;
  llvm::sort(sorted);
  if (sorted != identity)
    return fail("transpose's perm is not a permutation of the axes");
  std::vector<int64_t> shape(rank), strides = stridesOf(data.shape);
  for (size_t i = 0; i < rank; ++i)
    shape[i] = data.shape[(*perm)[i]];
  std::vector<std::pair<size_t, int64_t>> sources;
  forEachIndex(shape, [&](llvm::ArrayRef<int64_t> index) {
    int64_t flat = 0;
    for (size_t i = 0; i < rank; ++i)
      flat += index[i] * strides[(*perm)[i]];
    sources.push_back({0, flat});
  });
  return moved({&data}, sources, shape);
}

/// Unsqueeze (`insert`) or Squeeze: the same values under another shape.
llvm::Expected<OnnxConstant> reshapeAxes(OnnxConstant data,
                                         std::optional<std::vector<int64_t>> axes, bool insert) {
  if (insert) {
    if (!axes)
      return fail("unsqueeze without axes");
    int64_t rank = data.shape.size() + axes->size();
    std::vector<bool> added(rank, false);
    for (int64_t a : *axes) {
      llvm::Expected<int64_t> axis = normalizeAxis(a, rank);
      if (!axis)
        return axis.takeError();
      added[*axis] = true;
    }
    if (llvm::count(added, true) != static_cast<int64_t>(axes->size()))
      return fail("unsqueeze names an axis twice");
    std::vector<int64_t> shape;
    size_t next = 0;
    for (int64_t i = 0; i < rank; ++i)
      shape.push_back(added[i] ? 1 : data.shape[next++]);
    data.shape = shape;
    return data;
  }
  int64_t rank = data.shape.size();
  std::vector<bool> listed(rank, !axes);
  for (int64_t a : axes.value_or(std::vector<int64_t>{})) {
    llvm::Expected<int64_t> axis = normalizeAxis(a, rank);
    if (!axis)
      return axis.takeError();
    if (data.shape[*axis] != 1)
      return fail("squeezes an axis that is not 1");
    listed[*axis] = true;
  }
  std::vector<int64_t> shape;
  for (int64_t i = 0; i < rank; ++i)
    if (!listed[i] || data.shape[i] != 1)
      shape.push_back(data.shape[i]);
  data.shape = shape;
  return data;
}

} // namespace

bool isFoldableOnnxOp(llvm::StringRef opType) {
  return llvm::is_contained({"Add", "Sub", "Mul", "Div", "Max", "Min", "Ceil", "Floor", "Neg",
                             "Cast", "Clip", "Unsqueeze", "Squeeze", "Concat", "Gather",
                             "ConstantOfShape", "Reshape", "Slice", "Transpose"},
                            opType);
}

llvm::Expected<OnnxConstant> foldOnnxNode(const onnx::NodeProto &node,
                                          llvm::ArrayRef<const OnnxConstant *> inputs) {
  llvm::StringRef op = node.op_type();
  auto needs = [&](size_t n) -> llvm::Error {
    for (size_t i = 0; i < n; ++i)
      if (i >= inputs.size() || !inputs[i])
        return fail("needs input " + llvm::Twine(i));
    return llvm::Error::success();
  };
  auto intAttr = [&](llvm::StringRef name, int64_t otherwise) {
    const onnx::AttributeProto *a = attribute(node, name);
    return a ? a->i() : otherwise;
  };
  auto integers = [&](size_t i) { return intsFrom(node, inputs, i, ""); };
  llvm::Expected<OnnxConstant> result = fail("operator " + op + " is not folded");
  if (llvm::Error error = needs(op == "Concat" ? inputs.size() : 1))
    return std::move(error);
  const OnnxConstant &first = *inputs[0];
  if (llvm::is_contained({"Add", "Sub", "Mul", "Div", "Max", "Min"}, op)) {
    if (llvm::Error error = needs(op == "Max" || op == "Min" ? inputs.size() : 2))
      return std::move(error);
    result = first;
    for (size_t i = 1; result && i < inputs.size(); ++i)
      result = binary(op, *result, *inputs[i]);
  } else if (llvm::is_contained({"Ceil", "Floor", "Neg"}, op)) {
    OnnxConstant c = first;
    for (float &v : c.floats)
      v = op == "Ceil" ? std::ceil(v) : op == "Floor" ? std::floor(v) : -v;
    for (int64_t &v : c.ints) {
      if (op == "Neg" && v == INT64_MIN)
        return fail("integer arithmetic overflows");
      v = op == "Neg" ? -v : v;
    }
    result = c;
  } else if (op == "Cast") {
    int64_t to = intAttr("to", 0);
    bool toFloat = llvm::is_contained({onnx::TensorProto::FLOAT, onnx::TensorProto::FLOAT16,
                                       onnx::TensorProto::DOUBLE, onnx::TensorProto::BFLOAT16},
                                      to);
    bool toInteger = llvm::is_contained({onnx::TensorProto::INT64, onnx::TensorProto::INT32,
                                         onnx::TensorProto::INT16, onnx::TensorProto::INT8,
                                         onnx::TensorProto::UINT8},
                                        to);
    if (!toFloat && !toInteger)
      return fail("casts to element type " + llvm::Twine(to) + ", which cnnc does not fold");
    OnnxConstant c = first;
    if (toFloat && !c.isFloat)
      c.floats.assign(c.ints.begin(), c.ints.end());
    if (toInteger && c.isFloat) {
      llvm::Expected<std::optional<std::vector<int64_t>>> ints = integers(0);
      if (!ints)
        return ints.takeError();
      c.ints = **ints;
    }
    if (toFloat)
      c.ints.clear();
    else
      c.floats.clear();
    c.isFloat = toFloat;
    result = c;
  } else if (op == "Clip") {
    OnnxConstant c = first;
    for (size_t i = 1; i < 3 && i < inputs.size(); ++i) {
      if (!inputs[i])
        continue;
      if (inputs[i]->elements() != 1 || inputs[i]->isFloat != c.isFloat)
        return fail("Clip's bounds must be scalars of the tensor's type");
      for (float &v : c.floats)
        v = i == 1 ? std::max(v, inputs[i]->floats[0]) : std::min(v, inputs[i]->floats[0]);
      for (int64_t &v : c.ints)
        v = i == 1 ? std::max(v, inputs[i]->ints[0]) : std::min(v, inputs[i]->ints[0]);
    }
    result = c;
  } else if (op == "Unsqueeze" || op == "Squeeze") {
    llvm::Expected<std::optional<std::vector<int64_t>>> axes = intsFrom(node, inputs, 1, "axes");
    if (!axes)
      return axes.takeError();
    result = reshapeAxes(first, *axes, op == "Unsqueeze");
  } else if (op == "Concat") {
    result = concat(inputs, intAttr("axis", 0));
  } else if (op == "Gather") {
    if (llvm::Error error = needs(2))
      return std::move(error);
    result = gather(first, *inputs[1], intAttr("axis", 0));
  } else if (op == "ConstantOfShape") {
    OnnxConstant fill;
    fill.isFloat = true;
    fill.floats = {0.0f};
    if (const onnx::AttributeProto *a = attribute(node, "value")) {
      llvm::Expected<OnnxConstant> value = readOnnxTensor(a->t());
      if (!value)
        return value.takeError();
      if (value->elements() != 1)
        return fail("ConstantOfShape's value must be one number");
      fill = std::move(*value);
    }
    if (first.isFloat)
      return fail("ConstantOfShape takes an integer shape");
    llvm::Expected<int64_t> n = elementsOf(first.ints);
    if (!n)
      return n.takeError();
    OnnxConstant c;
    c.shape = first.ints;
    c.isFloat = fill.isFloat;
    c.floats.assign(fill.isFloat ? *n : 0, fill.isFloat ? fill.floats[0] : 0.0f);
    c.ints.assign(fill.isFloat ? 0 : *n, fill.isFloat ? 0 : fill.ints[0]);
    result = c;
  } else if (op == "Reshape") {
    if (llvm::Error error = needs(2))
      return std::move(error);
    if (inputs[1]->isFloat)
      return fail("Reshape takes an integer shape");
    result = reshape(first, inputs[1]->ints, intAttr("allowzero", 0) != 0);
  } else if (op == "Slice") {
    llvm::Expected<std::optional<std::vector<int64_t>>> starts =
        intsFrom(node, inputs, 1, "starts");
    llvm::Expected<std::optional<std::vector<int64_t>>> ends = intsFrom(node, inputs, 2, "ends");
    llvm::Expected<std::optional<std::vector<int64_t>>> axes = intsFrom(node, inputs, 3, "axes");
    llvm::Expected<std::optional<std::vector<int64_t>>> steps = intsFrom(node, inputs, 4, "steps");
    for (auto *part : {&starts, &ends, &axes, &steps})
      if (!*part)
        return part->takeError();
    if (!*starts || !*ends)
      return fail("slice without starts and ends");
    result = slice(first, **starts, **ends, *axes, *steps);
  } else if (op == "Transpose") {
    std::optional<std::vector<int64_t>> perm;
    if (const onnx::AttributeProto *a = attribute(node, "perm"))
      perm.emplace(a->ints().begin(), a->ints().end());
    if (perm && perm->size() != first.shape.size())
      return fail("transpose's perm has " + llvm::Twine(perm->size()) + " axes for rank " +
                  llvm::Twine(first.shape.size()));
    result = transpose(first, perm);
  }
  if (!result)
    return result.takeError();
  // Every result holds exactly the values its shape says.
  llvm::Expected<int64_t> n = elementsOf(result->shape);
  if (!n)
    return n.takeError();
  if (*n != result->elements())
    return fail("folds to " + llvm::Twine(result->elements()) + " values for " + llvm::Twine(*n) +
                " elements");
  result->name = node.output(0);
  return result;
}

} // namespace cnnc
