#include "compiler/composer/RecipeWriter.h"

#include <sstream>

namespace fiver::composer {

namespace {

constexpr size_t kCommentWidth = 98;

// Wraps `text` into `// ` comment lines, the first starting with `first`,
// the rest indented under it.
void writeWrapped(std::ostream& os, const std::string& first, const std::string& text) {
  const std::string indent(first.size(), ' ');
  std::string line = first;
  bool empty = true; // no word on this line yet
  std::istringstream words(text);
  for (std::string word; words >> word;) {
    if (!empty && 3 + line.size() + 1 + word.size() > kCommentWidth) {
      os << "// " << line << "\n";
      line = indent;
      empty = true;
    }
    if (!empty) line += ' ';
    line += word;
    empty = false;
  }
  os << "// " << line << "\n";
}

std::string methodText(const MethodLine& m) {
  std::string s = toString(m.triple) + " " + m.method;
  if (m.args.empty()) return s;
  s += "(";
  for (size_t i = 0; i < m.args.size(); ++i)
    s += (i ? ", " : "") + m.args[i].first + ": " + toString(m.args[i].second);
  return s + ")";
}

} // namespace

std::string writeRecipe(const ImportedRecipe& r) {
  std::ostringstream os;
  os << "// Imported from " << r.source << " by `5rc import composer`. The base recipe provides\n"
     << "// the task and the model.\n";
  if (!r.decisions.empty()) {
    os << "// Mapping decisions that are not one to one:\n";
    for (const std::string& d : r.decisions)
      writeWrapped(os, "- ", d);
  }
  os << "import \"" << r.baseImport << "\"\n\n";
  os << "recipe " << r.name << " extends " << r.base << " {\n";
  for (const auto& [key, value] : r.settings)
    os << "  " << key << " " << value << "\n";
  for (const std::string& d : r.drops)
    os << "  drop " << d << "\n";
  for (const MethodLine& m : r.methods)
    os << "  " << methodText(m) << "\n";
  os << "}\n";
  return os.str();
}

} // namespace fiver::composer
