#include "front/http/server.hpp"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>

#include <fmt/format.h>

#include <cstring>
#include <ostream>
#include <string_view>

#include "base/error.hpp"
#include "base/thread_pool.hpp"

namespace embtool::http {
namespace {

// Header fields and the request line share this much memory per connection; a request
// beyond it is answered 431 (headers) or 414 (request line) by libmicrohttpd itself.
constexpr size_t kConnectionMemory = 64 * 1024;

// One request as it arrives: its target exactly as sent (before any decoding, which is the
// Api's to do, strictly), its body as it comes in.
struct Exchange {
  std::string target;
  std::string body;
  bool started = false;  // the first call (headers in, no body yet) is past
  bool too_large = false;
};

void* remember_target(void*, const char* uri, MHD_Connection*) {
  auto* exchange = new (std::nothrow) Exchange;
  if (exchange != nullptr) exchange->target = uri;
  return exchange;
}

void forget_exchange(void*, MHD_Connection*, void** context, MHD_RequestTerminationCode) {
  delete static_cast<Exchange*>(*context);
  *context = nullptr;
}

// libmicrohttpd sends no body for HEAD by itself.
MHD_Result send(MHD_Connection* connection, const HttpResponse& answer) {
  MHD_Response* response =
      MHD_create_response_from_buffer(answer.body.size(), const_cast<char*>(answer.body.data()), MHD_RESPMEM_MUST_COPY);
  if (response == nullptr) return MHD_NO;
  MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, answer.content_type.c_str());
  MHD_add_response_header(response, "X-Content-Type-Options", "nosniff");
  for (const auto& [name, value] : answer.headers) MHD_add_response_header(response, name.c_str(), value.c_str());
  const MHD_Result queued = MHD_queue_response(connection, static_cast<unsigned>(answer.status), response);
  MHD_destroy_response(response);
  return queued;
}

struct Handler {
  const Api* api;
  spdlog::logger* log;
};

// Called once the headers are in, then once per piece of body, then once more with none.
MHD_Result on_request(void* cls, MHD_Connection* connection, const char*, const char* method, const char*,
                      const char* upload, size_t* upload_size, void** context) {
  const Handler& handler = *static_cast<Handler*>(cls);
  auto* exchange = static_cast<Exchange*>(*context);
  if (exchange == nullptr) return MHD_NO;  // out of memory: drop the connection
  const size_t max_body = handler.api->limits().max_body_bytes;
  const auto too_large = [&] {
    return send(connection,
                error_response(413, fmt::format("the body is larger than {} bytes (the server's --max-body)", max_body),
                               "invalid argument"));
  };
  if (!exchange->started) {
    exchange->started = true;
    // A body announced too large is refused before any of it is read.
    const char* length = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (length != nullptr && std::strtoull(length, nullptr, 10) > max_body) return too_large();
    return MHD_YES;
  }
  if (*upload_size != 0) {
    if (exchange->body.size() + *upload_size > max_body) {
      exchange->too_large = true;  // the rest is read and dropped; the answer says why
    } else {
      exchange->body.append(upload, *upload_size);
    }
    *upload_size = 0;
    return MHD_YES;
  }
  if (exchange->too_large) return too_large();
  return send(connection, handler.api->answer(method, exchange->target, exchange->body));
}

// An address and the flag libmicrohttpd needs for its family.
struct ListenAddress {
  sockaddr_storage storage{};
  unsigned family_flag = 0;
};

ListenAddress listen_address(const std::string& bind, uint16_t port) {
  ListenAddress address;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&address.storage);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&address.storage);
  if (inet_pton(AF_INET, bind.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
  } else if (inet_pton(AF_INET6, bind.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    address.family_flag = MHD_USE_IPv6;
  } else {
    throw Error(ErrorKind::invalid_argument,
                fmt::format("'{}' is not an IP address to listen on (127.0.0.1, 0.0.0.0, ::1, ...)", bind));
  }
  return address;
}

bool is_loopback(const std::string& bind) { return bind.starts_with("127.") || bind == "::1"; }

}  // namespace

struct Server::Daemon {
  Handler handler;
  MHD_Daemon* daemon = nullptr;
  ~Daemon() {
    if (daemon != nullptr) MHD_stop_daemon(daemon);
  }
};

Server::Server(const Api& api, spdlog::logger& log) : api_(api), log_(log), daemon_(std::make_unique<Daemon>()) {
  const app::ServeOptions& o = api.limits();
  ListenAddress address = listen_address(o.bind, o.port);
  daemon_->handler = {&api_, &log_};
  const unsigned threads = static_cast<unsigned>(resolve_thread_count(o.threads));
  daemon_->daemon = MHD_start_daemon(
      MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | address.family_flag, o.port, nullptr, nullptr, &on_request,
      &daemon_->handler, MHD_OPTION_SOCK_ADDR, reinterpret_cast<sockaddr*>(&address.storage),
      MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_TIMEOUT, o.timeout_seconds,
      MHD_OPTION_CONNECTION_LIMIT, static_cast<unsigned>(o.max_connections), MHD_OPTION_CONNECTION_MEMORY_LIMIT,
      kConnectionMemory, MHD_OPTION_URI_LOG_CALLBACK, &remember_target, nullptr, MHD_OPTION_NOTIFY_COMPLETED,
      &forget_exchange, nullptr, MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u, MHD_OPTION_END);
  if (daemon_->daemon == nullptr) {
    throw Error(ErrorKind::io, fmt::format("cannot listen on {}:{} (is the port in use, or the address not this "
                                           "machine's?)", o.bind, o.port));
  }
  const MHD_DaemonInfo* info = MHD_get_daemon_info(daemon_->daemon, MHD_DAEMON_INFO_BIND_PORT);
  port_ = info != nullptr && info->port != 0 ? info->port : o.port;
}

Server::~Server() = default;

std::string Server::url() const {
  const std::string& bind = api_.limits().bind;
  const std::string host = bind.find(':') != std::string::npos ? fmt::format("[{}]", bind) : bind;
  return fmt::format("http://{}:{}/", host, port_);
}

void serve_until_signal(const Api& api, spdlog::logger& log, std::ostream& announce) {
  // Blocked before the workers start, so they inherit the mask and the signals come here.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  Server server(api, log);
  const std::string& bind = api.limits().bind;
  announce << fmt::format("embtool: serving {} on {} ({}); Ctrl-C stops\n", api.model_name(), server.url(),
                          is_loopback(bind) ? "this machine only; --bind 0.0.0.0 opens it to the network"
                                            : fmt::format("reachable by every machine that can reach {}", bind))
           << std::flush;
  int signal = 0;
  sigwait(&stop_signals, &signal);
  announce << fmt::format("embtool: stopping ({})\n", signal == SIGINT ? "interrupted" : "terminated") << std::flush;
}

}  // namespace embtool::http
