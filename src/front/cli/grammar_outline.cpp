#include "front/cli/grammar_outline.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>

#include "app/commands.hpp"

namespace embtool::cli {
namespace {

// Options and arguments whose value is a path: the shells complete file names for them.
constexpr std::array kFileOptions{"--model", "--vocab", "--tokenizer", "--output"};
constexpr std::array kFileArguments{"FILE", "INPUT", "OUTPUT", "MODEL"};

std::vector<std::string> split(std::string_view text, char separator) {
  std::vector<std::string> parts;
  for (size_t begin = 0; begin <= text.size();) {
    const size_t end = std::min(text.find(separator, begin), text.size());
    if (end > begin) parts.emplace_back(text.substr(begin, end - begin));
    begin = end + 1;
  }
  return parts;
}

// The values a validator accepts, from the description it gives the type name: CLI11's
// IsMember says "{a,b,c}", ours (analogy_method) "add|mul".
std::vector<std::string> choices_of(std::string_view type_name) {
  for (size_t colon = type_name.find(':'); colon != std::string_view::npos; colon = type_name.find(':', colon + 1)) {
    std::string_view described = type_name.substr(colon + 1);
    described = described.substr(0, described.find(':'));
    if (described.size() > 2 && described.front() == '{' && described.back() == '}') {
      return split(described.substr(1, described.size() - 2), ',');
    }
    if (described.find('|') != std::string_view::npos && described.find(' ') == std::string_view::npos) {
      return split(described, '|');
    }
  }
  return {};
}

// What the help shows after an option: its choices, else its type ("UINT", "TEXT").
std::string value_name_of(const CLI::Option& option, const std::vector<std::string>& choices, bool file) {
  if (file) return option.get_positional() ? option.get_name() : "PATH";
  const std::string listed = fmt::format("{}", fmt::join(choices, "|"));
  if (!choices.empty() && listed.size() <= 24) return listed;
  if (!choices.empty()) {  // too many to list in a synopsis: the option's name says what it is
    std::string name = option.get_lnames().empty() ? option.get_name() : option.get_lnames().front();
    for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return name;
  }
  std::string type = option.get_type_name();
  type = type.substr(0, type.find(':'));
  if (type == "UINT" || type == "INT" || type == "N>=1") return "N";
  if (type == "FLOAT" || type == "NUMBER") return "X";
  return type.empty() ? "VALUE" : type;
}

template <size_t N>
bool holds(const std::array<const char*, N>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

OptionOutline outline_option(const CLI::Option& option) {
  OptionOutline o;
  o.short_names = option.get_snames();
  for (std::string& name : o.short_names) name = std::string("-") + name;
  o.long_names = option.get_lnames();
  for (std::string& name : o.long_names) name = std::string("--") + name;
  if (!option.nonpositional()) o.positional_name = option.get_name();
  o.description = option.get_description();
  const bool flag = option.get_expected_max() == 0 || option.get_type_size_max() == 0;
  if (flag && !option.get_positional()) return o;
  o.repeatable = option.get_expected_max() > 1;
  o.choices = choices_of(option.get_type_name());
  const bool file = std::any_of(o.long_names.begin(), o.long_names.end(),
                                [](const std::string& n) { return holds(kFileOptions, n); }) ||
                    holds(kFileArguments, o.positional_name);
  o.value_name = value_name_of(option, o.choices, file);
  o.value = !o.choices.empty() ? ValueKind::choice : file ? ValueKind::file : ValueKind::text;
  return o;
}

// Help (-h, --help) is every command's; the outline lists it once, among the global options.
bool is_help(const CLI::Option& option) { return option.check_lname("help"); }

std::vector<OptionOutline> outline_options(const CLI::App& app, bool keep_help) {
  std::vector<OptionOutline> options;
  for (const CLI::Option* option : app.get_options()) {
    if (!keep_help && is_help(*option)) continue;
    options.push_back(outline_option(*option));
  }
  // Named options first, positional arguments after, as a synopsis writes them.
  std::stable_partition(options.begin(), options.end(), [](const OptionOutline& o) { return !o.positional(); });
  return options;
}

// Commands whose arguments are vocabulary words (the request parameter names say so).
bool takes_vocabulary_words(const app::Command& command) {
  const std::string_view p = command.parameters;
  return p == "a b" || p == "a b c" || p == "word" || p == "word...";
}

CommandOutline outline_command(const CLI::App& app) {
  CommandOutline c;
  c.name = app.get_name();
  c.summary = app.get_description();
  c.options = outline_options(app, false);
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    c.subcommands.push_back(outline_command(*sub));
  }
  if (const app::Command* command = app::find_command(c.name)) {
    c.examples = example_lines(command->examples);
    c.takes_words = takes_vocabulary_words(*command);
  }
  return c;
}

}  // namespace

std::vector<std::string> OptionOutline::names() const {
  std::vector<std::string> all = short_names;
  all.insert(all.end(), long_names.begin(), long_names.end());
  return all;
}

// An example that starts with a command or an option is embtool's arguments; one that starts
// with another word ("cut -f1 words.tsv | embtool ...", "source <(embtool ...)") is a whole
// shell line.
std::vector<std::string> example_lines(std::string_view examples) {
  std::vector<std::string> lines;
  for (const std::string& example : split(examples, '\n')) {
    const std::string first = example.substr(0, example.find(' '));
    const bool arguments = first.starts_with("-") || app::find_command(first) != nullptr;
    lines.push_back(arguments ? std::string("embtool ") + example : example);
  }
  return lines;
}

GrammarOutline outline_of(const CLI::App& parser) {
  GrammarOutline g;
  g.description = parser.get_description();
  for (const CLI::Option* option : parser.get_options()) g.global_options.push_back(outline_option(*option));
  for (const CLI::App* sub : parser.get_subcommands([](const CLI::App*) { return true; })) {
    g.commands.push_back(outline_command(*sub));
  }
  return g;
}

}  // namespace embtool::cli
