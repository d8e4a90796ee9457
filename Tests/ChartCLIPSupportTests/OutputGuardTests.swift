import ChartCLIPSupport
import ChartCLIPTestSupport
import Foundation
import Testing

/// Commands do not write over their inputs or over existing files unless told to (`--force`).
@Suite struct OutputGuardTests {
    @Test func existingFilesFoldersAndInputsAreRefusedUnlessForced() throws {
        let dir = try Fixtures.temporaryDirectory("output-guard")
        let input = dir.appendingPathComponent("best.h5"), link = dir.appendingPathComponent("link.h5")
        try Data("weights".utf8).write(to: input)
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: input)
        let fresh = dir.appendingPathComponent("new.h5")

        try OutputGuard.check(fresh, inputs: [input], force: false)  // a new file is fine
        #expect { try OutputGuard.check(link, inputs: [input], force: false, what: "predictor") } throws: {
            "\($0)".contains("the predictor \(link.path) is the input \(input.path)") && "\($0)".contains("--force")
        }
        #expect { try OutputGuard.check(input, force: false, what: "checkpoint") } throws: {
            "\($0)".contains("the checkpoint \(input.path) already exists")
        }
        try OutputGuard.check(input, inputs: [input], force: true)

        let folder = dir.appendingPathComponent("hf")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try OutputGuard.check(folder, force: false)  // an empty folder is fine
        try Data().write(to: folder.appendingPathComponent("config.json"))
        #expect { try OutputGuard.check(folder, force: false, what: "export") } throws: {
            "\($0)".contains("already holds 1 file (config.json)")
        }
        try OutputGuard.check(folder, force: true)
    }
}
