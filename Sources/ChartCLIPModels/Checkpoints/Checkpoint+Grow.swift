import ChartCLIPSupport

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
        var grownConfig = config
        grownConfig.visionConfig.layers = layers
        let fresh = Dictionary(
            uniqueKeysWithValues: CLIPModel(config: grownConfig, seed: seed).namedParameters().map { ($0.path, $0.tensor.scalars) })
        let prefix = "visual.blocks."
        var grown = self
        grown.config = grownConfig
        grown.parameters = parameters.filter { !$0.key.hasPrefix(prefix) }
        let sources = Self.blockSources(old: vision.layers, new: layers)
        for (index, source) in sources.enumerated() {
            let newPrefix = "\(prefix)\(index)."
            for (path, values) in fresh where path.hasPrefix(newPrefix) {
                let name = String(path.dropFirst(newPrefix.count))
                if let old = source {
                    guard let kept = parameters["\(prefix)\(old).\(name)"], kept.count == values.count else {
                        throw ChartCLIPError(
                            "the checkpoint's \(prefix)\(old).\(name) is missing or mis-shaped",
                            hint: "the checkpoint does not match its own config; re-export it")
                    }
                    grown.parameters[path] = kept
                } else {
                    grown.parameters[path] = Self.residualOutputs.contains(name) ? [Float](repeating: 0, count: values.count) : values
                }
            }
        }
        grown.optimizer = nil
        return grown
    }

    /// The parameters of a block that write into the residual stream.
    static let residualOutputs: Set<String> = ["attn.proj.weight", "attn.proj.bias", "mlp.fc2.weight", "mlp.fc2.bias"]

    /// For each block of a tower grown from `old` to `new` blocks, the old block it keeps
    /// (`nil` for a new one). New block `j` of `e = new − old` follows old block
    /// `⌈(j + 1) · old / (e + 1)⌉ − 1`, so they are spread evenly and the last old block
    /// stays last: 6 → 9 gives `0 1 + 2 + 3 4 + 5`.
    public static func blockSources(old: Int, new: Int) -> [Int?] {
        let extra = new - old
        guard extra > 0 else { return (0..<old).map { $0 } }
        var after = [Int](repeating: 0, count: old)  // new blocks after each old one
        for j in 0..<extra {
            let position = ((j + 1) * old + extra) / (extra + 1) - 1  // ⌈(j+1)·old/(e+1)⌉ − 1
            after[max(0, min(old - 1, position))] += 1
        }
        var sources: [Int?] = []
        for block in 0..<old {
            sources.append(block)
            sources.append(contentsOf: [Int?](repeating: nil, count: after[block]))
        }
        // Never end on a new block: move trailing ones before the last old block.
        while sources.count > 1, sources.last! == nil {
            sources.removeLast()
            let lastOld = sources.lastIndex { $0 != nil }!
            sources.insert(nil, at: lastOld)
        }
        return sources
    }
}
