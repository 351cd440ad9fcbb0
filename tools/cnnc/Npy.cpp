//===- Npy.cpp - NumPy .npy files -----------------------------------------===//
#include "Npy.h"
#include "support/Format.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>

namespace cnnc {
namespace {

llvm::Error fail(llvm::StringRef path, const llvm::Twine &message) {
  return llvm::createStringError(std::errc::invalid_argument, "%s: %s", path.str().c_str(),
                                 message.str().c_str());
}

/// The value of `'key': value` in the header dict, up to the next top-level comma.
std::optional<llvm::StringRef> dictValue(llvm::StringRef header, llvm::StringRef key) {
  size_t at = header.find(("'" + key + "'").str());
  if (at == llvm::StringRef::npos)
    return std::nullopt;
  llvm::StringRef rest = header.drop_front(at + key.size() + 2).ltrim(" :");
  size_t end = rest.starts_with("(") ? rest.find(')') + 1 : rest.find_first_of(",}");
  return rest.take_front(end).trim();
}

} // namespace

llvm::Expected<HostTensor> readNpy(llvm::StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return fail(path, "cannot read: " + buffer.getError().message());
  llvm::StringRef data = (*buffer)->getBuffer();
  if (data.size() < 10 || !data.starts_with("\x93NUMPY"))
    return fail(path, "not a NumPy .npy file");
  unsigned major = static_cast<unsigned char>(data[6]);
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
  if (headerStart + headerLength > data.size())
    return fail(path, "truncated .npy header");
  llvm::StringRef header = data.substr(headerStart, headerLength);
  std::optional<llvm::StringRef> descr = dictValue(header, "descr");
  std::optional<llvm::StringRef> fortran = dictValue(header, "fortran_order");
  std::optional<llvm::StringRef> shapeText = dictValue(header, "shape");
  if (!descr || !fortran || !shapeText)
    return fail(path, "malformed .npy header");
  llvm::StringRef dtype = descr->trim("'\"");
  if (dtype != "<f4")
    return fail(path, "holds dtype '" + dtype + "'; cnnc needs float32 ('<f4')");
  if (*fortran != "False")
    return fail(path, "is in Fortran order; cnnc needs C order");

  std::vector<int64_t> shape;
  llvm::SmallVector<llvm::StringRef> dims;
  shapeText->trim("()").split(dims, ',', -1, /*KeepEmpty=*/false);
  for (llvm::StringRef dim : dims) {
    int64_t extent;
    if (dim.trim().getAsInteger(10, extent) || extent < 0)
      return fail(path, "malformed shape " + *shapeText);
    shape.push_back(extent);
  }
  size_t bytes = sizeof(float);
  for (int64_t extent : shape)
    bytes *= static_cast<size_t>(extent);
  llvm::StringRef payload = data.drop_front(headerStart + headerLength);
  if (payload.size() != bytes)
    return fail(path, "holds " + llvm::Twine(payload.size()) + " data bytes, its shape " +
                          *shapeText + " needs " + llvm::Twine(bytes));
  HostTensor tensor(std::move(shape));
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
