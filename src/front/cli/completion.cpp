#include "front/cli/completion.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "base/error.hpp"

namespace embtool::cli {
namespace {

// Each script finds the context of the word being completed, "COMMAND/SUBCOMMAND" ("/" before
// any command, "eval/" before eval's subcommand, "neighbors/" after neighbors), by walking the
// words before it and skipping options and their values. The generated case tables below
// answer the three questions it asks of a context.

// A context and what is in it: the command's own options and how its arguments complete.
struct Context {
  std::string key;  // "neighbors/", "eval/analogies"
  const CommandOutline* command = nullptr;
  std::vector<const OptionOutline*> options;  // named options (global ones are added apart)
  std::string arguments;  // "commands", "subcommands", "words", "file", "choice", "none"
  std::vector<std::string> choices;  // command names, subcommand names or argument values
};

std::vector<std::string> command_names(const std::vector<CommandOutline>& commands) {
  std::vector<std::string> names;
  for (const CommandOutline& c : commands) names.push_back(c.name);
  return names;
}

// How the positional arguments of `command` complete.
void set_arguments(Context& context, const CommandOutline& command, const GrammarOutline& grammar) {
  if (!command.subcommands.empty()) {
    context.arguments = "choice";
    context.choices = command_names(command.subcommands);
    return;
  }
  if (command.name == "help") {  // help COMMAND: any command of the table
    context.arguments = "choice";
    context.choices = command_names(grammar.commands);
    return;
  }
  if (command.takes_words) {
    context.arguments = "words";
    return;
  }
  context.arguments = "none";
  for (const OptionOutline& o : command.options) {
    if (!o.positional()) continue;
    if (o.value == ValueKind::file) context.arguments = "file";
    if (o.value == ValueKind::choice) {
      context.arguments = "choice";
      context.choices = o.choices;
    }
    break;  // the first argument says it; the others (convert's OUTPUT) are files alike
  }
}

void add_contexts(const CommandOutline& command, const std::string& parent, const GrammarOutline& grammar,
                  std::vector<Context>& contexts) {
  Context context;
  context.key = parent.empty() ? command.name + "/" : parent + std::string("/") + command.name;
  context.command = &command;
  for (const OptionOutline& o : command.options) {
    if (!o.positional()) context.options.push_back(&o);
  }
  set_arguments(context, command, grammar);
  contexts.push_back(context);
  for (const CommandOutline& sub : command.subcommands) add_contexts(sub, command.name, grammar, contexts);
}

std::vector<Context> contexts_of(const GrammarOutline& grammar) {
  std::vector<Context> contexts;
  Context top;
  top.key = "/";
  top.arguments = "choice";
  top.choices = command_names(grammar.commands);
  contexts.push_back(top);
  for (const CommandOutline& command : grammar.commands) add_contexts(command, "", grammar, contexts);
  return contexts;
}

// A string in single quotes for sh and fish: ' itself closes, escapes and reopens (sh), or is
// escaped (fish, which also escapes the backslash).
std::string sh_quote(std::string_view text) {
  std::string quoted = "'";
  for (const char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

std::string fish_quote(std::string_view text) {
  std::string quoted = "'";
  for (const char c : text) {
    if (c == '\'' || c == '\\') quoted += '\\';
    quoted += c;
  }
  return quoted + "'";
}

// The first clause of a description: what a completion menu has room for.
std::string short_description(std::string_view description) {
  size_t end = description.size();
  for (const std::string_view stop : {"; ", " (", ": "}) end = std::min(end, description.find(stop));
  std::string text(description.substr(0, end));
  for (char& c : text) {
    if (c == '\n' || c == '\t') c = ' ';
  }
  return text;
}

std::string joined(const std::vector<std::string>& words) { return fmt::format("{}", fmt::join(words, " ")); }

// The commands whose first argument is a subcommand of their own (eval analogies).
std::vector<std::string> commands_with_subcommands(const GrammarOutline& grammar) {
  std::vector<std::string> names;
  for (const CommandOutline& c : grammar.commands) {
    if (!c.subcommands.empty()) names.push_back(c.name);
  }
  return names;
}

// What an option's value is, as the scripts' REPLY says it: file, text, or "choice:a b c".
std::string value_kind(const OptionOutline& o) {
  switch (o.value) {
    case ValueKind::file: return "file";
    case ValueKind::choice: return std::string("choice:") + joined(o.choices);
    case ValueKind::text: return "text";
    case ValueKind::none: break;
  }
  return "flag";
}

std::string case_pattern(const std::string& context, const OptionOutline& o) {
  std::vector<std::string> patterns;
  for (const std::string& name : o.names()) patterns.push_back(context.empty() ? std::string("*/*/") + sh_quote(name)
                                                                                : sh_quote(context + std::string("/") + name));
  return fmt::format("{}", fmt::join(patterns, "|"));
}

// _embtool_option_kind CONTEXT/OPTION: sets REPLY to the kind of value the option takes
// (a command's own option first, then a global one); "flag" for options without one.
std::string option_kind_function(const GrammarOutline& grammar, const std::vector<Context>& contexts) {
  std::string s = "_embtool_option_kind() {\n  case \"$1\" in\n";
  for (const Context& c : contexts) {
    for (const OptionOutline* o : c.options) {
      if (o->value != ValueKind::none) s += fmt::format("    {}) REPLY={} ;;\n", case_pattern(c.key, *o), sh_quote(value_kind(*o)));
    }
  }
  for (const OptionOutline& o : grammar.global_options) {
    if (o.value != ValueKind::none) s += fmt::format("    {}) REPLY={} ;;\n", case_pattern("", o), sh_quote(value_kind(o)));
  }
  s += "    *) REPLY=flag ;;\n  esac\n}\n";
  return s;
}

// _embtool_arguments CONTEXT: sets REPLY to how the context's next argument completes:
// "choice:a b c", "file", "words" or "none".
std::string arguments_function(const std::vector<Context>& contexts) {
  std::string s = "_embtool_arguments() {\n  case \"$1\" in\n";
  for (const Context& c : contexts) {
    const std::string reply = c.arguments == "choice" ? std::string("choice:") + joined(c.choices) : c.arguments;
    s += fmt::format("    {}) REPLY={} ;;\n", sh_quote(c.key), sh_quote(reply));
  }
  s += "    *) REPLY=none ;;\n  esac\n}\n";
  return s;
}

// The shared walk over the words before the cursor (sh: bash and zsh alike). WORDS_FROM and
// CURSOR are the shell's own: bash's COMP_WORDS from 1, zsh's words from 2.
std::string context_walk(std::string_view words, std::string_view first, std::string_view cursor,
                         const GrammarOutline& grammar) {
  const std::string with_subcommands = std::string(" ") + joined(commands_with_subcommands(grammar));
  return fmt::format(R"sh(  local command='' subcommand='' word kind i
  local -a model
  for ((i = {1}; i < {2}; i++)); do
    word=${{{0}[i]}}
    if [[ $word == -* ]]; then
      _embtool_option_kind "$command/$subcommand/$word"
      if [[ $REPLY != flag ]]; then
        [[ $word == -m || $word == --model ]] && model=(-m "${{{0}[i+1]}}")
        ((i++))
      fi
      continue
    fi
    if [[ -z $command ]]; then
      command=$word
    elif [[ -z $subcommand && "{3} " == *" $command "* ]]; then
      subcommand=$word
    fi
  done
)sh",
                     words, first, cursor, with_subcommands);
}

// Vocabulary words that start with the word being completed, from the model the command line
// names (or $EMBTOOL_MODEL, or the bundled one): at most 200, and nothing after 2 seconds.
constexpr std::string_view kWordsPipeline =
    R"sh(timeout 2 embtool "${model[@]}" words --prefix "$cur" --limit 200 --tsv 2>/dev/null | tail -n +2 | cut -f2 | grep -v ' ')sh";

std::string bash_options_function(const GrammarOutline& grammar, const std::vector<Context>& contexts) {
  std::vector<std::string> global;
  for (const OptionOutline& o : grammar.global_options) {
    for (const std::string& name : o.names()) global.push_back(name);
  }
  std::string s = "_embtool_options() {\n  case \"$1\" in\n";
  for (const Context& c : contexts) {
    std::vector<std::string> names;
    for (const OptionOutline* o : c.options) {
      for (const std::string& name : o->names()) names.push_back(name);
    }
    s += fmt::format("    {}) REPLY={} ;;\n", sh_quote(c.key), sh_quote(joined(names)));
  }
  s += fmt::format("    *) REPLY='' ;;\n  esac\n  REPLY+=\" \"{}\n}}\n", sh_quote(joined(global)));
  return s;
}

std::string bash_script(const GrammarOutline& grammar) {
  const std::vector<Context> contexts = contexts_of(grammar);
  std::string s = "# bash completion for embtool, written by `embtool completion bash` from its command table.\n"
                  "# Load it with: source <(embtool completion bash)\n\n";
  s += option_kind_function(grammar, contexts) + std::string("\n") + arguments_function(contexts) + "\n" +
       bash_options_function(grammar, contexts) + "\n";
  s += "_embtool() {\n  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n  COMPREPLY=()\n";
  s += context_walk("COMP_WORDS", "1", "COMP_CWORD", grammar);
  s += fmt::format(R"sh(  if ((COMP_CWORD > 1)) && [[ $prev == -* ]]; then
    _embtool_option_kind "$command/$subcommand/$prev"
    case $REPLY in
      file) compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- "$cur")); return ;;
      choice:*) COMPREPLY=($(compgen -W "${{REPLY#choice:}}" -- "$cur")); return ;;
      text) return ;;
    esac
  fi
  if [[ $cur == -* ]]; then
    _embtool_options "$command/$subcommand"
    COMPREPLY=($(compgen -W "$REPLY" -- "$cur"))
    return
  fi
  _embtool_arguments "$command/$subcommand"
  case $REPLY in
    file) compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- "$cur")) ;;
    choice:*) COMPREPLY=($(compgen -W "${{REPLY#choice:}}" -- "$cur")) ;;
    words) local IFS=$'\n'; COMPREPLY=($({})) ;;
  esac
}}
complete -F _embtool embtool
)sh",
                   kWordsPipeline);
  return s;
}

std::string zsh_describe_entry(const std::string& name, const std::string& description) {
  std::string entry = name + ":";
  for (const char c : short_description(description)) {
    if (c == ':') entry += '\\';
    entry += c;
  }
  return sh_quote(entry);
}

// _embtool_options CONTEXT: sets the array `reply` to "option:description" entries.
std::string zsh_options_function(const GrammarOutline& grammar, const std::vector<Context>& contexts) {
  std::string global;
  for (const OptionOutline& o : grammar.global_options) {
    for (const std::string& name : o.names()) (global += ' ') += zsh_describe_entry(name, o.description);
  }
  std::string s = "_embtool_options() {\n  case \"$1\" in\n";
  for (const Context& c : contexts) {
    std::string entries;
    for (const OptionOutline* o : c.options) {
      for (const std::string& name : o->names()) (entries += ' ') += zsh_describe_entry(name, o->description);
    }
    s += fmt::format("    {}) reply=({} ) ;;\n", sh_quote(c.key), entries);
  }
  s += fmt::format("    *) reply=() ;;\n  esac\n  reply+=({} )\n}}\n", global);
  return s;
}

// _embtool_commands: the array `reply` of "command:summary" entries (and eval's subcommands).
std::string zsh_commands_function(const GrammarOutline& grammar) {
  std::string s = "_embtool_commands() {\n  case \"$1\" in\n";
  std::string top;
  for (const CommandOutline& c : grammar.commands) {
    (top += ' ') += zsh_describe_entry(c.name, c.summary);
    if (c.subcommands.empty()) continue;
    std::string subs;
    for (const CommandOutline& sub : c.subcommands) (subs += ' ') += zsh_describe_entry(sub.name, sub.summary);
    s += fmt::format("    {}) reply=({} ) ;;\n", sh_quote(c.name + "/"), subs);
  }
  s += fmt::format("    *) reply=({} ) ;;\n  esac\n}}\n", top);
  return s;
}

std::string zsh_script(const GrammarOutline& grammar) {
  const std::vector<Context> contexts = contexts_of(grammar);
  std::string s = "#compdef embtool\n"
                  "# zsh completion for embtool, written by `embtool completion zsh` from its command table.\n"
                  "# Load it with: source <(embtool completion zsh)  (after compinit), or install it as\n"
                  "# _embtool in a directory of $fpath.\n\n";
  s += option_kind_function(grammar, contexts) + std::string("\n") + arguments_function(contexts) + "\n" +
       zsh_options_function(grammar, contexts) + std::string("\n") + zsh_commands_function(grammar) + "\n";
  s += "_embtool() {\n  local cur=${words[CURRENT]} prev=${words[CURRENT-1]}\n  local -a reply\n";
  s += context_walk("words", "2", "CURRENT", grammar);
  const std::string with_subcommands = std::string(" ") + joined(commands_with_subcommands(grammar));
  s += fmt::format(R"sh(  if ((CURRENT > 2)) && [[ $prev == -* ]]; then
    _embtool_option_kind "$command/$subcommand/$prev"
    case $REPLY in
      file) _files; return ;;
      choice:*) compadd -- ${{=REPLY#choice:}}; return ;;
      text) _message 'value'; return ;;
    esac
  fi
  if [[ $cur == -* ]]; then
    _embtool_options "$command/$subcommand"
    _describe -t options 'option' reply
    return
  fi
  if [[ -z $command || ( -z $subcommand && "{1} " == *" $command "* ) ]]; then
    _embtool_commands "$command/"
    _describe -t commands 'command' reply
    return
  fi
  _embtool_arguments "$command/$subcommand"
  case $REPLY in
    file) _files ;;
    choice:*) compadd -- ${{=REPLY#choice:}} ;;
    words) compadd -- ${{(f)"$({0})"}} ;;
  esac
}}

if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
  _embtool "$@"
else
  compdef _embtool embtool
fi
)sh",
                   kWordsPipeline, with_subcommands);
  return s;
}

// fish: `complete` lines, each guarded by the context it belongs to.
std::string fish_option_line(const std::string& guard, const OptionOutline& o) {
  std::string line = "complete -c embtool";
  if (!guard.empty()) line += std::string(" -n ") + fish_quote(std::string("__embtool_in ") + guard);
  for (const std::string& name : o.short_names) line += std::string(" -s ") + name.substr(1);
  for (const std::string& name : o.long_names) line += std::string(" -l ") + name.substr(2);
  if (o.value == ValueKind::file) line += " -r -F";
  if (o.value == ValueKind::text) line += " -x";
  if (o.value == ValueKind::choice) line += std::string(" -x -a ") + fish_quote(joined(o.choices));
  return line + std::string(" -d ") + fish_quote(short_description(o.description)) + "\n";
}

std::string fish_takes_value_function(const GrammarOutline& grammar, const std::vector<Context>& contexts) {
  std::string s = "function __embtool_takes_value --description 'whether CONTEXT/OPTION takes a value'\n"
                  "    switch $argv[1]\n";
  std::vector<std::string> patterns;
  for (const Context& c : contexts) {
    for (const OptionOutline* o : c.options) {
      if (o->value == ValueKind::none) continue;
      for (const std::string& name : o->names()) patterns.push_back(fish_quote(c.key + std::string("/") + name));
    }
  }
  for (const OptionOutline& o : grammar.global_options) {
    if (o.value == ValueKind::none) continue;
    for (const std::string& name : o.names()) patterns.push_back(std::string("'*/*/'") + fish_quote(name));
  }
  s += std::string("        case ") + joined(patterns) + "\n            return 0\n    end\n    return 1\nend\n";
  return s;
}

std::string fish_script(const GrammarOutline& grammar) {
  const std::vector<Context> contexts = contexts_of(grammar);
  std::string s = "# fish completion for embtool, written by `embtool completion fish` from its command table.\n"
                  "# Load it with: embtool completion fish | source\n\n";
  s += fish_takes_value_function(grammar, contexts);
  s += fmt::format(R"sh(
function __embtool_context --description 'COMMAND/SUBCOMMAND of the words before the cursor'
    set -l tokens (commandline -opc)
    set -l command ''
    set -l subcommand ''
    set -l i 2
    while test $i -le (count $tokens)
        set -l word $tokens[$i]
        if string match -q -- '-*' $word
            __embtool_takes_value "$command/$subcommand/$word"; and set i (math $i + 1)
        else if test -z "$command"
            set command $word
        else if test -z "$subcommand"; and contains -- $command {}
            set subcommand $word
        end
        set i (math $i + 1)
    end
    echo "$command/$subcommand"
end

function __embtool_in --description 'whether the cursor is in CONTEXT'
    test (__embtool_context) = $argv[1]
end

function __embtool_words --description 'vocabulary words that start with the word being completed'
    set -l tokens (commandline -opc)
    set -l model
    set -l i (contains -i -- -m $tokens; or contains -i -- --model $tokens)
    test -n "$i"; and set model -m $tokens[(math $i + 1)]
    timeout 2 embtool $model words --prefix (commandline -ct) --limit 200 --tsv 2>/dev/null | tail -n +2 | cut -f2 | string match -v -- '* *'
end

complete -c embtool -f
)sh",
                   joined(commands_with_subcommands(grammar)));
  for (const OptionOutline& o : grammar.global_options) s += fish_option_line("", o);
  for (const CommandOutline& c : grammar.commands) {
    s += std::string("complete -c embtool -n ") + fish_quote("__embtool_in /") + std::string(" -a ") + fish_quote(c.name) + " -d " +
         fish_quote(short_description(c.summary)) + "\n";
  }
  for (const Context& c : contexts) {
    if (c.command == nullptr) continue;
    for (const OptionOutline* o : c.options) s += fish_option_line(c.key, *o);
    const std::string guard = std::string(" -n ") + fish_quote(std::string("__embtool_in ") + c.key);
    if (c.arguments == "file") s += std::string("complete -c embtool") + guard + " -F\n";
    if (c.arguments == "words") s += std::string("complete -c embtool") + guard + " -a '(__embtool_words)'\n";
    if (c.arguments != "choice") continue;
    if (!c.command->subcommands.empty()) {
      for (const CommandOutline& sub : c.command->subcommands) {
        s += std::string("complete -c embtool") + guard + std::string(" -a ") + fish_quote(sub.name) + " -d " +
             fish_quote(short_description(sub.summary)) + "\n";
      }
    } else {
      s += std::string("complete -c embtool") + guard + std::string(" -a ") + fish_quote(joined(c.choices)) + "\n";
    }
  }
  return s;
}

}  // namespace

std::string completion_script(const GrammarOutline& grammar, std::string_view shell) {
  if (shell == "bash") return bash_script(grammar);
  if (shell == "zsh") return zsh_script(grammar);
  if (shell == "fish") return fish_script(grammar);
  throw Error(ErrorKind::invalid_argument, fmt::format("no completion for the shell '{}'", shell));
}

}  // namespace embtool::cli
