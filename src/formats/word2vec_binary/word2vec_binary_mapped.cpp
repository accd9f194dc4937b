// word2vec binary read in place. The file is mapped and its records are walked by every core
// at once; the float rows stay where they lie in the page cache, and only the words (copied
// into the vocabulary), each row's byte offset and each row's norm are built. Each norm and
// the NaN/Inf check are done while the walk has the row in cache: one pass over the memory.
//
// Anything unusual (a record the streaming reader would refuse, a host that is big-endian)
// returns nullopt, and load() hands the file to the streaming reader, which says exactly what
// is wrong with it: this path only ever accepts what that reader accepts, with the same result.
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstring>
#include <exception>
#include <memory>
#include <vector>

#include "base/error.hpp"
#include "base/huge_pages.hpp"
#include "base/thread_pool.hpp"
#include "formats/mapped_walk.hpp"
#include "formats/word2vec_binary/word2vec_binary.hpp"
#include "kernels/simd.hpp"
#include "base/mapped_file.hpp"
#include "model/vocabulary_hash.hpp"

namespace embtool::formats {
namespace {

// Fewer records than this in a share are not worth splitting off.
constexpr uint64_t kMinRecordsPerChunk = 32768;
// Shares per thread, taken in turn by whichever thread is free: when another process takes a
// core for a while (a shared machine), the other threads take over its later shares instead
// of waiting for it at the end.
constexpr unsigned kChunksPerThread = 4;
// A share's walk notes its progress every 16384 records (the mask's low bits all set): with
// the shares walked side by side, about as often as the streaming reader's every 65536.
constexpr uint64_t kProgressMask = 0x3FFF;
// Consecutive records that must parse as plausible ones before a share starts among them.
constexpr int kChainRecords = 16;
// A plausible word, for finding a record boundary only (the walk itself takes any word).
constexpr size_t kMaxPlausibleWordBytes = 1024;
// Up to this many records, the hash index has at most 2^32 slots: 32 bits of each word's hash
// place it (larger files, were there any, go to the streaming reader).
constexpr uint64_t kMaxRecords = uint64_t{1} << 30;
// How far hash-index inserts look ahead to prefetch their slot: enough misses in flight to
// cover the memory latency (measured: 0.07 s without for 3M words, 0.04 s at 16 to 64).
constexpr size_t kPrefetchDistance = 32;

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}


// Everything the rows and the vocabulary view point into: one owner keeps it all alive.
struct MappedRows {
  std::shared_ptr<const MappedFile> file;
  BigVector<uint64_t> row_offsets;   // of each kept row, from the start of the file
  BigVector<float> norms;
  BigVector<char> arena;             // the kept words, back to back
  BigVector<uint64_t> word_offsets;  // one per kept word plus one
  BigVector<uint32_t> slots;         // Vocabulary's hash index
};

// What every walking thread needs to know about the file.
struct FileShape {
  std::string_view bytes;  // the whole mapped file
  uint64_t dim = 0;
  uint64_t vector_bytes = 0;
  bool allow_nonfinite = false;
};

// Where one record lies: its word (without the newlines before it) and its vector.
struct Record {
  uint64_t word_begin = 0;
  uint64_t word_size = 0;
  uint64_t row = 0;  // byte offset of the first float
};

uint64_t skip_newlines(std::string_view bytes, uint64_t pos) {
  while (pos < bytes.size() && bytes[pos] == '\n') ++pos;
  return pos;
}

// The record whose word starts at `pos` (newlines already skipped), if the streaming reader
// would read it without complaint: a word of 1..kMaxWordBytes bytes, a space, whole vector.
std::optional<Record> parse_record(const FileShape& shape, uint64_t pos) {
  const std::string_view bytes = shape.bytes;
  if (pos >= bytes.size()) return std::nullopt;
  const size_t search = std::min<uint64_t>(bytes.size() - pos, kMaxWordBytes + 1);
  const void* space = std::memchr(bytes.data() + pos, ' ', search);
  if (space == nullptr) return std::nullopt;
  const auto word_end = static_cast<uint64_t>(static_cast<const char*>(space) - bytes.data());
  const uint64_t word_size = word_end - pos;
  if (word_size == 0) return std::nullopt;
  const uint64_t row = pos + word_size + 1;
  if (bytes.size() - row < shape.vector_bytes) return std::nullopt;
  return Record{pos, word_size, row};
}

// Text digits where float bytes should be (the streaming reader's check on record 1).
bool looks_like_text_numbers(std::string_view vector_bytes) {
  return std::all_of(vector_bytes.begin(), vector_bytes.end(), [](char c) {
    return std::strchr("0123456789.-+eE \n\r", c) != nullptr && c != '\0';
  });
}

// NaN/Inf values in a row, counted exactly (only called for rows whose norm is not finite,
// which is also what finite values too large to square give).
uint64_t count_nonfinite(const char* row, uint64_t dim) {
  uint64_t count = 0;
  for (uint64_t i = 0; i < dim; ++i) {
    float value;
    std::memcpy(&value, row + i * sizeof(float), sizeof(float));  // rows may be unaligned
    count += !std::isfinite(value);
  }
  return count;
}

// --- Finding where a share of the records can start -----------------------------------------

// Where a word that would start at `pos` ends: at the first space or, in a file without
// newlines, where nothing else tells records from float bytes, at the first byte that is not
// printable (a space, a control byte). Real words are printable; float bytes seldom are.
uint64_t candidate_word_end(std::string_view bytes, uint64_t pos, bool newlines) {
  if (newlines) {
    const void* space = std::memchr(bytes.data() + pos, ' ', bytes.size() - pos);
    return space ? static_cast<uint64_t>(static_cast<const char*>(space) - bytes.data())
                 : bytes.size();
  }
  const auto printable = [](char c) { return static_cast<unsigned char>(c) > ' ' && c != '\x7f'; };
  while (pos < bytes.size() && printable(bytes[pos])) ++pos;
  return pos;
}

// Where the next word starts if a plausible record starts at `pos`: a word (see
// candidate_word_end) of at most kMaxPlausibleWordBytes, a space, its vector and, in a file
// written with newlines, a newline. Many in a row never start inside a vector.
std::optional<uint64_t> plausible_record_end(const FileShape& shape, uint64_t pos, bool newlines) {
  const std::string_view bytes = shape.bytes;
  if (pos >= bytes.size() || bytes[pos] == '\n') return std::nullopt;
  const uint64_t word_end = candidate_word_end(bytes, pos, newlines);
  if (word_end == pos || word_end - pos > kMaxPlausibleWordBytes || word_end == bytes.size() ||
      bytes[word_end] != ' ') {
    return std::nullopt;
  }
  const uint64_t end = word_end + 1 + shape.vector_bytes;
  if (end > bytes.size() || (newlines && (end == bytes.size() || bytes[end] != '\n'))) {
    return std::nullopt;
  }
  return skip_newlines(bytes, end);
}

bool starts_plausible_chain(const FileShape& shape, uint64_t pos, bool newlines) {
  for (int chained = 0; chained < kChainRecords; ++chained) {
    const auto end = plausible_record_end(shape, pos, newlines);
    if (!end) return false;
    pos = *end;
  }
  return true;
}

// A record boundary at or after `from`, looked for among candidates before `until`: the first
// offset from which kChainRecords records parse as plausible ones, moved on by one record, for
// a chain found from inside a word (its tail looks like a word too) still has its second record
// start at a true boundary. Only a guess: the walk of the share before must land exactly
// there, else the split is abandoned. Linear: the candidates inside one candidate word share
// its fate.
std::optional<uint64_t> find_record_boundary(const FileShape& shape, uint64_t from, uint64_t until,
                                             bool newlines) {
  const std::string_view bytes = shape.bytes;
  uint64_t candidate = from;
  while (candidate < until) {
    if (bytes[candidate] == '\n') {  // never a word's first byte: the reader skips it
      ++candidate;
      continue;
    }
    const uint64_t stop = candidate_word_end(bytes, candidate, newlines);
    if (stop == bytes.size()) return std::nullopt;
    if (bytes[stop] == ' ' && stop - candidate > kMaxPlausibleWordBytes) {
      candidate = stop - kMaxPlausibleWordBytes;  // the first with a word short enough
      continue;
    }
    if (bytes[stop] == ' ' && stop > candidate &&
        starts_plausible_chain(shape, candidate, newlines)) {
      return plausible_record_end(shape, candidate, newlines);
    }
    candidate = stop + 1;  // every candidate up to `stop` parses the same failing chain
  }
  return std::nullopt;
}

// --- Walking the records --------------------------------------------------------------------

// A share of the records: from `begin` (a word's first byte) up to the record that starts at
// `end_bound`, where the next share starts; probably ending near `expected_end`.
struct ChunkPlan {
  uint64_t begin = 0;
  uint64_t end_bound = UINT64_MAX;
  uint64_t expected_end = 0;
};

// What walking one share found, record by record.
struct ChunkResult {
  BigVector<char> arena;
  BigVector<uint64_t> word_offsets{0};
  BigVector<uint32_t> hashes;  // the low bits of hash_word(): all the index uses (see kMaxRecords)
  BigVector<uint64_t> row_offsets;
  BigVector<float> norms;
  std::vector<std::pair<uint64_t, uint64_t>> nonfinite;  // (record in the chunk, NaN/Inf count)
  uint64_t end = 0;               // where the next word starts (newlines skipped)
  bool stopped_at_issue = false;  // the next record must be left to the streaming reader

  uint64_t size() const { return row_offsets.size(); }
  void reserve(uint64_t records, uint64_t word_bytes) {
    arena.reserve(word_bytes);
    word_offsets.reserve(records + 1);
    hashes.reserve(records);
    row_offsets.reserve(records);
    norms.reserve(records);
  }
};

// Walks one share of the records, at most `max_records`, keeping for each its word, hash,
// row offset and norm. Stops early, marking the result, at the first record the streaming
// reader must judge. `reporter` is set only on the caller's thread.
void walk_chunk(const FileShape& shape, ChunkPlan plan, uint64_t max_records, bool has_first_record,
                ChunkResult& out, SharedProgress& progress, size_t chunk, bool reporter) {
  const std::string_view bytes = shape.bytes;
  const size_t dim = shape.dim;
  map_pages(bytes.substr(plan.begin, plan.expected_end - plan.begin));
  uint64_t pos = plan.begin;
  for (uint64_t n = 0; n < max_records; ++n) {
    if ((n & kProgressMask) == kProgressMask && progress.wanted()) {
      progress.set(chunk, pos - plan.begin);
      if (reporter) progress.report();
    }
    pos = skip_newlines(bytes, pos);
    if (pos >= plan.end_bound) break;
    const auto record = parse_record(shape, pos);
    if (!record) {
      out.stopped_at_issue = true;
      break;
    }
    const char* row = bytes.data() + record->row;
    if (has_first_record && n == 0 &&
        looks_like_text_numbers(std::string_view(row, shape.vector_bytes))) {
      out.stopped_at_issue = true;
      break;
    }
    // The same expression as Embeddings::compute_norms, so that the norms are bit-identical.
    const float norm =
        std::sqrt(kernels::squared_norm({reinterpret_cast<const float*>(row), dim}));
    if (!std::isfinite(norm)) {
      const uint64_t nonfinite = count_nonfinite(row, dim);
      if (nonfinite > 0 && !shape.allow_nonfinite) {
        out.stopped_at_issue = true;
        break;
      }
      if (nonfinite > 0) out.nonfinite.emplace_back(n, nonfinite);
    }
    const std::string_view word = bytes.substr(record->word_begin, record->word_size);
    out.arena.insert(out.arena.end(), word.begin(), word.end());
    out.word_offsets.push_back(out.arena.size());
    out.hashes.push_back(static_cast<uint32_t>(vocabulary_hash::hash_word(word)));
    out.row_offsets.push_back(record->row);
    out.norms.push_back(norm);
    pos = record->row + shape.vector_bytes;
  }
  out.end = skip_newlines(bytes, pos);
  if (progress.wanted()) {
    progress.set(chunk, out.end - plan.begin);
    // Shares can be shorter than the reporting interval: say each one's end.
    if (reporter) progress.report();
  }
}

// Where each share starts: `chunks` about equal shares of the bytes the records to read should
// span, each start a record boundary found by find_record_boundary. Shares whose boundary is
// not found are merged into the one before.
std::vector<ChunkPlan> plan_chunks(const FileShape& shape, uint64_t data_start, uint64_t span_end,
                                   unsigned chunks, bool newlines) {
  std::vector<ChunkPlan> plans{ChunkPlan{data_start, UINT64_MAX, span_end}};
  const uint64_t span = span_end - data_start;
  // Enough candidates to cross a few records, however long the vectors are.
  const uint64_t search_bytes = std::max<uint64_t>(256 << 10, 8 * (shape.vector_bytes + 64));
  for (unsigned c = 1; c < chunks; ++c) {
    const uint64_t from = data_start + span / chunks * c;
    if (from <= plans.back().begin) continue;
    const auto boundary =
        find_record_boundary(shape, from, std::min(span_end, from + search_bytes), newlines);
    if (!boundary || *boundary <= plans.back().begin || *boundary >= shape.bytes.size()) continue;
    plans.back().end_bound = plans.back().expected_end = *boundary;
    plans.push_back(ChunkPlan{*boundary, UINT64_MAX, std::max(*boundary, span_end)});
  }
  return plans;
}

// Runs walk_chunk for every plan on `threads` threads, this one included (it alone reports
// the progress), each taking the next plan not yet taken.
std::vector<ChunkResult> walk_chunks(const FileShape& shape, const std::vector<ChunkPlan>& plans,
                                     uint64_t records, unsigned threads,
                                     SharedProgress& progress) {
  std::vector<ChunkResult> results(plans.size());
  // The first share's arrays receive all the records in the end: room for them all. The
  // others get a quarter more than their share of the bytes suggests, and grow if need be.
  // Words: GoogleNews averages 15 bytes.
  const uint64_t span = std::max<uint64_t>(1, plans.back().expected_end - plans.front().begin);
  results[0].reserve(records, records * 24);
  for (size_t c = 1; c < plans.size(); ++c) {
    const double share = static_cast<double>(plans[c].expected_end - plans[c].begin) /
                         static_cast<double>(span);
    const auto expected = static_cast<uint64_t>(1.25 * share * static_cast<double>(records));
    const uint64_t room = std::min(records, expected + 1024);
    results[c].reserve(room, room * 24);
  }
  run_tasks(plans.size(), threads, [&](size_t c, bool on_this_thread) {
    walk_chunk(shape, plans[c], records, c == 0, results[c], progress, c, on_this_thread);
  });
  return results;
}

enum class Verdict { complete, streaming_reader_must_judge, split_missed };

// Whether the shares together hold the first `records` records exactly as one sequential walk
// would have found them, and how many shares that takes.
Verdict check_chunks(const std::vector<ChunkPlan>& plans, const std::vector<ChunkResult>& results,
                     uint64_t records, size_t& chunks_used) {
  uint64_t have = 0;
  for (size_t c = 0; c < results.size(); ++c) {
    have += results[c].size();
    chunks_used = c + 1;
    if (have >= records) return Verdict::complete;
    if (results[c].stopped_at_issue) return Verdict::streaming_reader_must_judge;
    if (c + 1 == results.size()) return Verdict::streaming_reader_must_judge;  // never: walks end
    if (results[c].end != plans[c + 1].begin) return Verdict::split_missed;
  }
  return Verdict::streaming_reader_must_judge;
}

// Copies the first `take` records of `from` into `into` from its record `first` and its word
// byte `first_byte` on (room made already).
void copy_records(ChunkResult& into, const ChunkResult& from, uint64_t take, uint64_t first,
                  uint64_t first_byte) {
  std::memcpy(into.arena.data() + first_byte, from.arena.data(), from.word_offsets[take]);
  for (uint64_t r = 1; r <= take; ++r) {
    into.word_offsets[first + r] = from.word_offsets[r] + first_byte;
  }
  std::memcpy(into.hashes.data() + first, from.hashes.data(), take * sizeof(uint32_t));
  std::memcpy(into.row_offsets.data() + first, from.row_offsets.data(), take * sizeof(uint64_t));
  std::memcpy(into.norms.data() + first, from.norms.data(), take * sizeof(float));
}

// The hash index's table, all slots empty; filled by run_tasks in pieces.
constexpr size_t kSlotPieces = 8;

void fill_slot_piece(BigVector<uint32_t>& slots, size_t piece) {
  const size_t begin = slots.size() * piece / kSlotPieces;
  const size_t end = slots.size() * (piece + 1) / kSlotPieces;
  std::fill(slots.begin() + static_cast<ptrdiff_t>(begin),
            slots.begin() + static_cast<ptrdiff_t>(end), vocabulary_hash::kEmptySlot);
}

// The records of all shares in file order, cut to `records`, in the first share's arrays (the
// others copied there by every thread at once), and the empty hash table. Memory written for
// the first time is costly: the kernel clears each page, and a virtual machine's host may have
// to back it first (on this VM, at times 0.5 GB/s). So the work is shared among the cores,
// and the table is laid out in the memory the other shares' arrays just gave back.
ChunkResult merge_chunks(std::vector<ChunkResult>& results, size_t chunks_used, uint64_t records,
                         unsigned threads, uint64_t& nonfinite_values,
                         BigVector<uint32_t>& slots) {
  std::vector<uint64_t> take(chunks_used), first(chunks_used), first_byte(chunks_used);
  uint64_t total = 0;
  uint64_t total_bytes = 0;
  for (size_t c = 0; c < chunks_used; ++c) {
    take[c] = std::min(results[c].size(), records - total);
    first[c] = total;
    first_byte[c] = total_bytes;
    total += take[c];
    total_bytes += results[c].word_offsets[take[c]];
    for (const auto& [record, count] : results[c].nonfinite) {
      if (record < take[c]) nonfinite_values += count;
    }
  }
  ChunkResult merged = std::move(results[0]);
  merged.arena.resize(total_bytes);
  merged.word_offsets.resize(total + 1);
  merged.hashes.resize(total);
  merged.row_offsets.resize(total);
  merged.norms.resize(total);
  run_tasks(chunks_used - 1, threads, [&](size_t c, bool) {
    copy_records(merged, results[c + 1], take[c + 1], first[c + 1], first_byte[c + 1]);
  });
  results.clear();
  slots.resize(vocabulary_hash::capacity_for(records));
  run_tasks(kSlotPieces, threads, [&](size_t piece, bool) { fill_slot_piece(slots, piece); });
  return merged;
}

// --- The vocabulary's hash index ------------------------------------------------------------

// Vocabulary's index exactly as Vocabulary::reserve(records) and then add() of every record in
// order would lay it out (model/vocabulary_hash.hpp: same capacity, hash and probing), in the
// empty table `slots`,
// with values that are record numbers. Fills `duplicates` with the records whose word an
// earlier record already has. Prefetching the slots of the records a little ahead keeps many
// cache misses in flight.
void build_index(const ChunkResult& words, BigVector<uint32_t>& slots,
                 std::vector<uint32_t>& duplicates) {
  const size_t count = words.size();
  const auto word = [&words](size_t r) {
    return std::string_view(words.arena.data() + words.word_offsets[r],
                            words.word_offsets[r + 1] - words.word_offsets[r]);
  };
  for (size_t r = 0; r < count; ++r) {
    if (r + kPrefetchDistance < count) {
      const vocabulary_hash::Probe ahead(words.hashes[r + kPrefetchDistance], slots.size());
      __builtin_prefetch(&slots[ahead.slot()], 1);
    }
    const uint32_t hash = words.hashes[r];
    for (vocabulary_hash::Probe probe(hash, slots.size());; probe.next()) {
      const uint32_t occupant = slots[probe.slot()];
      if (occupant == vocabulary_hash::kEmptySlot) {
        slots[probe.slot()] = static_cast<uint32_t>(r);
        break;
      }
      if (words.hashes[occupant] == hash && word(occupant) == word(r)) {
        duplicates.push_back(static_cast<uint32_t>(r));
        break;
      }
    }
  }
}

// Drops the records in `duplicates` (ascending) and renumbers the index from records to rows.
void drop_duplicates(ChunkResult& words, BigVector<uint32_t>& slots,
                     const std::vector<uint32_t>& duplicates) {
  BigVector<uint32_t> row_of_record(words.size());
  ChunkResult kept;
  kept.reserve(words.size() - duplicates.size(), words.arena.size());
  size_t next_duplicate = 0;
  for (uint64_t r = 0; r < words.size(); ++r) {
    if (next_duplicate < duplicates.size() && duplicates[next_duplicate] == r) {
      ++next_duplicate;
      continue;
    }
    row_of_record[r] = static_cast<uint32_t>(kept.size());
    const auto begin = words.arena.begin() + static_cast<ptrdiff_t>(words.word_offsets[r]);
    const auto end = words.arena.begin() + static_cast<ptrdiff_t>(words.word_offsets[r + 1]);
    kept.arena.insert(kept.arena.end(), begin, end);
    kept.word_offsets.push_back(kept.arena.size());
    kept.row_offsets.push_back(words.row_offsets[r]);
    kept.norms.push_back(words.norms[r]);
  }
  for (uint32_t& slot : slots) {
    if (slot != vocabulary_hash::kEmptySlot) slot = row_of_record[slot];
  }
  words = std::move(kept);
}

// How many shares to split the records into: the pool's rule with kChunksPerThread per core,
// none smaller than kMinRecordsPerChunk, and no split at all on one core.
unsigned chunk_count(unsigned requested, uint64_t records) {
  if (requested > 0) return requested;
  const TaskPlan plan(std::max<uint64_t>(1, records), 0, Split{kMinRecordsPerChunk, kChunksPerThread});
  return static_cast<unsigned>(plan.tasks());
}

// The bytes that the records to read should span: all of them, or with a limit as much of
// them as the average record in the file suggests.
uint64_t expected_span_end(uint64_t data_start, uint64_t file_end, uint64_t records,
                           uint64_t announced) {
  if (records >= announced) return file_end;
  const double fraction = static_cast<double>(records) / static_cast<double>(announced);
  return data_start + static_cast<uint64_t>(static_cast<double>(file_end - data_start) * fraction);
}

// The records, and an empty hash table for their words.
struct WalkedRecords {
  ChunkResult words;
  BigVector<uint32_t> slots;
};

// The first `records` records, walked in `chunks` shares; nullopt if the streaming reader must
// judge one of them.
std::optional<WalkedRecords> walk_records(const FileShape& shape, uint64_t data_start,
                                        uint64_t records, uint64_t announced, unsigned chunks,
                                        SharedProgress& progress, ReadNotes& info,
                                        MappedLoadTimes* times) {
  const auto start = Clock::now();
  const auto first = parse_record(shape, data_start);
  if (!first) return std::nullopt;
  const uint64_t span_end = expected_span_end(data_start, shape.bytes.size(), records, announced);
  const uint64_t first_end = first->row + shape.vector_bytes;
  const bool newlines = first_end < shape.bytes.size() && shape.bytes[first_end] == '\n';
  std::vector<ChunkPlan> plans = plan_chunks(shape, data_start, span_end, chunks, newlines);
  const unsigned threads = std::min<unsigned>(core_count(), static_cast<unsigned>(plans.size()));
  if (times) times->map_and_split += seconds_since(start);

  const auto walk_start = Clock::now();
  std::vector<ChunkResult> results = walk_chunks(shape, plans, records, threads, progress);
  size_t chunks_used = 0;
  Verdict verdict = check_chunks(plans, results, records, chunks_used);
  if (verdict == Verdict::split_missed) {
    // A boundary guess was wrong: walk again, on one thread, which cannot miss.
    if (times) times->split_missed = true;
    plans = {ChunkPlan{data_start, UINT64_MAX, span_end}};
    progress.restart();
    results = walk_chunks(shape, plans, records, 1, progress);
    verdict = check_chunks(plans, results, records, chunks_used);
  }
  if (verdict != Verdict::complete) return std::nullopt;
  if (times) {
    times->walk = seconds_since(walk_start);
    times->chunks = plans.size();
  }
  const auto merge_start = Clock::now();
  WalkedRecords walked;
  const unsigned merge_threads = records < kMinRecordsPerChunk ? 1 : core_count();
  walked.words = merge_chunks(results, chunks_used, records, merge_threads,
                              info.nonfinite_values, walked.slots);
  if (times) times->merge = seconds_since(merge_start);
  return walked;
}

// The vocabulary (its hash index built here, duplicates dropped) and the rows in place.
Embeddings assemble(std::shared_ptr<MappedRows> owner, WalkedRecords walked, uint64_t dim,
                    ReadNotes info, MappedLoadTimes* times) {
  const auto start = Clock::now();
  ChunkResult& words = walked.words;
  owner->slots = std::move(walked.slots);
  std::vector<uint32_t> duplicates;
  build_index(words, owner->slots, duplicates);
  if (!duplicates.empty()) {
    const uint32_t first = duplicates.front();  // build_index walks the records in order
    info.first_duplicate.assign(words.arena.data() + words.word_offsets[first],
                                words.word_offsets[first + 1] - words.word_offsets[first]);
    info.first_duplicate_record = uint64_t{first} + 1;
    drop_duplicates(words, owner->slots, duplicates);
  }
  info.duplicates_dropped = duplicates.size();
  if (times) times->index = seconds_since(start);

  owner->arena = std::move(words.arena);
  owner->word_offsets = std::move(words.word_offsets);
  owner->row_offsets = std::move(words.row_offsets);
  owner->norms = std::move(words.norms);
  Vocabulary vocabulary = Vocabulary::view(owner->arena, owner->word_offsets, owner->slots, owner);
  Matrix rows = Matrix::view_at_offsets(dim, owner->file->data(), owner->row_offsets, owner);
  const std::span<const float> norms = owner->norms;
  return Embeddings(std::move(vocabulary), std::move(rows), source_info(info), norms, {},
                    info.nonfinite_values);
}

std::optional<Embeddings> read_in_place(const ByteReader& in, const Header& header,
                                        const LoadOptions& options, ReadNotes info,
                                        unsigned chunks, MappedLoadTimes* times) {
  const auto start = Clock::now();
  auto owner = std::make_shared<MappedRows>();
  owner->file = map_as_opened(in);
  if (!owner->file) return std::nullopt;
  const FileShape shape{
      std::string_view(reinterpret_cast<const char*>(owner->file->data()), owner->file->size()),
      header.dim, header.dim * sizeof(float), options.allow_nonfinite};
  const uint64_t data_start = skip_newlines(shape.bytes, in.offset());
  const uint64_t records = records_to_read(header.count, options);
  if (times) times->map_and_split = seconds_since(start);

  SharedProgress progress(options, data_start, in.file_bytes(), std::max(1u, chunks));
  auto walked = walk_records(shape, data_start, records, header.count, chunks, progress, info,
                             times);
  if (!walked) return std::nullopt;
  const uint64_t after_last =
      skip_newlines(shape.bytes, walked->words.row_offsets.back() + shape.vector_bytes);
  info.records_read = records;
  info.trailing_data = records == header.count && after_last != shape.bytes.size();
  if (progress.wanted()) progress.report_position(after_last);
  Embeddings embeddings =
      assemble(std::move(owner), std::move(*walked), header.dim, std::move(info), times);
  if (times) times->total = seconds_since(start);
  return embeddings;
}

}  // namespace

std::optional<Embeddings> read_word2vec_binary_mapped(const ByteReader& in, const Header& header,
                                                      const LoadOptions& options,
                                                      const ReadNotes& info, unsigned chunks,
                                                      MappedLoadTimes* times) {
  if constexpr (std::endian::native != std::endian::little) return std::nullopt;
  if (in.is_gzip()) return std::nullopt;
  const uint64_t records = records_to_read(header.count, options);
  check_header(in, header, records, header.dim * sizeof(float) + 2, Records::binary);  // as the stream does
  if (records > kMaxRecords) return std::nullopt;
  try {
    return read_in_place(in, header, options, info, chunk_count(chunks, records), times);
  } catch (const std::bad_alloc&) {
    return std::nullopt;  // the streaming reader needs less memory at once: let it try
  }
}

}  // namespace embtool::formats
