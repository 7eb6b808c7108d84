#include "runtime/metrics/StartupTimeline.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <set>

namespace fiver::runtime {

namespace {

using Clock = std::chrono::steady_clock;

// The first steps of a process are timed whatever their shape: the first
// carries one-time setup, the next ones show when the rate settles.
constexpr int64_t kFirstSteps = 3;
// A schedule that changes shape every step (a last short batch each epoch,
// progressive resizing in fine increments) is timed at its first shapes only.
constexpr size_t kMostShapes = 32;

struct Timeline {
  std::mutex mutex;
  bool started = false;
  Clock::time_point start;
  StartupReport report;
  std::set<std::string> shapes;
};

Timeline& timeline() {
  static Timeline t;
  return t;
}

double secondsSinceStart(Timeline& t) {
  if (!t.started) {
    t.started = true;
    t.start = Clock::now();
  }
  return std::chrono::duration<double>(Clock::now() - t.start).count();
}

} // namespace

void startProcessClock() {
  Timeline& t = timeline();
  std::lock_guard<std::mutex> lock(t.mutex);
  secondsSinceStart(t);
}

void markStartup(const std::string& name) {
  Timeline& t = timeline();
  std::lock_guard<std::mutex> lock(t.mutex);
  const double now = secondsSinceStart(t);
  for (const StartupMark& m : t.report.marks)
    if (m.name == name) return;
  t.report.marks.push_back({name, now});
}

bool watchesStep(const std::string& shape) {
  Timeline& t = timeline();
  std::lock_guard<std::mutex> lock(t.mutex);
  const bool newShape = !t.shapes.count(shape) && t.shapes.size() < kMostShapes;
  return newShape || static_cast<int64_t>(t.report.steps.size()) < kFirstSteps;
}

void recordWatchedStep(int64_t step, const std::string& shape, double seconds) {
  Timeline& t = timeline();
  std::lock_guard<std::mutex> lock(t.mutex);
  const bool newShape = t.shapes.insert(shape).second;
  t.report.steps.push_back({step, shape, newShape, seconds});
}

StartupReport startupReport() {
  Timeline& t = timeline();
  std::lock_guard<std::mutex> lock(t.mutex);
  return t.report;
}

void resetStartupTimeline() {
  Timeline& t = timeline();
  std::lock_guard<std::mutex> lock(t.mutex);
  t.report = {};
  t.shapes.clear();
}

nlohmann::json startupJson(const StartupReport& report) {
  nlohmann::json marks = nlohmann::json::object(), steps = nlohmann::json::array();
  for (const StartupMark& m : report.marks)
    marks[m.name] = m.seconds;
  for (const WatchedStep& s : report.steps)
    steps.push_back(
        {{"step", s.step}, {"shape", s.shape}, {"new_shape", s.newShape}, {"seconds", s.seconds}});
  return {{"marks", marks}, {"watched_steps", steps}};
}

std::string startupText(const StartupReport& report, double laterStepSeconds,
                        double firstEpochSeconds, int64_t firstEpochSteps) {
  std::string text = "startup:";
  char part[160];
  for (const StartupMark& m : report.marks) {
    std::snprintf(part, sizeof part, " %s %.2f s,", m.name.c_str(), m.seconds);
    text += part;
  }
  double newShapeSeconds = 0;
  int newShapes = 0;
  for (const WatchedStep& s : report.steps)
    if (s.newShape) {
      newShapeSeconds += s.seconds;
      ++newShapes;
    }
  if (!report.steps.empty()) {
    std::snprintf(part, sizeof part, " first step %.3f s, first steps at %d shapes %.3f s in all,",
                  report.steps.front().seconds, newShapes, newShapeSeconds);
    text += part;
  }
  if (laterStepSeconds > 0) {
    const double steady = laterStepSeconds * static_cast<double>(firstEpochSteps);
    std::snprintf(part, sizeof part,
                  " later steps %.4f s each; first epoch %.2f s (%.2f s at the later steps' rate),",
                  laterStepSeconds, firstEpochSeconds, steady);
    text += part;
  }
  if (text.back() == ',') text.pop_back();
  return text;
}

} // namespace fiver::runtime
