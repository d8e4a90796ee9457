import Foundation

/// Refuses numbers that are not finite where a file must not hold them (weights, embeddings):
/// a NaN written once poisons every prediction made from it, far from where it came from.
public enum FiniteCheck {
    /// Throws when `values` hold a NaN or an infinity, naming `what` (a tensor path), the first
    /// bad index and how many there are.
    public static func require(_ values: [Float], _ what: String, at source: String? = nil, hint: String) throws {
        guard let first = values.firstIndex(where: { !$0.isFinite }) else { return }
        let count = values[first...].reduce(0) { $0 + ($1.isFinite ? 0 : 1) }
        throw ChartCLIPError(
            "\(what) holds \(values[first]) at index \(first)\(count > 1 ? " (\(count) values are not finite)" : "")",
            at: source, hint: hint)
    }
}
