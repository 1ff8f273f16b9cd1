#pragma once
// A real clamd (Debian's clamav-daemon) for tests: private configuration, socket, database
// and log in a temporary directory, loaded with the project's own signatures
// (tests/support/clamd/sekisho-test.ndb: EICAR and a project marker). Started in the
// constructor, ready once it answers PING, killed when the object dies.
//
// The binary is /usr/sbin/clamd, or $SEKISHO_CLAMD. No `User` line: clamd keeps the
// test's uid (root included) and touches no system file.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace sekisho::test {

// The EICAR test file, built at run time so no source or binary holds it whole.
std::string eicar_test_string();
// Bytes that Sekisho.Test.Marker matches wherever they appear in a stream.
inline constexpr std::string_view kClamdTestMarker = "SEKISHO-TEST-MALWARE-MARKER";
// The names clamd reports (it appends ".UNOFFICIAL" to unsigned databases).
inline constexpr std::string_view kEicarSignature = "Sekisho.Test.EICAR.UNOFFICIAL";
inline constexpr std::string_view kMarkerSignature = "Sekisho.Test.Marker.UNOFFICIAL";

struct ClamdOptions {
    std::string stream_max_length = "2M";  // clamd's StreamMaxLength
    bool tcp = false;                      // also listen on 127.0.0.1 at a free port
    bool scan_archive = true;              // clamd's ScanArchive
    std::chrono::seconds ready_within{90};
};

class ClamdFixture {
  public:
    explicit ClamdFixture(ClamdOptions options = {});
    ~ClamdFixture();
    ClamdFixture(const ClamdFixture&) = delete;
    ClamdFixture& operator=(const ClamdFixture&) = delete;

    std::filesystem::path socket_path() const { return dir_ / "clamd.sock"; }
    std::filesystem::path database_dir() const { return dir_ / "db"; }
    std::filesystem::path database_file() const { return database_dir() / "sekisho-test.ndb"; }
    std::filesystem::path config_file() const { return dir_ / "clamd.conf"; }
    // "127.0.0.1:PORT" with ClamdOptions::tcp, else empty.
    std::string tcp_address() const;
    std::uint64_t stream_max_bytes() const;

    // Starts clamd and waits until it answers PING; throws with its log if it does not.
    void start();
    // SIGTERM, then SIGKILL if it has not ended within 10 s.
    void stop();
    // SIGKILL, no clean-up by clamd (its socket file stays behind).
    void kill();
    void restart();
    bool running();
    // clamd's own log, for failure messages.
    std::string log() const;

  private:
    void write_config() const;
    bool answers_ping() const;

    TempDir temp_;
    std::filesystem::path dir_;
    ClamdOptions options_;
    std::uint16_t tcp_port_ = 0;
    std::unique_ptr<Child> child_;
};

}  // namespace sekisho::test
