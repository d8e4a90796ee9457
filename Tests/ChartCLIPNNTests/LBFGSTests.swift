import ChartCLIPNN
import Foundation
import Testing

/// L-BFGS on problems whose minimum is known.
@Suite struct LBFGSTests {
    /// Rosenbrock's valley, f = (1 − x)² + 100 (y − x²)², from the classic start (−1.2, 1):
    /// curved and badly scaled, its minimum 0 at (1, 1).
    @Test func findsTheBottomOfRosenbrocksValley() {
        let result = LBFGS(maxIterations: 200, gradientTolerance: 1e-8).minimize(from: [-1.2, 1]) { p in
            let (x, y) = (p[0], p[1])
            let value = (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x)
            return (value, [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)])
        }
        #expect(result.stop == .gradient)
        #expect(abs(result.x[0] - 1) < 1e-6 && abs(result.x[1] - 1) < 1e-6)
        #expect(result.value < 1e-12)
        #expect(result.iterations < 100)
    }

    /// A convex quadratic ½ xᵀA x − bᵀx with condition number 10⁴ in 50 dimensions: the
    /// minimiser solves A x = b. (Hard for ten curvature pairs: scipy's L-BFGS-B, maxcor 10,
    /// needs 651 iterations to bring the gradient under 10⁻⁵; this implementation 649.)
    @Test func solvesAnIllConditionedQuadratic() {
        let n = 50
        let diagonal = (0..<n).map { pow(10, 4 * Double($0) / Double(n - 1)) }
        let b = (0..<n).map { Double($0 % 7) - 3 }
        let result = LBFGS(maxIterations: 1000, gradientTolerance: 1e-5, valueTolerance: 0).minimize(from: [Double](repeating: 0, count: n)) { x in
            var value = 0.0
            var gradient = [Double](repeating: 0, count: n)
            for i in 0..<n {
                value += 0.5 * diagonal[i] * x[i] * x[i] - b[i] * x[i]
                gradient[i] = diagonal[i] * x[i] - b[i]
            }
            return (value, gradient)
        }
        #expect(result.stop == .gradient, "\(result.iterations) iterations, \(result.evaluations) evaluations, max |g| \(result.gradientMax), f \(result.value)")
        #expect(result.iterations < 800)
        for i in 0..<n { #expect(abs(result.x[i] - b[i] / diagonal[i]) < 1e-5, "x[\(i)]") }
    }

    /// A budget of iterations is kept and reported.
    @Test func stopsWhenTheIterationsRunOut() {
        let result = LBFGS(maxIterations: 3, gradientTolerance: 0, valueTolerance: 0).minimize(from: [-1.2, 1]) { p in
            let (x, y) = (p[0], p[1])
            return ((1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x), [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)])
        }
        #expect(result.stop == .iterations)
        #expect(result.iterations == 3)
        #expect(result.value < 24.2)  // f(−1.2, 1) = 24.2
    }
}
