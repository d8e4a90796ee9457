import ChartCLIPTensor
import Testing

/// Bad calls stop with a message that names both shapes. Each case runs in a child process
/// (Swift Testing exit tests), so the test observes the message without dying itself.
@Suite struct ShapeErrorTests {
    @Test func broadcastMismatchNamesBothShapes() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3]) + Tensor.zeros([4])
        }
        let text = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(text.contains("[2, 3]") && text.contains("[4]"), "\(text)")
    }

    @Test func matmulInnerDimensionMismatch() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.matmul(Tensor.zeros([2, 3]), Tensor.zeros([4, 5]))
        }
        let text = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(text.contains("[2, 3]") && text.contains("[4, 5]"), "\(text)")
    }

    @Test func wrongRankForAttention() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.attention(qkv: Tensor.zeros([2, 5]), heads: 2, causal: false)
        }
        let text = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(text.contains("[B, T, 3D]") && text.contains("[2, 5]"), "\(text)")
    }

    @Test func linearWeightMismatch() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.linear(Tensor.zeros([3, 8]), weight: Tensor.zeros([4, 7]), bias: nil)
        }
        let text = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(text.contains("[3, 8]") && text.contains("[4, 7]"), "\(text)")
    }

    @Test func reshapeToTheWrongCount() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3]).reshaped(to: [4, 2])
        }
        let text = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(text.contains("[2, 3]") && text.contains("[4, 2]"), "\(text)")
    }
}
