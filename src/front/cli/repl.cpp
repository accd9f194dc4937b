#include "front/cli/repl.hpp"

#include <editline/readline.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "front/cli/batch.hpp"

namespace embtool::cli {
namespace {

constexpr const char* kHelp =
    "Ask a question a line, as on the command line without 'embtool':\n"
    "  neighbors dog --k 5          neighbors \"king - man + woman\"\n"
    "  analogy king woman man       analogy king woman man --method mul\n"
    "  similar cat dog              distance cat dog\n"
    "  doesnt-match breakfast cereal dinner lunch\n"
    "  vector cat                   vector --id 42\n"
    "Tab completes commands and words; up and down arrows recall earlier lines.\n"
    "help shows this; quit, exit or Ctrl-D leaves.\n";

constexpr const char* kCommands[] = {"neighbors", "analogy", "similar", "distance",
                                     "doesnt-match", "vector", "help", "quit"};

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
    for (; position < std::size(kCommands); ++position) {
      if (std::string_view(kCommands[position]).starts_with(wanted)) return strdup(kCommands[position++]);
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

void run_repl(const CommandContext& ctx) {
  g_vocabulary = &ctx.embeddings.vocabulary();
  rl_attempted_completion_function = complete;
  ctx.out << "embtool: " << ctx.embeddings.rows() << " words x " << ctx.embeddings.dim()
          << " dimensions. Type help for examples, quit to leave.\n";
  ctx.out.flush();
  while (char* raw = readline("embtool> ")) {
    const std::string line = trimmed(raw);
    std::free(raw);
    if (line.empty()) continue;
    add_history(line.c_str());
    if (line == "quit" || line == "exit") break;
    if (line == "help" || line == "?") {
      ctx.out << kHelp;
    } else {
      ctx.out << answer_query_line(ctx, line);
    }
    ctx.out.flush();
  }
  g_vocabulary = nullptr;
}

}  // namespace embtool::cli
