#include "app/queries.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <iterator>
#include <type_traits>
#include <variant>

#include "app/info.hpp"
#include "base/error.hpp"
#include "kernels/scalar.hpp"
#include "ops/expression.hpp"
#include "ops/word_pattern.hpp"

namespace embtool::app {

// Rows used in place from a checkpoint are checked (NaN/Inf) and their norms found on this
// first need, so that a damaged matrix is refused before any answer, whatever the query.
void require_vectors(const Session& s) {
  const Embeddings& e = s.embeddings();
  if (e.dim() == 0) {
    throw Error(ErrorKind::invalid_argument,
                fmt::format("{} holds a tokenizer's {} tokens but no embedding matrix: only info, tokenize "
                            "and detokenize answer on it",
                            e.source().path, e.rows()));
  }
  (void)e.norms();
}

uint32_t resolve(const Session& s, const Term& term) {
  require_vectors(s);
  const Embeddings& e = s.embeddings();
  if (term.is_row()) {
    if (*term.id >= e.rows()) {
      throw Error(ErrorKind::not_found,
                  fmt::format("row {} does not exist: the model has rows 0 to {}", *term.id, e.rows() - 1));
    }
    return static_cast<uint32_t>(*term.id);
  }
  const ResolvedWord resolved = [&] {
    try {
      return resolve_word(e, term.word, s.case_fallback());
    } catch (const UnknownWordError& missing) {
      // A word past the --limit is in the file, perhaps: say that only a part was read.
      const uint64_t limit = s.model_options().limit;
      if (limit == 0 || e.rows() < limit) throw;
      throw UnknownWordError(missing, fmt::format("{} (only the first {} words were loaded: --limit {})",
                                                  missing.what(), limit, limit));
    }
  }();
  if (resolved.case_folded) {
    s.log().warn("'{}' is not in the vocabulary; using '{}'", term.word, e.vocabulary().word(resolved.row));
  }
  return resolved.row;
}

RowRef row_ref(const Session& s, uint32_t row) {
  const Embeddings& e = s.embeddings();
  RowRef ref{std::string(e.vocabulary().word(row)), row, std::nullopt};
  if (const Tokens* tokens = e.tokens()) {
    const TokenKind kind = tokens->kind(row);
    ref.token = TokenText{decode_token(ref.word, tokens->spelling(), kind), std::string(token_kind_name(kind)),
                          is_special(kind)};
  }
  return ref;
}

namespace {

std::string word_of(const Session& s, uint32_t row) {
  return std::string(s.embeddings().vocabulary().word(row));
}

std::vector<ScoredWord> scored_words(const Session& s, const std::vector<Neighbor>& neighbors) {
  std::vector<ScoredWord> words;
  words.reserve(neighbors.size());
  for (const Neighbor& n : neighbors) {
    RowRef ref = row_ref(s, n.row);
    words.push_back({std::move(ref.word), n.score, n.row, std::move(ref.token)});
  }
  return words;
}

// The two rows of a pair command. Cosine similarity has no meaning for a zero vector: say
// so while answering as gensim does.
std::pair<uint32_t, uint32_t> resolve_pair(const Session& s, const Term& a, const Term& b) {
  const std::pair rows{resolve(s, a), resolve(s, b)};
  for (const uint32_t row : {rows.first, rows.second}) {
    if (s.embeddings().norm(row) == 0.0f) {
      s.log().warn("the vector of '{}' is all zeros; its cosine similarity is taken as 0, as gensim does",
                   s.embeddings().vocabulary().word(row));
    }
  }
  return rows;
}

// Runs a search and logs (at -v) how long its scan took, for people and for bench/.
template <typename Search>
std::vector<Neighbor> timed_search(const Session& s, Search search) {
  const auto start = std::chrono::steady_clock::now();
  auto found = search();
  s.log().info("searched {} rows in {:.3f} ms", s.embeddings().rows(),
               std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  return found;
}

// neighbors "king - man + woman": gensim most_similar with positive and negative (weighted)
// keys, all of them excluded from the answer.
NeighborsQuery expression_query(const Session& s, const SearchOptions& options, const std::string& text, size_t k) {
  std::vector<WeightedRow> terms;
  for (const ops::ExpressionTerm& term : ops::parse_expression(text)) {
    terms.push_back({resolve(s, Term::spelled(term.word)), term.weight});
  }
  const auto found = timed_search(s, [&] { return most_similar(s.embeddings(), terms, k, options); });
  return {NeighborsQuery::Kind::expression, text, std::nullopt, static_cast<int64_t>(k), scored_words(s, found), {}};
}

NeighborsQuery word_query(const Session& s, const SearchOptions& options, const Term& term, size_t k,
                          const std::vector<Neighbor>* precomputed) {
  const uint32_t row = resolve(s, term);
  const auto found = precomputed ? *precomputed : timed_search(s, [&] {
    return embtool::neighbors(s.embeddings(), row, k, options);
  });
  return {NeighborsQuery::Kind::word, word_of(s, row), row_ref(s, row), static_cast<int64_t>(k),
          scored_words(s, found), {}};
}

}  // namespace

SimilarityAnswer similar(const Session& s, const Term& a, const Term& b) {
  const auto [ra, rb] = resolve_pair(s, a, b);
  return {row_ref(s, ra), row_ref(s, rb), static_cast<float>(similarity(s.embeddings(), ra, rb))};
}

DistanceAnswer distance(const Session& s, const Term& a, const Term& b) {
  const auto [ra, rb] = resolve_pair(s, a, b);
  const Distance d = embtool::distance(s.embeddings(), ra, rb);
  return {row_ref(s, ra), row_ref(s, rb), static_cast<float>(d.cosine), static_cast<float>(d.euclidean)};
}

namespace {

// An expression: blanks between terms, or one weighted term ("2*king") that is not itself a
// word of the vocabulary (a word may hold '*'). A token's key or text may hold blanks
// (" king"): a term that names a row as it is spelled is a word, not an expression.
bool is_expression(const Session& s, const Term& query) {
  if (query.is_row()) return false;
  const Embeddings& e = s.embeddings();
  if (e.vocabulary().contains(query.word)) return false;
  if (e.tokens() != nullptr && e.tokens()->find_text(query.word)) return false;
  return ops::looks_like_expression(query.word) || ops::is_weighted_term(query.word);
}

std::string label_of(const Term& term) { return term.is_row() ? fmt::format("--id {}", *term.id) : term.word; }

// neighbors --ann: the search options that answer from the index, and the answers marked so.
SearchOptions search_options(const Session& s, std::optional<size_t> ann_ef) {
  SearchOptions options = s.search();
  if (ann_ef) {
    require_vectors(s);
    options.ann = &s.ann_index();
    options.ef = *ann_ef > 0 ? *ann_ef : kDefaultAnnEf;
  }
  return options;
}

NeighborsAnswer mark_approximate(NeighborsAnswer answer, const SearchOptions& options) {
  if (options.ann == nullptr) return answer;
  for (NeighborsQuery& q : answer.queries) {
    q.exact = false;
    q.ef = static_cast<int64_t>(options.ef);
  }
  return answer;
}

NeighborsAnswer neighbors_with(const Session& s, const SearchOptions& options, const std::vector<Term>& queries,
                               size_t k, const std::vector<Neighbor>* precomputed);

}  // namespace

namespace {

// --- Filters (--restrict, --exclude, --min-score) ---------------------------------------------

SearchOptions restricted(SearchOptions options, const SearchFilters& filters) {
  if (filters.restrict_rows > 0) options.row_limit = filters.restrict_rows;
  return options;
}

std::vector<uint32_t> excluded_rows(const Session& s, const SearchFilters& filters) {
  std::vector<uint32_t> rows;
  for (const Term& term : filters.exclude) rows.push_back(resolve(s, term));
  return rows;
}

// Drops the excluded rows and the scores under the minimum (cosine; for distances, none is
// dropped), then keeps k. The search asked for k + excluded rows, so k remain whenever k exist.
std::vector<ScoredWord> filtered(std::vector<ScoredWord> results, std::span<const uint32_t> excluded,
                                 const SearchFilters& filters, size_t k) {
  std::erase_if(results, [&](const ScoredWord& w) {
    return std::find(excluded.begin(), excluded.end(), w.id) != excluded.end() ||
           (filters.min_score && w.score < *filters.min_score);
  });
  if (results.size() > k) results.resize(k);
  return results;
}

// neighbors --metric euclidean: each word's nearest rows by L2 distance of the raw vectors.
NeighborsAnswer euclidean_neighbors(const Session& s, const std::vector<Term>& queries, size_t k,
                                    const SearchOptions& options) {
  NeighborsAnswer answer;
  for (const Term& term : queries) {
    NeighborsQuery q;
    q.k = static_cast<int64_t>(k);
    q.text = label_of(term);
    q.metric = "euclidean";
    try {
      if (is_expression(s, term)) {
        throw Error(ErrorKind::invalid_argument, "--metric euclidean takes words, not expressions");
      }
      const uint32_t row = resolve(s, term);
      q.text = word_of(s, row);
      q.row = row_ref(s, row);
      q.results = scored_words(s, timed_search(s, [&] { return nearest_euclidean(s.embeddings(), row, k, options); }));
    } catch (const Error& e) {
      if (queries.size() == 1) throw;
      q.error = e;
    }
    answer.queries.push_back(std::move(q));
  }
  return answer;
}

void check_filters(const SearchFilters& filters, std::optional<size_t> ann_ef) {
  if (ann_ef && (filters.restrict_rows > 0 || filters.euclidean)) {
    throw Error(ErrorKind::invalid_argument, "--ann searches the whole index by cosine: --restrict and --metric "
                                             "euclidean need the exact search");
  }
  if (filters.euclidean && filters.min_score) {
    throw Error(ErrorKind::invalid_argument, "--min-score is a cosine; --metric euclidean scores are distances");
  }
}

}  // namespace

NeighborsAnswer neighbors(const Session& s, const std::vector<Term>& queries, size_t k,
                          const std::vector<Neighbor>* precomputed, std::optional<size_t> ann_ef,
                          const SearchFilters& filters) {
  if (queries.empty()) throw Error(ErrorKind::invalid_argument, "no words given");
  check_filters(filters, ann_ef);
  const SearchOptions options = restricted(search_options(s, ann_ef), filters);
  const std::vector<uint32_t> excluded = excluded_rows(s, filters);
  const size_t asked = k + excluded.size();
  NeighborsAnswer answer = filters.euclidean ? euclidean_neighbors(s, queries, asked, options)
                                             : neighbors_with(s, options, queries, asked,
                                                              ann_ef || filters.any() ? nullptr : precomputed);
  for (NeighborsQuery& q : answer.queries) {
    q.results = filtered(std::move(q.results), excluded, filters, k);
    q.k = static_cast<int64_t>(k);
  }
  return mark_approximate(std::move(answer), options);
}

NeighborsAnswer similar_by_vector(const Session& s, std::span<const float> vector, size_t k,
                                  const SearchFilters& filters) {
  require_vectors(s);
  const Embeddings& e = s.embeddings();
  if (vector.size() != e.dim()) {
    throw Error(ErrorKind::invalid_argument,
                fmt::format("the vector has {} values; the model's rows have {}", vector.size(), e.dim()));
  }
  check_filters(filters, std::nullopt);
  if (filters.euclidean) throw Error(ErrorKind::invalid_argument, "similar-by-vector searches by cosine");
  const float norm = kernels::scalar::norm(vector);
  if (!(norm > 0.0f) || !std::isfinite(norm)) {
    throw Error(ErrorKind::invalid_argument, "the vector is zero or not finite: it has no direction to search");
  }
  std::vector<float> unit(vector.begin(), vector.end());
  for (float& v : unit) v /= norm;  // gensim's unitvec: float32 values over the float32 norm
  const std::vector<uint32_t> excluded = excluded_rows(s, filters);
  const SearchOptions options = restricted(s.search(), filters);
  const auto found = timed_search(s, [&] { return top_k_cosine(e, unit, k + excluded.size(), {}, options); });
  NeighborsQuery q{NeighborsQuery::Kind::vector, fmt::format("({} values)", vector.size()), std::nullopt,
                   static_cast<int64_t>(k), filtered(scored_words(s, found), excluded, filters, k), {}};
  return {{std::move(q)}, true};
}

SetSimilarityAnswer set_similarity(const Session& s, const std::vector<Term>& a, const std::vector<Term>& b) {
  if (a.empty() || b.empty()) throw Error(ErrorKind::invalid_argument, "n-similarity needs a word in each set");
  auto rows_of = [&](const std::vector<Term>& terms) {
    std::vector<uint32_t> rows;
    for (const Term& t : terms) rows.push_back(resolve(s, t));
    return rows;
  };
  const std::vector<uint32_t> ra = rows_of(a), rb = rows_of(b);
  SetSimilarityAnswer answer;
  for (const uint32_t r : ra) answer.a.push_back(row_ref(s, r));
  for (const uint32_t r : rb) answer.b.push_back(row_ref(s, r));
  answer.similarity = static_cast<float>(mean_similarity(s.embeddings(), ra, rb));
  return answer;
}

CloserThanAnswer closer_than(const Session& s, const Term& a, const Term& b, bool rank_only) {
  const auto [ra, rb] = resolve_pair(s, a, b);
  const std::vector<uint32_t> rows = rows_closer_than(s.embeddings(), ra, rb);
  CloserThanAnswer answer{row_ref(s, ra), row_ref(s, rb), static_cast<float>(similarity(s.embeddings(), ra, rb)),
                          static_cast<int64_t>(rows.size()) + 1, {}, rank_only};
  if (!rank_only) {
    for (const uint32_t r : rows) {
      answer.closer.push_back({word_of(s, r), static_cast<float>(similarity(s.embeddings(), ra, r)), r,
                               row_ref(s, r).token});
    }
  }
  return answer;
}



namespace {

NeighborsAnswer neighbors_with(const Session& s, const SearchOptions& options, const std::vector<Term>& queries,
                               size_t k, const std::vector<Neighbor>* precomputed) {
  if (queries.size() == 1) {
    const Term& query = queries.front();
    if (is_expression(s, query)) return {{expression_query(s, options, query.word, k)}};
    return {{word_query(s, options, query, k, precomputed)}};
  }
  // Several: the known words are answered together in one pass; each unknown one keeps its
  // error in its place.
  NeighborsAnswer answer;
  answer.queries.resize(queries.size());
  std::vector<uint32_t> rows;
  std::vector<size_t> batched;
  for (size_t i = 0; i < queries.size(); ++i) {
    NeighborsQuery& q = answer.queries[i];
    q.k = static_cast<int64_t>(k);
    q.text = label_of(queries[i]);
    try {
      if (is_expression(s, queries[i])) {
        q = expression_query(s, options, queries[i].word, k);
        continue;
      }
      rows.push_back(resolve(s, queries[i]));
      batched.push_back(i);
      q.text = word_of(s, rows.back());
      q.row = row_ref(s, rows.back());
    } catch (const Error& e) {
      q.error = e;
    }
  }
  const auto start = std::chrono::steady_clock::now();
  const auto found = neighbors_batch(s.embeddings(), rows, k, options);
  s.log().info("searched {} rows for {} words in {:.3f} ms", s.embeddings().rows(), rows.size(),
               std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  for (size_t i = 0; i < batched.size(); ++i) answer.queries[batched[i]].results = scored_words(s, found[i]);
  return answer;
}

}  // namespace

namespace {

// A + B - C with a word twice is no analogy: A + B - A is B, A + A - C leans on A alone. The
// search still answers (gensim does too), and says what it answered.
void warn_of_repeated_terms(const Session& s, uint32_t a, uint32_t b, uint32_t c) {
  if (a != b && a != c && b != c) return;
  const auto word = [&](uint32_t row) { return std::string(s.embeddings().vocabulary().word(row)); };
  if (a == b && b == c) {
    s.log().warn("the analogy names '{}' three times: A + B - C is '{}' itself, so the answer is its neighbours",
                 word(a), word(a));
  } else if (a == c || b == c) {
    const uint32_t kept = a == c ? b : a;
    s.log().warn("the analogy subtracts a word it adds ('{}'): the answer is the neighbours of '{}'", word(c),
                 word(kept));
  } else {
    s.log().warn("the analogy adds '{}' twice: the answer leans on it alone", word(a));
  }
}

}  // namespace

AnalogyAnswer analogy(const Session& s, const Term& a, const Term& b, const Term& c, AnalogyMethod method,
                      size_t k, const std::vector<Neighbor>* precomputed, const SearchFilters& filters) {
  const uint32_t ra = resolve(s, a);
  const uint32_t rb = resolve(s, b);
  const uint32_t rc = resolve(s, c);
  warn_of_repeated_terms(s, ra, rb, rc);
  if (filters.euclidean) throw Error(ErrorKind::invalid_argument, "--metric euclidean is for neighbors");
  const std::vector<uint32_t> excluded = excluded_rows(s, filters);
  const auto found = precomputed && !filters.any() ? *precomputed : timed_search(s, [&] {
    return embtool::analogy(s.embeddings(), ra, rb, rc, method, k + excluded.size(), restricted(s.search(), filters));
  });
  return {row_ref(s, ra), row_ref(s, rb), row_ref(s, rc), method == AnalogyMethod::add ? "add" : "mul",
          static_cast<int64_t>(k), filtered(scored_words(s, found), excluded, filters, k)};
}

VectorAnswer vectors(const Session& s, const std::vector<Term>& terms, bool normalize) {
  VectorAnswer answer{{}, normalize};
  for (const Term& term : terms) {
    const uint32_t r = resolve(s, term);
    std::vector<float> values = s.embeddings().row_values(r);
    const float norm = s.embeddings().norm(r);
    if (normalize && norm > 0.0f) {
      for (float& v : values) v /= norm;
    }
    answer.rows.push_back({row_ref(s, r), std::move(values)});
  }
  return answer;
}

namespace {

// The model's own rows ("f32" for every file read today), then the reduced copies a store
// holds, e.g. "f32,f16,i8".
std::string stored_copies(const Embeddings& e) {
  std::string copies(dtype_name(e.dtype()));
  for (const Matrix& copy : e.reduced_copies()) copies += fmt::format(",{}", dtype_name(copy.dtype()));
  return copies;
}

std::string_view dtype_long_name(Dtype dtype) {
  switch (dtype) {
    case Dtype::f32: return "float32";
    case Dtype::f16: return "float16";
    case Dtype::bf16: return "bfloat16";
    case Dtype::i8: return "int8";
  }
  return "unknown";
}

}  // namespace

namespace {

// A reader's fact as an answer's: text, a float or a count.
Fact::Value value_of(const SourceFact& fact) {
  return std::visit(
      [](const auto& value) -> Fact::Value {
        using T = std::decay_t<decltype(value)>;
        if constexpr (std::is_same_v<T, bool>) return std::string(value ? "true" : "false");
        else if constexpr (std::is_same_v<T, double>) return static_cast<float>(value);
        else return value;
      },
      fact.value);
}

// Where info shows the facts readers are known to record (those of the word-vector formats,
// where info has always shown them); any other fact comes after them, in its reader's order.
constexpr std::string_view kInfoOrder[] = {
    "path", "format", "compression", "file_bytes", "words", "rows", "dim", "shape", "dtype", "stored_copies",
    "tensor", "tensor_dtype", "decoded_to", "tied_embeddings", "architecture", "model_name", "context_length",
    "tokenizer", "tokenizer_pre", "token_spelling", "tokens", "special_tokens", "rows_past_tokens", "tokens_file",
    "converted_from", "simd_target", "matrix_bytes", "vocabulary_bytes", "header_count",
    "records_read", "duplicates_dropped"};

// The model's own facts and its reader's, in kInfoOrder, then the reader's others.
std::vector<Fact> with_source_facts(std::vector<Fact> facts, const SourceInfo& source) {
  for (const SourceFact& fact : source.facts) facts.push_back({fact.name, value_of(fact)});
  auto rank = [](const std::string& name) {
    return static_cast<size_t>(std::find(std::begin(kInfoOrder), std::end(kInfoOrder), name) -
                               std::begin(kInfoOrder));
  };
  std::stable_sort(facts.begin(), facts.end(),
                   [&](const Fact& a, const Fact& b) { return rank(a.name) < rank(b.name); });
  return facts;
}

}  // namespace

namespace {

std::vector<TensorListing> tensor_listings(const SourceInfo& source) {
  std::vector<TensorListing> listings;
  listings.reserve(source.tensors.size());
  for (const TensorEntry& t : source.tensors) {
    std::vector<int64_t> shape(t.shape.begin(), t.shape.end());
    listings.push_back({t.name, t.dtype, std::move(shape), static_cast<int64_t>(t.bytes), t.file});
  }
  return listings;
}

// What a tokenizer model adds: how its keys spell text, and how many tokens are special.
void add_token_facts(std::vector<Fact>& facts, const Embeddings& e) {
  const Tokens* tokens = e.tokens();
  if (tokens == nullptr) return;
  int64_t special = 0;
  for (const TokenKind kind : tokens->kinds()) special += is_special(kind) ? 1 : 0;
  facts.push_back({"token_spelling", std::string(token_spelling_name(tokens->spelling()))});
  facts.push_back({"special_tokens", special});
}

}  // namespace

WordsAnswer words(const Session& s, std::string_view filter, std::string_view pattern, uint64_t limit,
                  bool count_only) {
  const std::optional<WordPattern> regex =
      filter == "regex" ? std::optional(WordPattern::compile(pattern)) : std::nullopt;  // before the model opens
  const Vocabulary& vocabulary = s.embeddings().vocabulary();
  WordsAnswer answer{std::string(filter), std::string(pattern), 0, count_only, {}};
  for (uint32_t row = 0; row < vocabulary.size(); ++row) {
    const std::string_view word = vocabulary.word(row);
    const bool match = filter == "prefix"     ? word.starts_with(pattern)
                       : filter == "contains" ? word.find(pattern) != std::string_view::npos
                       : regex                ? regex->found_in(word)
                                              : true;
    if (!match) continue;
    ++answer.matched;
    if (!count_only && (limit == 0 || answer.words.size() < limit)) answer.words.push_back(row_ref(s, row));
  }
  return answer;
}

InfoAnswer info(const Session& s, bool tensors) {
  const Embeddings& e = s.embeddings();
  const SourceInfo& source = e.source();
  const auto norms = e.norms();
  double norm_sum = 0.0;
  for (float n : norms) norm_sum += n;
  const auto [min_norm, max_norm] = std::minmax_element(norms.begin(), norms.end());
  const auto zero_vectors = std::count(norms.begin(), norms.end(), 0.0f);
  auto count = [](uint64_t n) { return Fact::Value{static_cast<int64_t>(n)}; };
  auto text = [](std::string_view t) { return Fact::Value{std::string(t)}; };
  std::vector<Fact> own{{"path", text(source.path)},
                        {"format", text(source.format)},
                        {"file_bytes", count(source.file_bytes)},
                        {e.tokens() ? "rows" : "words", count(e.rows())},
                        {"dim", count(e.dim())},
                        {"dtype", text(dtype_long_name(e.dtype()))},
                        {"stored_copies", text(stored_copies(e))},
                        {"simd_target", text(simd_target())},
                        {"matrix_bytes", count(e.matrix_bytes())},
                        {"vocabulary_bytes", count(e.vocabulary().arena_bytes())}};
  if (e.tokens() != nullptr) own.push_back({"shape", text(fmt::format("{} x {}", e.rows(), e.dim()))});
  add_token_facts(own, e);
  std::vector<Fact> facts = with_source_facts(std::move(own), source);
  if (e.dim() == 0) {
    facts.push_back({"matrix", text("none: the file holds a tokenizer only")});
  } else {
    facts.insert(facts.end(),
               {{"norm_min", Fact::Value{*min_norm}},
                {"norm_mean", Fact::Value{static_cast<float>(norm_sum / static_cast<double>(norms.size()))}},
                {"norm_max", Fact::Value{*max_norm}},
                {"zero_vectors", count(static_cast<uint64_t>(zero_vectors))}});
  }
  InfoAnswer answer{std::move(facts), std::nullopt};
  if (tensors) answer.tensors = tensor_listings(source);
  return answer;
}

DoesntMatchAnswer doesnt_match(const Session& s, const std::vector<Term>& words) {
  if (words.size() < 2) {
    throw Error(ErrorKind::invalid_argument,
                fmt::format("doesnt-match needs two or more words to compare (it was given {})", words.size()));
  }
  require_vectors(s);
  std::vector<uint32_t> rows;
  for (const Term& word : words) {
    try {
      rows.push_back(resolve(s, word));
    } catch (const UnknownWordError& e) {
      s.log().warn("{}; ignoring it, as gensim does", e.what());
    }
  }
  if (rows.empty()) throw Error(ErrorKind::not_found, "none of the words is in the vocabulary");
  return {row_ref(s, embtool::doesnt_match(s.embeddings(), rows))};
}

namespace {

// The questions or pairs of an evaluation: `file`, or standard input for "-".
class EvaluationInput {
 public:
  EvaluationInput(const Session& s, const std::string& file, std::string_view what) {
    if (file == "-") {
      if (s.in() == nullptr) {
        throw Error(ErrorKind::invalid_argument, fmt::format("'-' needs {} on standard input", what));
      }
      in_ = s.in();
      return;
    }
    opened_.open(file, std::ios::binary);
    if (!opened_) throw Error(ErrorKind::io, fmt::format("{}: cannot open the {}", file, what));
    in_ = &opened_;
  }
  std::istream& stream() { return *in_; }

 private:
  std::ifstream opened_;
  std::istream* in_ = nullptr;
};

std::string_view file_label(const std::string& file) { return file == "-" ? std::string_view("standard input") : std::string_view(file); }

// evaluate(embeddings, questions, options) on the analogy questions in `file`, with a progress
// display, timed in the log: how both styles of eval analogies run.
template <typename Options, typename Evaluate>
auto evaluate_questions(const Session& s, const std::string& file, Options options, const Evaluate& evaluate) {
  require_vectors(s);
  const Embeddings& embeddings = s.embeddings();
  EvaluationInput in(s, file, "analogy questions");
  const auto start = std::chrono::steady_clock::now();
  std::unique_ptr<Progress> bar = s.progress("evaluating", "questions");
  if (bar) options.search.progress = [&bar](uint64_t done, uint64_t total) { bar->update(done, total); };
  auto evaluation = evaluate(embeddings, in.stream(), options);
  if (bar) bar->finish();
  if (in.stream().bad()) {
    throw Error(ErrorKind::io, fmt::format("{}: cannot read the analogy questions", file_label(file)));
  }
  s.log().info("evaluated the questions of {} in {:.3f} s", file_label(file),
               std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return evaluation;
}

}  // namespace

AnalogyEvalAnswer eval_analogies(const Session& s, const std::string& file, const AnalogyEvalOptions& options) {
  const AnalogyEvaluation evaluation = evaluate_questions(s, file, options, evaluate_analogies);
  auto count = [](const SectionScore& c) {
    return SectionCount{c.name, static_cast<int64_t>(c.correct), static_cast<int64_t>(c.total()), c.accuracy()};
  };
  AnalogyEvalAnswer answer;
  answer.file = file;
  answer.method = options.method == AnalogyMethod::add ? "add" : "mul";
  // The words that took part: gensim's default 300,000 on a 60,000-word model is 60,000.
  answer.restrict_vocab = static_cast<int64_t>(std::min<size_t>(options.restrict_vocab, s.embeddings().rows()));
  for (const SectionScore& c : evaluation.sections) answer.sections.push_back(count(c));
  answer.total = count(evaluation.total);
  answer.questions = static_cast<int64_t>(evaluation.questions);
  answer.oov = static_cast<int64_t>(evaluation.oov);
  answer.oov_ratio = evaluation.oov_ratio();
  return answer;
}

Word2vecAccuracyAnswer eval_word2vec(const Session& s, const std::string& file,
                                     const Word2vecAccuracyOptions& options) {
  const Word2vecAccuracy evaluation = evaluate_questions(s, file, options, evaluate_analogies_word2vec);
  Word2vecAccuracyAnswer answer;
  answer.file = file;
  answer.threshold = static_cast<int64_t>(options.threshold);
  for (const Word2vecSection& c : evaluation.sections) {
    answer.sections.push_back({c.name, c.has_header, c.semantic, static_cast<int64_t>(c.correct),
                               static_cast<int64_t>(c.seen), static_cast<int64_t>(c.questions)});
  }
  return answer;
}

PairEvalAnswer eval_pairs(const Session& s, const std::string& file, const PairEvalOptions& options) {
  require_vectors(s);
  const Embeddings& embeddings = s.embeddings();
  EvaluationInput in(s, file, "word pairs");
  const PairEvaluation result = evaluate_pairs(embeddings, in.stream(), options);
  if (in.stream().bad()) throw Error(ErrorKind::io, fmt::format("{}: cannot read the word pairs", file_label(file)));
  return {file,
          static_cast<float>(result.pearson),
          static_cast<float>(result.spearman),
          static_cast<int64_t>(result.pairs),
          static_cast<int64_t>(result.oov),
          static_cast<float>(result.oov_ratio)};
}

}  // namespace embtool::app
