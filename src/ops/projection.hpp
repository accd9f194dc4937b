// Two-dimensional projections of a few rows, for plots: PCA (exact, deterministic) and the
// exact t-SNE of van der Maaten & Hinton (2008), as sklearn's TSNE(method='exact') runs it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace embtool::ops {

// Rows of equal length, float64 for the arithmetic.
using PointRows = std::vector<std::vector<double>>;

struct Projection {
  std::vector<double> x, y;                 // one per row, in the rows' order
  std::vector<double> explained_variance;  // PCA: the share of variance of each axis; t-SNE: empty
};

// At most this many points for PCA, and for exact t-SNE, which holds a few N x N matrices of
// doubles (5,000 points: 200 MB each) and takes O(N^2) a step for 1,000 steps.
inline constexpr size_t kMaxProjectionPoints = 10'000;
inline constexpr size_t kMaxTsnePoints = 5'000;

// The first two principal components of the centred rows. Each axis's sign is fixed as
// sklearn's PCA fixes it (svd_flip on U): the point furthest along the axis is positive. Fewer
// than two rows, or rows of different lengths, are refused.
Projection pca(const PointRows& rows);

struct TsneOptions {
  double perplexity = 30;
  uint64_t seed = 0;
  int iterations = 1000;
};

// Exact t-SNE: perplexity calibrated by binary search on squared euclidean distances, P
// symmetrized, early exaggeration 12 for 250 iterations, momentum 0.5 then 0.8, gains,
// learning rate max(N / 12 / 4, 50), started from the PCA scaled to standard deviation 1e-4.
// A perplexity not below the number of points is refused (sklearn's rule). The PCA start
// makes it deterministic; the seed only breaks exact ties in the start (identical rows).
Projection tsne(const PointRows& rows, const TsneOptions& options);

}  // namespace embtool::ops
