#include "config/load.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "config/schema.hpp"
#include "config/toml_reader.hpp"
#include "config/validate.hpp"

namespace sekisho::config {
namespace {

std::optional<std::string> read_config_text(const Path& file, ProblemSink& sink) {
    struct stat st {};
    if (::stat(file.c_str(), &st) != 0) {
        sink.error(std::string(),
                   "cannot read configuration: " + std::string(std::strerror(errno)));
        return std::nullopt;
    }
    if (!S_ISREG(st.st_mode)) {
        sink.error(std::string(), "configuration is not a regular file");
        return std::nullopt;
    }
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
        sink.error(std::string(), "configuration is writable by group or others; chmod go-w it");
        return std::nullopt;
    }
    if (static_cast<std::size_t>(st.st_size) > kMaxConfigBytes) {
        sink.error(std::string(),
                   "configuration larger than " + std::to_string(kMaxConfigBytes) + " bytes");
        return std::nullopt;
    }
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in && !in.eof()) {
        sink.error(std::string(), "cannot read configuration");
        return std::nullopt;
    }
    return text.str();
}

}  // namespace

std::string Problem::str() const {
    std::string out = where + ": ";
    if (!key.empty())
        out += key + ": ";
    return out + message;
}

LoadResult load_settings(const Path& file, Program program) {
    LoadResult result;
    ProblemSink sink(file);
    const auto text = read_config_text(file, sink);
    if (!text) {
        result.errors = sink.take();
        return result;
    }
    toml::table root;
    try {
        root = toml::parse(*text, file.string());
    } catch (const toml::parse_error& e) {
        sink.error(e.source(), std::string(), "syntax error: " + std::string(e.description()));
        result.errors = sink.take();
        return result;
    }
    Settings settings;
    settings.source_file = file;
    read_schema(sink, root, settings);
    if (sink.empty())
        validate(sink, settings, program, result.notes);
    result.errors = sink.take();
    if (result.errors.empty())
        result.settings = std::move(settings);
    return result;
}

}  // namespace sekisho::config
