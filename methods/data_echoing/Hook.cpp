#include "methods/data_echoing/Hook.h"
#include "runtime/data/BatchLoader.h"
#include "runtime/methods/HookRegistry.h"

#include <stdexcept>

namespace fiver::runtime {

DataEchoing::DataEchoing(int64_t factor, std::string stage)
    : factor_(factor), exampleStage_(stage == "example") {
  if (stage != "example" && stage != "batch")
    throw std::runtime_error("method 'data_echoing': unknown stage '" + stage +
                             "' (known: example, batch)");
  if (factor_ < 1) throw std::runtime_error("method 'data_echoing': factor must be at least 1");
}

// Echoes are served by the loader before augmentation, so every echo of an
// example is augmented afresh by the Trainer.
void DataEchoing::apply(Event, TrainState& s) {
  loaderOf(s, "data_echoing").setEcho(factor_, exampleStage_);
}

namespace {
const HookRegistrar kHook("data_echoing", [](const MethodArgs& args) {
  return std::make_unique<DataEchoing>(args.integer("factor"), args.name("stage"));
});
} // namespace

} // namespace fiver::runtime
