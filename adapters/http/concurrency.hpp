#pragma once
// How the HTTPS adapters do several things at once: blocking queue calls on a
// small thread pool (Offload) and a set of coroutines awaited together (all_of). Both
// resume the caller on its own executor (the daemon's single event-loop thread).

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>
#include <type_traits>
#include <vector>

namespace sekisho::http {

// Queue calls that may wait for the disk (a durable commit) or for a commit in progress,
// and other blocking calls (the 中間サーバー's route check), run here, not on the event
// loop: while one filing's commit syncs, the other connections keep transferring, and the
// queue groups the commits that meet into one sync. One thread per connection, so a
// waiting commit never holds up another connection's call.
class Offload {
  public:
    explicit Offload(std::size_t threads) : pool_(threads) {}
    ~Offload() { pool_.join(); }
    Offload(const Offload&) = delete;
    Offload& operator=(const Offload&) = delete;

    // Runs f() on the pool; the caller resumes on its own executor with the result or
    // the exception.
    template <typename F>
    boost::asio::awaitable<std::invoke_result_t<F&>> run(F f) {
        auto task = call(std::move(f));
        auto op = boost::asio::co_spawn(pool_, std::move(task), boost::asio::use_awaitable);
        co_return co_await std::move(op);
    }

  private:
    template <typename F>
    static boost::asio::awaitable<std::invoke_result_t<F&>> call(F f) {
        co_return f();
    }

    boost::asio::thread_pool pool_;
};

// Runs the tasks at once and waits for all; then rethrows the first failure, if any.
inline boost::asio::awaitable<void> all_of(std::vector<boost::asio::awaitable<void>> tasks) {
    if (tasks.empty())
        co_return;  // a group of none would never complete
    const auto executor = co_await boost::asio::this_coro::executor;
    using Op = decltype(boost::asio::co_spawn(
        executor, std::declval<boost::asio::awaitable<void>>(), boost::asio::deferred));
    std::vector<Op> ops;
    for (auto& task : tasks)
        ops.push_back(boost::asio::co_spawn(executor, std::move(task), boost::asio::deferred));
    auto group = boost::asio::experimental::make_parallel_group(std::move(ops));
    auto wait =
        group.async_wait(boost::asio::experimental::wait_for_all(), boost::asio::use_awaitable);
    const auto done = co_await std::move(wait);
    for (const std::size_t i : std::get<0>(done)) {
        if (const auto& error = std::get<1>(done)[i])
            std::rethrow_exception(error);
    }
}

}  // namespace sekisho::http
