// FNV-1a, 64 bit: the one hash behind plan hashes, source hashes, the parse
// cache, kernel cache keys and checkpoint checksums. Fast and not
// cryptographic: it names texts FiveR wrote itself. Its values are stored
// on disk (plans, study results, cache entries, checkpoints), so they must
// never change. Header-only and torch-free: the compiler and the runtime
// both use it.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace fiver {

inline constexpr uint64_t kFnvPrime = 1099511628211ULL;
// The standard FNV-1a 64 offset basis.
inline constexpr uint64_t kFnvOffsetBasis = 14695981039346656037ULL;
// The basis one digit short, which kernel cache keys and checkpoints were
// first written with; they keep it so that entries and checkpoints already
// on disk still match.
inline constexpr uint64_t kFnvShortBasis = 1469598103934665603ULL;

// Folds `bytes` into the running hash `h`: hashing A then B from one basis
// equals hashing A+B.
constexpr uint64_t fnv1a(std::string_view bytes, uint64_t h = kFnvOffsetBasis) {
  for (char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= kFnvPrime;
  }
  return h;
}

// 16 lower-case hex digits, zero-padded.
inline std::string fnvHex(uint64_t h) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

// The standard FNV-1a of `bytes` as 16 hex digits.
inline std::string fnv1aHex(std::string_view bytes) {
  return fnvHex(fnv1a(bytes));
}

} // namespace fiver
