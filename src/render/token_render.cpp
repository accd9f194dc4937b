#include "render/token_render.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>

#include "render/table.hpp"

namespace embtool::output {
namespace {

using namespace embtool::app;

std::string table_text(const Table& table, bool tsv, bool color) {
  return tsv ? render_tsv(table) : render_text(table, color);
}

std::string span_text(const TokenPiece& t) {
  return fmt::format("[{},{})", t.begin, t.end);
}

void write_ids(JsonWriter& json, const std::vector<TokenPiece>& tokens) {
  json.key("ids").begin_array();
  for (const TokenPiece& t : tokens) json.value(int64_t{t.id});
  json.end_array();
}

// "text", "ids", "tokens" (the tokenizer's own spelling) and "spans" ([begin, end) bytes).
void write_tokens(JsonWriter& json, const std::string& text,
                  const std::vector<TokenPiece>& tokens) {
  json.key("text").value(std::string_view(text));
  write_ids(json, tokens);
  json.key("tokens").begin_array();
  for (const TokenPiece& t : tokens) json.value(std::string_view(t.token));
  json.end_array().key("spans").begin_array();
  for (const TokenPiece& t : tokens)
    json.begin_array().value(int64_t{t.begin}).value(int64_t{t.end}).end_array();
  json.end_array();
}

void write_floats(JsonWriter& json, const std::vector<float>& values) {
  json.begin_array();
  for (const float v : values) json.value(v);
  json.end_array();
}

// A row of a diagnostics list: its id, word (a token's own spelling), and a token's text and kind.
void write_row(JsonWriter& json, const std::string& word, uint32_t id,
               const std::optional<TokenText>& token) {
  json.key("id").value(int64_t{id}).key("token").value(std::string_view(word));
  if (token)
    json.key("text")
        .value(std::string_view(token->text))
        .key("kind")
        .value(std::string_view(token->kind));
}

// Text: index, id, token (its own spelling), text (as shown), span. TSV: index, id, token,
// begin, end.
Table tokens_table(const std::vector<TokenPiece>& tokens, bool tsv) {
  Table table{tsv ? std::vector<std::string>{"index", "id", "token", "begin", "end"}
                  : std::vector<std::string>{"index", "id", "token", "text", "span"},
              {}};
  int64_t index = 0;
  for (const TokenPiece& t : tokens) {
    if (tsv)
      table.rows.push_back({index++, int64_t{t.id}, t.token, int64_t{t.begin}, int64_t{t.end}});
    else
      table.rows.push_back({index++, int64_t{t.id}, t.token, shown(t.token, t.text), span_text(t)});
  }
  return table;
}

std::string ids_line(const std::vector<TokenPiece>& tokens) {
  std::vector<int32_t> ids;
  for (const TokenPiece& t : tokens) ids.push_back(t.id);
  return fmt::format("{}\n", fmt::join(ids, " "));
}

std::string one_hot_sentence(const OneHotCheck& c) {
  const bool equal = c.equal_bits == c.rows_compared;
  std::string out = fmt::format(
      "one-hot check: {} of {} rows equal bit for bit{} (lookup: {:.3f} ms; one-hot x matrix over "
      "{} rows: "
      "{:.3f} ms)\n",
      c.equal_bits, c.rows_compared, equal ? "" : "; they differ", c.lookup_ms, c.matrix_rows,
      c.product_ms);
  if (!equal && c.equal_values > c.equal_bits) {
    out += fmt::format(
        "  {} more rows are equal as numbers: the product sums +0 where the matrix holds -0\n",
        c.equal_values - c.equal_bits);
  }
  return out;
}

std::string embed_text_blocks(const EmbedAnswer& a, bool color) {
  std::string out;
  for (size_t i = 0; i < a.tokens.size(); ++i) {
    const TokenPiece& t = a.tokens[i];
    out += fmt::format("token {}: id {}, {} \"{}\", bytes {}\n", i, t.id, printable(t.token),
                       printable(shown(t.token, t.text)), span_text(t));
    if (a.pool.empty()) out += vector_line(a.rows[i].word, a.vectors[i], color);
  }
  if (!a.pool.empty()) out += vector_line(a.pool, a.pooled, color);
  if (a.check) out += one_hot_sentence(*a.check);
  return out;
}

std::string embed_tsv(const EmbedAnswer& a) {
  const size_t dim =
      a.pool.empty() ? (a.vectors.empty() ? 0 : a.vectors.front().size()) : a.pooled.size();
  Table table{a.pool.empty() ? std::vector<std::string>{"index", "id", "token", "begin", "end"}
                             : std::vector<std::string>{"pool", "tokens"},
              {}};
  for (size_t j = 0; j < dim; ++j) table.columns.push_back(fmt::format("d{}", j));
  if (!a.pool.empty()) {
    std::vector<Cell> row{a.pool, static_cast<int64_t>(a.tokens.size())};
    for (const float v : a.pooled) row.emplace_back(v);
    table.rows.push_back(std::move(row));
  }
  for (size_t i = 0; a.pool.empty() && i < a.tokens.size(); ++i) {
    const TokenPiece& t = a.tokens[i];
    std::vector<Cell> row{static_cast<int64_t>(i), int64_t{t.id}, t.token, int64_t{t.begin},
                          int64_t{t.end}};
    for (const float v : a.vectors[i]) row.emplace_back(v);
    table.rows.push_back(std::move(row));
  }
  return render_tsv(table);
}

// Text for people: the median norm, then each list under a heading.
std::string diagnostics_text(const TokenDiagnosticsAnswer& a, bool color) {
  std::string out =
      fmt::format("{} rows x {} dimensions; median norm {:.6f}\n\n", a.rows, a.dim, a.median_norm);
  out += "lowest norms (candidates for under-trained tokens):\n";
  Table low{{"rank", "id", "token", "norm", "ratio"}, {}};
  int64_t rank = 0;
  for (const LowNormRow& r : a.low_norm) {
    low.rows.push_back(
        {++rank, int64_t{r.row.id}, shown(r.row.word, r.row.token), r.norm, r.ratio});
  }
  out += render_text(low, color);
  out += "\nnearest the mean row (cosine):\n";
  Table near{{"rank", "id", "token", "score"}, {}};
  rank = 0;
  for (const ScoredWord& w : a.near_mean)
    near.rows.push_back({++rank, int64_t{w.id}, shown(w.word, w.token), w.score});
  out += a.near_mean.empty() ? "  none: the mean row is all zeros\n" : render_text(near, color);
  if (!a.kinds.empty()) {
    out += "\ntokens of each kind:\n";
    Table kinds{{"kind", "rows"}, {}};
    for (const KindCount& k : a.kinds) kinds.rows.push_back({k.kind, k.rows});
    if (a.rows_past_tokens > 0) kinds.rows.push_back({"past the tokens", a.rows_past_tokens});
    out += render_text(kinds, color);
  }
  out += fmt::format("\ntied embeddings: {}\n", a.tied_embeddings);
  return out;
}

// TSV: one table, a row per fact or listed token: section, rank, id, token, text, kind,
// value, ratio.
std::string diagnostics_tsv(const TokenDiagnosticsAnswer& a) {
  Table table{{"section", "rank", "id", "token", "text", "kind", "value", "ratio"}, {}};
  table.rows.push_back({"median_norm", "", "", "", "", "", a.median_norm, ""});
  auto token_cells = [](const std::optional<TokenText>& token) {
    return token ? std::pair<Cell, Cell>{token->text, token->kind} : std::pair<Cell, Cell>{"", ""};
  };
  int64_t rank = 0;
  for (const LowNormRow& r : a.low_norm) {
    const auto [text, kind] = token_cells(r.row.token);
    table.rows.push_back(
        {"low_norm", ++rank, int64_t{r.row.id}, r.row.word, text, kind, r.norm, r.ratio});
  }
  rank = 0;
  for (const ScoredWord& w : a.near_mean) {
    const auto [text, kind] = token_cells(w.token);
    table.rows.push_back({"near_mean", ++rank, int64_t{w.id}, w.word, text, kind, w.score, ""});
  }
  for (const KindCount& k : a.kinds)
    table.rows.push_back({"kind", "", "", "", "", k.kind, k.rows, ""});
  table.rows.push_back({"rows_past_tokens", "", "", "", "", "", a.rows_past_tokens, ""});
  table.rows.push_back({"tied_embeddings", "", "", "", a.tied_embeddings, "", "", ""});
  return render_tsv(table);
}

}  // namespace

std::string shown(const std::string& word, const std::optional<TokenText>& token) {
  if (!token) return word;
  if (token->special) return fmt::format("{} [{}]", token->text, token->kind);
  const size_t blanks = std::min(token->text.find_first_not_of(' '), token->text.size());
  std::string text;
  for (size_t i = 0; i < blanks; ++i) text += "\u2423";
  return text + token->text.substr(blanks);
}

std::string vector_line(const std::string& word, const std::vector<float>& values, bool color) {
  return fmt::format("{}{}{} {}\n", color ? "\x1b[1m" : "", printable(word), color ? "\x1b[0m" : "",
                     fmt::join(values, " "));
}

void write_json_fields(JsonWriter& json, const TokenizeAnswer& a) {
  write_tokens(json, a.text, a.tokens);
}

void write_json_fields(JsonWriter& json, const DetokenizeAnswer& a) {
  json.key("ids").begin_array();
  for (const int32_t id : a.ids) json.value(int64_t{id});
  json.end_array().key("text").value(std::string_view(a.text));
}

void write_json_fields(JsonWriter& json, const EmbedAnswer& a) {
  write_tokens(json, a.text, a.tokens);
  if (a.pool.empty()) {
    json.key("vectors").begin_array();
    for (const auto& v : a.vectors) write_floats(json, v);
    json.end_array();
  } else {
    json.key("pool").value(std::string_view(a.pool)).key("vector");
    write_floats(json, a.pooled);
  }
  if (!a.check) return;
  const OneHotCheck& c = *a.check;
  json.key("one_hot_check").begin_object();
  json.key("rows_compared").value(c.rows_compared).key("matrix_rows").value(c.matrix_rows);
  json.key("equal_bits").value(c.equal_bits).key("equal_values").value(c.equal_values);
  json.key("equal").value(c.equal_bits == c.rows_compared);
  json.key("lookup_ms").value(c.lookup_ms).key("product_ms").value(c.product_ms).end_object();
}

void write_json_fields(JsonWriter& json, const TokenDiagnosticsAnswer& a) {
  json.key("rows").value(a.rows).key("dim").value(a.dim).key("median_norm").value(a.median_norm);
  json.key("low_norm").begin_array();
  int64_t rank = 0;
  for (const LowNormRow& r : a.low_norm) {
    json.begin_object().key("rank").value(++rank);
    write_row(json, r.row.word, r.row.id, r.row.token);
    json.key("norm").value(r.norm).key("ratio").value(r.ratio).end_object();
  }
  json.end_array().key("near_mean").begin_array();
  rank = 0;
  for (const ScoredWord& w : a.near_mean) {
    json.begin_object().key("rank").value(++rank);
    write_row(json, w.word, w.id, w.token);
    json.key("score").value(w.score).end_object();
  }
  json.end_array();
  if (!a.kinds.empty()) {
    json.key("kinds").begin_object();
    for (const KindCount& k : a.kinds) json.key(k.kind).value(k.rows);
    json.end_object();
  }
  json.key("rows_past_tokens").value(a.rows_past_tokens);
  json.key("tied_embeddings").value(std::string_view(a.tied_embeddings));
}

std::string token_table(const TokenizeAnswer& a, bool tsv, bool color) {
  if (a.ids_only && !tsv) return ids_line(a.tokens);
  return table_text(tokens_table(a.tokens, tsv), tsv, color);
}

// Text: the bytes themselves, nothing added, so that `detokenize $(tokenize --ids X)` writes X.
std::string token_table(const DetokenizeAnswer& a, bool tsv, bool) {
  if (!tsv) return a.text;
  return render_tsv(Table{{"text"}, {{a.text}}});
}

std::string token_table(const EmbedAnswer& a, bool tsv, bool color) {
  return tsv ? embed_tsv(a) : embed_text_blocks(a, color);
}

std::string token_table(const TokenDiagnosticsAnswer& a, bool tsv, bool color) {
  return tsv ? diagnostics_tsv(a) : diagnostics_text(a, color);
}

}  // namespace embtool::output
