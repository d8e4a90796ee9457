import ChartCLIPTensor
import Testing

/// The worker pool under many short jobs: each task of each job runs exactly once, and a
/// job ends only when all of its tasks have.
@Suite struct WorkerPoolTests {
    @Test func everyTaskOfEveryJobRunsExactlyOnce() {
        // Jobs of changing sizes back to back, as in a training step: a worker that is late
        // for one job must never take a task of the next (it would run twice, or run after
        // its job returned).
        let slots = UnsafeMutablePointer<Int>.allocate(capacity: 16)
        defer { slots.deallocate() }
        var wrong = 0
        for job in 0..<50_000 {
            let tasks = 2 + job % 9
            slots.initialize(repeating: 0, count: tasks)
            ComputeThreads.run(chunks: tasks) { task in
                slots[task] += 1
                if task == 0 && job % 97 == 0 {
                    // Now and then one task is slow, so the others finish and wait.
                    var x = 0.0
                    for i in 0..<2_000 { x += Double(i).squareRoot() }
                    if x < 0 { slots[task] += 1 }
                }
            }
            if (0..<tasks).contains(where: { slots[$0] != 1 }) { wrong += 1 }
        }
        #expect(wrong == 0, "\(wrong) of 50,000 jobs ran a task twice or returned before it ran")
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
