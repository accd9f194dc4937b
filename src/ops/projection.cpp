#include "ops/projection.hpp"

#include <fmt/format.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include "base/error.hpp"

namespace embtool::ops {
namespace {

using Eigen::MatrixXd;

void check_rows(const PointRows& rows, size_t at_least, std::string_view method) {
  if (rows.size() < at_least) {
    throw Error(ErrorKind::invalid_argument,
                fmt::format("{} needs at least {} points; {} given", method, at_least, rows.size()));
  }
  if (rows.size() > kMaxProjectionPoints) {
    throw Error(ErrorKind::invalid_argument, fmt::format("{} takes at most {} points; {} given", method,
                                                         kMaxProjectionPoints, rows.size()));
  }
  for (const auto& row : rows) {
    if (row.size() != rows.front().size() || row.empty()) {
      throw Error(ErrorKind::invalid_argument, "the points to project must all have the same, non-zero dimension");
    }
  }
}

MatrixXd matrix_of(const PointRows& rows) {
  MatrixXd m(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(rows.front().size()));
  for (size_t i = 0; i < rows.size(); ++i) {
    for (size_t j = 0; j < rows[i].size(); ++j) m(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = rows[i][j];
  }
  return m;
}

// The centred rows' coordinates on their first two principal axes (n x 2) and the share of
// the variance each explains. The axes are the top eigenvectors of the smaller of the two
// Gram matrices (rows x rows, or dimensions x dimensions): the SVD of the centred rows that
// sklearn's PCA computes, at a fraction of an SVD's cost for a handful of rows of many values.
std::pair<MatrixXd, std::vector<double>> principal_components(const MatrixXd& data) {
  const MatrixXd centred = data.rowwise() - data.colwise().mean();
  const bool by_rows = centred.rows() <= centred.cols();
  const MatrixXd gram = by_rows ? MatrixXd(centred * centred.transpose()) : MatrixXd(centred.transpose() * centred);
  const Eigen::SelfAdjointEigenSolver<MatrixXd> solver(gram);
  if (solver.info() != Eigen::Success) throw Error(ErrorKind::internal, "the PCA's eigendecomposition did not converge");
  const Eigen::VectorXd& eigenvalues = solver.eigenvalues();  // ascending
  const double total = std::max(eigenvalues.sum(), 0.0);
  const Eigen::Index count = eigenvalues.size();
  MatrixXd scores = MatrixXd::Zero(data.rows(), 2);
  std::vector<double> shares(2, 0.0);
  for (Eigen::Index axis = 0; axis < std::min<Eigen::Index>(2, count); ++axis) {
    const Eigen::Index at = count - 1 - axis;
    const double variance = std::max(eigenvalues(at), 0.0);
    // By rows, the eigenvector is U's column and the scores are U * s; else V's, and C * v.
    Eigen::VectorXd score = by_rows ? Eigen::VectorXd(solver.eigenvectors().col(at) * std::sqrt(variance))
                                    : Eigen::VectorXd(centred * solver.eigenvectors().col(at));
    Eigen::Index furthest = 0;
    score.cwiseAbs().maxCoeff(&furthest);
    // sklearn's svd_flip (u_based_decision): the point furthest along the axis is positive.
    scores.col(axis) = score(furthest) < 0 ? Eigen::VectorXd(-score) : score;
    shares[static_cast<size_t>(axis)] = total > 0 ? variance / total : 0.0;
  }
  return {scores, shares};
}

MatrixXd squared_distances(const MatrixXd& y) {
  const Eigen::VectorXd norms = y.rowwise().squaredNorm();
  MatrixXd d = (-2.0 * y * y.transpose()).colwise() + norms;
  d.rowwise() += norms.transpose();
  return d.cwiseMax(0.0);
}

// sklearn's _binary_search_perplexity: for each row, the precision beta whose conditional
// distribution has entropy log(perplexity) (natural log), to 1e-5, at most 100 steps.
MatrixXd conditional_probabilities(const MatrixXd& distances, double perplexity) {
  const Eigen::Index n = distances.rows();
  const double desired_entropy = std::log(perplexity);
  MatrixXd p = MatrixXd::Zero(n, n);
  for (Eigen::Index i = 0; i < n; ++i) {
    double beta = 1.0, beta_min = -std::numeric_limits<double>::infinity(),
           beta_max = std::numeric_limits<double>::infinity();
    for (int step = 0; step < 100; ++step) {
      double sum = 0;
      for (Eigen::Index j = 0; j < n; ++j) {
        p(i, j) = j == i ? 0.0 : std::exp(-distances(i, j) * beta);
        sum += p(i, j);
      }
      if (sum == 0) sum = 1e-8;
      double sum_dp = 0;
      for (Eigen::Index j = 0; j < n; ++j) {
        p(i, j) /= sum;
        sum_dp += distances(i, j) * p(i, j);
      }
      const double entropy = std::log(sum) + beta * sum_dp;
      const double difference = entropy - desired_entropy;
      if (std::abs(difference) <= 1e-5) break;
      if (difference > 0) {
        beta_min = beta;
        beta = std::isinf(beta_max) ? beta * 2 : (beta + beta_max) / 2;
      } else {
        beta_max = beta;
        beta = std::isinf(beta_min) ? beta / 2 : (beta + beta_min) / 2;
      }
    }
  }
  return p;
}

// The joint probabilities: P symmetrized and normalized, floored at machine epsilon.
MatrixXd joint_probabilities(const MatrixXd& data, double perplexity) {
  const MatrixXd conditional = conditional_probabilities(squared_distances(data), perplexity);
  MatrixXd p = conditional + conditional.transpose();
  p /= std::max(p.sum(), std::numeric_limits<double>::epsilon());
  return p.cwiseMax(std::numeric_limits<double>::epsilon());
}

constexpr double kEpsilon = std::numeric_limits<double>::epsilon();

struct Objective {
  MatrixXd gradient;
  MatrixXd q;        // the unnormalized Student-t kernel 1 / (1 + |yi - yj|^2), reused
  double error = 0;  // KL(P || Q), when asked for
};

// The gradient of KL(P || Q) with Student-t Q (one degree of freedom), and the divergence
// itself when `with_error`, as sklearn's _kl_divergence computes them. Two passes over the
// pairs i < j with no temporary matrices: a step of 1,000 points is a million pairs.
void kl_divergence(const MatrixXd& p, const MatrixXd& y, bool with_error, Objective& out) {
  const Eigen::Index n = y.rows();
  out.q.resize(n, n);
  out.gradient.setZero(n, 2);
  double q_sum = 0;
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index j = i + 1; j < n; ++j) {
      const double dx = y(i, 0) - y(j, 0), dy = y(i, 1) - y(j, 1);
      const double q = 1.0 / (1.0 + dx * dx + dy * dy);
      out.q(j, i) = q;  // the lower triangle: column-major, so j runs along memory
      q_sum += 2 * q;
    }
  }
  q_sum = std::max(q_sum, kEpsilon);
  out.error = 0;
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index j = i + 1; j < n; ++j) {
      const double q = out.q(j, i), q_normal = std::max(q / q_sum, kEpsilon), pij = p(j, i);
      const double weight = 4.0 * (pij - q_normal) * q;
      const double gx = weight * (y(i, 0) - y(j, 0)), gy = weight * (y(i, 1) - y(j, 1));
      out.gradient(i, 0) += gx, out.gradient(i, 1) += gy;
      out.gradient(j, 0) -= gx, out.gradient(j, 1) -= gy;
      if (with_error) out.error += 2 * pij * std::log(std::max(pij, kEpsilon) / q_normal);
    }
  }
}

struct Descent {
  int first = 0, end = 0;             // iterations [first, end)
  double momentum = 0.5;
  int without_progress = 300;         // stop when the error has not fallen for this many
  double learning_rate = 200;
};

// sklearn's _gradient_descent: gains up by 0.2 where the step changes direction, down by 0.8
// otherwise, at least 0.01; every 50 iterations, a stop when the error has not improved for
// `without_progress` iterations or the gradient's norm is at most 1e-7. Each phase starts
// with no momentum and unit gains, as each of sklearn's calls does. Returns the last iteration.
int descend(const MatrixXd& p, MatrixXd& y, const Descent& d) {
  constexpr int kCheckEvery = 50;
  constexpr double kMinGradientNorm = 1e-7;
  MatrixXd update = MatrixXd::Zero(y.rows(), 2);
  MatrixXd gains = MatrixXd::Ones(y.rows(), 2);
  double best_error = std::numeric_limits<double>::max();
  int best_iteration = d.first, it = d.first;
  Objective objective;
  for (; it < d.end; ++it) {
    const bool check = (it + 1) % kCheckEvery == 0;
    kl_divergence(p, y, check, objective);
    const MatrixXd& gradient = objective.gradient;
    const double gradient_norm = gradient.norm();
    for (Eigen::Index i = 0; i < y.rows(); ++i) {
      for (Eigen::Index j = 0; j < 2; ++j) {
        const bool direction_changes = update(i, j) * gradient(i, j) < 0.0;
        gains(i, j) = std::max(direction_changes ? gains(i, j) + 0.2 : gains(i, j) * 0.8, 0.01);
        update(i, j) = d.momentum * update(i, j) - d.learning_rate * gains(i, j) * gradient(i, j);
      }
    }
    y += update;
    if (!check) continue;
    if (objective.error < best_error) {
      best_error = objective.error;
      best_iteration = it;
    } else if (it - best_iteration > d.without_progress) {
      break;
    }
    if (gradient_norm <= kMinGradientNorm) break;
  }
  return std::min(it, d.end - 1);
}

}  // namespace

Projection pca(const PointRows& rows) {
  check_rows(rows, 2, "PCA");
  const auto [scores, shares] = principal_components(matrix_of(rows));
  Projection out;
  for (Eigen::Index i = 0; i < scores.rows(); ++i) {
    out.x.push_back(scores(i, 0));
    out.y.push_back(scores(i, 1));
  }
  out.explained_variance = shares;
  return out;
}

Projection tsne(const PointRows& rows, const TsneOptions& options) {
  check_rows(rows, 2, "t-SNE");
  if (rows.size() > kMaxTsnePoints) {
    throw Error(ErrorKind::invalid_argument, fmt::format("t-SNE takes at most {} points; {} given (PCA takes up to {})",
                                                         kMaxTsnePoints, rows.size(), kMaxProjectionPoints));
  }
  if (!(options.perplexity > 0) || options.perplexity >= static_cast<double>(rows.size())) {
    throw Error(ErrorKind::invalid_argument,
                fmt::format("the perplexity must be above 0 and below the number of points ({}); {} given",
                            rows.size(), options.perplexity));
  }
  constexpr double kEarlyExaggeration = 12.0;
  constexpr int kExplorationIterations = 250;
  const MatrixXd data = matrix_of(rows);
  MatrixXd p = joint_probabilities(data, options.perplexity);

  // sklearn's init='pca': the PCA scores scaled so that the first axis has std 1e-4. Identical
  // rows would start on one spot: a seeded jitter far below that scale parts them.
  MatrixXd y = principal_components(data).first;
  const double first_std = std::sqrt((y.col(0).array() - y.col(0).mean()).square().mean());
  y *= first_std > 0 ? 1e-4 / first_std : 0.0;
  std::mt19937_64 random(options.seed);
  std::normal_distribution<double> jitter(0.0, 1e-10);
  for (Eigen::Index i = 0; i < y.rows(); ++i) y.row(i) += Eigen::RowVector2d(jitter(random), jitter(random));

  const double n = static_cast<double>(rows.size());
  const double learning_rate = std::max(n / kEarlyExaggeration / 4.0, 50.0);
  p *= kEarlyExaggeration;
  const int explored = descend(p, y, {.first = 0, .end = std::min(kExplorationIterations, options.iterations),
                                      .momentum = 0.5, .without_progress = kExplorationIterations,
                                      .learning_rate = learning_rate});
  p /= kEarlyExaggeration;
  if (options.iterations > kExplorationIterations) {
    descend(p, y, {.first = explored + 1, .end = options.iterations, .momentum = 0.8, .without_progress = 300,
                   .learning_rate = learning_rate});
  }

  Projection out;
  for (Eigen::Index i = 0; i < y.rows(); ++i) {
    out.x.push_back(y(i, 0));
    out.y.push_back(y(i, 1));
  }
  return out;
}

}  // namespace embtool::ops
