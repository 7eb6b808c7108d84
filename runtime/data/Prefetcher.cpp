#include "runtime/data/Prefetcher.h"

#include <ATen/Parallel.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include <stdexcept>

namespace fiver::runtime {

BatchPrefetcher::BatchPrefetcher(size_t depth)
    : depth_(std::max<size_t>(1, depth)), worker_([this] { work(); }) {}

BatchPrefetcher::~BatchPrefetcher() {
  {
    std::unique_lock lock(mutex_);
    shutdown_ = true;
    active_ = false;
  }
  changed_.notify_all();
  worker_.join();
}

void BatchPrefetcher::start(std::function<LoadedBatch()> produce) {
  {
    std::unique_lock lock(mutex_);
    if (active_) throw std::logic_error("the prefetcher is already running");
    changed_.wait(lock, [&] { return !busy_; });
    produce_ = std::move(produce);
    queue_.clear();
    active_ = true;
    finished_ = false;
    droppedDrew_ = false;
  }
  changed_.notify_all();
}

bool BatchPrefetcher::running() const {
  std::lock_guard lock(mutex_);
  return active_;
}

LoadedBatch BatchPrefetcher::take() {
  std::unique_lock lock(mutex_);
  if (!active_) throw std::logic_error("take() from a stopped prefetcher");
  changed_.wait(lock, [&] { return !queue_.empty(); });
  Entry& front = queue_.front();
  if (front.error) std::rethrow_exception(front.error);
  if (front.batch.drawn == 0) return front.batch; // the end stays for the next call
  LoadedBatch out = std::move(front.batch);
  queue_.pop_front();
  lock.unlock();
  changed_.notify_all(); // room for the producer
  return out;
}

bool BatchPrefetcher::stop() {
  std::unique_lock lock(mutex_);
  active_ = false;
  changed_.wait(lock, [&] { return !busy_; });
  bool drewAhead = droppedDrew_;
  for (const Entry& e : queue_)
    drewAhead = drewAhead || e.error || e.batch.drawn > 0;
  queue_.clear();
  droppedDrew_ = false;
  finished_ = false;
  produce_ = nullptr;
  return drewAhead;
}

void BatchPrefetcher::work() {
  // Gathering a batch is a fraction of a millisecond of copying: on this
  // thread it runs on one core. An OpenMP team of its own would fight the
  // training step's team for the cores (on 2 cores a Fashion-MNIST epoch of
  // fmnist_baseline took 12.3 s instead of 5.0 s).
  at::get_num_threads(); // ATen's lazy per-thread set-up first, or it would undo the next line
#ifdef _OPENMP
  omp_set_num_threads(1);
#endif
  std::unique_lock lock(mutex_);
  for (;;) {
    changed_.wait(lock,
                  [&] { return shutdown_ || (active_ && !finished_ && queue_.size() < depth_); });
    if (shutdown_) return;
    busy_ = true;
    std::function<LoadedBatch()> produce = produce_;
    lock.unlock();
    Entry e;
    try {
      e.batch = produce();
    } catch (...) {
      e.error = std::current_exception();
    }
    lock.lock();
    busy_ = false;
    if (active_) {
      finished_ = e.error || e.batch.drawn == 0;
      queue_.push_back(std::move(e));
    } else {
      droppedDrew_ = droppedDrew_ || e.error || e.batch.drawn > 0;
    }
    changed_.notify_all();
  }
}

} // namespace fiver::runtime
