#include "queue/schema.hpp"

namespace sekisho::queue {
namespace {

constexpr std::int64_t kSchemaVersion = 3;

constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE items(
  id            TEXT PRIMARY KEY,
  source        TEXT NOT NULL,
  external_id   TEXT NOT NULL,
  kind          TEXT NOT NULL,
  state         TEXT NOT NULL,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL,
  state_since   INTEGER NOT NULL,
  size          INTEGER NOT NULL,
  sha256        BLOB NOT NULL,
  kek_id        INTEGER,
  wrapped_key   BLOB,
  meta_sealed   BLOB,
  payload       BLOB,
  confirmed_at  INTEGER,
  verdict       TEXT,
  reasons       TEXT NOT NULL DEFAULT '[]',
  scanned_clean INTEGER NOT NULL DEFAULT 0,
  attempts      INTEGER NOT NULL DEFAULT 0,
  UNIQUE(source, external_id)
) STRICT;
CREATE INDEX items_by_state ON items(state, state_since);
CREATE INDEX items_by_digest ON items(sha256);

-- Notices owed to a source (Mynaportal 受付・審査結果), written in the same transaction
-- as the change they report and retried until the source confirms them.
CREATE TABLE notices(
  id              INTEGER PRIMARY KEY,
  item_id         TEXT NOT NULL REFERENCES items(id),
  kind            TEXT NOT NULL,
  reason_code     TEXT NOT NULL DEFAULT '',
  message         TEXT NOT NULL DEFAULT '',
  state           TEXT NOT NULL DEFAULT 'pending',
  created_at      INTEGER NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  notice_id       TEXT NOT NULL DEFAULT '',
  outcome         TEXT NOT NULL DEFAULT '',
  UNIQUE(item_id, kind)
) STRICT;
CREATE INDEX notices_pending ON notices(state, next_attempt_at);

CREATE TABLE keyring(
  purpose    TEXT NOT NULL,
  id         INTEGER NOT NULL,
  wrapped    BLOB NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY(purpose, id)
) STRICT;

CREATE TABLE audit(
  seq         INTEGER PRIMARY KEY,
  at          INTEGER NOT NULL,
  actor_uid   INTEGER,
  actor       TEXT NOT NULL,
  action      TEXT NOT NULL,
  item_id     TEXT NOT NULL,
  item_sha256 TEXT NOT NULL,
  details     TEXT NOT NULL,
  key_id      INTEGER NOT NULL,
  prev_hash   BLOB NOT NULL,
  hash        BLOB NOT NULL,
  mac         BLOB NOT NULL
) STRICT;
CREATE INDEX audit_by_time ON audit(at);
-- Append-only for the daemon's own connection; the hash chain and the HMAC detect
-- changes made by anyone who removes these triggers.
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
)sql";

// Version 2: who released an item, and releases waiting for a second person's approval
// (release.require_approval). One row per item: the latest request.
constexpr const char* kSchemaV2 = R"sql(
CREATE TABLE releases(
  item_id       TEXT PRIMARY KEY REFERENCES items(id),
  state         TEXT NOT NULL,  -- pending | released | expired | cancelled
  requested_uid INTEGER,
  requested_by  TEXT NOT NULL,
  requested_at  INTEGER NOT NULL,
  expires_at    INTEGER,
  approved_uid  INTEGER,
  approved_by   TEXT NOT NULL DEFAULT '',
  approved_at   INTEGER
) STRICT;
CREATE INDEX releases_pending ON releases(state, expires_at);
)sql";

// Version 3: what an accepted inspection flagged (counts only, e.g. a 本人確認 result with
// several matches), and the request files uploaded to the 中間サーバー with their status
// and the result file they were answered with.
constexpr const char* kSchemaV3 = R"sql(
ALTER TABLE items ADD COLUMN flags TEXT NOT NULL DEFAULT '';
CREATE TABLE requests(
  item_id       TEXT PRIMARY KEY REFERENCES items(id),
  request_id    TEXT NOT NULL,
  status        TEXT NOT NULL,  -- accepted | processing | done | error
  result_id     TEXT NOT NULL DEFAULT '',
  result_item   TEXT NOT NULL DEFAULT '',
  uploaded_at   INTEGER NOT NULL,
  checked_at    INTEGER,
  next_check_at INTEGER NOT NULL,
  checks        INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX requests_open ON requests(status, next_check_at);
CREATE INDEX requests_by_result ON requests(result_id);
)sql";

}  // namespace

void ensure_schema(Db& db) {
    const std::int64_t version = db.user_version();
    if (version == kSchemaVersion)
        return;
    if (version > kSchemaVersion) {
        throw std::runtime_error("the queue index was written by a newer Sekisho (schema " +
                                 std::to_string(version) + ")");
    }
    Transaction tx(db);
    if (version < 1)
        db.exec(kSchemaV1);
    if (version < 2)
        db.exec(kSchemaV2);
    if (version < 3)
        db.exec(kSchemaV3);
    db.exec("PRAGMA user_version = " + std::to_string(kSchemaVersion));
    tx.commit();
}

}  // namespace sekisho::queue
