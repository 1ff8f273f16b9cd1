#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>

#include "adapters/http/digest.hpp"
#include "adapters/http/repr_digest.hpp"

using namespace sekisho::http;

namespace {

// SHA-256("abc"), FIPS 180-2 test vector.
constexpr const char* kAbcHex = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
constexpr const char* kAbcBase64 = "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=";

Sha256Digest abc_digest() {
    const std::string abc = "abc";
    return sha256({reinterpret_cast<const unsigned char*>(abc.data()), abc.size()});
}

std::string error_of(const std::string& value) {
    try {
        (void)parse_repr_digest_sha256(value);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("SHA-256 in one go and in pieces agree with the test vector", "[http][digest]") {
    CHECK(hex_lower(abc_digest()) == kAbcHex);
    Sha256 pieces;
    pieces.update({reinterpret_cast<const unsigned char*>("a"), 1});
    pieces.update({reinterpret_cast<const unsigned char*>("bc"), 2});
    CHECK(pieces.finish() == abc_digest());
    CHECK(base64_encode(abc_digest()) == kAbcBase64);
}

TEST_CASE("base64 decoding is strict", "[http][digest]") {
    CHECK(base64_decode("YWJj") == std::optional<std::string>("abc"));
    CHECK(base64_decode("YWI=") == std::optional<std::string>("ab"));
    CHECK(base64_decode("YQ==") == std::optional<std::string>("a"));
    CHECK(base64_decode("") == std::optional<std::string>(""));
    CHECK_FALSE(base64_decode("YQ"));  // padding required by default
    CHECK(base64_decode("YQ", true) == std::optional<std::string>("a"));
    CHECK_FALSE(base64_decode("YR=="));  // bits after the last byte
    CHECK_FALSE(base64_decode("Y==="));  //
    CHECK_FALSE(base64_decode("YW J"));  //
    CHECK_FALSE(base64_decode("YW=j"));  //
    CHECK_FALSE(base64_decode("YW-_"));  // URL alphabet
}

TEST_CASE("a Repr-Digest sha-256 member gives its 32 bytes", "[http][repr-digest]") {
    const std::string value = std::string("sha-256=:") + kAbcBase64 + ":";
    CHECK(parse_repr_digest_sha256(value) == abc_digest());
    CHECK(format_repr_digest_sha256(abc_digest()) == value);
    // Padding is optional in structured fields byte sequences.
    CHECK(parse_repr_digest_sha256("sha-256=:ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0:") ==
          abc_digest());
}

TEST_CASE("other members, parameters and white space are walked past", "[http][repr-digest]") {
    const std::string sha = std::string(":") + kAbcBase64 + ":";
    for (const std::string& value : {
             "sha-512=:AAAA:, sha-256=" + sha,
             "  sha-256=" + sha + "  ",
             "sha-256=" + sha + ";note=\"a, b\";x, unixsum=12",
             "crc32c=:AAAAAA==:,\tsha-256=" + sha,
             "x=\"q\\\"uote, comma\", sha-256=" + sha,
             "x=(a \"b\" :AAAA:);p=1, y=?1, z=-1.5, w=tok/en:1, d=@1700000000, sha-256=" + sha,
             "flag, sha-256=" + sha + ", other=%\"caf%c3%a9\"",
         }) {
        INFO(value);
        CHECK(parse_repr_digest_sha256(value) == abc_digest());
    }
}

TEST_CASE("a malformed or incomplete Repr-Digest is an error saying why", "[http][repr-digest]") {
    const std::string sha = std::string(":") + kAbcBase64 + ":";
    CHECK(error_of("").find("empty") != std::string::npos);
    CHECK(error_of("sha-512=:AAAA:").find("no sha-256") != std::string::npos);
    CHECK(error_of("sha-256=:AAAA:").find("3 bytes instead of 32") != std::string::npos);
    CHECK(error_of("sha-256=:not base64!:").find("base64") != std::string::npos);
    CHECK(error_of("sha-256=\"" + std::string(kAbcBase64) + "\"").find("not a byte sequence") !=
          std::string::npos);
    CHECK(error_of("sha-256").find("not a byte sequence") != std::string::npos);
    CHECK(error_of("sha-256=" + sha + ", sha-256=" + sha).find("more than one") !=
          std::string::npos);
    CHECK(error_of("sha-256=" + sha + ",").find("trailing comma") != std::string::npos);
    CHECK(error_of("SHA-256=" + sha).find("bad key") != std::string::npos);
    CHECK(error_of("sha-256=:" + std::string(kAbcBase64)).find("unterminated") !=
          std::string::npos);
    CHECK(error_of("sha-256=" + sha + " x").find("expected ','") != std::string::npos);
    CHECK_FALSE(error_of("x=\"open, sha-256=" + sha).empty());
}
