// Every parallel loop in embtool runs here: one process-wide pool of threads (started when
// first needed, then reused), one rule for how a range is cut into tasks, and one way an
// error comes back (rethrown on the calling thread).
//
// A loop's answer must never depend on how many threads ran it. Tasks are therefore fixed
// contiguous ranges numbered from 0, decided by TaskPlan before anything runs; state kept per
// task (a heap of the k best, say) is combined in task order afterwards. Which thread runs a
// task is not fixed, except that task 0 always runs on the calling thread, so that a caller
// can report progress from it (progress callbacks are only ever called on the caller's thread).
#pragma once

#include <algorithm>
#include <cstddef>
#include <type_traits>
#include <utility>

namespace embtool {

// How a range of items is cut into tasks.
struct Split {
  // Fewer items than this in a task are not worth another thread.
  size_t min_items_per_task = 1;
  // Tasks per thread: more than one lets the threads that are free take over the later tasks
  // of one that another process slows down (on a shared machine), instead of waiting for it.
  size_t tasks_per_thread = 1;

  // Every item its own task (items that are already shares of a larger job).
  static constexpr Split each_item() { return Split{1, static_cast<size_t>(-1)}; }
};

// The threads a request for `requested` threads gets: the number asked for, or one per core
// (at least one) for 0.
size_t resolve_thread_count(size_t requested);

// The range [0, items) cut into tasks for up to `threads` threads (0: one per core):
// min(items / min_items_per_task, threads * tasks_per_thread) tasks, at least one, of sizes
// differing by at most one item; and one task only when one thread is to run them (more
// would not run any faster). No items, no tasks.
class TaskPlan {
 public:
  TaskPlan(size_t items, size_t threads, Split split = {});

  size_t items() const { return items_; }
  size_t tasks() const { return tasks_; }
  // Threads that run the tasks, the calling one included: never more than there are tasks.
  size_t threads() const { return threads_; }
  // Task t covers items [begin(t), end(t)).
  size_t begin(size_t task) const { return task * (items_ / tasks_) + std::min(task, items_ % tasks_); }
  size_t end(size_t task) const { return begin(task + 1); }

 private:
  size_t items_;
  size_t tasks_;
  size_t threads_;
};

// One task, as its body sees it.
struct Task {
  size_t index = 0;  // 0 .. plan.tasks() - 1
  size_t begin = 0;  // its items: [begin, end)
  size_t end = 0;
  bool on_calling_thread = false;  // always true for task 0
};

namespace detail {
// A reference to the caller's task body, without a copy or an allocation.
struct TaskBody {
  void* object;
  void (*call)(void* object, const Task& task);
};
void run_tasks(const TaskPlan& plan, TaskBody body);
}  // namespace detail

// Runs body(task) once for every task of `plan`, on plan.threads() threads of the pool, the
// calling thread included, and returns when all have run. If tasks throw, the tasks not yet
// started are skipped, those running finish, and the exception of the lowest-numbered task
// that threw is rethrown here (the others are dropped). A task may run a parallel_for of its
// own: a thread waiting for its tasks has run all it could take itself, so nesting cannot
// deadlock, however busy the pool.
template <class Body>
void parallel_for(const TaskPlan& plan, Body&& body) {
  using Callable = std::remove_reference_t<Body>;
  static_assert(std::is_invocable_v<Callable&, const Task&>, "the body takes a const Task&");
  detail::run_tasks(plan, detail::TaskBody{
                              const_cast<void*>(static_cast<const void*>(std::addressof(body))),
                              [](void* object, const Task& task) { (*static_cast<Callable*>(object))(task); }});
}

// The same over [0, items) with TaskPlan(items, threads, split).
template <class Body>
void parallel_for(size_t items, size_t threads, Split split, Body&& body) {
  parallel_for(TaskPlan(items, threads, split), std::forward<Body>(body));
}

// Threads the pool has started so far (besides the threads that call it): each is started
// once, when a loop first asks for that many, and is reused by every later loop.
size_t pool_thread_count();

}  // namespace embtool
