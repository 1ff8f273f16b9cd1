// bench/queue: what sealing and durable commits cost, next to what the machine can do.
// Prints enqueue rates for 10,000 × 50 KB and 20 × 50 MB items (every item durable before
// it is acknowledged), OpenSSL's raw AES-256-GCM throughput and the disk's own fsync'd
// write rate measured in the same run, the peak RSS while sealing a 1 GiB payload, and
// the start-up (recovery) time with 100,000 items queued.

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <thread>

#include "queue/queue.hpp"
#include "tests/support/temp_dir.hpp"

using namespace sekisho;
using namespace sekisho::queue;
using Clock = std::chrono::steady_clock;

namespace {

constexpr double kMB = 1e6;

double seconds_since(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

config::SecretBytes key(const std::string& k) {
    return config::SecretBytes(std::vector<unsigned char>(k.begin(), k.end()));
}

std::string filler(std::size_t n, unsigned seed) {
    std::string s(n, '\0');
    std::uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
    for (auto& c : s) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        c = static_cast<char>(x);
    }
    return s;
}

struct Rig {
    test::TempDir dir;
    std::string qk = test::random_key();
    std::string ak = test::random_key();
    std::unique_ptr<Queue> open() {
        return std::make_unique<Queue>(QueueOptions{dir.path() / "state", 0}, key(qk), key(ak));
    }
};

void enqueue(Queue& q, const std::string& ext, const std::string& payload) {
    auto w = q.begin({"mynaportal", ext, "filing", {}, 0});
    for (std::size_t off = 0; off < payload.size(); off += 1 << 20) {
        w.write(as_bytes(std::string_view(payload).substr(off, 1 << 20)));
    }
    q.commit(std::move(w));
}

void bench_small(int items, std::size_t size, int threads) {
    Rig rig;
    auto q = rig.open();
    const std::string base = filler(size, 1);
    std::atomic<int> next{0};
    const auto t0 = Clock::now();
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&] {
            std::string payload = base;
            for (int i; (i = next++) < items;) {
                std::snprintf(payload.data(), 16, "%015d", i);  // distinct bytes per item
                enqueue(*q, "s" + std::to_string(i), payload);
            }
        });
    }
    for (auto& th : pool)
        th.join();
    const double s = seconds_since(t0);
    std::printf("enqueue %d x %zu KB (%d producers, group commit): %.0f items/s, %.1f MB/s\n",
                items, size / 1000, threads, items / s, items * double(size) / kMB / s);
}

double bench_large(int items, std::size_t size) {
    Rig rig;
    auto q = rig.open();
    std::string payload = filler(size, 2);
    const auto t0 = Clock::now();
    for (int i = 0; i < items; ++i) {
        std::snprintf(payload.data(), 16, "%015d", i);
        enqueue(*q, "l" + std::to_string(i), payload);
    }
    const double mbs = items * double(size) / kMB / seconds_since(t0);
    std::printf("enqueue %d x %zu MB (one at a time, each durable): %.1f MB/s\n", items,
                size / 1'000'000, mbs);
    return mbs;
}

double raw_aes_gcm_mbs() {
    const std::string data = filler(1 << 20, 3);
    std::vector<unsigned char> out(data.size() + 16);
    unsigned char k[32] = {1};
    unsigned char iv[12] = {2};
    EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
    EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), nullptr, k, iv);
    const auto t0 = Clock::now();
    std::size_t total = 0;
    while (seconds_since(t0) < 2.0) {
        int len = 0;
        EVP_EncryptInit_ex(ctx, nullptr, nullptr, nullptr, iv);
        EVP_EncryptUpdate(ctx, out.data(), &len,
                          reinterpret_cast<const unsigned char*>(data.data()),
                          static_cast<int>(data.size()));
        EVP_EncryptFinal_ex(ctx, out.data() + len, &len);
        total += data.size();
    }
    EVP_CIPHER_CTX_free(ctx);
    return total / kMB / seconds_since(t0);
}

// The sealing path alone (SHA-256 of the clear bytes + chunked AES-256-GCM), into
// /dev/null: what the CPU allows, without the storage.
double seal_only_mbs() {
    const std::string piece = filler(1 << 20, 6);
    const auto key = random_key();
    const int fd = ::open("/dev/null", O_WRONLY);
    const auto t0 = Clock::now();
    SealWriter w(fd_sink(fd), key, ItemId::generate());
    for (int i = 0; i < 2000; ++i)
        w.write(as_bytes(piece));
    w.finish();
    ::close(fd);
    return 2000 * double(piece.size()) / kMB / seconds_since(t0);
}

double disk_fsync_write_mbs(const std::filesystem::path& dir, std::size_t size, int files) {
    const std::string data = filler(1 << 20, 4);
    const auto t0 = Clock::now();
    for (int f = 0; f < files; ++f) {
        const auto path = dir / ("disk" + std::to_string(f));
        const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        for (std::size_t off = 0; off < size; off += data.size()) {
            if (::write(fd, data.data(), data.size()) < 0)
                std::perror("write");
        }
        ::fsync(fd);
        ::close(fd);
    }
    // Files are kept until the end, as the queue keeps its payloads: removing each one
    // at once would measure a page cache that never has to make room.
    const double mbs = files * double(size) / kMB / seconds_since(t0);
    for (int f = 0; f < files; ++f)
        ::unlink((dir / ("disk" + std::to_string(f))).c_str());
    return mbs;
}

// In a child, so the figure is the sealing path's own peak and not the benchmark's.
long peak_rss_sealing_kib(std::uint64_t bytes) {
    const pid_t pid = ::fork();
    if (pid == 0) {
        Rig rig;
        auto q = rig.open();
        const std::string piece = filler(1 << 20, 5);
        auto w = q->begin({"mynaportal", "big", "filing", {}, 0});
        for (std::uint64_t done = 0; done < bytes; done += piece.size())
            w.write(as_bytes(piece));
        q->commit(std::move(w));
        std::_Exit(0);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    rusage ru{};
    ::getrusage(RUSAGE_CHILDREN, &ru);
    return ru.ru_maxrss;
}

void bench_recovery(int items) {
    Rig rig;
    {
        auto q = rig.open();
        std::atomic<int> next{0};
        std::vector<std::thread> pool;
        for (int t = 0; t < 8; ++t) {
            pool.emplace_back([&] {
                for (int i; (i = next++) < items;)
                    enqueue(*q, "r" + std::to_string(i), std::to_string(i));
            });
        }
        for (auto& th : pool)
            th.join();
    }
    const auto t0 = Clock::now();
    auto q = rig.open();
    std::printf("start-up (recovery) with %d items queued: %.0f ms (report: %lld ms)\n", items,
                seconds_since(t0) * 1000, static_cast<long long>(q->recovery().took.count()));
}

}  // namespace

int main(int argc, char** argv) {
    const int recovery_items = argc > 1 ? std::atoi(argv[1]) : 100'000;
    std::printf("bench/queue on %s\n", std::filesystem::temp_directory_path().c_str());
    bench_small(10'000, 50'000, 8);
    // The same volume in the same pattern as the 50 MB items, just before them and from
    // the same starting point: the disk's rate for exactly this work.
    double disk = 0;
    {
        test::TempDir scratch;
        disk = disk_fsync_write_mbs(scratch.path(), 50'000'000, 20);
    }
    const double large = bench_large(20, 50'000'000);
    const double aes = raw_aes_gcm_mbs();
    std::printf("raw AES-256-GCM (OpenSSL EVP, 1 MiB blocks, one core): %.1f MB/s\n", aes);
    const double seal = seal_only_mbs();
    std::printf(
        "sealing alone (SHA-256 + chunked AES-256-GCM, no storage, one core): %.1f MB/s = %.0f%% "
        "of raw AES-256-GCM\n",
        seal, 100 * seal / aes);
    std::printf("disk: 20 x 50 MB written and fsynced, same file system: %.1f MB/s\n", disk);
    std::printf("50 MB items vs raw AES-256-GCM: %.0f%%   vs the disk's own fsync'd rate: %.0f%%\n",
                100 * large / aes, 100 * large / disk);
    std::printf("peak RSS while sealing a 1 GiB payload: %.1f MiB\n",
                peak_rss_sealing_kib(1ull << 30) / 1024.0);
    bench_recovery(recovery_items);
}
