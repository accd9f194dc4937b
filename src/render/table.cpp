#include "render/table.hpp"

#include <fmt/format.h>
#include <utf8proc.h>

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

// Columns on a terminal, as utf8proc (Julia's Unicode library) measures each character:
// East Asian wide and fullwidth ones take two, combining marks and other zero-width ones none.
// An invalid byte is shown as one replacement character.
size_t display_width(std::string_view text) {
  size_t width = 0;
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
  auto left = static_cast<utf8proc_ssize_t>(text.size());
  while (left > 0) {
    utf8proc_int32_t code_point = 0;
    const utf8proc_ssize_t length = utf8proc_iterate(p, left, &code_point);
    if (length <= 0) {
      width += 1;
      p += 1;
      left -= 1;
      continue;
    }
    width += static_cast<size_t>(std::max(0, utf8proc_charwidth(code_point)));
    p += length;
    left -= length;
  }
  return width;
}

namespace {

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
    case Cell::Kind::real:
      return cell.wide ? fmt::format("{}", cell.real) : fmt::format("{}", static_cast<float>(cell.real));
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
