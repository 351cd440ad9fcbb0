//===- OnnxConstantFolding.cpp - shape arithmetic on constants ------------===//
#include "interchange/OnnxConstantFolding.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/ADT/Twine.h"

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

/// A constant with every value as a double, for arithmetic of either kind.
struct Dense {
  std::vector<int64_t> shape;
  std::vector<double> values;
  bool isFloat = false;
};

Dense dense(const OnnxConstant &c) {
  Dense d{c.shape, {}, c.isFloat};
  if (c.isFloat)
    d.values.assign(c.floats.begin(), c.floats.end());
  else
    d.values.assign(c.ints.begin(), c.ints.end());
  return d;
}

OnnxConstant constantOf(const Dense &d, const std::string &name) {
  OnnxConstant c;
  c.name = name;
  c.shape = d.shape;
  c.isFloat = d.isFloat;
  for (double v : d.values) {
    if (d.isFloat)
      c.floats.push_back(static_cast<float>(v));
    else
      c.ints.push_back(static_cast<int64_t>(v));
  }
  return c;
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

/// Calls `visit(flat, index)` for every element of `shape`, in order.
void forEachIndex(llvm::ArrayRef<int64_t> shape,
                  const std::function<void(int64_t, llvm::ArrayRef<int64_t>)> &visit) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  std::vector<int64_t> index(shape.size(), 0);
  for (int64_t flat = 0; flat < n; ++flat) {
    visit(flat, index);
    for (int i = static_cast<int>(shape.size()) - 1; i >= 0; --i) {
      if (++index[i] < shape[i])
        break;
      index[i] = 0;
    }
  }
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

/// Integers from input `i` when given, else from attribute `name`.
std::optional<std::vector<int64_t>> intsFrom(const onnx::NodeProto &node,
                                             llvm::ArrayRef<const OnnxConstant *> inputs, size_t i,
                                             llvm::StringRef name) {
  if (i < inputs.size() && inputs[i])
    return inputs[i]->isFloat
               ? std::vector<int64_t>(inputs[i]->floats.begin(), inputs[i]->floats.end())
               : inputs[i]->ints;
  if (const onnx::AttributeProto *a = attribute(node, name))
    return std::vector<int64_t>(a->ints().begin(), a->ints().end());
  return std::nullopt;
}

llvm::Expected<Dense> broadcast(const Dense &a, const Dense &b,
                                const std::function<llvm::Expected<double>(double, double)> &op) {
  if (a.isFloat != b.isFloat)
    return fail("combines a floating-point and an integer tensor");
  size_t rank = std::max(a.shape.size(), b.shape.size());
  auto padded = [&](const Dense &d) {
    std::vector<int64_t> s(rank - d.shape.size(), 1);
    s.insert(s.end(), d.shape.begin(), d.shape.end());
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
  Dense out{shape, {}, a.isFloat};
  llvm::Error error = llvm::Error::success();
  forEachIndex(shape, [&](int64_t, llvm::ArrayRef<int64_t> index) {
    if (error)
      return;
    int64_t ia = 0, ib = 0;
    for (size_t i = 0; i < rank; ++i) {
      ia += (sa[i] == 1 ? 0 : index[i]) * stridesA[i];
      ib += (sb[i] == 1 ? 0 : index[i]) * stridesB[i];
    }
    llvm::Expected<double> v = op(a.values[ia], b.values[ib]);
    if (!v)
      error = v.takeError();
    else
      out.values.push_back(*v);
  });
  if (error)
    return std::move(error);
  return out;
}

llvm::Expected<Dense> binary(llvm::StringRef op, const Dense &a, const Dense &b) {
  bool floats = a.isFloat;
  return broadcast(a, b, [&](double x, double y) -> llvm::Expected<double> {
    if (op == "Add")
      return x + y;
    if (op == "Sub")
      return x - y;
    if (op == "Mul")
      return x * y;
    if (op == "Max")
      return std::max(x, y);
    if (op == "Min")
      return std::min(x, y);
    if (!floats && y == 0)
      return fail("divides an integer by zero");
    return floats ? x / y : std::trunc(x / y); // Div
  });
}

llvm::Expected<Dense> gather(const Dense &data, const Dense &indices, int64_t axisAttr) {
  llvm::Expected<int64_t> axis = normalizeAxis(axisAttr, data.shape.size());
  if (!axis)
    return axis.takeError();
  int64_t outer = 1, inner = 1, extent = data.shape[*axis];
  for (int64_t i = 0; i < *axis; ++i)
    outer *= data.shape[i];
  for (size_t i = *axis + 1; i < data.shape.size(); ++i)
    inner *= data.shape[i];
  Dense out{{}, {}, data.isFloat};
  out.shape.assign(data.shape.begin(), data.shape.begin() + *axis);
  out.shape.insert(out.shape.end(), indices.shape.begin(), indices.shape.end());
  out.shape.insert(out.shape.end(), data.shape.begin() + *axis + 1, data.shape.end());
  for (int64_t o = 0; o < outer; ++o)
    for (double raw : indices.values) {
      auto index = static_cast<int64_t>(raw);
      if (index < -extent || index >= extent)
        return fail("index " + llvm::Twine(index) + " is out of range for " + llvm::Twine(extent));
      index = index < 0 ? index + extent : index;
      for (int64_t i = 0; i < inner; ++i)
        out.values.push_back(data.values[(o * extent + index) * inner + i]);
    }
  return out;
}

llvm::Expected<Dense> concat(llvm::ArrayRef<Dense> parts, int64_t axisAttr) {
  if (parts.empty())
    return fail("concatenates nothing");
  size_t rank = parts[0].shape.size();
  llvm::Expected<int64_t> axis = normalizeAxis(axisAttr, rank);
  if (!axis)
    return axis.takeError();
  Dense out{parts[0].shape, {}, parts[0].isFloat};
  out.shape[*axis] = 0;
  for (const Dense &p : parts) {
    if (p.shape.size() != rank || p.isFloat != parts[0].isFloat)
      return fail("concatenates tensors of different ranks or types");
    for (size_t i = 0; i < rank; ++i)
      if (static_cast<int64_t>(i) != *axis && p.shape[i] != parts[0].shape[i])
        return fail("concatenates tensors that differ off the axis");
    out.shape[*axis] += p.shape[*axis];
  }
  int64_t outer = 1;
  for (int64_t i = 0; i < *axis; ++i)
    outer *= out.shape[i];
  for (int64_t o = 0; o < outer; ++o)
    for (const Dense &p : parts) {
      int64_t block = p.values.size() / std::max<int64_t>(outer, 1);
      out.values.insert(out.values.end(), p.values.begin() + o * block,
                        p.values.begin() + (o + 1) * block);
    }
  return out;
}

llvm::Expected<Dense> reshape(Dense data, std::vector<int64_t> shape, bool allowZero) {
  int64_t known = 1, inferred = -1;
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
    } else if (shape[i] < 0) {
      return fail("reshape to a negative dimension");
    } else {
      known *= shape[i];
    }
  }
  int64_t n = data.values.size();
  if (inferred >= 0) {
    if (known == 0 || n % known)
      return fail("reshape cannot infer a dimension");
    shape[inferred] = n / known;
  } else if (known != n) {
    return fail("reshape changes the number of values");
  }
  data.shape = shape;
  return data;
}

llvm::Expected<Dense> slice(const Dense &data, const std::vector<int64_t> &starts,
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
    int64_t dim = data.shape[*axis], s = (*steps)[k];
    if (s == 0)
      return fail("slice with a step of 0");
    auto clampIndex = [&](int64_t v) {
      if (v < 0)
        v += dim;
      return s > 0 ? std::clamp<int64_t>(v, 0, dim) : std::clamp<int64_t>(v, -1, dim - 1);
    };
    int64_t first = clampIndex(starts[k]), last = clampIndex(ends[k]);
    int64_t count = s > 0 ? (last - first + s - 1) / s : (first - last - s - 1) / -s;
    begin[*axis] = first;
    step[*axis] = s;
    shape[*axis] = std::max<int64_t>(count, 0);
  }
  std::vector<int64_t> strides = stridesOf(data.shape);
  Dense out{shape, {}, data.isFloat};
  forEachIndex(shape, [&](int64_t, llvm::ArrayRef<int64_t> index) {
    int64_t flat = 0;
    for (size_t i = 0; i < rank; ++i)
      flat += (begin[i] + index[i] * step[i]) * strides[i];
    out.values.push_back(data.values[flat]);
  });
  return out;
}

llvm::Expected<Dense> transpose(const Dense &data, std::optional<std::vector<int64_t>> perm) {
  size_t rank = data.shape.size();
  if (!perm) {
    perm.emplace(rank);
    std::iota(perm->rbegin(), perm->rend(), 0);
  }
  std::vector<int64_t> sorted = *perm;
  llvm::sort(sorted);
  std::vector<int64_t> identity(rank);
  std::iota(identity.begin(), identity.end(), 0);
  if (sorted != identity)
    return fail("transpose's perm is not a permutation of the axes");
  std::vector<int64_t> shape(rank), strides = stridesOf(data.shape);
  for (size_t i = 0; i < rank; ++i)
    shape[i] = data.shape[(*perm)[i]];
  Dense out{shape, {}, data.isFloat};
  forEachIndex(shape, [&](int64_t, llvm::ArrayRef<int64_t> index) {
    int64_t flat = 0;
    for (size_t i = 0; i < rank; ++i)
      flat += index[i] * strides[(*perm)[i]];
    out.values.push_back(data.values[flat]);
  });
  return out;
}

/// Unsqueeze (`insert`) or Squeeze: the same values under another shape.
llvm::Expected<Dense> reshapeAxes(Dense data, std::optional<std::vector<int64_t>> axes,
                                  bool insert) {
  if (insert) {
    if (!axes)
      return fail("unsqueeze without axes");
    int64_t rank = data.shape.size() + axes->size();
    std::vector<int64_t> shape;
    std::vector<bool> added(rank, false);
    for (int64_t a : *axes) {
      llvm::Expected<int64_t> axis = normalizeAxis(a, rank);
      if (!axis)
        return axis.takeError();
      added[*axis] = true;
    }
    if (llvm::count(added, true) != static_cast<int64_t>(axes->size()))
      return fail("unsqueeze names an axis twice");
    size_t next = 0;
    for (int64_t i = 0; i < rank; ++i)
      shape.push_back(added[i] ? 1 : data.shape[next++]);
    data.shape = shape;
    return data;
  }
  std::vector<int64_t> shape;
  for (size_t i = 0; i < data.shape.size(); ++i) {
    bool listed = !axes || llvm::any_of(*axes, [&](int64_t a) {
      return a == static_cast<int64_t>(i) ||
             a + static_cast<int64_t>(data.shape.size()) == static_cast<int64_t>(i);
    });
    if (listed && data.shape[i] != 1 && axes)
      return fail("squeezes an axis that is not 1");
    if (!listed || data.shape[i] != 1)
      shape.push_back(data.shape[i]);
  }
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
  std::vector<Dense> args;
  for (const OnnxConstant *c : inputs)
    args.push_back(c ? dense(*c) : Dense{});
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
  llvm::Expected<Dense> result = fail("operator " + op + " is not folded");
  if (llvm::is_contained({"Add", "Sub", "Mul", "Div", "Max", "Min"}, op)) {
    if (llvm::Error error = needs(2))
      return std::move(error);
    result = binary(op, args[0], args[1]);
    for (size_t i = 2; result && i < args.size() && (op == "Max" || op == "Min"); ++i)
      result = binary(op, *result, args[i]);
  } else if (llvm::is_contained({"Ceil", "Floor", "Neg"}, op)) {
    if (llvm::Error error = needs(1))
      return std::move(error);
    Dense d = args[0];
    for (double &v : d.values)
      v = op == "Ceil" ? std::ceil(v) : op == "Floor" ? std::floor(v) : -v;
    result = d;
  } else if (op == "Cast") {
    if (llvm::Error error = needs(1))
      return std::move(error);
    int64_t to = intAttr("to", 0);
    Dense d = args[0];
    d.isFloat = llvm::is_contained({onnx::TensorProto::FLOAT, onnx::TensorProto::FLOAT16,
                                    onnx::TensorProto::DOUBLE, onnx::TensorProto::BFLOAT16},
                                   to);
    bool integer = llvm::is_contained({onnx::TensorProto::INT64, onnx::TensorProto::INT32,
                                       onnx::TensorProto::INT16, onnx::TensorProto::INT8,
                                       onnx::TensorProto::UINT8},
                                      to);
    if (!d.isFloat && !integer)
      return fail("casts to element type " + llvm::Twine(to) + ", which cnnc does not fold");
    if (integer)
      for (double &v : d.values)
        v = std::trunc(v);
    result = d;
  } else if (op == "Clip") {
    if (llvm::Error error = needs(1))
      return std::move(error);
    Dense d = args[0];
    for (double &v : d.values) {
      if (inputs.size() > 1 && inputs[1] && !args[1].values.empty())
        v = std::max(v, args[1].values[0]);
      if (inputs.size() > 2 && inputs[2] && !args[2].values.empty())
        v = std::min(v, args[2].values[0]);
    }
    result = d;
  } else if (op == "Unsqueeze" || op == "Squeeze") {
    if (llvm::Error error = needs(1))
      return std::move(error);
    result = reshapeAxes(args[0], intsFrom(node, inputs, 1, "axes"), op == "Unsqueeze");
  } else if (op == "Concat") {
    if (llvm::Error error = needs(inputs.size()))
      return std::move(error);
    result = concat(args, intAttr("axis", 0));
  } else if (op == "Gather") {
    if (llvm::Error error = needs(2))
      return std::move(error);
    result = gather(args[0], args[1], intAttr("axis", 0));
  } else if (op == "ConstantOfShape") {
    if (llvm::Error error = needs(1))
      return std::move(error);
    Dense fill{{}, {0.0}, true};
    if (const onnx::AttributeProto *a = attribute(node, "value")) {
      llvm::Expected<OnnxConstant> value = readOnnxTensor(a->t());
      if (!value)
        return value.takeError();
      fill = dense(*value);
      if (fill.values.size() != 1)
        return fail("ConstantOfShape's value must be one number");
    }
    std::vector<int64_t> shape(args[0].values.begin(), args[0].values.end());
    llvm::Expected<int64_t> n = elementsOf(shape);
    if (!n)
      return n.takeError();
    result = Dense{shape, std::vector<double>(*n, fill.values[0]), fill.isFloat};
  } else if (op == "Reshape") {
    if (llvm::Error error = needs(2))
      return std::move(error);
    result = reshape(args[0], std::vector<int64_t>(args[1].values.begin(), args[1].values.end()),
                     intAttr("allowzero", 0) != 0);
  } else if (op == "Slice") {
    if (llvm::Error error = needs(1))
      return std::move(error);
    std::optional<std::vector<int64_t>> starts = intsFrom(node, inputs, 1, "starts"),
                                        ends = intsFrom(node, inputs, 2, "ends");
    if (!starts || !ends)
      return fail("slice without starts and ends");
    result = slice(args[0], *starts, *ends, intsFrom(node, inputs, 3, "axes"),
                   intsFrom(node, inputs, 4, "steps"));
  } else if (op == "Transpose") {
    if (llvm::Error error = needs(1))
      return std::move(error);
    std::optional<std::vector<int64_t>> perm;
    if (const onnx::AttributeProto *a = attribute(node, "perm"))
      perm.emplace(a->ints().begin(), a->ints().end());
    if (perm && perm->size() != args[0].shape.size())
      return fail("transpose's perm has " + llvm::Twine(perm->size()) + " axes for rank " +
                  llvm::Twine(args[0].shape.size()));
    result = transpose(args[0], perm);
  }
  if (!result)
    return result.takeError();
  return constantOf(*result, node.output(0));
}

} // namespace cnnc
