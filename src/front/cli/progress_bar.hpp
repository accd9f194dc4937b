// A one-line progress bar on stderr for long loads and evaluations, shown only on a terminal.
#pragma once

#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>

namespace embtool::cli {

class ProgressBar {
 public:
  // `enabled` false makes every call a no-op (stderr is not a terminal, or -q). Counts are
  // shown as megabytes, or as a number of `items` ("questions") when that is given.
  ProgressBar(std::ostream& err, std::string label, bool enabled, std::string items = {});
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  void update(uint64_t done, uint64_t total);
  // Erases the bar, so that whatever follows starts on a clean line.
  void finish();

 private:
  std::ostream& err_;
  std::string label_;
  bool enabled_;
  std::string items_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace embtool::cli
