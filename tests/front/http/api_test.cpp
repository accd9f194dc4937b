// The API as a function (no sockets): each route and error status, the bodies of the command
// line, and the mapping of request parameters onto a command's grammar.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include "app/query_parse.hpp"
#include "fixtures.hpp"
#include "formats/formats.hpp"
#include "front/http/api.hpp"

using namespace embtool;
using namespace embtool::testing;
using nlohmann::json;

namespace {

const Embeddings& toy() {
  static const Embeddings embeddings = load(write_file("http_toy.bin", word2vec_binary(toy_words())));
  return embeddings;
}

spdlog::logger& quiet_log() {
  static spdlog::logger log("http-test", std::make_shared<spdlog::sinks::null_sink_mt>());
  return log;
}

http::HttpResponse get(const std::string& target, app::ServeOptions limits = {}) {
  const http::Api api(toy(), true, SearchOptions{}, quiet_log(), limits);
  return api.answer("GET", target, "");
}

std::string cli_json(std::vector<std::string> args) {
  args.insert(args.begin(), {"--model", write_file("http_toy.bin", word2vec_binary(toy_words())).string(), "--json"});
  return run_cli(args).out;
}

}  // namespace

TEST_CASE("api: a query's body is the command line's --json output") {
  CHECK(get("/api/neighbors?word=king&k=3").body == cli_json({"neighbors", "king", "--k", "3"}));
  CHECK(get("/api/similar?a=cat&b=dog").body == cli_json({"similar", "cat", "dog"}));
  CHECK(get("/api/analogy?a=king&b=woman&c=man&method=mul").body ==
        cli_json({"analogy", "king", "woman", "man", "--method", "mul"}));
  CHECK(get("/api/vector?id=2").body == cli_json({"vector", "--id", "2"}));
  CHECK(get("/api/words?prefix=k").body == cli_json({"words", "--prefix", "k"}));
  CHECK(get("/api/words?regex=%5Ek.n").body == cli_json({"words", "--regex", "^k.n"}));
  CHECK(get("/api/neighbors?words=king,cat").body == cli_json({"neighbors", "king", "cat"}));
  CHECK(get("/api/neighbors?word=king").status == 200);
}

TEST_CASE("api: errors map to statuses with a JSON body") {
  const auto status_of = [](const std::string& target) { return get(target).status; };
  CHECK(status_of("/api/neighbors?word=zebra") == 404);
  CHECK(status_of("/api/vector?id=999") == 404);
  CHECK(status_of("/api/neighbors?word=king&k=0") == 400);
  CHECK(status_of("/api/neighbors?word=king&k=x") == 400);
  CHECK(status_of("/api/neighbors?word=king&nope=1") == 400);
  CHECK(status_of("/api/nope") == 404);
  CHECK(status_of("/nope") == 404);
  CHECK(status_of("/api/neighbors?word=%FF") == 400);
  const auto e = json::parse(get("/api/neighbors?word=zebra").body);
  CHECK(e["status"] == 404);
  CHECK(e["kind"] == "not found");
  CHECK(e["error"].get<std::string>().find("zebra") != std::string::npos);
}

TEST_CASE("api: the server's bounds") {
  app::ServeOptions limits;
  limits.max_k = 5;
  limits.max_batch_lines = 2;
  limits.max_body_bytes = 64;
  CHECK(get("/api/neighbors?word=king&k=5", limits).status == 200);
  CHECK(get("/api/neighbors?word=king&k=6", limits).status == 400);
  const http::Api api(toy(), true, SearchOptions{}, quiet_log(), limits);
  CHECK(api.answer("POST", "/api/batch", "similar cat dog\nsimilar cat dog\nsimilar cat dog\n").status == 413);
  CHECK(api.answer("POST", "/api/batch", std::string(65, 'x')).status == 413);
  const auto two = api.answer("POST", "/api/batch", "similar cat dog\nneighbors king --k 9\n");
  CHECK(two.status == 200);
  CHECK(two.body.find("--max-k") != std::string::npos);
}

TEST_CASE("api: methods and routes") {
  const http::Api api(toy(), true, SearchOptions{}, quiet_log(), {});
  CHECK(api.answer("POST", "/api/neighbors?word=king", "").status == 405);
  CHECK(api.answer("GET", "/api/batch", "").status == 405);
  CHECK(api.answer("DELETE", "/", "").status == 405);
  CHECK(api.answer("GET", "/", "").content_type.starts_with("text/html"));
  CHECK(api.answer("HEAD", "/api/info", "").status == 200);
  CHECK(json::parse(api.answer("GET", "/api/", "").body)["commands"].size() > 5);
}

TEST_CASE("api: parameters become the command's own arguments") {
  const app::Command& neighbors = *app::find_query_command("neighbors");
  CHECK(http::command_arguments(neighbors, {{"k", "3"}, {"word", "-x"}, {"words", "a,,b"}}) ==
        std::vector<std::string>{"--k", "3", "--", "-x", "a", "b"});
  const app::Command& tokenize = *app::find_query_command("tokenize");
  CHECK(http::command_arguments(tokenize, {{"add_special", "true"}, {"parse-special", "false"}, {"text", "hi"}}) ==
        std::vector<std::string>{"--add-special", "--", "hi"});
  CHECK_THROWS_AS(http::command_arguments(tokenize, {{"add_special", "perhaps"}}), Error);
  CHECK_THROWS_AS(http::command_arguments(neighbors, {{"help", ""}}), Error);
  const app::Command& vector = *app::find_query_command("vector");
  CHECK(http::command_arguments(vector, {{"word", "a"}, {"word", "b"}}) == std::vector<std::string>{"--", "a", "b"});
  const app::Command& similar = *app::find_query_command("similar");
  CHECK_THROWS_AS(http::command_arguments(similar, {{"a", "x"}, {"a", "y"}}), Error);
}
