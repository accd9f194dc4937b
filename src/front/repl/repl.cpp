#include "front/repl/repl.hpp"

#include <editline/readline.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/batch.hpp"
#include "app/commands.hpp"

namespace embtool::repl {
namespace {

// The shell's help: the examples of every command a line may hold, from the command table.
std::string help_text() {
  std::string help = "Ask a question a line, as on the command line without 'embtool':\n";
  for (const app::Command& command : app::commands()) {
    if (!command.batch_line) continue;
    std::string_view examples = command.examples;
    while (!examples.empty()) {
      const size_t end = examples.find('\n');
      const std::string_view example = examples.substr(0, end);
      if (example.find('|') == std::string_view::npos) help += "  " + std::string(example) + "\n";
      examples = end == std::string_view::npos ? std::string_view() : examples.substr(end + 1);
    }
  }
  help += "Tab completes commands and words; up and down arrows recall earlier lines.\n"
          "help shows this; quit, exit or Ctrl-D leaves.\n";
  return help;
}

// The words Tab completes first on a line: the commands a line may hold, then the shell's own.
const std::vector<std::string>& completable_commands() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> all;
    for (const app::Command& command : app::commands()) {
      if (command.batch_line) all.emplace_back(command.name);
    }
    all.insert(all.end(), {"help", "quit"});
    return all;
  }();
  return names;
}

// readline's completion callbacks are plain functions: the model they complete from.
const Vocabulary* g_vocabulary = nullptr;

// Yields, one call at a time, the commands (first word) or vocabulary words starting with
// `prefix`; readline frees what it is given.
char* next_match(const char* prefix, int state) {
  static size_t position;
  static bool commands;
  if (state == 0) {
    position = 0;
    commands = rl_point == static_cast<int>(std::strlen(prefix)) &&
               std::string_view(rl_line_buffer, static_cast<size_t>(rl_point)).find(' ') == std::string_view::npos;
  }
  const std::string_view wanted(prefix);
  if (commands) {
    const auto& names = completable_commands();
    for (; position < names.size(); ++position) {
      if (std::string_view(names[position]).starts_with(wanted)) return strdup(names[position++].c_str());
    }
    return nullptr;
  }
  constexpr size_t kMaxMatches = 200;  // a prefix of one letter would list a million words
  for (; g_vocabulary && position < g_vocabulary->size() && state < static_cast<int>(kMaxMatches);
       ++position) {
    const std::string_view word = g_vocabulary->word(static_cast<uint32_t>(position));
    if (word.starts_with(wanted)) {
      ++position;
      return strndup(word.data(), word.size());
    }
  }
  return nullptr;
}

char** complete(const char* text, int, int) {
  rl_attempted_completion_over = 1;  // never fall back to file names
  return rl_completion_matches(text, next_match);
}

std::string trimmed(const char* line) {
  std::string_view text(line);
  const size_t begin = text.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return {};
  return std::string(text.substr(begin, text.find_last_not_of(" \t") - begin + 1));
}

}  // namespace

std::optional<std::filesystem::path> history_path(const char* xdg_state_home, const char* home) {
  if (xdg_state_home != nullptr && *xdg_state_home == '/') {
    return std::filesystem::path(xdg_state_home) / "embtool" / "history";
  }
  if (home != nullptr && *home != '\0') return std::filesystem::path(home) / ".local" / "state" / "embtool" / "history";
  return std::nullopt;
}

namespace {

constexpr int kHistoryLines = 1000;

// The history file, made ready to read and write; nullopt when there is none to keep (no
// home) or its directory cannot be made: the shell then works without one.
std::optional<std::filesystem::path> open_history() {
  const auto path = history_path(std::getenv("XDG_STATE_HOME"), std::getenv("HOME"));
  if (!path) return std::nullopt;
  std::error_code ec;
  std::filesystem::create_directories(path->parent_path(), ec);
  if (ec) return std::nullopt;
  stifle_history(kHistoryLines);
  read_history(path->c_str());  // absent on the first run
  return path;
}

}  // namespace

void run_repl(const app::Session& session, std::ostream& out, std::ostream& err, bool terminal, bool color,
              const output::ErrorWording& wording) {
  const Embeddings& embeddings = session.embeddings();
  g_vocabulary = &embeddings.vocabulary();
  rl_attempted_completion_function = complete;
  const std::optional<std::filesystem::path> history = terminal ? open_history() : std::nullopt;
  if (terminal) {  // a greeting is for a person: never in piped output
    err << "embtool: " << embeddings.rows() << " words x " << embeddings.dim()
        << " dimensions. Type help for examples, quit to leave.\n";
    err.flush();
  }
  while (char* raw = readline("embtool> ")) {
    const std::string line = trimmed(raw);
    std::free(raw);
    if (line.empty()) continue;
    add_history(line.c_str());
    if (history) write_history(history->c_str());  // each line, so that a killed shell keeps it
    if (line == "quit" || line == "exit") break;
    if (line == "help" || line == "?") {
      out << help_text();
    } else {
      out << output::render_for_shell(app::answer_line(session, line), color, wording);
    }
    out.flush();
  }
  g_vocabulary = nullptr;
}

}  // namespace embtool::repl
