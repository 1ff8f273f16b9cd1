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

bool named(const xmlNode* node, std::string_view name) {
    return node->type == XML_ELEMENT_NODE && node->ns == nullptr &&
           std::string_view(reinterpret_cast<const char*>(node->name)) == name;
}

}  // namespace

std::vector<xmlNode*> child_elements(xmlNode* parent, std::string_view name) {
    std::vector<xmlNode*> out;
    for (xmlNode* c = parent == nullptr ? nullptr : parent->children; c != nullptr; c = c->next) {
        if (named(c, name))
            out.push_back(c);
    }
    return out;
}

xmlNode* child_element(xmlNode* parent, std::string_view name) {
    for (xmlNode* c = parent == nullptr ? nullptr : parent->children; c != nullptr; c = c->next) {
        if (named(c, name))
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
