// What a command runs with: the model (opened when a command first asks for it), the reading
// and searching choices, where warnings go, how to show progress, and what "-" reads. The
// front ends fill it in; the query functions read it.
#pragma once

#include <spdlog/logger.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <istream>
#include <ostream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/store_cache.hpp"
#include "formats/formats.hpp"
#include "model/embeddings.hpp"
#include "search/index/hnsw_index.hpp"
#include "search/search.hpp"

namespace embtool::app {

// A progress display a front end offers (a bar on a terminal), for long loads, writes and
// evaluations.
class Progress {
 public:
  virtual ~Progress() = default;
  virtual void update(uint64_t done, uint64_t total) = 0;
  virtual void finish() = 0;
};

// Makes a display labelled `label`, counting `items` ("questions"; empty: bytes). May return
// nullptr: no display.
using ProgressFactory = std::function<std::unique_ptr<Progress>(std::string label, std::string items)>;

// Told the name of each file about to be opened (the command line names it if a mapping of it
// faults).
using OpeningHook = std::function<void(const std::filesystem::path&)>;

// The approximate index of a model (MODEL.hnsw), opened on first use and shared by the
// sessions of one model (a batch's lines, a server's requests).
class AnnIndexCache {
 public:
  const HnswIndex& get(const Embeddings& embeddings);

 private:
  std::mutex mutex_;
  const Embeddings* for_ = nullptr;
  std::unique_ptr<HnswIndex> index_;
};

// How to read a vector file.
struct ModelOptions {
  std::optional<std::string> path;  // the model asked for; none: $EMBTOOL_MODEL, else the bundled one
  std::string format = "auto";
  bool no_header = false;
  uint64_t limit = 0;  // 0: every word
  bool allow_nonfinite = false;
  bool strict = false;
  std::string tensor;  // a checkpoint's tensor to read; empty: its token embedding
  std::string vocab;   // a file naming the rows (one token a line, or a tokenizer's file)
  std::string tokenizer;  // a file whose tokenizer replaces the model's (--tokenizer); empty: the model's
  bool no_cache = false;  // never read nor write the cache of converted files (app/store_cache.hpp)
};

// Opens `path` as `options` say, with progress and a log line (at -v) of what was read; logs
// what the reader noticed (duplicates, CR LF...) as warnings. With `cache`, maps the cached
// store of `path` if there is one (`opening` is told its name), else reads `path` and writes
// one when the file is one the cache keeps (app/store_cache.hpp).
Embeddings open_model(const std::filesystem::path& path, const ModelOptions& options,
                      spdlog::logger& log, const ProgressFactory& progress,
                      const CacheSettings* cache = nullptr, const OpeningHook& opening = {});

// Everything a command needs, whatever asks it (a command line, a batch line, the shell).
class Session {
 public:
  Session(ModelOptions model, bool case_fallback, SearchOptions search, spdlog::logger& log,
          ProgressFactory progress = {}, std::istream* in = nullptr, OpeningHook opening = {});
  // A session over a model already open (batch lines, the shell, tests); `in`: what "-" reads.
  Session(const Embeddings& embeddings, bool case_fallback, SearchOptions search, spdlog::logger& log,
          std::istream* in = nullptr);

  // The model, opened on first use (convert never asks for it).
  const Embeddings& embeddings() const;
  // The tokenizer commands use: that of ModelOptions::tokenizer when one is named (built on
  // first use, without opening the model), else the model's. Throws what building it throws,
  // or Error(not_found) for a model without one.
  const tokenize::Tokenizer& tokenizer() const;
  const ModelOptions& model_options() const { return model_; }
  // Opens another vector file with the same reading options (convert's input), never through
  // the cache.
  Embeddings open(const std::filesystem::path& path) const;
  // Where the cache of converted files is, and whether the model is opened through it.
  const CacheSettings& cache() const { return cache_; }
  bool case_fallback() const { return case_fallback_; }
  const SearchOptions& search() const { return search_; }
  // The model's approximate index (index_path_for(model)); throws not_found when there is none
  // and bad_data when it is stale or damaged.
  const HnswIndex& ann_index() const { return ann_->get(embeddings()); }
  // Uses (and fills) the index cache of `cache` from now on.
  void share_ann_index(std::shared_ptr<AnnIndexCache> cache) { ann_ = std::move(cache); }
  const std::shared_ptr<AnnIndexCache>& ann_index_cache() const { return ann_; }
  spdlog::logger& log() const { return log_; }
  // A progress display, or nullptr.
  std::unique_ptr<Progress> progress(std::string label, std::string items = {}) const;
  const ProgressFactory& progress_factory() const { return progress_; }
  // What "-" reads (standard input); nullptr: nothing, "-" is refused.
  std::istream* in() const { return in_; }
  // What an output "-" writes (convert's standard output); nullptr: "-" is refused.
  std::ostream* out() const { return out_; }
  void set_out(std::ostream* out) { out_ = out; }

 private:
  ModelOptions model_;
  bool case_fallback_;
  void warn_of_missing_scan_copy(const Embeddings& e) const;
  SearchOptions search_;
  spdlog::logger& log_;
  ProgressFactory progress_;
  std::istream* in_;
  std::ostream* out_ = nullptr;
  OpeningHook opening_;
  CacheSettings cache_;
  mutable std::optional<Embeddings> opened_;
  mutable const Embeddings* embeddings_ = nullptr;
  struct NamedTokenizer;
  std::shared_ptr<NamedTokenizer> named_tokenizer_;
  std::shared_ptr<AnnIndexCache> ann_ = std::make_shared<AnnIndexCache>();  // set when ModelOptions::tokenizer names a file
};

}  // namespace embtool::app
