#include "compiler/sema/Taxonomy.h"

#include <array>
#include <utility>

namespace fiver {

namespace {
constexpr std::array<std::pair<Action, std::string_view>, 5> kActions{{
    {Action::Remove, "remove"},
    {Action::Restrict, "restrict"},
    {Action::Reorder, "reorder"},
    {Action::Replace, "replace"},
    {Action::Retrofit, "retrofit"},
}};
constexpr std::array<std::pair<Component, std::string_view>, 6> kComponents{{
    {Component::ModelParameters, "model_parameters"},
    {Component::Architecture, "architecture"},
    {Component::TrainingData, "training_data"},
    {Component::DerivedData, "derived_data"},
    {Component::TrainingObjective, "training_objective"},
    {Component::TrainingAlgorithm, "training_algorithm"},
}};
constexpr std::array<std::pair<Timing, std::string_view>, 2> kTimings{{
    {Timing::Static, "static"},
    {Timing::Dynamic, "dynamic"},
}};
constexpr std::array<std::pair<Information, std::string_view>, 2> kInformation{{
    {Information::Domain, "domain"},
    {Information::Learned, "learned"},
}};

template <typename E, size_t N>
std::string_view nameOf(const std::array<std::pair<E, std::string_view>, N>& table, E e) {
  for (const auto& [value, name] : table)
    if (value == e) return name;
  return "?";
}

template <typename E, size_t N>
std::optional<E> parseOf(const std::array<std::pair<E, std::string_view>, N>& table,
                         std::string_view s) {
  for (const auto& [value, name] : table)
    if (name == s) return value;
  return std::nullopt;
}

constexpr std::array<std::pair<std::string_view, std::string_view>, 15> kMeanings{{
    {"remove", "action: take something out of the training run (layers, samples, steps)"},
    {"restrict", "action: limit a component to a subset or a cheaper form (precision, rank, "
                 "tied layers, an initializer's distribution)"},
    {"reorder", "action: change when or in which order something happens (curriculum, "
                "freezing schedule, progressive resizing)"},
    {"replace", "action: swap a component for a cheaper or better one (loss, optimizer, layer)"},
    {"retrofit", "action: add something to the run that makes it converge in less time "
                 "(weight averaging, augmentation, regularizers)"},
    {"model_parameters", "component (function): the weights being trained"},
    {"architecture", "component (function): the network's structure"},
    {"training_data", "component (data): the samples fed to the model"},
    {"derived_data", "component (data): what training computes from data: activations, "
                     "gradients, their layout and precision"},
    {"training_objective", "component (optimization): the loss being minimized"},
    {"training_algorithm",
     "component (optimization): the initializer and the optimizer, with its learning-rate "
     "schedule and batch size (survey §3.1.3)"},
    {"static", "timing: the change is made once, before training starts (survey §3.3.1)"},
    {"dynamic", "timing: the change is made during training: on a schedule, every few steps "
                "or anew every batch (survey §3.3.1)"},
    {"domain", "information: driven by prior knowledge of the domain, not by training signals"},
    {"learned", "information: driven by quantities measured during training"},
}};
} // namespace

std::string_view toString(Action a) {
  return nameOf(kActions, a);
}
std::string_view toString(Component c) {
  return nameOf(kComponents, c);
}
std::string_view toString(Timing t) {
  return nameOf(kTimings, t);
}
std::string_view toString(Information i) {
  return nameOf(kInformation, i);
}

std::string toString(const Triple& t) {
  std::string s;
  s.append(toString(t.action)).append(" ");
  s.append(toString(t.component)).append(" ");
  s.append(toString(t.timing)).append(" ");
  s.append(toString(t.information));
  return s;
}

std::optional<Action> parseAction(std::string_view s) {
  return parseOf(kActions, s);
}
std::optional<Component> parseComponent(std::string_view s) {
  return parseOf(kComponents, s);
}
std::optional<Timing> parseTiming(std::string_view s) {
  return parseOf(kTimings, s);
}
std::optional<Information> parseInformation(std::string_view s) {
  return parseOf(kInformation, s);
}

std::string_view describeTaxonomyWord(std::string_view word) {
  for (const auto& [w, meaning] : kMeanings)
    if (w == word) return meaning;
  return {};
}

} // namespace fiver
