#include "plugins/common/compressor.h"

#include <zlib.h>
#include <zstd.h>

#include <fmt/format.h>

#include <optional>

namespace sluice::common {

namespace {

class NoCompression final : public StreamCompressor {
 public:
  Status Append(std::string_view in, std::string& out) override {
    out.append(in);
    return Status::Ok();
  }
  Status Finish(std::string&) override { return Status::Ok(); }
};

class Gzip final : public StreamCompressor {
 public:
  explicit Gzip(int level) {
    ok_ = deflateInit2(&z_, level < 0 ? Z_DEFAULT_COMPRESSION : level, Z_DEFLATED, 15 + 16, 8,
                       Z_DEFAULT_STRATEGY) == Z_OK;
  }
  ~Gzip() override {
    if (ok_) deflateEnd(&z_);
  }
  Status Append(std::string_view in, std::string& out) override { return Run(in, out, Z_NO_FLUSH); }
  Status Finish(std::string& out) override { return Run({}, out, Z_FINISH); }

 private:
  Status Run(std::string_view in, std::string& out, int flush) {
    if (!ok_) return Internal("gzip: cannot start a deflate stream");
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z_.avail_in = static_cast<uInt>(in.size());
    while (true) {
      size_t at = out.size();
      size_t room = deflateBound(&z_, z_.avail_in) + 64;
      out.resize(at + room);
      z_.next_out = reinterpret_cast<Bytef*>(out.data() + at);
      z_.avail_out = static_cast<uInt>(room);
      int rc = deflate(&z_, flush);
      out.resize(at + room - z_.avail_out);
      if (rc == Z_STREAM_ERROR) return Internal("gzip: deflate failed");
      if (flush == Z_FINISH ? rc == Z_STREAM_END : z_.avail_in == 0) return Status::Ok();
    }
  }
  z_stream z_{};
  bool ok_ = false;
};

class Zstd final : public StreamCompressor {
 public:
  explicit Zstd(int level) : cctx_(ZSTD_createCCtx()) {
    if (cctx_ == nullptr) return;
    ZSTD_CCtx_setParameter(cctx_, ZSTD_c_compressionLevel, level < 0 ? ZSTD_CLEVEL_DEFAULT : level);
    ZSTD_CCtx_setParameter(cctx_, ZSTD_c_checksumFlag, 1);
  }
  ~Zstd() override { ZSTD_freeCCtx(cctx_); }
  Status Append(std::string_view in, std::string& out) override {
    return Run(in, out, ZSTD_e_continue);
  }
  Status Finish(std::string& out) override { return Run({}, out, ZSTD_e_end); }

 private:
  Status Run(std::string_view in, std::string& out, ZSTD_EndDirective mode) {
    if (cctx_ == nullptr) return Internal("zstd: cannot create a compression context");
    ZSTD_inBuffer input{in.data(), in.size(), 0};
    while (true) {
      // Room for what this input can produce: zstd keeps the rest of a block inside until the
      // next call (ZSTD_CStreamOutSize(), 128 KiB, zero-filled by resize() on every event's
      // line, cost more CPU than compressing: kafka-s3 with zstd was 1.5x kcat | gzip -1).
      const size_t at = out.size();
      const size_t room =
          mode == ZSTD_e_end ? ZSTD_CStreamOutSize() : ZSTD_compressBound(in.size()) + 64;
      out.resize(at + room);
      ZSTD_outBuffer output{out.data() + at, room, 0};
      size_t left = ZSTD_compressStream2(cctx_, &output, &input, mode);
      out.resize(at + output.pos);
      if (ZSTD_isError(left)) return Internal(fmt::format("zstd: {}", ZSTD_getErrorName(left)));
      if (mode == ZSTD_e_end ? left == 0 : input.pos == input.size) return Status::Ok();
    }
  }
  ZSTD_CCtx* cctx_;
};

// The codec named `name`, if there is one.
std::optional<Compression> Named(std::string_view name) {
  for (const auto& n : kCompressionNames) {
    if (n.name == name) return n.value;
  }
  return std::nullopt;
}

}  // namespace

std::unique_ptr<StreamCompressor> StreamCompressor::Make(Compression codec, int level) {
  switch (codec) {
    case Compression::kGzip:
      return std::make_unique<Gzip>(level);
    case Compression::kZstd:
      return std::make_unique<Zstd>(level);
    case Compression::kNone:
      break;
  }
  return std::make_unique<NoCompression>();
}

Result<std::unique_ptr<StreamCompressor>> StreamCompressor::Make(std::string_view codec,
                                                                 int level) {
  std::optional<Compression> named = Named(codec);
  if (!named) return InvalidArgument(fmt::format("unknown compression '{}'", codec));
  return Make(*named, level);
}

std::string_view StreamCompressor::Extension(Compression codec) {
  switch (codec) {
    case Compression::kGzip:
      return ".gz";
    case Compression::kZstd:
      return ".zst";
    case Compression::kNone:
      break;
  }
  return "";
}

std::string_view StreamCompressor::Extension(std::string_view codec) {
  std::optional<Compression> named = Named(codec);
  return named ? Extension(*named) : "";
}

std::string_view StreamCompressor::ContentEncoding(Compression codec) {
  return codec == Compression::kNone ? "" : config::EnumNameOf(codec);
}

std::string_view StreamCompressor::ContentEncoding(std::string_view codec) {
  std::optional<Compression> named = Named(codec);
  return named ? ContentEncoding(*named) : "";
}

}  // namespace sluice::common
