#include "runtime/train/Events.h"

namespace fiver::runtime {

const char* eventName(Event e) {
  switch (e) {
  case Event::Init:
    return "init";
  case Event::FitStart:
    return "fit_start";
  case Event::EpochStart:
    return "epoch_start";
  case Event::BatchStart:
    return "batch_start";
  case Event::AfterData:
    return "after_data";
  case Event::BeforeForward:
    return "before_forward";
  case Event::AfterForward:
    return "after_forward";
  case Event::BeforeLoss:
    return "before_loss";
  case Event::AfterLoss:
    return "after_loss";
  case Event::BeforeBackward:
    return "before_backward";
  case Event::AfterBackward:
    return "after_backward";
  case Event::BeforeOptimizerStep:
    return "before_optimizer_step";
  case Event::AfterOptimizerStep:
    return "after_optimizer_step";
  case Event::BatchEnd:
    return "batch_end";
  case Event::EpochEnd:
    return "epoch_end";
  case Event::EvalStart:
    return "eval_start";
  case Event::EvalEnd:
    return "eval_end";
  case Event::FitEnd:
    return "fit_end";
  }
  return "?";
}

bool isAfterEvent(Event e) {
  switch (e) {
  // These transform rather than undo, in plan (phase) order: each method sees
  // the previous one's batch, or the weights the previous update rule left.
  case Event::AfterData:
  case Event::AfterOptimizerStep:
    return false;
  case Event::AfterForward:
  case Event::AfterLoss:
  case Event::AfterBackward:
  case Event::BatchEnd:
  case Event::EpochEnd:
  case Event::EvalEnd:
  case Event::FitEnd:
    return true;
  default:
    return false;
  }
}

} // namespace fiver::runtime
