// Queue: request files uploaded to the 中間サーバー, their status there, and the result
// file each one was answered with.

#include "common/time_format.hpp"
#include "queue/queue.hpp"

namespace sekisho::queue {
namespace {

constexpr const char* kSelectRequest =
    "SELECT r.item_id, i.external_id, i.kind, r.request_id, r.status, r.result_id, "
    "r.result_item, r.uploaded_at, r.checked_at, r.next_check_at, r.checks "
    "FROM requests r JOIN items i ON i.id = r.item_id";

OutboundRequest read_request(const Stmt& s) {
    OutboundRequest r;
    r.item = *ItemId::parse(s.text(0));
    r.client_request_id = s.text(1);
    r.kind = s.text(2);
    r.request_id = s.text(3);
    r.status = s.text(4);
    r.result_id = s.text(5);
    r.result_item = ItemId::parse(s.text(6));
    r.uploaded_ms = s.integer(7);
    if (!s.is_null(8))
        r.checked_ms = s.integer(8);
    r.next_check_ms = s.integer(9);
    r.checks = s.integer(10);
    return r;
}

std::int64_t unix_ms(std::chrono::system_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

}  // namespace

void Queue::record_upload(const ItemId& id, const std::string& request_id, const Actor& actor) {
    std::lock_guard lock(db_mutex_);
    Transaction tx(*db_);
    const auto item = find_locked(id);
    if (!item)
        throw NotFound("no item " + id.str());
    apply_change(*item,
                 {.to = State::sent,
                  .action = "uploaded to the chukan server",
                  .details = {{"request_id", request_id}}},
                 actor);
    const std::int64_t now = unix_ms_now();
    auto s = db_->prepare(
        "INSERT INTO requests(item_id, request_id, status, uploaded_at, next_check_at)"
        " VALUES (?1, ?2, 'accepted', ?3, ?3)");
    s.bind(1, id.str()).bind(2, request_id).bind(3, now).run();
    tx.commit();
}

std::vector<OutboundRequest> Queue::open_requests(std::chrono::system_clock::time_point now,
                                                  std::size_t limit) {
    std::lock_guard lock(db_mutex_);
    auto s = db_->prepare(std::string(kSelectRequest) +
                          " WHERE r.status IN ('accepted', 'processing') AND r.next_check_at <= ?1"
                          " ORDER BY r.next_check_at LIMIT ?2");
    s.bind(1, unix_ms(now)).bind(2, static_cast<std::int64_t>(limit));
    std::vector<OutboundRequest> out;
    while (s.step())
        out.push_back(read_request(s));
    return out;
}

void Queue::record_request_state(const ItemId& id, const std::string& status,
                                 const std::string& result_id,
                                 std::chrono::system_clock::time_point next_check) {
    std::lock_guard lock(db_mutex_);
    Transaction tx(*db_);
    const auto before = outbound_request_locked("r.item_id", id.str());
    if (!before)
        throw NotFound("no uploaded request " + id.str());
    auto s = db_->prepare(
        "UPDATE requests SET status = ?2, result_id = ?3, checked_at = ?4, next_check_at = ?5,"
        " checks = checks + 1 WHERE item_id = ?1");
    s.bind(1, id.str()).bind(2, status).bind(3, result_id).bind(4, unix_ms_now());
    s.bind(5, unix_ms(next_check)).run();
    if (before->status != status || before->result_id != result_id) {
        Details details{{"request_id", before->request_id}, {"status", status}};
        if (!result_id.empty())
            details.emplace_back("result_id", result_id);
        audit_->append(Actor::daemon(), {"request status", id, std::nullopt, std::move(details)});
    }
    if (status == "done" && !result_id.empty() && !before->result_item) {
        auto find =
            db_->prepare("SELECT id FROM items WHERE source = 'chukan' AND external_id = ?1");
        find.bind(1, result_id);
        if (find.step()) {
            auto now = *outbound_request_locked("r.item_id", id.str());
            link_locked(now, *ItemId::parse(find.text(0)));
        }
    }
    tx.commit();
}

std::optional<ItemId> Queue::link_result(const std::string& result_id, const ItemId& result_item) {
    std::lock_guard lock(db_mutex_);
    Transaction tx(*db_);
    const auto request = outbound_request_locked("r.result_id", result_id);
    if (!request || request->status != "done")
        return std::nullopt;
    if (!request->result_item)
        link_locked(*request, result_item);
    tx.commit();
    return request->item;
}

void Queue::link_locked(const OutboundRequest& request, const ItemId& result_item) {
    auto s = db_->prepare("UPDATE requests SET result_item = ?2 WHERE item_id = ?1");
    s.bind(1, request.item.str()).bind(2, result_item.str()).run();
    audit_->append(Actor::daemon(), {"result linked",
                                     request.item,
                                     std::nullopt,
                                     {{"request_id", request.request_id},
                                      {"result_id", request.result_id},
                                      {"result_item", result_item.str()}}});
    audit_->append(Actor::daemon(),
                   {"result linked",
                    result_item,
                    std::nullopt,
                    {{"request_id", request.request_id}, {"request_item", request.item.str()}}});
}

std::optional<OutboundRequest> Queue::outbound_request_locked(const std::string& where,
                                                              const std::string& value) {
    // `where` is one of this file's own column names, never input.
    auto s = db_->prepare(std::string(kSelectRequest) + " WHERE " + where + " = ?1 LIMIT 1");
    s.bind(1, value);
    if (!s.step())
        return std::nullopt;
    return read_request(s);
}

std::optional<OutboundRequest> Queue::outbound_request(const ItemId& request_item) {
    std::lock_guard lock(db_mutex_);
    return outbound_request_locked("r.item_id", request_item.str());
}

std::optional<OutboundRequest> Queue::request_answered_by(const ItemId& result_item) {
    std::lock_guard lock(db_mutex_);
    return outbound_request_locked("r.result_item", result_item.str());
}

}  // namespace sekisho::queue
