// The events of a training run, in the order they happen. Methods act on
// events in plan order, which the checker sorts by phase (stdlib `phase`).
// AFTER_* events that close a BEFORE_* (forward, loss, backward, batch,
// epoch, evaluation, fit) visit methods in reverse order, so that each one
// undoes its own change first; AFTER_DATA and AFTER_OPTIMIZER_STEP transform
// the batch or the weights and keep plan order (isAfterEvent).
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
