#pragma once
// A source's schedule: cycles one after another on the daemon's event loop (never two at
// once), each followed by the wait it asks for; stop() ends the loop once the cycle in
// flight is over, wake() starts the next cycle now (or right after the one in flight).
// The Mynaportal and 中間サーバー sources are cycle loops.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace sekisho {

class CycleLoop {
  public:
    // `what` names the loop in the log ("Mynaportal source").
    CycleLoop(boost::asio::any_io_executor executor, std::string what);
    virtual ~CycleLoop();
    CycleLoop(const CycleLoop&) = delete;
    CycleLoop& operator=(const CycleLoop&) = delete;

    // `on_finished` runs when the loop has ended (after stop(), once a cycle in flight is over).
    void start(std::function<void()> on_finished = {});
    void stop();
    void wake();
    bool in_cycle() const { return in_cycle_; }
    // The loop has ended: nothing runs on the object any more once `on_finished` is called.
    bool finished() const { return finished_; }
    // Called after every cycle (e.g. to publish fresh metrics).
    void on_cycle(std::function<void()> observer) { on_cycle_ = std::move(observer); }

  protected:
    // One cycle; returns how long to wait before the next one.
    virtual boost::asio::awaitable<std::chrono::milliseconds> cycle() = 0;
    // The loop has ended.
    virtual void stopped() {}
    bool stopping() const { return stopping_; }

  private:
    boost::asio::awaitable<void> loop();

    boost::asio::any_io_executor executor_;
    std::string what_;
    boost::asio::steady_timer timer_;
    bool stopping_ = false;
    bool in_cycle_ = false;
    bool finished_ = false;
    bool wake_ = false;  // woken while a cycle ran: a cancel of the timer would be lost
    std::shared_ptr<bool> alive_;
    std::function<void()> on_cycle_;
};

}  // namespace sekisho
