import ChartCLIPMarket
import Foundation

/// Everything a labeler may look at for one chart: the chart's candles, its scoring context
/// and the PNG itself. The local labeler reads the candles; the GPT labeler sends the PNG and
/// the context.
public struct LabelRequest: Sendable {
    /// The chart's candles, oldest first; the last one is the candle being labelled.
    public var candles: [Candle]
    /// The scoring context of those candles.
    public var context: ScoringContext
    /// The chart as PNG bytes.
    public var chartPNG: Data

    /// Creates a request.
    public init(candles: [Candle], context: ScoringContext, chartPNG: Data) {
        self.candles = candles
        self.context = context
        self.chartPNG = chartPNG
    }
}

/// Something that labels charts: the local rules or a GPT model.
public protocol ChartLabeler: Sendable {
    /// A short name recorded with every label: `local`, or `gpt:MODEL`.
    var name: String { get }

    /// The label of one chart. Throws rather than guess.
    func label(_ request: LabelRequest) async throws -> ChartLabel
}

/// Which labeler a command uses.
public enum LabelerKind: String, Sendable, CaseIterable, Codable {
    /// `LocalLabeler`: the rules, no network (the default).
    case local
    /// `GPTLabeler`: an OpenAI-compatible chat-completions server.
    case gpt
}
