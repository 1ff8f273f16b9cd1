#include "daemon/inspect/worker_pool.hpp"

#include <algorithm>

namespace sekisho::inspect {

WorkerPool::WorkerPool(std::size_t size, const WorkerSettings& settings)
    : busy_(std::max<std::size_t>(size, 1), false) {
    for (std::size_t i = 0; i < busy_.size(); ++i)
        workers_.push_back(std::make_unique<InspectWorker>(settings));
}

WorkerPool::Lease::Lease(WorkerPool& pool) : pool_(pool) {
    std::unique_lock lock(pool_.mutex_);
    auto& busy = pool_.busy_;
    auto free = busy.end();
    pool_.freed_.wait(lock, [&] {
        free = std::find(busy.begin(), busy.end(), false);
        return free != busy.end();
    });
    *free = true;
    index_ = static_cast<std::size_t>(free - busy.begin());
}

WorkerPool::Lease::~Lease() {
    {
        std::lock_guard lock(pool_.mutex_);
        pool_.busy_[index_] = false;
    }
    pool_.freed_.notify_one();
}

WorkerResult WorkerPool::inspect(std::string_view package, const Options& options) {
    const Lease worker(*this);
    return (*worker).inspect(package, options);
}

ChukanResult WorkerPool::inspect_chukan(std::string_view file, std::string_view expected_kind,
                                        const ChukanLimits& limits) {
    const Lease worker(*this);
    return (*worker).inspect_chukan(file, expected_kind, limits);
}

}  // namespace sekisho::inspect
