// The .emb layout: a fixed header, then sections, each starting on a 4 KiB page so that the
// big ones map cleanly and every row section starts 64-byte aligned.
//
//   header   magic "EMBSTORE", version, byte-order mark, file size, rows, dim, section table
//   sections metadata (key=value lines), vocabulary bytes, word offsets (rows + 1 uint64),
//            hash slots (uint32, laid out as model/vocabulary_hash.hpp says), norms (float32),
//            rows f32 (stride floats each), optional rows f16 / rows bf16 / rows i8 + i8 scales;
//            for a tokenizer model, one token kind byte per row. A model whose rows are
//            float16 or bfloat16 (an LLM checkpoint) keeps them as its rows, with no f32 copy.
//
// All numbers are in the writer's byte order; the byte-order mark lets a reader on another
// kind of machine refuse the file instead of misreading it.
#include "formats/store/store_file.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cstring>
#include <limits>
#include <map>
#include <string>

#include "base/error.hpp"
#include "formats/readers.hpp"
#include "kernels/quantized.hpp"
#include "base/atomic_file.hpp"
#include "base/mapped_file.hpp"

namespace embtool {
namespace {

constexpr std::array<char, 8> kMagic = {'E', 'M', 'B', 'S', 'T', 'O', 'R', 'E'};
constexpr const char* kStoreFormatName = "embtool-store";
static_assert(std::string_view(kMagic.data(), kMagic.size()) == kStoreMagic);
constexpr uint32_t kByteOrderMark = 0x01020304;
constexpr uint64_t kSectionAlignment = 4096;
constexpr size_t kMaxSections = 12;

enum class SectionKind : uint32_t {
  none = 0,
  metadata = 1,
  vocabulary_bytes = 2,
  word_offsets = 3,
  hash_slots = 4,
  norms = 5,
  rows_f32 = 6,
  rows_f16 = 7,
  rows_i8 = 8,
  scales_i8 = 9,
  rows_bf16 = 10,  // added after version 1's first files; readers that predate it skip it
  token_kinds = 11,  // one TokenKind byte per row (tokenizer models); older readers skip it
};

struct Section {
  uint32_t kind = 0;
  uint32_t element_bytes = 0;
  uint64_t offset = 0;
  uint64_t bytes = 0;
  uint64_t stride = 0;  // elements per row, for row sections
};

struct Header {
  std::array<char, 8> magic = kMagic;
  uint32_t version = kStoreVersion;
  uint32_t byte_order = kByteOrderMark;
  uint64_t file_bytes = 0;
  uint64_t rows = 0;
  uint64_t dim = 0;
  uint64_t section_count = 0;
  std::array<Section, kMaxSections> sections{};
};
static_assert(std::is_trivially_copyable_v<Header>);
static_assert(sizeof(Header) == 48 + kMaxSections * sizeof(Section));

uint64_t align_up(uint64_t n, uint64_t alignment) { return (n + alignment - 1) / alignment * alignment; }

[[noreturn]] void bad_store(const std::filesystem::path& path, std::string_view problem) {
  throw Error(ErrorKind::bad_data, fmt::format("{}: {}", path.string(), problem));
}

// ---- writing ---------------------------------------------------------------------------------

// What the store keeps of the file it was converted from: the facts its reader recorded.
std::string metadata_text(const Embeddings& e) {
  const SourceInfo& source = e.source();
  std::string text;
  auto line = [&](std::string_view key, const auto& value) {
    text += fmt::format("{}={}\n", key, value);
  };
  line("source_path", source.path);
  line("source_format", source.format);
  line("source_gzip", source.text("compression") == "gzip" ? 1 : 0);
  line("source_bytes", source.file_bytes);
  line("header_count", source.number("header_count"));
  line("records_read", source.number("records_read"));
  line("duplicates_dropped", source.number("duplicates_dropped"));
  line("nonfinite_values", e.nonfinite_values());
  if (const Tokens* tokens = e.tokens()) {
    line("token_spelling", token_spelling_name(tokens->spelling()));
    line("tokenizer", tokens->tokenizer());
  }
  // Every other fact of the reader's (a checkpoint's architecture, tensor, tokenizer...), so
  // that info on the store tells what info on the source told.
  for (const SourceFact& fact : source.facts) {
    const std::string value = std::visit([](const auto& v) { return fmt::format("{}", v); }, fact.value);
    if (value.find('\n') != std::string::npos || fact.name.find('=') != std::string::npos) continue;
    const char type = std::holds_alternative<std::string>(fact.value) ? 's'
                      : std::holds_alternative<int64_t>(fact.value) ? 'i'
                      : std::holds_alternative<bool>(fact.value)    ? 'b'
                                                                    : 'd';
    text += fmt::format("fact.{}.{}={}\n", type, fact.name, value);
  }
  return text;
}

// The facts metadata_text kept, as they were recorded (facts of the store's own reader, that
// a store converted from a store would repeat, excepted).
std::vector<SourceFact> kept_facts(std::string_view metadata) {
  static constexpr std::string_view kOwn[] = {"compression", "converted_from", "header_count", "records_read",
                                              "duplicates_dropped"};
  std::vector<SourceFact> facts = store_recorded_facts(metadata);
  std::erase_if(facts, [](const SourceFact& fact) {
    return std::find(std::begin(kOwn), std::end(kOwn), fact.name) != std::end(kOwn);
  });
  return facts;
}

// Places every section after the header, each on its own page.
class Layout {
 public:
  Layout(uint64_t rows, uint64_t dim) {
    header_.rows = rows;
    header_.dim = dim;
    end_ = align_up(sizeof(Header), kSectionAlignment);
  }
  void add(SectionKind kind, uint32_t element_bytes, uint64_t bytes, uint64_t stride = 0) {
    Section& s = header_.sections.at(header_.section_count++);
    s = Section{static_cast<uint32_t>(kind), element_bytes, end_, bytes, stride};
    end_ = align_up(end_ + bytes, kSectionAlignment);
  }
  Header finish() {
    header_.file_bytes = end_;
    return header_;
  }

 private:
  Header header_;
  uint64_t end_;
};

Header plan_layout(const Embeddings& e, std::span<const uint32_t> slots, std::span<const Dtype> reduced,
                   size_t metadata_bytes) {
  const Vocabulary& v = e.vocabulary();
  const uint64_t rows = e.rows();
  Layout layout(rows, e.dim());
  layout.add(SectionKind::metadata, 1, metadata_bytes);
  layout.add(SectionKind::vocabulary_bytes, 1, v.arena().size());
  layout.add(SectionKind::word_offsets, 8, v.offsets().size_bytes());
  layout.add(SectionKind::hash_slots, 4, slots.size_bytes());
  layout.add(SectionKind::norms, 4, rows * 4);
  if (e.dtype() == Dtype::f32) {
    const uint64_t f32_stride = kernels::padded_length(e.dim(), 4);
    layout.add(SectionKind::rows_f32, 4, rows * f32_stride * 4, f32_stride);
  }
  std::vector<Dtype> half_rows(reduced.begin(), reduced.end());
  if (e.dtype() == Dtype::f16 || e.dtype() == Dtype::bf16) half_rows.insert(half_rows.begin(), e.dtype());
  for (Dtype dtype : half_rows) {
    if (dtype == Dtype::f16 || dtype == Dtype::bf16) {
      const uint64_t stride = kernels::padded_length(e.dim(), 2);
      layout.add(dtype == Dtype::f16 ? SectionKind::rows_f16 : SectionKind::rows_bf16, 2,
                 rows * stride * 2, stride);
    } else if (dtype == Dtype::i8) {
      const uint64_t stride = kernels::padded_length(e.dim(), 1);
      layout.add(SectionKind::rows_i8, 1, rows * stride, stride);
      layout.add(SectionKind::scales_i8, 4, rows * 4);
    }
  }
  if (e.tokens() != nullptr) layout.add(SectionKind::token_kinds, 1, rows);
  return layout.finish();
}

// Writes the sections in the header's order, padding between them with zeros.
class SectionWriter {
 public:
  SectionWriter(AtomicFile& file, const Header& header, const LoadProgress& progress)
      : file_(file), header_(header), progress_(progress) {}

  void bytes(const void* data, size_t size) {
    file_.write(data, size);
    written_ += size;
    if (progress_ && (written_ - reported_) >= (64u << 20)) {
      progress_(written_, header_.file_bytes);
      reported_ = written_;
    }
  }
  void zeros(uint64_t count) {
    static constexpr std::array<char, 4096> kZeros{};
    while (count > 0) {
      const size_t n = std::min<uint64_t>(count, kZeros.size());
      bytes(kZeros.data(), n);
      count -= n;
    }
  }
  void pad_to(uint64_t offset) {
    if (offset < written_) throw Error(ErrorKind::internal, "internal error: store sections overlap");
    zeros(offset - written_);
  }
  void start(size_t section) { pad_to(header_.sections[section].offset); }
  void finish() {
    pad_to(header_.file_bytes);
    if (progress_) progress_(written_, header_.file_bytes);
  }

 private:
  AtomicFile& file_;
  const Header& header_;
  const LoadProgress& progress_;
  uint64_t written_ = 0;
  uint64_t reported_ = 0;
};

template <typename T>
void write_rows(SectionWriter& out, const Embeddings& e, uint64_t stride, auto&& convert_row) {
  std::vector<T> padded(stride);
  std::vector<float> values(e.dim());
  for (uint32_t r = 0; r < e.rows(); ++r) {
    e.matrix().decode_row(r, values);  // exact: float32, or float16 / bfloat16 rows
    convert_row(r, std::span<const float>(values), std::span<T>(padded.data(), e.dim()));
    out.bytes(padded.data(), padded.size() * sizeof(T));
  }
}

void write_sections(SectionWriter& out, const Embeddings& e, std::span<const uint32_t> slots,
                    const Header& header, const std::string& metadata) {
  const Vocabulary& v = e.vocabulary();
  std::vector<float> scales;
  for (size_t i = 0; i < header.section_count; ++i) {
    const Section& s = header.sections[i];
    out.start(i);
    switch (static_cast<SectionKind>(s.kind)) {
      case SectionKind::metadata: out.bytes(metadata.data(), metadata.size()); break;
      case SectionKind::vocabulary_bytes: out.bytes(v.arena().data(), v.arena().size()); break;
      case SectionKind::word_offsets: out.bytes(v.offsets().data(), v.offsets().size_bytes()); break;
      case SectionKind::hash_slots: out.bytes(slots.data(), slots.size_bytes()); break;
      case SectionKind::norms: out.bytes(e.norms().data(), e.norms().size_bytes()); break;
      case SectionKind::rows_f32:
        write_rows<float>(out, e, s.stride, [](uint32_t, auto in, auto row) {
          std::copy(in.begin(), in.end(), row.begin());
        });
        break;
      case SectionKind::rows_f16:
        write_rows<uint16_t>(out, e, s.stride, [](uint32_t, auto in, auto row) {
          kernels::to_half(in, row);
        });
        break;
      case SectionKind::rows_bf16:
        write_rows<uint16_t>(out, e, s.stride, [](uint32_t, auto in, auto row) {
          kernels::to_bf16(in, row);
        });
        break;
      case SectionKind::rows_i8:
        scales.assign(e.rows(), 0.0f);
        write_rows<int8_t>(out, e, s.stride, [&](uint32_t r, auto in, auto row) {
          scales[r] = kernels::quantize_row_i8(in, row);
        });
        break;
      case SectionKind::scales_i8: out.bytes(scales.data(), scales.size() * sizeof(float)); break;
      case SectionKind::token_kinds: {
        const std::span<const TokenKind> kinds = e.tokens()->kinds();
        out.bytes(kinds.data(), kinds.size_bytes());
        break;
      }
      case SectionKind::none: break;
    }
  }
  out.finish();
}

// float16 and bfloat16 copies need every value within their range (int8 scales any row).
void check_reducible(const Embeddings& e, std::span<const Dtype> reduced) {
  for (const Dtype dtype : {Dtype::f16, Dtype::bf16}) {
    if (std::find(reduced.begin(), reduced.end(), dtype) == reduced.end()) continue;
    const bool half = dtype == Dtype::f16;
    std::vector<float> values(e.dim());
    for (uint32_t r = 0; r < e.rows(); ++r) {
      e.matrix().decode_row(r, values);
      if (!(half ? kernels::finite_as_half(values) : kernels::finite_as_bf16(values))) {
        throw Error(ErrorKind::invalid_argument,
                    fmt::format("cannot add a {} copy: the vector of '{}' (row {}) has values "
                                "beyond {}'s range of {}",
                                half ? "float16" : "bfloat16", e.vocabulary().word(r), r,
                                half ? "float16" : "bfloat16", half ? "+-65504" : "+-3.39e38"),
                    Remedy::use_int8);
      }
    }
  }
}

// ---- reading ---------------------------------------------------------------------------------

Header read_header(const std::filesystem::path& path, const MappedFile& file) {
  Header header;
  if (file.size() < sizeof(Header)) bad_store(path, "too short to be an embtool store");
  std::memcpy(&header, file.data(), sizeof(Header));
  if (header.magic != kMagic) bad_store(path, "not an embtool store (no EMBSTORE magic number)");
  if (header.byte_order != kByteOrderMark) {
    bad_store(path, "this store was written on a machine of the other byte order; convert the "
                    "original vector file again on this machine");
  }
  if (header.version != kStoreVersion) {
    bad_store(path, fmt::format("store format version {}, but this embtool reads version {}; "
                                "convert the original vector file again with this embtool",
                                header.version, kStoreVersion));
  }
  if (header.file_bytes != file.size()) {
    bad_store(path, fmt::format("truncated or damaged: the header says {} bytes, the file has {}",
                                header.file_bytes, file.size()));
  }
  if (header.section_count > kMaxSections) bad_store(path, "damaged section table");
  if (header.rows == 0 || header.rows >= Vocabulary::kEmptySlot) bad_store(path, "damaged word count");
  if (header.dim == 0 || header.dim > (1u << 20)) bad_store(path, "damaged dimension");
  return header;
}

// The sections by kind, each checked to lie inside the file, aligned, and of the size its
// kind implies for `rows` x `dim`.
class Sections {
 public:
  Sections(const std::filesystem::path& path, const MappedFile& file, const Header& header)
      : path_(path), file_(file), header_(header) {
    for (size_t i = 0; i < header.section_count; ++i) {
      const Section& s = header.sections[i];
      if (s.offset % kSectionAlignment != 0 || s.offset > file.size() ||
          s.bytes > file.size() - s.offset) {
        bad_store(path, fmt::format("damaged section table (section {})", i + 1));
      }
      by_kind_[static_cast<SectionKind>(s.kind)] = s;
    }
  }

  bool has(SectionKind kind) const { return by_kind_.contains(kind); }

  // The section of `kind` as `count` elements of T (one row of `stride` per word for rows).
  template <typename T>
  std::span<const T> get(SectionKind kind, std::string_view name, uint64_t count) const {
    const auto it = by_kind_.find(kind);
    if (it == by_kind_.end()) bad_store(path_, fmt::format("the {} section is missing", name));
    const Section& s = it->second;
    if (s.element_bytes != sizeof(T) || s.bytes != count * sizeof(T)) {
      bad_store(path_, fmt::format("the {} section has the wrong size", name));
    }
    return {reinterpret_cast<const T*>(file_.data() + s.offset), count};
  }

  const Section& section(SectionKind kind, std::string_view name) const {
    const auto it = by_kind_.find(kind);
    if (it == by_kind_.end()) bad_store(path_, fmt::format("the {} section is missing", name));
    return it->second;
  }

  template <typename T>
  std::span<const T> rows(SectionKind kind, std::string_view name) const {
    const auto it = by_kind_.find(kind);
    if (it == by_kind_.end()) bad_store(path_, fmt::format("the {} section is missing", name));
    const uint64_t stride = it->second.stride;
    if (stride < header_.dim || stride > 2 * header_.dim + 64) {
      bad_store(path_, fmt::format("the {} section has a damaged row stride", name));
    }
    return get<T>(kind, name, header_.rows * stride);
  }

 private:
  const std::filesystem::path& path_;
  const MappedFile& file_;
  const Header& header_;
  std::map<SectionKind, Section> by_kind_;
};

// The vocabulary bytes of the first words, which end where the word offsets (read from the
// file) say: a damaged offset is refused here, for a span cut longer than its section would
// reach past it unnoticed (the vocabulary checks each word against the bytes it is given).
std::span<const char> first_words_bytes(const std::filesystem::path& path,
                                        std::span<const char> arena,
                                        std::span<const uint64_t> first_offsets) {
  const uint64_t end = first_offsets.back();
  if (end > arena.size()) {
    bad_store(path, fmt::format("damaged word offsets: word {} ends at byte {}, past the end "
                                "of the {} vocabulary bytes",
                                first_offsets.size() - 1, end, arena.size()));
  }
  return arena.first(end);
}

// What the store records about the file it was converted from, as a reader's notes.
formats::ReadNotes read_notes(const std::filesystem::path& path, const MappedFile& file,
                              std::span<const char> metadata) {
  formats::ReadNotes info;
  info.path = path.string();
  info.format = kStoreFormatName;
  info.file_bytes = file.size();
  std::map<std::string, std::string, std::less<>> fields;
  std::string_view text(metadata.data(), metadata.size());
  while (!text.empty()) {
    const size_t end = std::min(text.find('\n'), text.size());
    const std::string_view line = text.substr(0, end);
    const size_t equals = line.find('=');
    if (equals != std::string_view::npos) {
      fields[std::string(line.substr(0, equals))] = std::string(line.substr(equals + 1));
    }
    text.remove_prefix(std::min(end + 1, text.size()));
  }
  auto number = [&](std::string_view key) {
    uint64_t value = 0;
    if (const auto it = fields.find(key); it != fields.end()) {
      std::from_chars(it->second.data(), it->second.data() + it->second.size(), value);
    }
    return value;
  };
  info.header_count = number("header_count");
  info.records_read = number("records_read");
  info.duplicates_dropped = number("duplicates_dropped");
  info.nonfinite_values = number("nonfinite_values");
  if (fields.contains("source_path")) {
    info.converted_from = fmt::format("{} ({})", fields["source_path"], fields["source_format"]);
  }
  return info;
}

// The model's own rows: float32, or (a store of an LLM checkpoint's half-precision rows)
// float16 or bfloat16; the first `visible` of them.
Matrix own_rows(const Sections& sections, const Header& header, uint64_t visible,
                const std::shared_ptr<const MappedFile>& file) {
  auto view = [&](Dtype dtype, SectionKind kind, std::string_view name, auto element) {
    const auto rows = sections.rows<decltype(element)>(kind, name);
    return Matrix::view(dtype, header.rows, header.dim, reinterpret_cast<const std::byte*>(rows.data()),
                        sections.section(kind, name).stride, file)
        .first_rows(visible);
  };
  if (sections.has(SectionKind::rows_f32) || !(sections.has(SectionKind::rows_bf16) || sections.has(SectionKind::rows_f16))) {
    return view(Dtype::f32, SectionKind::rows_f32, "float32 rows", float{});
  }
  if (sections.has(SectionKind::rows_bf16)) return view(Dtype::bf16, SectionKind::rows_bf16, "bfloat16 rows", uint16_t{});
  return view(Dtype::f16, SectionKind::rows_f16, "float16 rows", uint16_t{});
}

// The token kinds of a tokenizer model's store, checked, and the spelling its metadata names.
std::optional<Tokens> stored_tokens(const std::filesystem::path& path, const Sections& sections, uint64_t rows,
                                    uint64_t visible, std::span<const char> metadata) {
  if (!sections.has(SectionKind::token_kinds)) return std::nullopt;
  const auto bytes = sections.get<uint8_t>(SectionKind::token_kinds, "token kinds", rows);
  std::vector<TokenKind> kinds;
  kinds.reserve(visible);
  for (uint64_t r = 0; r < visible; ++r) {
    if (bytes[r] > static_cast<uint8_t>(TokenKind::byte)) {
      bad_store(path, fmt::format("damaged token kinds: row {} has kind {}", r, bytes[r]));
    }
    kinds.push_back(static_cast<TokenKind>(bytes[r]));
  }
  const std::string_view text(metadata.data(), metadata.size());
  auto field = [&](std::string_view key) -> std::string {
    const std::string prefix = fmt::format("{}=", key);
    const size_t at = text.starts_with(prefix) ? 0 : text.find("\n" + prefix);
    if (at == std::string_view::npos) return {};
    const size_t begin = at + (at == 0 && text.starts_with(prefix) ? 0 : 1) + prefix.size();
    return std::string(text.substr(begin, std::min(text.find('\n', begin), text.size()) - begin));
  };
  TokenSpelling spelling = TokenSpelling::raw;
  for (const TokenSpelling s : {TokenSpelling::byte_level, TokenSpelling::sentencepiece, TokenSpelling::wordpiece}) {
    if (field("token_spelling") == token_spelling_name(s)) spelling = s;
  }
  return Tokens(std::move(kinds), spelling, field("tokenizer"));
}

// The reduced copies the store holds (those that are not the model's own rows), the first
// `visible` rows of each.
std::vector<Matrix> reduced_copies(const Sections& sections, const Header& header, Dtype own,
                                   uint64_t visible, const std::shared_ptr<const MappedFile>& file) {
  std::vector<Matrix> copies;
  auto add_copy = [&](Dtype dtype, SectionKind kind, std::string_view name, auto element,
                      std::span<const float> scales) {
    if (!sections.has(kind) || dtype == own) return;
    const auto rows = sections.rows<decltype(element)>(kind, name);
    copies.push_back(Matrix::view(dtype, header.rows, header.dim,
                                  reinterpret_cast<const std::byte*>(rows.data()),
                                  sections.section(kind, name).stride, file, scales)
                         .first_rows(visible));
  };
  add_copy(Dtype::f16, SectionKind::rows_f16, "float16 rows", uint16_t{}, {});
  add_copy(Dtype::bf16, SectionKind::rows_bf16, "bfloat16 rows", uint16_t{}, {});
  if (sections.has(SectionKind::rows_i8)) {
    const auto scales = sections.get<float>(SectionKind::scales_i8, "int8 scales", header.rows);
    add_copy(Dtype::i8, SectionKind::rows_i8, "int8 rows", int8_t{}, scales);
  }
  return copies;
}

}  // namespace

void write_store(const Embeddings& embeddings, const std::filesystem::path& path,
                 const StoreWriteOptions& options, std::string_view extra_metadata) {
  if (embeddings.rows() == 0) throw Error(ErrorKind::invalid_argument, "nothing to write: no words");
  if (embeddings.dim() == 0) {
    throw Error(ErrorKind::invalid_argument,
                fmt::format("nothing to write: {} holds a tokenizer but no embedding matrix", embeddings.source().path));
  }
  if (embeddings.dtype() == Dtype::i8) {
    throw Error(ErrorKind::internal, "internal error: a model whose own rows are int8");
  }
  // Reduced copies are scanned first and re-ranked exactly on float32 rows: a model whose
  // own rows are half precision has no float32 rows to re-rank on.
  if (embeddings.dtype() != Dtype::f32 && !options.reduced.empty()) {
    throw Error(ErrorKind::invalid_argument,
                fmt::format("the model's rows are already {} (kept as they are): no reduced copy to add",
                            dtype_name(embeddings.dtype())));
  }
  check_reducible(embeddings, options.reduced);
  const std::string metadata = metadata_text(embeddings) + std::string(extra_metadata);
  // The vocabulary's index as it is (so a store converted again keeps its bytes), unless it
  // names rows that are not written (the first words of a store opened with a limit).
  const Vocabulary& v = embeddings.vocabulary();
  std::vector<uint32_t> fresh_index;
  if (v.index_names_rows_out_of_view()) fresh_index = v.index_of_words_in_view();
  const std::span<const uint32_t> slots = fresh_index.empty() ? v.slots() : fresh_index;
  const Header header = plan_layout(embeddings, slots, options.reduced, metadata.size());
  AtomicFile file(path, options.force);
  SectionWriter out(file, header, options.progress);
  out.bytes(&header, sizeof(header));
  write_sections(out, embeddings, slots, header, metadata);
  file.commit();
}

Embeddings open_store(const std::filesystem::path& path, std::optional<uint64_t> limit, std::string* metadata_out) {
  auto file = MappedFile::open(path);
  const Header header = read_header(path, *file);
  const Sections sections(path, *file, header);
  const uint64_t rows = header.rows;
  const uint64_t visible = limit ? std::min(*limit, rows) : rows;

  const auto metadata = sections.get<char>(SectionKind::metadata, "metadata",
                                           sections.section(SectionKind::metadata, "metadata").bytes);
  const auto offsets = sections.get<uint64_t>(SectionKind::word_offsets, "word offsets", rows + 1);
  const auto arena = sections.get<char>(SectionKind::vocabulary_bytes, "vocabulary", offsets.back());
  const auto slots = sections.get<uint32_t>(SectionKind::hash_slots, "hash index",
                                            sections.section(SectionKind::hash_slots, "hash index").bytes / 4);
  const auto norms = sections.get<float>(SectionKind::norms, "norms", rows);
  Matrix matrix = own_rows(sections, header, visible, file);
  std::vector<Matrix> reduced = reduced_copies(sections, header, matrix.dtype(), visible, file);
  std::optional<Tokens> tokens = stored_tokens(path, sections, rows, visible, metadata);
  const formats::ReadNotes notes = read_notes(path, *file, metadata);
  // A limit shows a prefix of every per-word section; the hash index still names all rows,
  // and the vocabulary treats those past the limit as absent.
  const auto visible_offsets = offsets.first(visible + 1);
  const auto visible_arena = first_words_bytes(path, arena, visible_offsets);
  Vocabulary vocabulary = Vocabulary::view(visible_arena, visible_offsets, slots, file, rows, path.string());
  SourceInfo source = formats::source_info(notes);
  for (SourceFact& fact : kept_facts(std::string_view(metadata.data(), metadata.size()))) {
    source.facts.push_back(std::move(fact));
  }
  Embeddings embeddings(std::move(vocabulary), std::move(matrix), std::move(source), norms.first(visible),
                        std::move(reduced), notes.nonfinite_values);
  if (tokens) embeddings.set_tokens(std::move(*tokens));
  if (metadata_out != nullptr) metadata_out->assign(metadata.data(), metadata.size());
  return embeddings;
}

std::vector<SourceFact> store_recorded_facts(std::string_view metadata) {
  std::vector<SourceFact> facts;
  while (!metadata.empty()) {
    const size_t end = std::min(metadata.find('\n'), metadata.size());
    const std::string_view line = metadata.substr(0, end);
    metadata.remove_prefix(std::min(end + 1, metadata.size()));
    const size_t equals = line.find('=');
    if (!line.starts_with("fact.") || line.size() < 8 || line[6] != '.' || equals == std::string_view::npos) continue;
    std::string name(line.substr(7, equals - 7));
    const std::string_view value = line.substr(equals + 1);
    if (line[5] == 'i') {
      int64_t n = 0;
      std::from_chars(value.data(), value.data() + value.size(), n);
      facts.push_back({std::move(name), n});
    } else if (line[5] == 'b') {
      facts.push_back({std::move(name), value == "true"});
    } else if (line[5] == 'd') {
      double d = 0;
      std::from_chars(value.data(), value.data() + value.size(), d);
      facts.push_back({std::move(name), d});
    } else {
      facts.push_back({std::move(name), std::string(value)});
    }
  }
  return facts;
}

}  // namespace embtool
