import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// One request as the test server received it.
public struct TestHTTPRequest: Sendable {
    /// `GET`, `POST`, …
    public var method: String
    /// The request target as sent: path plus query, e.g. `/v5/market/kline?symbol=BTCUSDT`.
    public var uri: String
    /// Header fields in the order received (names as sent).
    public var headers: [(name: String, value: String)]
    /// The request body (empty for a GET).
    public var body: [UInt8]

    /// Creates a request (the server does; tests may, to call a handler directly).
    public init(method: String, uri: String, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.method = method
        self.uri = uri
        self.headers = headers
        self.body = body
    }

    /// The path without the query: `/v5/market/kline`.
    public var path: String { String(uri.split(separator: "?", maxSplits: 1).first ?? "") }

    /// Query parameters, percent-decoded (the last value wins when a name repeats).
    public var query: [String: String] {
        guard let q = uri.split(separator: "?", maxSplits: 1).dropFirst().first else { return [:] }
        var items: [String: String] = [:]
        for pair in q.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
            }
            items[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        return items
    }

    /// The first value of header `name` (case-insensitive), or `nil`.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// The body as UTF-8 text.
    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// The answer the test server sends for one request.
public struct TestHTTPResponse: Sendable {
    /// HTTP status code.
    public var status: Int
    /// Extra header fields; `Content-Length` is always set by the server.
    public var headers: [(name: String, value: String)]
    /// The response body.
    public var body: [UInt8]
    /// How long to wait before answering (for client timeout tests).
    public var delay: Duration

    /// Creates a response.
    public init(
        status: Int = 200, headers: [(name: String, value: String)] = [], body: [UInt8] = [],
        delay: Duration = .zero
    ) {
        self.status = status
        self.headers = headers
        self.body = body
        self.delay = delay
    }

    /// A JSON body with `Content-Type: application/json`.
    public static func json(_ text: String, status: Int = 200, delay: Duration = .zero) -> TestHTTPResponse {
        TestHTTPResponse(
            status: status, headers: [("Content-Type", "application/json")], body: Array(text.utf8), delay: delay)
    }

    /// A plain-text body.
    public static func text(_ text: String, status: Int = 200, delay: Duration = .zero) -> TestHTTPResponse {
        TestHTTPResponse(
            status: status, headers: [("Content-Type", "text/plain; charset=utf-8")], body: Array(text.utf8),
            delay: delay)
    }
}

/// A small scripted HTTP/1.1 server on SwiftNIO for tests of HTTP clients (the Bybit client,
/// the GPT labeler): it binds 127.0.0.1 on an ephemeral port, answers every request from a
/// handler closure or a scripted queue of responses, can delay an answer, and records every
/// request it received.
///
/// ```swift
/// try await TestHTTPServer.with(script: [.json("{}", status: 429), .json(#"{"ok":true}"#)]) { server in
///     let answer = try await client.get(server.baseURL + "/v1/thing")
///     #expect(server.requests.count == 2)
/// }
/// ```
///
/// Connections are kept alive as HTTP/1.1 allows, requests on one connection are answered in
/// order, and `shutdown()` closes everything (also connections still waiting on a delay).
public final class TestHTTPServer: Sendable {
    /// Answers one request.
    public typealias Handler = @Sendable (TestHTTPRequest) async -> TestHTTPResponse

    /// The port the server listens on.
    public let port: Int
    private let channel: any Channel
    private let serving: Task<Void, Never>
    private let recorded: LockedBox<[TestHTTPRequest]>

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Every request received so far, in arrival order.
    public var requests: [TestHTTPRequest] { recorded.value }

    /// Starts a server that answers every request with `handler`.
    public static func start(handler: @escaping Handler) async throws -> TestHTTPServer {
        let recorded = LockedBox<[TestHTTPRequest]>([])
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: 0) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(
                        wrappingChannelSynchronously: channel)
                }
            }
        guard let port = server.channel.localAddress?.port else {
            try? await server.channel.close()
            throw TestHTTPServerError("the test server has no local port")
        }
        let serving = Task {
            await withDiscardingTaskGroup { group in
                try? await server.executeThenClose { connections in
                    for try await connection in connections {
                        group.addTask { await serve(connection, handler: handler, recorded: recorded) }
                    }
                }
                // The listening socket is closed: end the connections still open, too.
                group.cancelAll()
            }
        }
        return TestHTTPServer(port: port, channel: server.channel, serving: serving, recorded: recorded)
    }

    /// Starts a server that answers the requests, in order, with `script`; once the script is
    /// used up it answers `exhausted` (by default a 500 saying so, which a test will notice).
    public static func start(
        script: [TestHTTPResponse],
        exhausted: TestHTTPResponse = .text("test server: the scripted responses are used up", status: 500)
    ) async throws -> TestHTTPServer {
        let queue = LockedBox(script[...])
        return try await start { _ in
            queue.withLock { $0.popFirst() } ?? exhausted
        }
    }

    /// Runs `body` with a server answering from `handler`, and shuts the server down after,
    /// whether `body` returns or throws.
    public static func with<T>(
        handler: @escaping Handler, _ body: (TestHTTPServer) async throws -> T
    ) async throws -> T {
        let server = try await start(handler: handler)
        do {
            let result = try await body(server)
            await server.shutdown()
            return result
        } catch {
            await server.shutdown()
            throw error
        }
    }

    /// Runs `body` with a server answering from `script`, and shuts it down after.
    public static func with<T>(
        script: [TestHTTPResponse], _ body: (TestHTTPServer) async throws -> T
    ) async throws -> T {
        let server = try await start(script: script)
        do {
            let result = try await body(server)
            await server.shutdown()
            return result
        } catch {
            await server.shutdown()
            throw error
        }
    }

    /// Stops listening, closes every connection and waits until the server is idle.
    public func shutdown() async {
        try? await channel.close()
        serving.cancel()
        await serving.value
    }

    private init(port: Int, channel: any Channel, serving: Task<Void, Never>, recorded: LockedBox<[TestHTTPRequest]>) {
        self.port = port
        self.channel = channel
        self.serving = serving
        self.recorded = recorded
    }

    /// Reads requests from one connection and answers each in turn.
    private static func serve(
        _ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, handler: Handler,
        recorded: LockedBox<[TestHTTPRequest]>
    ) async {
        try? await connection.executeThenClose { inbound, outbound in
            var head: HTTPRequestHead?
            var body: [UInt8] = []
            for try await part in inbound {
                switch part {
                case .head(let h):
                    head = h
                    body = []
                case .body(let buffer):
                    body += buffer.readableBytesView
                case .end:
                    guard let h = head else { continue }
                    let request = TestHTTPRequest(
                        method: h.method.rawValue, uri: h.uri, headers: h.headers.map { ($0.name, $0.value) },
                        body: body)
                    recorded.withLock { $0.append(request) }
                    let response = await handler(request)
                    if response.delay > .zero { try await Task.sleep(for: response.delay) }
                    var headers = HTTPHeaders(response.headers)
                    headers.replaceOrAdd(name: "Content-Length", value: String(response.body.count))
                    let responseHead = HTTPResponseHead(
                        version: h.version, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
                    try await outbound.write(.head(responseHead))
                    try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: response.body))))
                    try await outbound.write(.end(nil))
                }
            }
        }
    }
}

/// A failure of the test server itself (not of the code under test).
public struct TestHTTPServerError: Error, CustomStringConvertible {
    /// What went wrong.
    public var description: String
    init(_ description: String) { self.description = description }
}

/// A value behind a lock, for state shared between the server's tasks and the test.
final class LockedBox<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value

    init(_ value: Value) { stored = value }

    var value: Value { withLock { $0 } }

    func withLock<T>(_ body: (inout Value) -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body(&stored)
    }
}
