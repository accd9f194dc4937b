// Helpers shared by the tests of src/ops: textbook answers in double precision.
#pragma once

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "fixtures.hpp"
#include "formats/formats.hpp"
#include "search/search.hpp"

namespace embtool::testing {

inline Embeddings load_words(const std::vector<WordVector>& words, const std::string& name) {
  return load(write_file(name, word2vec_binary(words)));
}

inline double exact_cosine(const std::vector<float>& a, const std::vector<float>& b) {
  double ab = 0, aa = 0, bb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    ab += double{a[i]} * b[i];
    aa += double{a[i]} * a[i];
    bb += double{b[i]} * b[i];
  }
  return ab / std::sqrt(aa * bb);
}

inline std::vector<double> unit(const std::vector<float>& v) {
  double n = 0;
  for (float x : v) n += double{x} * x;
  std::vector<double> u;
  for (float x : v) u.push_back(x / std::sqrt(n));
  return u;
}

// The textbook answer, in double precision: rank rows by `score`, skip `excluded`.
inline std::vector<uint32_t> ranking(size_t rows, const std::function<double(uint32_t)>& score,
                              const std::vector<uint32_t>& excluded, size_t k) {
  std::vector<uint32_t> order;
  for (uint32_t r = 0; r < rows; ++r) {
    if (std::find(excluded.begin(), excluded.end(), r) == excluded.end()) order.push_back(r);
  }
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return score(a) > score(b); });
  order.resize(std::min(k, order.size()));
  return order;
}

inline std::vector<uint32_t> rows_of(const std::vector<Neighbor>& found) {
  std::vector<uint32_t> rows;
  for (const auto& n : found) rows.push_back(n.row);
  return rows;
}

}  // namespace embtool::testing
