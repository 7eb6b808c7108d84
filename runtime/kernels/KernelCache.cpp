#include "runtime/kernels/KernelCache.h"

#include "compiler/support/Fnv.h"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace fiver::kernels {

namespace {

// Keys name entry files already on disk: keep the basis they were made with.
std::string hashHex(const std::string& bytes) {
  return fnvHex(fnv1a(bytes, kFnvShortBasis));
}

constexpr const char* kMagic = "FIVERKERNEL1";

// Entry: magic, full key text, payload size and checksum, then the payload.
std::string serialize(const KernelKey& key, const std::string& binary) {
  std::ostringstream out;
  out << kMagic << '\n'
      << key.text().size() << '\n'
      << key.text() << binary.size() << ' ' << hashHex(binary) << '\n'
      << binary;
  return out.str();
}

bool deserialize(const std::string& data, const KernelKey& key, std::string& binary,
                 std::string& why) {
  std::istringstream in(data);
  std::string magic;
  size_t keySize = 0, size = 0;
  std::string sum;
  if (!std::getline(in, magic) || magic != kMagic) return why = "bad header", false;
  if (!(in >> keySize) || in.get() != '\n') return why = "bad key length", false;
  std::string keyText(keySize, '\0');
  if (!in.read(keyText.data(), static_cast<std::streamsize>(keySize)) || keyText != key.text())
    return why = "key mismatch", false;
  if (!(in >> size >> sum) || in.get() != '\n') return why = "bad payload header", false;
  binary.assign(size, '\0');
  if (!in.read(binary.data(), static_cast<std::streamsize>(size)) || in.peek() != EOF)
    return why = "truncated payload", false;
  if (hashHex(binary) != sum) return why = "checksum mismatch", false;
  return true;
}

} // namespace

std::string KernelKey::text() const {
  return "expr=" + expr + "\nbackend=" + backend + "\ndtype=" + dtype + "\ntarget=" + target +
         "\ncompiler=" + compiler + "\n";
}

std::string KernelKey::hash() const {
  return hashHex(text());
}

KernelCache::KernelCache(std::filesystem::path directory) : directory_(std::move(directory)) {}

std::filesystem::path KernelCache::defaultDirectory() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg)
    return std::filesystem::path(xdg) / "fiver" / "kernels";
  if (const char* home = std::getenv("HOME"); home && *home)
    return std::filesystem::path(home) / ".cache" / "fiver" / "kernels";
  return std::filesystem::temp_directory_path() / "fiver-kernels";
}

std::filesystem::path KernelCache::entryPath(const KernelKey& key) const {
  return directory_ / (key.backend + "-" + key.hash() + ".bin");
}

void KernelCache::clearMemory() {
  std::lock_guard lock(mutex_);
  memory_.clear();
}

CacheResult KernelCache::getOrCompile(const KernelKey& key,
                                      const std::function<std::string()>& compile) {
  std::lock_guard lock(mutex_);
  CacheResult r;
  const std::string text = key.text();
  if (auto it = memory_.find(text); it != memory_.end()) {
    r.binary = it->second;
    r.source = CacheResult::Source::Memory;
    return r;
  }
  std::filesystem::path path = entryPath(key);
  if (std::ifstream in{path, std::ios::binary}) {
    std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::string why;
    if (deserialize(data, key, r.binary, why)) {
      r.source = CacheResult::Source::Disk;
      memory_[text] = r.binary;
      return r;
    }
    r.note = "ignored cache entry " + path.string() + ": " + why;
  }
  auto start = std::chrono::steady_clock::now();
  r.binary = compile();
  r.compileSeconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  r.source = CacheResult::Source::Compiled;
  memory_[text] = r.binary;
  // Write then rename, so a concurrent reader never sees half an entry; a
  // cache that cannot be written only costs the next process a compile.
  std::error_code ec;
  std::filesystem::create_directories(directory_, ec);
  std::filesystem::path tmp = path;
  tmp += ".tmp" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << serialize(key, r.binary);
    if (!out) return r;
  }
  std::filesystem::rename(tmp, path, ec);
  return r;
}

} // namespace fiver::kernels
