#pragma once
// Key hierarchy: the master key from the credential (queue_key or audit_key) wraps a
// small set of random working keys kept in the index; working keys wrap the per-item
// data keys (queue) or sign audit records (audit). Rotation adds a working key without
// touching the credential, so it needs no restart.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "queue/db.hpp"

namespace sekisho::queue {

class Keyring {
  public:
    // Loads the purpose's working keys, creating the first one for a new queue. Throws
    // when the master key does not open them (a wrong credential).
    Keyring(Db& db, std::string purpose, config::SecretBytes master);

    std::int64_t current_id() const { return current_; }
    const config::SecretBytes& key(std::int64_t id) const;
    bool has(std::int64_t id) const { return keys_.contains(id); }
    std::vector<std::int64_t> ids() const;

    // Inside the caller's transaction: a new working key that becomes current once
    // activate() is called after the commit.
    std::int64_t create_key();
    void forget_key(std::int64_t id);  // deletes the wrapped key row (caller's transaction)
    // After the caller's commit: reload from the index.
    void reload();

  private:
    std::string aad(std::int64_t id) const;

    Db& db_;
    std::string purpose_;
    config::SecretBytes master_;
    std::map<std::int64_t, config::SecretBytes> keys_;
    std::int64_t current_ = 0;
};

}  // namespace sekisho::queue
