// plot's answer: which rows it shows, in which groups, with which arrows; the command line's
// image files.
#include <catch2/catch.hpp>

#include <spdlog/logger.h>
#include <spdlog/sinks/null_sink.h>

#include <filesystem>
#include <fstream>

#include "app/plot.hpp"
#include "base/error.hpp"
#include "fixtures.hpp"
#include "formats/formats.hpp"

using namespace embtool;
using namespace embtool::testing;

namespace {

const std::string& toy_path() {
  static const std::string path = write_file("plot_toy.bin", word2vec_binary(toy_words())).string();
  return path;
}

const Embeddings& toy() {
  static const Embeddings e = load(toy_path());
  return e;
}

spdlog::logger& quiet_log() {
  static spdlog::logger log("test", std::make_shared<spdlog::sinks::null_sink_mt>());
  return log;
}

app::Session session() { return app::Session(toy(), true, {.threads = 1}, quiet_log()); }

std::vector<app::Term> words(std::initializer_list<const char*> spelled) {
  std::vector<app::Term> terms;
  for (const char* word : spelled) terms.push_back(app::Term::spelled(word));
  return terms;
}

std::vector<std::string> point_words(const app::PlotAnswer& a) {
  std::vector<std::string> out;
  for (const auto& p : a.points) out.push_back(p.row.word);
  return out;
}

}  // namespace

TEST_CASE("plot shows each word once, in the order given, in its first group", "[app][plot]") {
  app::PlotRequest request;
  request.words = words({"king", "queen", "king", "cat"});
  request.groups = {words({"cat", "dog"})};
  const app::PlotAnswer a = app::plot(session(), request);
  CHECK(point_words(a) == std::vector<std::string>{"king", "queen", "cat", "dog"});
  CHECK(a.points[2].group == "words");
  CHECK(a.points[3].group == "group 1");
  CHECK(a.method == "pca");
  CHECK(a.title == "plot_toy.bin: PCA of 4 words");
  REQUIRE(a.explained_variance.size() == 2);
  CHECK(a.explained_variance[0] >= a.explained_variance[1]);
}

TEST_CASE("plot --analogy draws the offsets C->B and A->D", "[app][plot]") {
  app::PlotRequest request;
  request.analogy = words({"king", "woman", "man"});
  const app::PlotAnswer a = app::plot(session(), request);
  CHECK(point_words(a) == std::vector<std::string>{"king", "woman", "man", "queen"});
  REQUIRE(a.arrows.size() == 2);
  CHECK(a.arrows[0].from == 2);  // man -> woman
  CHECK(a.arrows[0].to == 1);
  CHECK(a.arrows[1].from == 0);  // king -> queen
  CHECK(a.arrows[1].to == 3);
}

TEST_CASE("plot --neighbors shows the query and its k neighbours", "[app][plot]") {
  app::PlotRequest request;
  request.neighbors_of = app::Term::spelled("cat");
  request.k = 3;
  const app::PlotAnswer a = app::plot(session(), request);
  REQUIRE(a.points.size() == 4);
  CHECK(a.points[0].row.word == "cat");
  CHECK(a.points[0].group == "query");
  CHECK(a.points[1].group == "neighbors");
}

TEST_CASE("plot refuses nothing to plot, one point, an unknown word and too many points", "[app][plot]") {
  app::PlotRequest request;
  CHECK_THROWS_AS(app::plot(session(), request), Error);
  request.words = words({"king"});
  CHECK_THROWS_AS(app::plot(session(), request), Error);  // PCA needs two points
  request.words = words({"king", "unicorn"});
  CHECK_THROWS_AS(app::plot(session(), request), UnknownWordError);
  request.words = words({"king", "queen"});
  request.neighbors_of = app::Term::spelled("cat");
  request.k = 1'000'000;
  CHECK_THROWS_AS(app::plot(session(), request), Error);
}

TEST_CASE("plot -o writes an SVG naming every word; a bad extension is refused before loading", "[app][plot]") {
  const auto svg = std::filesystem::temp_directory_path() / "embtool_plot_test.svg";
  std::filesystem::remove(svg);
  const auto ok = run_cli({"-m", toy_path(), "plot", "king", "queen", "man", "woman", "-o", svg.string()});
  CHECK(ok.code == 0);
  CHECK(ok.out.empty());  // the image is the answer; the coordinates only with --json or --tsv
  std::ifstream in(svg);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (const char* word : {"king", "queen", "man", "woman"}) CHECK(text.find(std::string(">") + word + "</text>") != std::string::npos);
  const auto json = run_cli({"-m", toy_path(), "--json", "plot", "king", "queen", "-o", svg.string()});
  CHECK(json.out.find("\"image\":\"" + svg.string() + "\"") != std::string::npos);
  const auto bad = run_cli({"-m", "/nonexistent/model.bin", "plot", "king", "queen", "-o", "p.jpg"});
  CHECK(bad.code == 2);
  CHECK(bad.err.find("must be a .svg or .png") != std::string::npos);
  std::filesystem::remove(svg);
}

TEST_CASE("a batch line may plot, but not write a file", "[app][plot]") {
  const auto r = run_cli({"-m", toy_path(), "batch", "--json"}, "plot king queen man\nplot king queen -o x.svg\n");
  CHECK(r.code == 2);
  CHECK(r.out.find("\"command\":\"plot\"") != std::string::npos);
  CHECK(r.out.find("only on the command line") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists("x.svg"));
}
