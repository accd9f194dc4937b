#include "front/cli/man_page.hpp"

#include <fmt/format.h>

#include "front/cli/exit_code.hpp"

namespace embtool::cli {
namespace {

// Text as roff shows it literally: backslashes escaped, a dot or quote that would start a
// line made plain, hyphens as the minus sign that options are typed with.
std::string roff(std::string_view text) {
  std::string out;
  bool line_start = true;
  for (const char c : text) {
    if (line_start && (c == '.' || c == '\'')) out += "\\&";
    if (c == '\\') out += "\\e";
    else if (c == '-') out += "\\-";
    else out += c;
    line_start = c == '\n';
  }
  return out;
}

// "-k, --k N" as a tagged paragraph's tag: names bold, the value's name in italics.
std::string option_tag(const OptionOutline& o) {
  if (o.positional()) return fmt::format("\\fI{}\\fR", roff(o.positional_name));
  std::string tag;
  for (const std::string& name : o.names()) {
    if (!tag.empty()) tag += ", ";
    tag += fmt::format("\\fB{}\\fR", roff(name));
  }
  if (!o.value_name.empty()) tag += fmt::format(" \\fI{}\\fR", roff(o.value_name));
  return tag;
}

void write_options(std::string& page, const std::vector<OptionOutline>& options) {
  for (const OptionOutline& o : options) page += fmt::format(".TP\n{}\n{}\n", option_tag(o), roff(o.description));
}

std::string synopsis_of(const CommandOutline& command, std::string_view parent) {
  std::string line = fmt::format(".B embtool{}{}\n", parent.empty() ? "" : " ", roff(parent));
  line += fmt::format("\\fB{}\\fR", roff(command.name));
  bool has_options = false;
  for (const OptionOutline& o : command.options) {
    if (!o.positional()) has_options = true;
  }
  if (has_options) line += " [\\fIoptions\\fR]";
  if (!command.subcommands.empty()) line += " \\fISUBCOMMAND\\fR";
  for (const OptionOutline& o : command.options) {
    if (o.positional()) line += fmt::format(" \\fI{}\\fR{}", roff(o.positional_name), o.repeatable ? "..." : "");
  }
  return line + "\n";
}

void write_command(std::string& page, const CommandOutline& command, std::string_view parent) {
  page += fmt::format(".SS {}{}{}\n", roff(parent), parent.empty() ? "" : " ", roff(command.name));
  page += synopsis_of(command, parent);
  page += fmt::format(".PP\n{}\n", roff(command.summary));
  write_options(page, command.options);
  if (!command.examples.empty()) {
    page += ".PP\nExamples:\n.PP\n.RS\n.nf\n";
    for (const std::string& example : command.examples) page += roff(example) + "\n";
    page += ".fi\n.RE\n";
  }
  const std::string qualified = parent.empty() ? command.name : std::string(parent) + " " + command.name;
  for (const CommandOutline& sub : command.subcommands) write_command(page, sub, qualified);
}

struct Variable {
  std::string_view name;
  std::string_view meaning;
};

// The environment embtool reads (README "Global options", "Cache", "Output").
constexpr Variable kEnvironment[] = {
    {"EMBTOOL_MODEL", "The model to use when -m is not given (else the bundled model)."},
    {"EMBTOOL_CACHE", "0, off, no or false: never cache stores of large files (as --no-cache)."},
    {"EMBTOOL_CACHE_MIN_BYTES", "The size from which word2vec, text and GloVe files are cached (default 64 MiB)."},
    {"XDG_CACHE_HOME", "Where cached stores are kept: $XDG_CACHE_HOME/embtool, else ~/.cache/embtool."},
    {"XDG_STATE_HOME", "Where the shell keeps its history: $XDG_STATE_HOME/embtool/history, else "
                       "~/.local/state/embtool/history."},
    {"NO_COLOR", "When set and not empty, no colour (unless --color always)."},
    {"TERM", "dumb: no colour (unless --color always)."},
};

}  // namespace

std::string man_page(const GrammarOutline& grammar, std::string_view version) {
  std::string page = fmt::format(".TH EMBTOOL 1 \"\" \"embtool {}\" \"User Commands\"\n", roff(version));
  page += ".SH NAME\nembtool \\- explore word vectors and the token embeddings of language models\n";
  page += ".SH SYNOPSIS\n.B embtool\n[\\fIglobal options\\fR] \\fICOMMAND\\fR [\\fIoptions\\fR] [\\fIarguments\\fR]\n";
  page += fmt::format(".SH DESCRIPTION\n{}\n.PP\n", roff(grammar.description));
  page += "Global options may stand before or after the command. Without a command, on a terminal, "
          "embtool starts its interactive shell (\\fBembtool repl\\fR).\n";
  page += ".SH GLOBAL OPTIONS\n";
  write_options(page, grammar.global_options);
  page += ".SH COMMANDS\n";
  for (const CommandOutline& command : grammar.commands) write_command(page, command, "");
  page += ".SH EXIT STATUS\n";
  for (const ExitCode code : kExitCodes) {
    page += fmt::format(".TP\n.B {}\n{}\n", static_cast<int>(code), roff(exit_code_meaning(code)));
  }
  page += ".SH ENVIRONMENT\n";
  for (const Variable& v : kEnvironment) page += fmt::format(".TP\n.B {}\n{}\n", roff(v.name), roff(v.meaning));
  page += ".SH SEE ALSO\n\\fBembtool help\\fR \\fICOMMAND\\fR; the README of the embtool sources.\n";
  return page;
}

}  // namespace embtool::cli
