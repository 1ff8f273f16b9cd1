// The real sekisho-inspect-worker, sandbox and all, on every generated package.

#include <catch2/catch.hpp>

#include "daemon/inspect/worker_client.hpp"
#include "tests/integration/inspect/filings_fixture.hpp"

using namespace sekisho;
using namespace sekisho::inspect;

TEST_CASE("the sandboxed worker gives every generated package its expected verdict",
          "[worker][filings]") {
    test::FilingsFixture filings;
    REQUIRE(filings.packages.size() > 10);
    WorkerSettings settings;
    settings.program = test::program("sekisho-inspect-worker");
    InspectWorker worker(settings);
    pid_t first_pid = -1;
    int accepted = 0;
    for (const auto& p : filings.packages) {
        INFO(p.zip.filename().string());
        const auto result = worker.inspect(test::read_file(p.zip), filings.options(p.auth_method));
        if (const auto* f = std::get_if<Failure>(&result))
            FAIL("worker failed: " << f->reason);
        const auto& in = std::get<Inspection>(result);
        CHECK(in.verdict.codes() == p.codes);
        CHECK(in.verdict.accepted() == (p.verdict == "accept"));
        if (in.verdict.accepted()) {
            ++accepted;
            CHECK_FALSE(in.entries.empty());
        }
        if (first_pid < 0)
            first_pid = worker.pid();
        CHECK(worker.pid() == first_pid);  // one worker for all of them
    }
    CHECK(accepted >= 3);
}
