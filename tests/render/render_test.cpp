#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <bit>
#include <sstream>

#include "render/json_writer.hpp"
#include "render/render.hpp"
#include "render/table.hpp"

using namespace embtool::output;
using nlohmann::json;

TEST_CASE("JSON strings escape quotes, controls and invalid UTF-8", "[output]") {
  std::string out;
  append_json_string(out, "a\"b\\c\n\t\x01 caf\xc3\xa9 clich\xe9s \xed\xa0\x80");
  const auto parsed = json::parse(out);
  CHECK(parsed.get<std::string>() == "a\"b\\c\n\t\x01 caf\xc3\xa9 clich\xef\xbf\xbds \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
}

TEST_CASE("JSON floats read back to the same float32, non-finite becomes null", "[output]") {
  std::string out;
  JsonWriter w(out);
  const float values[] = {0.684541f, -8.26716423034668e-05f, 1e-30f, 3.4e38f, 0.1f};
  w.begin_array();
  for (float v : values) w.value(v);
  w.value(std::numeric_limits<float>::quiet_NaN());
  w.end_array();
  const auto parsed = json::parse(out);
  for (size_t i = 0; i < 5; ++i) {
    CHECK(std::bit_cast<uint32_t>(parsed[i].get<float>()) == std::bit_cast<uint32_t>(values[i]));
  }
  CHECK(parsed[5].is_null());
}

TEST_CASE("JSON objects and arrays nest with commas in the right places", "[output]") {
  std::string out;
  JsonWriter w(out);
  w.begin_object().key("a").value(int64_t{1}).key("b").begin_array();
  w.begin_object().key("x").value(true).end_object().begin_object().end_object().end_array();
  w.key("c").null().end_object();
  CHECK(out == R"({"a":1,"b":[{"x":true},{}],"c":null})");
}

TEST_CASE("text tables align columns, numbers to the right", "[output]") {
  const Table t{{"rank", "word", "score"}, {{int64_t{1}, std::string("queen"), 0.6845f},
                                            {int64_t{10}, std::string("é"), 0.5f}}};
  CHECK(render_text(t, false) ==
        "rank  word      score\n"
        "   1  queen  0.684500\n"
        "  10  é      0.500000\n");
}

TEST_CASE("TSV keeps a fixed column count and escapes tabs and newlines", "[output]") {
  const Table t{{"rank", "word", "score"}, {{int64_t{1}, std::string("a\tb\nc\\"), 0.25f}}};
  CHECK(render_tsv(t) == "rank\tword\tscore\n1\ta\\tb\\nc\\\\\t0.25\n");
}

TEST_CASE("every answer type renders as JSON that parses", "[output]") {
  using namespace embtool::app;
  const std::string docs[] = {
      render(Answer{NeighborsAnswer{{{NeighborsQuery::Kind::word, "dog", {}, 2, {{"dogs", 0.6f, 7, {}}, {"hound", 0.5f, 9, {}}}, {}}}}},
             OutputStyle::json, false),
      render(Answer{SimilarityAnswer{{"cat", 1, {}}, {"dog", 2, {}}, 0.5f}}, OutputStyle::json, false),
      render(Answer{VectorAnswer{{{{"king", 3, {}}, {1.5f, -2.0f}}}, false}}, OutputStyle::json, false),
      render(Answer{InfoAnswer{{{"words", int64_t{5}}, {"path", std::string("x")}}, std::nullopt}}, OutputStyle::json, false)};
  for (const auto& doc : docs) {
    INFO(doc);
    CHECK(doc.back() == '\n');
    CHECK(std::count(doc.begin(), doc.end(), '\n') == 1);
    CHECK_NOTHROW(json::parse(doc));
  }
  CHECK(json::parse(docs[0])["results"][1]["word"] == "hound");
  CHECK(json::parse(docs[0])["results"][1]["id"] == 9);
  CHECK(json::parse(docs[1])["b_id"] == 2);
  CHECK(json::parse(docs[2])["id"] == 3);
  CHECK(json::parse(docs[2])["vector"][1].get<float>() == -2.0f);
}

TEST_CASE("a batch renders from its typed answers: every JSON object and TSV row names its line and query word",
          "[output]") {
  using namespace embtool::app;
  BatchAnswer batch;
  NeighborsAnswer two{{{NeighborsQuery::Kind::word, "king", {}, 1, {{"queen", 0.5f, 1, {}}}, {}},
                       {NeighborsQuery::Kind::word, "dog", {}, 1, {{"puppy", 0.25f, 4, {}}}, {}}}};
  batch.lines.push_back({3, "neighbors king dog --k 1", Answer{two}});
  batch.lines.push_back({4, "similar a", embtool::Error(embtool::ErrorKind::invalid_argument, "B is missing")});
  std::istringstream jsonl(render(batch, OutputStyle::json, false));
  std::vector<json> docs;
  for (std::string line; std::getline(jsonl, line);) docs.push_back(json::parse(line));
  REQUIRE(docs.size() == 3);
  CHECK(docs[1]["line"] == 3);
  CHECK(docs[1]["query"] == "neighbors king dog --k 1");
  CHECK(docs[1]["word"] == "dog");
  CHECK(docs[2]["error"] == "B is missing");
  CHECK(render(batch, OutputStyle::tsv, false) ==
        "line\tquery\tquery_word\tmeasure\trank\tword\tvalue\terror\n"
        "3\tneighbors king dog --k 1\tking\tscore\t1\tqueen\t0.5\t\n"
        "3\tneighbors king dog --k 1\tdog\tscore\t1\tpuppy\t0.25\t\n"
        "4\tsimilar a\t\t\t\t\t\tB is missing\n");
}

TEST_CASE("text tables line up by display width: wide characters 2 columns, marks 0", "[output]") {
  CHECK(display_width("cat") == 3);
  CHECK(display_width("caf\xc3\xa9") == 4);          // café, é precomposed
  CHECK(display_width("cafe\xcc\x81") == 4);         // café, e + combining acute
  CHECK(display_width("\xe6\x97\xa5\xe6\x9c\xac") == 4);  // 日本
  CHECK(display_width("\xef\xbc\xa1") == 2);         // Ａ, fullwidth
  CHECK(display_width("clich\xe9") == 6);            // an invalid byte: one replacement character
  Table table{{"word", "score"}, {}};
  table.rows.push_back({"caf\xc3\xa9", 0.5f});
  table.rows.push_back({"cafe\xcc\x81", 0.25f});
  table.rows.push_back({"\xe6\x97\xa5\xe6\x9c\xac", 0.125f});
  table.rows.push_back({"dog", 1.0f});
  const std::string text = render_text(table, false);
  std::istringstream lines(text);
  std::vector<size_t> ends;  // each line's width on a terminal: equal when the columns line up
  for (std::string line; std::getline(lines, line);) ends.push_back(display_width(line));
  REQUIRE(ends.size() == 5);
  for (const size_t end : ends) CHECK(end == ends.front());
  CHECK(text.find("\xe6\x97\xa5\xe6\x9c\xac  0.125000") != std::string::npos);
}

TEST_CASE("eval's TSV and JSON give the same numbers to the last digit", "[output]") {
  using namespace embtool::app;
  AnalogyEvalAnswer a;
  a.file = "q.txt";
  a.method = "add";
  a.sections = {{"capital-common-countries", 487, 506, 487.0 / 506.0}};
  a.total = {"Total accuracy", 1234, 1917, 1234.0 / 1917.0};
  a.questions = 2000;
  a.oov = 83;
  a.oov_ratio = 100.0 * 83 / 2000;
  const json doc = json::parse(render(Answer{a}, OutputStyle::json, false));
  const std::string tsv = render(Answer{a}, OutputStyle::tsv, false);
  std::istringstream lines(tsv);
  std::string header, first, total;
  std::getline(lines, header);
  std::getline(lines, first);
  std::getline(lines, total);
  auto last_field = [](const std::string& line) { return std::stod(line.substr(line.rfind('\t') + 1)); };
  CHECK(last_field(first) == doc["sections"][0]["accuracy"].get<double>());
  CHECK(last_field(total) == doc["total"]["accuracy"].get<double>());
  CHECK(last_field(total) == 1234.0 / 1917.0);  // a double, not rounded to float32
}
