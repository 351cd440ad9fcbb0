//===- Safetensors.cpp - reading .safetensors weight files ----------------===//
#include "frontend/Safetensors.h"
#include "support/BoundedInput.h"

#include "llvm/Support/Endian.h"
#include "llvm/Support/JSON.h"

#include <cstring>
#include <tuple>

namespace cnnc {
namespace {

llvm::Error fail(llvm::StringRef path, const llvm::Twine &message) {
  return llvm::createStringError(std::errc::invalid_argument, "%s: %s", path.str().c_str(),
                                 message.str().c_str());
}

int64_t bytesPerElement(llvm::StringRef dtype) {
  if (dtype == "F64" || dtype == "I64" || dtype == "U64")
    return 8;
  if (dtype == "F32" || dtype == "I32" || dtype == "U32")
    return 4;
  if (dtype == "F16" || dtype == "BF16" || dtype == "I16" || dtype == "U16")
    return 2;
  if (dtype == "I8" || dtype == "U8" || dtype == "BOOL" || dtype == "F8_E4M3" || dtype == "F8_E5M2")
    return 1;
  return 0;
}

/// The format's rules: a header of at most 100 MB (safetensors' own limit),
/// nested at most as deep as {name: {shape: [...]}}; files up to 1 TiB.
constexpr uint64_t kMaxHeaderBytes = 100'000'000;
constexpr int kMaxHeaderNesting = 3;
constexpr uint64_t kMaxFileBytes = 1ull << 40;

float halfToFloat(uint16_t h) {
  uint32_t sign = (h & 0x8000u) << 16, exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff;
  uint32_t bits;
  if (exponent == 0x1f) {
    bits = sign | 0x7f800000u | (mantissa << 13); // inf or nan
  } else if (exponent != 0) {
    bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
  } else if (mantissa == 0) {
    bits = sign;
  } else { // subnormal: normalize
    int shift = 0;
    while (!(mantissa & 0x400)) {
      mantissa <<= 1;
      ++shift;
    }
    bits = sign | ((113 - shift) << 23) | ((mantissa & 0x3ff) << 13);
  }
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

float bfloat16ToFloat(uint16_t b) {
  uint32_t bits = static_cast<uint32_t>(b) << 16;
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

} // namespace

llvm::Expected<SafetensorsFile> SafetensorsFile::open(llvm::StringRef path) {
  auto buffer = readBoundedFile(path, kMaxFileBytes, "a safetensors file");
  if (!buffer)
    return fail(path, "cannot read: " + llvm::toString(buffer.takeError()));
  llvm::StringRef data = (*buffer)->getBuffer();
  if (data.size() < 8)
    return fail(path, "too short for a safetensors file (" + llvm::Twine(data.size()) + " bytes)");
  uint64_t headerSize = llvm::support::endian::read64le(data.data());
  if (headerSize > kMaxHeaderBytes)
    return fail(path, "header length " + llvm::Twine(headerSize) +
                          " is over the format's limit of 100 MB");
  if (headerSize > data.size() - 8)
    return fail(path, "header length " + llvm::Twine(headerSize) + " runs past the end of the " +
                          llvm::Twine(data.size()) + "-byte file (truncated?)");
  llvm::StringRef headerText = data.substr(8, headerSize);
  llvm::StringRef payload = data.substr(8 + headerSize);
  if (!headerText.starts_with("{"))
    return fail(path, "the header does not begin with '{'");
  if (std::optional<size_t> at = jsonTooDeep(headerText, kMaxHeaderNesting))
    return fail(path, "the header nests deeper than a safetensors header does (at byte " +
                          llvm::Twine(8 + *at) + ")");
  if (std::optional<std::string> key = jsonDuplicateKey(headerText))
    return fail(path, "the header names tensor '" + *key + "' twice");
  llvm::Expected<llvm::json::Value> header = llvm::json::parse(headerText);
  if (!header)
    return fail(path, "malformed JSON header: " + llvm::toString(header.takeError()));
  const llvm::json::Object *object = header->getAsObject();
  if (!object)
    return fail(path, "the header is not a JSON object");

  SafetensorsFile file;
  file.filePath = path.str();
  std::vector<std::tuple<int64_t, int64_t, std::string>> extents; // [begin, end), name
  for (const auto &[key, value] : *object) {
    llvm::StringRef name = key;
    if (name == "__metadata__")
      continue;
    const llvm::json::Object *tensor = value.getAsObject();
    auto dtype = tensor ? tensor->getString("dtype") : std::nullopt;
    const llvm::json::Array *shape = tensor ? tensor->getArray("shape") : nullptr;
    const llvm::json::Array *offsets = tensor ? tensor->getArray("data_offsets") : nullptr;
    if (!dtype || !shape || !offsets || offsets->size() != 2)
      return fail(path, "tensor '" + name + "' lacks dtype, shape or data_offsets");
    int64_t elementSize = bytesPerElement(*dtype);
    if (!elementSize)
      return fail(path, "tensor '" + name + "' has unknown dtype " + *dtype);
    SafetensorsEntry entry;
    entry.dtype = dtype->str();
    uint64_t bytes = static_cast<uint64_t>(elementSize);
    for (const llvm::json::Value &dim : *shape) {
      std::optional<int64_t> extent = jsonInteger(dim);
      if (!extent || *extent < 0)
        return fail(path, "tensor '" + name + "' has a malformed shape");
      entry.shape.push_back(*extent);
      if (__builtin_mul_overflow(bytes, static_cast<uint64_t>(*extent), &bytes))
        return fail(path, "tensor '" + name + "' has a shape whose size overflows 64 bits");
    }
    std::optional<int64_t> begin = jsonInteger((*offsets)[0]);
    std::optional<int64_t> end = jsonInteger((*offsets)[1]);
    if (!begin || !end || *begin < 0 || *end < *begin ||
        static_cast<uint64_t>(*end) > payload.size())
      return fail(path, "tensor '" + name + "' has data offsets outside the file (truncated?)");
    if (static_cast<uint64_t>(*end - *begin) != bytes)
      return fail(path, "tensor '" + name + "' holds " + llvm::Twine(*end - *begin) +
                            " bytes, its shape and dtype need " + llvm::Twine(bytes));
    entry.bytes = llvm::ArrayRef<uint8_t>(
        reinterpret_cast<const uint8_t *>(payload.data()) + *begin, *end - *begin);
    extents.push_back({*begin, *end, name.str()});
    file.entries[name] = std::move(entry);
  }
  // The tensors tile the data exactly: no overlap, no hole, nothing after.
  llvm::sort(extents);
  uint64_t covered = 0;
  for (const auto &[begin, end, name] : extents) {
    if (static_cast<uint64_t>(begin) != covered)
      return fail(path, "tensor '" + name + "' starts at data byte " + llvm::Twine(begin) +
                            (static_cast<uint64_t>(begin) < covered
                                 ? ", inside the tensor before it"
                                 : ", leaving a hole after the tensor before it") +
                            " (at " + llvm::Twine(covered) + ")");
    covered = static_cast<uint64_t>(end);
  }
  if (covered != payload.size())
    return fail(path,
                llvm::Twine(payload.size() - covered) + " bytes follow the last tensor's data");
  file.buffer = std::move(*buffer);
  return file;
}

llvm::Expected<std::vector<float>> SafetensorsFile::readFloat32(llvm::StringRef name) const {
  auto it = entries.find(name);
  if (it == entries.end())
    return fail(filePath, "no tensor named '" + name + "'");
  const SafetensorsEntry &entry = it->second;
  const uint8_t *bytes = entry.bytes.data();
  std::vector<float> values;
  if (entry.dtype == "F32") {
    values.resize(entry.bytes.size() / 4);
    if (!values.empty()) // memcpy from an empty tensor's null data is undefined
      std::memcpy(values.data(), bytes, entry.bytes.size());
  } else if (entry.dtype == "F16" || entry.dtype == "BF16") {
    values.resize(entry.bytes.size() / 2);
    for (size_t i = 0; i < values.size(); ++i) {
      uint16_t raw = llvm::support::endian::read16le(bytes + 2 * i);
      values[i] = entry.dtype == "F16" ? halfToFloat(raw) : bfloat16ToFloat(raw);
    }
  } else {
    return fail(filePath,
                "tensor '" + name + "' is " + entry.dtype + "; weights must be F32, F16 or BF16");
  }
  return values;
}

} // namespace cnnc
