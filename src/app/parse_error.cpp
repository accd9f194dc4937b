#include "app/parse_error.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <regex>
#include <sstream>
#include <vector>

namespace embtool::app {
namespace {

std::string quoted_list(const std::string& space_separated, std::string_view one, std::string_view many) {
  std::istringstream in(space_separated);
  std::vector<std::string> items;
  for (std::string item; in >> item;) items.push_back(fmt::format("'{}'", item));
  return fmt::format("{} {}", items.size() == 1 ? one : many, fmt::join(items, ", "));
}

// "The following arguments were not expected: --frob x": options are unknown, the rest too many.
std::string extras(const std::string& list) {
  std::istringstream in(list);
  std::string options, others;
  std::vector<std::string> items;
  for (std::string item; in >> item;) items.push_back(item);
  for (auto it = items.rbegin(); it != items.rend(); ++it) {  // CLI11 lists them last first
    (it->size() > 1 && (*it)[0] == '-' ? options : others) += *it + " ";
  }
  std::vector<std::string> parts;
  if (!options.empty()) parts.push_back(quoted_list(options, "unknown option", "unknown options"));
  if (!others.empty()) parts.push_back(quoted_list(others, "unexpected argument", "unexpected arguments"));
  return fmt::format("{}", fmt::join(parts, "; "));
}

std::string plain(const std::string& name, const std::string& message) {
  std::smatch m;
  if (name == "ExtrasError" && std::regex_search(message, m, std::regex(R"(not expected: (.*)$)"))) {
    return extras(m[1]);
  }
  if (name == "RequiredError") {
    if (message == "A subcommand is required") return "no command given";
    if (std::regex_match(message, m, std::regex(R"((.+) is required)"))) return fmt::format("{} is missing", m[1].str());
  }
  if (name == "ArgumentMismatch") {
    if (std::regex_match(message, m, std::regex(R"((\S+): \d+ required .* missing)"))) {
      return fmt::format("{} needs a value", m[1].str());
    }
    if (std::regex_match(message, m, std::regex(R"((\S+): At Most (\d+) required but received (\d+))"))) {
      return fmt::format("{} takes at most {} value{} (it was given {})", m[1].str(), m[2].str(),
                         m[2].str() == "1" ? "" : "s", m[3].str());
    }
    if (std::regex_match(message, m, std::regex(R"((\S+): At least (\d+) required but received (\d+))"))) {
      return fmt::format("{} takes at least {} values (it was given {})", m[1].str(), m[2].str(), m[3].str());
    }
    if (std::regex_match(message, m, std::regex(R"(Expected (?:exactly|at least) (\d+) arguments to (\S+), got (\d+))"))) {
      return fmt::format("{} takes {} values (it was given {})", m[2].str(), m[1].str(), m[3].str());
    }
  }
  if (name == "ExcludesError" && std::regex_match(message, m, std::regex(R"((\S+) excludes (\S+))"))) {
    return fmt::format("{} and {} cannot be used together", m[1].str(), m[2].str());
  }
  if (name == "RequiresError" && std::regex_match(message, m, std::regex(R"((\S+) requires (\S+))"))) {
    return fmt::format("{} needs {}", m[1].str(), m[2].str());
  }
  if (name == "ConversionError") {
    if (std::regex_match(message, m, std::regex(R"(Could not convert: (\S+) = (.*))"))) {
      return fmt::format("{}: '{}' is not a valid value", m[1].str(), m[2].str());
    }
    if (std::regex_match(message, m, std::regex(R"(The value (.*) is not an allowed value for (\S+))"))) {
      return fmt::format("{}: '{}' is not an allowed value", m[2].str(), m[1].str());
    }
  }
  if (name == "ValidationError" &&
      std::regex_match(message, m, std::regex(R"((\S+): (\S+) not in \{(.*)\})"))) {
    std::string choices = m[3].str();
    for (size_t i = 0; (i = choices.find(',', i)) != std::string::npos; i += 2) choices.replace(i, 1, ", ");
    return fmt::format("{}: '{}' is not one of: {}", m[1].str(), m[2].str(), choices);
  }
  return message;
}

// The error's class (its get_name() is sometimes the name of the command that threw it).
std::string class_of(const CLI::ParseError& e) {
  if (dynamic_cast<const CLI::ExtrasError*>(&e)) return "ExtrasError";
  if (dynamic_cast<const CLI::RequiredError*>(&e)) return "RequiredError";
  if (dynamic_cast<const CLI::ArgumentMismatch*>(&e)) return "ArgumentMismatch";
  if (dynamic_cast<const CLI::ExcludesError*>(&e)) return "ExcludesError";
  if (dynamic_cast<const CLI::RequiresError*>(&e)) return "RequiresError";
  if (dynamic_cast<const CLI::ConversionError*>(&e)) return "ConversionError";
  if (dynamic_cast<const CLI::ValidationError*>(&e)) return "ValidationError";
  return e.get_name();
}

}  // namespace

std::string plain_parse_error(const CLI::ParseError& error) { return plain(class_of(error), error.what()); }

}  // namespace embtool::app
