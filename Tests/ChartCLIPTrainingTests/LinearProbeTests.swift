import ChartCLIPTestSupport
import Foundation
import Testing

@testable import ChartCLIPTraining

/// The linear probe's fit against the exact minimiser (Newton's method in double precision,
/// `Tests/Fixtures/golden/make_probe_golden.py`) and its objective's gradient against
/// finite differences.
@Suite struct LinearProbeTests {
    func goldenProblem() throws -> (golden: GoldenFile, features: [[Float]], labels: [Int]) {
        let golden = try GoldenFile("golden/linear_probe.json")
        let (shape, data) = golden.array("features")
        let features = (0..<shape[0]).map { Array(data[($0 * shape[1])..<(($0 + 1) * shape[1])]) }
        return (golden, features, golden["labels"] as? [Int] ?? [])
    }

    @Test(arguments: [Float(1e-2), 1e-3])
    func reachesTheExactMinimiser(lambda: Float) throws {
        let (golden, features, labels) = try goldenProblem()
        let probe = LinearProbe.fit(features: features, labels: labels, classCount: 4, lambda: lambda)
        let name = String(format: "%g", lambda)
        let weight = allClose(probe.weight, golden.array("weight_\(name)").data, relative: 1e-3, absolute: 1e-4)
        #expect(weight.ok, "weight: \(weight.message)")
        // Biases are defined up to a common shift; the golden ones are centred.
        let centre = probe.bias.reduce(0, +) / Float(probe.bias.count)
        let bias = allClose(probe.bias.map { $0 - centre }, golden.array("bias_\(name)").data, relative: 1e-3, absolute: 1e-4)
        #expect(bias.ok, "bias: \(bias.message)")
        let objective = LinearProbe.Objective(
            features: LinearProbe.standardise(features, probe.mean, probe.deviation), labels: labels, classCount: 4, width: 6,
            lambda: Double(lambda))
        let value = objective.evaluate((probe.weight + probe.bias).map(Double.init)).value
        let expected = try #require(golden["value_\(name)"] as? Double)
        #expect(abs(value - expected) < 1e-6 * expected, "objective \(value) vs minimum \(expected)")
    }

    /// A warm start from another λ's solution ends at the same minimiser as a cold one.
    @Test func aWarmStartEndsAtTheSameMinimiser() throws {
        let (golden, features, labels) = try goldenProblem()
        let strong = LinearProbe.fit(features: features, labels: labels, classCount: 4, lambda: 1e-2)
        let warm = LinearProbe.fit(features: features, labels: labels, classCount: 4, lambda: 1e-3, start: strong)
        let check = allClose(warm.weight, golden.array("weight_0.001").data, relative: 1e-3, absolute: 1e-4)
        #expect(check.ok, "\(check.message)")
    }

    @Test func objectiveGradientMatchesFiniteDifferences() throws {
        let (_, features, labels) = try goldenProblem()
        let (mean, deviation) = LinearProbe.moments(features)
        let objective = LinearProbe.Objective(
            features: LinearProbe.standardise(features, mean, deviation), labels: labels, classCount: 4, width: 6, lambda: 0.05)
        var point = (0..<28).map { sin(Double($0) * 1.7) * 0.8 }
        let gradient = objective.evaluate(point).gradient
        for k in [0, 5, 13, 23, 24, 27] {  // weights of several classes, and biases
            let h = 5e-3
            point[k] += h
            let up = objective.evaluate(point).value
            point[k] -= 2 * h
            let down = objective.evaluate(point).value
            point[k] += h
            let numeric = (up - down) / (2 * h)
            #expect(abs(numeric - gradient[k]) < 5e-4 + 1e-3 * abs(numeric), "parameter \(k): \(gradient[k]) vs \(numeric)")
        }
    }

    /// The probe's training charts are every k-th row of a larger split, spread over all of
    /// it (each symbol and period keeps its share); no limit (`--probe-training-charts 0`)
    /// keeps every row.
    @Test func aLargeTrainingSplitIsThinnedEvenly() {
        #expect(Evaluator.evenlyThinned(10, limit: 4) == [0, 2, 5, 7])
        let thinned = Evaluator.evenlyThinned(306_263, limit: 60_000)
        #expect(thinned.count == 60_000)
        #expect(thinned.last == 306_257)
        #expect(Evaluator.evenlyThinned(5, limit: 5) == [0, 1, 2, 3, 4])
        #expect(Evaluator.evenlyThinned(5, limit: 0) == [0, 1, 2, 3, 4])
    }
}
