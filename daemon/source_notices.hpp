#pragma once
// The notices an item's source is owed when a person or a policy decides on it. Only
// Mynaportal takes notices (spec/mynaportal-api.md); the 中間サーバー has none.

#include <optional>
#include <string>

#include "queue/queue.hpp"

namespace sekisho::daemon {

inline constexpr const char* kNoticeSource = "mynaportal";
inline constexpr const char* kAcceptedMessage = "電子申請データを受け付けました。";

inline std::optional<queue::NoticeRequest> accepted_notice(const queue::ItemInfo& item) {
    if (item.source != kNoticeSource)
        return std::nullopt;
    return queue::NoticeRequest{"accepted", "", kAcceptedMessage};
}

inline std::optional<queue::NoticeRequest> returned_notice(const queue::ItemInfo& item,
                                                           const std::string& code,
                                                           const std::string& message) {
    if (item.source != kNoticeSource)
        return std::nullopt;
    return queue::NoticeRequest{"returned", code, message};
}

}  // namespace sekisho::daemon
