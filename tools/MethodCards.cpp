// fiver-method-cards: keeps the parts of each method card that restate the
// declaration in step with it. methods/<name>/card.md's title, triple line
// and parameter table are generated from methods/<name>/<name>.5r; the
// table's "meaning" column and every other section are the card's own text.
// The index of cards (docs/methods/README.md) is generated the same way.
//   fiver-method-cards ROOT          rewrites stale cards
//   fiver-method-cards --check ROOT  lists stale cards, exit 1 when any
#include "compiler/sema/MethodSignature.h"
#include "compiler/sema/Program.h"
#include "tools/MethodIndex.h"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <regex>
#include <sstream>

namespace fs = std::filesystem;
using namespace fiver;

namespace {

std::string readFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string sourceLine(const std::string& text, uint32_t offset) {
  const size_t begin = text.rfind('\n', offset == 0 ? 0 : offset - 1);
  const size_t from = begin == std::string::npos ? 0 : begin + 1;
  return text.substr(from, text.find('\n', offset) - from);
}

std::string tripleLine(const MethodSignature& sig) {
  std::string line;
  for (const Triple& t : sig.triples) {
    if (!line.empty()) line += " · ";
    line += "`" + toString(t) + "`";
    if (sig.triples.size() > 1 && sig.isDefaultFor(t)) line += " (default)";
  }
  if (sig.triples.size() > 1)
    line += " — the survey places it in " + std::to_string(sig.triples.size()) +
            " cells; a recipe may use any of them";
  else if (sig.isDefault)
    line += " — the default method of this cell";
  return line;
}

// The "meaning" cell of each row of the card's current table, by name.
std::map<std::string, std::string> meanings(const std::string& section) {
  std::map<std::string, std::string> out;
  static const std::regex row(R"(\| `(\w+)` \|[^|]*\|[^|]*\|[^|]*\| (.*) \|)");
  std::istringstream lines(section);
  for (std::string l; std::getline(lines, l);) {
    std::smatch m;
    if (std::regex_match(l, m, row)) out[m[1]] = m[2];
  }
  return out;
}

// `param name: type = default in [low, high]`, as written.
std::string parameterTable(const MethodSignature& sig, const std::string& source,
                           const std::map<std::string, std::string>& meaningOf) {
  if (sig.decl->params.empty()) return "None.\n";
  std::string table =
      "| name | type | default | range | meaning |\n| --- | --- | --- | --- | --- |\n";
  static const std::regex param(
      R"(param\s+(\w+)\s*:\s*(\w+)\s*(?:=\s*(.*?))?\s*(?:in\s*(\[.*\]))?\s*$)");
  for (const ast::ParamDecl& p : sig.decl->params) {
    std::smatch m;
    const std::string line = sourceLine(source, p.range.begin.offset);
    if (!std::regex_search(line, m, param)) continue;
    auto it = meaningOf.find(m[1]);
    table += "| `" + std::string(m[1]) + "` | " + std::string(m[2]) + " | " +
             (m[3].matched ? "`" + std::string(m[3]) + "`" : "—") + " | " +
             (m[4].matched ? "`" + std::string(m[4]) + "`" : "—") + " | " +
             (it == meaningOf.end() ? "—" : it->second) + " |\n";
  }
  return table;
}

// Rewrites `path` when `fresh` differs from `text`, or reports it stale.
bool refresh(const fs::path& path, const std::string& text, const std::string& fresh, bool check,
             const fs::path& root) {
  if (fresh == text) return false;
  if (check) {
    std::cout << path.string() << " is stale: run fiver-method-cards " << root.string() << "\n";
  } else {
    std::ofstream(path, std::ios::binary) << fresh;
    std::cout << "rewrote " << path.string() << "\n";
  }
  return true;
}

// The card with its generated parts replaced; the card itself when it has
// no "## Parameters" section to anchor them.
std::string regenerate(const MethodSignature& sig, const std::string& card,
                       const std::string& source) {
  const std::string head = "## Parameters\n\n";
  const size_t params = card.find(head);
  const size_t firstSection = card.find("\n## ");
  if (params == std::string::npos || firstSection == std::string::npos) return card;
  const size_t bodyBegin = params + head.size();
  size_t bodyEnd = card.find("\n## ", bodyBegin);
  if (bodyEnd == std::string::npos) bodyEnd = card.size();
  const std::string body = card.substr(bodyBegin, bodyEnd - bodyBegin);
  std::string table = parameterTable(sig, source, meanings(body));
  return "# " + sig.name + "\n\n" + tripleLine(sig) + "\n" +
         card.substr(firstSection, bodyBegin - firstSection) + table + card.substr(bodyEnd);
}

} // namespace

int main(int argc, char** argv) {
  const bool check = argc == 3 && std::string(argv[1]) == "--check";
  if (argc != 2 && !check) {
    std::cerr << "usage: fiver-method-cards [--check] REPO_ROOT\n";
    return 2;
  }
  const fs::path root = argv[argc - 1];
  SourceManager sources;
  DiagnosticEngine diags;
  Program program =
      loadProgram("<cards>", std::string(), (root / "stdlib").string(), sources, diags);
  int stale = 0;
  std::vector<MethodSignature> signatures;
  for (const auto& [name, decl] : program.methods) {
    std::optional<MethodSignature> sig = checkMethodDecl(*decl, diags);
    if (!sig) continue;
    signatures.push_back(*sig);
    const fs::path card = root / "methods" / name / "card.md";
    if (!fs::exists(card)) continue; // the folder test reports a missing card
    const std::string text = readFile(card);
    stale +=
        refresh(card, text, regenerate(*sig, text, readFile(decl->range.begin.file)), check, root);
  }
  const fs::path index = root / "docs" / "methods" / "README.md";
  const std::string text = readFile(index);
  stale += refresh(index, text, regenerateMethodIndex(signatures, text), check, root);
  return check && stale ? 1 : 0;
}
