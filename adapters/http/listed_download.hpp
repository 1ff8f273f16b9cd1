#pragma once
// Downloading a file a listing announced (a Mynaportal package, a 中間サーバー result): the
// answer's Content-Length and Repr-Digest must match the listed size and sha256 before a
// byte is handed on, and the bytes themselves must be that many with that digest.

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <functional>
#include <span>
#include <string>

#include "adapters/http/api_error.hpp"
#include "adapters/http/connection.hpp"
#include "common/digest.hpp"

namespace sekisho::http {

struct Listed {
    std::uint64_t size = 0;
    Sha256Digest sha256{};
};

struct ListedAnswer {
    unsigned status = 0;
    std::string error_body;      // a non-200 answer's body, at most 64 KiB
    std::uint64_t received = 0;  // a 200 answer's bytes handed to the sink
    Sha256Digest sha256{};       // and their digest
};

using Sink = std::function<void(std::span<const unsigned char>)>;

// GET `target`; a 200 answer's body goes to `sink` after its head was checked against
// `listed` (TransferError when it differs), any other answer's body is returned for the
// caller's problem handling.
boost::asio::awaitable<ListedAnswer> download_listed(Connection& connection, std::string target,
                                                     HeaderList headers, Listed listed, Sink sink);

// Throws TransferError unless the bytes of a 200 answer are the listed size and digest.
// Call it before the bytes are committed anywhere.
void check_received(const ListedAnswer& answer, const Listed& listed);

}  // namespace sekisho::http
