import Foundation

/// Wall time per operation, forward and backward (`CHARTCLIP_PROFILE=1`), like a small
/// `torch.profiler`. Ops run one after another on the calling thread, so the time since the
/// previous op's end is charged to the op that just finished.
public final class OpProfiler: @unchecked Sendable {
    /// The process-wide profiler.
    public static let shared = OpProfiler()
    /// Whether ops record their time (set by `CHARTCLIP_PROFILE=1`, or `enable()`).
    public nonisolated(unsafe) static var isEnabled = ProcessInfo.processInfo.environment["CHARTCLIP_PROFILE"] == "1"

    private var last = DispatchTime.now().uptimeNanoseconds
    private var totals: [String: (forward: UInt64, backward: UInt64, calls: Int)] = [:]
    private let lock = NSLock()

    /// Starts recording (and clears earlier figures).
    public static func enable() {
        isEnabled = true
        shared.reset()
    }

    /// Clears the figures.
    public func reset() {
        lock.lock()
        totals = [:]
        last = DispatchTime.now().uptimeNanoseconds
        lock.unlock()
    }

    /// Starts the clock for the next op (call before a phase of work that is not an op).
    public func mark() {
        lock.lock()
        last = DispatchTime.now().uptimeNanoseconds
        lock.unlock()
    }

    /// Charges the time since the previous record to `phase` (work outside ops, such as the
    /// optimizer step).
    public func record(_ phase: String) {
        if Self.isEnabled { record(phase, forward: true) }
    }

    func recordForward(_ op: String) { record(op, forward: true) }
    func recordBackward(_ op: String) { record(op, forward: false) }

    private func record(_ op: String, forward: Bool) {
        let now = DispatchTime.now().uptimeNanoseconds
        lock.lock()
        let elapsed = now - last
        last = now
        var entry = totals[op] ?? (0, 0, 0)
        if forward {
            entry.forward += elapsed
            entry.calls += 1
        } else {
            entry.backward += elapsed
        }
        totals[op] = entry
        lock.unlock()
    }

    /// A table of ops by total time: calls, forward and backward milliseconds.
    public func table() -> String {
        lock.lock()
        let rows = totals.sorted { $0.value.forward + $0.value.backward > $1.value.forward + $1.value.backward }
        lock.unlock()
        let total = rows.reduce(0.0) { $0 + Double($1.value.forward + $1.value.backward) } / 1e6
        var lines = [String(format: "%-22@ %8@ %12@ %12@ %7@", "op" as NSString, "calls" as NSString, "forward ms" as NSString, "backward ms" as NSString, "share" as NSString)]
        for (op, v) in rows {
            let ms = Double(v.forward + v.backward) / 1e6
            lines.append(String(format: "%-22@ %8d %12.1f %12.1f %6.1f%%", op as NSString, v.calls, Double(v.forward) / 1e6, Double(v.backward) / 1e6, 100 * ms / max(total, 1e-9)))
        }
        lines.append(String(format: "total %.1f ms in ops", total))
        return lines.joined(separator: "\n")
    }
}
