#pragma once
// What the receiver must remember across restarts (PROTOCOL.md, "Receiving and
// delivery"): the ids it delivered (exactly once), the ids it reported lost (once), and
// the newest sender session (older ones are replays). Append-only files, each line
// fsynced before the call returns; a torn last line from a crash is ignored.

#include <cstdint>
#include <filesystem>
#include <set>
#include <string>

#include "adapters/oneway/wire.hpp"

namespace sekisho::oneway {

class ReceiverState {
  public:
    // Loads the state directory and cleans up after a crash: removes partial files and
    // inbox items without their manifest; counts inbox manifests as delivered.
    ReceiverState(std::filesystem::path state_dir, std::filesystem::path inbox_dir);

    bool delivered(const TransferId& id) const { return delivered_.count(id) > 0; }
    bool reported_lost(const TransferId& id) const { return lost_.count(id) > 0; }
    std::uint64_t newest_session() const { return newest_session_; }
    std::size_t delivered_count() const { return delivered_.size(); }

    void record_delivered(const TransferId& id);
    // Delivered, but the record could not be written: the inbox's manifest stands for it.
    void remember_delivered(const TransferId& id) { delivered_.insert(id); }
    void record_lost(const TransferId& id, const std::string& why);
    void record_session(std::uint64_t session);
    // A transfer known only by its number (it went by unseen and left the history).
    void record_lost_unknown(std::uint64_t session, std::uint32_t number);

    std::filesystem::path partial_path(const TransferId& id) const;
    const std::filesystem::path& inbox() const { return inbox_; }

  private:
    void load_ids(const std::filesystem::path& file, std::set<TransferId>& into) const;
    void append(const std::filesystem::path& file, const std::string& line) const;
    void clean_inbox();

    std::filesystem::path state_;
    std::filesystem::path inbox_;
    std::set<TransferId> delivered_;
    std::set<TransferId> lost_;
    std::uint64_t newest_session_ = 0;
};

}  // namespace sekisho::oneway
