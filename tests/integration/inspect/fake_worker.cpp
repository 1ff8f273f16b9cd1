// Test-only inspection worker: the real worker's loop and sandbox around a fake inspector
// whose behaviour the package bytes choose, so that a test can make one worker process
// misbehave in each way InspectWorker must survive:
//   "HANG"      never answers            "SLOW"     answers after 3 s
//   "ALLOC"     allocates 4 GiB          "THROW"    the inspector throws
//   "GARBAGE"   answers a frame of noise  "HUGE"     announces a 4 GiB frame
//   "MANY"      answers 100 entries      "EXIT"     exits at once with status 5
//   "REJECT…"   rejects with E-ZIP-CORRUPT; anything else is accepted, the package being
//               its only entry. Every answer but these carries the worker's pid as a
//               second entry "pid", so that tests can tell restarts apart.

#include <unistd.h>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "daemon/inspect/worker_loop.hpp"
#include "daemon/inspect/worker_protocol.hpp"

using namespace sekisho::inspect;

namespace {

int g_fd = 3;

void write_raw(std::string_view bytes) {
    if (::write(g_fd, bytes.data(), bytes.size()) < 0)
        ::_exit(9);
}

[[noreturn]] void misbehave(std::string_view raw) {
    write_raw(raw);
    for (;;)
        std::this_thread::sleep_for(std::chrono::seconds(1));
}

Inspection fake_inspect(std::string_view package, const Options&) {
    if (package == "HANG")
        for (;;)
            std::this_thread::sleep_for(std::chrono::seconds(1));
    if (package == "SLOW")
        std::this_thread::sleep_for(std::chrono::seconds(3));
    if (package == "ALLOC") {
        std::vector<std::unique_ptr<char[]>> hoard;
        for (int i = 0; i < 64; ++i)
            hoard.emplace_back(new char[64 * 1024 * 1024]);
        return {};
    }
    if (package == "THROW")
        throw std::runtime_error("fake inspector failure");
    if (package == "GARBAGE")
        misbehave(std::string("\0\0\0\x08garbage!", 12));
    if (package == "HUGE")
        misbehave("\xff\xff\xff\xff");
    if (package == "EXIT")
        ::_exit(5);
    Inspection out;
    if (package.starts_with("REJECT"))
        out.verdict.add("E-ZIP-CORRUPT", "package", "not a ZIP file");
    out.entries.push_back({"package", std::string(package)});
    out.entries.push_back({"pid", std::to_string(::getpid())});
    if (package == "MANY")
        out.entries.resize(100, Entry{"more", "x"});
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    ::_exit(worker::run_worker(
        argc, argv, [] {}, fake_inspect));
}
