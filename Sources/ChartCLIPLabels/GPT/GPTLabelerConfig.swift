import ChartCLIPSupport
import Foundation

/// How the GPT labeler reaches its model: any OpenAI-compatible chat-completions server
/// (OpenAI, or a local one such as llama.cpp's or vLLM's server).
///
/// The API key is never part of the configuration: it is read from the environment variable
/// named by `apiKeyVariable` when the labeler starts, sent only in the `Authorization`
/// header, and never logged or written. A file configuration is JSON with these snake_case
/// keys, read strictly (an unknown key is an error naming it):
///
/// ```json
/// {"base_url": "http://127.0.0.1:8080/v1", "model": "gpt-4o-mini", "timeout_seconds": 60,
///  "max_retries": 3, "backoff_seconds": 1, "backoff_cap_seconds": 30,
///  "api_key_env": "OPENAI_API_KEY", "max_tokens": 100, "temperature": 0, "image_detail": "low"}
/// ```
public struct GPTLabelerConfig: Equatable, Sendable, Codable {
    /// The API root up to and including the version, e.g. `https://api.openai.com/v1`;
    /// requests go to `<base_url>/chat/completions`.
    public var baseURL = "https://api.openai.com/v1"
    /// Model name sent in the request.
    public var model = "gpt-4o-mini"
    /// Time allowed for one request, answer included.
    public var timeoutSeconds = 60.0
    /// Retries after the first attempt for HTTP 429, 5xx, timeouts and connection failures.
    public var maxRetries = 3
    /// The first retry waits about this long; each next one twice as long.
    public var backoffSeconds = 1.0
    /// No single wait is longer than this (a server's `Retry-After` included).
    public var backoffCapSeconds = 30.0
    /// The environment variable holding the API key. Unset or empty: no `Authorization`
    /// header is sent (local servers need none).
    public var apiKeyVariable = "OPENAI_API_KEY"
    /// Upper bound on the answer's tokens: three short fields need few.
    public var maxTokens = 100
    /// Sampling temperature; 0 so the same chart tends to get the same label.
    public var temperature = 0.0
    /// The image detail OpenAI's vision models use: `low` (one 512-pixel tile, enough for a
    /// 224-pixel chart), `high` or `auto`.
    public var imageDetail = "low"

    /// The defaults: OpenAI's API, `gpt-4o-mini`, 60 s, 3 retries from 1 s.
    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case baseURL = "base_url", model, timeoutSeconds = "timeout_seconds", maxRetries = "max_retries"
        case backoffSeconds = "backoff_seconds", backoffCapSeconds = "backoff_cap_seconds"
        case apiKeyVariable = "api_key_env", maxTokens = "max_tokens", temperature
        case imageDetail = "image_detail"
    }

    /// Reads a configuration; missing keys keep their defaults.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = GPTLabelerConfig()
        baseURL = try c.decodeIfPresent(String.self, forKey: .baseURL) ?? d.baseURL
        model = try c.decodeIfPresent(String.self, forKey: .model) ?? d.model
        timeoutSeconds = try c.decodeIfPresent(Double.self, forKey: .timeoutSeconds) ?? d.timeoutSeconds
        maxRetries = try c.decodeIfPresent(Int.self, forKey: .maxRetries) ?? d.maxRetries
        backoffSeconds = try c.decodeIfPresent(Double.self, forKey: .backoffSeconds) ?? d.backoffSeconds
        backoffCapSeconds = try c.decodeIfPresent(Double.self, forKey: .backoffCapSeconds) ?? d.backoffCapSeconds
        apiKeyVariable = try c.decodeIfPresent(String.self, forKey: .apiKeyVariable) ?? d.apiKeyVariable
        maxTokens = try c.decodeIfPresent(Int.self, forKey: .maxTokens) ?? d.maxTokens
        temperature = try c.decodeIfPresent(Double.self, forKey: .temperature) ?? d.temperature
        imageDetail = try c.decodeIfPresent(String.self, forKey: .imageDetail) ?? d.imageDetail
    }

    /// Loads a JSON configuration file strictly: unknown keys and mistyped values are errors
    /// that name the key; then `validate()`.
    public static func load(_ url: URL) throws -> GPTLabelerConfig {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ChartCLIPError("cannot read the GPT labeler config: \(error.localizedDescription)", at: url.path)
        }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ChartCLIPError("not a JSON object", at: url.path, hint: "see GPTLabelerConfig for the keys")
        }
        let known = Set(CodingKeys.allCases.map(\.rawValue))
        if let unknown = object.keys.sorted().first(where: { !known.contains($0) }) {
            throw ChartCLIPError(
                "unknown key \"\(unknown)\"", at: url.path,
                hint: "known keys: \(known.sorted().joined(separator: ", "))")
        }
        let config: GPTLabelerConfig
        do {
            config = try JSONDecoder().decode(GPTLabelerConfig.self, from: data)
        } catch let DecodingError.typeMismatch(_, context) {
            let key = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw ChartCLIPError("key \"\(key)\" has the wrong type: \(context.debugDescription)", at: url.path)
        } catch {
            throw ChartCLIPError("cannot read the GPT labeler config: \(error)", at: url.path)
        }
        try config.validate(source: url.path)
        return config
    }

    /// Throws unless the URL is http(s) and the numbers are usable.
    public func validate(source: String = "GPT labeler config") throws {
        guard baseURL.hasPrefix("http://") || baseURL.hasPrefix("https://"), URL(string: baseURL) != nil else {
            throw ChartCLIPError(
                "base_url \"\(baseURL)\" is not an http(s) URL", at: source,
                hint: "e.g. https://api.openai.com/v1 or http://127.0.0.1:8080/v1")
        }
        guard !model.isEmpty else { throw ChartCLIPError("model is empty", at: source) }
        guard timeoutSeconds > 0, timeoutSeconds.isFinite else {
            throw ChartCLIPError("timeout_seconds must be positive, got \(timeoutSeconds)", at: source)
        }
        guard maxRetries >= 0, maxRetries <= 20 else {
            throw ChartCLIPError("max_retries must be 0–20, got \(maxRetries)", at: source)
        }
        guard backoffSeconds >= 0, backoffCapSeconds >= backoffSeconds else {
            throw ChartCLIPError(
                "backoff_seconds must be ≥ 0 and ≤ backoff_cap_seconds, got \(backoffSeconds) and \(backoffCapSeconds)",
                at: source)
        }
        guard maxTokens > 0 else { throw ChartCLIPError("max_tokens must be positive", at: source) }
        guard ["low", "high", "auto"].contains(imageDetail) else {
            throw ChartCLIPError("image_detail must be low, high or auto, got \(imageDetail)", at: source)
        }
    }

    /// `<base_url>/chat/completions`, with exactly one slash between.
    public var completionsURL: String {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        return base + "/chat/completions"
    }
}
