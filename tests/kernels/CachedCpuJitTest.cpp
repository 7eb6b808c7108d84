#include "runtime/kernels/CachedCpuJit.h"
#include "runtime/kernels/KernelStats.h"

#include <gtest/gtest.h>

#include <fstream>
#include <unistd.h>

using namespace fiver::kernels;

namespace {

std::filesystem::path freshDirectory(const char* name) {
  auto dir = std::filesystem::temp_directory_path() /
             ("fiver-cpu-kernel-cache-" + std::string(name) + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  return dir;
}

// relu(a*b + a) over a few values, checked against the same sum in C++.
void expectComputes(CpuKernelFn fn) {
  ASSERT_NE(fn, nullptr);
  std::vector<float> a{1, -2, 3, 0.5f, -1, 2, 4}, b{2, 3, -1, 4, 0, 0.5f, -3}, out(a.size());
  const float* ins[] = {a.data(), b.data()};
  fn(out.data(), ins, nullptr, 0, static_cast<int64_t>(a.size()), 1, 1);
  for (size_t i = 0; i < a.size(); ++i)
    EXPECT_EQ(out[i], std::max(0.0f, a[i] * b[i] + a[i])) << i;
}

const char* kExpr = "relu(add(mul(%0,%1),%0))";

} // namespace

TEST(CachedCpuJit, SecondCacheLoadsFromDiskWithoutCompiling) {
  auto dir = freshDirectory("two");
  NodePtr e = parseExpr(kExpr);
  const KernelStats before = kernelStats()["cpu"];
  {
    CachedCpuJit first(dir);
    CachedCpuJit::Kernel k = first.get(*e, 2, 0);
    EXPECT_EQ(k.source, CacheResult::Source::Compiled);
    EXPECT_GT(k.compileSeconds, 0.0);
    expectComputes(k.fn);
    // Asked again, the same object hands back what it loaded.
    CachedCpuJit::Kernel again = first.get(*e, 2, 0);
    EXPECT_EQ(again.source, CacheResult::Source::Memory);
    EXPECT_EQ(again.fn, k.fn);
    EXPECT_TRUE(std::filesystem::exists(first.cache().entryPath(first.keyFor(*e, 2, 0))));
  }
  CachedCpuJit second(dir); // what a second process sees: its own JIT, the same directory
  CachedCpuJit::Kernel k = second.get(*e, 2, 0);
  EXPECT_EQ(k.source, CacheResult::Source::Disk);
  EXPECT_EQ(k.compileSeconds, 0.0);
  EXPECT_TRUE(k.note.empty());
  expectComputes(k.fn);

  const KernelStats after = kernelStats()["cpu"];
  EXPECT_EQ(after.compiled - before.compiled, 1);
  EXPECT_EQ(after.cacheHits - before.cacheHits, 1);
  EXPECT_GT(after.compileSeconds, before.compileSeconds);
  std::filesystem::remove_all(dir);
}

TEST(CachedCpuJit, KeyCoversArityTargetAndCompiler) {
  auto dir = freshDirectory("key");
  CachedCpuJit jit(dir);
  NodePtr e = parseExpr(kExpr);
  KernelKey key = jit.keyFor(*e, 2, 0);
  EXPECT_EQ(key.backend, "cpu");
  EXPECT_EQ(key.dtype, "fp32");
  EXPECT_NE(key.compiler.find("llvm-14"), std::string::npos);
  EXPECT_NE(key.target.find(LlvmJit().hostTarget()), std::string::npos);
  EXPECT_NE(key.expr.find(printExpr(*e)), std::string::npos);
  EXPECT_NE(jit.keyFor(*e, 3, 0).hash(), key.hash());
  EXPECT_NE(jit.keyFor(*e, 2, 1).hash(), key.hash());
  // Kernels that differ only in arity load side by side into one JIT.
  expectComputes(jit.get(*e, 2, 0).fn);
  expectComputes(jit.get(*e, 3, 0).fn);
  std::filesystem::remove_all(dir);
}

TEST(CachedCpuJit, CorruptedEntryIsIgnoredAndRebuilt) {
  auto dir = freshDirectory("corrupt");
  NodePtr e = parseExpr(kExpr);
  std::filesystem::path entry;
  {
    CachedCpuJit first(dir);
    first.get(*e, 2, 0);
    entry = first.cache().entryPath(first.keyFor(*e, 2, 0));
  }
  std::string data;
  {
    std::ifstream in(entry, std::ios::binary);
    data.assign(std::istreambuf_iterator<char>(in), {});
  }
  ASSERT_GT(data.size(), 100u);
  data.back() ^= 0x5a; // the object code is the last part of an entry
  std::ofstream(entry, std::ios::binary | std::ios::trunc) << data;

  CachedCpuJit second(dir);
  CachedCpuJit::Kernel k = second.get(*e, 2, 0);
  EXPECT_EQ(k.source, CacheResult::Source::Compiled);
  EXPECT_NE(k.note.find("checksum"), std::string::npos) << k.note;
  expectComputes(k.fn);
  // The rebuilt entry serves the next process.
  CachedCpuJit third(dir);
  EXPECT_EQ(third.get(*e, 2, 0).source, CacheResult::Source::Disk);
  std::filesystem::remove_all(dir);
}
