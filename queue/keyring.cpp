#include "queue/keyring.hpp"
#include "common/time_format.hpp"

#include <chrono>

namespace sekisho::queue {
namespace {}  // namespace

Keyring::Keyring(Db& db, std::string purpose, config::SecretBytes master)
    : db_(db), purpose_(std::move(purpose)), master_(std::move(master)) {
    reload();
    if (keys_.empty()) {
        Transaction tx(db_);
        create_key();
        tx.commit();
        reload();
    }
}

std::string Keyring::aad(std::int64_t id) const {
    return "sekisho-keyring-v1|" + purpose_ + "|" + std::to_string(id);
}

void Keyring::reload() {
    std::map<std::int64_t, config::SecretBytes> keys;
    auto s = db_.prepare("SELECT id, wrapped FROM keyring WHERE purpose = ?1 ORDER BY id");
    s.bind(1, purpose_);
    while (s.step()) {
        const std::int64_t id = s.integer(0);
        const Bytes wrapped = s.blob(1);
        try {
            keys.emplace(id, open_blob(master_, wrapped, as_bytes(aad(id))));
        } catch (const AuthError&) {
            throw std::runtime_error("the " + purpose_ +
                                     " key (credential) does not open this queue's keys: "
                                     "wrong key, or the index was tampered with");
        }
    }
    keys_ = std::move(keys);
    current_ = keys_.empty() ? 0 : keys_.rbegin()->first;
}

const config::SecretBytes& Keyring::key(std::int64_t id) const {
    const auto it = keys_.find(id);
    if (it == keys_.end()) {
        throw AuthError(purpose_ + " key " + std::to_string(id) + " is not in the keyring");
    }
    return it->second;
}

std::vector<std::int64_t> Keyring::ids() const {
    std::vector<std::int64_t> out;
    for (const auto& [id, key] : keys_)
        out.push_back(id);
    return out;
}

std::int64_t Keyring::create_key() {
    auto s = db_.prepare("SELECT COALESCE(MAX(id), 0) + 1 FROM keyring WHERE purpose = ?1");
    s.bind(1, purpose_);
    s.step();
    const std::int64_t id = s.integer(0);
    const auto key = random_key();
    const Bytes wrapped = seal_blob(master_, ByteView(key.data(), key.size()), as_bytes(aad(id)));
    db_.prepare("INSERT INTO keyring(purpose, id, wrapped, created_at) VALUES (?1, ?2, ?3, ?4)")
        .bind(1, purpose_)
        .bind(2, id)
        .bind(3, wrapped)
        .bind(4, unix_ms_now())
        .run();
    return id;
}

void Keyring::forget_key(std::int64_t id) {
    db_.prepare("DELETE FROM keyring WHERE purpose = ?1 AND id = ?2")
        .bind(1, purpose_)
        .bind(2, id)
        .run();
}

}  // namespace sekisho::queue
