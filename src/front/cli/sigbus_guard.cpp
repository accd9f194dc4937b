#include "front/cli/sigbus_guard.hpp"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>

namespace embtool::cli {
namespace {

// Written before any mapping of the file exists, read only by the handler: plain bytes, so that
// the handler needs nothing but write(2) and _exit(2), which are async-signal-safe.
char guarded_path[4096];
std::atomic<size_t> guarded_length{0};

void write_all(const char* text, size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(STDERR_FILENO, text, size);
    if (n <= 0) return;
    text += n;
    size -= static_cast<size_t>(n);
  }
}

void on_sigbus(int) {
  constexpr char kPrefix[] = "embtool: error: ";
  constexpr char kProblem[] =
      ": the file was truncated or replaced while embtool was reading it (SIGBUS); run the command again\n";
  write_all(kPrefix, sizeof kPrefix - 1);
  const size_t length = guarded_length.load();
  if (length > 0) {
    write_all(guarded_path, length);
  } else {
    constexpr char kUnknown[] = "a mapped file";
    write_all(kUnknown, sizeof kUnknown - 1);
  }
  write_all(kProblem, sizeof kProblem - 1);
  ::_exit(4);  // ExitCode::bad_file
}

}  // namespace

void install_sigbus_guard() {
  struct sigaction action {};
  action.sa_handler = on_sigbus;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGBUS, &action, nullptr);
}

void set_guarded_file(std::string_view path) {
  guarded_length.store(0);
  const size_t length = std::min(path.size(), sizeof guarded_path);
  std::memcpy(guarded_path, path.data(), length);
  guarded_length.store(length);
}

}  // namespace embtool::cli
