#include "tools/MethodIndex.h"

#include <map>
#include <regex>
#include <set>

namespace fiver {

namespace {

constexpr Action kActions[] = {Action::Remove, Action::Restrict, Action::Reorder, Action::Replace,
                               Action::Retrofit};
constexpr Component kComponents[] = {Component::ModelParameters,   Component::Architecture,
                                     Component::TrainingData,      Component::DerivedData,
                                     Component::TrainingObjective, Component::TrainingAlgorithm};

std::string cardLink(const std::string& name) {
  return "[" + name + "](../../methods/" + name + "/card.md)";
}

// "Dd": dynamic timing, domain information.
std::string mechanism(const Triple& t) {
  return std::string(t.timing == Timing::Static ? "S" : "D") +
         (t.information == Information::Domain ? "d" : "l");
}

std::string taxonomyTable(const std::vector<MethodSignature>& methods) {
  std::string out = "| action \\ component |";
  for (Component c : kComponents)
    out += " " + std::string(toString(c)) + " |";
  out += "\n|---|---|---|---|---|---|---|\n";
  for (Action a : kActions) {
    out += "| " + std::string(toString(a)) + " |";
    for (Component c : kComponents) {
      std::string cell;
      for (const MethodSignature& m : methods)
        for (const Triple& t : m.triples) {
          if (t.action != a || t.component != c) continue;
          if (!cell.empty()) cell += "<br>";
          const std::string link =
              m.isDefaultFor(t) ? "**" + cardLink(m.name) + "**" : cardLink(m.name);
          cell += link + " (" + mechanism(t) + ")";
        }
      out += " " + (cell.empty() ? "-" : cell) + " |";
    }
    out += "\n";
  }
  return out;
}

// Methods per action and per component; a method in several cells of one
// row or column counts once there.
std::string countTables(const std::vector<MethodSignature>& methods) {
  std::map<Action, std::set<std::string>> byAction;
  std::map<Component, std::set<std::string>> byComponent;
  for (const MethodSignature& m : methods)
    for (const Triple& t : m.triples) {
      byAction[t.action].insert(m.name);
      byComponent[t.component].insert(m.name);
    }
  std::string out = "| action | methods |\n| --- | --- |\n";
  for (Action a : kActions)
    out += "| " + std::string(toString(a)) + " | " + std::to_string(byAction[a].size()) + " |\n";
  out += "\n| component | methods |\n| --- | --- |\n";
  for (Component c : kComponents)
    out += "| " + std::string(toString(c)) + " | " + std::to_string(byComponent[c].size()) + " |\n";
  return out;
}

std::string cardList(const std::vector<MethodSignature>& methods) {
  std::string out;
  for (const MethodSignature& m : methods) {
    out += "- " + cardLink(m.name) + " —";
    for (size_t i = 0; i < m.triples.size(); ++i)
      out += (i ? " · `" : " `") + toString(m.triples[i]) + "`";
    out += "\n";
  }
  return out;
}

// Replaces the block that starts with `first` (a line prefix) inside the
// section headed `heading`, up to the first blank line after it.
std::string replaceBlock(std::string text, const std::string& heading, const std::string& first,
                         const std::string& block) {
  const size_t section = text.find("\n" + heading + "\n");
  if (section == std::string::npos) return text;
  const size_t begin = text.find("\n" + first, section);
  if (begin == std::string::npos) return text;
  size_t end = text.find("\n\n", begin + 1);
  if (end == std::string::npos) end = text.size() - 1;
  return text.replace(begin + 1, end + 1 - (begin + 1), block);
}

} // namespace

std::string regenerateMethodIndex(const std::vector<MethodSignature>& methods,
                                  const std::string& readme) {
  std::string out = replaceBlock(readme, "## Taxonomy", "| action \\", taxonomyTable(methods));
  const std::string counts = countTables(methods);
  const size_t split = counts.find("\n\n");
  out = replaceBlock(out, "## Counts", "| action |", counts.substr(0, split + 1));
  out = replaceBlock(out, "## Counts", "| component |", counts.substr(split + 2));
  out = std::regex_replace(out, std::regex(R"(\n\d+ methods in all;)"),
                           "\n" + std::to_string(methods.size()) + " methods in all;");
  return replaceBlock(out, "## Cards", "- [", cardList(methods));
}

} // namespace fiver
