#include "front/cli/progress_bar.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace embtool::cli {

ProgressBar::ProgressBar(std::ostream& err, std::string label, bool enabled, std::string items)
    : err_(err), label_(std::move(label)), enabled_(enabled), items_(std::move(items)) {}

ProgressBar::~ProgressBar() { finish(); }

void ProgressBar::update(uint64_t done, uint64_t total) {
  if (!enabled_ || total == 0) return;
  // Ten redraws a second are enough for a person and cost nothing.
  const auto now = std::chrono::steady_clock::now();
  if (drawn_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  constexpr int kWidth = 30;
  const double fraction = std::min(1.0, static_cast<double>(done) / static_cast<double>(total));
  const int filled = static_cast<int>(fraction * kWidth);
  const std::string counts =
      items_.empty() ? fmt::format("{:.1f} / {:.1f} MB", static_cast<double>(done) / 1e6,
                                   static_cast<double>(total) / 1e6)
                     : fmt::format("{} / {} {}", done, total, items_);
  err_ << fmt::format("\r{} [{}{}] {:3.0f}%  {}", label_, std::string(filled, '#'),
                      std::string(kWidth - filled, '.'), fraction * 100, counts)
       << std::flush;
  drawn_ = true;
}

void ProgressBar::finish() {
  if (!drawn_) return;
  err_ << "\r\x1b[2K" << std::flush;
  drawn_ = false;
}

}  // namespace embtool::cli
