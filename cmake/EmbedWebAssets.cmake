# Writes OUTPUT, a C++ file holding each of FILES (under SOURCE_DIR) as bytes and
# find_web_asset() over them (src/front/http/web_assets.hpp). Run at build time, so that an
# edit of web/ rebuilds the binary.
string(REPLACE "," ";" FILES "${FILES}")
set(body "")
set(table "")
set(index 0)
foreach(file IN LISTS FILES)
  file(READ "${SOURCE_DIR}/${file}" hex HEX)
  string(LENGTH "${hex}" hex_length)
  math(EXPR size "${hex_length} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  string(APPEND body "const unsigned char k${index}[] = {${bytes} 0};\n")
  if(file MATCHES "\\.html$")
    set(type "text/html; charset=utf-8")
  elseif(file MATCHES "\\.js$")
    set(type "text/javascript; charset=utf-8")
  elseif(file MATCHES "\\.css$")
    set(type "text/css; charset=utf-8")
  elseif(file MATCHES "\\.svg$")
    set(type "image/svg+xml")
  else()
    set(type "application/octet-stream")
  endif()
  string(APPEND table "    {\"/${file}\", \"${type}\", std::string_view(reinterpret_cast<const char*>(k${index}), ${size})},\n")
  math(EXPR index "${index} + 1")
endforeach()
file(WRITE "${OUTPUT}.tmp" "// Generated from web/ by cmake/EmbedWebAssets.cmake; do not edit.
#include \"front/http/web_assets.hpp\"

namespace embtool::http {
namespace {
${body}
const WebAsset kAssets[] = {
${table}};
}  // namespace

const WebAsset* find_web_asset(std::string_view path) {
  if (path == \"/\") path = \"/index.html\";
  for (const WebAsset& asset : kAssets) {
    if (asset.path == path) return &asset;
  }
  return nullptr;
}

}  // namespace embtool::http
")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
