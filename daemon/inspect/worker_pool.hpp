#pragma once
// Several inspection workers for the pipeline's lanes: each call takes a worker no other
// call is using, so that packages are inspected side by side, each in a sandboxed process
// of its own. Same failure rules as InspectWorker: a worker that fails is replaced by a new
// one at its next request.

#include <sys/types.h>

#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

#include "daemon/inspect/worker_client.hpp"

namespace sekisho::inspect {

class WorkerPool {
  public:
    // `size` workers (at least one), started when first needed.
    WorkerPool(std::size_t size, const WorkerSettings& settings);

    // Waits for a free worker when all are busy.
    WorkerResult inspect(std::string_view package, const Options& options);
    ChukanResult inspect_chukan(std::string_view file, std::string_view expected_kind,
                                const ChukanLimits& limits);

    std::size_t size() const { return workers_.size(); }

  private:
    // A worker for the caller alone until the lease ends.
    class Lease {
      public:
        explicit Lease(WorkerPool& pool);
        ~Lease();
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        InspectWorker& operator*() const { return *pool_.workers_[index_]; }

      private:
        WorkerPool& pool_;
        std::size_t index_;
    };

    std::vector<std::unique_ptr<InspectWorker>> workers_;
    std::mutex mutex_;
    std::condition_variable freed_;
    std::vector<bool> busy_;
};

}  // namespace sekisho::inspect
