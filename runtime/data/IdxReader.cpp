#include "runtime/data/IdxReader.h"

#include <zlib.h>

#include <cstdio>
#include <memory>

namespace fiver::runtime {

namespace {

struct GzCloser {
  void operator()(gzFile_s* f) const { gzclose(f); }
};

std::string hex(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

class IdxStream {
public:
  explicit IdxStream(const std::string& path) : path_(path), file_(gzopen(path.c_str(), "rb")) {
    if (!file_) throw DataError(path + ": cannot open");
    gzbuffer(file_.get(), 1 << 20);
  }

  // Reads exactly n bytes or throws with the offset where the data ended.
  void read(void* into, size_t n, const char* what) {
    size_t done = 0;
    while (done < n) {
      unsigned chunk = static_cast<unsigned>(std::min<size_t>(n - done, 1u << 30));
      int got = gzread(file_.get(), static_cast<char*>(into) + done, chunk);
      if (got < 0) {
        int code = 0;
        const char* msg = gzerror(file_.get(), &code);
        fail(offset_ + done, std::string("corrupt compressed data while reading ") + what + " (" +
                                 (msg ? msg : "zlib error") + ")");
      }
      if (got == 0)
        fail(offset_ + done, std::string("file ends in the middle of ") + what + ": expected " +
                                 std::to_string(n) + " bytes, got " + std::to_string(done));
      done += static_cast<size_t>(got);
    }
    offset_ += n;
  }

  uint32_t readBigEndian32(const char* what) {
    unsigned char b[4];
    read(b, 4, what);
    return (uint32_t(b[0]) << 24) | (uint32_t(b[1]) << 16) | (uint32_t(b[2]) << 8) | uint32_t(b[3]);
  }

  bool atEnd() {
    char extra;
    return gzread(file_.get(), &extra, 1) == 0;
  }

  [[noreturn]] void fail(uint64_t offset, const std::string& message) const {
    throw DataError(path_ + ": byte offset " + std::to_string(offset) + ": " + message);
  }

  uint64_t offset() const { return offset_; }

private:
  std::string path_;
  std::unique_ptr<gzFile_s, GzCloser> file_;
  uint64_t offset_ = 0;
};

} // namespace

IdxArray readIdx(const std::string& path, int expectedRank) {
  IdxStream in(path);
  uint32_t magic = in.readBigEndian32("the header");
  // 0x00 0x00 <type 0x08 = unsigned byte> <rank>
  uint32_t expected = 0x00000800u | static_cast<uint32_t>(expectedRank);
  if (magic != expected)
    in.fail(0, "bad magic number " + hex(magic) + ", expected " + hex(expected) +
                   " (IDX unsigned bytes of rank " + std::to_string(expectedRank) + ")");
  IdxArray out;
  uint64_t count = 1;
  for (int d = 0; d < expectedRank; ++d) {
    uint64_t at = in.offset();
    uint32_t n = in.readBigEndian32("the header");
    if (n == 0 || n > (1u << 28)) in.fail(at, "implausible dimension " + std::to_string(n));
    out.dims.push_back(n);
    count *= n;
    if (count > (uint64_t(1) << 34)) in.fail(at, "the array would be larger than 16 GiB");
  }
  out.data.resize(count);
  in.read(out.data.data(), out.data.size(), "the data");
  if (!in.atEnd()) in.fail(in.offset(), "unexpected bytes after the data");
  return out;
}

} // namespace fiver::runtime
