//===- ImageInput.cpp - a photo as a model input --------------------------===//
#include "ImageInput.h"
#include "support/BoundedInput.h"

#include "llvm/Support/MemoryBuffer.h"

#include <algorithm>
#include <cmath>
#include <csetjmp>
#include <cstdio>

#include <jpeglib.h>
#include <png.h>

namespace cnnc {
namespace {

/// Interleaved 8-bit RGB pixels.
struct Rgb8 {
  int width = 0, height = 0;
  std::vector<uint8_t> pixels;
};

llvm::Error fail(llvm::StringRef path, const llvm::Twine &message) {
  return llvm::createStringError(std::errc::invalid_argument, "%s: %s", path.str().c_str(),
                                 message.str().c_str());
}

/// Photos up to 100 megapixels (300 MB decoded); an image file is at most
/// 256 MiB. A 2 KB file whose header claims 65500×65500 pixels is refused
/// before anything is allocated for it.
constexpr uint64_t kMaxPixels = 100'000'000;
constexpr uint64_t kMaxImageFileBytes = 256ull << 20;

llvm::Error checkPixels(llvm::StringRef path, uint64_t width, uint64_t height) {
  if (width * height <= kMaxPixels) // both come from 32-bit header fields
    return llvm::Error::success();
  return fail(path, "the image is " + llvm::Twine(width) + "x" + llvm::Twine(height) +
                        " pixels; cnnc reads images of at most 100 megapixels");
}

llvm::Expected<Rgb8> decodePng(llvm::StringRef path, llvm::StringRef data) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&image, data.data(), data.size()))
    return fail(path, llvm::Twine("cannot decode PNG: ") + image.message);
  if (llvm::Error error = checkPixels(path, image.width, image.height)) {
    png_image_free(&image);
    return std::move(error);
  }
  image.format = PNG_FORMAT_RGB;
  Rgb8 rgb{static_cast<int>(image.width), static_cast<int>(image.height), {}};
  rgb.pixels.resize(PNG_IMAGE_SIZE(image));
  if (!png_image_finish_read(&image, nullptr, rgb.pixels.data(), 0, nullptr)) {
    std::string message = image.message;
    png_image_free(&image);
    return fail(path, "cannot decode PNG: " + message);
  }
  return rgb;
}

/// libjpeg reports errors by calling error_exit, which by default exits the
/// process: jump back instead, with the message.
struct JpegError {
  jpeg_error_mgr manager;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

void jpegErrorExit(j_common_ptr info) {
  auto *error = reinterpret_cast<JpegError *>(info->err);
  (*info->err->format_message)(info, error->message);
  std::longjmp(error->jump, 1);
}

llvm::Expected<Rgb8> decodeJpeg(llvm::StringRef path, llvm::StringRef data) {
  jpeg_decompress_struct info{};
  JpegError error{};
  info.err = jpeg_std_error(&error.manager);
  error.manager.error_exit = jpegErrorExit;
  error.manager.output_message = [](j_common_ptr) {}; // warnings: the result decides
  Rgb8 rgb;
  if (setjmp(error.jump)) {
    jpeg_destroy_decompress(&info);
    return fail(path, llvm::Twine("cannot decode JPEG: ") + error.message);
  }
  jpeg_create_decompress(&info);
  jpeg_mem_src(&info, reinterpret_cast<const unsigned char *>(data.data()), data.size());
  jpeg_read_header(&info, TRUE);
  if (llvm::Error error = checkPixels(path, info.image_width, info.image_height)) {
    jpeg_destroy_decompress(&info);
    return std::move(error);
  }
  info.out_color_space = JCS_RGB;
  jpeg_start_decompress(&info);
  rgb.width = static_cast<int>(info.output_width);
  rgb.height = static_cast<int>(info.output_height);
  rgb.pixels.resize(static_cast<size_t>(rgb.width) * rgb.height * 3);
  while (info.output_scanline < info.output_height) {
    JSAMPROW row = &rgb.pixels[static_cast<size_t>(info.output_scanline) * rgb.width * 3];
    jpeg_read_scanlines(&info, &row, 1);
  }
  jpeg_finish_decompress(&info);
  jpeg_destroy_decompress(&info);
  return rgb;
}

/// Bilinear sample of channel `ch` at (x, y) in source pixel coordinates,
/// pixel centers at half-integers (align_corners = false).
float sample(const Rgb8 &image, float x, float y, int ch) {
  x = std::clamp(x - 0.5f, 0.0f, static_cast<float>(image.width - 1));
  y = std::clamp(y - 0.5f, 0.0f, static_cast<float>(image.height - 1));
  int x0 = static_cast<int>(x), y0 = static_cast<int>(y);
  int x1 = std::min(x0 + 1, image.width - 1), y1 = std::min(y0 + 1, image.height - 1);
  float fx = x - x0, fy = y - y0;
  auto at = [&](int px, int py) {
    return static_cast<float>(image.pixels[(static_cast<size_t>(py) * image.width + px) * 3 + ch]);
  };
  return (at(x0, y0) * (1 - fx) + at(x1, y0) * fx) * (1 - fy) +
         (at(x0, y1) * (1 - fx) + at(x1, y1) * fx) * fy;
}

} // namespace

llvm::Expected<HostTensor> loadImageInput(llvm::StringRef path, const ImagePreprocessing &pre) {
  int64_t resolution = pre.resolution;
  auto file = readBoundedFile(path, kMaxImageFileBytes, "an image");
  if (!file)
    return fail(path, "cannot read: " + llvm::toString(file.takeError()));
  llvm::StringRef data = (*file)->getBuffer();
  llvm::Expected<Rgb8> image = data.starts_with("\x89PNG") ? decodePng(path, data)
                               : data.starts_with("\xFF\xD8")
                                   ? decodeJpeg(path, data)
                                   : llvm::Expected<Rgb8>(fail(path, "not a PNG or JPEG image"));
  if (!image)
    return image.takeError();
  if (image->width < 1 || image->height < 1)
    return fail(path, "the image is empty");

  // Resize the shorter side to resolution / 0.875, then crop the center.
  float resized = std::round(static_cast<float>(resolution) / 0.875f);
  float scale = static_cast<float>(std::min(image->width, image->height)) / resized;
  float resizedWidth = std::round(image->width / scale),
        resizedHeight = std::round(image->height / scale);
  float left = std::round((resizedWidth - resolution) / 2);
  float top = std::round((resizedHeight - resolution) / 2);
  HostTensor tensor({1, 3, resolution, resolution});
  for (int ch = 0; ch < 3; ++ch)
    for (int64_t y = 0; y < resolution; ++y)
      for (int64_t x = 0; x < resolution; ++x) {
        float sx = (static_cast<float>(x) + left + 0.5f) * image->width / resizedWidth;
        float sy = (static_cast<float>(y) + top + 0.5f) * image->height / resizedHeight;
        float value = sample(*image, sx, sy, ch) / 255.0f;
        tensor.f32()[(ch * resolution + y) * resolution + x] =
            (value - static_cast<float>(pre.mean[ch])) / static_cast<float>(pre.std[ch]);
      }
  return tensor;
}

} // namespace cnnc
