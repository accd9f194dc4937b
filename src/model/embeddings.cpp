#include "model/embeddings.hpp"

#include <algorithm>
#include <exception>
#include <fmt/format.h>
#include <cstring>
#include <mutex>
#include <cmath>
#include <utility>

#include "base/error.hpp"
#include "base/thread_pool.hpp"
#include "kernels/simd.hpp"

namespace embtool {

const SourceFact* SourceInfo::fact(std::string_view name) const {
  for (const SourceFact& f : facts) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

int64_t SourceInfo::number(std::string_view name) const {
  const SourceFact* f = fact(name);
  if (f == nullptr) return 0;
  if (const auto* n = std::get_if<int64_t>(&f->value)) return *n;
  if (const auto* b = std::get_if<bool>(&f->value)) return *b ? 1 : 0;
  return 0;
}

std::string SourceInfo::text(std::string_view name) const {
  const SourceFact* f = fact(name);
  if (f == nullptr) return {};
  if (const auto* t = std::get_if<std::string>(&f->value)) return *t;
  return {};
}

Embeddings::Embeddings(Vocabulary vocabulary, std::vector<float> matrix, size_t dim,
                       SourceInfo source, uint64_t nonfinite_values)
    : vocabulary_(std::move(vocabulary)),
      dim_(dim),
      source_(std::move(source)),
      nonfinite_values_(nonfinite_values) {
  if (matrix.size() != vocabulary_.size() * dim_) {
    throw Error(ErrorKind::internal, "internal error: matrix size does not match vocabulary x dim");
  }
  rows_ = dim_ == 0 ? Matrix::view(Dtype::f32, rows(), 0, nullptr, 0, nullptr)
                    : Matrix::from_f32(std::move(matrix), dim_);
  compute_norms();
}

Embeddings::Embeddings(Vocabulary vocabulary, Matrix matrix, SourceInfo source,
                       std::span<const float> norms, std::vector<Matrix> reduced,
                       uint64_t nonfinite_values)
    : vocabulary_(std::move(vocabulary)),
      dim_(matrix.dim()),
      source_(std::move(source)),
      rows_(std::move(matrix)),
      reduced_(std::move(reduced)),
      nonfinite_values_(nonfinite_values) {
  if (rows_.rows() < vocabulary_.size()) {
    throw Error(ErrorKind::internal, "internal error: fewer rows than words");
  }
  if (rows_.dtype() == Dtype::i8) {
    throw Error(ErrorKind::internal, "internal error: int8 rows are only a reduced copy");
  }
  for (const Matrix& copy : reduced_) {
    if (rows_.dtype() != Dtype::f32 || copy.dim() != dim_ || copy.rows() < vocabulary_.size()) {
      throw Error(ErrorKind::internal, "internal error: a reduced copy that does not match the rows");
    }
  }
  if (norms.empty() && rows() > 0) {
    compute_norms();
  } else {
    if (norms.size() != rows()) throw Error(ErrorKind::internal, "internal error: norms size");
    norms_ = norms;
  }
}

struct Embeddings::DeferredStats {
  RowStatsPass pass;
  std::once_flag once;
  RowStats stats;
};

Embeddings::Embeddings(Vocabulary vocabulary, Matrix matrix, SourceInfo source, RowStatsPass pass)
    : vocabulary_(std::move(vocabulary)),
      dim_(matrix.dim()),
      source_(std::move(source)),
      rows_(std::move(matrix)),
      deferred_(std::make_shared<DeferredStats>()) {
  if (rows_.rows() < vocabulary_.size() || rows_.dtype() == Dtype::i8 || !pass) {
    throw Error(ErrorKind::internal, "internal error: deferred row stats for a matrix that does not fit");
  }
  deferred_->pass = std::move(pass);
}

// The pass runs once, whichever thread asks first (others wait for it); one that throws
// leaves the stats unset, so the next call throws the same error again.
const RowStats& Embeddings::stats() const {
  std::call_once(deferred_->once, [this] {
    RowStats stats = deferred_->pass(rows_);
    if (stats.norms.size() != rows()) throw Error(ErrorKind::internal, "internal error: norms size");
    deferred_->stats = std::move(stats);
  });
  return deferred_->stats;
}

const Matrix* Embeddings::reduced(Dtype dtype) const {
  for (const Matrix& copy : reduced_) {
    if (copy.dtype() == dtype) return &copy;
  }
  return nullptr;
}

// Every row's norm, the rows split among the cores: on a large file this is a full pass
// over memory that would otherwise run on one core.
void Embeddings::compute_norms() {
  owned_norms_.resize(rows());
  auto norms_of = [this](size_t begin, size_t end) {
    std::vector<float> scratch(rows_.dtype() == Dtype::f32 ? 0 : dim_);
    for (size_t r = begin; r < end; ++r) owned_norms_[r] = rows_.norm(r, scratch);
  };
  constexpr size_t kMinRowsPerTask = 65536;
  parallel_for(rows(), 0, Split{kMinRowsPerTask, 1},
               [&](const Task& task) { norms_of(task.begin, task.end); });
  norms_ = owned_norms_;
}

struct Embeddings::LazyTokenizer {
  TokenizerBuilder build;
  std::once_flag once;
  std::shared_ptr<const tokenize::Tokenizer> tokenizer;
  std::exception_ptr failure;
};

void Embeddings::set_tokenizer(TokenizerBuilder build) {
  tokenizer_ = std::make_shared<LazyTokenizer>();
  tokenizer_->build = std::move(build);
}

const tokenize::Tokenizer& Embeddings::tokenizer() const {
  if (!tokenizer_) {
    throw Error(ErrorKind::not_found,
                fmt::format("{} has no tokenizer (name one with --tokenizer FILE: a tokenizer.json, "
                            "vocab.json with merges.txt, vocab.txt, a tiktoken file or a GGUF)", source_.path));
  }
  LazyTokenizer& lazy = *tokenizer_;
  std::call_once(lazy.once, [&] {
    try {
      lazy.tokenizer = lazy.build();
    } catch (...) {
      lazy.failure = std::current_exception();
    }
  });
  if (lazy.failure) std::rethrow_exception(lazy.failure);
  return *lazy.tokenizer;
}

void Embeddings::set_tokens(Tokens tokens) {
  if (tokens.size() != rows()) {
    throw Error(ErrorKind::internal, "internal error: token kinds for " + std::to_string(tokens.size()) +
                                         " rows given to a matrix of " + std::to_string(rows()));
  }
  tokens.index_texts(vocabulary_);
  tokens_ = std::make_shared<const Tokens>(std::move(tokens));
}

}  // namespace embtool
