// Parsing of untrusted XML (spec §2): hostile inputs are refused before anything of a DTD
// is processed, nothing is fetched, and libxml2 writes nothing to stderr.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>

#include <libxml/globals.h>

#include "daemon/inspect/reason_codes.hpp"
#include "daemon/inspect/safe_xml.hpp"
#include "tests/support/temp_dir.hpp"

using namespace sekisho::inspect;

namespace {

constexpr std::string_view kDecl = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

struct Parsed {
    XmlDoc doc;
    Verdict verdict;
    std::string stderr_text;
};

// Parses with the process's stderr captured in a file.
Parsed parse(const std::string& xml) {
    sekisho::test::TempDir dir;
    const auto path = dir / "stderr";
    std::fflush(stderr);
    const int saved = dup(2);
    const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    REQUIRE(saved >= 0);
    REQUIRE(fd >= 0);
    dup2(fd, 2);
    close(fd);
    Parsed p;
    p.doc = parse_untrusted_xml(xml, "test.xml", p.verdict);
    std::fflush(stderr);
    dup2(saved, 2);
    close(saved);
    p.stderr_text = sekisho::test::read_file(path);
    return p;
}

std::set<std::string> codes(const Parsed& p) {
    return p.verdict.codes();
}

std::string billion_laughs() {
    std::string dtd = "<!DOCTYPE DataRoot [\n  <!ENTITY lol \"lol\">\n";
    for (int i = 1; i <= 9; ++i) {
        const std::string prev = i == 1 ? "lol" : "lol" + std::to_string(i - 1);
        dtd += "  <!ENTITY lol" + std::to_string(i) + " \"";
        for (int k = 0; k < 10; ++k)
            dtd += "&" + prev + ";";
        dtd += "\">\n";
    }
    return std::string(kDecl) + dtd + "]>\n<DataRoot><a>&lol9;</a></DataRoot>\n";
}

std::string nested(int depth) {
    std::string open, close;
    for (int i = 0; i < depth; ++i) {
        open += "<入れ子>";
        close += "</入れ子>";
    }
    return std::string(kDecl) + open + close;
}

// A listening socket on 127.0.0.1 that no one should ever connect to.
class Listener {
  public:
    Listener() : fd_(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0)) {
        REQUIRE(fd_ >= 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
        REQUIRE(listen(fd_, 4) == 0);
        socklen_t len = sizeof a;
        REQUIRE(getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) == 0);
        port_ = ntohs(a.sin_port);
    }
    ~Listener() { close(fd_); }
    Listener(const Listener&) = delete;
    Listener& operator=(const Listener&) = delete;
    int port() const { return port_; }
    bool connected() const {
        const int c = accept(fd_, nullptr, nullptr);
        if (c >= 0)
            close(c);
        return c >= 0;
    }

  private:
    int fd_;
    int port_ = 0;
};

}  // namespace

TEST_CASE("well-formed UTF-8 XML is parsed", "[xml]") {
    const Parsed p =
        parse(std::string(kDecl) + "<DataRoot a=\"&amp;\"><様式ID>1</様式ID></DataRoot>");
    CHECK(p.verdict.accepted());
    REQUIRE(p.doc);
    CHECK(std::string(reinterpret_cast<const char*>(xmlDocGetRootElement(p.doc.get())->name)) ==
          "DataRoot");
    CHECK(parse("<DataRoot/>").doc);              // no declaration: UTF-8
    CHECK(parse("\xEF\xBB\xBF<DataRoot/>").doc);  // UTF-8 byte order mark
}

TEST_CASE("billion laughs is refused at its DOCTYPE, without expanding anything", "[xml][dtd]") {
    const auto start = std::chrono::steady_clock::now();
    const Parsed p = parse(billion_laughs());
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(1));
    CHECK(codes(p) == std::set<std::string>{"E-XML-DTD"});
    CHECK_FALSE(p.doc);
    CHECK(p.stderr_text.empty());
}

TEST_CASE("external entities and DTDs are refused and never fetched", "[xml][dtd]") {
    const Listener listener;
    const std::string url = "http://127.0.0.1:" + std::to_string(listener.port()) + "/x.dtd";
    const std::string doc = GENERATE_COPY(
        std::string("<!DOCTYPE DataRoot [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>"
                    "<DataRoot>&xxe;</DataRoot>"),
        "<!DOCTYPE DataRoot [<!ENTITY xxe SYSTEM \"" + url + "\">]><DataRoot>&xxe;</DataRoot>",
        "<!DOCTYPE DataRoot SYSTEM \"" + url + "\"><DataRoot/>",
        "<!DOCTYPE DataRoot [<!ENTITY % remote SYSTEM \"" + url + "\"> %remote;]><DataRoot/>",
        std::string("<!DOCTYPE DataRoot><DataRoot/>"));
    INFO(doc);
    const Parsed p = parse(std::string(kDecl) + doc);
    CHECK(codes(p) == std::set<std::string>{"E-XML-DTD"});
    CHECK_FALSE(p.doc);
    CHECK(p.stderr_text.empty());
    CHECK_FALSE(listener.connected());
    REQUIRE(p.verdict.reasons().size() == 1);
    CHECK(p.verdict.reasons()[0].where == "test.xml:2");
}

TEST_CASE("XInclude is refused as E-XML-DTD", "[xml][dtd]") {
    const std::string ns = GENERATE(as<std::string>{}, "http://www.w3.org/2001/XInclude",
                                    "http://www.w3.org/2003/XInclude");
    const Parsed p = parse(std::string(kDecl) + "<DataRoot><xi:include xmlns:xi=\"" + ns +
                           "\" href=\"file:///etc/passwd\" parse=\"text\"/></DataRoot>");
    CHECK(codes(p) == std::set<std::string>{"E-XML-DTD"});
    CHECK_FALSE(p.doc);
}

TEST_CASE("depth is limited to 32", "[xml][malformed]") {
    CHECK(parse(nested(kMaxXmlDepth)).doc);
    const Parsed p = parse(nested(kMaxXmlDepth + 1));
    CHECK(codes(p) == std::set<std::string>{"E-XML-MALFORMED"});
    CHECK_FALSE(p.doc);
    CHECK(codes(parse(nested(5000))) == std::set<std::string>{"E-XML-MALFORMED"});
}

TEST_CASE("malformed documents are E-XML-MALFORMED, silently", "[xml][malformed]") {
    const std::string doc = GENERATE(
        as<std::string>{},
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DataRoot><a></b></DataRoot>",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DataRoot><a>",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DataRoot>\x8E\x96\x8D\x80</DataRoot>",
        "<?xml version=\"1.0\" encoding=\"Shift_JIS\"?>\n<DataRoot>\x8E\x96</DataRoot>",
        "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<DataRoot/>",
        "<?xml version=\"1.0\"?>\n<?xml-stylesheet href=\"x.xsl\"?><DataRoot/>",
        "<DataRoot><?php echo 1; ?></DataRoot>", "<DataRoot>&undeclared;</DataRoot>",
        std::string("<\0D\0a\0t\0a\0/\0>\0", 14), "", "plain text");
    INFO(doc);
    const Parsed p = parse(doc);
    CHECK(codes(p) == std::set<std::string>{"E-XML-MALFORMED"});
    CHECK_FALSE(p.doc);
    CHECK(p.stderr_text.empty());
}

namespace {
void count_error(void* ctx, xmlError*) {
    ++*static_cast<int*>(ctx);
}
}  // namespace

TEST_CASE("the caller's libxml2 error handler is left in place", "[xml]") {
    int errors = 0;
    xmlSetStructuredErrorFunc(&errors, count_error);
    CHECK_FALSE(parse("<DataRoot><a></DataRoot>").doc);
    CHECK(errors == 0);  // the parse's own errors went to the parse
    CHECK(xmlStructuredError == count_error);
    CHECK(xmlStructuredErrorContext == &errors);
    xmlSetStructuredErrorFunc(nullptr, nullptr);
}

TEST_CASE("a refusal names the file and line, never the document's text", "[xml]") {
    const Parsed p = parse(std::string(kDecl) + "<DataRoot>\n<番号621498320257>\n</DataRoot>");
    REQUIRE(p.verdict.reasons().size() == 1);
    const Reason& r = p.verdict.reasons()[0];
    CHECK(r.code == "E-XML-MALFORMED");
    CHECK(r.where.starts_with("test.xml:"));
    CHECK(r.where.find("6214") == std::string::npos);
    CHECK(r.detail.find("6214") == std::string::npos);
    CHECK(r.detail.find("番号") == std::string::npos);
}
