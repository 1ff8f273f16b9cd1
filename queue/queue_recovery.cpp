// Queue: start-up recovery, in the spirit of `postsuper -s`. Runs in time proportional
// to the number of items and files, reading no payload: the full check of every payload
// is verify_payloads().

#include <unistd.h>

#include <optional>
#include <set>
#include <unordered_map>

#include "queue/queue.hpp"

namespace sekisho::queue {
namespace {

constexpr std::string_view kSealSuffix = ".seal";
constexpr std::string_view kTmpSuffix = ".seal.tmp";

struct RowState {
    State state;
    std::uint64_t size;
    bool has_key;
    std::optional<std::uint64_t> inline_bytes;  // sealed size when stored in the row
};

}  // namespace

void Queue::recover() {
    const auto started = std::chrono::steady_clock::now();
    std::lock_guard lock(db_mutex_);
    RecoveryReport report;

    // Payload files on disk: what was being written when we stopped is not acknowledged
    // to anyone, so it goes.
    std::unordered_map<std::string, std::uint64_t> files;
    for (const auto& entry : std::filesystem::directory_iterator(payload_dir_)) {
        const std::string name = entry.path().filename().string();
        if (name.ends_with(kTmpSuffix)) {
            ::unlink(entry.path().c_str());
            ++report.temporary_files_removed;
        } else if (name.ends_with(kSealSuffix)) {
            files.emplace(name.substr(0, name.size() - kSealSuffix.size()), entry.file_size());
        }
    }

    std::unordered_map<std::string, RowState> rows;
    {
        auto s = db_->prepare(
            "SELECT id, state, size, wrapped_key IS NOT NULL, length(payload) FROM items "
            "WHERE state != 'purged'");
        while (s.step()) {
            RowState row{parse_state(s.text(1)).value_or(State::corrupt),
                         static_cast<std::uint64_t>(s.integer(2)), s.integer(3) != 0, std::nullopt};
            if (!s.is_null(4))
                row.inline_bytes = static_cast<std::uint64_t>(s.integer(4));
            rows.emplace(s.text(0), row);
        }
    }
    report.items = static_cast<std::int64_t>(rows.size());

    Transaction tx(*db_);
    std::vector<ItemInfo> unfinished_purges;
    for (const auto& [id_text, row] : rows) {
        const auto id = ItemId::parse(id_text);
        if (!id)
            continue;
        if (!row.has_key) {
            unfinished_purges.push_back(*find_locked(*id));
            continue;
        }
        if (!payload_expected(row.state))
            continue;
        const auto file = files.find(id_text);
        std::string why;
        if (row.inline_bytes) {
            if (*row.inline_bytes != sealed_size(row.size))
                why = "stored payload has the wrong size";
        } else if (file == files.end()) {
            why = "payload file missing at start-up";
        } else if (file->second != sealed_size(row.size)) {
            why = "payload file has the wrong size at start-up";
        }
        if (!why.empty()) {
            apply_change(
                *find_locked(*id),
                {State::corrupt, "corrupt", std::nullopt, std::nullopt, false, {{"why", why}}},
                Actor::daemon());
            ++report.missing_or_damaged;
        }
    }
    // Sealed files no live row refers to were renamed but never committed (a crash in
    // between): no source was told they were taken, so they go.
    for (const auto& [id_text, size] : files) {
        const auto row = rows.find(id_text);
        if (row != rows.end() && row->second.has_key && !row->second.inline_bytes)
            continue;
        ::unlink((payload_dir_ / (id_text + std::string(kSealSuffix))).c_str());
        ++report.unreferenced_payloads_removed;
    }
    for (const auto& item : unfinished_purges) {
        record_deletion(item, {{"record", "deletion completed at start-up"}});
        ++report.purges_completed;
    }
    report.took = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    if (report.temporary_files_removed + report.unreferenced_payloads_removed +
            report.missing_or_damaged + report.purges_completed >
        0) {
        audit_->append(Actor::daemon(),
                       {"recovery",
                        std::nullopt,
                        std::nullopt,
                        {{"temporary_files_removed", report.temporary_files_removed},
                         {"unreferenced_payloads_removed", report.unreferenced_payloads_removed},
                         {"moved_to_corrupt", report.missing_or_damaged},
                         {"purges_completed", report.purges_completed}}});
    }
    if (::fsync(payload_dir_fd_) != 0)
        throw std::system_error(errno, std::generic_category(), "fsync payloads");
    tx.commit();
    recovery_ = report;
}

}  // namespace sekisho::queue
