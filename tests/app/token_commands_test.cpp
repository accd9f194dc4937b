// tokenize, detokenize, embed and tokens: their answers in every format, through the lines a
// batch and the shell read (the command line's grammar), on a small model with a tokenizer
// of the test's own (greedy longest match; the real engines are tested in tests/tokenize/).
#include <fmt/format.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/null_sink.h>

#include <bit>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "app/batch.hpp"
#include "app/commands.hpp"
#include "app/token_queries.hpp"
#include "fixtures.hpp"
#include "formats/formats.hpp"
#include "render/render.hpp"
#include "tokenize/spelling.hpp"

using namespace embtool;
using namespace embtool::testing;
using nlohmann::json;

namespace {

// Longest match of the normal tokens' texts, byte by byte: enough to give the commands real
// tokens and spans.
class GreedyTokenizer : public tokenize::Tokenizer {
 public:
  explicit GreedyTokenizer(tokenize::Spec spec) : Tokenizer(std::move(spec)) {}
  std::string_view algorithm() const override { return "greedy (test)"; }

 protected:
  void encode_fragment(std::string_view text, uint32_t offset, bool,
                       std::vector<tokenize::Piece>& out) const override {
    for (size_t i = 0; i < text.size();) {
      int32_t best = tokenize::kNoToken;
      size_t length = 0;
      for (size_t id = 0; id < size(); ++id) {
        if (vocab().kinds[id] != TokenKind::normal) continue;
        const std::string t = token_text(static_cast<int32_t>(id));
        if (t.size() > length && text.substr(i).starts_with(t)) {
          best = static_cast<int32_t>(id);
          length = t.size();
        }
      }
      if (best == tokenize::kNoToken)
        throw Error(ErrorKind::invalid_argument, "no token for the text");
      out.push_back(
          {best, static_cast<uint32_t>(offset + i), static_cast<uint32_t>(offset + i + length)});
      i += length;
    }
  }
};

// Byte-level spellings: "Ġ" is a space, "Ċ" a newline, "Ã©" the two bytes of "é".
const std::vector<std::string> kKeys = {"<s>", "</s>", "h", "e",  "l",   "o",        "Ġ",
                                        "w",   "r",    "d", "he", "llo", "Ġw",       "Ċ",
                                        "-",   "Ã©",   "<", "s",  ">",   "<unused0>"};
constexpr int32_t kUnused = 19;

std::vector<TokenKind> key_kinds() {
  std::vector<TokenKind> kinds(kKeys.size(), TokenKind::normal);
  kinds[0] = kinds[1] = TokenKind::control;
  kinds[kUnused] = TokenKind::unused;
  return kinds;
}

std::shared_ptr<const tokenize::Tokenizer> greedy_tokenizer() {
  tokenize::Spec spec;
  spec.model = "test";
  spec.vocab.tokens = kKeys;
  spec.vocab.kinds = key_kinds();
  spec.special.bos = 0;
  spec.special.eos = 1;
  spec.prefix_ids = {0};
  spec.suffix_ids = {1};
  spec.decoding = tokenize::Decoding::byte_level;
  return std::make_shared<GreedyTokenizer>(std::move(spec));
}

// rows x 4 values: row r is r + 1 scaled by (1, -0.5, 0.25, 2), the unused row near zero.
std::vector<float> matrix_values(size_t rows) {
  std::vector<float> values;
  for (size_t r = 0; r < rows; ++r) {
    const float scale = r == kUnused ? 0.001f : static_cast<float>(r + 1) * 0.1f;
    for (const float f : {1.0f, -0.5f, 0.25f, 2.0f}) values.push_back(f * scale);
  }
  return values;
}

// A model whose rows are named by the keys, its rows in `dtype`; `rows` below the tokenizer's
// size leaves tokens without a row.
Embeddings token_model(std::vector<float> values, Dtype dtype = Dtype::f32,
                       size_t rows = kKeys.size()) {
  Vocabulary vocabulary;
  for (size_t r = 0; r < rows; ++r) vocabulary.add(kKeys[r]);
  SourceInfo source;
  source.path = "test.gguf";
  source.format = "gguf";
  source.facts.push_back({"tied_embeddings", std::string("tied: no output tensor")});
  Embeddings e(std::move(vocabulary), Matrix::encode(values, 4, dtype), std::move(source));
  std::vector<TokenKind> kinds = key_kinds();
  kinds.resize(rows);
  e.set_tokens(Tokens(std::move(kinds), TokenSpelling::byte_level, "gpt2"));
  e.set_tokenizer([] { return greedy_tokenizer(); });
  return e;
}

const Embeddings& model() {
  static const Embeddings e = token_model(matrix_values(kKeys.size()));
  return e;
}

spdlog::logger& quiet_log() {
  static spdlog::logger log("test", std::make_shared<spdlog::sinks::null_sink_mt>());
  return log;
}

// A line as the shell and a batch read it, its answer rendered in `style`; throws its error.
std::string answer(const Embeddings& e, const std::string& line,
                   output::OutputStyle style = output::OutputStyle::text,
                   std::istream* in = nullptr) {
  const app::Session session(e, true, {.threads = 1}, quiet_log(), in);
  app::BatchLineAnswer a = app::answer_line(session, line);
  if (const auto* error = std::get_if<Error>(&a.outcome)) throw *error;
  return output::render(std::get<app::Answer>(a.outcome), style, false);
}
std::string answer(const std::string& line, output::OutputStyle style = output::OutputStyle::text) {
  return answer(model(), line, style);
}
json json_answer(const std::string& line) {
  return json::parse(answer(line, output::OutputStyle::json));
}

// The command `run` of a command-table entry with standard input (a line never reads it).
app::Answer run_with_stdin(const std::string& name, app::CommandArgs args,
                           const std::string& input) {
  std::istringstream in(input);
  const app::Session session(model(), true, {.threads = 1}, quiet_log(), &in);
  return std::get<app::Answer>(app::find_command(name)->run(session, args));
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

bool same_bits(float a, float b) {
  return std::bit_cast<uint32_t>(a) == std::bit_cast<uint32_t>(b);
}

}  // namespace

TEST_CASE("tokenize: ids, the tokenizer's spellings and byte spans", "[app][tokens]") {
  const json j = json_answer("tokenize \"hello world\"");
  CHECK(j["command"] == "tokenize");
  CHECK(j["text"] == "hello world");
  CHECK(j["ids"] == json({10, 11, 12, 5, 8, 4, 9}));
  CHECK(j["tokens"] == json({"he", "llo", "Ġw", "o", "r", "l", "d"}));
  CHECK(j["spans"] == json::parse("[[0,2],[2,5],[5,7],[7,8],[8,9],[9,10],[10,11]]"));
  CHECK(answer("tokenize --ids \"hello world\"") == "10 11 12 5 8 4 9\n");
}

TEST_CASE("tokenize --add-special puts BOS and EOS around, with empty spans at their places",
          "[app][tokens]") {
  const json j = json_answer("tokenize --add-special he");
  CHECK(j["ids"] == json({0, 10, 1}));
  CHECK(j["spans"] == json::parse("[[0,0],[0,2],[2,2]]"));
}

TEST_CASE("tokenize --parse-special reads a control token written in the text", "[app][tokens]") {
  CHECK(json_answer("tokenize <s>he")["ids"] == json({16, 17, 18, 10}));
  CHECK(json_answer("tokenize --parse-special <s>he")["ids"] == json({0, 10}));
}

TEST_CASE("tokenize: text shows blanks as ␣ and spans; TSV one row a token", "[app][tokens]") {
  const auto text = lines_of(answer("tokenize \"hello world\""));
  REQUIRE(text.size() == 8);
  CHECK(text[0].find("token") != std::string::npos);
  CHECK(text[3].find("Ġw") != std::string::npos);
  CHECK(text[3].find("\u2423w") != std::string::npos);
  CHECK(text[3].find("[5,7)") != std::string::npos);
  const auto tsv = lines_of(answer("tokenize \"hello world\"", output::OutputStyle::tsv));
  REQUIRE(tsv.size() == 8);
  CHECK(tsv[0] == "index\tid\ttoken\tbegin\tend");
  CHECK(tsv[3] == "2\t12\tĠw\t5\t7");
}

TEST_CASE("tokenize of an empty text: empty lists", "[app][tokens]") {
  const json j = json_answer("tokenize \"\"");
  CHECK(j["text"] == "");
  CHECK(j["ids"].empty());
  CHECK(j["tokens"].empty());
  CHECK(j["spans"].empty());
  CHECK(answer("tokenize --ids \"\"") == "\n");
}

TEST_CASE("tokenize -: all of standard input, its last newline kept", "[app][tokens]") {
  app::CommandArgs args;
  args.text = "-";
  const auto a = std::get<app::TokenizeAnswer>(run_with_stdin("tokenize", args, "he\n"));
  CHECK(a.text == "he\n");
  REQUIRE(a.tokens.size() == 2);
  CHECK(a.tokens[1].id == 13);  // "Ċ"
  CHECK(a.tokens[1].text.text == "\n");
  args.dash_is_a_word = true;  // after "--": the text "-"
  CHECK(std::get<app::TokenizeAnswer>(run_with_stdin("tokenize", args, "he\n")).tokens.front().id ==
        14);
}

TEST_CASE("tokenize refuses text that is not UTF-8, naming the byte", "[app][tokens]") {
  app::CommandArgs args;
  args.text = "-";
  try {
    (void)run_with_stdin("tokenize", args, "he\xff");
    FAIL("tokenized invalid UTF-8");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::invalid_argument);
    CHECK_THAT(e.what(), Catch::Contains("byte 2"));
  }
}

TEST_CASE("detokenize gives the exact bytes; tokenize then detokenize gives the text back",
          "[app][tokens]") {
  CHECK(answer("detokenize 10 11 12") == "hello w");  // no newline added
  const json j = json_answer("detokenize 10 11");
  CHECK(j["command"] == "detokenize");
  CHECK(j["ids"] == json({10, 11}));
  CHECK(j["text"] == "hello");
  for (const std::string text : {"hello world\n", "-é- hello", "\n\n"}) {
    app::CommandArgs args;
    args.text = "-";
    const auto tokens =
        std::get<app::TokenizeAnswer>(run_with_stdin("tokenize", args, text)).tokens;
    std::string ids;
    for (const auto& t : tokens) ids += fmt::format("{} ", t.id);
    CHECK(answer("detokenize " + ids) == text);
  }
  CHECK(answer("detokenize 0 10 1") == "<s>he</s>");
  CHECK(answer("detokenize --skip-special 0 10 1") == "he");
}

TEST_CASE("detokenize reads ids from standard input, as a list too", "[app][tokens]") {
  app::CommandArgs args;
  args.id_texts = {"-"};
  CHECK(std::get<app::DetokenizeAnswer>(run_with_stdin("detokenize", args, "[10, 11]\n")).text ==
        "hello");
  CHECK(std::get<app::DetokenizeAnswer>(run_with_stdin("detokenize", args, " 10\n11 ")).text ==
        "hello");
}

TEST_CASE("detokenize: an id out of range is not found, named; a word is no id", "[app][tokens]") {
  try {
    (void)answer("detokenize 10 99");
    FAIL("detokenized id 99");
  } catch (const Error& e) {
    CHECK(e.kind() == ErrorKind::not_found);
    CHECK_THAT(e.what(), Catch::Contains("99"));
  }
  CHECK_THROWS_WITH(answer("detokenize 10 x1"), Catch::Contains("'x1' is not a token id"));
  CHECK_THROWS_WITH(answer("detokenize -- -3"), Catch::Contains("'-3' is not a token id"));
}

TEST_CASE("embed: each token's row bit for bit, as vector --id prints it", "[app][tokens][embed]") {
  const json j = json_answer("embed \"hello world\"");
  CHECK(j["command"] == "embed");
  CHECK(j["ids"] == json({10, 11, 12, 5, 8, 4, 9}));
  REQUIRE(j["vectors"].size() == 7);
  const auto text = lines_of(answer("embed \"hello world\""));
  REQUIRE(text.size() == 14);  // a line naming the token, then its row
  for (size_t i = 0; i < 7; ++i) {
    const uint32_t id = j["ids"][i].get<uint32_t>();
    const std::vector<float> row = model().row_values(id);
    for (size_t d = 0; d < 4; ++d) CHECK(same_bits(j["vectors"][i][d].get<float>(), row[d]));
    CHECK(text[2 * i + 1] + "\n" == answer(fmt::format("vector --id {}", id)));
  }
  CHECK(text[4].find("\u2423w") != std::string::npos);
}

TEST_CASE("embed --pool: one vector of the rows", "[app][tokens][embed]") {
  const auto rows = [](std::initializer_list<uint32_t> ids) {
    std::vector<std::vector<float>> out;
    for (uint32_t id : ids) out.push_back(model().row_values(id));
    return out;
  };
  const auto r = rows({10, 11});
  const json mean = json_answer("embed hello --pool mean");
  CHECK(mean["pool"] == "mean");
  CHECK_FALSE(mean.contains("vectors"));
  for (size_t d = 0; d < 4; ++d) {
    CHECK(same_bits(mean["vector"][d].get<float>(),
                    static_cast<float>((double{r[0][d]} + r[1][d]) / 2)));
  }
  const json sum = json_answer("embed hello --pool sum");
  CHECK(same_bits(sum["vector"][3].get<float>(), static_cast<float>(double{r[0][3]} + r[1][3])));
  CHECK(json_answer("embed hello --pool first")["vector"][0].get<float>() == r[0][0]);
  CHECK(json_answer("embed hello --pool last")["vector"][0].get<float>() == r[1][0]);
  CHECK(json_answer("embed hello --pool none").contains("vectors"));
  CHECK_THROWS_WITH(answer("embed \"\" --pool mean"), Catch::Contains("at least one token"));
  CHECK(json_answer("embed \"\"")["vectors"].empty());
}

TEST_CASE("embed --check-one-hot: lookup and one-hot times the matrix agree bit for bit",
          "[app][tokens][embed]") {
  for (const Dtype dtype : {Dtype::f32, Dtype::f16, Dtype::bf16}) {
    INFO(dtype_name(dtype));
    const Embeddings e = token_model(matrix_values(kKeys.size()), dtype);
    const json j =
        json::parse(answer(e, "embed \"hello world\" --check-one-hot", output::OutputStyle::json));
    const json& check = j["one_hot_check"];
    CHECK(check["rows_compared"] == 7);
    CHECK(check["matrix_rows"] == kKeys.size());
    CHECK(check["equal_bits"] == 7);
    CHECK(check["equal"] == true);
    CHECK(check["product_ms"].get<double>() >= 0);
  }
  const auto text = answer("embed he --check-one-hot");
  CHECK_THAT(text, Catch::Contains("one-hot check: 1 of 1 rows equal bit for bit"));
}

TEST_CASE("embed --check-one-hot says so when a -0 in the row makes the product's bits differ",
          "[app][tokens][embed]") {
  std::vector<float> values = matrix_values(kKeys.size());
  values[10 * 4 + 1] = -0.0f;  // row 10 ("he")
  const Embeddings e = token_model(values);
  const json check = json::parse(
      answer(e, "embed hello --check-one-hot", output::OutputStyle::json))["one_hot_check"];
  CHECK(check["equal_bits"] == 1);
  CHECK(check["equal_values"] == 2);
  CHECK(check["equal"] == false);
}

TEST_CASE("one_hot_products is a real product: every row is summed", "[app][tokens][embed]") {
  const Matrix m = Matrix::encode(std::vector<float>{1, 2, 3, 4, 5, 6}, 2, Dtype::f32);
  const auto products = app::one_hot_products(m, {2, 0});
  CHECK(products[0] == std::vector<float>{5, 6});
  CHECK(products[1] == std::vector<float>{1, 2});
  // An infinity in another row makes 0 * inf = NaN: the product is not a lookup then.
  const Matrix inf = Matrix::encode(std::vector<float>{1, 2, INFINITY, 4}, 2, Dtype::f32);
  CHECK(std::isnan(app::one_hot_products(inf, {0})[0][0]));
}

TEST_CASE("embed: a token without a row is named", "[app][tokens][embed]") {
  const Embeddings e = token_model(matrix_values(12), Dtype::f32, 12);
  try {
    (void)answer(e, "embed \" w\"");  // "Ġw" is 12
    FAIL("embedded a token past the matrix");
  } catch (const Error& error) {
    CHECK(error.kind() == ErrorKind::not_found);
    CHECK_THAT(error.what(),
               Catch::Contains("token 12 ('Ġw') has no row") && Catch::Contains("rows 0 to 11"));
  }
}

TEST_CASE("tokens: lowest norms against the median, the rows nearest the mean, kinds, ties",
          "[app][tokens][diagnostics]") {
  const json j = json_answer("tokens --k 3");
  CHECK(j["command"] == "tokens");
  CHECK(j["rows"] == kKeys.size());
  const std::vector<float> norms(model().norms().begin(), model().norms().end());
  std::vector<float> sorted = norms;
  std::sort(sorted.begin(), sorted.end());
  const float median = (sorted[9] + sorted[10]) / 2;
  CHECK(j["median_norm"].get<float>() == Approx(median));
  REQUIRE(j["low_norm"].size() == 3);
  CHECK(j["low_norm"][0]["id"] == kUnused);
  CHECK(j["low_norm"][0]["kind"] == "unused");
  CHECK(j["low_norm"][0]["ratio"].get<float>() == Approx(norms[kUnused] / median));
  CHECK(j["low_norm"][1]["id"] == 0);
  // Every row points the same way: all have cosine 1 with the mean but the unused one.
  REQUIRE(j["near_mean"].size() == 3);
  CHECK(j["near_mean"][0]["score"].get<float>() == Approx(1.0f));
  CHECK(j["kinds"]["control"] == 2);
  CHECK(j["kinds"]["unused"] == 1);
  CHECK(j["kinds"]["normal"] == kKeys.size() - 3);
  CHECK(j["tied_embeddings"] == "tied: no output tensor");
  const auto tsv = lines_of(answer("tokens --k 3", output::OutputStyle::tsv));
  CHECK(tsv[0] == "section\trank\tid\ttoken\ttext\tkind\tvalue\tratio");
  for (const auto& line : tsv) CHECK(std::count(line.begin(), line.end(), '\t') == 7);
  const auto text = answer("tokens --k 3");
  CHECK_THAT(text, Catch::Contains("lowest norms") && Catch::Contains("<unused0>"));
}

TEST_CASE("the token commands are lines of a batch and of the shell, and in every batch format",
          "[app][tokens][batch]") {
  for (const std::string name : {"tokenize", "detokenize", "embed", "tokens"}) {
    const app::Command* command = app::find_command(name);
    REQUIRE(command != nullptr);
    CHECK(command->batch_line);
  }
  std::istringstream lines(
      "tokenize \"hello world\"\ndetokenize 10 11\nembed he --pool mean\ntokens --k 2\n");
  const app::Session session(model(), true, {.threads = 1}, quiet_log());
  const app::BatchAnswer batch = app::answer_batch(session, lines, "test");
  REQUIRE(batch.lines.size() == 4);
  for (const auto& line : batch.lines) CHECK(std::holds_alternative<app::Answer>(line.outcome));
  const auto tsv = lines_of(output::render(batch, output::OutputStyle::tsv, false));
  for (const auto& line : tsv) CHECK(std::count(line.begin(), line.end(), '\t') == 7);
  const auto jsonl = lines_of(output::render(batch, output::OutputStyle::json, false));
  REQUIRE(jsonl.size() == 4);
  CHECK(json::parse(jsonl[1])["text"] == "hello");
  CHECK(output::render_for_shell(batch.lines[1], false, output::plain_message) == "hello\n");
}
