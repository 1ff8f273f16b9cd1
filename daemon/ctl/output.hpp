#pragma once
// How sekishoctl prints the control socket's answers: tables and blocks for people, or
// JSON Lines (one object per line, like postqueue -j) with --json.

#include <boost/json/object.hpp>
#include <ostream>
#include <string>

#include "daemon/ctl/control_client.hpp"

namespace sekisho::ctl {

class Printer {
  public:
    Printer(std::string command, bool json, std::ostream& out)
        : command_(std::move(command)), json_(json), out_(out) {}
    void row(const boost::json::object& row);
    // The final answer: its message (to err when the command failed) and, for status and
    // --json, its result.
    void finish(const ControlAnswer& answer, std::ostream& err);

  private:
    void header();
    std::string command_;
    bool json_;
    std::ostream& out_;
    bool header_done_ = false;
};

// Adds the numeric fields of `more` to `total` (counts of batches of one bulk command).
void add_counts(boost::json::object& total, const boost::json::object& more);
// "released 3, refused 1"
std::string summarize_counts(const boost::json::object& counts);

// The usage text of one command word.
std::string command_help(const std::string& word);

}  // namespace sekisho::ctl
