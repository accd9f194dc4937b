// Files are read through memory mappings. If another process truncates a mapped file while
// embtool uses it, touching a page that no longer exists raises SIGBUS, which would kill the
// process with no word. The guard turns it into embtool's usual refusal: one line on stderr
// naming the file, exit code 4 (bad file).
#pragma once

#include <string_view>

namespace embtool::cli {

// Installs the SIGBUS handler (once, from main).
void install_sigbus_guard();

// The file the handler names: the model being loaded or served.
void set_guarded_file(std::string_view path);

}  // namespace embtool::cli
