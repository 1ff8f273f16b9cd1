# Writes OUTPUT, a C++ source defining `std::string_view NAME()` that returns the bytes of
# INPUT, so that the sandboxed inspector reads no schema file at run time.
file(READ "${INPUT}" hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," bytes "${hex}")
string(LENGTH "${hex}" hex_length)
math(EXPR size "${hex_length} / 2")
file(WRITE "${OUTPUT}.tmp"
  "// Generated from ${INPUT} by embed_schema.cmake; do not edit.\n"
  "#include \"daemon/inspect/schema_data.hpp\"\n"
  "namespace sekisho::inspect::schema_data {\n"
  "namespace { constexpr char kBytes[] = {${bytes}}; }\n"
  "std::string_view ${NAME}() { return {kBytes, ${size}}; }\n"
  "}  // namespace sekisho::inspect::schema_data\n")
file(RENAME "${OUTPUT}.tmp" "${OUTPUT}")
