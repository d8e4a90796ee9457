/// Cutting images into patches: a convolution whose stride equals its kernel is exactly
/// "cut into patches, flatten, multiply by the flattened kernel", so the ViT patch
/// embedding is `patchified` followed by `linear`.
extension Tensor {
    /// `images: [B, C, H, W]` → `[B, P, C·p·p]` with P = (H/p)·(W/p) patches in row-major
    /// grid order; each patch vector is ordered (channel, row, column), matching a
    /// convolution weight `[D, C, p, p]` flattened to `[D, C·p·p]`.
    public func patchified(patchSize p: Int) -> Tensor {
        if rank != 4 || shape[2] % p != 0 || shape[3] % p != 0 {
            shapeFailure("patchified(patchSize: \(p)) needs [B, C, H, W] with H and W divisible by \(p), got \(shape)")
        }
        let (b, c, h, w) = (shape[0], shape[1], shape[2], shape[3])
        let gh = h / p, gw = w / p
        let patches = gh * gw, width = c * p * p
        let out = TensorStorage(count: count)
        let x = storage.pointer
        // out[b, gy·gw + gx, (ch·p + ky)·p + kx] = x[b, ch, gy·p + ky, gx·p + kx]
        let rowMove = { (toPatch: Bool, src: UnsafePointer<Float>, dst: UnsafeMutablePointer<Float>, accumulate: Bool) in
            ComputeThreads.parallelFor(b * c, grain: 1) { range in
                for bc in range {
                    let bi = bc / c, ch = bc % c
                    for gy in 0..<gh {
                        for ky in 0..<p {
                            let imageRow = ((bi * c + ch) * h + gy * p + ky) * w
                            for gx in 0..<gw {
                                let patchOffset = ((bi * patches + gy * gw + gx) * width) + (ch * p + ky) * p
                                let imageOffset = imageRow + gx * p
                                if toPatch {
                                    (dst + patchOffset).update(from: src + imageOffset, count: p)
                                } else {
                                    Vector.copySerial(src + patchOffset, into: dst + imageOffset, count: p, accumulate: accumulate)
                                }
                            }
                        }
                    }
                }
            }
        }
        rowMove(true, x, out.pointer, false)
        let input = self
        return Tensor.result(op: "patchify", shape: [b, patches, width], storage: out, inputs: [input]) { g in
            input.withGradient { dx, acc in rowMove(false, g.pointer, dx, acc) }
        }
    }
}
