#include "render/label_placement.hpp"

#include <cmath>
#include <cstdint>
#include <numbers>
#include <unordered_map>

namespace embtool::output {
namespace {

bool inside(const Box& box, const Box& bounds) {
  return box.left >= bounds.left && box.top >= bounds.top && box.right() <= bounds.right() &&
         box.bottom() <= bounds.bottom();
}

Box marker_box(double x, double y, double radius) { return {x - radius, y - radius, 2 * radius, 2 * radius}; }

// The eight places touching the point's marker, right of it first (how people read a
// scatter plot's labels), then left, above, below, and the corners.
std::vector<Box> adjacent_places(const LabelRequest& label, double offset) {
  const double w = label.width, h = label.height, x = label.x, y = label.y;
  return {
      {x + offset, y - h / 2, w, h},         {x - offset - w, y - h / 2, w, h},
      {x - w / 2, y - offset - h, w, h},     {x - w / 2, y + offset, w, h},
      {x + offset, y - offset - h, w, h},    {x - offset - w, y - offset - h, w, h},
      {x + offset, y + offset, w, h},        {x - offset - w, y + offset, w, h},
  };
}

// Places centred on rings around the point, 24 a ring, the nearest ring first.
std::vector<Box> distant_places(const LabelRequest& label, double first_radius, double max_distance) {
  std::vector<Box> places;
  const double step = std::max(label.height, 6.0);
  for (double radius = first_radius; radius <= max_distance; radius += step) {
    for (int i = 0; i < 24; ++i) {
      const double angle = 2 * std::numbers::pi * i / 24;
      const double cx = label.x + radius * std::cos(angle), cy = label.y + radius * std::sin(angle);
      places.push_back({cx - label.width / 2, cy - label.height / 2, label.width, label.height});
    }
  }
  return places;
}

// Boxes bucketed by the grid cells they cover, so that a test looks only at its neighbours
// (thousands of labels would otherwise cost a scan of every placed box per candidate).
class BoxGrid {
 public:
  explicit BoxGrid(double cell) : cell_(cell) {}
  void add(const Box& box) {
    const size_t index = boxes_.size();
    boxes_.push_back(box);
    for_cells(box, [&](int64_t key) { cells_[key].push_back(index); });
  }
  bool hits(const Box& box) const {
    bool hit = false;
    for_cells(box, [&](int64_t key) {
      if (hit) return;
      const auto found = cells_.find(key);
      if (found == cells_.end()) return;
      for (const size_t index : found->second) {
        if (intersects(box, boxes_[index])) {
          hit = true;
          return;
        }
      }
    });
    return hit;
  }

 private:
  template <typename Visit>
  void for_cells(const Box& box, Visit&& visit) const {
    const auto cell_of = [&](double v) { return static_cast<int64_t>(std::floor(v / cell_)); };
    for (int64_t cy = cell_of(box.top); cy <= cell_of(box.bottom()); ++cy) {
      for (int64_t cx = cell_of(box.left); cx <= cell_of(box.right()); ++cx) visit(cy * (int64_t{1} << 32) + cx);
    }
  }
  double cell_;
  std::vector<Box> boxes_;
  std::unordered_map<int64_t, std::vector<size_t>> cells_;
};

class Occupancy {
 public:
  Occupancy(const std::vector<LabelRequest>& labels, const PlacementArea& area) {
    for (const LabelRequest& l : labels) markers_.add(marker_box(l.x, l.y, area.point_radius));
  }
  bool free_of_labels(const Box& box) const { return !labels_.hits(box); }
  bool free_of_markers(const Box& box) const { return !markers_.hits(box); }
  void take(const Box& box) { labels_.add(box); }

 private:
  BoxGrid markers_{32};
  BoxGrid labels_{32};
};

// The first place that is inside, free of labels, and (when `avoid_markers`) of markers.
std::optional<Box> first_free(const std::vector<Box>& places, const Occupancy& taken, const Box& bounds,
                              bool avoid_markers) {
  for (const Box& place : places) {
    if (inside(place, bounds) && taken.free_of_labels(place) && (!avoid_markers || taken.free_of_markers(place))) {
      return place;
    }
  }
  return std::nullopt;
}

}  // namespace

bool intersects(const Box& a, const Box& b) {
  return a.left < b.right() && b.left < a.right() && a.top < b.bottom() && b.top < a.bottom();
}

std::vector<LabelPlacement> place_labels(const std::vector<LabelRequest>& labels, const PlacementArea& area) {
  Occupancy taken(labels, area);
  std::vector<LabelPlacement> placements;
  placements.reserve(labels.size());
  const double offset = area.point_radius + area.gap;
  for (const LabelRequest& label : labels) {
    const std::vector<Box> near = adjacent_places(label, offset);
    LabelPlacement placement;
    placement.box = first_free(near, taken, area.bounds, true);
    if (!placement.box) {
      const double first_ring = offset + std::max(label.width, label.height) / 2 + label.height;
      const std::vector<Box> far = distant_places(label, first_ring, area.max_distance);
      // Away from the point but clear of markers, then beside it over a marker, then anywhere.
      if ((placement.box = first_free(far, taken, area.bounds, true))) {
        placement.needs_leader = true;
      } else if (!(placement.box = first_free(near, taken, area.bounds, false))) {
        placement.box = first_free(far, taken, area.bounds, false);
        placement.needs_leader = placement.box.has_value();
      }
    }
    if (placement.box) taken.take(*placement.box);
    placements.push_back(placement);
  }
  return placements;
}

}  // namespace embtool::output
