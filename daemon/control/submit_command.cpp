#include "daemon/control/submit_command.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/json/serialize.hpp>
#include <cerrno>
#include <cstring>

#include "adapters/chukan/poller.hpp"
#include "daemon/control/request_fields.hpp"
#include "daemon/control/service.hpp"

namespace sekisho::control {
namespace {

namespace json = boost::json;

std::string kind_of(const json::object& request) {
    const std::string kind = required_text(request, "kind", 32);
    if (!chukan::is_request_kind(kind))
        throw BadRequest("--kind must be SHIKAKU-REG-REQ, HONNIN-REQ or SHOKAI-REQ, not " + kind);
    return kind;
}

// The passed file's size, after checking it is a regular file within the limit.
std::uint64_t checked_size(int fd, std::uint64_t limit) {
    struct stat st {};
    if (::fstat(fd, &st) != 0)
        throw std::runtime_error(std::string("cannot examine the file: ") + std::strerror(errno));
    if (!S_ISREG(st.st_mode))
        throw BadRequest("submit takes a regular file");
    const auto size = static_cast<std::uint64_t>(st.st_size);
    if (size == 0)
        throw BadRequest("the file is empty");
    if (size > limit) {
        throw BadRequest("the file has " + std::to_string(size) + " bytes; at most " +
                         std::to_string(limit) + " are taken");
    }
    return size;
}

// Reads the file from its start into the writer; the limit holds even if it grows meanwhile.
void copy_into(int fd, queue::ItemWriter& writer, std::uint64_t limit) {
    std::array<unsigned char, 64 * 1024> buffer{};
    std::uint64_t offset = 0;
    for (;;) {
        const ssize_t n = ::pread(fd, buffer.data(), buffer.size(), static_cast<off_t>(offset));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            throw std::runtime_error(std::string("cannot read the file: ") + std::strerror(errno));
        if (n == 0)
            return;
        offset += static_cast<std::uint64_t>(n);
        if (offset > limit)
            throw BadRequest("the file grew past the limit while it was read");
        writer.write({buffer.data(), static_cast<std::size_t>(n)});
    }
}

}  // namespace

void run_submit(queue::Queue& q, DaemonView& view, const config::Settings& settings,
                const queue::Actor& actor, const json::object& request, UniqueFd file,
                Replier& reply) {
    const std::string kind = kind_of(request);
    if (!file)
        throw BadRequest("submit needs the file passed with the request (use sekishoctl submit)");
    if (!settings.chukan.enabled) {
        reply.done(kExitFailed,
                   "the chukan source is not enabled on this gateway: request files cannot go out");
        return;
    }
    // clamd refuses streams over its limit: a file it could never scan is not taken.
    const std::uint64_t limit = std::min(kMaxSubmitBytes, settings.clamd.max_stream);
    checked_size(file.get(), limit);
    // The stable id of the upload: a repeat after a crash is the same request to the service.
    const std::string client_request_id = queue::ItemId::generate().str();
    const std::string meta = json::serialize(json::object{{"submitted_by", actor.name}});
    auto writer =
        q.begin({std::string(chukan::kSubmitSource), client_request_id, kind,
                 config::SecretBytes(std::vector<unsigned char>(meta.begin(), meta.end())), limit});
    copy_into(file.get(), writer, limit);
    const auto stored = q.commit(std::move(writer), actor);
    view.items_changed();
    const auto item = q.find(stored.id);
    json::object row{{"id", stored.id.str()},
                     {"kind", kind},
                     {"client_request_id", client_request_id},
                     {"state", item ? json::value(queue::name(item->state)) : json::value("")}};
    if (stored.outcome == queue::EnqueueOutcome::duplicate_digest) {
        row["duplicate_of"] = stored.duplicate_of ? stored.duplicate_of->str() : "";
        reply.row(std::move(row));
        reply.done(kExitFailed, "the same file was submitted before (item " +
                                    (stored.duplicate_of ? stored.duplicate_of->str() : "?") +
                                    "); this copy is recorded as a duplicate and goes nowhere");
        return;
    }
    reply.row(std::move(row));
    reply.done(kExitOk, "submitted as item " + stored.id.str() +
                            ": it is inspected and scanned, then waits for a release");
}

}  // namespace sekisho::control
