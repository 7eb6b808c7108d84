// Reading Composer's YAML trainer config: parsing with yaml-cpp, and the
// source range of any node (yaml-cpp's marks are 0-based; FiveR's 1-based),
// so every diagnostic of the import points at the YAML that caused it.
#pragma once

#include "compiler/diag/Diagnostic.h"

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>

namespace fiver::composer {

// One YAML file: its path and text, for ranges and messages.
class YamlSource {
public:
  YamlSource(std::string path, const std::string& text) : path_(std::move(path)), text_(text) {}

  // The parsed document, or nullopt after reporting E0800 at the parser's mark.
  std::optional<YAML::Node> parse(DiagnosticEngine& diags) const;

  // Where a node was written: a scalar's whole text, quotes included; the
  // first character of a map or a list.
  SourceRange rangeOf(const YAML::Node& node) const;
  const std::string& path() const { return path_; }

private:
  std::string path_;
  const std::string& text_;
};

// A scalar's text, or nullopt for maps, lists and null.
std::optional<std::string> scalarText(const YAML::Node& node);
std::optional<double> scalarNumber(const YAML::Node& node);
std::optional<bool> scalarBool(const YAML::Node& node);

} // namespace fiver::composer
