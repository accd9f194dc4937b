// Label placement: whatever the crowding, no two labels overlap and none leaves the image.
#include <catch2/catch.hpp>

#include <random>

#include "render/label_placement.hpp"

using namespace embtool::output;

namespace {

void check_no_overlaps(const std::vector<LabelPlacement>& placed, const Box& bounds) {
  for (size_t i = 0; i < placed.size(); ++i) {
    if (!placed[i].box) continue;
    const Box& a = *placed[i].box;
    CHECK(a.left >= bounds.left);
    CHECK(a.top >= bounds.top);
    CHECK(a.right() <= bounds.right());
    CHECK(a.bottom() <= bounds.bottom());
    for (size_t j = i + 1; j < placed.size(); ++j) {
      if (placed[j].box) CHECK_FALSE(intersects(a, *placed[j].box));
    }
  }
}

}  // namespace

TEST_CASE("boxes that only touch do not intersect; overlapping ones do", "[render][plot]") {
  CHECK(intersects({0, 0, 10, 10}, {5, 5, 10, 10}));
  CHECK_FALSE(intersects({0, 0, 10, 10}, {10, 0, 10, 10}));
  CHECK_FALSE(intersects({0, 0, 10, 10}, {0, 10, 10, 10}));
  CHECK(intersects({0, 0, 10, 10}, {2, 2, 1, 1}));
}

TEST_CASE("a lone label goes right of its point, without a leader line", "[render][plot]") {
  const auto placed = place_labels({{100, 100, 40, 12}}, {.bounds = {0, 0, 400, 300}, .point_radius = 4, .gap = 3});
  REQUIRE(placed.size() == 1);
  REQUIRE(placed[0].box);
  CHECK(placed[0].box->left == Approx(107));
  CHECK(placed[0].box->top == Approx(94));
  CHECK_FALSE(placed[0].needs_leader);
}

TEST_CASE("a label at the right edge goes left of its point", "[render][plot]") {
  const auto placed = place_labels({{390, 100, 40, 12}}, {.bounds = {0, 0, 400, 300}});
  REQUIRE(placed[0].box);
  CHECK(placed[0].box->right() <= 390);
}

TEST_CASE("crowded labels never overlap one another nor leave the plot", "[render][plot]") {
  std::mt19937 random(11);
  std::uniform_real_distribution<double> x(0, 300), y(0, 200), width(20, 90);
  for (const size_t count : {10, 60, 400}) {
    std::vector<LabelRequest> labels;
    for (size_t i = 0; i < count; ++i) labels.push_back({x(random), y(random), width(random), 13});
    const Box bounds{0, 0, 300, 200};
    const auto placed = place_labels(labels, {.bounds = bounds});
    REQUIRE(placed.size() == count);
    check_no_overlaps(placed, bounds);
    size_t shown = 0;
    for (const auto& p : placed) shown += p.box ? 1 : 0;
    if (count == 10) CHECK(shown == count);  // room for all of them
    CHECK(shown > 0);
  }
}

TEST_CASE("points on one spot get their labels around it, the later ones with leader lines", "[render][plot]") {
  std::vector<LabelRequest> labels(12, LabelRequest{200, 150, 50, 13});
  const Box bounds{0, 0, 400, 300};
  const auto placed = place_labels(labels, {.bounds = bounds});
  check_no_overlaps(placed, bounds);
  size_t leaders = 0;
  for (const auto& p : placed) {
    REQUIRE(p.box);
    leaders += p.needs_leader ? 1 : 0;
  }
  CHECK(leaders >= 4);  // eight adjacent places at most hold labels this wide, fewer do
}
