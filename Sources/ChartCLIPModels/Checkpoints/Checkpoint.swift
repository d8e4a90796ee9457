import ChartCLIPFiles
import ChartCLIPNN
import ChartCLIPSupport
import ChartCLIPTensor
import Foundation

/// A ChartCLIP checkpoint in HDF5.
///
/// Layout (every file opens in h5py):
/// - root attributes: `format` = `chartclip-checkpoint`, `format_version` = 1,
///   `model_config` (the config JSON, activation included), `step`, `created`;
///   optional `training_state` (JSON, written by training runs);
/// - `/parameters/<path>`: one float32 dataset per parameter, named by its dotted path
///   (`visual.blocks.3.attn.qkv.weight`), shaped like the tensor;
/// - optional `/optimizer/exp_avg/<path>`, `/optimizer/exp_avg_sq/<path>` with attribute
///   `step` on `/optimizer`: AdamW's state, for an exact resume;
/// - optional `/rng/state` (4 × int64, the bit patterns of xoshiro256**'s words) with
///   attribute `spare_normal`.
public struct Checkpoint {
    /// The format name stored in the `format` attribute.
    public static let formatName = "chartclip-checkpoint"
    /// The layout version this code writes and reads.
    public static let formatVersion: Int64 = 1

    /// The model's shape.
    public var config: CLIPConfig
    /// Parameter values by path, row-major.
    public var parameters: [String: [Float]]
    /// Optimizer steps taken when saved.
    public var step: Int
    /// AdamW's state, when saved.
    public var optimizer: (step: Int, moments: [String: (m: [Float], v: [Float])])?
    /// The training RNG's state, when saved.
    public var rng: RandomGenerator.State?
    /// Free-form training state (JSON), when saved.
    public var trainingState: String?

    /// Captures `model` (and optionally its optimizer and RNG) for saving.
    public init(
        model: CLIPModel, step: Int = 0, optimizer: AdamW? = nil, rng: RandomGenerator? = nil, trainingState: String? = nil
    ) {
        config = model.config
        parameters = Dictionary(uniqueKeysWithValues: model.namedParameters().map { ($0.path, $0.tensor.scalars) })
        self.step = step
        self.optimizer = optimizer.map { $0.exportState() }
        self.rng = rng?.state
        self.trainingState = trainingState
    }

    init(config: CLIPConfig, parameters: [String: [Float]], step: Int) {
        self.config = config
        self.parameters = parameters
        self.step = step
    }

    /// Writes the checkpoint atomically to `url` (temporary file, then rename).
    public func save(to url: URL) throws {
        for (path, v) in parameters.sorted(by: { $0.key < $1.key }) {
            try FiniteCheck.require(v, "parameter \(path)", at: url.path, hint: Self.nonFiniteHint)
        }
        try write(to: url)
    }

    /// Writes without the finite check (tests make damaged files with it).
    func write(to url: URL) throws {
        let shapes = Dictionary(uniqueKeysWithValues: CLIPModel.parameterShapes(config))
        try HDF5File.write(to: url) { file in
            try file.setFormat(Self.formatName, version: Self.formatVersion)
            try file.setAttribute("model_config", .string(config.jsonString()))
            try file.setAttribute("step", .int(Int64(step)))
            try file.setAttribute("created", .string(UTCTime.iso(milliseconds: Int64(Date().timeIntervalSince1970 * 1000))))
            if let trainingState { try file.setAttribute("training_state", .string(trainingState)) }
            for (path, values) in parameters.sorted(by: { $0.key < $1.key }) {
                try file.write(values, shape: shapes[path] ?? [values.count], to: "/parameters/\(path)")
            }
            if let optimizer {
                for (path, moments) in optimizer.moments.sorted(by: { $0.key < $1.key }) {
                    let shape = shapes[path] ?? [moments.m.count]
                    try file.write(moments.m, shape: shape, to: "/optimizer/exp_avg/\(path)")
                    try file.write(moments.v, shape: shape, to: "/optimizer/exp_avg_sq/\(path)")
                }
                if optimizer.moments.isEmpty { try file.write([Float](), shape: [0], to: "/optimizer/empty") }
                try file.setAttribute("step", .int(Int64(optimizer.step)), on: "/optimizer")
            }
            if let rng {
                try file.write(rng.words.map { Int64(bitPattern: $0) }, shape: [4], to: "/rng/state")
                try file.setAttribute("spare_normal", .double(rng.spareNormal.map(Double.init) ?? .nan), on: "/rng/state")
            }
        }
    }

    static let nonFiniteHint = "the training run diverged (try a lower learning rate or grad_clip); use an earlier checkpoint"

    /// Reads a checkpoint strictly: the format is checked, and missing, unexpected and
    /// mis-shaped parameters are all listed in one error.
    public static func load(from url: URL) throws -> Checkpoint {
        let file = try HDF5File(reading: url)
        try file.requireFormat(
            formatName, version: formatVersion, kind: "ChartCLIP checkpoint",
            hint: "Hugging Face folders are converted with `chartclip import-hf`")
        guard let json = try file.attribute("model_config")?.stringValue else {
            throw ChartCLIPError("the checkpoint has no model_config attribute", at: url.path)
        }
        let config = try CLIPConfig.decode(json: Data(json.utf8), source: "\(url.path) (model_config)")
        let expected = Dictionary(uniqueKeysWithValues: CLIPModel.parameterShapes(config))
        let values = try file.readFloatArrays(expected: expected, in: "/parameters")
        for (path, v) in values.sorted(by: { $0.key < $1.key }) {
            try FiniteCheck.require(v, "parameter \(path)", at: url.path, hint: Self.nonFiniteHint)
        }
        var checkpoint = Checkpoint(config: config, parameters: values, step: Int(try file.attribute("step")?.intValue ?? 0))
        checkpoint.trainingState = try file.attribute("training_state")?.stringValue
        if file.contains("/optimizer") {
            var moments: [String: (m: [Float], v: [Float])] = [:]
            for (path, shape) in expected where file.contains("/optimizer/exp_avg/\(path)") {
                let m = try file.read("/optimizer/exp_avg/\(path)", as: Float.self, shape: shape)
                let v = try file.read("/optimizer/exp_avg_sq/\(path)", as: Float.self, shape: shape)
                moments[path] = (m, v)
            }
            let step = Int(try file.attribute("step", of: "/optimizer")?.intValue ?? 0)
            checkpoint.optimizer = (step, moments)
        }
        if file.contains("/rng/state") {
            let words = try file.read("/rng/state", as: Int64.self, shape: [4]).map { UInt64(bitPattern: $0) }
            let spare = try file.attribute("spare_normal", of: "/rng/state")?.doubleValue
            checkpoint.rng = RandomGenerator.State(words: words, spareNormal: spare.flatMap { $0.isNaN ? nil : Float($0) })
        }
        return checkpoint
    }

    /// A model with this checkpoint's weights.
    public func makeModel() throws -> CLIPModel {
        let model = CLIPModel(config: config, seed: 0)
        try load(into: model)
        return model
    }

    /// Copies the weights into `model`, which must have exactly the same parameters.
    public func load(into model: CLIPModel) throws {
        var problems: [String] = []
        let named = model.namedParameters()
        for (path, tensor) in named {
            guard let values = parameters[path] else {
                problems.append("missing \(path)")
                continue
            }
            guard values.count == tensor.count else {
                problems.append("\(path): \(values.count) values for shape \(tensor.shape)")
                continue
            }
            values.withUnsafeBufferPointer { tensor.storage.pointer.update(from: $0.baseAddress!, count: values.count) }
        }
        let known = Set(named.map(\.path))
        problems += parameters.keys.filter { !known.contains($0) }.sorted().map { "unexpected \($0)" }
        if !problems.isEmpty {
            throw ChartCLIPError("the checkpoint does not fit the model:\n  " + problems.joined(separator: "\n  "))
        }
    }
}

extension CLIPModel {
    /// Every parameter path and shape of a model with `config`, without building it.
    public static func parameterShapes(_ config: CLIPConfig) -> [(String, [Int])] {
        var shapes: [(String, [Int])] = [("logit_scale", [])]
        let v = config.visionConfig, t = config.textConfig, e = config.embedDim
        func block(_ prefix: String, _ d: Int, _ ratio: Float) {
            let h = Int(Float(d) * ratio)
            shapes += [
                ("\(prefix).norm1.weight", [d]), ("\(prefix).norm1.bias", [d]),
                ("\(prefix).attn.qkv.weight", [3 * d, d]), ("\(prefix).attn.qkv.bias", [3 * d]),
                ("\(prefix).attn.proj.weight", [d, d]), ("\(prefix).attn.proj.bias", [d]),
                ("\(prefix).norm2.weight", [d]), ("\(prefix).norm2.bias", [d]),
                ("\(prefix).mlp.fc1.weight", [h, d]), ("\(prefix).mlp.fc1.bias", [h]),
                ("\(prefix).mlp.fc2.weight", [d, h]), ("\(prefix).mlp.fc2.bias", [d]),
            ]
        }
        shapes += [
            ("visual.class_embedding", [v.width]), ("visual.positional_embedding", [v.patchCount + 1, v.width]),
            ("visual.patch_embed.weight", [v.width, v.patchEmbedInputs]),
            ("visual.ln_pre.weight", [v.width]), ("visual.ln_pre.bias", [v.width]),
            ("visual.ln_post.weight", [v.width]), ("visual.ln_post.bias", [v.width]),
            ("visual.proj.weight", [e, v.width]),
        ]
        if let stem = v.stemWidth {
            shapes += [("visual.stem.weight", [stem, 3 * v.patchSize * v.patchSize]), ("visual.stem.bias", [stem])]
        }
        for i in 0..<v.layers { block("visual.blocks.\(i)", v.width, v.mlpRatio) }
        shapes += [
            ("text.positional_embedding", [t.contextLength, t.width]),
            ("text.token_embedding.weight", [t.vocabSize, t.width]),
            ("text.ln_final.weight", [t.width]), ("text.ln_final.bias", [t.width]),
            ("text.proj.weight", [e, t.width]),
        ]
        for i in 0..<t.layers { block("text.blocks.\(i)", t.width, t.mlpRatio) }
        return shapes
    }
}
