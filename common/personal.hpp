#pragma once
// Personal data (names, addresses, 個人番号) travels in Personal<T>. The type has no
// accessor that yields a printable string implicitly, and the logging layer deletes its
// overloads for it, so putting personal data into a log line does not compile.

#include <utility>

namespace sekisho {

template <typename T>
class Personal {
  public:
    Personal() = default;
    explicit Personal(T value) : value_(std::move(value)) {}

    // The one way out: callers that legitimately need the value (sealing, inspection)
    // must name it, which makes every use easy to find in review.
    const T& reveal() const { return value_; }

  private:
    T value_{};
};

}  // namespace sekisho
