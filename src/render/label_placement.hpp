// Where a plot's labels go: each beside its point, never over another label, preferably not
// over a point, inside the image. A greedy search over candidate places at growing distances
// (the eight places around the point first, then rings further out, drawn with a leader line).
#pragma once

#include <optional>
#include <vector>

namespace embtool::output {

struct Box {
  double left = 0, top = 0, width = 0, height = 0;
  double right() const { return left + width; }
  double bottom() const { return top + height; }
};

// True when the two boxes share interior area (touching edges do not intersect).
bool intersects(const Box& a, const Box& b);

struct LabelRequest {
  double x = 0, y = 0;           // the point, in image coordinates (y grows downwards)
  double width = 0, height = 0;  // the label's extent
};

struct LabelPlacement {
  std::optional<Box> box;  // nullopt: no free place within reach (the label is not drawn)
  bool needs_leader = false;  // placed away from its point: draw a line to it
};

struct PlacementArea {
  Box bounds;                  // labels stay inside
  double point_radius = 4;     // the markers labels should not cover
  double gap = 3;              // between a point and its label
  double max_distance = 160;   // the furthest a label may move from its point
};

// One placement per request, in the requests' order; earlier requests get the better places.
// No two returned boxes intersect, and every box lies within `area.bounds`.
std::vector<LabelPlacement> place_labels(const std::vector<LabelRequest>& labels, const PlacementArea& area);

}  // namespace embtool::output
