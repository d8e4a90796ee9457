import ChartCLIPImage
import ChartCLIPTensor
import Foundation

/// Images as the model's input tensor `[B, 3, S, S]`: PNG → RGB → resize (bicubic, short
/// side) → centre crop → CLIP's mean/std normalisation. A PNG already S×S only needs the
/// scaling and normalising, so charts rendered at the model's size match Hugging Face
/// exactly.
public enum ImageBatch {
    /// The preprocessing for a model whose images are `size`×`size`.
    public static func preprocessor(size: Int) -> CLIPImagePreprocessor {
        CLIPImagePreprocessor(size: size)
    }

    /// Loads and preprocesses PNG files into `[B, 3, S, S]`; errors name the file.
    public static func load(_ urls: [URL], size: Int) throws -> Tensor {
        let pre = preprocessor(size: size)
        let per = pre.valuesPerImage
        let storage = TensorStorage(count: urls.count * per)
        for (i, url) in urls.enumerated() {
            let values = try pre.pixelValues(contentsOf: url)
            values.withUnsafeBufferPointer { (storage.pointer + i * per).update(from: $0.baseAddress!, count: per) }
        }
        return Tensor(shape: [urls.count, 3, size, size], storage: storage)
    }

    /// Preprocesses in-memory images into `[B, 3, S, S]`.
    public static func tensor(_ images: [RasterImage], size: Int) -> Tensor {
        let pre = preprocessor(size: size)
        let per = pre.valuesPerImage
        let storage = TensorStorage(count: images.count * per)
        for (i, image) in images.enumerated() { pre.write(image, into: storage.pointer + i * per) }
        return Tensor(shape: [images.count, 3, size, size], storage: storage)
    }
}
