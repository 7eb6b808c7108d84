// The events of a training run, in the order they happen. Methods act on
// events; each BEFORE_X has an AFTER_X, and AFTER_* events visit methods in
// reverse order so that each one undoes its own change first.
#pragma once

namespace fiver::runtime {

enum class Event {
  Init,
  FitStart,
  EpochStart,
  BatchStart,
  AfterData,
  BeforeForward,
  AfterForward,
  BeforeLoss,
  AfterLoss,
  BeforeBackward,
  AfterBackward,
  BeforeOptimizerStep,
  AfterOptimizerStep,
  BatchEnd,
  EpochEnd,
  EvalStart,
  EvalEnd,
  FitEnd,
};

const char* eventName(Event e);
bool isAfterEvent(Event e);

} // namespace fiver::runtime
