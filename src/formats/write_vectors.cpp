// Writing the classic formats back: word2vec binary (as word2vec.c writes it, a newline after
// each vector), word2vec text and GloVe text (each value the shortest decimal that reads back
// as the same float32). To a file through AtomicFile (the output appears whole or not at all),
// or to a stream (standard output), where a failed write is an error, never output lost.
#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <ostream>
#include <vector>

#include "base/error.hpp"
#include "base/thread_pool.hpp"
#include "formats/formats.hpp"
#include "formats/registry.hpp"
#include "base/atomic_file.hpp"

namespace embtool {
namespace {

constexpr uint32_t kRowsPerBlock = 4096;

enum class Layout { word2vec_binary, word2vec_text, glove };

// The layout of a format's name or alias; an invalid_argument Error for the others.
Layout layout_of(std::string_view format) {
  const FormatDescriptor* named = find_format(format);
  const std::string_view name = named ? std::string_view(named->name) : std::string_view();
  if (name == "word2vec-binary") return Layout::word2vec_binary;
  if (name == "word2vec-text") return Layout::word2vec_text;
  if (name == "glove") return Layout::glove;
  throw Error(ErrorKind::invalid_argument, "write_vectors writes word2vec binary, word2vec text or GloVe");
}

std::string_view name_of(Layout layout) {
  switch (layout) {
    case Layout::word2vec_binary: return "word2vec-binary";
    case Layout::word2vec_text: return "word2vec-text";
    case Layout::glove: return "glove";
  }
  return "unknown";
}

// A word the format cannot hold would be read back as something else: refuse to write it.
void check_word(const Embeddings& e, uint32_t row, Layout format, std::string_view name) {
  const std::string_view word = e.vocabulary().word(row);
  const bool text = format != Layout::word2vec_binary;
  const char* problem = nullptr;
  if (word.find(' ') != std::string_view::npos) problem = "a space";
  else if (!word.empty() && word.front() == '\n') problem = "a newline at its start";
  else if (text && word.find_first_of("\n\r") != std::string_view::npos) problem = "a line break";
  if (problem == nullptr) return;
  throw Error(ErrorKind::invalid_argument,
              fmt::format("{}: word {} '{}' holds {}, which {} cannot store; nothing was written",
                          name, row + 1, word, problem, name_of(format)));
}

void append_binary_row(const Embeddings& e, uint32_t row, std::string& out) {
  out += e.vocabulary().word(row);
  out += ' ';
  const size_t start = out.size();
  out.resize(start + e.dim() * sizeof(float));
  if (e.has_f32_rows()) {
    std::memcpy(out.data() + start, e.row_data(row), e.dim() * sizeof(float));
  } else {
    const std::vector<float> values = e.row_values(row);  // float16 / bfloat16, exact in float32
    std::memcpy(out.data() + start, values.data(), e.dim() * sizeof(float));
  }
  if constexpr (std::endian::native == std::endian::big) {
    for (size_t i = start; i < out.size(); i += 4) std::reverse(out.begin() + i, out.begin() + i + 4);
  }
  out += '\n';
}

void append_text_row(const Embeddings& e, uint32_t row, std::string& out) {
  out += e.vocabulary().word(row);
  std::vector<float> values = e.row_values(row);
  auto it = std::back_inserter(out);
  for (float v : values) fmt::format_to(it, " {}", v);  // shortest form that reads back exactly
  out += '\n';
}

// Rows [begin, end) in the format's bytes.
std::string format_rows(const Embeddings& e, uint32_t begin, uint32_t end, Layout format) {
  std::string out;
  out.reserve(size_t{end - begin} * (e.dim() * (format == Layout::word2vec_binary ? 4 : 12) + 16));
  for (uint32_t r = begin; r < end; ++r) {
    if (format == Layout::word2vec_binary) append_binary_row(e, r, out);
    else append_text_row(e, r, out);
  }
  return out;
}

// The header and every row, in order, each piece handed to `write` as it is ready.
template <class Write>
void write_formatted(const Embeddings& e, Layout format, const VectorWriteOptions& options,
                     const Write& write) {
  if (format != Layout::glove) write(fmt::format("{} {}\n", e.rows(), e.dim()));
  // Text takes long to format: blocks are formatted on all cores, written in order.
  const size_t threads = format == Layout::word2vec_binary ? 1 : resolve_thread_count(0);
  const uint32_t rows = static_cast<uint32_t>(e.rows());
  std::vector<std::string> blocks(threads);
  for (uint32_t begin = 0; begin < rows;) {
    const size_t round_rows = std::min<size_t>(rows - begin, threads * size_t{kRowsPerBlock});
    const TaskPlan plan(round_rows, threads, Split{kRowsPerBlock, 1});
    parallel_for(plan, [&](const Task& task) {
      blocks[task.index] = format_rows(e, begin + static_cast<uint32_t>(task.begin),
                                       begin + static_cast<uint32_t>(task.end), format);
    });
    for (size_t t = 0; t < plan.tasks(); ++t) write(blocks[t]);
    begin += static_cast<uint32_t>(round_rows);
    if (options.progress) options.progress(begin, rows);
  }
}

}  // namespace

void write_vectors(const Embeddings& e, const std::filesystem::path& path, std::string_view format_name,
                   const VectorWriteOptions& options) {
  const Layout format = layout_of(format_name);
  for (uint32_t r = 0; r < e.rows(); ++r) check_word(e, r, format, path.string());
  AtomicFile file(path, options.force);
  write_formatted(e, format, options, [&file](const std::string& bytes) {
    file.write(bytes.data(), bytes.size());
  });
  file.commit();
}

void write_vectors(const Embeddings& e, std::ostream& out, std::string_view name,
                   std::string_view format_name, const VectorWriteOptions& options) {
  const Layout format = layout_of(format_name);
  for (uint32_t r = 0; r < e.rows(); ++r) check_word(e, r, format, name);
  const auto check = [&] {
    if (!out) throw Error(ErrorKind::io, fmt::format("{}: cannot write: the output is closed or full", name));
  };
  write_formatted(e, format, options, [&](const std::string& bytes) {
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    check();
  });
  out.flush();
  check();
}

}  // namespace embtool
