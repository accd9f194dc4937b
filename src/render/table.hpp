// A result table, rendered as aligned text for people or as TSV for scripts.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace embtool::output {

// One value of a table: text, a float (6 decimals as text; exact, in its shortest
// round-trip form, in TSV as in JSON: a float32 as a float32, a double as a double) or an
// integer.
struct Cell {
  enum class Kind { text, real, integer };
  Cell(std::string s) : kind(Kind::text), text(std::move(s)) {}
  Cell(const char* s) : kind(Kind::text), text(s) {}
  Cell(float f) : kind(Kind::real), real(f) {}
  Cell(double d) : kind(Kind::real), real(d), wide(true) {}
  Cell(int64_t i) : kind(Kind::integer), integer(i) {}

  Kind kind;
  std::string text;
  double real = 0.0;
  bool wide = false;  // a double: its own shortest form, not a float32's
  int64_t integer = 0;
};

struct Table {
  std::vector<std::string> columns;
  std::vector<std::vector<Cell>> rows;
};

// Columns aligned (numbers to the right), a header line; bold header when `color`.
std::string render_text(const Table& table, bool color);

// A header line, then one line a row, fields separated by tabs; tabs, newlines and
// backslashes inside fields are written as \t, \n, \r and \\.
std::string render_tsv(const Table& table);

// The rows alone, without the header line.
std::string render_tsv_rows(const Table& table);

// One TSV field: tab, newline, carriage return and backslash written as \t, \n, \r and \\.
std::string tsv_escape(std::string_view text);

// The columns `text` takes on a terminal: East Asian wide characters 2, combining marks 0.
size_t display_width(std::string_view text);

// Control characters shown as \xNN, so that a word cannot disturb a terminal.
std::string printable(std::string_view text);

}  // namespace embtool::output
