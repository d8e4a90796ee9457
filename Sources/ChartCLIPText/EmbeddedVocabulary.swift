import ChartCLIPSupport
import Foundation

/// Finds `bpe_simple_vocab_16e6.txt.gz`, which ships as a SwiftPM resource of ChartCLIPText.
///
/// SwiftPM's generated `Bundle.module` stops the process when the resource bundle is
/// missing (a copied binary, say); this looks in the same places and throws instead:
/// `$CHARTCLIP_BPE_VOCAB`, the resource bundle next to the executable, then the source
/// checkout this file was built from.
enum EmbeddedVocabulary {
    static let fileName = "bpe_simple_vocab_16e6.txt.gz"
    static let bundleName = "ChartCLIP_ChartCLIPText"

    static func url() throws -> URL {
        var candidates: [URL] = []
        if let override = ProcessInfo.processInfo.environment["CHARTCLIP_BPE_VOCAB"], !override.isEmpty {
            candidates.append(URL(fileURLWithPath: override))
        }
        let executableFolder = Bundle.main.bundleURL
        for suffix in [".resources", ".bundle"] {
            candidates.append(
                executableFolder.appendingPathComponent(bundleName + suffix)
                    .appendingPathComponent("Resources").appendingPathComponent(fileName))
        }
        if let resources = Bundle.main.resourceURL {
            candidates.append(
                resources.appendingPathComponent(bundleName + ".bundle")
                    .appendingPathComponent("Resources").appendingPathComponent(fileName))
        }
        candidates.append(
            URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                .appendingPathComponent("Resources").appendingPathComponent(fileName))
        for candidate in candidates where FileManager.default.fileExists(atPath: candidate.path) {
            return candidate
        }
        throw ChartCLIPError(
            "cannot find the CLIP vocabulary \(fileName); looked in "
                + candidates.map(\.path).joined(separator: ", "),
            hint: "keep the \(bundleName).resources folder next to the executable, or set "
                + "CHARTCLIP_BPE_VOCAB to the file's path")
    }
}
