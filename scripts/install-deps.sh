#!/usr/bin/env bash
# Installs, with apt-get, the Debian packages embtool needs that are missing.
#   scripts/install-deps.sh          what building needs
#   scripts/install-deps.sh --test   that, plus what the tests need (Catch2, nlohmann-json, gensim,
#                                    npm, clang with libFuzzer, the shells completion is tested in, man)
set -euo pipefail

packages=(g++ cmake ninja-build pkg-config libcli11-dev libfmt-dev libspdlog-dev zlib1g-dev libisal-dev libhwy-dev libopenblas-dev libedit-dev libsimdjson-dev libpcre2-dev libicu-dev libsentencepiece-dev libmicrohttpd-dev libcairo2-dev libeigen3-dev libhnswlib-dev libutf8proc-dev)
if [[ "${1:-}" == "--test" ]]; then
  # clang and its runtimes: the libFuzzer targets, under ASan and UBSan.
  packages+=(catch2 nlohmann-json3-dev python3 python3-numpy python3-gensim python3-torch python3-sentencepiece python3-sklearn nginx chromium chromium-driver python3-selenium clang libclang-rt-14-dev zsh fish man-db)
  command -v make >/dev/null || packages+=(make)
  # The peer test fetches word2vec's C tools with npm; a Node.js from elsewhere counts too.
  command -v npm >/dev/null || packages+=(npm)
fi

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
echo "embtool: installing ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
