#pragma once
// The control socket server (DESIGN.md: sekishoctl is a thin client of it). A Unix stream
// socket at daemon.control_socket, mode 0660, in the service's group; one request per
// connection; each connection on its own thread (at most kMaxConnections at once), so a
// slow client or a long audit export never stalls the daemon's event loop.

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/unique_fd.hpp"
#include "daemon/control/peer.hpp"

namespace sekisho::control {

inline constexpr std::size_t kMaxConnections = 8;

// Writes the reply of one request: rows as they come, then exactly one done frame, sent
// by send_done() once the request is over (after its audit record is written, so a
// client that has its answer finds the record). A client that went away does not stop
// the request: what it asked for is done and audited, the rest of the reply is dropped.
class Replier {
  public:
    explicit Replier(int fd) : fd_(fd) {}
    void row(boost::json::value v);
    void line(std::string_view text);  // a line of text output (audit export)
    // The outcome; sent by send_done().
    void done(int exit_code, const std::string& message, boost::json::object result = {});
    void send_done();
    bool finished() const { return finished_; }
    bool client_gone() const { return gone_; }
    int exit_code() const { return exit_code_; }
    const std::string& message() const { return message_; }

  private:
    void send(const boost::json::object& frame);
    int fd_;
    bool finished_ = false;
    bool sent_ = false;
    bool gone_ = false;
    int exit_code_ = 1;
    std::string message_;
    boost::json::object result_;
};

// `file`: a descriptor the client passed with the request (sekishoctl submit), or none.
using RequestHandler =
    std::function<void(const Caller&, const boost::json::object& request, UniqueFd file, Replier&)>;

class ControlServer {
  public:
    ControlServer(std::filesystem::path socket_path, RequestHandler handler);
    ~ControlServer();
    ControlServer(const ControlServer&) = delete;
    ControlServer& operator=(const ControlServer&) = delete;

    // Binds the socket (throws with the reason when it cannot) and starts serving.
    void start();
    // Stops accepting, ends the connections in progress, removes the socket file.
    void stop();

  private:
    void bind_socket();
    void accept_loop();
    void serve(int fd);
    void finish_connection(int fd);
    void refuse_busy(int fd);
    // Serves an accepted connection on its own thread; false once the server stops.
    bool admit(int fd);

    std::filesystem::path path_;
    RequestHandler handler_;
    int listen_fd_ = -1;
    int stop_pipe_[2] = {-1, -1};
    std::thread acceptor_;
    std::mutex mutex_;
    std::condition_variable idle_;
    std::set<int> active_;  // connections being served, each by a detached thread
    bool stopping_ = false;
};

}  // namespace sekisho::control
