import ChartCLIPLabels
import ChartCLIPMarket
import ChartCLIPTestSupport
import Foundation
import Testing

/// The GPT labeler against a scripted OpenAI-compatible server on 127.0.0.1.
@Suite struct GPTLabelerTests {
    static let key = "sk-test-0123456789abcdef"

    /// The fixture's chat completion with its message content replaced by `content`.
    static func completion(_ content: String) throws -> TestHTTPResponse {
        let data = try Data(contentsOf: Fixtures.url("labels/chat_completion.json"))
        var body = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var choices = try #require(body["choices"] as? [[String: Any]])
        var message = try #require(choices[0]["message"] as? [String: Any])
        message["content"] = content
        choices[0]["message"] = message
        body["choices"] = choices
        return .json(String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self))
    }

    /// The default timeout is generous, as in the Bybit client tests: tests run in parallel on
    /// few cores, and a busy machine must not turn a slow local answer into a timeout and a
    /// retry against a used-up script (the timeout test sets its own).
    static func config(_ server: TestHTTPServer, timeout: Double = 60, retries: Int = 2) -> GPTLabelerConfig {
        var c = GPTLabelerConfig()
        c.baseURL = server.baseURL + "/v1/"
        c.model = "test-model"
        c.timeoutSeconds = timeout
        c.maxRetries = retries
        c.backoffSeconds = 0.01
        c.backoffCapSeconds = 0.05
        c.apiKeyVariable = "CHARTCLIP_TEST_KEY"
        return c
    }

    /// A chart PNG on disk and its context: a small range with a bull trap at the end.
    static func chart() throws -> (path: String, context: ScoringContext, folder: URL) {
        let folder = try Fixtures.temporaryDirectory("gpt")
        let url = folder.appendingPathComponent("TESTUSDT_20250101_2000_chart.png")
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3]
        try Data(png).write(to: url)
        let candles = LocalLabelerTests.trapScript().candles
        return (url.path, try ScoringContext(candles: candles, symbol: "TESTUSDT", interval: .m15), folder)
    }

    func label(_ script: [TestHTTPResponse], timeout: Double = 60, retries: Int = 2)
        async throws -> (Result<ChartLabel, Error>, [TestHTTPRequest])
    {
        let (path, context, folder) = try Self.chart()
        defer { try? FileManager.default.removeItem(at: folder) }
        return try await TestHTTPServer.with(script: script) { server in
            let config = Self.config(server, timeout: timeout, retries: retries)
            do {
                let label = try await GPTLabeler.with(config, environment: ["CHARTCLIP_TEST_KEY": Self.key]) {
                    try await $0.generateLabel(imagePath: path, contextFeatures: context)
                }
                return (.success(label), server.requests)
            } catch {
                return (.failure(error), server.requests)
            }
        }
    }

    @Test func aGoodAnswerBecomesALabelAndTheRequestCarriesChartContextAndKey() async throws {
        let (result, requests) = try await label([try Self.completion(
            #"{"setup_type": "fakeout", "phase_type": "range", "confidence": 0.81}"#)])
        let label = try result.get()
        // No direction in the answer: the context says the trap is at the channel top → down.
        #expect(label == ChartLabel(setupType: .fakeout, setupDirection: .down, phaseType: .range, confidence: 0.81))
        let request = try #require(requests.first)
        #expect(request.method == "POST" && request.path == "/v1/chat/completions")
        #expect(request.header("Authorization") == "Bearer \(Self.key)")
        let body = request.bodyText
        #expect(body.contains(#""model":"test-model""#))
        #expect(body.contains("data:image/png;base64,iVBORw0KGgo"))
        #expect(body.contains("setup_type") && body.contains("phase_type") && body.contains("No explanations"))
        #expect(body.contains("relative_volume") && body.contains("TESTUSDT"), "the scoring context is sent")
    }

    @Test func extraProseAroundTheFieldsIsAccepted() async throws {
        let (result, _) = try await label([try Self.completion(
            "Sure! Based on the chart:\nsetup_type: breakout with pullback\nphase_type: breakout-continuation\nconfidence: 0.7\nHope this helps.")])
        let label = try result.get()
        #expect(label.setupType == .breakoutWithPullback && label.phaseType == .breakoutContinuation)
        #expect(label.confidence == 0.7)
    }

    @Test func anUnknownSetupIsAnErrorAndNotRetried() async throws {
        let (result, requests) = try await label([try Self.completion(
            #"{"setup_type": "cup_and_handle", "phase_type": "range", "confidence": 0.9}"#)])
        guard case .failure(let error as GPTLabelerError) = result, case .invalidAnswer(let reason, _) = error else {
            Issue.record("expected an invalid-answer error, got \(result)")
            return
        }
        #expect(reason.contains("cup_and_handle"))
        #expect(requests.count == 1)
    }

    @Test func aMalformedBodyIsAnError() async throws {
        let (result, _) = try await label([.json(#"{"error": "oops"#)])
        guard case .failure(GPTLabelerError.malformedResponse) = result else {
            Issue.record("expected a malformed-response error, got \(result)")
            return
        }
    }

    @Test func a429IsRetriedThenSucceeds() async throws {
        let (result, requests) = try await label([
            TestHTTPResponse(status: 429, headers: [("Retry-After", "0")], body: Array("slow down".utf8)),
            try Self.completion(#"{"setup_type": "breakout", "phase_type": "trend_up", "confidence": 0.9}"#),
        ])
        #expect(try result.get().setupType == .breakout)
        #expect(requests.count == 2)
    }

    @Test func a500IsRetriedAndThenGivenUp() async throws {
        let (result, requests) = try await label(Array(repeating: .text("boom", status: 500), count: 3), retries: 2)
        guard case .failure(GPTLabelerError.retriesExhausted(let attempts, .serverError(500))) = result else {
            Issue.record("expected retries exhausted on HTTP 500, got \(result)")
            return
        }
        #expect(attempts == 3 && requests.count == 3)
    }

    @Test func aServerThatDoesNotAnswerInTimeIsATimeout() async throws {
        let slow = try Self.completion(#"{"setup_type": "none", "phase_type": "range", "confidence": 0.5}"#)
        var delayed = slow
        delayed.delay = .seconds(2)
        let (result, _) = try await label([delayed], timeout: 0.3, retries: 0)
        guard case .failure(GPTLabelerError.timeout) = result else {
            Issue.record("expected a timeout, got \(result)")
            return
        }
    }

    @Test func theKeyNeverAppearsInErrorsEvenWhenTheServerEchoesIt() async throws {
        let (result, _) = try await label([.text("invalid key \(Self.key) given", status: 400)])
        guard case .failure(let error) = result else {
            Issue.record("expected an error")
            return
        }
        #expect(!"\(error)".contains(Self.key))
        let (unauthorized, _) = try await label([.text("no", status: 401)])
        guard case .failure(let refused) = unauthorized else { return }
        #expect("\(refused)".contains("CHARTCLIP_TEST_KEY") && !"\(refused)".contains(Self.key))
    }

    /// A 200 answer is no safer than an error page: a non-JSON body, a body that is not a
    /// completion, or an answer text that quotes the key never reach a message with it.
    @Test func theKeyIsRedactedFromEveryAnswerThatFails() async throws {
        let answers: [TestHTTPResponse] = [
            .text("<html>proxy says: Bearer \(Self.key)</html>"),
            .json(#"{"echo": "\#(Self.key)"}"#),
            try Self.completion("setup_type: \(Self.key)"),
            try Self.completion(#"{"setup_type": "\#(Self.key)", "phase_type": "range", "confidence": 0.9}"#),
        ]
        for answer in answers {
            let (result, _) = try await label([answer], retries: 0)
            guard case .failure(let error) = result else {
                Issue.record("expected an error for \(answer), got \(result)")
                continue
            }
            #expect(!"\(error)".contains(Self.key), "\(error)")
            #expect("\(error)".contains("***"), "the key's place is marked: \(error)")
        }
    }

    @Test func aConfigFileIsReadStrictly() throws {
        let folder = try Fixtures.temporaryDirectory("gptconfig")
        defer { try? FileManager.default.removeItem(at: folder) }
        let good = folder.appendingPathComponent("good.json")
        try #"{"base_url": "http://127.0.0.1:8080/v1", "model": "llava", "max_retries": 1}"#.write(to: good, atomically: true, encoding: .utf8)
        let config = try GPTLabelerConfig.load(good)
        #expect(config.model == "llava" && config.maxRetries == 1 && config.timeoutSeconds == 60)
        #expect(config.completionsURL == "http://127.0.0.1:8080/v1/chat/completions")
        let typo = folder.appendingPathComponent("typo.json")
        try #"{"base_url": "http://x/v1", "modle": "gpt"}"#.write(to: typo, atomically: true, encoding: .utf8)
        #expect { try GPTLabelerConfig.load(typo) } throws: { "\($0)".contains("modle") }
    }
}
