// `embtool serve`: the Api (api.hpp) behind a real HTTP/1.1 server, GNU libmicrohttpd.
//
// Why libmicrohttpd and not cpp-httplib: Debian 12's cpp-httplib (0.11) gives each connection a
// worker thread for as long as it lasts and times out only single reads, so a client that
// sends a byte a second holds a worker indefinitely. libmicrohttpd multiplexes the
// connections of each worker over epoll: a slow client holds a connection slot, never a
// worker; a silent one is closed after the timeout; header memory, connections and the body
// are bounded.
#pragma once

#include <spdlog/logger.h>

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>

#include "front/http/api.hpp"

namespace embtool::http {

class Server {
 public:
  // Listens on options.bind:options.port with options.threads workers; throws Error(io) when
  // the address cannot be bound (in use, not this machine's) and Error(invalid_argument) for
  // an address that is not one.
  Server(const Api& api, spdlog::logger& log);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // The port listened on (the one chosen when 0 was asked for).
  uint16_t port() const { return port_; }
  // "http://127.0.0.1:8000/"
  std::string url() const;

 private:
  struct Daemon;
  const Api& api_;
  spdlog::logger& log_;
  std::unique_ptr<Daemon> daemon_;
  uint16_t port_ = 0;
};

// Serves until SIGINT or SIGTERM, then stops (finishing the answers under way) and returns.
// Says on stderr (the log) where it listens, and whether others than this machine can reach it.
void serve_until_signal(const Api& api, spdlog::logger& log, std::ostream& announce);

}  // namespace embtool::http
