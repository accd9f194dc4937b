// Answers (app/answers.hpp) in the three output formats: an aligned table for people, one JSON
// document a line, or TSV with a fixed set of columns. The schemas are documented in README.md:
// one schema per command, whatever the number of words asked about.
#pragma once

#include <functional>
#include <string>

#include "app/answers.hpp"
#include "base/error.hpp"

namespace embtool::output {

// How answers are written out: text tables for people, JSON lines or TSV for scripts.
enum class OutputStyle { text, json, tsv };

// How a front end words an error for people (its remedies in its own vocabulary: flags for
// the command line).
using ErrorWording = std::function<std::string(const Error&)>;

// The default wording: the error's message alone.
std::string plain_message(const Error& error);

// One command's answer. A failed query among several (neighbors W1 W2) has its error in its
// place in JSON; text and TSV leave it out (the front end reports it on stderr).
std::string render(const app::Answer& answer, OutputStyle format, bool color,
                   const ErrorWording& wording = plain_message);

// A batch: JSON, one object a line and a query word, each with "line" and "query"; TSV, one
// table for every kind of answer (line, query, query_word, measure, rank, word, value, error);
// text, a block a line under "> " and the line.
std::string render(const app::BatchAnswer& answer, OutputStyle format, bool color,
                   const ErrorWording& wording = plain_message);

// A line of the shell: its answer as a table, or "error: ..." (for each failed word too).
std::string render_for_shell(const app::BatchLineAnswer& line, bool color, const ErrorWording& wording);

// cache list: a table of the stores (text, TSV) or one JSON document; cache clear: what was
// removed, in a sentence or a JSON document.
std::string render(const app::CacheReport& report, OutputStyle format);

// What convert wrote, in a sentence for the log: "wrote x.emb (10 words x 3) in 0.001 s".
std::string describe(const app::ConvertReport& report);

}  // namespace embtool::output
