#include "render/table.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace embtool::output {

std::string tsv_escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\\': out += "\\\\"; break;
      default: out += c;
    }
  }
  return out;
}

namespace {

// Columns on a terminal: UTF-8 continuation bytes take no room.
size_t display_width(std::string_view text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

std::string text_of(const Cell& cell) {
  switch (cell.kind) {
    case Cell::Kind::text: return printable(cell.text);
    case Cell::Kind::real: return fmt::format("{:.6f}", cell.real);
    case Cell::Kind::integer: break;
  }
  return fmt::format("{}", cell.integer);
}

std::string tsv_of(const Cell& cell) {
  switch (cell.kind) {
    case Cell::Kind::text: return tsv_escape(cell.text);
    case Cell::Kind::real: return fmt::format("{}", cell.real);
    case Cell::Kind::integer: break;
  }
  return fmt::format("{}", cell.integer);
}

bool is_number(const Cell& cell) { return cell.kind != Cell::Kind::text; }

void append_padded(std::string& out, std::string_view text, size_t width, bool right) {
  const size_t pad = width - std::min(width, display_width(text));
  if (right) out.append(pad, ' ');
  out += text;
  if (!right) out.append(pad, ' ');
}

}  // namespace

std::string printable(std::string_view text) {
  std::string out;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) {
      out += fmt::format("\\x{:02x}", u);
    } else {
      out += c;
    }
  }
  return out;
}

std::string render_text(const Table& table, bool color) {
  const size_t n = table.columns.size();
  std::vector<std::vector<std::string>> cells;
  std::vector<size_t> width(n);
  std::vector<bool> right(n, !table.rows.empty());  // numbers align right if a column holds only numbers
  for (size_t c = 0; c < n; ++c) width[c] = display_width(table.columns[c]);
  for (const auto& row : table.rows) {
    auto& texts = cells.emplace_back();
    for (size_t c = 0; c < n; ++c) {
      texts.push_back(text_of(row[c]));
      width[c] = std::max(width[c], display_width(texts.back()));
      right[c] = right[c] && is_number(row[c]);
    }
  }
  auto append_line = [&](const std::vector<std::string>& texts) -> std::string {
    std::string line;
    for (size_t c = 0; c < n; ++c) {
      if (c > 0) line += "  ";
      // The last column needs no trailing padding unless it is right-aligned.
      if (c + 1 == n && !right[c]) {
        line += texts[c];
      } else {
        append_padded(line, texts[c], width[c], right[c]);
      }
    }
    return line;
  };
  std::string header = append_line(table.columns);
  std::string out = color ? fmt::format("\x1b[1m{}\x1b[0m\n", header) : header + "\n";
  for (const auto& texts : cells) out += append_line(texts) + "\n";
  return out;
}

std::string render_tsv(const Table& table) {
  return fmt::format("{}\n", fmt::join(table.columns, "\t")) + render_tsv_rows(table);
}

std::string render_tsv_rows(const Table& table) {
  std::string out;
  for (const auto& row : table.rows) {
    for (size_t c = 0; c < row.size(); ++c) {
      if (c > 0) out += '\t';
      out += tsv_of(row[c]);
    }
    out += '\n';
  }
  return out;
}

}  // namespace embtool::output
