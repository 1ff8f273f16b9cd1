// sekisho-inspect-worker: inspects filing packages and 中間サーバー files for sekishod and
// `sekishoctl inspect`, one request at a time over the socketpair on fd 3, inside the
// sandbox of sandbox.hpp.
// Started only by InspectWorker (worker_client.hpp), never by hand.

#include <libxml/parser.h>
#include <unistd.h>

#include <ctime>

#include "daemon/inspect/chukan_file.hpp"
#include "daemon/inspect/inspector.hpp"
#include "daemon/inspect/signature.hpp"
#include "daemon/inspect/worker_loop.hpp"
#include "daemon/inspect/xml_schema.hpp"

namespace {

void init_libraries() {
    xmlInitParser();
    sekisho::inspect::init_signature_library();
    sekisho::inspect::load_schemas();  // compiled once, before the sandbox
    ::tzset();                         // reads /etc/localtime now, not inside the sandbox
}

}  // namespace

int main(int argc, char** argv) {
    using namespace sekisho::inspect;
    const worker::Inspectors inspectors{
        [](std::string_view zip, const Options& o) { return inspect_package(zip, o); },
        [](std::string_view file, std::string_view kind, const ChukanLimits& limits) {
            return inspect_chukan_file(file, kind, limits);
        },
    };
    ::_exit(worker::run_worker(argc, argv, init_libraries, inspectors));
}
