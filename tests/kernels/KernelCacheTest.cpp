#include "runtime/kernels/KernelCache.h"

#include <gtest/gtest.h>

#include <fstream>
#include <unistd.h>

using namespace fiver::kernels;

namespace {

std::filesystem::path freshDirectory(const char* name) {
  auto dir = std::filesystem::temp_directory_path() /
             ("fiver-kernel-cache-" + std::string(name) + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  return dir;
}

KernelKey key() {
  return {"relu(add(%0,%1))", "cuda", "fp32", "sm_90", "nvrtc-13.0"};
}

} // namespace

TEST(KernelCache, HitsInMemoryThenOnDisk) {
  auto dir = freshDirectory("hit");
  int compiles = 0;
  auto compile = [&] {
    ++compiles;
    return std::string("binary\0with nul", 15);
  };
  KernelCache cache(dir);
  CacheResult first = cache.getOrCompile(key(), compile);
  EXPECT_EQ(first.source, CacheResult::Source::Compiled);
  EXPECT_GE(first.compileSeconds, 0.0);
  EXPECT_EQ(cache.getOrCompile(key(), compile).source, CacheResult::Source::Memory);

  KernelCache again(dir); // a new process
  CacheResult disk = again.getOrCompile(key(), compile);
  EXPECT_EQ(disk.source, CacheResult::Source::Disk);
  EXPECT_EQ(disk.binary, first.binary);
  EXPECT_EQ(compiles, 1);

  KernelKey other = key();
  other.dtype = "bf16";
  EXPECT_NE(other.hash(), key().hash());
  EXPECT_EQ(again.getOrCompile(other, compile).source, CacheResult::Source::Compiled);
  std::filesystem::remove_all(dir);
}

TEST(KernelCache, IgnoresAndRebuildsCorruptEntries) {
  auto dir = freshDirectory("corrupt");
  KernelCache cache(dir);
  cache.getOrCompile(key(), [] { return std::string("good binary"); });
  for (const char* damage : {"garbage", "FIVERKERNEL1\n3\nabc", ""}) {
    std::ofstream(cache.entryPath(key()), std::ios::binary | std::ios::trunc) << damage;
    KernelCache fresh(dir);
    CacheResult r = fresh.getOrCompile(key(), [] { return std::string("good binary"); });
    EXPECT_EQ(r.source, CacheResult::Source::Compiled) << damage;
    EXPECT_NE(r.note.find("ignored cache entry"), std::string::npos) << damage;
    EXPECT_EQ(KernelCache(dir).getOrCompile(key(), [] { return std::string("x"); }).binary,
              "good binary");
  }
  // A flipped payload byte fails the checksum.
  std::string data;
  {
    std::ifstream in(cache.entryPath(key()), std::ios::binary);
    data.assign(std::istreambuf_iterator<char>(in), {});
  }
  data.back() ^= 1;
  std::ofstream(cache.entryPath(key()), std::ios::binary | std::ios::trunc) << data;
  CacheResult r = KernelCache(dir).getOrCompile(key(), [] { return std::string("good binary"); });
  EXPECT_NE(r.note.find("checksum"), std::string::npos);
  std::filesystem::remove_all(dir);
}

// Cache keys and entry checksums are file names and bytes on users' disks:
// these values were computed before the hash moved to one shared helper.
TEST(KernelCache, KeyHashAndChecksumAreStable) {
  EXPECT_EQ(key().hash(), "22f602470b8eafdf");
  auto dir = freshDirectory("pinned");
  KernelCache cache(dir);
  cache.getOrCompile(key(), [] { return std::string("good binary"); });
  std::ifstream in(cache.entryPath(key()), std::ios::binary);
  const std::string data(std::istreambuf_iterator<char>(in), {});
  EXPECT_NE(data.find("\n11 e99c5570c60fee6f\ngood binary"), std::string::npos) << data;
  std::filesystem::remove_all(dir);
}

TEST(KernelCache, LivesUnderXdgCacheHome) {
  ::setenv("XDG_CACHE_HOME", "/tmp/xdg-test", 1);
  EXPECT_EQ(KernelCache::defaultDirectory(), std::filesystem::path("/tmp/xdg-test/fiver/kernels"));
  ::unsetenv("XDG_CACHE_HOME");
  std::string home = std::getenv("HOME") ? std::getenv("HOME") : "";
  ::setenv("HOME", "/home/someone", 1);
  EXPECT_EQ(KernelCache::defaultDirectory(),
            std::filesystem::path("/home/someone/.cache/fiver/kernels"));
  ::setenv("HOME", home.c_str(), 1);
}
