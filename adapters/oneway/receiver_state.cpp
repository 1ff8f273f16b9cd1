#include "adapters/oneway/receiver_state.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <system_error>

#include "common/atomic_file.hpp"

namespace sekisho::oneway {
namespace {

constexpr char kDelivered[] = "delivered";
constexpr char kLost[] = "lost";
constexpr char kSession[] = "session";
constexpr char kPartialPrefix[] = ".partial-";

}  // namespace

ReceiverState::ReceiverState(std::filesystem::path state_dir, std::filesystem::path inbox_dir)
    : state_(std::move(state_dir)), inbox_(std::move(inbox_dir)) {
    std::filesystem::create_directories(state_);
    std::filesystem::create_directories(inbox_);
    load_ids(state_ / kDelivered, delivered_);
    load_ids(state_ / kLost, lost_);
    if (std::ifstream in(state_ / kSession); in)
        in >> newest_session_;
    clean_inbox();
}

void ReceiverState::load_ids(const std::filesystem::path& file, std::set<TransferId>& into) const {
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line)) {
        if (const auto id = parse_transfer_id(line.substr(0, 36)))
            into.insert(*id);
    }
}

namespace {

// Our own names only: `.partial-<id>` and the temporary `.<id>.json.tmp.<pid>` of an
// interrupted manifest write. Anything else in the inbox is the core system's.
bool is_our_leftover(const std::string& name) {
    if (name.starts_with(kPartialPrefix))
        return parse_transfer_id(name.substr(sizeof kPartialPrefix - 1)).has_value();
    const auto tmp = name.find(".json.tmp.");
    return name.starts_with(".") && tmp == 37 && parse_transfer_id(name.substr(1, 36)).has_value();
}

bool is_item_extension(const std::filesystem::path& p) {
    const auto ext = p.extension();
    return ext == ".zip" || ext == ".csv" || ext == ".bin";
}

}  // namespace

void ReceiverState::clean_inbox() {
    std::set<std::string> manifests;
    std::vector<std::filesystem::path> items;
    for (const auto& e : std::filesystem::directory_iterator(inbox_)) {
        const std::string name = e.path().filename().string();
        if (is_our_leftover(name)) {
            std::filesystem::remove(e.path());
            continue;
        }
        const auto id = parse_transfer_id(e.path().stem().string());
        if (!id)
            continue;  // not ours: the core system's own files are left alone
        if (e.path().extension() == ".json") {
            manifests.insert(e.path().stem().string());
            delivered_.insert(*id);
        } else if (is_item_extension(e.path())) {
            items.push_back(e.path());
        }
    }
    // An item renamed in before a crash, without its manifest, was never delivered: the
    // core system takes an item only with its manifest.
    for (const auto& p : items) {
        if (manifests.count(p.stem().string()) == 0)
            std::filesystem::remove(p);
    }
}

void ReceiverState::append(const std::filesystem::path& file, const std::string& line) const {
    const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0)
        throw std::system_error(errno, std::generic_category(), "open " + file.string());
    // A line cut short by a full disk must not swallow this one.
    std::string text = line + "\n";
    const off_t size = ::lseek(fd, 0, SEEK_END);
    char last = '\n';
    if (size > 0 && ::pread(fd, &last, 1, size - 1) == 1 && last != '\n')
        text.insert(text.begin(), '\n');
    const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                    ::fsync(fd) == 0;
    const int saved = errno;
    ::close(fd);
    if (!ok)
        throw std::system_error(saved, std::generic_category(), "append to " + file.string());
}

void ReceiverState::record_delivered(const TransferId& id) {
    append(state_ / kDelivered, to_string(id));
    delivered_.insert(id);
}

void ReceiverState::record_lost(const TransferId& id, const std::string& why) {
    append(state_ / kLost, to_string(id) + " " + why);
    lost_.insert(id);
}

void ReceiverState::record_lost_unknown(std::uint64_t session, std::uint32_t number) {
    append(state_ / kLost, "unknown-id session " + std::to_string(session) + " transfer_number " +
                               std::to_string(number));
}

void ReceiverState::record_session(std::uint64_t session) {
    write_file_atomically(state_ / kSession, std::to_string(session) + "\n");
    newest_session_ = session;
}

std::filesystem::path ReceiverState::partial_path(const TransferId& id) const {
    return inbox_ / (std::string(kPartialPrefix) + to_string(id));
}

}  // namespace sekisho::oneway
