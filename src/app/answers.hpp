// What each command answers, as values: the query functions return these, the renderers
// (render/) turn them into text, JSON and TSV, and every front end (command line, batch, the
// shell, and later HTTP) shows the same answer its own way. Nothing here is formatted text.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "base/error.hpp"

namespace embtool::app {

// What a tokenizer model adds to a row's name: the text its token stands for (" king" for
// "Ġking"; bytes, possibly not valid UTF-8) and its kind ("normal", "control", ...).
struct TokenText {
  std::string text;
  std::string kind;
  bool special = false;  // control, unknown or unused: not text of its own
};

// A row as an answer names it: the vocabulary's word (for a tokenizer model, the token's own
// spelling), its row id, and for tokenizer models what the token stands for.
struct RowRef {
  std::string word;
  uint32_t id = 0;
  std::optional<TokenText> token;
};

struct ScoredWord {
  std::string word;
  float score = 0;
  uint32_t id = 0;
  std::optional<TokenText> token;
};

// similar A B: the vocabulary words used (after a case fallback, the word found).
struct SimilarityAnswer {
  RowRef a, b;
  float similarity = 0;
};

// distance A B.
struct DistanceAnswer {
  RowRef a, b;
  float cosine_distance = 0;
  float euclidean_distance = 0;
};

// One query of neighbors: a word, or an expression ("king - man + woman").
struct NeighborsQuery {
  enum class Kind { word, expression, vector };
  Kind kind = Kind::word;
  std::string text;  // the vocabulary word used, or the expression as written
  std::optional<RowRef> row;  // a word's row (absent for an expression or a failed query)
  int64_t k = 0;
  std::vector<ScoredWord> results;
  std::optional<Error> error;  // this query failed (an unknown word); the others stand
  // false: answered from the approximate index (neighbors --ann), with candidate list `ef`:
  // the scores are the rows' exact cosines, but a nearer row may be missing.
  bool exact = true;
  int64_t ef = 0;
  // "euclidean": the scores are L2 distances of the raw vectors, nearest first (--metric).
  std::string metric = "cosine";
};

// neighbors W1 W2 ...: one answer per query word, in order, each carrying its query.
struct NeighborsAnswer {
  std::vector<NeighborsQuery> queries;
  bool by_vector = false;  // similar-by-vector: one query, a vector read from a file
};

// n-similarity A B: the cosine of the means of two sets of words (gensim n_similarity).
struct SetSimilarityAnswer {
  std::vector<RowRef> a, b;
  float similarity = 0;
};

// closer-than A B (every word closer to A than B is, in row order, with its cosine to A) and
// rank A B (how many such words, plus one): gensim closer_than and rank.
struct CloserThanAnswer {
  RowRef a, b;
  float similarity = 0;  // of A and B: the threshold
  int64_t rank = 0;
  std::vector<ScoredWord> closer;  // empty for rank
  bool rank_only = false;
};

struct AnalogyAnswer {
  RowRef a, b, c;
  std::string method;  // "add" or "mul"
  int64_t k = 0;
  std::vector<ScoredWord> results;
};

struct DoesntMatchAnswer {
  RowRef answer;
};

// vector W1 W2 ...: each word's row, in order; `normalized`: divided by its norm (--normalize).
struct VectorRow {
  RowRef row;
  std::vector<float> values;
};
struct VectorAnswer {
  std::vector<VectorRow> rows;
  bool normalized = false;
};

// One named fact: text, a float or a count.
struct Fact {
  using Value = std::variant<std::string, float, int64_t>;
  std::string name;
  Value value;
};

// One tensor of a checkpoint (info --tensors).
struct TensorListing {
  std::string name;
  std::string dtype;
  std::vector<int64_t> shape;
  int64_t bytes = 0;
  std::string file;  // the shard holding it; empty for a single file
};

// info: named facts, in order; with --tensors, also every tensor of a checkpoint.
struct InfoAnswer {
  std::vector<Fact> facts;
  std::optional<std::vector<TensorListing>> tensors;
};

struct SectionCount {
  std::string name;
  int64_t correct = 0;
  int64_t total = 0;
  double accuracy = 0;
};

// eval analogies (gensim's rules).
struct AnalogyEvalAnswer {
  std::string file;
  std::string method;
  int64_t restrict_vocab = 0;
  std::vector<SectionCount> sections;
  SectionCount total;
  int64_t questions = 0;
  int64_t oov = 0;
  double oov_ratio = 0;  // percent
};

// eval analogies --style word2vec: compute-accuracy's counts per section.
struct Word2vecSectionCount {
  std::string name;
  bool has_header = true;  // compute-accuracy prints nothing for questions before the first header
  bool semantic = true;
  int64_t correct = 0;
  int64_t seen = 0;
  int64_t questions = 0;
};
struct Word2vecAccuracyAnswer {
  std::string file;
  int64_t threshold = 0;
  std::vector<Word2vecSectionCount> sections;
};

// eval pairs.
struct PairEvalAnswer {
  std::string file;
  float pearson = 0;
  float spearman = 0;
  int64_t pairs = 0;
  int64_t oov = 0;
  float oov_ratio = 0;
};

// One token of an encoded text: its id, the tokenizer's own spelling of it ("Ġking"), the
// text it stands for (" king"; bytes, possibly part of a character), its kind, and the bytes
// of the input it came from, [begin, end) (begin == end for a token the tokenizer adds).
struct TokenPiece {
  int32_t id = 0;
  std::string token;
  TokenText text;
  uint32_t begin = 0;
  uint32_t end = 0;
};

// tokenize TEXT: the text as given and its tokens, in order. `ids_only` (--ids): text output
// is the ids alone.
struct TokenizeAnswer {
  std::string text;
  std::vector<TokenPiece> tokens;
  bool ids_only = false;
};

// detokenize ID...: the ids and the text they decode to (exact bytes).
struct DetokenizeAnswer {
  std::vector<int32_t> ids;
  std::string text;
};

// embed --check-one-hot: each token's row found twice, by lookup and as one-hot(id) times the
// matrix, compared bit for bit.
struct OneHotCheck {
  int64_t rows_compared = 0;  // the tokens' rows
  int64_t matrix_rows = 0;    // the rows each product sums over
  int64_t equal_bits = 0;     // rows identical to the last bit
  int64_t equal_values = 0;   // rows equal as numbers (-0 == +0)
  double lookup_ms = 0;
  double product_ms = 0;
};

// embed TEXT: the tokens and their rows of the embedding matrix, one per token; with a pool
// ("mean", "sum", "first", "last"), the one vector it makes of them instead.
struct EmbedAnswer {
  std::string text;
  std::vector<TokenPiece> tokens;
  std::vector<RowRef> rows;                // the matrix row of each token
  std::vector<std::vector<float>> vectors;  // one per token; empty when pooled
  std::string pool;                         // empty: not pooled
  std::vector<float> pooled;
  std::optional<OneHotCheck> check;
};

// A row whose norm is far below the others' (tokens --k N).
struct LowNormRow {
  RowRef row;
  float norm = 0;
  float ratio = 0;  // norm / median norm (NaN when the median is 0)
};

// How many rows a tokenizer gives each kind.
struct KindCount {
  std::string kind;
  int64_t rows = 0;
};

// tokens: diagnostics of a token embedding. Under-trained ("glitch") tokens stand out by an
// input-embedding norm far below the rest (Land & Bartolo, "Fishing for Magikarp", EMNLP 2024)
// and by sitting near the mean embedding.
struct TokenDiagnosticsAnswer {
  int64_t rows = 0;
  int64_t dim = 0;
  float median_norm = 0;
  std::vector<LowNormRow> low_norm;    // lowest norms first
  std::vector<ScoredWord> near_mean;   // highest cosine to the mean row first
  std::vector<KindCount> kinds;        // empty for word vectors
  int64_t rows_past_tokens = 0;        // rows the tokenizer has no token for (padding)
  std::string tied_embeddings;         // whether the output embedding is the input one
};

// words: the vocabulary rows whose words match, in row order (a frequency-ordered file's most
// frequent first), at most `limit` of them; `matched` counts every match.
struct WordsAnswer {
  std::string filter;   // "prefix", "contains", "regex" or "all"
  std::string pattern;  // what was looked for
  uint64_t matched = 0;
  bool count_only = false;
  std::vector<RowRef> words;
};

// plot: rows projected to two dimensions. Each point is a row as answers name rows, with the
// group it is drawn in ("query" and "neighbors" for --neighbors; "analogy" for --analogy's
// four words; the words of each --group; "words" for words given alone).
struct PlotPoint {
  RowRef row;
  std::string group;
  double x = 0;
  double y = 0;
};
// An arrow from one point to another (indices into `points`): an analogy's offsets.
struct PlotArrow {
  size_t from = 0;
  size_t to = 0;
};
struct PlotAnswer {
  std::vector<PlotPoint> points;
  std::string method;                       // "pca" or "tsne"
  std::string model;                        // the model file's name
  std::vector<double> explained_variance;  // PCA: the share of variance of each axis; t-SNE: empty
  std::vector<PlotArrow> arrows;
  std::string title;
  std::optional<std::string> image_path;    // -o FILE: where a front end draws it (app never writes it)
};

// The answer of one query: what a command prints, or what a batch line holds.
using Answer = std::variant<SimilarityAnswer, DistanceAnswer, NeighborsAnswer, AnalogyAnswer,
                            DoesntMatchAnswer, VectorAnswer, InfoAnswer, AnalogyEvalAnswer,
                            Word2vecAccuracyAnswer, PairEvalAnswer, TokenizeAnswer, DetokenizeAnswer,
                            EmbedAnswer, TokenDiagnosticsAnswer, WordsAnswer, PlotAnswer, SetSimilarityAnswer,
                            CloserThanAnswer>;

// The command an answer answers ("neighbors", "eval-analogies", ...), as JSON names it.
std::string_view command_of(const Answer& answer);

// The error a command ends with although it answered: some words of a multi-word neighbors
// were unknown (their places hold their errors).
std::optional<Error> failure_of(const Answer& answer);

// batch: each line's answer or error, with its line number and its text as written.
struct BatchLineAnswer {
  size_t line = 0;    // 1-based, in the input
  std::string query;  // the line without its line end
  std::variant<Answer, Error> outcome;
};
struct BatchAnswer {
  std::vector<BatchLineAnswer> lines;
};

// convert: what was written. Nothing goes to standard output; the front ends log it.
struct ConvertReport {
  std::string input;
  std::string output;
  std::string format;  // the output's format name ("embtool-store" for a store)
  uint64_t words = 0;
  uint64_t dim = 0;
  double seconds = 0;  // writing only
};

// One store in the cache of converted files (cache list).
struct CacheEntry {
  std::string file;           // the store, in the cache directory
  std::string source_path;    // the file it stands for (absolute, links resolved)
  std::string source_format;  // "word2vec-binary", "word2vec-text", "glove"
  uint64_t source_bytes = 0;
  int64_t source_mtime_ns = 0;  // the source's modification time when it was converted
  uint64_t store_bytes = 0;
  int64_t written_ns = 0;       // when the store was written (its own modification time)
  uint64_t words = 0;
  uint64_t dim = 0;
  std::string options;          // the reading options it was made with ("limit=1000"); empty: none
  // "current" (the next open of the source maps it), "stale" (the source has changed since),
  // "missing" (the source is gone), "damaged" (unreadable: the next open replaces it).
  std::string state;
};

// cache list | cache clear.
struct CacheReport {
  std::string action;     // "list" or "clear"
  std::string directory;  // empty: no cache directory (no absolute $XDG_CACHE_HOME nor $HOME)
  bool enabled = true;    // false: --no-cache or EMBTOOL_CACHE=0 (said, not an error)
  std::vector<CacheEntry> entries;  // list: every entry; clear: those removed
  uint64_t removed_bytes = 0;       // clear: bytes freed
};

}  // namespace embtool::app
