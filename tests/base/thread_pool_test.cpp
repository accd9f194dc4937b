#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "base/thread_pool.hpp"

using namespace embtool;

namespace {

// How many times each item was visited by parallel_for(plan, ...).
std::vector<int> visits_of(const TaskPlan& plan) {
  std::vector<std::atomic<int>> visits(plan.items());
  parallel_for(plan, [&](const Task& task) {
    for (size_t i = task.begin; i < task.end; ++i) visits[i].fetch_add(1);
  });
  std::vector<int> counts;
  for (const auto& v : visits) counts.push_back(v.load());
  return counts;
}

}  // namespace

TEST_CASE("a task plan cuts the range into contiguous tasks that cover it once", "[thread_pool]") {
  for (size_t items : {1u, 2u, 7u, 100u, 1001u}) {
    for (size_t threads : {1u, 2u, 3u, 8u}) {
      for (const Split split : {Split{}, Split{10, 1}, Split{1, 4}, Split::each_item()}) {
        INFO(items << " items, " << threads << " threads, min " << split.min_items_per_task
                   << ", per thread " << split.tasks_per_thread);
        const TaskPlan plan(items, threads, split);
        REQUIRE(plan.tasks() >= 1);
        CHECK(plan.threads() <= plan.tasks());
        CHECK(plan.threads() <= threads);
        CHECK(plan.begin(0) == 0);
        CHECK(plan.end(plan.tasks() - 1) == items);
        for (size_t t = 0; t < plan.tasks(); ++t) {
          CHECK(plan.begin(t) < plan.end(t));  // no empty task
          CHECK(plan.end(t) - plan.begin(t) <= items / plan.tasks() + 1);
        }
        if (threads == 1) CHECK(plan.tasks() == 1);
      }
    }
  }
}

TEST_CASE("the one rule for going parallel: enough items per task, tasks per thread", "[thread_pool]") {
  CHECK(TaskPlan(16383, 4, {16384, 1}).tasks() == 1);
  CHECK(TaskPlan(16384 * 2, 4, {16384, 1}).tasks() == 2);
  CHECK(TaskPlan(16384 * 10, 4, {16384, 1}).tasks() == 4);
  CHECK(TaskPlan(16384 * 10, 4, {16384, 2}).tasks() == 8);
  CHECK(TaskPlan(16384 * 10, 1, {16384, 4}).tasks() == 1);
  CHECK(TaskPlan(5, 3, Split::each_item()).tasks() == 5);
  CHECK(TaskPlan(5, 3, Split::each_item()).threads() == 3);
  CHECK(TaskPlan(0, 3, {}).tasks() == 0);
  CHECK(TaskPlan(10, 0, {}).threads() == std::min<size_t>(10, resolve_thread_count(0)));
  CHECK(resolve_thread_count(0) >= 1);
  CHECK(resolve_thread_count(5) == 5);
}

TEST_CASE("parallel_for visits every index exactly once", "[thread_pool]") {
  for (size_t threads : {1u, 2u, 3u, 7u}) {
    for (size_t items : {1u, 5u, 1000u, 100003u}) {
      INFO(items << " items, " << threads << " threads");
      for (const Split split : {Split{1, 1}, Split{1, 4}, Split::each_item()}) {
        const std::vector<int> visits = visits_of(TaskPlan(items, threads, split));
        CHECK(std::all_of(visits.begin(), visits.end(), [](int v) { return v == 1; }));
      }
    }
  }
}

TEST_CASE("parallel_for runs each task once, with its own numbers, task 0 on the caller", "[thread_pool]") {
  const TaskPlan plan(1000, 4, {1, 4});
  REQUIRE(plan.tasks() == 16);
  // Catch's assertions are for the test's own thread: tasks only count what they see.
  std::vector<std::atomic<int>> runs(plan.tasks());
  std::atomic<int> wrong_range{0}, wrong_flag{0};
  std::atomic<bool> task0_on_caller{false}, task0_flag{false};
  const auto caller = std::this_thread::get_id();
  parallel_for(plan, [&](const Task& task) {
    runs[task.index].fetch_add(1);
    if (task.begin != plan.begin(task.index) || task.end != plan.end(task.index)) wrong_range.fetch_add(1);
    if (task.on_calling_thread != (std::this_thread::get_id() == caller)) wrong_flag.fetch_add(1);
    if (task.index == 0) {
      task0_on_caller = std::this_thread::get_id() == caller;
      task0_flag = task.on_calling_thread;
    }
  });
  for (const auto& r : runs) CHECK(r.load() == 1);
  CHECK(wrong_range.load() == 0);
  CHECK(wrong_flag.load() == 0);
  CHECK(task0_on_caller);
  CHECK(task0_flag);
}

TEST_CASE("parallel_for really runs on several threads when asked", "[thread_pool]") {
  // Each task waits until a second thread has joined (or gives up after a while), so this
  // checks that helpers run tasks, whatever the machine's core count.
  std::mutex mutex;
  std::set<std::thread::id> seen;
  std::atomic<int> arrived{0};
  parallel_for(TaskPlan(2, 2, Split::each_item()), [&](const Task&) {
    {
      const std::lock_guard lock(mutex);
      seen.insert(std::this_thread::get_id());
    }
    arrived.fetch_add(1);
    for (int i = 0; i < 2000 && arrived.load() < 2; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  });
  CHECK(seen.size() == 2);
}

TEST_CASE("zero items run nothing; one thread runs every task in order on the caller", "[thread_pool]") {
  bool ran = false;
  parallel_for(0, 4, Split{}, [&](const Task&) { ran = true; });
  CHECK_FALSE(ran);

  std::vector<size_t> order;
  int elsewhere = 0;
  const auto caller = std::this_thread::get_id();
  parallel_for(TaskPlan(10, 1, Split::each_item()), [&](const Task& task) {
    elsewhere += std::this_thread::get_id() != caller || !task.on_calling_thread;
    for (size_t i = task.begin; i < task.end; ++i) order.push_back(i);
  });
  CHECK(elsewhere == 0);
  CHECK(order == std::vector<size_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
}

TEST_CASE("an exception in a task is rethrown on the calling thread: the lowest task's", "[thread_pool]") {
  for (size_t threads : {1u, 2u, 4u}) {
    INFO(threads << " threads");
    // Every item from 3 on throws its own number: the caller sees item 3's (a task of its own
    // on several threads, the first to throw in the one task of one thread).
    try {
      parallel_for(TaskPlan(64, threads, Split::each_item()), [](const Task& task) {
        for (size_t i = task.begin; i < task.end; ++i) {
          if (i >= 3) throw std::runtime_error(std::to_string(i));
        }
      });
      FAIL("no exception");
    } catch (const std::runtime_error& e) {
      CHECK(std::string(e.what()) == "3");
    }
    // A failure in the caller's own task 0 comes back too, after the others are done.
    std::atomic<int> running{0};
    CHECK_THROWS_WITH(parallel_for(TaskPlan(8, threads, Split::each_item()),
                                   [&](const Task& task) {
                                     running.fetch_add(1);
                                     if (task.begin == 0) throw std::logic_error("first");
                                     running.fetch_sub(1);
                                   }),
                      "first");
    CHECK(running.load() == 1);  // only task 0 is left "running": the others all finished
  }
  // The pool is still usable afterwards.
  const std::vector<int> visits = visits_of(TaskPlan(1000, 4, Split{1, 2}));
  CHECK(std::all_of(visits.begin(), visits.end(), [](int v) { return v == 1; }));
}

TEST_CASE("after a failure, tasks not yet started are skipped", "[thread_pool]") {
  std::atomic<int> ran{0};
  CHECK_THROWS(parallel_for(TaskPlan(100000, 1, Split::each_item()), [&](const Task& task) {
    ran.fetch_add(1);
    if (task.index == 0) throw std::runtime_error("stop");
  }));
  CHECK(ran.load() == 1);
}

TEST_CASE("a task may run a parallel_for of its own", "[thread_pool]") {
  for (size_t threads : {1u, 2u, 4u}) {
    INFO(threads << " threads");
    std::vector<std::atomic<int>> visits(64 * 100);
    parallel_for(TaskPlan(64, threads, Split::each_item()), [&](const Task& outer) {
      for (size_t o = outer.begin; o < outer.end; ++o) {
        parallel_for(TaskPlan(100, threads, Split::each_item()), [&](const Task& inner) {
          for (size_t i = inner.begin; i < inner.end; ++i) visits[o * 100 + i].fetch_add(1);
        });
      }
    });
    for (const auto& v : visits) REQUIRE(v.load() == 1);
    // An inner failure crosses both levels.
    CHECK_THROWS_WITH(parallel_for(TaskPlan(8, threads, Split::each_item()),
                                   [&](const Task& outer) {
                                     parallel_for(TaskPlan(8, threads, Split::each_item()), [&](const Task& inner) {
                                       if (outer.begin <= 5 && 5 < outer.end && inner.begin <= 6 && 6 < inner.end) {
                                         throw std::runtime_error("inner");
                                       }
                                     });
                                   }),
                      "inner");
  }
}

TEST_CASE("the pool's threads are started once and reused", "[thread_pool]") {
  parallel_for(TaskPlan(100, 3, Split::each_item()), [](const Task&) {});
  const size_t started = pool_thread_count();
  CHECK(started >= 2);
  for (int i = 0; i < 50; ++i) {
    parallel_for(TaskPlan(100, 3, Split::each_item()), [](const Task&) {});
  }
  CHECK(pool_thread_count() == started);
}

TEST_CASE("loops on several threads at once share the pool", "[thread_pool]") {
  std::atomic<long> total{0};
  std::vector<std::thread> callers;
  for (int c = 0; c < 4; ++c) {
    callers.emplace_back([&] {
      for (int round = 0; round < 20; ++round) {
        parallel_for(TaskPlan(1000, 3, Split{10, 2}), [&](const Task& task) {
          total.fetch_add(static_cast<long>(task.end - task.begin));
        });
      }
    });
  }
  for (auto& t : callers) t.join();
  CHECK(total.load() == 4 * 20 * 1000);
}
