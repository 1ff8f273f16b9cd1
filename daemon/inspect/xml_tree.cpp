#include "daemon/inspect/xml_tree.hpp"

#include <memory>

namespace sekisho::inspect {
namespace {

struct XmlStringFree {
    void operator()(xmlChar* s) const { xmlFree(s); }
};

std::string take(xmlChar* s) {
    const std::unique_ptr<xmlChar, XmlStringFree> owned(s);
    return s == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(s));
}

std::string_view sv(const xmlChar* s) {
    return s == nullptr ? std::string_view{} : std::string_view(reinterpret_cast<const char*>(s));
}

}  // namespace

bool is_element(const xmlNode* node, std::string_view name, std::string_view ns) {
    if (node == nullptr || node->type != XML_ELEMENT_NODE || sv(node->name) != name)
        return false;
    return ns.empty() ? node->ns == nullptr : node->ns != nullptr && sv(node->ns->href) == ns;
}

std::vector<xmlNode*> child_elements(xmlNode* parent, std::string_view name, std::string_view ns) {
    std::vector<xmlNode*> out;
    for (xmlNode* c = parent == nullptr ? nullptr : parent->children; c != nullptr; c = c->next) {
        if (is_element(c, name, ns))
            out.push_back(c);
    }
    return out;
}

xmlNode* child_element(xmlNode* parent, std::string_view name, std::string_view ns) {
    for (xmlNode* c = parent == nullptr ? nullptr : parent->children; c != nullptr; c = c->next) {
        if (is_element(c, name, ns))
            return c;
    }
    return nullptr;
}

std::string element_text(xmlNode* element) {
    return element == nullptr ? std::string() : take(xmlNodeGetContent(element));
}

std::string attribute(xmlNode* element, std::string_view name) {
    if (element == nullptr)
        return {};
    const std::string n(name);
    return take(xmlGetNoNsProp(element, reinterpret_cast<const xmlChar*>(n.c_str())));
}

}  // namespace sekisho::inspect
