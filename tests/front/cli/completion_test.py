#!/usr/bin/env python3
"""Shell completion and the manual page, in the shells and the man that users have.

bash: the script is sourced, `complete -p embtool` names its function, and the function is
called as bash calls it (COMP_WORDS, COMP_CWORD) on command lines with a known answer.
zsh: the script loads after compinit and registers _embtool; the function runs with zsh's
completion builtins replaced by stand-ins that print what they were given.
fish: the script is sourced and `complete -C` asks fish itself for the completions.
man: `cmake --install` into a temporary prefix puts embtool.1 and the three scripts where each
program looks, and `man -l` renders the page with every command of `embtool help`.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

FAILURES = []


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what)
    if not condition:
        FAILURES.append(what)


def run(args, **kw):
    return subprocess.run(args, capture_output=True, text=True, timeout=120, **kw)


def commands_of(embtool):
    """The command names, as `embtool help` lists them."""
    out = run([embtool, "help"]).stdout
    section = out.split("SUBCOMMANDS:", 1)[1] if "SUBCOMMANDS:" in out else out
    return [m.group(1) for m in re.finditer(r"^  ([a-z][a-z-]*)\s", section, re.M)]


def bash_complete(script, env, line):
    """What bash's completion function offers for `line` (the cursor at its end)."""
    words = line.split(" ")
    program = f"""
source {script}
COMP_WORDS=({' '.join(shlex_quote(w) for w in words)})
COMP_CWORD={len(words) - 1}
COMP_LINE={shlex_quote(line)}
_embtool
printf '%s\\n' "${{COMPREPLY[@]}}"
"""
    result = run(["bash", "--norc", "-c", program], env=env)
    return [w for w in result.stdout.splitlines() if w]


def shlex_quote(text):
    return "'" + text.replace("'", "'\\''") + "'"


def test_bash(embtool, env, tmp, model):
    script = os.path.join(tmp, "embtool.bash")
    with open(script, "w") as f:
        f.write(run([embtool, "completion", "bash"]).stdout)
    loaded = run(["bash", "--norc", "-c", f"source <({embtool} completion bash) && complete -p embtool"], env=env)
    check(loaded.returncode == 0 and "-F _embtool" in loaded.stdout, "bash: complete -p embtool names _embtool")

    check(bash_complete(script, env, "embtool nei") == ["neighbors"], "bash: a command from its start")
    check(set(bash_complete(script, env, "embtool analogy king woman man --method ")) == {"add", "mul"},
          "bash: --method's values")
    formats = bash_complete(script, env, "embtool --format ")
    check("word2vec-binary" in formats and "gguf" in formats and "auto" in formats,
          "bash: --format's values come from the format registry")
    check(set(bash_complete(script, env, "embtool eval ")) == {"analogies", "pairs"}, "bash: eval's subcommands")
    check("--style" in bash_complete(script, env, "embtool eval analogies --s"), "bash: a subcommand's options")
    options = bash_complete(script, env, "embtool neighbors --")
    check({"--k", "--ann", "--ef", "--json", "--model"} <= set(options), "bash: a command's and the global options")
    check("--method" not in options, "bash: no option of another command")
    check(set(bash_complete(script, env, "embtool completion ")) == {"bash", "zsh", "fish"}, "bash: completion's shells")
    os.makedirs(os.path.join(tmp, "models"))
    open(os.path.join(tmp, "models", "vectors.bin"), "w").close()
    check(bash_complete(script, env, f"embtool -m {tmp}/models/vec") == [f"{tmp}/models/vectors.bin"],
          "bash: file names after -m")
    check(bash_complete(script, env, f"embtool convert {tmp}/models/vec") == [f"{tmp}/models/vectors.bin"],
          "bash: file names for convert's INPUT")
    check(bash_complete(script, env, "embtool neighbors --k ") == [], "bash: nothing offered for a number")
    words = bash_complete(script, env, f"embtool -m {model} neighbors kin")
    check("king" in words and all(w.startswith("kin") for w in words), "bash: vocabulary words from the model (-m)")
    words = bash_complete(script, env, f"embtool --limit 5 -m {model} analogy king wom")
    check("woman" in words, "bash: words after options with values")


ZSH_STANDINS = r"""
_describe() { local name=${@[-1]}; print -l -- "${(@P)name%%:*}"; }
compadd() { [[ $1 == -- ]] && shift; print -l -- "$@"; }
_files() { print -- '<files>'; }
_message() { print -- '<message>'; }
"""


def zsh_complete(script, env, line):
    words = line.split(" ")
    program = f"""
autoload -Uz compinit && compinit -u -D
source {script}
{ZSH_STANDINS}
words=({' '.join(shlex_quote(w) for w in words)})
CURRENT={len(words)}
_embtool
"""
    result = run(["zsh", "-f", "-c", program], env=env)
    return [w for w in result.stdout.splitlines() if w]


def test_zsh(embtool, env, tmp, model):
    script = os.path.join(tmp, "_embtool")
    with open(script, "w") as f:
        f.write(run([embtool, "completion", "zsh"]).stdout)
    syntax = run(["zsh", "-n", script])
    check(syntax.returncode == 0, "zsh: the script parses" + (": " + syntax.stderr if syntax.stderr else ""))
    loaded = run(["zsh", "-f", "-c", f"autoload -Uz compinit && compinit -u -D; source {script}; print $_comps[embtool]"],
                 env=env)
    check(loaded.stdout.strip() == "_embtool", "zsh: loads after compinit and registers _embtool")
    check("neighbors" in zsh_complete(script, env, "embtool nei"), "zsh: commands")
    check(set(zsh_complete(script, env, "embtool analogy a b c --method ")) == {"add", "mul"}, "zsh: --method's values")
    check(zsh_complete(script, env, "embtool -m ") == ["<files>"], "zsh: files after -m")
    options = zsh_complete(script, env, "embtool neighbors --")
    check("--ann" in options and "--json" in options, "zsh: a command's and the global options")
    check("king" in zsh_complete(script, env, f"embtool -m {model} similar kin"), "zsh: vocabulary words")


def test_fish(embtool, env, tmp, model):
    def complete(line):
        result = run(["fish", "--no-config", "-c", f"{embtool} completion fish | source; complete -C {shlex_quote(line)}"],
                     env=env)
        return [w.split("\t")[0] for w in result.stdout.splitlines() if w]

    check("neighbors" in complete("embtool nei"), "fish: commands")
    check(set(complete("embtool analogy king woman man --method ")) == {"add", "mul"}, "fish: --method's values")
    check({"analogies", "pairs"} == set(complete("embtool eval ")), "fish: eval's subcommands")
    options = complete("embtool neighbors --")
    check("--ann" in options and "--json" in options and "--method" not in options,
          "fish: a command's and the global options")
    check("king" in complete(f"embtool -m {model} neighbors kin"), "fish: vocabulary words")


def test_man(embtool, env, tmp, build, commands):
    prefix = os.path.join(tmp, "prefix")
    installed = run(["cmake", "--install", build, "--prefix", prefix])
    check(installed.returncode == 0, "cmake --install into a temporary prefix" + installed.stderr)
    page = os.path.join(prefix, "share", "man", "man1", "embtool.1")
    check(os.path.isfile(page), "the manual page is installed as share/man/man1/embtool.1")
    for path in ["share/bash-completion/completions/embtool", "share/zsh/site-functions/_embtool",
                 "share/fish/vendor_completions.d/embtool.fish"]:
        check(os.path.isfile(os.path.join(prefix, path)), f"installed: {path}")
    rendered = run(["man", "-l", page], env=dict(env, MANWIDTH="100", MAN_KEEP_FORMATTING="0"))
    text = re.sub(r".\x08", "", rendered.stdout)
    check(rendered.returncode == 0 and "EXIT STATUS" in text and "ENVIRONMENT" in text,
          "man -l renders the page" + rendered.stderr[:300])
    missing = [c for c in commands if not re.search(rf"^\s+{re.escape(c)}\b", text, re.M)]
    check(not missing, f"the page has every command ({len(commands)}){': missing ' + ', '.join(missing) if missing else ''}")
    warnings = run(["groff", "-man", "-Tutf8", "-ww", "-Wbreak", "-z", page])
    check(warnings.stderr == "", "groff finds nothing wrong in the page" + warnings.stderr[:300])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--embtool", required=True)
    parser.add_argument("--build", required=True, help="the build directory, for cmake --install")
    parser.add_argument("--model", required=True, help="the bundled model")
    args = parser.parse_args()
    embtool = os.path.abspath(args.embtool)
    env = dict(os.environ, PATH=os.path.dirname(embtool) + os.pathsep + os.environ.get("PATH", ""))
    env.pop("EMBTOOL_MODEL", None)
    commands = commands_of(embtool)
    check(len(commands) >= 20, f"embtool help lists the commands ({len(commands)})")
    with tempfile.TemporaryDirectory() as tmp:
        test_bash(embtool, env, tmp, args.model)
        for shell, test in (("zsh", test_zsh), ("fish", test_fish)):
            if shutil.which(shell) is None:
                print(f"skip {shell}: not installed (scripts/install-deps.sh --test installs it)")
                continue
            test(embtool, env, tmp, args.model)
        if shutil.which("man") is None:
            print("skip man: not installed (scripts/install-deps.sh --test installs man-db)")
        else:
            test_man(embtool, env, tmp, args.build, commands)
    if FAILURES:
        print(f"{len(FAILURES)} failed")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
