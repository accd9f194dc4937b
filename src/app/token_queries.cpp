#include "app/token_queries.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>

#include "app/queries.hpp"
#include "base/error.hpp"
#include "search/search.hpp"

namespace embtool::app {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

TokenKind kind_of(const tokenize::Tokenizer& tokenizer, int32_t id) {
  const auto& kinds = tokenizer.vocab().kinds;
  return static_cast<size_t>(id) < kinds.size() ? kinds[static_cast<size_t>(id)]
                                                : TokenKind::normal;
}

TokenText token_text_of(const tokenize::Tokenizer& tokenizer, int32_t id) {
  const TokenKind kind = kind_of(tokenizer, id);
  return {tokenizer.token_text(id), std::string(token_kind_name(kind)), is_special(kind)};
}

std::vector<TokenPiece> pieces_of(const tokenize::Tokenizer& tokenizer,
                                  const std::vector<tokenize::Piece>& pieces) {
  std::vector<TokenPiece> out;
  out.reserve(pieces.size());
  for (const tokenize::Piece& p : pieces) {
    out.push_back({p.id, tokenizer.vocab().tokens.at(static_cast<size_t>(p.id)),
                   token_text_of(tokenizer, p.id), p.begin, p.end});
  }
  return out;
}

// Each token's row, or an error naming the first token the matrix has no row for (a
// tokenizer named apart from the weights may have more tokens than the matrix rows).
std::vector<RowRef> token_rows(const Session& s, const std::vector<TokenPiece>& tokens) {
  const size_t rows = s.embeddings().rows();
  std::vector<RowRef> refs;
  for (const TokenPiece& t : tokens) {
    if (static_cast<size_t>(t.id) >= rows) {
      throw Error(ErrorKind::not_found,
                  fmt::format("token {} ('{}') has no row: the matrix has rows 0 to {}", t.id,
                              t.token, rows - 1));
    }
    refs.push_back(row_ref(s, static_cast<uint32_t>(t.id)));
  }
  return refs;
}

std::string_view pool_name(Pool pool) {
  switch (pool) {
    case Pool::mean: return "mean";
    case Pool::sum: return "sum";
    case Pool::first: return "first";
    case Pool::last: return "last";
    case Pool::none: break;
  }
  return "";
}

std::vector<float> pooled(const std::vector<std::vector<float>>& vectors, Pool pool, size_t dim) {
  if (vectors.empty()) {
    throw Error(
        ErrorKind::invalid_argument,
        fmt::format("--pool {} needs at least one token, and the text has none", pool_name(pool)));
  }
  if (pool == Pool::first) return vectors.front();
  if (pool == Pool::last) return vectors.back();
  std::vector<double> sums(dim, 0.0);
  for (const auto& v : vectors) {
    for (size_t j = 0; j < dim; ++j) sums[j] += v[j];
  }
  const double divisor = pool == Pool::mean ? static_cast<double>(vectors.size()) : 1.0;
  std::vector<float> out(dim);
  for (size_t j = 0; j < dim; ++j) out[j] = static_cast<float>(sums[j] / divisor);
  return out;
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

OneHotCheck check_one_hot(const Embeddings& e, const std::vector<TokenPiece>& tokens,
                          const std::vector<std::vector<float>>& looked_up, double lookup_ms) {
  std::vector<int32_t> ids;
  for (const TokenPiece& t : tokens) ids.push_back(t.id);
  const auto start = Clock::now();
  const auto products = one_hot_products(e.matrix(), ids);
  OneHotCheck check;
  check.product_ms = ms_since(start);
  check.lookup_ms = lookup_ms;
  check.rows_compared = static_cast<int64_t>(ids.size());
  check.matrix_rows = static_cast<int64_t>(e.rows());
  for (size_t i = 0; i < ids.size(); ++i) {
    check.equal_bits += same_bits(products[i], looked_up[i]) ? 1 : 0;
    check.equal_values += products[i] == looked_up[i] ? 1 : 0;
  }
  return check;
}

}  // namespace

TokenizeAnswer tokenize_text(const Session& s, std::string text,
                             const tokenize::EncodeOptions& options, bool ids_only) {
  const tokenize::Tokenizer& tokenizer = s.tokenizer();
  std::vector<TokenPiece> tokens = pieces_of(tokenizer, tokenizer.encode(text, options));
  return {std::move(text), std::move(tokens), ids_only};
}

DetokenizeAnswer detokenize_ids(const Session& s, std::vector<int32_t> ids, bool skip_special) {
  const tokenize::Tokenizer& tokenizer = s.tokenizer();
  for (const int32_t id : ids) {
    if (id < 0 || static_cast<size_t>(id) >= tokenizer.size()) {
      throw Error(ErrorKind::not_found,
                  fmt::format("token id {} does not exist: the tokenizer has ids 0 to {}", id,
                              tokenizer.size() - 1));
    }
  }
  std::string text = tokenizer.decode(ids, {.special = !skip_special});
  return {std::move(ids), std::move(text)};
}

std::vector<std::vector<float>> one_hot_products(const Matrix& matrix,
                                                 const std::vector<int32_t>& ids) {
  const size_t dim = matrix.dim();
  std::vector<std::vector<float>> sums(ids.size(), std::vector<float>(dim, 0.0f));
  std::vector<float> row(dim);
  for (size_t r = 0; r < matrix.rows(); ++r) {
    matrix.decode_row(r, row);
    for (size_t t = 0; t < ids.size(); ++t) {
      // Every product is exact (0 * x or 1 * x), so a fused multiply-add rounds the same.
      const float weight = static_cast<size_t>(ids[t]) == r ? 1.0f : 0.0f;
      float* out = sums[t].data();
      for (size_t j = 0; j < dim; ++j) out[j] += weight * row[j];
    }
  }
  return sums;
}

EmbedAnswer embed_text(const Session& s, std::string text, const EmbedOptions& options) {
  require_vectors(s);
  const Embeddings& e = s.embeddings();
  const tokenize::Tokenizer& tokenizer = s.tokenizer();
  EmbedAnswer answer;
  answer.tokens = pieces_of(tokenizer, tokenizer.encode(text, options.encode));
  answer.text = std::move(text);
  answer.rows = token_rows(s, answer.tokens);
  const auto start = Clock::now();
  std::vector<std::vector<float>> vectors;
  vectors.reserve(answer.rows.size());
  for (const RowRef& row : answer.rows) vectors.push_back(e.row_values(row.id));
  const double lookup_ms = ms_since(start);
  if (options.check_one_hot) answer.check = check_one_hot(e, answer.tokens, vectors, lookup_ms);
  if (options.pool == Pool::none) {
    answer.vectors = std::move(vectors);
  } else {
    answer.pool = pool_name(options.pool);
    answer.pooled = pooled(vectors, options.pool, e.dim());
  }
  return answer;
}

namespace {

float median_of(std::span<const float> values) {
  std::vector<float> sorted(values.begin(), values.end());
  const size_t middle = sorted.size() / 2;
  std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(middle),
                   sorted.end());
  const float upper = sorted[middle];
  if (sorted.size() % 2 == 1) return upper;
  const float lower =
      *std::max_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(middle));
  return static_cast<float>((static_cast<double>(lower) + upper) / 2);
}

std::vector<LowNormRow> lowest_norms(const Session& s, std::span<const float> norms, float median,
                                     size_t k) {
  std::vector<uint32_t> rows(norms.size());
  std::iota(rows.begin(), rows.end(), 0u);
  const size_t count = std::min(k, rows.size());
  std::partial_sort(
      rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(count), rows.end(),
      [&](uint32_t a, uint32_t b) { return norms[a] != norms[b] ? norms[a] < norms[b] : a < b; });
  std::vector<LowNormRow> out;
  for (size_t i = 0; i < count; ++i) {
    const float norm = norms[rows[i]];
    const float ratio = median > 0 ? norm / median : std::numeric_limits<float>::quiet_NaN();
    out.push_back({row_ref(s, rows[i]), norm, ratio});
  }
  return out;
}

// The mean of every row, in double, rounded to float32 and scaled to length 1; empty when it
// is the zero vector.
std::vector<float> unit_mean_row(const Embeddings& e) {
  std::vector<double> sums(e.dim(), 0.0);
  std::vector<float> row(e.dim());
  for (size_t r = 0; r < e.rows(); ++r) {
    e.matrix().decode_row(r, row);
    for (size_t j = 0; j < row.size(); ++j) sums[j] += row[j];
  }
  double squared = 0;
  for (double& v : sums) {
    v /= static_cast<double>(e.rows());
    squared += v * v;
  }
  if (squared == 0) return {};
  std::vector<float> unit(e.dim());
  for (size_t j = 0; j < unit.size(); ++j)
    unit[j] = static_cast<float>(sums[j] / std::sqrt(squared));
  return unit;
}

std::vector<ScoredWord> nearest_the_mean(const Session& s, size_t k) {
  const std::vector<float> unit = unit_mean_row(s.embeddings());
  if (unit.empty()) return {};
  std::vector<ScoredWord> out;
  for (const Neighbor& n : top_k_cosine(s.embeddings(), unit, k, {}, s.search())) {
    RowRef ref = row_ref(s, n.row);
    out.push_back({std::move(ref.word), n.score, n.row, std::move(ref.token)});
  }
  return out;
}

std::vector<KindCount> kind_counts(const Tokens& tokens) {
  constexpr TokenKind kOrder[] = {TokenKind::normal,   TokenKind::control, TokenKind::user_defined,
                                  TokenKind::unknown,  TokenKind::unused,  TokenKind::byte,
                                  TokenKind::undefined};
  std::vector<KindCount> out;
  for (const TokenKind kind : kOrder) {
    const auto rows = std::count(tokens.kinds().begin(), tokens.kinds().end(), kind);
    out.push_back({std::string(token_kind_name(kind)), static_cast<int64_t>(rows)});
  }
  return out;
}

}  // namespace

TokenDiagnosticsAnswer token_diagnostics(const Session& s, size_t k) {
  require_vectors(s);
  const Embeddings& e = s.embeddings();
  TokenDiagnosticsAnswer answer;
  answer.rows = static_cast<int64_t>(e.rows());
  answer.dim = static_cast<int64_t>(e.dim());
  answer.median_norm = median_of(e.norms());
  answer.low_norm = lowest_norms(s, e.norms(), answer.median_norm, k);
  const auto start = Clock::now();
  answer.near_mean = nearest_the_mean(s, k);
  s.log().info("found the rows nearest the mean row in {:.3f} ms", ms_since(start));
  if (const Tokens* tokens = e.tokens()) answer.kinds = kind_counts(*tokens);
  answer.rows_past_tokens = e.source().number("rows_past_tokens");
  answer.tied_embeddings = e.source().text("tied_embeddings");
  if (answer.tied_embeddings.empty())
    answer.tied_embeddings = "unknown: the file names no output embedding";
  return answer;
}

}  // namespace embtool::app
