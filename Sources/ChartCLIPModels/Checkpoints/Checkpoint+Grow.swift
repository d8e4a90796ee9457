import ChartCLIPSupport
import ChartCLIPTensor

extension Checkpoint {
    /// This checkpoint with an image tower of `layers` blocks, computing exactly what it
    /// computed before: the new blocks are spread between the old ones (`insertionPoints`),
    /// each freshly initialised (as a model of the new shape built with `seed` would be)
    /// except for the two layers that write into the residual stream, its attention output
    /// and its second MLP layer, whose weights and biases are zero. A pre-norm block whose
    /// residual branches end in zeros passes its input through unchanged, so the grown model
    /// starts where the checkpoint was and training gives the new blocks weight from the first
    /// step (the zeros get gradients; what feeds them follows one step later). This is how
    /// a tower gets deeper without starting over (zero-initialised residual branches, as in
    /// Goyal et al. 2017 and ReZero; inserting them between trained blocks follows
    /// progressive stacking). Optimizer state is dropped (there are new parameters).
    ///
    /// - Throws: when `layers` is fewer than the tower has (blocks are never removed).
    public func growingVisionLayers(to layers: Int, seed: UInt64) throws -> Checkpoint {
        let vision = config.visionConfig
        if layers == vision.layers { return self }
        guard layers > vision.layers else {
            throw ChartCLIPError(
                "vision_layers \(layers) is fewer than the checkpoint's \(vision.layers) image-tower blocks",
                hint: "blocks can only be added: give vision_layers of at least \(vision.layers), or leave it out")
        }
        var grown = self
        grown.config.visionConfig.layers = layers
        // The image tower a model of the new shape built with `seed` would have (CLIPModel
        // seeds its image tower first, so these are that model's weights), read once.
        let fresh = VisionTransformer(
            config: grown.config.visionConfig, embedDim: config.embedDim, activation: config.activation,
            rng: RandomGenerator(seed: seed))
        let sources = Self.blockSources(old: vision.layers, new: layers)
        grown.parameters = parameters.filter { !$0.key.hasPrefix("visual.blocks.") }
        for (path, tensor) in fresh.namedParameters() where path.hasPrefix("blocks.") {
            let values = tensor.scalars
            // "blocks.<index>.<name>"
            let rest = path.dropFirst("blocks.".count)
            guard let dot = rest.firstIndex(of: "."), let index = Int(rest[..<dot]) else { continue }
            let name = String(rest[rest.index(after: dot)...])
            if let old = sources[index] {
                let key = "visual.blocks.\(old).\(name)"
                guard let kept = parameters[key], kept.count == values.count else {
                    throw ChartCLIPError(
                        "the checkpoint's \(key) is missing or mis-shaped", hint: "the checkpoint does not match its own config; re-export it")
                }
                grown.parameters["visual.\(path)"] = kept
            } else {
                grown.parameters["visual.\(path)"] =
                    Self.residualOutputs.contains(name) ? [Float](repeating: 0, count: values.count) : values
            }
        }
        grown.optimizer = nil
        return grown
    }

    /// The parameters of a block that write into the residual stream.
    static let residualOutputs: Set<String> = ["attn.proj.weight", "attn.proj.bias", "mlp.fc2.weight", "mlp.fc2.bias"]

    /// For each block of a tower grown from `old` to `new` blocks, the old block it keeps
    /// (`nil` for a new one). New block `j` of `e = new − old` goes before old block
    /// `min(⌈(j + 1) · old / (e + 1)⌉, old − 1)`, so they are spread evenly and the last old
    /// block stays last: 6 → 9 gives `0 1 + 2 + 3 4 + 5`.
    public static func blockSources(old: Int, new: Int) -> [Int?] {
        guard old > 0 else { return [Int?](repeating: nil, count: new) }
        let extra = max(0, new - old)
        var before = [Int](repeating: 0, count: old)  // new blocks before each old one
        for j in 0..<extra { before[min(((j + 1) * old + extra) / (extra + 1), old - 1)] += 1 }
        return (0..<old).flatMap { block in [Int?](repeating: nil, count: before[block]) + [block] }
    }
}
