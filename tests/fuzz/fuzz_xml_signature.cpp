// libFuzzer target: untrusted XML parsing and the XMLDSig check (spec §2, §3) of kousei.xml.
// The input is kousei.xml. When SEKISHO_FUZZ_PACKAGE names a generated package, its other
// entries complete the package so that references resolve and digests are computed;
// SEKISHO_FUZZ_TRUST_ANCHOR and SEKISHO_FUZZ_CRL name the generator's CA files.

#include <libxml/parser.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include "daemon/inspect/safe_xml.hpp"
#include "daemon/inspect/signature.hpp"
#include "daemon/inspect/zip_container.hpp"

using namespace sekisho::inspect;

namespace {

Options g_options;
Package g_package;  // the seed package's entries other than kousei.xml

std::string file_named_by(const char* variable) {
    const char* path = std::getenv(variable);
    if (path == nullptr)
        return {};
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void load_seed_package() {
    const std::string zip = file_named_by("SEKISHO_FUZZ_PACKAGE");
    Verdict ignored;
    if (auto p = read_container(zip, Limits{}, ignored)) {
        g_package.folder = p->folder;
        g_package.procedure_id = p->procedure_id;
        for (auto& e : p->entries) {
            if (e.name != "kousei.xml")
                g_package.entries.push_back(std::move(e));
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    xmlInitParser();
    init_signature_library();
    if (auto anchor = file_named_by("SEKISHO_FUZZ_TRUST_ANCHOR"); !anchor.empty())
        g_options.trust_anchors.push_back(std::move(anchor));
    if (auto crl = file_named_by("SEKISHO_FUZZ_CRL"); !crl.empty())
        g_options.crls.push_back(std::move(crl));
    g_options.now = std::time(nullptr);
    load_seed_package();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view xml(reinterpret_cast<const char*>(data), size);
    Verdict verdict;
    const XmlDoc doc = parse_untrusted_xml(xml, "kousei.xml", verdict);
    if (!doc)
        return 0;
    Package package = g_package;
    package.entries.push_back({"kousei.xml", std::string(xml)});
    check_signature(doc.get(), package, g_options, verdict);
    return 0;
}
