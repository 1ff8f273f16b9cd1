#include "tests/support/clamd_fixture.hpp"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <thread>

namespace sekisho::test {
namespace {

namespace fs = std::filesystem;

fs::path clamd_binary() {
    const char* env = std::getenv("SEKISHO_CLAMD");
    return env != nullptr && *env != '\0' ? fs::path(env) : fs::path("/usr/sbin/clamd");
}

// A port nobody listens on right now (the kernel's choice for an ephemeral bind).
std::uint16_t free_tcp_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        throw std::runtime_error("socket failed");
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sa;
    const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0 &&
                    ::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len) == 0;
    ::close(fd);
    if (!ok)
        throw std::runtime_error("cannot find a free TCP port");
    return ntohs(sa.sin_port);
}

// One raw zPING over the Unix socket, so the fixture needs nothing from the code under test.
bool raw_ping(const fs::path& socket_path) {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    timeval tv{2, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    std::strncpy(sa.sun_path, socket_path.c_str(), sizeof sa.sun_path - 1);
    std::string reply;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0 &&
        ::send(fd, "zPING", 6, MSG_NOSIGNAL) == 6) {
        char buf[16];
        ssize_t n = 0;
        while (reply.size() < 5 && (n = ::recv(fd, buf, sizeof buf, 0)) > 0)
            reply.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return reply == std::string("PONG", 5);
}

}  // namespace

std::string eicar_test_string() {
    std::string s = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$";
    s += "EICAR-STANDARD-ANTIVIRUS-";
    s += "TEST-FILE!$H+H*";
    return s;
}

ClamdFixture::ClamdFixture(ClamdOptions options)
    : dir_(temp_.path()), options_(std::move(options)) {
    fs::create_directory(database_dir());
    fs::create_directory(dir_ / "tmp");
    fs::copy_file(fs::path(SEKISHO_SOURCE_DIR) / "tests/support/clamd/sekisho-test.ndb",
                  database_file());
    if (options_.tcp)
        tcp_port_ = free_tcp_port();
    write_config();
    start();
}

ClamdFixture::~ClamdFixture() {
    if (child_ && child_->running())
        stop();
}

std::string ClamdFixture::tcp_address() const {
    return options_.tcp ? "127.0.0.1:" + std::to_string(tcp_port_) : std::string();
}

std::uint64_t ClamdFixture::stream_max_bytes() const {
    const std::string& s = options_.stream_max_length;
    std::uint64_t n = std::stoull(s);
    if (s.ends_with('K'))
        n *= 1024;
    else if (s.ends_with('M'))
        n *= 1024 * 1024;
    return n;
}

void ClamdFixture::write_config() const {
    std::ofstream out(config_file());
    out << "Foreground yes\n"
        << "LocalSocket " << socket_path().string() << "\n"
        << "LocalSocketMode 600\n"
        << "DatabaseDirectory " << database_dir().string() << "\n"
        << "TemporaryDirectory " << (dir_ / "tmp").string() << "\n"
        << "LogFile " << (dir_ / "clamd.log").string() << "\n"
        << "LogTime yes\n"
        << "LogSyslog no\n"
        << "StreamMaxLength " << options_.stream_max_length << "\n"
        << "MaxThreads 4\n"
        << "Bytecode no\n"
        << "ScanArchive " << (options_.scan_archive ? "yes" : "no") << "\n";
    if (options_.tcp)
        out << "TCPAddr 127.0.0.1\nTCPSocket " << tcp_port_ << "\n";
    if (!out.flush())
        throw std::runtime_error("cannot write " + config_file().string());
}

bool ClamdFixture::answers_ping() const {
    return raw_ping(socket_path());
}

void ClamdFixture::start() {
    if (child_ && child_->running())
        throw std::logic_error("clamd is already running");
    // In the foreground clamd also logs to stdout; a shell that execs it sends that to a
    // file so test output stays readable (the pid is still clamd's).
    if (dir_.string().find('\'') != std::string::npos)
        throw std::runtime_error("temporary directory name holds a quote: " + dir_.string());
    const std::string command = "exec '" + clamd_binary().string() + "' -c '" +
                                config_file().string() + "' >'" + (dir_ / "clamd.stdout").string() +
                                "'";
    child_ = std::make_unique<Child>(std::vector<std::string>{"/bin/sh", "-c", command},
                                     std::map<std::string, std::string>{}, dir_ / "clamd.stderr");
    const auto deadline = std::chrono::steady_clock::now() + options_.ready_within;
    while (std::chrono::steady_clock::now() < deadline) {
        if (!child_->running())
            throw std::runtime_error("clamd exited while starting:\n" + log());
        if (answers_ping())
            return;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    kill();
    throw std::runtime_error("clamd did not answer PING in time:\n" + log());
}

void ClamdFixture::stop() {
    if (!child_)
        return;
    child_->signal(SIGTERM);
    if (!child_->wait(std::chrono::seconds(10)))
        kill();
}

void ClamdFixture::kill() {
    if (!child_)
        return;
    child_->signal(SIGKILL);
    child_->wait(std::chrono::seconds(10));
}

void ClamdFixture::restart() {
    stop();
    start();
}

bool ClamdFixture::running() {
    return child_ && child_->running();
}

std::string ClamdFixture::log() const {
    std::string text;
    for (const char* name : {"clamd.log", "clamd.stderr"}) {
        std::error_code ec;
        if (fs::exists(dir_ / name, ec))
            text += read_file(dir_ / name);
    }
    return text;
}

}  // namespace sekisho::test
