// The request target read strictly: its path, its parameters in order, escapes decoded, and
// every malformed form refused with a plain message.
#include <catch2/catch.hpp>

#include "base/error.hpp"
#include "front/http/request_target.hpp"

using embtool::Error;
using embtool::ErrorKind;
using embtool::http::parse_request_target;

TEST_CASE("request target: path and parameters, in order, decoded") {
  const auto t = parse_request_target("/api/neighbors?word=king&k=10&word=queen%20bee&text=a+b%2Bc");
  CHECK(t.path == "/api/neighbors");
  REQUIRE(t.parameters.size() == 4);
  CHECK(t.parameters[0].name == "word");
  CHECK(t.parameters[0].value == "king");
  CHECK(t.parameters[1].value == "10");
  CHECK(t.parameters[2].value == "queen bee");
  CHECK(t.parameters[3].value == "a b+c");
}

TEST_CASE("request target: a path's '+' stays, empty pairs are skipped, a bare name has an empty value") {
  const auto t = parse_request_target("/a+b?&&flag&x=");
  CHECK(t.path == "/a+b");
  REQUIRE(t.parameters.size() == 2);
  CHECK(t.parameters[0].name == "flag");
  CHECK(t.parameters[0].value.empty());
  CHECK(t.parameters[1].value.empty());
}

TEST_CASE("request target: UTF-8 escapes decode to the word") {
  const auto t = parse_request_target("/api/neighbors?word=%C3%A9t%C3%A9");
  CHECK(t.parameters.at(0).value == "\xC3\xA9t\xC3\xA9");
}

TEST_CASE("request target: malformed targets are refused, not guessed at") {
  for (const char* bad : {"", "api", "*", "/x?word=%", "/x?word=%4", "/x?word=%GG", "/x?word=%FF", "/x?word=%C0%AF",
                          "/x?word=%ED%A0%80", "/x?=v", "/%FF", "/x?w%ZZ=1"}) {
    INFO(bad);
    try {
      parse_request_target(bad);
      FAIL("accepted");
    } catch (const Error& e) {
      CHECK(e.kind() == ErrorKind::invalid_argument);
      CHECK(std::string(e.what()).size() > 10);
    }
  }
}
