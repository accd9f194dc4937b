#include "app/plot.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "app/queries.hpp"
#include "base/error.hpp"
#include "ops/projection.hpp"

namespace embtool::app {
namespace {

// The points gathered so far: each row once (its first group wins), in the order given.
class PointList {
 public:
  explicit PointList(const Session& session) : session_(session) {}

  size_t add(uint32_t row, const std::string& group) {
    const auto it = std::find(rows_.begin(), rows_.end(), row);
    if (it != rows_.end()) return static_cast<size_t>(it - rows_.begin());
    rows_.push_back(row);
    points_.push_back({row_ref(session_, row), group, 0, 0});
    return rows_.size() - 1;
  }
  size_t add(const Term& term, const std::string& group) { return add(resolve(session_, term), group); }

  const std::vector<uint32_t>& rows() const { return rows_; }
  std::vector<PlotPoint>& points() { return points_; }

 private:
  const Session& session_;
  std::vector<uint32_t> rows_;
  std::vector<PlotPoint> points_;
};

void check_sizes(const PlotRequest& r) {
  size_t asked = r.words.size() + r.analogy.size() + 1 + (r.neighbors_of ? r.k + 1 : 0);
  for (const auto& group : r.groups) asked += group.size();
  if (r.neighbors_of && r.k > ops::kMaxProjectionPoints) asked = r.k;  // no overflow past the bound
  if (asked > ops::kMaxProjectionPoints + 1) {
    throw Error(ErrorKind::invalid_argument,
                fmt::format("a plot shows at most {} points", ops::kMaxProjectionPoints));
  }
  if (!r.analogy.empty() && r.analogy.size() != 3) {
    throw Error(ErrorKind::invalid_argument, "an analogy to plot takes three words, A B C (A + B - C)");
  }
  if (r.method != "pca" && r.method != "tsne") {
    throw Error(ErrorKind::invalid_argument, fmt::format("'{}' is not a projection: use pca or tsne", r.method));
  }
}

// analogy A B C finds D = A + B - C (king woman man -> queen): the offsets C->B and A->D
// (man->woman, king->queen) are the same one when the analogy holds.
void add_analogy(const Session& s, const PlotRequest& r, PointList& points, std::vector<PlotArrow>& arrows) {
  const AnalogyAnswer found = analogy(s, r.analogy[0], r.analogy[1], r.analogy[2], AnalogyMethod::add, 1);
  const size_t a = points.add(r.analogy[0], "analogy");
  const size_t b = points.add(r.analogy[1], "analogy");
  const size_t c = points.add(r.analogy[2], "analogy");
  arrows.push_back({c, b});
  if (!found.results.empty()) arrows.push_back({a, points.add(found.results.front().id, "analogy")});
}

void add_neighbors(const Session& s, const PlotRequest& r, PointList& points) {
  const NeighborsAnswer found = neighbors(s, {*r.neighbors_of}, r.k);
  const NeighborsQuery& query = found.queries.front();
  if (query.row) points.add(query.row->id, "query");
  for (const ScoredWord& w : query.results) points.add(w.id, "neighbors");
}

std::string model_name(const Session& s) {
  return std::filesystem::path(s.embeddings().source().path).filename().string();
}

ops::Projection project(const Session& s, const PlotRequest& r, const std::vector<uint32_t>& rows) {
  ops::PointRows values;
  values.reserve(rows.size());
  for (const uint32_t row : rows) {
    const std::vector<float> v = s.embeddings().row_values(row);
    values.emplace_back(v.begin(), v.end());
  }
  if (r.method == "pca") return ops::pca(values);
  const double automatic = std::min(30.0, static_cast<double>(rows.size() - 1) / 3.0);
  return ops::tsne(values, {.perplexity = r.perplexity > 0 ? r.perplexity : automatic, .seed = r.seed});
}

}  // namespace

PlotAnswer plot(const Session& s, const PlotRequest& r) {
  check_sizes(r);
  require_vectors(s);
  PointList points(s);
  PlotAnswer answer;
  for (const Term& term : r.words) points.add(term, "words");
  for (size_t g = 0; g < r.groups.size(); ++g) {
    for (const Term& term : r.groups[g]) points.add(term, fmt::format("group {}", g + 1));
  }
  if (r.neighbors_of) add_neighbors(s, r, points);
  if (!r.analogy.empty()) add_analogy(s, r, points, answer.arrows);
  if (points.rows().empty()) throw Error(ErrorKind::invalid_argument, "nothing to plot: give words, --neighbors, --analogy or --group");

  const ops::Projection projected = project(s, r, points.rows());
  answer.points = std::move(points.points());
  for (size_t i = 0; i < answer.points.size(); ++i) {
    answer.points[i].x = projected.x[i];
    answer.points[i].y = projected.y[i];
  }
  answer.method = r.method;
  answer.model = model_name(s);
  answer.explained_variance = projected.explained_variance;
  const bool tokens = !answer.points.empty() && answer.points.front().row.token.has_value();
  answer.title = fmt::format("{}: {} of {} {}", answer.model, r.method == "pca" ? "PCA" : "t-SNE",
                             answer.points.size(), tokens ? "tokens" : "words");
  answer.image_path = r.image_path;
  return answer;
}

}  // namespace embtool::app
