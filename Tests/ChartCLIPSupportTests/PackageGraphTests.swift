import ChartCLIPTestSupport
import Foundation
import Testing

/// `Package.swift` is the true dependency graph: every module a target's files import is one
/// it declares (no module reached only through another's dependencies), and every declared
/// dependency is imported somewhere in the target (no dead edge).
@Suite struct PackageGraphTests {
    struct Target {
        var name: String
        var kind: String
        var path: String?
        var dependencies: [String]
    }

    /// Modules of the toolchain, which no target declares.
    static let toolchainModules: Set<String> = [
        "Foundation", "FoundationEssentials", "FoundationNetworking", "Glibc", "Musl", "Darwin", "Dispatch", "Swift",
        "_Concurrency", "Synchronization", "Testing", "XCTest", "os",
    ]

    /// The targets of `Package.swift`, read from its text (`.target(name: …, dependencies: […])`).
    static func targets(_ manifest: String) -> [Target] {
        var result: [Target] = []
        let scalars = Array(manifest.unicodeScalars)
        var i = 0
        let kinds = [".target(", ".executableTarget(", ".testTarget(", ".systemLibrary("]
        while i < scalars.count {
            guard let kind = kinds.first(where: { matches(scalars, at: i, $0) }) else {
                i += 1
                continue
            }
            let start = i + kind.unicodeScalars.count
            let end = closing(scalars, from: start, open: "(", close: ")")
            let body = String(String.UnicodeScalarView(scalars[start..<end]))
            if let name = firstQuoted(after: "name:", in: body) {
                var dependencies: [String] = []
                if let deps = body.range(of: "dependencies:") {
                    let inner = Array(body[deps.upperBound...].unicodeScalars)
                    if let open = inner.firstIndex(of: "[") {
                        let close = closing(inner, from: open + 1, open: "[", close: "]")
                        dependencies = quotedNames(String(String.UnicodeScalarView(inner[(open + 1)..<close])))
                    }
                }
                result.append(Target(name: name, kind: String(kind.dropFirst().dropLast()), path: firstQuoted(after: "path:", in: body), dependencies: dependencies))
            }
            i = end
        }
        return result
    }

    static func matches(_ s: [Unicode.Scalar], at i: Int, _ word: String) -> Bool {
        let w = Array(word.unicodeScalars)
        return i + w.count <= s.count && Array(s[i..<(i + w.count)]) == w
    }

    /// The index of the bracket closing the one opened just before `from`.
    static func closing(_ s: [Unicode.Scalar], from: Int, open: Unicode.Scalar, close: Unicode.Scalar) -> Int {
        var depth = 1, i = from
        while i < s.count {
            if s[i] == open { depth += 1 }
            if s[i] == close {
                depth -= 1
                if depth == 0 { return i }
            }
            i += 1
        }
        return s.count
    }

    static func firstQuoted(after key: String, in text: String) -> String? {
        guard let k = text.range(of: key) else { return nil }
        let rest = text[k.upperBound...]
        guard let q1 = rest.firstIndex(of: "\""), let q2 = rest[rest.index(after: q1)...].firstIndex(of: "\"") else { return nil }
        return String(rest[rest.index(after: q1)..<q2])
    }

    /// Target names (`"X"`) and product names (`.product(name: "Y", package: …)`) of a list.
    static func quotedNames(_ list: String) -> [String] {
        var names: [String] = []
        var rest = Substring(list)
        while let q1 = rest.firstIndex(of: "\"") {
            let after = rest[rest.index(after: q1)...]
            guard let q2 = after.firstIndex(of: "\"") else { break }
            let name = String(after[..<q2])
            let before = rest[..<q1]
            // The package of a product is not a module.
            if !before.hasSuffix("package: ") { names.append(name) }
            rest = after[after.index(after: q2)...]
        }
        return names
    }

    /// Modules imported by the Swift files under `folder`.
    static func imports(under folder: URL) -> (modules: Set<String>, files: Int) {
        guard let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil) else { return ([], 0) }
        var modules = Set<String>(), files = 0
        for case let url as URL in walker where url.pathExtension == "swift" {
            files += 1
            guard let text = try? String(contentsOf: url, encoding: .utf8) else { continue }
            for line in text.split(separator: "\n") {
                var words = line.split(separator: " ").map(String.init)
                while let first = words.first, first.hasPrefix("@") { words.removeFirst() }
                guard words.count >= 2, words[0] == "import" else { continue }
                // `import struct Foo.Bar`, `import Foo.Bar`: the module is Foo.
                let module = (["struct", "class", "enum", "func", "protocol", "typealias", "var", "let"].contains(words[1]) && words.count >= 3) ? words[2] : words[1]
                modules.insert(String(module.split(separator: ".")[0]))
            }
        }
        return (modules, files)
    }

    @Test func everyImportIsDeclaredAndEveryDeclarationImported() throws {
        let root = Fixtures.repositoryRoot
        let manifest = try String(contentsOf: root.appendingPathComponent("Package.swift"), encoding: .utf8)
        let targets = Self.targets(manifest)
        #expect(targets.count > 30, "Package.swift read: \(targets.count) targets")
        var undeclared: [String] = [], dead: [String] = []
        for target in targets where target.kind != "systemLibrary" {
            let folder = root.appendingPathComponent(target.path ?? (target.kind == "testTarget" ? "Tests/\(target.name)" : "Sources/\(target.name)"))
            let (imported, files) = Self.imports(under: folder)
            guard files > 0 else { continue }  // a C target
            let declared = Set(target.dependencies)
            let missing = imported.subtracting(declared).subtracting(Self.toolchainModules).subtracting([target.name])
            if !missing.isEmpty { undeclared.append("\(target.name) imports \(missing.sorted().joined(separator: ", "))") }
            let unused = declared.subtracting(imported)
            if !unused.isEmpty { dead.append("\(target.name) declares \(unused.sorted().joined(separator: ", "))") }
        }
        #expect(undeclared.isEmpty, "imports not declared in Package.swift:\n\(undeclared.joined(separator: "\n"))")
        #expect(dead.isEmpty, "dependencies no file imports:\n\(dead.joined(separator: "\n"))")
    }
}
