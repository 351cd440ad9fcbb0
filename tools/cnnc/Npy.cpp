//===- Npy.cpp - NumPy .npy files -----------------------------------------===//
#include "Npy.h"
#include "support/BoundedInput.h"
#include "support/Format.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cstring>

namespace cnnc {
namespace {

llvm::Error fail(llvm::StringRef path, const llvm::Twine &message) {
  return llvm::createStringError(std::errc::invalid_argument, "%s: %s", path.str().c_str(),
                                 message.str().c_str());
}

/// .npy inputs are images or batches of them: at most this many bytes.
constexpr uint64_t kMaxNpyBytes = 4ull << 30;

/// The header dict of a .npy file, read as NumPy reads it (a Python literal:
/// exactly the keys descr, fortran_order and shape; a string, a bool, a tuple
/// of non-negative integers), with every value checked.
class NpyHeader {
public:
  std::string descr;
  bool fortranOrder = false;
  std::vector<int64_t> shape;

  /// Parses `text`; the error says what is malformed.
  static llvm::Expected<NpyHeader> parse(llvm::StringRef text) {
    NpyHeader header;
    Cursor in{text};
    if (!in.take('{'))
      return in.error("the header is not a dict");
    bool seen[3] = {};
    while (!in.take('}')) {
      std::optional<std::string> key = in.string();
      if (!key || !in.take(':'))
        return in.error("expected 'key': value");
      static const char *const keys[] = {"descr", "fortran_order", "shape"};
      const char *const *known = llvm::find(keys, *key);
      if (known == std::end(keys))
        return in.error("unknown key '" + *key + "'");
      size_t index = known - std::begin(keys);
      if (seen[index])
        return in.error("key '" + *key + "' given twice");
      seen[index] = true;
      if (index == 0) {
        std::optional<std::string> descr = in.string();
        if (!descr)
          return in.error("descr must be a string");
        header.descr = *descr;
      } else if (index == 1) {
        std::optional<bool> fortran = in.boolean();
        if (!fortran)
          return in.error("fortran_order must be True or False");
        header.fortranOrder = *fortran;
      } else if (llvm::Error error = in.tuple(header.shape)) {
        return std::move(error);
      }
      if (!in.take(',') && !in.peek('}'))
        return in.error("expected ',' or '}'");
    }
    if (!seen[0] || !seen[1] || !seen[2])
      return in.error("the header lacks descr, fortran_order or shape");
    if (!in.rest().trim().empty())
      return in.error("text after the header dict");
    return header;
  }

private:
  struct Cursor {
    llvm::StringRef text;
    void skipSpace() { text = text.ltrim(" \t\n"); }
    bool peek(char c) {
      skipSpace();
      return text.starts_with(llvm::StringRef(&c, 1));
    }
    bool take(char c) {
      if (!peek(c))
        return false;
      text = text.drop_front();
      return true;
    }
    llvm::StringRef rest() const { return text; }
    std::optional<std::string> string() {
      skipSpace();
      if (text.empty() || (text[0] != '\'' && text[0] != '"'))
        return std::nullopt;
      size_t end = text.find(text[0], 1);
      if (end == llvm::StringRef::npos || text.substr(1, end - 1).contains('\\'))
        return std::nullopt;
      std::string value = text.substr(1, end - 1).str();
      text = text.drop_front(end + 1);
      return value;
    }
    std::optional<bool> boolean() {
      skipSpace();
      for (bool value : {true, false})
        if (text.consume_front(value ? "True" : "False"))
          return value;
      return std::nullopt;
    }
    llvm::Error tuple(std::vector<int64_t> &out) {
      if (!take('('))
        return error("shape must be a tuple");
      while (!take(')')) {
        skipSpace();
        size_t digits = std::min(text.find_first_not_of("0123456789"), text.size());
        int64_t extent;
        if (digits == 0 || text.take_front(digits).getAsInteger(10, extent))
          return error("shape holds something other than a non-negative integer");
        out.push_back(extent);
        text = text.drop_front(digits);
        if (!take(',') && !peek(')'))
          return error("expected ',' or ')' in shape");
      }
      return llvm::Error::success();
    }
    llvm::Error error(const llvm::Twine &what) const {
      return llvm::createStringError(std::errc::invalid_argument, "%s", what.str().c_str());
    }
  };
};

} // namespace

llvm::Expected<HostTensor> readNpy(llvm::StringRef path) {
  auto buffer = readBoundedFile(path, kMaxNpyBytes, "a .npy input");
  if (!buffer)
    return fail(path, "cannot read: " + llvm::toString(buffer.takeError()));
  llvm::StringRef data = (*buffer)->getBuffer();
  if (data.size() < 10 || !data.starts_with("\x93NUMPY"))
    return fail(path, "not a NumPy .npy file");
  unsigned major = static_cast<unsigned char>(data[6]), minor = static_cast<unsigned char>(data[7]);
  if (major < 1 || major > 3 || minor != 0)
    return fail(path,
                "unknown .npy format version " + llvm::Twine(major) + "." + llvm::Twine(minor));
  size_t headerLength, headerStart;
  if (major == 1) {
    headerLength = llvm::support::endian::read16le(data.data() + 8);
    headerStart = 10;
  } else {
    if (data.size() < 12)
      return fail(path, "truncated .npy header");
    headerLength = llvm::support::endian::read32le(data.data() + 8);
    headerStart = 12;
  }
  if (headerLength > data.size() - headerStart)
    return fail(path, "truncated .npy header");
  llvm::Expected<NpyHeader> header = NpyHeader::parse(data.substr(headerStart, headerLength));
  if (!header)
    return fail(path, "malformed .npy header: " + llvm::toString(header.takeError()));
  if (header->descr != "<f4")
    return fail(path, "holds dtype '" + header->descr + "'; cnnc needs float32 ('<f4')");
  if (header->fortranOrder)
    return fail(path, "is in Fortran order; cnnc needs C order");

  // The element count in checked arithmetic: a shape such as (2**62,) must
  // not wrap into a small size that the data happens to match.
  uint64_t bytes = sizeof(float);
  for (int64_t extent : header->shape)
    if (__builtin_mul_overflow(bytes, static_cast<uint64_t>(extent), &bytes))
      return fail(path, "its shape " + formatShape(header->shape) + " overflows 64 bits");
  llvm::StringRef payload = data.drop_front(headerStart + headerLength);
  if (payload.size() != bytes)
    return fail(path, "holds " + llvm::Twine(payload.size()) + " data bytes, its shape " +
                          formatShape(header->shape) + " needs " + llvm::Twine(bytes));
  HostTensor tensor(std::move(header->shape));
  if (bytes) // an empty tensor's data may be null
    std::memcpy(tensor.f32().data(), payload.data(), bytes);
  return tensor;
}

llvm::Error checkInputShape(llvm::StringRef source, const HostTensor &input,
                            llvm::ArrayRef<int64_t> expected, llvm::StringRef model) {
  if (llvm::ArrayRef<int64_t>(input.shape) == expected)
    return llvm::Error::success();
  return llvm::createStringError(
      std::errc::invalid_argument, "%s has shape %s; model '%s' takes %s", source.str().c_str(),
      formatShape(input.shape).c_str(), model.str().c_str(), formatShape(expected).c_str());
}

llvm::Error writeNpy(llvm::StringRef path, const HostTensor &tensor) {
  std::string shape = "(";
  for (int64_t d : tensor.shape)
    shape += std::to_string(d) + ",";
  if (tensor.shape.size() > 1)
    shape.pop_back();
  shape += ")";
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
  // Pad with spaces so the data starts on a 64-byte boundary; end with a newline.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';

  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec);
  if (ec)
    return fail(path, "cannot write: " + ec.message());
  os << "\x93NUMPY" << '\x01' << '\x00';
  char length[2];
  llvm::support::endian::write16le(length, static_cast<uint16_t>(header.size()));
  os.write(length, 2);
  os << header;
  os.write(reinterpret_cast<const char *>(tensor.f32().data()),
           tensor.f32().size() * sizeof(float));
  return llvm::Error::success();
}

} // namespace cnnc
