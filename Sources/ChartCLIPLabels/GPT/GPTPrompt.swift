import ChartCLIPMarket
import Foundation

/// The chat-completions request the GPT labeler sends: a system message fixing the answer
/// format and the vocabulary, and a user message with the scoring context and the chart as a
/// base64 `data:image/png` URL (OpenAI's vision message format, which OpenAI-compatible
/// servers with vision models accept).
public enum GPTPrompt {
    /// The instructions: the three fields, their allowed values, no explanations.
    public static let system: String = {
        let setups = SetupType.allCases.map(\.rawValue).joined(separator: ", ")
        let phases = PhaseType.allCases.map(\.rawValue).joined(separator: ", ")
        return """
            You label candlestick charts (with a volume panel) for a crypto trading scanner. \
            Look at the last candle of the chart and the scoring context. \
            Answer with only a JSON object with exactly these keys: \
            "setup_type" (one of: \(setups)), \
            "phase_type" (one of: \(phases)), \
            "confidence" (a number from 0.0 to 1.0). \
            No explanations, no other text.
            """
    }()

    /// The user message's text: the scoring context as JSON.
    public static func userText(contextJSON: String) -> String {
        "Scoring context (features at the last candle): \(contextJSON)\nLabel this chart."
    }

    /// The JSON body of the request, keys sorted so equal inputs give equal bytes.
    public static func body(png: Data, contextJSON: String, configuration: GPTLabelerConfig) throws -> Data {
        let request = ChatRequest(
            model: configuration.model, temperature: configuration.temperature, maxTokens: configuration.maxTokens,
            messages: [
                ChatMessage(role: "system", content: [ContentPart(text: system)]),
                ChatMessage(role: "user", content: [
                    ContentPart(text: userText(contextJSON: contextJSON)),
                    ContentPart(
                        imageURL: "data:image/png;base64,\(png.base64EncodedString())",
                        detail: configuration.imageDetail),
                ]),
            ])
        return try LabelJSON.encoder(pretty: false).encode(request)
    }

    struct ChatRequest: Encodable {
        var model: String
        var temperature: Double
        var maxTokens: Int
        var messages: [ChatMessage]

        enum CodingKeys: String, CodingKey {
            case model, temperature, messages, maxTokens = "max_tokens"
        }
    }

    struct ChatMessage: Encodable {
        var role: String
        var content: [ContentPart]
    }

    struct ContentPart: Encodable {
        var type: String
        var text: String?
        var imageURL: ImageURL?

        struct ImageURL: Encodable {
            var url: String
            var detail: String
        }

        init(text: String) {
            type = "text"
            self.text = text
        }

        init(imageURL: String, detail: String) {
            type = "image_url"
            self.imageURL = ImageURL(url: imageURL, detail: detail)
        }

        enum CodingKeys: String, CodingKey {
            case type, text, imageURL = "image_url"
        }
    }

    /// The answer text of a chat-completions response body: `choices[0].message.content`,
    /// a string or a list of text parts.
    public static func answerText(fromResponse body: Data) throws(GPTLabelerError) -> String {
        let response: ChatResponse
        do {
            response = try JSONDecoder().decode(ChatResponse.self, from: body)
        } catch {
            let start = String(decoding: body.prefix(120), as: UTF8.self)
            throw .malformedResponse("not a chat-completions JSON body (starts \"\(start)\")")
        }
        guard let message = response.choices.first?.message else {
            throw .malformedResponse("no choices in the answer")
        }
        switch message.content {
        case .text(let s)?: return s
        case .parts(let parts)?: return parts.compactMap(\.text).joined(separator: "\n")
        case nil: throw .malformedResponse("the message has no content (refusal: \(message.refusal ?? "none"))")
        }
    }

    struct ChatResponse: Decodable {
        var choices: [Choice]

        struct Choice: Decodable {
            var message: Message?
        }

        struct Message: Decodable {
            var content: Content?
            var refusal: String?
        }

        enum Content: Decodable {
            case text(String)
            case parts([Part])

            struct Part: Decodable {
                var text: String?
            }

            init(from decoder: Decoder) throws {
                let c = try decoder.singleValueContainer()
                if let s = try? c.decode(String.self) {
                    self = .text(s)
                } else {
                    self = .parts(try c.decode([Part].self))
                }
            }
        }
    }
}
