// The cache of converted files: a word2vec (binary or text), fastText .vec or GloVe file, plain
// or gzip-compressed, of at least a threshold's size (64 MiB; $EMBTOOL_CACHE_MIN_BYTES) is
// written once, after its first load, as a store (.emb) in $XDG_CACHE_HOME/embtool (default
// ~/.cache/embtool), so that the next open maps it in milliseconds.
//
// An entry is keyed by the file (absolute path with links resolved, size, modification time in
// nanoseconds, inode), the reading options that change what is read (--format, --no-header,
// --limit, --allow-nonfinite, --strict) and the cache's and store's format versions. The key is
// hashed into the entry's name and recorded whole inside it, with what loading the file said
// (format, facts, warnings), so that a cached open answers, warns and `info`s as the file did,
// naming the user's file. An entry that is unreadable, or records another key, is removed and
// replaced. Writing is atomic (an unnamed file renamed into place), so processes opening the
// same file at once each get a whole entry; a write that fails (a full disk, a read-only or
// missing directory) costs one warning and the speed-up, never the answer.
#pragma once

#include <spdlog/logger.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "app/answers.hpp"
#include "formats/formats.hpp"

namespace embtool::app {

// Files smaller than this load in about a second: not worth a second copy on disk.
inline constexpr uint64_t kCacheMinBytes = 64ull << 20;
// Part of every key: a new version (of the key, or of what an entry records) misses old entries.
inline constexpr uint32_t kCacheVersion = 1;

struct CacheSettings {
  bool enabled = false;             // false: --no-cache, EMBTOOL_CACHE=0, or no directory
  bool turned_off = false;          // off because asked (--no-cache, EMBTOOL_CACHE=0)
  std::filesystem::path directory;  // empty: neither an absolute $XDG_CACHE_HOME nor a home
  uint64_t min_bytes = kCacheMinBytes;
};

// From the environment: EMBTOOL_CACHE (0, off, no, false: off), XDG_CACHE_HOME (used only if
// absolute, as the XDG spec says) else $HOME/.cache, EMBTOOL_CACHE_MIN_BYTES; `no_cache` (the
// command line's --no-cache) turns it off whatever they say.
CacheSettings cache_settings(bool no_cache);

// What identifies one reading of one file.
struct CacheKey {
  std::string text;                // every field, one line: recorded in the entry, compared on open
  std::string source_path;         // absolute, links resolved
  uint64_t source_bytes = 0;
  int64_t source_mtime_ns = 0;
  uint64_t source_inode = 0;
  std::string options;             // the reading options in the key, as `cache list` shows them
  std::filesystem::path file;      // the entry: <directory>/<file name>-<hash of text>.emb
};

// The key of reading `path` with `options`; nullopt when the cache is off, `path` is not a
// regular file of at least settings.min_bytes, or the options name something an entry does not
// keep (a tensor, a vocabulary or tokenizer file). Never throws.
std::optional<CacheKey> cache_key(const std::filesystem::path& path, const LoadOptions& options,
                                  const CacheSettings& settings);

// The entry for `key`, mapped, its source told as the file `given_path` read at first (format,
// facts, warnings) plus the fact `cached_store` (the entry's path); nullopt when there is none.
// An entry that cannot be read or records another key is removed, with one warning, and
// nullopt returned (the caller reads the file). Never throws.
std::optional<Embeddings> open_cached(const CacheKey& key, const std::filesystem::path& given_path,
                                      spdlog::logger& log);

// After a load that found no entry: writes `embeddings` as the entry for `key` when its format
// is one the cache keeps, announces it on stderr (a warning-level line, so -q hides it) and
// removes the entries of older versions of the same file. Returns the entry written, or
// nullopt (not kept, or the write failed: one warning). Never throws.
std::optional<std::filesystem::path> store_in_cache(const Embeddings& embeddings, const CacheKey& key,
                                                    spdlog::logger& log, const LoadProgress& progress = {});

// Every entry of the cache directory, oldest first, with its state; never fails on an entry.
CacheReport list_cache(const CacheSettings& settings);
// Removes every entry (`stale_only`: only those not "current") and what interrupted writes left.
CacheReport clear_cache(const CacheSettings& settings, bool stale_only);

}  // namespace embtool::app
