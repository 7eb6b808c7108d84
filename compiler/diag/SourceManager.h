// Owns the text of every file the compiler read, so diagnostics can quote lines.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace fiver {

class SourceManager {
public:
  // Files larger than this are refused: a recipe never is, and reading
  // /dev/zero or a multi-gigabyte file by mistake must not hang the compiler.
  static constexpr uintmax_t kMaxFileBytes = 16u << 20;

  // Reads a regular file from disk; on failure returns false and, if `why` is
  // given, says why (missing, not a regular file, too large).
  bool load(const std::string& path, std::string* why = nullptr);
  // Registers in-memory text (editor buffers, tests, command-line overrides).
  void add(const std::string& path, std::string text);

  const std::string* text(const std::string& path) const;
  // The text of a 1-based line without its newline, or empty if out of range.
  std::string_view line(const std::string& path, uint32_t line) const;

private:
  std::map<std::string, std::string> files_;
};

} // namespace fiver
