// One function per command: resolve the words, ask the library, render the answer.
#pragma once

#include <spdlog/logger.h>

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "model/embeddings.hpp"
#include "ops/evaluate.hpp"
#include "ops/ops.hpp"
#include "render/render.hpp"

namespace embtool::cli {

struct CommandContext {
  const Embeddings& embeddings;
  output::OutputFormat format;
  bool color;
  bool case_fallback;
  SearchOptions search;
  spdlog::logger& log;
  std::ostream& out;
  // The answer of this command's search when it was already computed with others (batch).
  const std::vector<Neighbor>* precomputed = nullptr;
  // Where long commands draw a progress bar (a terminal's stderr), if anywhere.
  std::ostream* progress = nullptr;
};

void run_similar(const CommandContext& ctx, const std::string& a, const std::string& b);
void run_distance(const CommandContext& ctx, const std::string& a, const std::string& b);
// One word, or several answered together (one pass over the matrix for all of them).
void run_neighbors(const CommandContext& ctx, const std::vector<std::string>& words, size_t k);
void run_analogy(const CommandContext& ctx, const std::string& a, const std::string& b,
                 const std::string& c, AnalogyMethod method, size_t k);
void run_vector(const CommandContext& ctx, const std::optional<std::string>& word,
                std::optional<uint64_t> row);
void run_info(const CommandContext& ctx);
// gensim doesnt_match; unknown words are ignored with a warning, as gensim ignores them.
void run_doesnt_match(const CommandContext& ctx, const std::vector<std::string>& words);
void run_eval_pairs(const CommandContext& ctx, const std::string& file, const PairEvalOptions& options);
void run_eval_analogies(const CommandContext& ctx, const std::string& file,
                        const AnalogyEvalOptions& options);
void run_eval_word2vec(const CommandContext& ctx, const std::string& file,
                       const Word2vecAccuracyOptions& options);

}  // namespace embtool::cli
