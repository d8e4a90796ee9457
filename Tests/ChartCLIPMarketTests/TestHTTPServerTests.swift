import ChartCLIPTestSupport
import Foundation
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The scripted test server itself, which later suites (the GPT labeler) rely on.
@Suite struct TestHTTPServerTests {
    static func post(_ url: String, body: String) async throws -> (status: Int, body: String) {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("Bearer test-key", forHTTPHeaderField: "Authorization")
        request.httpBody = Data(body.utf8)
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as! HTTPURLResponse).statusCode, String(decoding: data, as: UTF8.self))
    }

    @Test func recordsRequestsAndAnswersFromTheHandler() async throws {
        try await TestHTTPServer.with(handler: { request in
            .json(#"{"echo":"\#(request.bodyText.count)","path":"\#(request.path)"}"#, status: 201)
        }) { server in
            #expect(server.baseURL.hasPrefix("http://127.0.0.1:") && server.port > 0)
            let answer = try await Self.post(server.baseURL + "/v1/chat/completions?x=a%20b&y=2", body: #"{"q":1}"#)
            #expect(answer.status == 201)
            #expect(answer.body == #"{"echo":"7","path":"/v1/chat/completions"}"#)
            let request = try #require(server.requests.first)
            #expect(request.method == "POST")
            #expect(request.uri == "/v1/chat/completions?x=a%20b&y=2")
            #expect(request.query == ["x": "a b", "y": "2"])
            #expect(request.header("authorization") == "Bearer test-key")
            #expect(request.bodyText == #"{"q":1}"#)
        }
    }

    @Test func answersAScriptInOrderThenSaysItIsUsedUp() async throws {
        try await TestHTTPServer.with(script: [.text("first", status: 429), .text("second")]) { server in
            let a = try await Self.post(server.baseURL + "/", body: "")
            let b = try await Self.post(server.baseURL + "/", body: "")
            let c = try await Self.post(server.baseURL + "/", body: "")
            #expect(a.status == 429 && a.body == "first")
            #expect(b.status == 200 && b.body == "second")
            #expect(c.status == 500 && c.body.contains("used up"))
            #expect(server.requests.count == 3)
        }
    }

    @Test func aDelayedAnswerArrivesLateAndShutdownDoesNotWaitForIt() async throws {
        let server = try await TestHTTPServer.start(script: [
            .text("late", delay: .milliseconds(300)), .text("never", delay: .seconds(60)),
        ])
        let clock = ContinuousClock()
        let start = clock.now
        let answer = try await Self.post(server.baseURL + "/", body: "")
        #expect(answer.body == "late" && clock.now - start >= .milliseconds(290))
        // A request stuck in a 60 s delay: shutting down closes its connection at once.
        let stuck = Task { try await Self.post(server.baseURL + "/", body: "") }
        while server.requests.count < 2 { try await Task.sleep(for: .milliseconds(10)) }
        let stop = clock.now
        await server.shutdown()
        #expect(clock.now - stop < .seconds(10))
        let outcome = await stuck.result
        #expect((try? outcome.get()) == nil)
    }
}
