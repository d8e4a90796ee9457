/// Limited-memory BFGS for smooth, full-batch problems (Nocedal & Wright, Algorithm 7.4 and
/// 7.5): the two-loop recursion over the last `memory` steps and a weak Wolfe line search;
/// curvature pairs with sᵀy ≤ 0 (possible only when the search gives up) are skipped.
///
/// For convex objectives such as a linear probe's regularised cross-entropy it reaches the
/// minimum in a few hundred evaluations where first-order methods stop short of it.
public struct LBFGS: Sendable {
    /// Curvature pairs kept.
    public var memory = 10
    /// Most iterations (each one line search).
    public var maxIterations = 500
    /// Converged when the largest gradient component is at most this.
    public var gradientTolerance = 1e-6
    /// Converged when five iterations in a row each lower the value by less than this times
    /// max(|f|, 1) (one slow step is common in narrow valleys; five mean the rounding of the
    /// value is reached).
    public var valueTolerance = 1e-12

    /// Why the minimiser stopped.
    public enum Stop: String, Sendable {
        /// The largest gradient component fell under `gradientTolerance`.
        case gradient
        /// Five iterations in a row improved the value by less than `valueTolerance` (relative).
        case value
        /// The line search found no lower value along a descent direction: the value's
        /// rounding is reached.
        case lineSearch
        /// `maxIterations` ran out.
        case iterations
    }

    /// The point reached and how.
    public struct Result: Sendable {
        /// The last point.
        public let x: [Double]
        /// The objective there.
        public let value: Double
        /// Its largest gradient component.
        public let gradientMax: Double
        /// Iterations run.
        public let iterations: Int
        /// Objective evaluations made.
        public let evaluations: Int
        /// Why it stopped.
        public let stop: Stop
    }

    /// Settings as given; the defaults suit problems of up to about 10⁵ variables.
    public init(memory: Int = 10, maxIterations: Int = 500, gradientTolerance: Double = 1e-6, valueTolerance: Double = 1e-12) {
        self.memory = max(1, memory)
        self.maxIterations = max(0, maxIterations)
        self.gradientTolerance = gradientTolerance
        self.valueTolerance = valueTolerance
    }

    /// Minimises `objective` (value and gradient at a point) from `start`.
    public func minimize(from start: [Double], _ objective: ([Double]) -> (value: Double, gradient: [Double])) -> Result {
        var x = start
        var (f, g) = objective(x)
        var evaluations = 1
        var steps: [[Double]] = [], changes: [[Double]] = [], rhos: [Double] = []
        var iteration = 0
        var slowIterations = 0
        func finish(_ stop: Stop) -> Result {
            Result(x: x, value: f, gradientMax: Self.maxAbs(g), iterations: iteration, evaluations: evaluations, stop: stop)
        }
        while true {
            if Self.maxAbs(g) <= gradientTolerance { return finish(.gradient) }
            if iteration >= maxIterations { return finish(.iterations) }
            iteration += 1

            // Two-loop recursion: d = −H g.
            var q = g
            var alphas = [Double](repeating: 0, count: steps.count)
            for i in stride(from: steps.count - 1, through: 0, by: -1) {
                alphas[i] = rhos[i] * Self.dot(steps[i], q)
                Self.axpy(-alphas[i], changes[i], &q)
            }
            if let s = steps.last, let y = changes.last {
                let scale = Self.dot(s, y) / Self.dot(y, y)
                for j in q.indices { q[j] *= scale }
            } else {
                // First step: a unit move along −g, at most 1 in any coordinate's scale.
                let norm = Self.dot(g, g).squareRoot()
                let scale = 1 / Swift.max(norm, 1)
                for j in q.indices { q[j] *= scale }
            }
            for i in steps.indices {
                let beta = rhos[i] * Self.dot(changes[i], q)
                Self.axpy(alphas[i] - beta, steps[i], &q)
            }
            var direction = q.map { -$0 }
            var slope = Self.dot(g, direction)
            if !(slope < 0) {
                // Not a descent direction (rounding): restart from steepest descent.
                steps.removeAll()
                changes.removeAll()
                rhos.removeAll()
                direction = g.map { -$0 / Swift.max(Self.dot(g, g).squareRoot(), 1) }
                slope = Self.dot(g, direction)
            }

            // Weak Wolfe line search (Lewis & Overton): back off while the value does not
            // fall enough (Armijo), reach further while the slope is still steep, bisect once
            // both bounds are known. A step it accepts has sᵀy > 0, so the curvature pair is
            // kept, and on a quadratic it comes close to the exact minimiser along d.
            var t = 1.0, low = 0.0, high = Double.infinity
            var accepted: (x: [Double], f: Double, g: [Double])?
            for _ in 0..<50 {
                var candidate = x
                Self.axpy(t, direction, &candidate)
                let (fc, gc) = objective(candidate)
                evaluations += 1
                if !fc.isFinite || fc > f + 1e-4 * t * slope {
                    high = t
                    if low == 0 {
                        // Still backtracking from the first trial: the minimiser of the
                        // quadratic through f, the slope and fc, kept within [0.1, 0.5]·t.
                        let quadratic = fc.isFinite ? -slope * t * t / (2 * (fc - f - slope * t)) : 0.1 * t
                        t = Swift.min(Swift.max(quadratic, 0.1 * t), 0.5 * t)
                    } else {
                        t = (low + high) / 2
                    }
                    continue
                }
                accepted = (candidate, fc, gc)
                if Self.dot(gc, direction) >= 0.9 * slope { break }
                low = t
                t = high.isFinite ? (low + high) / 2 : 2 * t
            }
            guard let next = accepted else { return finish(.lineSearch) }

            let s = zip(next.x, x).map { $0 - $1 }
            let y = zip(next.g, g).map { $0 - $1 }
            let previous = f
            (x, f, g) = next
            let sy = Self.dot(s, y)
            if sy > 1e-12 * Self.dot(y, y) {
                steps.append(s)
                changes.append(y)
                rhos.append(1 / sy)
                if steps.count > memory {
                    steps.removeFirst()
                    changes.removeFirst()
                    rhos.removeFirst()
                }
            }
            slowIterations = previous - f <= valueTolerance * Swift.max(abs(f), 1) ? slowIterations + 1 : 0
            if slowIterations >= 5 {
                return Self.maxAbs(g) <= gradientTolerance ? finish(.gradient) : finish(.value)
            }
        }
    }

    static func dot(_ a: [Double], _ b: [Double]) -> Double {
        var sum = 0.0
        for i in a.indices { sum += a[i] * b[i] }
        return sum
    }

    static func axpy(_ alpha: Double, _ x: [Double], _ y: inout [Double]) {
        for i in y.indices { y[i] += alpha * x[i] }
    }

    static func maxAbs(_ a: [Double]) -> Double {
        a.reduce(0) { Swift.max($0, abs($1)) }
    }
}
