#include "queue/db.hpp"

namespace sekisho::queue {
namespace {

[[noreturn]] void throw_db(sqlite3* db, int rc, const std::string& what) {
    const char* msg = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    throw DbError("SQLite: " + what + ": " + msg,
                  db != nullptr ? sqlite3_extended_errcode(db) : rc);
}

}  // namespace

Stmt::Stmt(sqlite3* db, std::string_view sql) : db_(db) {
    const int rc =
        sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr);
    if (rc != SQLITE_OK)
        throw_db(db, rc, "prepare " + std::string(sql.substr(0, 60)));
}

Stmt::~Stmt() {
    sqlite3_finalize(stmt_);
}

Stmt::Stmt(Stmt&& other) noexcept : db_(other.db_), stmt_(other.stmt_) {
    other.stmt_ = nullptr;
}

void Stmt::fail(const char* what) const {
    throw_db(db_, sqlite3_errcode(db_),
             std::string(what) + " (" + std::string(sqlite3_sql(stmt_)).substr(0, 60) + ")");
}

Stmt& Stmt::bind(int index, std::int64_t value) {
    if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK)
        fail("bind");
    return *this;
}

Stmt& Stmt::bind(int index, std::string_view value) {
    if (sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT,
                            SQLITE_UTF8) != SQLITE_OK) {
        fail("bind");
    }
    return *this;
}

Stmt& Stmt::bind(int index, ByteView value) {
    // An empty span still binds a zero-length blob, not NULL.
    static const unsigned char kEmpty = 0;
    const void* p = value.empty() ? &kEmpty : value.data();
    if (sqlite3_bind_blob64(stmt_, index, p, value.size(), SQLITE_TRANSIENT) != SQLITE_OK) {
        fail("bind");
    }
    return *this;
}

Stmt& Stmt::bind_null(int index) {
    if (sqlite3_bind_null(stmt_, index) != SQLITE_OK)
        fail("bind");
    return *this;
}

bool Stmt::step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW)
        return true;
    if (rc == SQLITE_DONE)
        return false;
    fail("step");
}

void Stmt::run() {
    while (step()) {
    }
    reset();
}

void Stmt::reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

std::int64_t Stmt::integer(int col) const {
    return sqlite3_column_int64(stmt_, col);
}

std::string Stmt::text(int col) const {
    const auto* p = sqlite3_column_text(stmt_, col);
    return p == nullptr ? std::string()
                        : std::string(reinterpret_cast<const char*>(p),
                                      static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)));
}

Bytes Stmt::blob(int col) const {
    const auto* p = static_cast<const unsigned char*>(sqlite3_column_blob(stmt_, col));
    const auto n = static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col));
    return p == nullptr ? Bytes() : Bytes(p, p + n);
}

bool Stmt::is_null(int col) const {
    return sqlite3_column_type(stmt_, col) == SQLITE_NULL;
}

Db::Db(const std::filesystem::path& file) {
    const int rc = sqlite3_open_v2(
        file.c_str(), &db_,
        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_FULLMUTEX,
        nullptr);
    if (rc != SQLITE_OK) {
        const std::string msg = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
        sqlite3_close(db_);
        db_ = nullptr;
        throw DbError("SQLite: open " + file.string() + ": " + msg, rc);
    }
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_timeout(db_, 10000);
}

Db::~Db() {
    sqlite3_close_v2(db_);
}

void Db::exec(std::string_view sql) {
    char* err = nullptr;
    const int rc = sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
        const std::string msg = err != nullptr ? err : sqlite3_errstr(rc);
        sqlite3_free(err);
        throw DbError("SQLite: " + std::string(sql.substr(0, 60)) + ": " + msg,
                      sqlite3_extended_errcode(db_));
    }
}

std::int64_t Db::user_version() {
    auto s = prepare("PRAGMA user_version");
    s.step();
    return s.integer(0);
}

Transaction::Transaction(Db& db) : db_(db) {
    db_.exec("BEGIN IMMEDIATE");
}

Transaction::~Transaction() {
    if (!done_) {
        try {
            db_.exec("ROLLBACK");
        } catch (...) {
            // The connection rolls back by itself when a statement failed hard.
        }
    }
}

void Transaction::commit() {
    db_.exec("COMMIT");
    done_ = true;
}

}  // namespace sekisho::queue
