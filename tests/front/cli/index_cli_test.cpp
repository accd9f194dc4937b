// `embtool index MODEL` and `neighbors --ann`: the index file beside the model, answers that say
// they are approximate, exact answers unchanged.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <filesystem>

#include "fixtures.hpp"

using namespace embtool::testing;
using nlohmann::json;

TEST_CASE("index: neighbors --ann answers from MODEL.hnsw and says it is approximate", "[ann]") {
  const auto model = write_file("index_cli.bin", word2vec_binary(random_words(2000, 16, 9))).string();
  const auto store = (scratch_dir() / "index_cli.emb").string();
  REQUIRE(run_cli({"convert", model, store}).code == 0);
  const CliResult before = run_cli({"-m", store, "neighbors", "w7", "--json"});
  REQUIRE(before.code == 0);

  const CliResult missing = run_cli({"-m", store, "neighbors", "w7", "--ann"});
  CHECK(missing.code != 0);
  CHECK_THAT(missing.err, Catch::Contains("embtool index"));

  REQUIRE(run_cli({"index", store, "--threads", "1"}).code == 0);
  CHECK(std::filesystem::exists(store + ".hnsw"));
  CHECK(std::filesystem::exists(store));

  const CliResult exact = run_cli({"-m", store, "neighbors", "w7", "--json"});
  CHECK(exact.out == before.out);  // a store with an index answers exactly as before
  CHECK(json::parse(exact.out)["exact"] == true);

  const CliResult ann = run_cli({"-m", store, "neighbors", "w7", "--ann", "--ef", "2000", "--json"});
  REQUIRE(ann.code == 0);
  const json doc = json::parse(ann.out);
  CHECK(doc["exact"] == false);
  CHECK(doc["ef"] == 2000);
  CHECK(doc["results"] == json::parse(exact.out)["results"]);  // ef = rows: the exact answer

  const CliResult text = run_cli({"-m", store, "neighbors", "w7", "--ann"});
  CHECK_THAT(text.out, Catch::Contains("approximate"));
  const CliResult tsv = run_cli({"-m", store, "neighbors", "w7", "--ann", "--tsv"});
  CHECK(tsv.out.rfind("query\trank\tword\tscore\texact\n", 0) == 0);

  CHECK(run_cli({"-m", store, "neighbors", "w7", "--ef", "5"}).code != 0);  // --ef without --ann
  const CliResult batch = run_cli({"-m", store, "batch", "--jsonl"}, "neighbors w7 --ann\nneighbors w7\n");
  CHECK_THAT(batch.out, Catch::Contains("\"exact\":false") && Catch::Contains("\"exact\":true"));

  // Other vectors under the same name: the index is stale and refused.
  REQUIRE(run_cli({"convert", write_file("index_cli2.bin", word2vec_binary(random_words(2000, 16, 10))).string(),
                   store, "--force"}).code == 0);
  const CliResult stale = run_cli({"-m", store, "neighbors", "w7", "--ann"});
  CHECK(stale.code != 0);
  CHECK_THAT(stale.err, Catch::Contains("stale"));
}
