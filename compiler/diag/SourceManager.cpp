#include "compiler/diag/SourceManager.h"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace fiver {

bool SourceManager::load(const std::string& path, std::string* why) {
  auto fail = [&](const char* reason) {
    if (why) *why = reason;
    return false;
  };
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return fail(std::filesystem::exists(path, ec) ? "not a regular file" : "no such file");
  }
  if (std::filesystem::file_size(path, ec) > kMaxFileBytes) return fail("larger than 16 MiB");
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail("cannot be opened");
  std::ostringstream buf;
  buf << in.rdbuf();
  files_[path] = buf.str();
  return true;
}

void SourceManager::add(const std::string& path, std::string text) {
  files_[path] = std::move(text);
}

const std::string* SourceManager::text(const std::string& path) const {
  auto it = files_.find(path);
  return it == files_.end() ? nullptr : &it->second;
}

std::string_view SourceManager::line(const std::string& path, uint32_t line) const {
  const std::string* t = text(path);
  if (!t || line == 0) return {};
  size_t start = 0;
  for (uint32_t l = 1; l < line; ++l) {
    start = t->find('\n', start);
    if (start == std::string::npos) return {};
    ++start;
  }
  size_t end = t->find('\n', start);
  if (end == std::string::npos) end = t->size();
  std::string_view v(t->data() + start, end - start);
  if (!v.empty() && v.back() == '\r') v.remove_suffix(1);
  return v;
}

} // namespace fiver
