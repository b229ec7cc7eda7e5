#include "plugins/common/compressor.h"

#include <zlib.h>
#include <zstd.h>

#include <fmt/format.h>

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
  ~Gzip() override { deflateEnd(&z_); }
  bool ok() const { return ok_; }
  Status Append(std::string_view in, std::string& out) override { return Run(in, out, Z_NO_FLUSH); }
  Status Finish(std::string& out) override { return Run({}, out, Z_FINISH); }

 private:
  Status Run(std::string_view in, std::string& out, int flush) {
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
    ZSTD_inBuffer input{in.data(), in.size(), 0};
    while (true) {
      size_t at = out.size();
      size_t room = ZSTD_CStreamOutSize();
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

}  // namespace

Result<std::unique_ptr<StreamCompressor>> StreamCompressor::Make(std::string_view codec,
                                                                 int level) {
  if (codec == "none") return std::unique_ptr<StreamCompressor>(new NoCompression());
  if (codec == "zstd") return std::unique_ptr<StreamCompressor>(new Zstd(level));
  if (codec == "gzip") {
    auto gzip = std::make_unique<Gzip>(level);
    if (!gzip->ok()) return Internal("gzip: cannot start a deflate stream");
    return std::unique_ptr<StreamCompressor>(std::move(gzip));
  }
  return InvalidArgument(fmt::format("unknown compression '{}'", codec));
}

std::string_view StreamCompressor::Extension(std::string_view codec) {
  if (codec == "gzip") return ".gz";
  if (codec == "zstd") return ".zst";
  return "";
}

std::string_view StreamCompressor::ContentEncoding(std::string_view codec) {
  if (codec == "gzip") return "gzip";
  if (codec == "zstd") return "zstd";
  return "";
}

}  // namespace sluice::common
