// PCA and exact t-SNE on points whose answers are known by construction.
#include <catch2/catch.hpp>

#include <cmath>
#include <random>

#include "base/error.hpp"
#include "ops/projection.hpp"

using namespace embtool;
using namespace embtool::ops;

namespace {

// Points spread along a known direction (first axis) and a smaller one (second axis) in 5-D.
PointRows plane_points() {
  PointRows rows;
  for (int i = -3; i <= 3; ++i) {
    for (int j = -1; j <= 1; ++j) rows.push_back({3.0 * i, 1.0 * j, 10.0, 0.0, -2.0});
  }
  return rows;
}

// Two tight clusters of `per` points, far apart, in 20 dimensions.
PointRows two_clusters(int per) {
  std::mt19937 random(7);
  std::normal_distribution<double> noise(0.0, 0.1);
  PointRows rows;
  for (int c = 0; c < 2; ++c) {
    for (int i = 0; i < per; ++i) {
      std::vector<double> row(20);
      for (double& v : row) v = noise(random) + (c == 0 ? 0.0 : 5.0);
      rows.push_back(row);
    }
  }
  return rows;
}

}  // namespace

TEST_CASE("PCA finds the axes of largest spread and the share of variance each explains", "[ops][plot]") {
  const Projection p = pca(plane_points());
  REQUIRE(p.x.size() == 21);
  // Centred first coordinate 3i is the first axis, j the second; the variances are 9*4 and 2/3.
  const double first = 9.0 * 4.0, second = 2.0 / 3.0;
  CHECK(p.explained_variance[0] == Approx(first / (first + second)));
  CHECK(p.explained_variance[1] == Approx(second / (first + second)));
  for (size_t k = 0; k < p.x.size(); ++k) {
    CHECK(std::abs(p.x[k]) == Approx(std::abs(3.0 * (static_cast<int>(k / 3) - 3))).margin(1e-9));
    CHECK(std::abs(p.y[k]) == Approx(std::abs(static_cast<int>(k % 3) - 1.0)).margin(1e-9));
  }
}

TEST_CASE("PCA's signs are sklearn's: the point furthest along each axis is positive", "[ops][plot]") {
  PointRows rows = {{0, 0}, {1, 0.1}, {-4, 0.3}, {2, -0.2}};
  const Projection p = pca(rows);
  // The furthest along the first axis is (-4, ...): its first coordinate comes out positive.
  CHECK(p.x[2] > 0);
  for (auto& row : rows) row[0] = -row[0];
  const Projection flipped = pca(rows);
  for (size_t k = 0; k < rows.size(); ++k) CHECK(flipped.x[k] == Approx(p.x[k]).margin(1e-12));
}

TEST_CASE("PCA of more points than dimensions agrees with PCA of fewer (either Gram matrix)", "[ops][plot]") {
  const PointRows rows = two_clusters(30);  // 60 points in 20-D: the dimensions' Gram matrix
  PointRows padded = rows;                  // the same points in 100-D: the rows' Gram matrix
  for (auto& row : padded) row.resize(100, 0.0);
  const Projection by_dimensions = pca(rows);
  const Projection by_rows = pca(padded);
  REQUIRE(by_rows.x.size() == 60);
  for (size_t k = 0; k < rows.size(); ++k) {
    CHECK(by_rows.x[k] == Approx(by_dimensions.x[k]).margin(1e-9));
    CHECK(by_rows.y[k] == Approx(by_dimensions.y[k]).margin(1e-9));
  }
  CHECK(by_rows.explained_variance[0] == Approx(by_dimensions.explained_variance[0]));
  // The clusters part along the first axis.
  for (int i = 0; i < 30; ++i) CHECK((by_rows.x[i] > 0) != (by_rows.x[30 + i] > 0));
  CHECK(by_rows.explained_variance[0] > 0.9);
}

TEST_CASE("projections refuse too few points, ragged rows and bad perplexities", "[ops][plot]") {
  CHECK_THROWS_AS(pca({{1.0, 2.0}}), Error);
  CHECK_THROWS_AS(pca({{1.0, 2.0}, {1.0}}), Error);
  CHECK_THROWS_AS(tsne(two_clusters(3), {.perplexity = 6}), Error);  // not below 6 points
  CHECK_THROWS_AS(tsne(two_clusters(3), {.perplexity = 0}), Error);
  CHECK_NOTHROW(tsne(two_clusters(3), {.perplexity = 2, .iterations = 10}));
}

TEST_CASE("exact t-SNE keeps clusters apart, and is deterministic", "[ops][plot]") {
  const PointRows rows = two_clusters(15);
  const Projection a = tsne(rows, {.perplexity = 5});
  const Projection b = tsne(rows, {.perplexity = 5});
  CHECK(a.x == b.x);
  CHECK(a.y == b.y);
  CHECK(a.explained_variance.empty());
  // Every point is nearer the centre of its own cluster than that of the other.
  double cx[2] = {0, 0}, cy[2] = {0, 0};
  for (int i = 0; i < 30; ++i) cx[i / 15] += a.x[i] / 15, cy[i / 15] += a.y[i] / 15;
  for (int i = 0; i < 30; ++i) {
    const int own = i / 15, other = 1 - own;
    CHECK(std::hypot(a.x[i] - cx[own], a.y[i] - cy[own]) < std::hypot(a.x[i] - cx[other], a.y[i] - cy[other]));
  }
}
