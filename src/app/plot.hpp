// plot: the rows a plot shows, grouped, projected to two dimensions (ops/projection.hpp).
// The answer holds coordinates only; the front ends draw the image (render/plot_image.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "app/answers.hpp"
#include "app/session.hpp"
#include "app/term.hpp"

namespace embtool::app {

struct PlotRequest {
  std::vector<Term> words;                    // drawn in the group "words"
  std::vector<std::vector<Term>> groups;      // --group: "group 1", "group 2", ...
  std::optional<Term> neighbors_of;           // "query" and its k "neighbors"
  size_t k = 10;
  std::vector<Term> analogy;                  // A B C: A, B, C and D (3CosAdd) in "analogy"
  std::string method = "pca";                 // "pca" or "tsne"
  double perplexity = 0;                      // 0: min(30, (points - 1) / 3)
  uint64_t seed = 0;
  std::optional<std::string> image_path;
};

PlotAnswer plot(const Session& session, const PlotRequest& request);

}  // namespace embtool::app
