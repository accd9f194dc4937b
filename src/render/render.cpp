#include "render/render.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <cstdio>

#include "render/json_writer.hpp"
#include "render/table.hpp"
#include "render/token_render.hpp"

namespace embtool::output {
namespace {

using namespace embtool::app;

template <class... Ts>
struct overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
overloaded(Ts...) -> overloaded<Ts...>;

std::string as_text_or_tsv(const Table& table, OutputStyle format, bool color) {
  return format == OutputStyle::text ? render_text(table, color) : render_tsv(table);
}

Cell cell_of(const Fact::Value& value) {
  return std::visit([](const auto& v) { return Cell{v}; }, value);
}

void write_fact(JsonWriter& json, const Fact& fact) {
  json.key(fact.name);
  std::visit(overloaded{[&](const std::string& text) { json.value(std::string_view(text)); },
                        [&](float real) { json.value(real); }, [&](int64_t integer) { json.value(integer); }},
             fact.value);
}

// --- JSON: the fields of an answer's object(s), after whatever `lead` writes first ----------

using Lead = std::function<void(JsonWriter&)>;

// A tokenizer model's token: its key, the text it stands for and its kind.
void write_token(JsonWriter& json, std::string_view key, const TokenText& token) {
  json.key("token").value(key).key("text").value(std::string_view(token.text));
  json.key("kind").value(std::string_view(token.kind));
}

// A row named in a field of its own ("a" of similar): the word under `name`, its id under
// `name`_id, and a token's text under `name`_text.
void write_named_row(JsonWriter& json, std::string_view name, const RowRef& row) {
  json.key(name).value(std::string_view(row.word));
  json.key(fmt::format("{}_id", name)).value(int64_t{row.id});
  if (row.token) json.key(fmt::format("{}_text", name)).value(std::string_view(row.token->text));
}

void write_results(JsonWriter& json, int64_t k, const std::vector<ScoredWord>& results) {
  json.key("k").value(k).key("results").begin_array();
  int64_t rank = 0;
  for (const ScoredWord& result : results) {
    json.begin_object().key("rank").value(++rank).key("word").value(std::string_view(result.word));
    json.key("id").value(int64_t{result.id});
    if (result.token) write_token(json, result.word, *result.token);
    json.key("score").value(result.score).end_object();
  }
  json.end_array();
}

void write_tensors(JsonWriter& json, const std::vector<TensorListing>& tensors) {
  json.key("tensors").begin_array();
  for (const TensorListing& t : tensors) {
    json.begin_object().key("name").value(std::string_view(t.name)).key("dtype").value(std::string_view(t.dtype));
    json.key("shape").begin_array();
    for (const int64_t n : t.shape) json.value(n);
    json.end_array().key("bytes").value(t.bytes);
    if (!t.file.empty()) json.key("file").value(std::string_view(t.file));
    json.end_object();
  }
  json.end_array();
}

void write_section(JsonWriter& json, const SectionCount& s) {
  json.begin_object().key("section").value(std::string_view(s.name));
  json.key("correct").value(s.correct).key("total").value(s.total);
  json.key("accuracy").value(s.accuracy).end_object();
}

struct Word2vecCounts {
  int64_t correct = 0;
  int64_t seen = 0;
  int64_t questions = 0;
  void add(const Word2vecSectionCount& s) {
    correct += s.correct;
    seen += s.seen;
    questions += s.questions;
  }
};

struct Word2vecTotals {
  Word2vecCounts total, semantic, syntactic;
  explicit Word2vecTotals(const Word2vecAccuracyAnswer& answer) {
    for (const Word2vecSectionCount& s : answer.sections) {
      total.add(s);
      (s.semantic ? semantic : syntactic).add(s);
    }
  }
};

double fraction_or_nan(int64_t part, int64_t whole) {
  return whole ? static_cast<double>(part) / static_cast<double>(whole) : std::nan("");
}

void write_counts(JsonWriter& json, const Word2vecCounts& c) {
  json.begin_object().key("correct").value(c.correct).key("seen").value(c.seen);
  json.key("questions").value(c.questions).key("accuracy").value(fraction_or_nan(c.correct, c.seen));
  json.end_object();
}

// plot: the method, the model, each point as answers name rows plus its group and place, the
// share of variance of each PCA axis, the arrows (indices into "points"), the title, the image.
void write_plot_fields(JsonWriter& json, const PlotAnswer& a) {
  json.key("method").value(std::string_view(a.method)).key("model").value(std::string_view(a.model));
  json.key("title").value(std::string_view(a.title));
  json.key("points").begin_array();
  for (const PlotPoint& p : a.points) {
    json.begin_object().key("word").value(std::string_view(p.row.word)).key("id").value(int64_t{p.row.id});
    if (p.row.token) write_token(json, p.row.word, *p.row.token);
    json.key("group").value(std::string_view(p.group)).key("x").value(p.x).key("y").value(p.y).end_object();
  }
  json.end_array().key("explained_variance").begin_array();
  for (const double share : a.explained_variance) json.value(share);
  json.end_array().key("arrows").begin_array();
  for (const PlotArrow& arrow : a.arrows) {
    json.begin_object().key("from").value(uint64_t{arrow.from}).key("to").value(uint64_t{arrow.to}).end_object();
  }
  json.end_array();
  if (a.image_path) json.key("image").value(std::string_view(*a.image_path));
  else json.key("image").null();
}

// One JSON object, on its own line: `lead`'s fields, then "command", then `fields`.
template <typename Fields>
void json_object(std::string& out, const Lead& lead, std::string_view command, const Fields& fields) {
  JsonWriter json(out);
  json.begin_object();
  if (lead) lead(json);
  json.key("command").value(command);
  fields(json);
  json.end_object();
  out += "\n";
}

std::string render_json(const Answer& answer, const Lead& lead, const ErrorWording& wording) {
  std::string out;
  const std::string_view command = command_of(answer);
  std::visit(
      overloaded{
          [&](const SimilarityAnswer& a) {
            json_object(out, lead, command, [&](JsonWriter& json) {
              write_named_row(json, "a", a.a);
              write_named_row(json, "b", a.b);
              json.key("similarity").value(a.similarity);
            });
          },
          [&](const SetSimilarityAnswer& a) {
            json_object(out, lead, command, [&](JsonWriter& json) {
              for (const auto& [name, rows] : {std::pair{"a", &a.a}, std::pair{"b", &a.b}}) {
                json.key(name).begin_array();
                for (const RowRef& row : *rows) json.value(std::string_view(row.word));
                json.end_array();
                json.key(fmt::format("{}_ids", name)).begin_array();
                for (const RowRef& row : *rows) json.value(int64_t{row.id});
                json.end_array();
              }
              json.key("similarity").value(a.similarity);
            });
          },
          [&](const CloserThanAnswer& a) {
            json_object(out, lead, command, [&](JsonWriter& json) {
              write_named_row(json, "a", a.a);
              write_named_row(json, "b", a.b);
              json.key("similarity").value(a.similarity).key("rank").value(a.rank);
              if (a.rank_only) return;
              json.key("count").value(a.rank - 1).key("words").begin_array();
              for (const ScoredWord& w : a.closer) {
                json.begin_object().key("word").value(std::string_view(w.word)).key("id").value(int64_t{w.id});
                if (w.token) write_token(json, w.word, *w.token);
                json.key("similarity").value(w.score).end_object();
              }
              json.end_array();
            });
          },
          [&](const DistanceAnswer& a) {
            json_object(out, lead, command, [&](JsonWriter& json) {
              write_named_row(json, "a", a.a);
              write_named_row(json, "b", a.b);
              json.key("cosine_distance").value(a.cosine_distance);
              json.key("euclidean_distance").value(a.euclidean_distance);
            });
          },
          [&](const NeighborsAnswer& a) {
            for (const NeighborsQuery& q : a.queries) {  // one object a query, each the same shape
              json_object(out, lead, command, [&](JsonWriter& json) {
                json.key(q.kind == NeighborsQuery::Kind::word         ? "word"
                         : q.kind == NeighborsQuery::Kind::expression ? "expression"
                                                                      : "vector")
                    .value(std::string_view(q.text));
                if (q.row) {
                  json.key("id").value(int64_t{q.row->id});
                  if (q.row->token) write_token(json, q.row->word, *q.row->token);
                }
                if (q.error) {
                  json.key("error").value(std::string_view(wording(*q.error)));
                  return;
                }
                json.key("exact").value(q.exact);
                if (!q.exact) json.key("ef").value(q.ef);
                if (q.metric != "cosine") json.key("metric").value(std::string_view(q.metric));
                write_results(json, q.k, q.results);
              });
            }
          },
          [&](const AnalogyAnswer& a) {
            json_object(out, lead, command, [&](JsonWriter& json) {
              write_named_row(json, "a", a.a);
              write_named_row(json, "b", a.b);
              write_named_row(json, "c", a.c);
              json.key("method").value(std::string_view(a.method));
              write_results(json, a.k, a.results);
            });
          },
          [&](const DoesntMatchAnswer& a) {
            json_object(out, lead, command,
                        [&](JsonWriter& json) { write_named_row(json, "answer", a.answer); });
          },
          [&](const VectorAnswer& a) {
            for (const VectorRow& r : a.rows) {  // one object a word, each the same shape
              json_object(out, lead, command, [&](JsonWriter& json) {
                json.key("word").value(std::string_view(r.row.word));
                json.key("id").value(int64_t{r.row.id}).key("row").value(int64_t{r.row.id});
                if (r.row.token) write_token(json, r.row.word, *r.row.token);
                json.key("dim").value(uint64_t{r.values.size()});
                json.key("normalized").value(a.normalized);
                json.key("vector").begin_array();
                for (float v : r.values) json.value(v);
                json.end_array();
              });
            }
          },
          [&](const InfoAnswer& a) {
            json_object(out, lead, command, [&](JsonWriter& json) {
              for (const Fact& fact : a.facts) write_fact(json, fact);
              if (a.tensors) write_tensors(json, *a.tensors);
            });
          },
          [&](const AnalogyEvalAnswer& a) {
            json_object(out, lead, command, [&](JsonWriter& json) {
              json.key("file").value(std::string_view(a.file)).key("method").value(std::string_view(a.method));
              json.key("restrict").value(a.restrict_vocab).key("sections").begin_array();
              for (const SectionCount& s : a.sections) write_section(json, s);
              json.end_array().key("total");
              write_section(json, a.total);
              json.key("questions").value(a.questions).key("oov").value(a.oov);
              json.key("oov_ratio").value(a.oov_ratio);
            });
          },
          [&](const Word2vecAccuracyAnswer& a) {
            const Word2vecTotals totals(a);
            json_object(out, lead, command, [&](JsonWriter& json) {
              json.key("style").value("word2vec");
              json.key("file").value(std::string_view(a.file)).key("threshold").value(a.threshold);
              json.key("sections").begin_array();
              for (const Word2vecSectionCount& s : a.sections) {
                json.begin_object().key("section").value(std::string_view(s.name)).key("semantic").value(s.semantic);
                json.key("correct").value(s.correct).key("seen").value(s.seen).key("questions").value(s.questions);
                json.key("accuracy").value(fraction_or_nan(s.correct, s.seen)).end_object();
              }
              json.end_array();
              json.key("semantic");
              write_counts(json, totals.semantic);
              json.key("syntactic");
              write_counts(json, totals.syntactic);
              json.key("total");
              write_counts(json, totals.total);
            });
          },
          [&](const PairEvalAnswer& a) {
            json_object(out, lead, command, [&](JsonWriter& json) {
              json.key("file").value(std::string_view(a.file));
              json.key("pearson").value(a.pearson).key("spearman").value(a.spearman);
              json.key("pairs").value(a.pairs).key("oov").value(a.oov).key("oov_ratio").value(a.oov_ratio);
            });
          },
          [&](const WordsAnswer& a) {
            json_object(out, lead, command, [&](JsonWriter& json) {
              if (a.filter != "all") json.key(a.filter).value(std::string_view(a.pattern));
              json.key("matched").value(a.matched);
              if (a.count_only) return;
              json.key("words").begin_array();
              for (const RowRef& row : a.words) {
                json.begin_object().key("word").value(std::string_view(row.word)).key("id").value(int64_t{row.id});
                if (row.token) write_token(json, row.word, *row.token);
                json.end_object();
              }
              json.end_array();
            });
          },
          [&](const PlotAnswer& a) {
            json_object(out, lead, command, [&](JsonWriter& json) { write_plot_fields(json, a); });
          },
          [&](const auto& token_answer) {  // tokenize, detokenize, embed, tokens
            json_object(out, lead, command, [&](JsonWriter& json) { write_json_fields(json, token_answer); });
          }},
      answer);
  return out;
}

// --- Text and TSV ------------------------------------------------------------------------

using output::shown;  // a token as shown (token_render.hpp)
std::string shown(const RowRef& row) { return shown(row.word, row.token); }

bool names_tokens(const std::vector<ScoredWord>& results) { return !results.empty() && results.front().token; }

// Text: rank, word, score; for a tokenizer model, rank, id, token (as shown), score. TSV: the
// same, with a tokenizer model's key and text as they are.
Table ranked_table(const std::vector<ScoredWord>& results, OutputStyle format) {
  if (!names_tokens(results)) {
    Table table{{"rank", "word", "score"}, {}};
    int64_t rank = 0;
    for (const ScoredWord& r : results) table.rows.push_back({++rank, r.word, r.score});
    return table;
  }
  const bool tsv = format == OutputStyle::tsv;
  Table table{tsv ? std::vector<std::string>{"rank", "id", "token", "text", "kind", "score"}
                  : std::vector<std::string>{"rank", "id", "token", "score"},
              {}};
  int64_t rank = 0;
  for (const ScoredWord& r : results) {
    if (tsv) table.rows.push_back({++rank, int64_t{r.id}, r.word, r.token->text, r.token->kind, r.score});
    else table.rows.push_back({++rank, int64_t{r.id}, shown(r.word, r.token), r.score});
  }
  return table;
}

// One query's results; distances (--metric euclidean) under their own name.
Table query_table(const NeighborsQuery& q, OutputStyle format) {
  Table table = ranked_table(q.results, format);
  if (q.metric != "cosine") table.columns.back() = "distance";
  return table;
}

// neighbors: TSV always has the query column, whatever the number of words; text shows one
// word's table alone, several under headings.
// Answers from the approximate index (--ann) say so: TSV gains a last column `exact` (false),
// text a closing line; exact answers are shown as they always were.
std::string render_neighbors(const NeighborsAnswer& a, OutputStyle format, bool color) {
  const auto approximate = std::find_if(a.queries.begin(), a.queries.end(), [](const NeighborsQuery& q) { return !q.exact; });
  if (format == OutputStyle::tsv) {
    Table table{{"query"}, {}};
    for (const NeighborsQuery& q : a.queries) {
      Table ranked = query_table(q, format);
      if (table.columns.size() == 1) table.columns.insert(table.columns.end(), ranked.columns.begin(), ranked.columns.end());
      for (auto& row : ranked.rows) {
        row.insert(row.begin(), Cell(q.text));
        if (approximate != a.queries.end()) row.push_back(Cell(q.exact ? "true" : "false"));
        table.rows.push_back(std::move(row));
      }
    }
    if (table.columns.size() == 1) table.columns = {"query", "rank", "word", "score"};
    if (approximate != a.queries.end()) table.columns.push_back("exact");
    return render_tsv(table);
  }
  const std::string note =
      approximate == a.queries.end()
          ? std::string()
          : fmt::format("approximate: from the HNSW index (ef {}); the scores are exact, a nearer word may be missing\n",
                        approximate->ef);
  if (a.queries.size() == 1) return render_text(query_table(a.queries.front(), format), color) + note;
  std::string out;
  for (const NeighborsQuery& q : a.queries) {
    if (q.error) continue;
    if (!out.empty()) out += "\n";
    out += fmt::format("neighbors of {}:\n", q.row ? shown(*q.row) : q.text);
    out += render_text(query_table(q, format), color);
  }
  return out + note;
}

Table facts_table(const std::vector<Fact>& facts) {
  Table table{{"field", "value"}, {}};
  for (const Fact& fact : facts) table.rows.push_back({fact.name, cell_of(fact.value)});
  return table;
}

// info: the facts; with --tensors, the tensors instead in TSV (one table a document), after
// the facts in text.
std::string render_info(const InfoAnswer& a, OutputStyle format, bool color) {
  if (!a.tensors) return as_text_or_tsv(facts_table(a.facts), format, color);
  Table table{{"name", "dtype", "shape", "bytes", "file"}, {}};
  for (const TensorListing& t : *a.tensors) {
    table.rows.push_back({t.name, t.dtype, fmt::format("{}", fmt::join(t.shape, " x ")), t.bytes, t.file});
  }
  if (format == OutputStyle::tsv) return render_tsv(table);
  const std::string listing = a.tensors->empty() ? "no tensors: the file is not a checkpoint\n" : render_text(table, color);
  return render_text(facts_table(a.facts), color) + "\n" + listing;
}

std::vector<Fact> pair_eval_facts(const PairEvalAnswer& a) {
  return {{"file", a.file}, {"pearson", a.pearson}, {"spearman", a.spearman},
          {"pairs", a.pairs}, {"oov", a.oov},       {"oov_ratio", a.oov_ratio}};
}

// compute-accuracy's percentages: int over float in float, times 100, printed with "%.2f"
// (so none seen prints NaN, as the C tool does).
float c_percent(int64_t part, int64_t whole) { return static_cast<float>(part) / static_cast<float>(whole) * 100; }

template <typename... Args>
std::string c_format(const char* format, Args... args) {
  const int size = std::snprintf(nullptr, 0, format, args...);
  std::string out(static_cast<size_t>(size) + 1, '\0');
  std::snprintf(out.data(), out.size(), format, args...);
  out.pop_back();
  return out;
}

// compute-accuracy's printf calls, in its order.
std::string render_word2vec_report(const Word2vecAccuracyAnswer& answer) {
  Word2vecCounts total, semantic, syntactic;
  std::string out;
  for (const Word2vecSectionCount& s : answer.sections) {
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

std::string render_word2vec(const Word2vecAccuracyAnswer& a, OutputStyle format, bool color) {
  if (format == OutputStyle::text) return render_word2vec_report(a);
  const Word2vecTotals totals(a);
  Table table{{"section", "correct", "seen", "questions", "accuracy"}, {}};
  auto add_row = [&](const std::string& name, const Word2vecCounts& c) {
    table.rows.push_back(
        {name, c.correct, c.seen, c.questions, fraction_or_nan(c.correct, c.seen)});
  };
  for (const Word2vecSectionCount& s : a.sections) {
    Word2vecCounts counts;
    counts.add(s);
    add_row(s.name, counts);
  }
  add_row("Semantic accuracy", totals.semantic);
  add_row("Syntactic accuracy", totals.syntactic);
  add_row("Total accuracy", totals.total);
  return as_text_or_tsv(table, format, color);
}

std::string render_analogy_eval(const AnalogyEvalAnswer& a, OutputStyle format, bool color) {
  Table table{{"section", "correct", "total", "accuracy"}, {}};
  for (const SectionCount& s : a.sections) table.rows.push_back({s.name, s.correct, s.total, s.accuracy});
  table.rows.push_back({a.total.name, a.total.correct, a.total.total, a.total.accuracy});
  std::string out = as_text_or_tsv(table, format, color);
  if (format == OutputStyle::text) {
    out += fmt::format("{} of {} questions had a word outside the first {} words ({:.1f}%)\n", a.oov, a.questions,
                       a.restrict_vocab, a.oov_ratio);
  }
  return out;
}

std::string render_vector(const VectorAnswer& a, OutputStyle format, bool color) {
  if (format == OutputStyle::tsv) {
    Table table{{"word", "row"}, {}};
    const size_t dim = a.rows.empty() ? 0 : a.rows.front().values.size();
    for (size_t i = 0; i < dim; ++i) table.columns.push_back(fmt::format("d{}", i));
    for (const VectorRow& r : a.rows) {
      table.rows.push_back({r.row.word, int64_t{r.row.id}});
      for (const float v : r.values) table.rows.back().push_back(v);
    }
    return render_tsv(table);
  }
  // As word2vec text rows: readable and pasteable.
  std::string out;
  for (const VectorRow& r : a.rows) out += vector_line(r.row.word, r.values, color);
  return out;
}

std::string render_words(const WordsAnswer& a, OutputStyle format, bool color) {
  if (a.count_only) return as_text_or_tsv(facts_table({{"matched", static_cast<int64_t>(a.matched)}}), format, color);
  Table table{{"row", "word"}, {}};
  for (const RowRef& row : a.words) table.rows.push_back({int64_t{row.id}, shown(row)});
  return as_text_or_tsv(table, format, color);
}

// plot: a point a row (word, group, x, y; a tokenizer model's rows as ranked_table shows them).
Table plot_table(const PlotAnswer& a, OutputStyle format) {
  const bool tokens = !a.points.empty() && a.points.front().row.token;
  const bool tsv = format == OutputStyle::tsv;
  Table table{!tokens ? std::vector<std::string>{"word", "group", "x", "y"}
              : tsv   ? std::vector<std::string>{"id", "token", "text", "kind", "group", "x", "y"}
                      : std::vector<std::string>{"id", "token", "group", "x", "y"},
              {}};
  for (const PlotPoint& p : a.points) {
    const auto x = static_cast<float>(p.x), y = static_cast<float>(p.y);
    if (!tokens) table.rows.push_back({p.row.word, p.group, x, y});
    else if (tsv) table.rows.push_back({int64_t{p.row.id}, p.row.word, p.row.token->text, p.row.token->kind, p.group, x, y});
    else table.rows.push_back({int64_t{p.row.id}, shown(p.row), p.group, x, y});
  }
  return table;
}

std::string render_table(const Answer& answer, OutputStyle format, bool color) {
  return std::visit(
      overloaded{[&](const SimilarityAnswer& a) {
                   return as_text_or_tsv(
                       Table{{"word_a", "word_b", "similarity"}, {{shown(a.a), shown(a.b), a.similarity}}}, format,
                       color);
                 },
                 [&](const SetSimilarityAnswer& a) {
                   auto joined = [](const std::vector<RowRef>& rows) {
                     std::string words;
                     for (const RowRef& row : rows) {
                       if (!words.empty()) words += ',';
                       words += shown(row);
                     }
                     return words;
                   };
                   return as_text_or_tsv(Table{{"words_a", "words_b", "similarity"},
                                               {{joined(a.a), joined(a.b), a.similarity}}},
                                         format, color);
                 },
                 [&](const CloserThanAnswer& a) {
                   if (a.rank_only) {
                     return as_text_or_tsv(Table{{"word_a", "word_b", "similarity", "rank"},
                                                 {{shown(a.a), shown(a.b), a.similarity, a.rank}}},
                                           format, color);
                   }
                   Table table{{"row", "word", "similarity"}, {}};
                   for (const ScoredWord& w : a.closer) table.rows.push_back({int64_t{w.id}, shown(w.word, w.token), w.score});
                   return as_text_or_tsv(table, format, color);
                 },
                 [&](const DistanceAnswer& a) {
                   return as_text_or_tsv(Table{{"word_a", "word_b", "cosine_distance", "euclidean_distance"},
                                               {{shown(a.a), shown(a.b), a.cosine_distance, a.euclidean_distance}}},
                                         format, color);
                 },
                 [&](const NeighborsAnswer& a) { return render_neighbors(a, format, color); },
                 [&](const AnalogyAnswer& a) {
                   return as_text_or_tsv(ranked_table(a.results, format), format, color);
                 },
                 [&](const DoesntMatchAnswer& a) {
                   return as_text_or_tsv(facts_table({{"answer", shown(a.answer)}}), format, color);
                 },
                 [&](const VectorAnswer& a) { return render_vector(a, format, color); },
                 [&](const InfoAnswer& a) { return render_info(a, format, color); },
                 [&](const AnalogyEvalAnswer& a) { return render_analogy_eval(a, format, color); },
                 [&](const Word2vecAccuracyAnswer& a) { return render_word2vec(a, format, color); },
                 [&](const PairEvalAnswer& a) {
                   return as_text_or_tsv(facts_table(pair_eval_facts(a)), format, color);
                 },
                 [&](const WordsAnswer& a) { return render_words(a, format, color); },
                 [&](const PlotAnswer& a) { return as_text_or_tsv(plot_table(a, format), format, color); },
                 [&](const auto& token_answer) {  // tokenize, detokenize, embed, tokens
                   return token_table(token_answer, format == OutputStyle::tsv, color);
                 }},
      answer);
}

// --- batch --tsv: one table, each answer as rows of (query_word, measure, rank, word, value) --

struct LongRow {
  Cell query_word = "";
  Cell measure = "";
  Cell rank = "";
  Cell word = "";
  Cell value = "";
  Cell error = "";
};

void add_fact_rows(std::vector<LongRow>& rows, const std::vector<Fact>& facts) {
  for (const Fact& fact : facts) {
    const Cell cell = cell_of(fact.value);
    if (cell.kind == Cell::Kind::text) rows.push_back({"", fact.name, "", cell, ""});
    else rows.push_back({"", fact.name, "", "", cell});
  }
}

void add_scored_rows(std::vector<LongRow>& rows, const Cell& query_word, const std::vector<ScoredWord>& results) {
  int64_t rank = 0;
  for (const ScoredWord& r : results) rows.push_back({query_word, "score", ++rank, r.word, r.score});
}

// tokenize: a row a token, its id the value.
void add_token_rows(std::vector<LongRow>& rows, const std::vector<TokenPiece>& tokens) {
  int64_t rank = 0;
  for (const TokenPiece& t : tokens) rows.push_back({"", "id", ++rank, t.token, int64_t{t.id}});
}

// embed: a row a value (d0, d1, ...) of each token's row, or of the pooled vector.
void add_embed_rows(std::vector<LongRow>& rows, const EmbedAnswer& a) {
  auto add_vector = [&](const Cell& rank, const std::string& word, const std::vector<float>& values) {
    for (size_t j = 0; j < values.size(); ++j) rows.push_back({"", fmt::format("d{}", j), rank, word, values[j]});
  };
  if (!a.pool.empty()) return add_vector("", a.pool, a.pooled);
  for (size_t i = 0; i < a.tokens.size(); ++i) add_vector(static_cast<int64_t>(i + 1), a.tokens[i].token, a.vectors[i]);
}

void add_diagnostics_rows(std::vector<LongRow>& rows, const TokenDiagnosticsAnswer& a) {
  rows.push_back({"", "median_norm", "", "", a.median_norm});
  int64_t rank = 0;
  for (const LowNormRow& r : a.low_norm) rows.push_back({"", "low_norm", ++rank, r.row.word, r.norm});
  rank = 0;
  for (const ScoredWord& w : a.near_mean) rows.push_back({"", "near_mean", ++rank, w.word, w.score});
  for (const KindCount& k : a.kinds) rows.push_back({"", "kind", "", k.kind, k.rows});
  rows.push_back({"", "tied_embeddings", "", a.tied_embeddings, ""});
}

std::vector<LongRow> long_rows(const Answer& answer, const ErrorWording& wording) {
  std::vector<LongRow> rows;
  std::visit(overloaded{[&](const SimilarityAnswer& a) { rows.push_back({"", "similarity", "", "", a.similarity}); },
                        [&](const SetSimilarityAnswer& a) { rows.push_back({"", "similarity", "", "", a.similarity}); },
                        [&](const CloserThanAnswer& a) {
                          if (a.rank_only) rows.push_back({"", "rank", "", "", a.rank});
                          for (const ScoredWord& w : a.closer) rows.push_back({"", "similarity", "", w.word, w.score});
                        },
                        [&](const DistanceAnswer& a) {
                          rows.push_back({"", "cosine_distance", "", "", a.cosine_distance});
                          rows.push_back({"", "euclidean_distance", "", "", a.euclidean_distance});
                        },
                        [&](const NeighborsAnswer& a) {
                          for (const NeighborsQuery& q : a.queries) {
                            if (q.error) rows.push_back({q.text, "", "", "", "", wording(*q.error)});
                            else add_scored_rows(rows, q.text, q.results);
                          }
                        },
                        [&](const AnalogyAnswer& a) { add_scored_rows(rows, "", a.results); },
                        [&](const DoesntMatchAnswer& a) { add_fact_rows(rows, {{"answer", a.answer.word}}); },
                        [&](const VectorAnswer& a) {
                          for (const VectorRow& r : a.rows) {
                            for (size_t i = 0; i < r.values.size(); ++i) {
                              rows.push_back({r.row.word, fmt::format("d{}", i), "", r.row.word, r.values[i]});
                            }
                          }
                        },
                        [&](const InfoAnswer& a) { add_fact_rows(rows, a.facts); },
                        [&](const AnalogyEvalAnswer& a) {
                          for (const SectionCount& s : a.sections) {
                            rows.push_back({"", "accuracy", "", s.name, s.accuracy});
                          }
                        },
                        [&](const Word2vecAccuracyAnswer& a) {
                          for (const Word2vecSectionCount& s : a.sections) {
                            rows.push_back(
                                {"", "accuracy", "", s.name, fraction_or_nan(s.correct, s.seen)});
                          }
                        },
                        [&](const PairEvalAnswer& a) { add_fact_rows(rows, pair_eval_facts(a)); },
                        [&](const TokenizeAnswer& a) { add_token_rows(rows, a.tokens); },
                        [&](const DetokenizeAnswer& a) { rows.push_back({"", "text", "", a.text, ""}); },
                        [&](const EmbedAnswer& a) { add_embed_rows(rows, a); },
                        [&](const TokenDiagnosticsAnswer& a) { add_diagnostics_rows(rows, a); },
                        [&](const WordsAnswer& a) {
                          if (a.count_only) rows.push_back({"", "matched", "", "", static_cast<int64_t>(a.matched)});
                          for (const RowRef& row : a.words) rows.push_back({"", "row", "", row.word, int64_t{row.id}});
                        },
                        [&](const PlotAnswer& a) {
                          int64_t rank = 0;
                          for (const PlotPoint& p : a.points) {
                            ++rank;
                            rows.push_back({p.group, "x", rank, p.row.word, static_cast<float>(p.x)});
                            rows.push_back({p.group, "y", rank, p.row.word, static_cast<float>(p.y)});
                          }
                        }},
             answer);
  if (rows.empty()) rows.emplace_back();  // a line always has a row
  return rows;
}

std::string render_batch_tsv(const BatchAnswer& batch, const ErrorWording& wording) {
  Table table{{"line", "query", "query_word", "measure", "rank", "word", "value", "error"}, {}};
  for (const BatchLineAnswer& line : batch.lines) {
    const Cell number{static_cast<int64_t>(line.line)};
    if (const auto* error = std::get_if<Error>(&line.outcome)) {
      table.rows.push_back({number, line.query, "", "", "", "", "", wording(*error)});
      continue;
    }
    for (const LongRow& r : long_rows(std::get<Answer>(line.outcome), wording)) {
      table.rows.push_back({number, line.query, r.query_word, r.measure, r.rank, r.word, r.value, r.error});
    }
  }
  return render_tsv(table);
}

std::string render_batch_json(const BatchAnswer& batch, const ErrorWording& wording) {
  std::string out;
  for (const BatchLineAnswer& line : batch.lines) {
    const Lead lead = [&line](JsonWriter& json) {
      json.key("line").value(static_cast<int64_t>(line.line)).key("query").value(std::string_view(line.query));
    };
    if (const auto* error = std::get_if<Error>(&line.outcome)) {
      JsonWriter json(out);
      json.begin_object();
      lead(json);
      json.key("error").value(std::string_view(wording(*error))).end_object();
      out += "\n";
      continue;
    }
    out += render_json(std::get<Answer>(line.outcome), lead, wording);
  }
  return out;
}

std::string render_batch_text(const BatchAnswer& batch, bool color, const ErrorWording& wording) {
  std::string out;
  for (const BatchLineAnswer& line : batch.lines) {
    const auto* error = std::get_if<Error>(&line.outcome);
    const std::string body =
        error ? "error: " + wording(*error) : render(std::get<Answer>(line.outcome), OutputStyle::text, color, wording);
    out += fmt::format("> {}\n{}\n", line.query, body);
  }
  return out;
}

}  // namespace

std::string plain_message(const Error& error) { return error.what(); }

std::string render(const Answer& answer, OutputStyle format, bool color, const ErrorWording& wording) {
  if (format == OutputStyle::json) return render_json(answer, nullptr, wording);
  return render_table(answer, format, color);
}

std::string render(const BatchAnswer& batch, OutputStyle format, bool color, const ErrorWording& wording) {
  switch (format) {
    case OutputStyle::json: return render_batch_json(batch, wording);
    case OutputStyle::tsv: return render_batch_tsv(batch, wording);
    case OutputStyle::text: break;
  }
  return render_batch_text(batch, color, wording);
}

std::string render_for_shell(const BatchLineAnswer& line, bool color, const ErrorWording& wording) {
  if (const auto* error = std::get_if<Error>(&line.outcome)) return fmt::format("error: {}\n", wording(*error));
  const Answer& answer = std::get<Answer>(line.outcome);
  std::string out = render(answer, OutputStyle::text, color, wording);
  // A text of its own bytes (detokenize) ends its line in the shell, which adds nothing else.
  if (std::holds_alternative<DetokenizeAnswer>(answer) && (out.empty() || out.back() != '\n')) out += "\n";
  if (const auto* neighbors = std::get_if<NeighborsAnswer>(&answer)) {
    for (const NeighborsQuery& q : neighbors->queries) {
      if (q.error) out += fmt::format("error: {}\n", wording(*q.error));
    }
  }
  return out;
}

std::string describe(const ConvertReport& r) {
  const std::string format = r.format.empty() ? "" : ", " + r.format;
  return fmt::format("wrote {} ({} words x {}{}) in {:.3f} s", r.output, r.words, r.dim, format, r.seconds);
}

}  // namespace embtool::output
