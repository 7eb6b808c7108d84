// Watches a training run without taking part in it (the composition tests'
// probes): each event reaches an observer just before and just after the
// plan's methods act on it, so it sees both what a method was given and what
// the methods made of it.
#pragma once

#include "runtime/train/Events.h"
#include "runtime/train/TrainState.h"

namespace fiver::runtime {

class RunObserver {
public:
  virtual ~RunObserver() = default;
  virtual void beforeMethods(Event /*e*/, const TrainState& /*s*/) {}
  virtual void afterMethods(Event /*e*/, const TrainState& /*s*/) {}
};

} // namespace fiver::runtime
