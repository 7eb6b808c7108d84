// Owns the text of every file the compiler read, so diagnostics can quote lines.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace fiver {

class SourceManager {
public:
  // Reads a file from disk; returns false if it cannot be read.
  bool load(const std::string& path);
  // Registers in-memory text (editor buffers, tests, command-line overrides).
  void add(const std::string& path, std::string text);

  const std::string* text(const std::string& path) const;
  // The text of a 1-based line without its newline, or empty if out of range.
  std::string_view line(const std::string& path, uint32_t line) const;

private:
  std::map<std::string, std::string> files_;
};

} // namespace fiver
