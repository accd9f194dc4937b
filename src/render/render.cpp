#include "render/render.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstdio>

#include "render/json_writer.hpp"

namespace embtool::output {
namespace {

std::string as_text_or_tsv(const Table& table, OutputFormat format, bool color) {
  return format == OutputFormat::text ? render_text(table, color) : render_tsv(table);
}

// OutputFormat::rows: (measure, rank, word, value), blank where a measure has no such part.
Table long_rows() { return Table{{"measure", "rank", "word", "value"}, {}}; }

void add_ranked_rows(Table& table, const RankedResult& result) {
  int64_t rank = 0;
  for (const auto& [word, score] : result.results) table.rows.push_back({"score", ++rank, word, score});
}

void write_cell(JsonWriter& json, const Cell& cell) {
  switch (cell.kind) {
    case Cell::Kind::text: json.value(std::string_view(cell.text)); return;
    case Cell::Kind::real: json.value(cell.real); return;
    case Cell::Kind::integer: json.value(cell.integer); return;
  }
}

}  // namespace

std::string render(const RankedResult& result, OutputFormat format, bool color) {
  if (format == OutputFormat::json) {
    std::string out;
    JsonWriter json(out);
    json.begin_object().key("command").value(std::string_view(result.command));
    for (const auto& [name, text] : result.query) json.key(name).value(std::string_view(text));
    if (!result.error.empty()) {
      json.key("error").value(std::string_view(result.error)).end_object();
      return out + "\n";
    }
    json.key("k").value(result.k).key("results").begin_array();
    int64_t rank = 0;
    for (const auto& [word, score] : result.results) {
      json.begin_object().key("rank").value(++rank).key("word").value(std::string_view(word));
      json.key("score").value(score).end_object();
    }
    json.end_array().end_object();
    return out + "\n";
  }
  if (format == OutputFormat::rows) {
    Table table = long_rows();
    add_ranked_rows(table, result);
    return render_tsv_rows(table);
  }
  Table table{{"rank", "word", "score"}, {}};
  int64_t rank = 0;
  for (const auto& [word, score] : result.results) table.rows.push_back({++rank, word, score});
  return as_text_or_tsv(table, format, color);
}

std::string render(const std::vector<RankedResult>& results, OutputFormat format, bool color) {
  std::string out;
  if (format == OutputFormat::json) {
    for (const RankedResult& result : results) out += render(result, format, color);
    return out;
  }
  if (format == OutputFormat::rows) {
    Table table = long_rows();
    for (const RankedResult& result : results) add_ranked_rows(table, result);
    return render_tsv_rows(table);
  }
  if (format == OutputFormat::tsv) {
    Table table{{"query", "rank", "word", "score"}, {}};
    for (const RankedResult& result : results) {
      if (!result.error.empty()) continue;
      const std::string query = result.query.empty() ? "" : result.query.front().second;
      int64_t rank = 0;
      for (const auto& [word, score] : result.results) table.rows.push_back({query, ++rank, word, score});
    }
    return render_tsv(table);
  }
  for (const RankedResult& result : results) {
    if (!result.error.empty()) continue;
    if (!out.empty()) out += "\n";
    const std::string query = result.query.empty() ? "" : result.query.front().second;
    out += fmt::format("{} of {}:\n", result.command, query);
    out += render(result, format, color);
  }
  return out;
}

std::string render(const PairResult& result, OutputFormat format, bool color) {
  if (format == OutputFormat::json) {
    std::string out;
    JsonWriter json(out);
    json.begin_object().key("command").value(std::string_view(result.command));
    json.key("a").value(std::string_view(result.a)).key("b").value(std::string_view(result.b));
    for (const auto& [name, number] : result.measures) json.key(name).value(number);
    json.end_object();
    return out + "\n";
  }
  if (format == OutputFormat::rows) {
    Table table = long_rows();
    for (const auto& [name, number] : result.measures) table.rows.push_back({name, "", "", number});
    return render_tsv_rows(table);
  }
  Table table{{"word_a", "word_b"}, {{result.a, result.b}}};
  for (const auto& [name, number] : result.measures) {
    table.columns.push_back(name);
    table.rows[0].push_back(number);
  }
  return as_text_or_tsv(table, format, color);
}

// The row exactly: every float in its shortest form that reads back bit for bit.
std::string render(const VectorResult& result, OutputFormat format, bool color) {
  if (format == OutputFormat::json) {
    std::string out;
    JsonWriter json(out);
    json.begin_object().key("command").value("vector").key("word").value(std::string_view(result.word));
    json.key("row").value(int64_t{result.row}).key("dim").value(uint64_t{result.values.size()});
    json.key("vector").begin_array();
    for (float v : result.values) json.value(v);
    json.end_array().end_object();
    return out + "\n";
  }
  if (format == OutputFormat::rows) {
    Table table = long_rows();
    for (size_t i = 0; i < result.values.size(); ++i) {
      table.rows.push_back({fmt::format("d{}", i), "", result.word, result.values[i]});
    }
    return render_tsv_rows(table);
  }
  if (format == OutputFormat::tsv) {
    Table table{{"word", "row"}, {{result.word, int64_t{result.row}}}};
    for (size_t i = 0; i < result.values.size(); ++i) {
      table.columns.push_back(fmt::format("d{}", i));
      table.rows[0].push_back(result.values[i]);
    }
    return render_tsv(table);
  }
  // As a word2vec text row: the word, then the values; readable and pasteable.
  const std::string word = printable(result.word);
  return fmt::format("{}{}{} {}\n", color ? "\x1b[1m" : "", word, color ? "\x1b[0m" : "",
                     fmt::join(result.values, " "));
}

namespace {

void write_section(JsonWriter& json, const SectionRow& s) {
  json.begin_object().key("section").value(std::string_view(s.name));
  json.key("correct").value(s.correct).key("total").value(s.total);
  json.key("accuracy").value(s.accuracy).end_object();
}

}  // namespace

std::string render(const AnalogyEvalResult& result, OutputFormat format, bool color) {
  if (format == OutputFormat::json) {
    std::string out;
    JsonWriter json(out);
    json.begin_object().key("command").value("eval-analogies");
    json.key("file").value(std::string_view(result.file)).key("method").value(std::string_view(result.method));
    json.key("restrict").value(result.restrict_vocab).key("sections").begin_array();
    for (const SectionRow& s : result.sections) write_section(json, s);
    json.end_array().key("total");
    write_section(json, result.total);
    json.key("questions").value(result.questions).key("oov").value(result.oov);
    json.key("oov_ratio").value(result.oov_ratio).end_object();
    return out + "\n";
  }
  Table table{{"section", "correct", "total", "accuracy"}, {}};
  for (const SectionRow& s : result.sections) {
    table.rows.push_back({s.name, s.correct, s.total, static_cast<float>(s.accuracy)});
  }
  table.rows.push_back({result.total.name, result.total.correct, result.total.total,
                        static_cast<float>(result.total.accuracy)});
  std::string out = as_text_or_tsv(table, format, color);
  if (format == OutputFormat::text) {
    out += fmt::format("{} of {} questions had a word outside the first {} words ({:.1f}%)\n",
                       result.oov, result.questions, result.restrict_vocab, result.oov_ratio);
  }
  return out;
}

namespace {

struct Word2vecCounts {
  int64_t correct = 0;
  int64_t seen = 0;
  int64_t questions = 0;
  void add(const Word2vecSectionRow& s) {
    correct += s.correct;
    seen += s.seen;
    questions += s.questions;
  }
};

// compute-accuracy's percentages: int over float in float, times 100, printed with "%.2f"
// (so none seen prints NaN, as the C tool does).
float c_percent(int64_t part, int64_t whole) {
  return static_cast<float>(part) / static_cast<float>(whole) * 100;
}

template <typename... Args>
std::string c_format(const char* format, Args... args) {
  const int size = std::snprintf(nullptr, 0, format, args...);
  std::string out(static_cast<size_t>(size) + 1, '\0');
  std::snprintf(out.data(), out.size(), format, args...);
  out.pop_back();
  return out;
}

// compute-accuracy's printf calls, in its order.
std::string render_word2vec_report(const Word2vecAccuracyResult& result) {
  Word2vecCounts total, semantic, syntactic;
  std::string out;
  for (const Word2vecSectionRow& s : result.sections) {
    total.add(s);
    (s.semantic ? semantic : syntactic).add(s);
    if (!s.has_header) continue;
    const int64_t shown_seen = s.seen == 0 ? 1 : s.seen;  // its guard against dividing by zero
    out += s.name + ":\n";
    out += c_format("ACCURACY TOP1: %.2f %%  (%d / %d)\n", c_percent(s.correct, shown_seen),
                    static_cast<int>(s.correct), static_cast<int>(shown_seen));
    out += c_format("Total accuracy: %.2f %%   Semantic accuracy: %.2f %%   Syntactic accuracy: %.2f %% \n",
                    c_percent(total.correct, total.seen), c_percent(semantic.correct, semantic.seen),
                    c_percent(syntactic.correct, syntactic.seen));
  }
  out += c_format("Questions seen / total: %d %d   %.2f %% \n", static_cast<int>(total.seen),
                  static_cast<int>(total.questions), c_percent(total.seen, total.questions));
  return out;
}

double fraction_or_nan(int64_t part, int64_t whole) {
  return whole ? static_cast<double>(part) / static_cast<double>(whole) : std::nan("");
}

void write_counts(JsonWriter& json, const Word2vecCounts& c) {
  json.begin_object().key("correct").value(c.correct).key("seen").value(c.seen);
  json.key("questions").value(c.questions).key("accuracy").value(fraction_or_nan(c.correct, c.seen));
  json.end_object();
}

}  // namespace

std::string render(const Word2vecAccuracyResult& result, OutputFormat format, bool color) {
  if (format == OutputFormat::text) return render_word2vec_report(result);
  Word2vecCounts total, semantic, syntactic;
  for (const Word2vecSectionRow& s : result.sections) {
    total.add(s);
    (s.semantic ? semantic : syntactic).add(s);
  }
  if (format == OutputFormat::json) {
    std::string out;
    JsonWriter json(out);
    json.begin_object().key("command").value("eval-analogies").key("style").value("word2vec");
    json.key("file").value(std::string_view(result.file)).key("threshold").value(result.threshold);
    json.key("sections").begin_array();
    for (const Word2vecSectionRow& s : result.sections) {
      json.begin_object().key("section").value(std::string_view(s.name)).key("semantic").value(s.semantic);
      json.key("correct").value(s.correct).key("seen").value(s.seen).key("questions").value(s.questions);
      json.key("accuracy").value(fraction_or_nan(s.correct, s.seen)).end_object();
    }
    json.end_array();
    json.key("semantic");
    write_counts(json, semantic);
    json.key("syntactic");
    write_counts(json, syntactic);
    json.key("total");
    write_counts(json, total);
    json.end_object();
    return out + "\n";
  }
  Table table{{"section", "correct", "seen", "questions", "accuracy"}, {}};
  auto add_row = [&](const std::string& name, const Word2vecCounts& c) {
    table.rows.push_back({name, c.correct, c.seen, c.questions,
                          static_cast<float>(fraction_or_nan(c.correct, c.seen))});
  };
  for (const Word2vecSectionRow& s : result.sections) {
    Word2vecCounts counts;
    counts.add(s);
    add_row(s.name, counts);
  }
  add_row("Semantic accuracy", semantic);
  add_row("Syntactic accuracy", syntactic);
  add_row("Total accuracy", total);
  return as_text_or_tsv(table, format, color);
}

std::string render(const FactsResult& result, OutputFormat format, bool color) {
  if (format == OutputFormat::json) {
    std::string out;
    JsonWriter json(out);
    json.begin_object().key("command").value(std::string_view(result.command));
    for (const auto& [name, cell] : result.facts) {
      json.key(name);
      write_cell(json, cell);
    }
    json.end_object();
    return out + "\n";
  }
  if (format == OutputFormat::rows) {
    Table table = long_rows();
    for (const auto& [name, cell] : result.facts) {
      if (cell.kind == Cell::Kind::text) table.rows.push_back({name, "", cell, ""});
      else table.rows.push_back({name, "", "", cell});
    }
    return render_tsv_rows(table);
  }
  Table table{{"field", "value"}, {}};
  for (const auto& [name, cell] : result.facts) table.rows.push_back({name, cell});
  return as_text_or_tsv(table, format, color);
}

}  // namespace embtool::output
