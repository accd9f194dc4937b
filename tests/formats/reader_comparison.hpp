// Comparing what two readers made of the same file (a reader that reads in place from a
// mapping against the streaming one): the same error, or the same words, rows, norms and notes.
#pragma once

#include <catch2/catch.hpp>

#include <bit>
#include <cstring>
#include <optional>
#include <string>

#include "base/error.hpp"
#include "formats/formats.hpp"

namespace embtool::testing {

// What a reader made of a file: the embeddings, or the error it threw.
struct Outcome {
  std::optional<Embeddings> embeddings;
  std::optional<ErrorKind> code;
  std::string message;
  bool mapped_declined = false;  // the mapped reader left the file to the streaming one
};

template <class Read>
Outcome outcome_of(Read read) {
  Outcome outcome;
  try {
    outcome.embeddings = read();
  } catch (const Error& e) {
    outcome.code = e.kind();
    outcome.message = e.what();
  }
  return outcome;
}

// The same notes, as facts (compression, header_count, records_read, duplicates_dropped, ...)
// and as warnings (data after the announced words, CR LF, the first duplicate, NaN/Inf kept).
inline void require_same_source(const Embeddings& ea, const Embeddings& eb) {
  const SourceInfo& a = ea.source();
  const SourceInfo& b = eb.source();
  CHECK(a.path == b.path);
  CHECK(a.format == b.format);
  CHECK(a.file_bytes == b.file_bytes);
  REQUIRE(a.facts.size() == b.facts.size());
  for (size_t i = 0; i < a.facts.size(); ++i) {
    CHECK(a.facts[i].name == b.facts[i].name);
    CHECK(a.facts[i].value == b.facts[i].value);
  }
  CHECK(load_warnings(a) == load_warnings(b));
  CHECK(ea.nonfinite_values() == eb.nonfinite_values());
}

// Every word, row bit and norm bit, each word found at its row, and (with `same_index`) the
// vocabulary's hash index laid out the same.
inline void require_identical(const Embeddings& a, const Embeddings& b, bool same_index = true) {
  REQUIRE(a.rows() == b.rows());
  REQUIRE(a.dim() == b.dim());
  require_same_source(a, b);
  const size_t row_bytes = a.dim() * sizeof(float);
  size_t differences = 0;
  for (uint32_t r = 0; r < a.rows(); ++r) {
    const bool same = a.vocabulary().word(r) == b.vocabulary().word(r) &&
                      std::memcmp(a.row_data(r), b.row_data(r), row_bytes) == 0 &&
                      std::bit_cast<uint32_t>(a.norm(r)) == std::bit_cast<uint32_t>(b.norm(r)) &&
                      a.vocabulary().find(a.vocabulary().word(r)) == r;
    if (!same && ++differences <= 5) {
      FAIL_CHECK("row " << r << " differs: '" << a.vocabulary().word(r) << "' vs '"
                        << b.vocabulary().word(r) << "'");
    }
  }
  CHECK(differences == 0);
  if (!same_index) return;
  const auto slots_a = a.vocabulary().slots();
  const auto slots_b = b.vocabulary().slots();
  CHECK(std::equal(slots_a.begin(), slots_a.end(), slots_b.begin(), slots_b.end()));
  const auto arena_a = a.vocabulary().arena();
  const auto arena_b = b.vocabulary().arena();
  CHECK(std::equal(arena_a.begin(), arena_a.end(), arena_b.begin(), arena_b.end()));
}

inline void require_same_outcome(const Outcome& got, const Outcome& expected, bool same_index = true) {
  if (expected.code) {
    INFO("expected the error: " << expected.message);
    REQUIRE(got.code.has_value());
    CHECK(*got.code == *expected.code);
    CHECK(got.message == expected.message);
    return;
  }
  INFO("got the error: " << got.message);
  REQUIRE(got.embeddings.has_value());
  CHECK_FALSE(got.mapped_declined);  // whatever the streaming reader accepts, in place
  require_identical(*got.embeddings, *expected.embeddings, same_index);
}

}  // namespace embtool::testing
