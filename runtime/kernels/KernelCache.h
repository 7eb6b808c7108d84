// Compiled kernels (PTX, object code) cached in memory and on disk under
// $XDG_CACHE_HOME/fiver/kernels (default ~/.cache/fiver/kernels). The key
// covers everything that changes the binary: expression text, backend,
// element type, target features and compiler version. An entry that fails
// its checks (truncated, wrong key, bad checksum) is ignored and rebuilt.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <string>

namespace fiver::kernels {

struct KernelKey {
  std::string expr;     // printed canonical expression
  std::string backend;  // "cuda", "cpu"
  std::string dtype;    // "fp32", "bf16", "fp16"
  std::string target;   // "sm_90", host CPU features
  std::string compiler; // "nvrtc-13.0", "llvm-14"
  std::string text() const;
  std::string hash() const; // 16 hex digits
};

struct CacheResult {
  std::string binary;
  enum class Source { Memory, Disk, Compiled } source = Source::Compiled;
  double compileSeconds = 0; // time spent compiling, 0 on a hit
  std::string note;          // why a disk entry was rejected, if one was
};

class KernelCache {
public:
  explicit KernelCache(std::filesystem::path directory = defaultDirectory());

  static std::filesystem::path defaultDirectory();

  CacheResult getOrCompile(const KernelKey& key, const std::function<std::string()>& compile);

  std::filesystem::path entryPath(const KernelKey& key) const;
  void clearMemory();

private:
  std::filesystem::path directory_;
  std::mutex mutex_;
  std::map<std::string, std::string> memory_;
};

} // namespace fiver::kernels
