#include "common/cycle_loop.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <utility>

#include "common/log.hpp"

namespace sekisho {

CycleLoop::CycleLoop(boost::asio::any_io_executor executor, std::string what)
    : executor_(executor),
      what_(std::move(what)),
      timer_(executor),
      alive_(std::make_shared<bool>(true)) {}

CycleLoop::~CycleLoop() {
    *alive_ = false;
}

void CycleLoop::start(std::function<void()> on_finished) {
    boost::asio::co_spawn(
        executor_, loop(),
        [alive = alive_, what = what_, on_finished = std::move(on_finished)](std::exception_ptr e) {
            if (!*alive)
                return;
            if (e) {
                try {
                    std::rethrow_exception(e);
                } catch (const std::exception& ex) {
                    log::critical(what + " stopped by an unexpected error",
                                  {{"reason", ex.what()}});
                }
            }
            if (on_finished)
                on_finished();
        });
}

void CycleLoop::stop() {
    stopping_ = true;
    timer_.cancel();
}

void CycleLoop::wake() {
    wake_ = in_cycle_;
    timer_.cancel();
}

boost::asio::awaitable<void> CycleLoop::loop() {
    while (!stopping_) {
        in_cycle_ = true;
        const auto wait = co_await cycle();
        in_cycle_ = false;
        if (stopping_)
            break;
        timer_.expires_after(wait);
        if (on_cycle_)
            on_cycle_();
        // A stop() or wake() before the wait starts would cancel nothing.
        if (stopping_)
            break;
        if (std::exchange(wake_, false))
            continue;
        boost::system::error_code ec;
        co_await timer_.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    }
    stopped();
}

}  // namespace sekisho
