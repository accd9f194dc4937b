#include "base/thread_pool.hpp"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <exception>
#include <limits>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace embtool {
namespace {

// A request for thousands of threads gets this many: more would only cost memory.
constexpr size_t kMaxPoolThreads = 256;

// min(a * b, max) without overflow.
size_t saturating_product(size_t a, size_t b) {
  if (a != 0 && b > std::numeric_limits<size_t>::max() / a) return std::numeric_limits<size_t>::max();
  return a * b;
}

// One parallel_for in flight. Threads take its tasks in turn (task 0 is the caller's); the
// caller waits until every task taken has run. Shared, so that a pool thread that picks up
// its invitation late (all tasks gone, the caller returned) still reads valid memory: it then
// finds nothing to take and never touches the caller's body.
class Job {
 public:
  Job(const TaskPlan& plan, detail::TaskBody body) : plan_(plan), body_(body) {}

  // Takes and runs tasks until none is left.
  void take_tasks(bool on_calling_thread) {
    for (size_t task = next_.fetch_add(1); task < plan_.tasks(); task = next_.fetch_add(1)) {
      run(task, on_calling_thread);
    }
  }

  void run(size_t task, bool on_calling_thread) {
    if (!failed_.load(std::memory_order_relaxed)) {
      try {
        body_.call(body_.object, Task{task, plan_.begin(task), plan_.end(task), on_calling_thread});
      } catch (...) {
        record_failure(task, std::current_exception());
      }
    }
    if (finished_.fetch_add(1) + 1 == plan_.tasks()) {
      const std::lock_guard lock(mutex_);
      all_finished_.notify_all();
    }
  }

  void wait_until_finished() {
    std::unique_lock lock(mutex_);
    all_finished_.wait(lock, [this] { return finished_.load() == plan_.tasks(); });
  }

  void rethrow_failure() {
    if (failure_) std::rethrow_exception(failure_);
  }

 private:
  // The lowest-numbered task's exception, so that the error a user sees does not depend on
  // which thread happened to fail first when several would.
  void record_failure(size_t task, std::exception_ptr failure) {
    const std::lock_guard lock(mutex_);
    if (!failure_ || task < failed_task_) {
      failure_ = std::move(failure);
      failed_task_ = task;
    }
    failed_.store(true, std::memory_order_relaxed);
  }

  const TaskPlan plan_;  // a copy: pool threads may look at it after the caller returned
  const detail::TaskBody body_;
  std::atomic<size_t> next_{1};  // task 0 is run by the caller before it takes others
  std::atomic<size_t> finished_{0};
  std::atomic<bool> failed_{false};
  std::mutex mutex_;
  std::condition_variable all_finished_;
  std::exception_ptr failure_;
  size_t failed_task_ = 0;
};

// Threads that wait for invitations to jobs. A thread is started the first time a job asks
// for more than there are, and lives as long as the process.
class ThreadPool {
 public:
  // Created on first use and never destroyed: its threads wait for work until the process
  // ends, and no static destructor has to stop them in the middle of someone's loop.
  static ThreadPool& instance() {
    static ThreadPool* const pool = new ThreadPool;
    return *pool;
  }

  // Asks `helpers` pool threads to join `job`; returns at once.
  void invite(const std::shared_ptr<Job>& job, size_t helpers) {
    const std::lock_guard lock(mutex_);
    helpers = std::min(helpers, kMaxPoolThreads);
    while (threads_.size() < helpers) threads_.emplace_back([this] { serve(); });
    // One wakeup per invitation; a thread that is busy takes its invitation when it is done.
    for (size_t i = 0; i < helpers; ++i) {
      invitations_.push_back(job);
      woken_.notify_one();
    }
  }

  size_t thread_count() {
    const std::lock_guard lock(mutex_);
    return threads_.size();
  }

 private:
  ThreadPool() = default;

  [[noreturn]] void serve() {
    for (;;) {
      std::shared_ptr<Job> job;
      {
        std::unique_lock lock(mutex_);
        woken_.wait(lock, [this] { return !invitations_.empty(); });
        job = std::move(invitations_.front());
        invitations_.pop_front();
      }
      job->take_tasks(false);
    }
  }

  std::mutex mutex_;
  std::condition_variable woken_;
  std::deque<std::shared_ptr<Job>> invitations_;
  std::vector<std::thread> threads_;
};

}  // namespace

size_t resolve_thread_count(size_t requested) {
  return requested > 0 ? requested : std::max(1u, std::thread::hardware_concurrency());
}

TaskPlan::TaskPlan(size_t items, size_t threads, Split split) : items_(items) {
  const size_t wanted = resolve_thread_count(threads);
  const size_t useful = items / std::max<size_t>(1, split.min_items_per_task);
  const size_t most = wanted == 1 ? 1 : saturating_product(wanted, std::max<size_t>(1, split.tasks_per_thread));
  tasks_ = items == 0 ? 0 : std::clamp<size_t>(useful, 1, most);
  threads_ = std::min(wanted, tasks_);
}

size_t pool_thread_count() { return ThreadPool::instance().thread_count(); }

namespace detail {

void run_tasks(const TaskPlan& plan, TaskBody body) {
  if (plan.tasks() == 0) return;
  if (plan.threads() <= 1) {  // no other thread: the tasks in order, exceptions as they come
    for (size_t task = 0; task < plan.tasks(); ++task) {
      body.call(body.object, Task{task, plan.begin(task), plan.end(task), true});
    }
    return;
  }
  const auto job = std::make_shared<Job>(plan, body);
  ThreadPool::instance().invite(job, plan.threads() - 1);
  job->run(0, true);
  job->take_tasks(true);
  job->wait_until_finished();
  job->rethrow_failure();
}

}  // namespace detail
}  // namespace embtool
