#include "adapters/clamd/address.hpp"

#include <sys/un.h>

#include <stdexcept>

#include "config/validate.hpp"

namespace sekisho::clamd {

Address Address::parse(std::string_view setting) {
    Address a;
    if (setting.starts_with('/')) {
        if (setting.size() >= sizeof(sockaddr_un::sun_path))
            throw std::invalid_argument("clamd socket path is too long for a Unix socket");
        a.kind = Kind::unix_socket;
        a.path = std::string(setting);
        return a;
    }
    if (!config::valid_host_port(setting))
        throw std::invalid_argument("clamd socket must be an absolute path or host:port");
    const auto colon = setting.rfind(':');
    std::string_view host = setting.substr(0, colon);
    if (host.starts_with('[')) {
        host.remove_prefix(1);
        host.remove_suffix(1);
    }
    a.kind = Kind::tcp;
    a.host = std::string(host);
    a.port = std::string(setting.substr(colon + 1));
    return a;
}

std::string Address::describe() const {
    if (kind == Kind::unix_socket)
        return path;
    if (host.find(':') != std::string::npos)
        return "[" + host + "]:" + port;
    return host + ":" + port;
}

}  // namespace sekisho::clamd
