#include <catch2/catch.hpp>
#include <cstdlib>
#include <ctime>
#include <string>

#include "adapters/clamd/reply.hpp"

using namespace sekisho::clamd;
using Kind = StreamReply::Kind;

namespace {

// Sets the process time zone for one test and restores it afterwards.
class TimeZone {
  public:
    explicit TimeZone(const char* tz) {
        if (const char* old = std::getenv("TZ"))
            old_ = old;
        ::setenv("TZ", tz, 1);
        ::tzset();
    }
    ~TimeZone() {
        if (old_.empty())
            ::unsetenv("TZ");
        else
            ::setenv("TZ", old_.c_str(), 1);
        ::tzset();
    }

  private:
    std::string old_;
};

std::time_t seconds(std::chrono::system_clock::time_point t) {
    return std::chrono::system_clock::to_time_t(t);
}

}  // namespace

TEST_CASE("only the exact reply stream: OK is clean", "[clamd][reply]") {
    CHECK(parse_stream_reply("stream: OK").kind == Kind::clean);
    for (const char* reply : {"stream: OK extra", "stream: ok", "stream:OK", " stream: OK",
                              "stream: OK ", "OK", "", "stream: ", "PONG", "1: stream: OK"}) {
        INFO(reply);
        CHECK(parse_stream_reply(reply).kind == Kind::error);
    }
    using namespace std::string_literals;
    CHECK(parse_stream_reply("stream: OK\0"s).kind == Kind::error);
}

TEST_CASE("a FOUND reply gives the signature name", "[clamd][reply]") {
    const auto r = parse_stream_reply("stream: Sekisho.Test.EICAR.UNOFFICIAL FOUND");
    CHECK(r.kind == Kind::found);
    CHECK(r.text == "Sekisho.Test.EICAR.UNOFFICIAL");
    CHECK(parse_stream_reply("stream: Win.Test.EICAR_HDB-1 FOUND").text == "Win.Test.EICAR_HDB-1");
    CHECK(parse_stream_reply("stream:  FOUND").kind == Kind::error);
    CHECK(parse_stream_reply("stream: FOUND").kind == Kind::error);
    CHECK(parse_stream_reply("stream: X FOUND ").kind == Kind::error);
}

TEST_CASE("signature names are kept printable and bounded", "[clamd][reply]") {
    const auto r = parse_stream_reply("stream: Bad\x1b[31m\xe5\x90\x8dName FOUND");
    CHECK(r.kind == Kind::found);
    CHECK(r.text == "Bad?[31m???Name");
    const std::string long_name(1000, 'A');
    const auto l = parse_stream_reply("stream: " + long_name + " FOUND");
    CHECK(l.kind == Kind::found);
    CHECK(l.text == std::string(kMaxShownText, 'A') + "...");
}

TEST_CASE("the size limit reply and other errors are told apart", "[clamd][reply]") {
    CHECK(parse_stream_reply("INSTREAM size limit exceeded. ERROR").kind == Kind::size_limit);
    const auto e = parse_stream_reply("stream: Can't allocate memory ERROR");
    CHECK(e.kind == Kind::error);
    CHECK(e.text == "stream: Can't allocate memory ERROR");
    CHECK(parse_stream_reply("UNKNOWN COMMAND").kind == Kind::error);
}

TEST_CASE("a bare VERSION has an engine and no database date", "[clamd][version]") {
    const auto v = parse_version("ClamAV 1.4.6");
    REQUIRE(v);
    CHECK(v->engine == "1.4.6");
    CHECK_FALSE(v->database);
    CHECK_FALSE(v->database_time);
}

TEST_CASE("a full VERSION gives the database version and its date", "[clamd][version]") {
    TimeZone utc("UTC");
    const auto v = parse_version("ClamAV 1.4.6/27000/Mon Nov 23 08:00:00 2026");
    REQUIRE(v);
    CHECK(v->engine == "1.4.6");
    CHECK(v->database == 27000u);
    REQUIRE(v->database_time);
    CHECK(seconds(*v->database_time) == 1795420800);
    // ctime pads one-digit days with a space.
    const auto padded = parse_version("ClamAV 1.0.7/27475/Tue Dec  1 21:05:09 2026");
    REQUIRE(padded);
    CHECK(seconds(*padded->database_time) == 1796159109);
}

TEST_CASE("the VERSION date is clamd's local time", "[clamd][version]") {
    TimeZone jst("JST-9");
    const auto t = parse_ctime("Mon Nov 23 17:00:00 2026");
    REQUIRE(t);
    CHECK(seconds(*t) == 1795420800);
}

TEST_CASE("malformed VERSION replies are refused", "[clamd][version]") {
    for (const char* reply :
         {"", "ClamAV", "ClamAV ", "clamav 1.4.6", "ClamAV 1.4.6/", "ClamAV 1.4.6/27000",
          "ClamAV 1.4.6/27000/", "ClamAV 1.4.6/x/Mon Nov 23 08:00:00 2026",
          "ClamAV 1.4.6/27000/Mon Nov 23 08:00 2026", "ClamAV 1.4.6/27000/Mon Foo 23 08:00:00 2026",
          "ClamAV 1.4.6/27000/Mon Nov 32 08:00:00 2026",
          "ClamAV 1.4.6/27000/Mon Nov 23 25:00:00 2026",
          "ClamAV 1.4.6/27000/Mon Nov 23 08:00:00 2026 extra", "ClamAV 1 4 6", "ClamAV 1.4.6\n"}) {
        INFO(reply);
        CHECK_FALSE(parse_version(reply));
    }
}
