#include "compiler/composer/ComposerYaml.h"

#include <cmath>
#include <cstdlib>

namespace fiver::composer {

namespace {

SourceRange rangeAt(const std::string& path, const YAML::Mark& mark, uint32_t length) {
  SourceRange r;
  r.begin.file = path;
  r.begin.line = static_cast<uint32_t>(mark.line + 1);
  r.begin.column = static_cast<uint32_t>(mark.column + 1);
  r.begin.offset = static_cast<uint32_t>(mark.pos);
  r.length = length == 0 ? 1 : length;
  return r;
}

} // namespace

std::optional<YAML::Node> YamlSource::parse(DiagnosticEngine& diags) const {
  try {
    return YAML::Load(text_);
  } catch (const YAML::Exception& e) {
    // yaml-cpp's message repeats the mark ("yaml-cpp: error at line 3, column
    // 5: ..."): keep only what went wrong, the range says where.
    std::string what = e.msg.empty() ? std::string("malformed YAML") : e.msg;
    YAML::Mark mark = e.mark;
    if (mark.is_null()) mark = YAML::Mark();
    if (mark.line < 0) mark.line = 0;
    if (mark.column < 0) mark.column = 0;
    if (mark.pos < 0) mark.pos = 0;
    diags.report(DiagId::ComposerYamlSyntax, rangeAt(path_, mark, 1),
                 "malformed YAML in the Composer config: " + what);
    return std::nullopt;
  }
}

SourceRange YamlSource::rangeOf(const YAML::Node& node) const {
  const YAML::Mark mark = node.Mark();
  if (mark.is_null() || mark.line < 0) return rangeAt(path_, YAML::Mark(), 1);
  uint32_t length = 1;
  if (node.IsScalar()) {
    length = static_cast<uint32_t>(node.Scalar().size());
    const size_t at = static_cast<size_t>(mark.pos);
    if (at < text_.size() && (text_[at] == '"' || text_[at] == '\'')) length += 2;
  }
  return rangeAt(path_, mark, length);
}

std::optional<std::string> scalarText(const YAML::Node& node) {
  if (!node.IsScalar()) return std::nullopt;
  return node.Scalar();
}

std::optional<double> scalarNumber(const YAML::Node& node) {
  std::optional<std::string> text = scalarText(node);
  if (!text || text->empty()) return std::nullopt;
  const char* begin = text->c_str();
  char* end = nullptr;
  const double v = std::strtod(begin, &end);
  if (end != begin + text->size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::optional<bool> scalarBool(const YAML::Node& node) {
  std::optional<std::string> text = scalarText(node);
  if (!text) return std::nullopt;
  // YAML 1.1 spellings, as PyYAML (which Composer uses) reads them.
  for (const char* yes : {"true", "True", "TRUE", "yes", "Yes", "on", "On"})
    if (*text == yes) return true;
  for (const char* no : {"false", "False", "FALSE", "no", "No", "off", "Off"})
    if (*text == no) return false;
  return std::nullopt;
}

} // namespace fiver::composer
