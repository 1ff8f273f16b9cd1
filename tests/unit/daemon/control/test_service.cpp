// The control server and its commands over a real Unix socket, with a real queue and a
// stand-in for the rest of the daemon. The caller is this test process; the different-uid
// cases (role matrix, two-person rule) are in tests/integration/control.

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>
#include <thread>

#include "daemon/control/frame.hpp"
#include "daemon/control/server.hpp"
#include "daemon/control/service.hpp"
#include "daemon/ctl/control_client.hpp"
#include "tests/unit/queue/queue_fixture.hpp"

using namespace sekisho;
using namespace sekisho::control;
namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

struct FakeDaemon : DaemonView {
    config::Settings s;
    int changed = 0;
    config::Settings settings() override { return s; }
    json::object status() override { return {{"daemon", {{"version", "test"}}}}; }
    json::array certificates() override { return {}; }
    json::object rotate_certificate(const CertRotation& r, const queue::Actor&) override {
        throw std::runtime_error("refused " + r.use);
    }
    json::object rollback_certificate(const std::string& use, const queue::Actor&) override {
        throw std::runtime_error("nothing to roll back for " + use);
    }
    void items_changed() override { ++changed; }
};

struct ServiceFixture {
    test::QueueFixture qf;
    FakeDaemon daemon;
    std::filesystem::path socket = qf.dir / "control.sock";
    ControlService service{*qf.q, daemon};
    ControlServer server{socket, [this](const Caller& c, const json::object& r, UniqueFd f,
                                        Replier& out) { service.handle(c, r, out, std::move(f)); }};

    ServiceFixture() {
        const config::RoleMember me{config::RoleMember::Kind::user, test::current_user(), {}, {}};
        daemon.s.roles.operators.push_back(me);
        daemon.s.roles.auditors.push_back(me);
        server.start();
    }

    struct Answer {
        ctl::ControlAnswer done;
        std::vector<json::object> rows;
        std::vector<std::string> lines;
    };

    Answer call(json::object request) {
        Answer a;
        a.done = ctl::call_control(socket, request,
                                   {[&](const json::object& r) { a.rows.push_back(r); },
                                    [&](std::string_view l) { a.lines.emplace_back(l); }});
        return a;
    }

    queue::ItemId staged(const std::string& external_id) {
        const auto id =
            qf.enqueue(external_id, "bytes " + external_id, R"({"form_codes":["2200700"]})").id;
        qf.q->transition(id, {queue::State::inspecting});
        qf.q->transition(id, {.to = queue::State::scanning, .verdict = "accept"});
        qf.q->transition(id, {.to = queue::State::staged, .scanned_clean = true});
        return id;
    }

    std::string audit() {
        std::ostringstream out;
        qf.q->export_audit(out, std::nullopt, std::nullopt);
        return out.str();
    }
};

int connect_raw(const std::filesystem::path& path) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strcpy(addr.sun_path, path.c_str());
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    REQUIRE(::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0);
    return fd;
}

}  // namespace

TEST_CASE("the control socket is 0660 and answers status with the queue counts",
          "[control][service]") {
    ServiceFixture f;
    f.staged("A1");
    CHECK((std::filesystem::status(f.socket).permissions() & std::filesystem::perms::all) ==
          (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
           std::filesystem::perms::group_read | std::filesystem::perms::group_write));
    const auto a = f.call({{"command", "status"}});
    CHECK(a.done.exit_code == 0);
    CHECK(a.done.result.at("items").at("staged").as_int64() == 1);
    CHECK(a.done.result.at("daemon").at("version").as_string() == "test");
    CHECK_THAT(f.audit(), Catch::Contains(R"("action":"control")") &&
                              Catch::Contains(R"("command":"status","result":"ok")"));
}

TEST_CASE("a caller without a role is refused and the refusal is audited", "[control][service]") {
    ServiceFixture f;
    f.daemon.s.roles = {};
    const auto a = f.call({{"command", "list"}});
    CHECK(a.done.exit_code == 1);
    CHECK_THAT(a.done.message, Catch::Contains("has no role in [roles]"));
    CHECK_THAT(f.audit(), Catch::Contains(R"("action":"control refused")") &&
                              Catch::Contains(R"("result":"refused")"));
}

TEST_CASE("a command outside the caller's roles is refused with the role it needs",
          "[control][service]") {
    ServiceFixture f;
    const auto a = f.call({{"command", "keys-rotate"}});
    CHECK(a.done.exit_code == 1);
    CHECK_THAT(a.done.message, Catch::Contains("needs the admin role") &&
                                   Catch::Contains("holds: operator, auditor"));
    CHECK(f.call({{"command", "approve"}, {"ids", json::array{"x"}}}).done.exit_code == 1);
}

TEST_CASE("release, hold, requeue and reject move items and report counts", "[control][service]") {
    ServiceFixture f;
    const auto a = f.staged("A1");
    const auto b = f.staged("A2");
    const auto c = f.staged("A3");
    auto r = f.call({{"command", "release"}, {"ids", json::array{a.str(), b.str()}}});
    CHECK(r.done.exit_code == 0);
    CHECK(r.done.message == "released 2, refused 0");
    CHECK(f.qf.q->release_record(a)->requested_by == test::current_user());
    // A second release of the same item is refused, the rest of the batch goes on.
    r = f.call({{"command", "release"}, {"ids", json::array{a.str(), c.str()}}});
    CHECK(r.done.exit_code == 1);
    CHECK(r.done.message == "released 1, refused 1");
    REQUIRE(r.rows.size() == 2);
    CHECK(r.rows[0].at("result").as_string() == "refused");
    CHECK(f.daemon.changed == 2);
    // The refused item has its own audit record, with the reason.
    CHECK_THAT(f.audit(), Catch::Contains(R"("action":"release refused","item_id":")" + a.str()));

    const auto d = f.staged("A4");
    const auto e = f.staged("A5");
    r = f.call({{"command", "hold"}, {"all", true}});
    CHECK(r.done.message == "held 2, refused 0");
    r = f.call({{"command", "requeue"}, {"ids", json::array{d.str()}}});
    CHECK(r.done.exit_code == 0);
    CHECK(f.qf.q->find(d)->state == queue::State::inspecting);
    r = f.call({{"command", "reject"}, {"ids", json::array{e.str()}}, {"reason", "書類不備"}});
    CHECK(r.done.exit_code == 0);
    const auto rejected = *f.qf.q->find(e);
    CHECK(rejected.state == queue::State::rejected);
    CHECK_THAT(rejected.reasons_json, Catch::Contains("E-OPERATOR"));
    const auto notices =
        f.qf.q->due_notices("mynaportal", std::chrono::system_clock::now() + 1h, 10);
    CHECK(notices.empty());                 // owed only once the source confirmed the item
    CHECK(f.qf.q->pending_notices() == 4);  // accepted for the three released, returned for one
}

TEST_CASE("a rejection reason with a 12-digit number is refused and changes nothing",
          "[control][service]") {
    ServiceFixture f;
    const auto a = f.staged("A1");
    const auto r =
        f.call({{"command", "reject"}, {"all", true}, {"reason", "番号 1234 5678 9012"}});
    CHECK(r.done.exit_code == 2);
    CHECK(f.qf.q->find(a)->state == queue::State::staged);
    CHECK_THAT(f.audit(), !Catch::Contains("9012"));
}

TEST_CASE("show --content decrypts the summary and is audited per item", "[control][service]") {
    ServiceFixture f;
    const auto a = f.staged("A1");
    auto r = f.call({{"command", "show"}, {"ids", json::array{a.str()}}});
    REQUIRE(r.rows.size() == 1);
    CHECK_FALSE(r.rows[0].contains("content"));
    r = f.call({{"command", "show"}, {"content", true}, {"ids", json::array{a.str()}}});
    REQUIRE(r.rows.size() == 1);
    CHECK(r.rows[0].at("content").at("form_codes").at(0).as_string() == "2200700");
    CHECK_THAT(f.audit(),
               Catch::Contains(R"("action":"content viewed")") && Catch::Contains(a.str()));
    r = f.call({{"command", "show"}, {"ids", json::array{"0190a000-0000-7000-8000-000000000000"}}});
    CHECK(r.done.exit_code == 1);
}

TEST_CASE("audit verify and export go through the socket", "[control][service]") {
    ServiceFixture f;
    f.staged("A1");
    auto r = f.call({{"command", "audit-verify"}});
    CHECK(r.done.exit_code == 0);
    CHECK_THAT(r.done.message, Catch::StartsWith("audit log intact"));
    r = f.call({{"command", "audit-export"}});
    CHECK(r.done.exit_code == 0);
    CHECK(r.lines.size() == static_cast<std::size_t>(r.done.result.at("records").as_int64()));
    CHECK_THAT(r.lines.front(), Catch::StartsWith(R"({"seq":1,)"));
}

TEST_CASE("a long audit export comes in pages, every record once and in order",
          "[control][service]") {
    ServiceFixture f;
    for (int i = 0; i < 1200; ++i)
        f.qf.q->record(queue::Actor::daemon(), {"filler", std::nullopt, std::nullopt, {}});
    const auto r = f.call({{"command", "audit-export"}});
    CHECK(r.done.exit_code == 0);
    REQUIRE(r.lines.size() == static_cast<std::size_t>(r.done.result.at("records").as_int64()));
    REQUIRE(r.lines.size() >= 1200);
    for (std::size_t i = 0; i < r.lines.size(); ++i)
        CHECK_THAT(r.lines[i], Catch::StartsWith("{\"seq\":" + std::to_string(i + 1) + ","));
}

TEST_CASE("a client that goes away does not stop its request", "[control][service]") {
    ServiceFixture f;
    std::vector<std::string> ids;
    for (int i = 0; i < 50; ++i)
        ids.push_back(f.staged("B" + std::to_string(i)).str());
    json::array list;
    for (const auto& id : ids)
        list.emplace_back(id);
    const int fd = connect_raw(f.socket);
    control::write_frame(fd, json::serialize(json::object{{"command", "hold"}, {"ids", list}}));
    ::close(fd);  // gone before the first answer
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (f.qf.q->counts()[queue::State::held] < 50 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(20ms);
    CHECK(f.qf.q->counts()[queue::State::held] == 50);
    // Its summary record is written too.
    while (f.audit().find(R"("command":"hold","result":"ok")") == std::string::npos &&
           std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(20ms);
    CHECK_THAT(f.audit(), Catch::Contains(R"("command":"hold","result":"ok")"));
}

TEST_CASE("bad requests get a usage answer and the server goes on", "[control][service]") {
    ServiceFixture f;
    CHECK(f.call({{"command", "release"}}).done.exit_code == 2);
    CHECK(f.call({{"command", "release"}, {"ids", json::array{"not-an-id"}}}).done.exit_code == 2);
    CHECK(f.call({{"command", "list"}, {"state", "lost"}}).done.exit_code == 2);
    CHECK(f.call({{"command", "frobnicate"}}).done.exit_code == 2);
    {
        // Garbage and an oversized frame.
        const int fd = connect_raw(f.socket);
        control::write_frame(fd, "not json");
        const auto answer = control::read_frame(fd, control::kMaxReplyFrameBytes);
        REQUIRE(answer);
        CHECK_THAT(*answer, Catch::Contains("not a JSON object"));
        ::close(fd);
        const int big = connect_raw(f.socket);
        const unsigned char head[] = {0x7f, 0xff, 0xff, 0xff};
        REQUIRE(::write(big, head, 4) == 4);
        char byte;
        CHECK(::read(big, &byte, 1) == 0);  // closed without an answer
        ::close(big);
    }
    CHECK(f.call({{"command", "status"}}).done.exit_code == 0);
}

TEST_CASE("more than eight connections at once are told to retry, and stop ends idle ones",
          "[control][service]") {
    ServiceFixture f;
    std::vector<int> idle;
    for (std::size_t i = 0; i < kMaxConnections; ++i)
        idle.push_back(connect_raw(f.socket));
    std::this_thread::sleep_for(200ms);
    const auto busy = f.call({{"command", "status"}});
    CHECK(busy.done.exit_code == 1);
    CHECK_THAT(busy.done.message, Catch::Contains("busy"));
    const auto started = std::chrono::steady_clock::now();
    f.server.stop();
    CHECK(std::chrono::steady_clock::now() - started < 5s);
    CHECK_FALSE(std::filesystem::exists(f.socket));
    for (int fd : idle)
        ::close(fd);
}

TEST_CASE("submit seals the passed file as an operator's request item", "[control][submit]") {
    ServiceFixture f;
    const auto file = f.qf.dir / "request.csv";
    test::write_file(file, "H,HONNIN-REQ,06230017,20261124100000,1\r\n", 0600);
    const UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
    const json::object request{{"command", "submit"}, {"kind", "HONNIN-REQ"}};
    const auto call_with = [&](const json::object& r, int passed) {
        return ctl::call_control(f.socket, r, {}, passed);
    };
    // The chukan source is off: nothing could ever go out, so nothing is taken.
    auto a = call_with(request, fd.get());
    CHECK(a.exit_code == 1);
    CHECK_THAT(a.message, Catch::Contains("chukan source is not enabled"));
    f.daemon.s.chukan.enabled = true;
    // No file, a directory, a result kind: usage errors, nothing stored.
    CHECK(f.call(request).done.exit_code == 2);
    const UniqueFd dir(::open(f.qf.dir.path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    CHECK(call_with(request, dir.get()).exit_code == 2);
    CHECK(call_with({{"command", "submit"}, {"kind", "HONNIN-RES"}}, fd.get()).exit_code == 2);
    CHECK(f.qf.q->list(std::nullopt, std::string("operator")).empty());

    a = call_with(request, fd.get());
    INFO(a.message);
    REQUIRE(a.exit_code == 0);
    const auto items = f.qf.q->list(std::nullopt, std::string("operator"));
    REQUIRE(items.size() == 1);
    CHECK(items.front().kind == "HONNIN-REQ");
    CHECK(items.front().state == queue::State::fetched);
    CHECK(f.qf.payload(items.front().id) == test::read_file(file));
    CHECK(queue::ItemId::parse(items.front().external_id));  // the stable client_request_id
    CHECK(f.daemon.changed > 0);                             // the pipeline is woken
    CHECK_THAT(f.audit(), Catch::Contains(R"("actor":")" + test::current_user()) &&
                              Catch::Contains(R"("command":"submit","result":"ok")"));
    // The same bytes again: recorded as a duplicate, and said so.
    a = call_with(request, fd.get());
    CHECK(a.exit_code == 1);
    CHECK_THAT(a.message, Catch::Contains("submitted before"));
}

TEST_CASE("submit is an operator's command", "[control][submit]") {
    ServiceFixture f;
    f.daemon.s.chukan.enabled = true;
    f.daemon.s.roles.operators.clear();
    const auto a = f.call({{"command", "submit"}, {"kind", "HONNIN-REQ"}});
    CHECK(a.done.exit_code == 1);
    CHECK_THAT(a.done.message, Catch::Contains("needs the operator role"));
}
