// Positions in .5r sources. Lines and columns are 1-based; columns count bytes.
#pragma once

#include <cstdint>
#include <string>

namespace fiver {

struct SourceLoc {
  std::string file;
  uint32_t line = 0;   // 1-based; 0 means "no location"
  uint32_t column = 0; // 1-based byte column
  uint32_t offset = 0; // byte offset from the start of the file

  bool valid() const { return line != 0; }
};

// A span of source text: where it starts and how many bytes it covers.
struct SourceRange {
  SourceLoc begin;
  uint32_t length = 1;

  bool valid() const { return begin.valid(); }
};

} // namespace fiver
