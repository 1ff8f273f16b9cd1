#pragma once
// A thin RAII layer over SQLite: connections, prepared statements and transactions,
// with every error turned into an exception that names the statement's purpose.

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "queue/crypto.hpp"

namespace sekisho::queue {

class DbError : public std::runtime_error {
  public:
    DbError(const std::string& what, int code) : std::runtime_error(what), code_(code) {}
    int code() const { return code_; }
    bool disk_full() const { return (code_ & 0xff) == SQLITE_FULL; }

  private:
    int code_;
};

class Stmt {
  public:
    Stmt(sqlite3* db, std::string_view sql);
    ~Stmt();
    Stmt(const Stmt&) = delete;
    Stmt& operator=(const Stmt&) = delete;
    Stmt(Stmt&& other) noexcept;

    Stmt& bind(int index, std::int64_t value);
    Stmt& bind(int index, std::string_view value);
    Stmt& bind(int index, ByteView value);
    Stmt& bind_null(int index);
    // True while a row is available.
    bool step();
    // Runs a statement that returns no rows.
    void run();
    void reset();

    std::int64_t integer(int col) const;
    std::string text(int col) const;
    Bytes blob(int col) const;
    bool is_null(int col) const;

  private:
    [[noreturn]] void fail(const char* what) const;
    sqlite3* db_;
    sqlite3_stmt* stmt_ = nullptr;
};

class Db {
  public:
    explicit Db(const std::filesystem::path& file);
    ~Db();
    Db(const Db&) = delete;
    Db& operator=(const Db&) = delete;

    void exec(std::string_view sql);
    Stmt prepare(std::string_view sql) { return Stmt(db_, sql); }
    std::int64_t changes() const { return sqlite3_changes64(db_); }
    std::int64_t user_version();
    sqlite3* raw() { return db_; }

  private:
    sqlite3* db_ = nullptr;
};

// BEGIN IMMEDIATE … COMMIT; rolls back when destroyed uncommitted.
class Transaction {
  public:
    explicit Transaction(Db& db);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit();

  private:
    Db& db_;
    bool done_ = false;
};

}  // namespace sekisho::queue
