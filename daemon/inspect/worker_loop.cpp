#include "daemon/inspect/worker_loop.hpp"

#include <unistd.h>

#include <iostream>
#include <new>
#include <stdexcept>
#include <string>

#include "daemon/inspect/sandbox.hpp"
#include "daemon/inspect/worker_protocol.hpp"

namespace sekisho::inspect::worker {
namespace {

// No text from the inspector crosses to the daemon: only a fixed failure kind.
std::string answer_package(std::string_view message, const InspectFn& inspect) {
    Request request;
    try {
        request = decode_request(message);
    } catch (const ProtocolError&) {
        return encode_failure(WorkerFailure::bad_request);
    }
    try {
        return encode_answer(inspect(request.package, request.options));
    } catch (const std::bad_alloc&) {
        throw;
    } catch (const std::exception&) {
        return encode_failure(WorkerFailure::internal_error);
    }
}

std::string answer_chukan(std::string_view message, const ChukanFn& inspect) {
    ChukanRequest request;
    try {
        request = decode_chukan_request(message);
    } catch (const ProtocolError&) {
        return encode_failure(WorkerFailure::bad_request);
    }
    if (!inspect)
        return encode_failure(WorkerFailure::bad_request);
    try {
        return encode_chukan_answer(inspect(request.file, request.expected_kind, request.limits));
    } catch (const std::bad_alloc&) {
        throw;
    } catch (const std::exception&) {
        return encode_failure(WorkerFailure::internal_error);
    }
}

std::string answer(std::string_view message, const Inspectors& inspectors) {
    if (is_chukan_request(message))
        return answer_chukan(message, inspectors.chukan);
    return answer_package(message, inspectors.package);
}

}  // namespace

int serve_requests(int fd, const InspectFn& inspect) {
    return serve_requests(fd, Inspectors{inspect, nullptr});
}

int serve_requests(int fd, const Inspectors& inspectors) {
    try {
        for (;;) {
            const auto message = read_frame(fd, kMaxRequestFrame);
            if (!message)
                return 0;
            write_frame(fd, answer(*message, inspectors));
        }
    } catch (const std::bad_alloc&) {
        ::_exit(kExitOutOfMemory);
    } catch (const std::exception&) {
        return kExitSetupFailed;
    }
}

}  // namespace sekisho::inspect::worker

namespace sekisho::inspect::worker {
namespace {

struct WorkerArgs {
    int fd = 3;
    SandboxLimits limits;
};

std::uint64_t number(const char* text) {
    std::size_t used = 0;
    const std::string s(text);
    const unsigned long long v = std::stoull(s, &used);
    if (used != s.size())
        throw std::invalid_argument("not a number");
    return v;
}

WorkerArgs parse_args(int argc, char** argv) {
    WorkerArgs a;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg(argv[i]);
        if (i + 1 >= argc)
            throw std::invalid_argument("option without a value");
        if (arg == "--fd")
            a.fd = static_cast<int>(number(argv[++i]));
        else if (arg == "--memory-limit")
            a.limits.address_space = number(argv[++i]);
        else
            throw std::invalid_argument("unknown option");
    }
    return a;
}

}  // namespace

int run_worker(int argc, char** argv, const std::function<void()>& init, const InspectFn& inspect) {
    return run_worker(argc, argv, init, Inspectors{inspect, nullptr});
}

int run_worker(int argc, char** argv, const std::function<void()>& init,
               const Inspectors& inspectors) {
    WorkerArgs args;
    try {
        args = parse_args(argc, argv);
        init();
        apply_sandbox(args.fd, args.limits);
    } catch (const std::exception& e) {
        std::cerr << "sekisho-inspect-worker: cannot start: " << e.what() << "\n";
        return kExitSetupFailed;
    }
    return serve_requests(args.fd, inspectors);
}

}  // namespace sekisho::inspect::worker
