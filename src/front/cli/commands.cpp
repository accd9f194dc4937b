#include "front/cli/commands.hpp"
#include "front/cli/progress_bar.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>

#include "base/error.hpp"
#include "kernels/simd.hpp"
#include "ops/expression.hpp"
#include "render/table.hpp"

namespace embtool::cli {
namespace {

using output::OutputFormat;

// A query word's row; a case variant is used, with a warning, when the exact word is absent.
uint32_t resolve(const CommandContext& ctx, const std::string& word) {
  const ResolvedWord resolved = resolve_word(ctx.embeddings, word, ctx.case_fallback);
  if (resolved.case_folded) {
    ctx.log.warn("'{}' is not in the vocabulary; using '{}'", word,
                 ctx.embeddings.vocabulary().word(resolved.row));
  }
  return resolved.row;
}

std::string word_of(const CommandContext& ctx, uint32_t row) {
  return std::string(ctx.embeddings.vocabulary().word(row));
}

std::vector<output::ScoredWord> scored_words(const CommandContext& ctx,
                                             const std::vector<Neighbor>& neighbors) {
  std::vector<output::ScoredWord> words;
  for (const Neighbor& n : neighbors) words.push_back({word_of(ctx, n.row), n.score});
  return words;
}

template <typename Result>
void print(const CommandContext& ctx, const Result& result) {
  ctx.out << output::render(result, ctx.format, ctx.color);
}

// The two rows of a pair command. Cosine similarity has no meaning for a zero vector: say
// so while answering as gensim does.
std::pair<uint32_t, uint32_t> resolve_pair(const CommandContext& ctx, const std::string& a,
                                           const std::string& b) {
  const std::pair rows{resolve(ctx, a), resolve(ctx, b)};
  for (const uint32_t row : {rows.first, rows.second}) {
    if (ctx.embeddings.norm(row) == 0.0f) {
      ctx.log.warn("the vector of '{}' is all zeros; its cosine similarity is taken as 0, as gensim does",
                   ctx.embeddings.vocabulary().word(row));
    }
  }
  return rows;
}

}  // namespace

void run_similar(const CommandContext& ctx, const std::string& a, const std::string& b) {
  const auto [ra, rb] = resolve_pair(ctx, a, b);
  const auto value = static_cast<float>(similarity(ctx.embeddings, ra, rb));
  print(ctx, output::PairResult{"similar", word_of(ctx, ra), word_of(ctx, rb), {{"similarity", value}}});
}

void run_distance(const CommandContext& ctx, const std::string& a, const std::string& b) {
  const auto [ra, rb] = resolve_pair(ctx, a, b);
  const Distance d = distance(ctx.embeddings, ra, rb);
  print(ctx, output::PairResult{"distance", word_of(ctx, ra), word_of(ctx, rb),
                                {{"cosine_distance", static_cast<float>(d.cosine)},
                                 {"euclidean_distance", static_cast<float>(d.euclidean)}}});
}

// Runs a search and logs (at -v) how long its scan took, for people and for bench/.
template <typename Search>
std::vector<Neighbor> timed_search(const CommandContext& ctx, Search search) {
  const auto start = std::chrono::steady_clock::now();
  auto found = search();
  ctx.log.info("searched {} rows in {:.3f} ms", ctx.embeddings.rows(),
               std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  return found;
}

// neighbors "king - man + woman": gensim most_similar with positive and negative (weighted)
// keys, all of them excluded from the answer.
void run_expression(const CommandContext& ctx, const std::string& text, size_t k) {
  std::vector<WeightedRow> terms;
  for (const ops::ExpressionTerm& term : ops::parse_expression(text)) {
    terms.push_back({resolve(ctx, term.word), term.weight});
  }
  const auto found = timed_search(ctx, [&] { return most_similar(ctx.embeddings, terms, k, ctx.search); });
  print(ctx, output::RankedResult{"neighbors", {{"expression", text}}, static_cast<int64_t>(k),
                                  scored_words(ctx, found), {}});
}

void run_neighbors(const CommandContext& ctx, const std::vector<std::string>& words, size_t k) {
  if (words.size() == 1 && ops::looks_like_expression(words.front())) {
    return run_expression(ctx, words.front(), k);
  }
  if (words.size() == 1) {
    const uint32_t row = resolve(ctx, words.front());
    const auto found = ctx.precomputed ? *ctx.precomputed : timed_search(ctx, [&] {
      return neighbors(ctx.embeddings, row, k, ctx.search);
    });
    print(ctx, output::RankedResult{"neighbors", {{"word", word_of(ctx, row)}},
                                    static_cast<int64_t>(k), scored_words(ctx, found), {}});
    return;
  }
  // Several words: the known ones are answered together in one pass; each unknown one is
  // reported (stderr, and a JSON line in its place) and the exit code says so at the end.
  std::vector<output::RankedResult> results(words.size());
  std::vector<uint32_t> rows;
  std::vector<size_t> answered;
  for (size_t i = 0; i < words.size(); ++i) {
    results[i].command = "neighbors";
    results[i].k = static_cast<int64_t>(k);
    try {
      rows.push_back(resolve(ctx, words[i]));
      answered.push_back(i);
      results[i].query = {{"word", word_of(ctx, rows.back())}};
    } catch (const Error& e) {
      ctx.log.error("{}", output::printable(e.what()));
      results[i].query = {{"word", words[i]}};
      results[i].error = e.what();
    }
  }
  const auto start = std::chrono::steady_clock::now();
  const auto found = neighbors_batch(ctx.embeddings, rows, k, ctx.search);
  ctx.log.info("searched {} rows for {} words in {:.3f} ms", ctx.embeddings.rows(), rows.size(),
               std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  for (size_t i = 0; i < answered.size(); ++i) results[answered[i]].results = scored_words(ctx, found[i]);
  print(ctx, results);
  if (answered.size() < words.size()) {
    throw Error(ErrorKind::not_found, fmt::format("{} of {} words are not in the vocabulary",
                                                 words.size() - answered.size(), words.size()));
  }
}

void run_analogy(const CommandContext& ctx, const std::string& a, const std::string& b,
                 const std::string& c, AnalogyMethod method, size_t k) {
  const uint32_t ra = resolve(ctx, a);
  const uint32_t rb = resolve(ctx, b);
  const uint32_t rc = resolve(ctx, c);
  const auto found = ctx.precomputed ? *ctx.precomputed : timed_search(ctx, [&] {
    return analogy(ctx.embeddings, ra, rb, rc, method, k, ctx.search);
  });
  const std::string method_name = method == AnalogyMethod::add ? "add" : "mul";
  print(ctx, output::RankedResult{"analogy",
                                  {{"a", word_of(ctx, ra)},
                                   {"b", word_of(ctx, rb)},
                                   {"c", word_of(ctx, rc)},
                                   {"method", method_name}},
                                  static_cast<int64_t>(k),
                                  scored_words(ctx, found),
                                  {}});
}

void run_vector(const CommandContext& ctx, const std::optional<std::string>& word,
                std::optional<uint64_t> row) {
  uint32_t r = 0;
  if (row) {
    if (*row >= ctx.embeddings.rows()) {
      throw Error(ErrorKind::not_found,
                  fmt::format("row {} does not exist: the model has rows 0 to {}", *row,
                              ctx.embeddings.rows() - 1));
    }
    r = static_cast<uint32_t>(*row);
  } else {
    r = resolve(ctx, *word);
  }
  const std::vector<float> values = ctx.embeddings.row_values(r);
  print(ctx, output::VectorResult{word_of(ctx, r), r, values});
}

namespace {

// The model's own rows ("f32" for every file read today), then the reduced copies a store
// holds, e.g. "f32,f16,i8".
std::string stored_copies(const Embeddings& e) {
  std::string copies(dtype_name(e.dtype()));
  for (const Matrix& copy : e.reduced_copies()) copies += fmt::format(",{}", dtype_name(copy.dtype()));
  return copies;
}

std::string dtype_long_name(Dtype dtype) {
  switch (dtype) {
    case Dtype::f32: return "float32";
    case Dtype::f16: return "float16";
    case Dtype::bf16: return "bfloat16";
    case Dtype::i8: return "int8";
  }
  return "unknown";
}

}  // namespace

void run_info(const CommandContext& ctx) {
  const Embeddings& e = ctx.embeddings;
  const SourceInfo& source = e.source();
  const auto norms = e.norms();
  double norm_sum = 0.0;
  for (float n : norms) norm_sum += n;
  const auto [min_norm, max_norm] = std::minmax_element(norms.begin(), norms.end());
  const auto zero_vectors = std::count(norms.begin(), norms.end(), 0.0f);
  using output::Cell;
  auto count = [](uint64_t n) { return Cell{static_cast<int64_t>(n)}; };
  print(ctx, output::FactsResult{
                 "info",
                 {{"path", Cell{source.path}},
                  {"format", Cell{std::string(format_name(source.format))}},
                  {"compression", Cell{std::string(source.gzip ? "gzip" : "none")}},
                  {"file_bytes", count(source.file_bytes)},
                  {"words", count(e.rows())},
                  {"dim", count(e.dim())},
                  {"dtype", Cell{dtype_long_name(e.dtype())}},
                  {"stored_copies", Cell{stored_copies(e)}},
                  {"converted_from", Cell{source.converted_from}},
                  {"simd_target", Cell{std::string(kernels::simd_target_name())}},
                  {"matrix_bytes", count(e.matrix_bytes())},
                  {"vocabulary_bytes", count(e.vocabulary().arena_bytes())},
                  {"header_count", count(source.header_count)},
                  {"records_read", count(source.records_read)},
                  {"duplicates_dropped", count(source.duplicates_dropped)},
                  {"norm_min", Cell{*min_norm}},
                  {"norm_mean", Cell{static_cast<float>(norm_sum / static_cast<double>(norms.size()))}},
                  {"norm_max", Cell{*max_norm}},
                  {"zero_vectors", count(static_cast<uint64_t>(zero_vectors))}}});
}

// evaluate(embeddings, questions, options) on the analogy questions in `file`, with a progress
// bar on a terminal, timed in the log: how both styles of eval analogies run.
template <typename Options, typename Evaluate>
auto evaluate_questions(const CommandContext& ctx, const std::string& file, Options options,
                        const Evaluate& evaluate) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error(ErrorKind::io, fmt::format("{}: cannot open the analogy questions", file));
  const auto start = std::chrono::steady_clock::now();
  ProgressBar bar(ctx.progress ? *ctx.progress : ctx.out, "evaluating", ctx.progress != nullptr, "questions");
  options.search.progress = [&bar](uint64_t done, uint64_t total) { bar.update(done, total); };
  auto evaluation = evaluate(ctx.embeddings, in, options);
  bar.finish();
  ctx.log.info("evaluated the questions of {} in {:.3f} s", file,
               std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  return evaluation;
}

void run_eval_analogies(const CommandContext& ctx, const std::string& file,
                        const AnalogyEvalOptions& options) {
  const AnalogyEvaluation evaluation = evaluate_questions(ctx, file, options, evaluate_analogies);
  auto row = [](const SectionScore& s) {
    return output::SectionRow{s.name, static_cast<int64_t>(s.correct), static_cast<int64_t>(s.total()),
                              s.accuracy()};
  };
  output::AnalogyEvalResult result;
  result.file = file;
  result.method = options.method == AnalogyMethod::add ? "add" : "mul";
  result.restrict_vocab = static_cast<int64_t>(options.restrict_vocab);
  for (const SectionScore& s : evaluation.sections) result.sections.push_back(row(s));
  result.total = row(evaluation.total);
  result.questions = static_cast<int64_t>(evaluation.questions);
  result.oov = static_cast<int64_t>(evaluation.oov);
  result.oov_ratio = evaluation.oov_ratio();
  print(ctx, result);
}

void run_eval_word2vec(const CommandContext& ctx, const std::string& file,
                       const Word2vecAccuracyOptions& options) {
  const Word2vecAccuracy evaluation = evaluate_questions(ctx, file, options, evaluate_analogies_word2vec);
  output::Word2vecAccuracyResult result;
  result.file = file;
  result.threshold = static_cast<int64_t>(options.threshold);
  for (const Word2vecSection& s : evaluation.sections) {
    result.sections.push_back({s.name, s.has_header, s.semantic, static_cast<int64_t>(s.correct),
                               static_cast<int64_t>(s.seen), static_cast<int64_t>(s.questions)});
  }
  print(ctx, result);
}

void run_eval_pairs(const CommandContext& ctx, const std::string& file, const PairEvalOptions& options) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error(ErrorKind::io, fmt::format("{}: cannot open the word pairs", file));
  const PairEvaluation result = evaluate_pairs(ctx.embeddings, in, options);
  using output::Cell;
  print(ctx, output::FactsResult{"eval-pairs",
                                 {{"file", Cell{file}},
                                  {"pearson", Cell{static_cast<float>(result.pearson)}},
                                  {"spearman", Cell{static_cast<float>(result.spearman)}},
                                  {"pairs", Cell{static_cast<int64_t>(result.pairs)}},
                                  {"oov", Cell{static_cast<int64_t>(result.oov)}},
                                  {"oov_ratio", Cell{static_cast<float>(result.oov_ratio)}}}});
}

void run_doesnt_match(const CommandContext& ctx, const std::vector<std::string>& words) {
  std::vector<uint32_t> rows;
  for (const std::string& word : words) {
    try {
      rows.push_back(resolve(ctx, word));
    } catch (const UnknownWordError& e) {
      ctx.log.warn("{}; ignoring it, as gensim does", e.what());
    }
  }
  if (rows.empty()) throw Error(ErrorKind::not_found, "none of the words is in the vocabulary");
  const uint32_t odd_one = doesnt_match(ctx.embeddings, rows);
  using output::Cell;
  print(ctx, output::FactsResult{"doesnt-match", {{"answer", Cell{word_of(ctx, odd_one)}}}});
}

}  // namespace embtool::cli
