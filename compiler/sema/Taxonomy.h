// The 5R taxonomy of algorithmic speedup, which is FiveR's type system: every
// method is typed by the (action, component, timing, information) triples the
// survey places it in, usually one.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace fiver {

enum class Action { Remove, Restrict, Reorder, Replace, Retrofit };
enum class Component {
  ModelParameters,
  Architecture,
  TrainingData,
  DerivedData,
  TrainingObjective,
  TrainingAlgorithm
};
enum class Timing { Static, Dynamic };
enum class Information { Domain, Learned };

struct Triple {
  Action action;
  Component component;
  Timing timing;
  Information information;

  bool operator==(const Triple&) const = default;
};

std::string_view toString(Action a);
std::string_view toString(Component c);
std::string_view toString(Timing t);
std::string_view toString(Information i);
// "reorder training_data dynamic domain"
std::string toString(const Triple& t);

std::optional<Action> parseAction(std::string_view s);
std::optional<Component> parseComponent(std::string_view s);
std::optional<Timing> parseTiming(std::string_view s);
std::optional<Information> parseInformation(std::string_view s);

// One-line meaning of a taxonomy word, for hover text and --explain.
std::string_view describeTaxonomyWord(std::string_view word);

} // namespace fiver
