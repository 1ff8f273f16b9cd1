#include "adapters/http/listed_download.hpp"

#include <algorithm>
#include <charconv>

#include "adapters/http/repr_digest.hpp"

namespace sekisho::http {
namespace {

namespace bhttp = boost::beast::http;
constexpr std::size_t kMaxProblemBytes = 64 * 1024;

std::uint64_t content_length(const bhttp::fields& h) {
    const auto v = h[bhttp::field::content_length];
    std::uint64_t n = 0;
    const auto r = std::from_chars(v.data(), v.data() + v.size(), n);
    if (v.empty() || r.ec != std::errc() || r.ptr != v.data() + v.size())
        throw TransferError("answer without a valid Content-Length");
    return n;
}

// Checks the head of the answer against the listing before any byte is stored.
void check_head(const Listed& listed, const bhttp::fields& h) {
    if (content_length(h) != listed.size) {
        throw TransferError("Content-Length " + std::string(h[bhttp::field::content_length]) +
                            " differs from the listed size " + std::to_string(listed.size));
    }
    Sha256Digest digest{};
    try {
        digest = parse_repr_digest_sha256(h["Repr-Digest"]);
    } catch (const std::invalid_argument& e) {
        throw TransferError(std::string("bad Repr-Digest: ") + e.what());
    }
    if (!std::equal(digest.begin(), digest.end(), listed.sha256.begin()))
        throw TransferError("Repr-Digest differs from the listed sha256");
}

}  // namespace

boost::asio::awaitable<ListedAnswer> download_listed(Connection& connection, std::string target,
                                                     HeaderList headers, Listed listed, Sink sink) {
    ListedAnswer answer;
    Sha256 digest;
    Connection::OnHead on_head = [&](unsigned s, const bhttp::fields& h) {
        answer.status = s;
        if (s == 200)
            check_head(listed, h);
    };
    Connection::OnChunk on_chunk = [&](std::span<const unsigned char> chunk) {
        if (answer.status == 200) {
            digest.update(chunk);
            answer.received += chunk.size();
            sink(chunk);
        } else if (answer.error_body.size() + chunk.size() <= kMaxProblemBytes) {
            answer.error_body.append(chunk.begin(), chunk.end());
        }
    };
    const std::size_t max_body = std::max<std::uint64_t>(listed.size, kMaxProblemBytes);
    co_await connection.download(std::move(target), max_body, std::move(headers),
                                 std::move(on_head), std::move(on_chunk));
    if (answer.status == 200)
        answer.sha256 = digest.finish();
    co_return answer;
}

void check_received(const ListedAnswer& answer, const Listed& listed) {
    if (answer.received != listed.size) {
        throw TransferError("received " + std::to_string(answer.received) + " bytes of " +
                            std::to_string(listed.size));
    }
    if (answer.sha256 != listed.sha256)
        throw TransferError("the received bytes differ from the listed sha256");
}

}  // namespace sekisho::http
