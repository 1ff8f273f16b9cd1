#include "queue/queue.hpp"
#include "common/time_format.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <system_error>

#include "queue/schema.hpp"

namespace sekisho::queue {

namespace {

// Sealed bytes go to a file in blocks of this size.
constexpr std::size_t kFileBlock = 1 << 20;
// Below this many items a commit fsyncs each file; above, one syncfs is cheaper.
constexpr std::size_t kSyncfsBatch = 4;

[[noreturn]] void throw_errno(const std::string& what) {
    throw std::system_error(errno, std::generic_category(), what);
}

std::string meta_aad(const ItemId& id) {
    return "sekisho-meta-v1|" + id.str();
}

std::string key_aad(const ItemId& id, std::int64_t kek_id) {
    return "sekisho-dk-v1|" + id.str() + "|" + std::to_string(kek_id);
}

}  // namespace

struct Queue::PendingCommit {
    ItemWriter* writer;
    Actor actor;
    EnqueueResult result{EnqueueOutcome::added, ItemId{}, std::nullopt};
    std::exception_ptr error;
    bool done = false;
};

// ---- ItemWriter -------------------------------------------------------------------

ItemWriter::ItemWriter(ItemId id, NewItem item, std::filesystem::path tmp_path,
                       config::SecretBytes data_key)
    : id_(id),
      item_(std::move(item)),
      tmp_path_(std::move(tmp_path)),
      data_key_(std::make_unique<config::SecretBytes>(std::move(data_key))) {
    seal_ = std::make_unique<SealWriter>([this](ByteView b) { out(b); }, *data_key_, id_);
}

ItemWriter::ItemWriter(ItemWriter&& o) noexcept
    : id_(o.id_),
      item_(std::move(o.item_)),
      fd_(std::exchange(o.fd_, -1)),
      file_done_(o.file_done_),
      tmp_path_(std::move(o.tmp_path_)),
      inline_(std::move(o.inline_)),
      file_buffer_(std::move(o.file_buffer_)),
      data_key_(std::move(o.data_key_)),
      seal_(std::move(o.seal_)),
      finished_(o.finished_) {
    o.tmp_path_.clear();
    // The sealer writes through a callback bound to the object it was made for.
    if (seal_)
        seal_->rebind([this](ByteView b) { out(b); });
}

ItemWriter::~ItemWriter() {
    discard();
}

void ItemWriter::discard() {
    const bool file = in_file();
    if (fd_ >= 0)
        ::close(std::exchange(fd_, -1));
    if (file && !tmp_path_.empty())
        ::unlink(tmp_path_.c_str());
    tmp_path_.clear();
    file_done_ = false;
    inline_.clear();
}

void ItemWriter::spill() {
    fd_ = ::open(tmp_path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd_ < 0)
        throw_errno("create " + tmp_path_.string());
    file_buffer_.reserve(2 * kFileBlock);
    file_buffer_.swap(inline_);
    inline_ = Bytes();
}

void ItemWriter::out(ByteView sealed) {
    if (fd_ < 0 && inline_.size() + sealed.size() <= sealed_size(kInlineMaxClear)) {
        inline_.insert(inline_.end(), sealed.begin(), sealed.end());
        return;
    }
    if (fd_ < 0)
        spill();
    // Whole, aligned blocks only: a write that ends inside a page makes the next one
    // wait for that page's writeback, which halves the throughput on this path.
    file_buffer_.insert(file_buffer_.end(), sealed.begin(), sealed.end());
    if (file_buffer_.size() >= kFileBlock) {
        const std::size_t whole = file_buffer_.size() / kFileBlock * kFileBlock;
        fd_sink(fd_)(ByteView(file_buffer_.data(), whole));
        file_buffer_.erase(file_buffer_.begin(),
                           file_buffer_.begin() + static_cast<std::ptrdiff_t>(whole));
    }
}

void ItemWriter::write(ByteView data) {
    if (item_.max_size != 0 && seal_->clear_size() + data.size() > item_.max_size) {
        throw std::length_error("payload larger than its limit of " +
                                std::to_string(item_.max_size) + " bytes");
    }
    seal_->write(data);
}

void ItemWriter::finish() {
    if (finished_)
        return;
    seal_->finish();
    if (fd_ >= 0)
        fd_sink(fd_)(file_buffer_);
    file_buffer_ = Bytes();
    finished_ = true;
}

// ---- Queue: opening -----------------------------------------------------------------

Queue::Queue(QueueOptions options, config::SecretBytes queue_master,
             config::SecretBytes audit_master)
    : options_(std::move(options)),
      min_free_bytes_(options_.min_free_bytes),
      payload_dir_(options_.dir / "payloads") {
    for (const auto& dir : {options_.dir, payload_dir_}) {
        if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
            throw_errno("mkdir " + dir.string());
    }
    const auto db_path = options_.dir / "queue.db";
    // Created 0600 before SQLite opens it; SQLite gives -wal and -shm the same mode.
    const int fd = ::open(db_path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        throw_errno("open " + db_path.string());
    ::close(fd);
    db_ = std::make_unique<Db>(db_path);
    db_->exec("PRAGMA journal_mode = WAL");
    db_->exec("PRAGMA synchronous = FULL");  // every commit is on disk when it returns
    db_->exec("PRAGMA secure_delete = ON");  // freed pages (destroyed keys) are zeroed
    db_->exec("PRAGMA temp_store = MEMORY");
    ensure_schema(*db_);
    queue_keys_ = std::make_unique<Keyring>(*db_, "queue", std::move(queue_master));
    audit_keys_ = std::make_unique<Keyring>(*db_, "audit", std::move(audit_master));
    audit_ = std::make_unique<AuditLog>(*db_, *audit_keys_);
    payload_dir_fd_ = ::open(payload_dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (payload_dir_fd_ < 0)
        throw_errno("open " + payload_dir_.string());
    recover();
}

Queue::~Queue() {
    if (payload_dir_fd_ >= 0)
        ::close(payload_dir_fd_);
}

std::filesystem::path Queue::payload_path(const ItemId& id) const {
    return payload_dir_ / (id.str() + ".seal");
}

// ---- Queue: taking items in ----------------------------------------------------------

std::uint64_t Queue::free_bytes() const {
    struct statvfs st {};
    if (::fstatvfs(payload_dir_fd_, &st) != 0)
        return 0;
    return static_cast<std::uint64_t>(st.f_bavail) * st.f_frsize;
}

bool Queue::accepting_new_items() const {
    return free_bytes() >= min_free_bytes_;
}

ItemWriter Queue::begin(NewItem item) {
    const std::uint64_t free = free_bytes();
    const std::uint64_t floor = min_free_bytes_;
    if (free < floor) {
        throw QueueFull("free space (" + std::to_string(free >> 20) + " MiB) is below the floor (" +
                        std::to_string(floor >> 20) +
                        " MiB): new items are refused until space returns");
    }
    const ItemId id = ItemId::generate();
    return ItemWriter(id, std::move(item), payload_dir_ / (id.str() + ".seal.tmp"), random_key());
}

EnqueueResult Queue::commit(ItemWriter writer, const Actor& actor) {
    writer.finish();
    PendingCommit mine{&writer, actor, {}, nullptr, false};
    std::unique_lock lock(commit_mutex_);
    pending_.push_back(&mine);
    // Group commit: whoever finds no commit running takes everything pending with it.
    while (!mine.done) {
        if (committing_) {
            commit_cv_.wait(lock);
            continue;
        }
        committing_ = true;
        std::vector<PendingCommit*> batch;
        batch.swap(pending_);
        lock.unlock();
        run_batch(batch);
        lock.lock();
        committing_ = false;
        for (auto* p : batch)
            p->done = true;
        commit_cv_.notify_all();
    }
    if (mine.error)
        std::rethrow_exception(mine.error);
    return mine.result;
}

void Queue::sync_payloads(std::vector<PendingCommit*>& batch) {
    std::vector<ItemWriter*> files;
    for (auto* p : batch) {
        if (p->writer->fd_ >= 0)
            files.push_back(p->writer);
    }
    if (files.size() >= kSyncfsBatch) {
        if (::syncfs(payload_dir_fd_) != 0)
            throw_errno("syncfs " + payload_dir_.string());
    } else {
        for (auto* w : files) {
            if (::fsync(w->fd_) != 0)
                throw_errno("fsync " + w->tmp_path_.string());
        }
    }
    for (auto* w : files) {
        if (::close(std::exchange(w->fd_, -1)) != 0)
            throw_errno("close " + w->tmp_path_.string());
        w->file_done_ = true;
    }
}

void Queue::run_batch(std::vector<PendingCommit*>& batch) {
    std::vector<std::filesystem::path> renamed;
    try {
        sync_payloads(batch);
        std::lock_guard db_lock(db_mutex_);
        Transaction tx(*db_);
        for (auto* p : batch) {
            const bool file = p->writer->in_file();
            p->result = insert_item(*p->writer, p->actor);
            if (file && p->result.outcome != EnqueueOutcome::known_external_id) {
                renamed.push_back(payload_path(p->writer->id()));
            }
        }
        if (!renamed.empty() && ::fsync(payload_dir_fd_) != 0) {
            throw_errno("fsync " + payload_dir_.string());
        }
        tx.commit();
    } catch (...) {
        // Nothing of the batch was acknowledged: remove what was renamed already.
        for (const auto& path : renamed)
            ::unlink(path.c_str());
        for (auto* p : batch)
            p->error = std::current_exception();
    }
}

EnqueueResult Queue::insert_item(ItemWriter& w, const Actor& actor) {
    const NewItem& item = w.item_;
    auto known = db_->prepare("SELECT id FROM items WHERE source = ?1 AND external_id = ?2");
    known.bind(1, item.source).bind(2, item.external_id);
    if (known.step()) {
        w.discard();
        return {EnqueueOutcome::known_external_id, *ItemId::parse(known.text(0)), std::nullopt};
    }
    const Digest digest = w.seal_->digest();
    std::optional<ItemId> duplicate_of;
    auto same = db_->prepare("SELECT id FROM items WHERE sha256 = ?1 ORDER BY id LIMIT 1");
    same.bind(1, digest);
    if (same.step())
        duplicate_of = ItemId::parse(same.text(0));

    const ItemId& id = w.id();
    const bool in_file = w.in_file();
    if (in_file) {
        const auto final_path = payload_path(id);
        if (::rename(w.tmp_path_.c_str(), final_path.c_str()) != 0) {
            throw_errno("rename " + final_path.string());
        }
        w.tmp_path_.clear();
        w.file_done_ = false;
    }
    const std::int64_t now = unix_ms_now();
    const std::int64_t kek = queue_keys_->current_id();
    const Bytes meta = seal_blob(*w.data_key_, ByteView(item.personal.data(), item.personal.size()),
                                 as_bytes(meta_aad(id)));
    auto insert = db_->prepare(
        "INSERT INTO items(id, source, external_id, kind, state, created_at, updated_at, "
        "state_since, size, sha256, kek_id, wrapped_key, meta_sealed, payload) VALUES "
        "(?1, ?2, ?3, ?4, 'fetched', ?5, ?5, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
    insert.bind(1, id.str())
        .bind(2, item.source)
        .bind(3, item.external_id)
        .bind(4, item.kind)
        .bind(5, now)
        .bind(6, static_cast<std::int64_t>(w.size()))
        .bind(7, digest)
        .bind(8, kek)
        .bind(9, wrap_data_key(id, *w.data_key_))
        .bind(10, meta);
    if (in_file) {
        insert.bind_null(11);
    } else {
        insert.bind(11, w.inline_);
    }
    insert.run();
    audit_->append(actor, {"enqueued",
                           id,
                           digest,
                           {{"source", item.source},
                            {"external_id", item.external_id},
                            {"kind", item.kind},
                            {"size", w.size()}}});
    if (!duplicate_of)
        return {EnqueueOutcome::added, id, std::nullopt};
    const auto info = find_locked(id);
    apply_change(
        *info,
        {State::duplicate,
         "state",
         std::nullopt,
         std::string(R"([{"code":"E-DUPLICATE","where":"package","detail":"same bytes as )") +
             duplicate_of->str() + "\"}]",
         false,
         {{"duplicate_of", duplicate_of->str()}}},
        actor);
    return {EnqueueOutcome::duplicate_digest, id, duplicate_of};
}

// ---- Queue: commits that need not wait for the disk ---------------------------------

Queue::RelaxedSync::RelaxedSync(Db& db) : db_(db) {
    db_.exec("PRAGMA synchronous = NORMAL");
}

Queue::RelaxedSync::~RelaxedSync() {
    try {
        db_.exec("PRAGMA synchronous = FULL");
    } catch (const std::exception& e) {
        // Going on would make every later commit, items included, non-durable.
        std::fprintf(stderr, "queue: cannot restore synchronous commits (%s); aborting\n",
                     e.what());
        std::abort();
    }
}

// ---- Queue: keys --------------------------------------------------------------------

Bytes Queue::wrap_data_key(const ItemId& id, const config::SecretBytes& key) {
    const std::int64_t kek = queue_keys_->current_id();
    return seal_blob(queue_keys_->key(kek), ByteView(key.data(), key.size()),
                     as_bytes(key_aad(id, kek)));
}

config::SecretBytes Queue::data_key(const ItemId& id, std::int64_t kek_id, const Bytes& wrapped) {
    return open_blob(queue_keys_->key(kek_id), wrapped, as_bytes(key_aad(id, kek_id)));
}

}  // namespace sekisho::queue
