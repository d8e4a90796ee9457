@testable import ChartCLIPTensor
import Testing

/// The worker pool under many short jobs: each task of each job runs exactly once, and a
/// job ends only when all of its tasks have.
@Suite struct WorkerPoolTests {
    @Test func everyTaskOfEveryJobRunsExactlyOnce() {
        // Jobs of changing sizes back to back, as in a training step, on a pool with far more
        // threads than cores, so workers are preempted anywhere: a worker that is late for one
        // job must never take a task of the next (it would run twice, or run after its job
        // returned). A race, so a probabilistic test: against the pool before the claim word
        // held the task count, this failed in 2 of 5 runs (3–5 jobs of 200,000 wrong each time).
        let pool = WorkerPool(threads: 16)
        defer { pool.resize(threads: 1) }
        let slots = UnsafeMutablePointer<Int>.allocate(capacity: 16)
        defer { slots.deallocate() }
        var wrong = 0
        let jobs = 200_000
        for job in 0..<jobs {
            let tasks = 2 + job % 9
            slots.initialize(repeating: 0, count: tasks)
            pool.run(tasks: tasks) { task in slots[task] += 1 }
            if (0..<tasks).contains(where: { slots[$0] != 1 }) { wrong += 1 }
        }
        #expect(wrong == 0, "\(wrong) of \(jobs) jobs ran a task twice or returned before it ran")
    }

    @Test func aJobLargerThanOnePublishedJobStillRunsEachTaskOnce() {
        // One published job holds at most 2^20 − 1 tasks; more are run as consecutive jobs.
        let tasks = (1 << 20) + 5
        let slots = UnsafeMutablePointer<UInt8>.allocate(capacity: tasks)
        defer { slots.deallocate() }
        slots.initialize(repeating: 0, count: tasks)
        ComputeThreads.run(chunks: tasks) { slots[$0] &+= 1 }
        #expect((0..<tasks).allSatisfy { slots[$0] == 1 })
    }
}
