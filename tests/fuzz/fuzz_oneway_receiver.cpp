// libFuzzer target: sekisho-recv's handling of authentic datagrams with arbitrary bodies.
// Authentication stops forgeries before any parser, so the fuzzer plays a sender that
// holds the key: the input is a sequence of (type, length, body) records that are sealed
// with the link key and fed to one Receiver, which must never crash, leak, write outside
// its directories, or deliver anything whose bytes do not match its digest.

#include <unistd.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>

#include "adapters/oneway/receiver.hpp"

using namespace sekisho;
using namespace sekisho::oneway;

namespace {

struct World {
    std::filesystem::path dir;
    config::SecretBytes key{std::vector<unsigned char>(32, 0x42)};
    std::unique_ptr<Receiver> receiver;
    std::unique_ptr<SessionCipher> cipher;
    std::uint64_t sequence = 0;
    Receiver::Clock::time_point now = Receiver::Clock::now();

    World() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "fuzz-oneway-XXXXXX").string();
        dir = ::mkdtemp(tmpl.data());
        ReceiverOptions o{.inbox_dir = dir / "inbox", .state_dir = dir / "state"};
        o.max_buffered = 8u << 20;
        o.max_transfer = 16u << 20;
        receiver = std::make_unique<Receiver>(key, o);
        cipher = std::make_unique<SessionCipher>(key, 7);
    }
    ~World() {
        receiver.reset();
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }
};

World& world() {
    static World w;
    return w;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    World& w = world();
    std::size_t at = 0;
    Bytes datagram;
    while (size - at >= 3) {
        const auto type = static_cast<Type>(1 + data[at] % 3);
        const std::size_t len =
            std::min<std::size_t>(((data[at + 1] << 8) | data[at + 2]), kMaxBody);
        at += 3;
        const std::size_t n = std::min(len, size - at);
        const std::array<ByteView, 1> parts{ByteView(data + at, n)};
        at += n;
        w.cipher->seal(type, ++w.sequence, parts, datagram);
        w.receiver->handle(datagram, w.now);
    }
    w.now += std::chrono::milliseconds(500);
    w.receiver->tick(w.now);
    return 0;
}
