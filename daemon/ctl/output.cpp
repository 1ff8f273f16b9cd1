#include "daemon/ctl/output.hpp"

#include <boost/json/serialize.hpp>
#include <iomanip>

namespace sekisho::ctl {
namespace {

namespace json = boost::json;

std::string text_of(const json::value& v) {
    if (v.is_string())
        return std::string(v.get_string());
    if (v.is_null())
        return "-";
    return json::serialize(v);
}

std::string field(const json::object& o, const char* key) {
    const auto* v = o.if_contains(key);
    return v == nullptr ? "-" : text_of(*v);
}

// The reason codes of a verdict: "E-SIGNATURE,E-MALWARE".
std::string codes(const json::object& item) {
    const auto* r = item.if_contains("reasons");
    if (r == nullptr || !r->is_array())
        return "";
    std::string s;
    for (const auto& e : r->get_array()) {
        if (const auto* c = e.is_object() ? e.get_object().if_contains("code") : nullptr)
            s += (s.empty() ? "" : ",") + text_of(*c);
    }
    return s;
}

std::string note(const json::object& item) {
    if (const auto* rel = item.if_contains("release"); rel && rel->is_object()) {
        const auto& r = rel->get_object();
        if (field(r, "state") == "pending")
            return "awaiting approval (asked by " + field(r, "requested_by") + ", until " +
                   field(r, "expires_at") + ")";
    }
    return codes(item);
}

void print_value(std::ostream& out, const std::string& key, const json::value& v, int indent);

void print_object(std::ostream& out, const json::object& o, int indent) {
    for (const auto& [k, v] : o)
        print_value(out, std::string(k), v, indent);
}

void print_value(std::ostream& out, const std::string& key, const json::value& v, int indent) {
    const std::string pad(static_cast<std::size_t>(indent), ' ');
    if (v.is_object()) {
        out << pad << key << ":\n";
        print_object(out, v.get_object(), indent + 2);
    } else if (v.is_array() && !v.get_array().empty() && v.get_array().front().is_object()) {
        out << pad << key << ":\n";
        for (const auto& e : v.get_array()) {
            out << pad << "  -\n";
            print_object(out, e.get_object(), indent + 4);
        }
    } else if (v.is_array() && !v.get_array().empty()) {
        out << pad << key << ":\n";
        for (const auto& e : v.get_array())
            out << pad << "  - " << text_of(e) << "\n";
    } else {
        out << pad << key << ": " << text_of(v) << "\n";
    }
}

void list_row(std::ostream& out, const json::object& r) {
    out << std::left << std::setw(37) << field(r, "id") << std::setw(11) << field(r, "state")
        << std::setw(11) << field(r, "source") << std::setw(17) << field(r, "kind") << std::setw(10)
        << field(r, "size") << std::setw(25) << field(r, "state_since") << note(r) << "\n";
}

void action_row(std::ostream& out, const json::object& r) {
    out << field(r, "id") << "  " << field(r, "result");
    if (r.contains("reason"))
        out << ": " << field(r, "reason");
    if (r.contains("expires_at"))
        out << " (until " << field(r, "expires_at") << ")";
    out << "\n";
}

}  // namespace

void Printer::header() {
    if (header_done_ || json_)
        return;
    header_done_ = true;
    if (command_ == "list") {
        out_ << std::left << std::setw(37) << "ID" << std::setw(11) << "STATE" << std::setw(11)
             << "SOURCE" << std::setw(17) << "KIND" << std::setw(10) << "SIZE" << std::setw(25)
             << "SINCE"
             << "NOTE\n";
    }
}

void Printer::row(const json::object& r) {
    if (json_) {
        out_ << json::serialize(r) << "\n";
        return;
    }
    header();
    if (command_ == "list") {
        list_row(out_, r);
    } else if (command_ == "show" || command_ == "certs-list" || command_ == "submit") {
        print_object(out_, r, 0);
        out_ << "\n";
    } else if (command_ == "audit-verify") {
        out_ << "record " << field(r, "seq") << ": " << field(r, "problem") << "\n";
    } else {
        action_row(out_, r);
    }
}

void Printer::finish(const ControlAnswer& a, std::ostream& err) {
    header();
    if (a.exit_code != 0) {
        if (!a.message.empty())
            err << "sekishoctl: " << a.message << "\n";
        if (json_ && !a.result.empty())
            out_ << json::serialize(a.result) << "\n";
        return;
    }
    if (json_) {
        // For list the rows are the output: a trailing summary object would read as an item.
        if (!a.result.empty() && command_ != "list")
            out_ << json::serialize(a.result) << "\n";
        if (!a.message.empty() && command_ == "list")
            err << "sekishoctl: " << a.message << "\n";
        return;
    }
    if (command_ == "status") {
        print_object(out_, a.result, 0);
        return;
    }
    if (command_ == "list" && a.result.contains("truncated") &&
        a.result.at("truncated").is_bool() && a.result.at("truncated").get_bool()) {
        err << "sekishoctl: " << a.message << "\n";
        return;
    }
    if (!a.message.empty() && command_ != "list" && command_ != "audit-export")
        out_ << a.message << "\n";
}

void add_counts(json::object& total, const json::object& more) {
    for (const auto& [k, v] : more) {
        if (!v.is_int64())
            continue;
        const auto* t = total.if_contains(k);
        total[k] = (t && t->is_int64() ? t->get_int64() : 0) + v.get_int64();
    }
}

std::string summarize_counts(const json::object& counts) {
    std::string s;
    std::string refused = "refused 0";
    for (const auto& [k, v] : counts) {
        const std::string part = std::string(k) + " " + text_of(v);
        if (k == "refused")
            refused = part;
        else
            s += (s.empty() ? "" : ", ") + part;
    }
    return (s.empty() ? "no items" : s) + ", " + refused;
}

std::string command_help(const std::string& word) {
    if (word == "status")
        return "Usage: sekishoctl status [--json]";
    if (word == "list")
        return "Usage: sekishoctl list [--state STATE] [--source SOURCE] [--json]";
    if (word == "show")
        return "Usage: sekishoctl show ID... [--content] [--json]";
    if (word == "reject")
        return "Usage: sekishoctl reject ID...|ALL|- --reason TEXT [--json]";
    if (word == "approve")
        return "Usage: sekishoctl approve ID...|- [--json]";
    if (word == "release" || word == "hold" || word == "requeue")
        return "Usage: sekishoctl " + word + " ID...|ALL|- [--json]";
    if (word == "audit")
        return "Usage: sekishoctl audit verify [--json]\n"
               "       sekishoctl audit export [--since TIME] [--until TIME]";
    if (word == "certs")
        return "Usage: sekishoctl certs list [--json]\n"
               "       sekishoctl certs rotate --use USE --cert FILE --key FILE [--chain FILE]\n"
               "       sekishoctl certs rollback --use USE";
    if (word == "keys")
        return "Usage: sekishoctl keys rotate";
    if (word == "submit")
        return "Usage: sekishoctl submit --kind SHIKAKU-REG-REQ|HONNIN-REQ|SHOKAI-REQ FILE\n"
               "                         [--no-wait] [--wait SECONDS] [--json]";
    return "See sekishoctl --help";
}

}  // namespace sekisho::ctl
