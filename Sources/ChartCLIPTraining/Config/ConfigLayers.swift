import ChartCLIPSupport
import Foundation
import Yams

/// An experiment config file with the files it `extends`, laid over each other.
///
/// The farthest file is the bottom layer; each file above it overrides what it names:
/// mappings merge field by field, any other value (a list included) replaces the one below,
/// and `null` removes it. The merged YAML keeps every scalar as written, so a config that
/// extends another decodes exactly as the self-contained file would.
struct ConfigLayers {
    /// The files, the one given first, then the one it extends, and so on.
    let sources: [String]
    /// The merged document.
    let merged: Node
    /// The file that last set each field (`optimizer.lr`), for messages.
    private let origins: [String: String]

    /// How many files deep `extends` may go before it is taken for a mistake.
    static let maximumDepth = 16

    /// Reads `text` (from `source`) and, while a file says `extends: OTHER.yaml`, OTHER
    /// relative to that file's folder. Unknown fields are reported with their own file.
    init(text: String, source: String) throws {
        var layers: [(node: Node, source: String)] = []
        var text = text
        var source = source
        while true {
            let (node, parent) = try Self.read(text, source: source)
            layers.append((node, source))
            guard let parent else { break }
            let folder = URL(fileURLWithPath: source).deletingLastPathComponent()
            let path = (parent.hasPrefix("/") ? URL(fileURLWithPath: parent) : folder.appendingPathComponent(parent)).standardizedFileURL.path
            let visited = layers.map { URL(fileURLWithPath: $0.source).standardizedFileURL.path }
            if visited.contains(path) {
                throw ChartCLIPError(
                    "field 'extends' goes round in a circle: \((visited + [path]).joined(separator: " -> "))", at: source,
                    hint: "a config may extend another only if that one does not come back to it")
            }
            guard layers.count < Self.maximumDepth else {
                throw ChartCLIPError(
                    "field 'extends': more than \(Self.maximumDepth) configs deep", at: source,
                    hint: "extend a config that holds the shared fields itself")
            }
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ChartCLIPError(
                    "field 'extends': no config at \(path)", at: source,
                    hint: "the path is relative to \(folder.path)/, e.g. extends: synthetic-p28.yaml")
            }
            text = String(decoding: data, as: UTF8.self)
            source = path
        }
        var merged = Node.Mapping([])
        var origins: [String: String] = [:]
        for layer in layers.reversed() {
            guard case .mapping(var fields) = layer.node else { continue }
            fields[ExperimentConfig.extendsKey] = nil
            merged = Self.lay(fields, over: merged)
            Self.record(fields, source: layer.source, prefix: "", into: &origins)
        }
        self.sources = layers.map(\.source)
        self.merged = .mapping(merged)
        self.origins = origins
    }

    /// Whether the config is one file that extends nothing.
    var isSingleFile: Bool { sources.count == 1 }

    /// The file that set `path` (`synthetic.bars`, or a section), or the file given first.
    func origin(of path: String) -> String {
        var parts = path.split(separator: ".").map(String.init)
        while !parts.isEmpty {
            if let source = origins[parts.joined(separator: ".")] { return source }
            parts.removeLast()
        }
        return sources[0]
    }

    /// Where a field nobody set should have been: the file given first, and what it extends.
    func describeMissing() -> String {
        isSingleFile ? sources[0] : "\(sources[0]) (extending \(sources.dropFirst().joined(separator: ", ")))"
    }

    /// One file's document, checked for unknown fields, and the file it extends.
    private static func read(_ text: String, source: String) throws -> (node: Node, extends: String?) {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw ChartCLIPError("not valid YAML: \(error)", at: source)
        }
        guard let node, case .mapping(let root) = node else {
            throw ChartCLIPError("an experiment config must be a mapping of fields", at: source)
        }
        for (section, allowed) in ExperimentConfig.allowedKeys {
            guard let fields = section.isEmpty ? root : root[section]?.mapping else { continue }
            for key in fields.keys.compactMap(\.string) where !allowed.contains(key) && !(section.isEmpty && key == ExperimentConfig.extendsKey) {
                throw ChartCLIPError(
                    "unknown field '\(section.isEmpty ? key : "\(section).\(key)")'", at: source,
                    hint: "allowed: \(allowed.sorted().joined(separator: ", "))")
            }
        }
        guard let parent = root[ExperimentConfig.extendsKey] else { return (node, nil) }
        guard parent.null == nil, parent.scalar != nil, let name = parent.string, !name.isEmpty else {
            throw ChartCLIPError(
                "field 'extends' should be the path of another config", at: source,
                hint: "e.g. extends: synthetic-p28.yaml, relative to this file's folder")
        }
        return (node, name)
    }

    /// `top` over `base`: mappings merge, `null` removes, anything else replaces.
    private static func lay(_ top: Node.Mapping, over base: Node.Mapping) -> Node.Mapping {
        var result = base
        for (key, value) in top {
            if value.null != nil {
                result[key] = nil
            } else if case .mapping(let inner) = value, case .mapping(let below)? = result[key] {
                result[key] = .mapping(lay(inner, over: below))
            } else {
                result[key] = value
            }
        }
        return result
    }

    /// Notes `source` as the origin of every field of `fields`, sections and their fields.
    private static func record(_ fields: Node.Mapping, source: String, prefix: String, into origins: inout [String: String]) {
        for (key, value) in fields {
            guard let name = key.string else { continue }
            let path = prefix.isEmpty ? name : "\(prefix).\(name)"
            origins[path] = source
            if case .mapping(let inner) = value { record(inner, source: source, prefix: path, into: &origins) }
        }
    }
}
