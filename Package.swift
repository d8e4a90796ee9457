// swift-tools-version:6.0
//
// ChartCLIP: a Swift ML research framework that learns to read candlestick charts.
//
// Dependencies run one way (see README.md, "Module map"):
//   C bridges → ChartCLIPTensor → ChartCLIPNN → ChartCLIPModels → training / evaluation /
//   prediction → chartclip (command line).
// Market data, charts and labels never import the tensor core; the decision engine and the
// feedback loop see plain prediction records, never tensors.
import Foundation
import PackageDescription

// Numeric kernels are compiled for the CPU that builds them (AVX-512 where present), the way
// llama.cpp's native builds are: users build from source on the machine that trains.
// `CHARTCLIP_PORTABLE=1 swift build …` targets any x86-64 CPU with AVX2 and FMA instead.
#if arch(x86_64)
let cpuFlags = ["-target-cpu", ProcessInfo.processInfo.environment["CHARTCLIP_PORTABLE"] == "1" ? "haswell" : "native"]
#else
let cpuFlags: [String] = []
#endif
// The tensor core is optimised even in debug builds (release builds add whole-module
// optimisation): debug numeric Swift is 10-100x slower,
// and every test of the layers above runs through these kernels.
let kernelSettings: [SwiftSetting] = [.unsafeFlags(["-O", "-Xfrontend", "-disable-llvm-merge-functions-pass"] + cpuFlags)]

let package = Package(
    name: "ChartCLIP",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "chartclip", targets: ["chartclip"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.20.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.65.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.25.0"),
    ],
    targets: [
        // MARK: C bridges
        .systemLibrary(
            name: "CBLAS", path: "Sources/CBridges/CBLAS", pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(
            name: "CPNG", path: "Sources/CBridges/CPNG", pkgConfig: "libpng",
            providers: [.apt(["libpng-dev"])]),
        .systemLibrary(
            name: "CHDF5", path: "Sources/CBridges/CHDF5", pkgConfig: "hdf5",
            providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(
            name: "CZlib", path: "Sources/CBridges/CZlib", pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]),
        // libhdf5 exposes its type and property ids through macros that call functions;
        // Swift cannot import those, so a tiny C shim turns them into functions.
        .target(name: "HDF5Shim", dependencies: ["CHDF5"], path: "Sources/CBridges/HDF5Shim"),
        // Mixed-precision GEMM on AVX512-BF16 (bfloat16 operands, float32 sums), which Debian's
        // OpenBLAS does not build. Optimised in debug builds too, like the tensor core; the
        // instructions are enabled per function and chosen at run time, so it builds anywhere.
        .target(
            name: "BF16Gemm", path: "Sources/CBridges/BF16Gemm",
            cSettings: [.unsafeFlags(["-O2"])]),

        // MARK: Foundations shared by every layer (no tensors)
        .target(name: "ChartCLIPSupport"),
        .target(name: "ChartCLIPImage", dependencies: ["CPNG", "ChartCLIPSupport"], swiftSettings: kernelSettings),
        .target(name: "ChartCLIPFiles", dependencies: ["HDF5Shim", "CZlib", "ChartCLIPSupport"]),
        // Resources: the CLIP BPE merges (bpe_simple_vocab_16e6.txt.gz, MIT) and its notice.
        .target(
            name: "ChartCLIPText", dependencies: ["CZlib", "ChartCLIPSupport"],
            resources: [.copy("Resources")]),

        // MARK: Tensor core, layers, models
        .target(
            name: "ChartCLIPTensor", dependencies: ["CBLAS", "BF16Gemm", "ChartCLIPSupport"],
            swiftSettings: kernelSettings),
        .target(name: "ChartCLIPNN", dependencies: ["ChartCLIPTensor"]),
        .target(
            name: "ChartCLIPModels",
            dependencies: [
                "ChartCLIPNN", "ChartCLIPFiles", "ChartCLIPImage", "ChartCLIPText",
                "ChartCLIPSupport", "ChartCLIPTensor",
            ]),

        // MARK: Market data, charts, labels (never import the tensor core)
        .target(
            name: "ChartCLIPMarket",
            dependencies: [
                "ChartCLIPSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]),
        .target(
            name: "ChartCLIPCharts", dependencies: ["ChartCLIPMarket", "ChartCLIPImage", "ChartCLIPSupport"],
            swiftSettings: kernelSettings),
        .target(
            name: "ChartCLIPLabels",
            dependencies: [
                "ChartCLIPMarket", "ChartCLIPCharts", "ChartCLIPImage", "ChartCLIPSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]),

        // MARK: Training, evaluation, prediction, decisions
        .target(
            name: "ChartCLIPTraining",
            dependencies: [
                "ChartCLIPModels", "ChartCLIPLabels", "ChartCLIPCharts", "ChartCLIPTensorBoard",
                "Yams", "ChartCLIPFiles", "ChartCLIPImage", "ChartCLIPMarket",
                "ChartCLIPNN", "ChartCLIPSupport", "ChartCLIPTensor", "ChartCLIPText",
            ]),
        .target(
            name: "ChartCLIPPredictor",
            dependencies: [
                "ChartCLIPModels", "ChartCLIPLabels", "ChartCLIPCharts", "ChartCLIPDecision",
                "ChartCLIPTraining", "ChartCLIPFiles", "ChartCLIPImage", "ChartCLIPMarket",
                "ChartCLIPNN", "ChartCLIPSupport", "ChartCLIPTensor", "ChartCLIPText",
            ]),
        .target(name: "ChartCLIPDecision", dependencies: ["ChartCLIPMarket", "ChartCLIPSupport"]),
        .target(
            name: "ChartCLIPPipeline",
            dependencies: [
                "ChartCLIPTraining", "ChartCLIPPredictor", "ChartCLIPDecision", "ChartCLIPCharts", "ChartCLIPLabels",
                "ChartCLIPMarket", "ChartCLIPModels", "ChartCLIPSupport", "ChartCLIPTensor",
            ]),
        // TensorBoard event files: TFRecord framing, CRC-32C and the Event protos
        // (generated from Protos/ by protoc-gen-swift and committed).
        .target(
            name: "ChartCLIPTensorBoard",
            dependencies: ["ChartCLIPSupport", .product(name: "SwiftProtobuf", package: "swift-protobuf")],
            exclude: ["Protos"]),
        // The predictor behind HTTP (Hummingbird), its Prometheus metrics and its load test.
        .target(
            name: "ChartCLIPServe",
            dependencies: [
                "ChartCLIPPredictor", "ChartCLIPDecision", "ChartCLIPCharts", "ChartCLIPImage", "ChartCLIPMarket",
                "ChartCLIPSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]),
        .target(
            name: "ChartCLIPBench",
            dependencies: [
                "ChartCLIPModels", "ChartCLIPTraining", "ChartCLIPNN", "ChartCLIPSupport",
                "ChartCLIPTensor",
            ]),

        // MARK: Command line (thin: parse, call the library, print)
        .executableTarget(
            name: "chartclip",
            dependencies: [
                "ChartCLIPPipeline", "ChartCLIPBench", "ChartCLIPServe", "ChartCLIPCharts",
                "ChartCLIPDecision", "ChartCLIPImage", "ChartCLIPLabels", "ChartCLIPMarket",
                "ChartCLIPModels", "ChartCLIPPredictor", "ChartCLIPSupport", "ChartCLIPTensor",
                "ChartCLIPText", "ChartCLIPTraining", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        // MARK: Tests
        .target(
            name: "ChartCLIPTestSupport",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Tests/ChartCLIPTestSupport"),
        .testTarget(name: "ChartCLIPSupportTests", dependencies: ["ChartCLIPSupport", "ChartCLIPTestSupport"]),
        .testTarget(name: "ChartCLIPImageTests", dependencies: ["ChartCLIPImage", "ChartCLIPTestSupport", "ChartCLIPSupport"]),
        .testTarget(name: "ChartCLIPFilesTests", dependencies: ["ChartCLIPFiles", "ChartCLIPTestSupport", "ChartCLIPSupport"]),
        .testTarget(name: "ChartCLIPTextTests", dependencies: ["ChartCLIPText", "ChartCLIPTestSupport", "ChartCLIPSupport"]),
        .testTarget(name: "ChartCLIPTensorTests", dependencies: ["ChartCLIPTensor", "ChartCLIPTestSupport"]),
        .testTarget(name: "ChartCLIPNNTests", dependencies: ["ChartCLIPNN", "ChartCLIPTestSupport", "ChartCLIPTensor"]),
        .testTarget(name: "ChartCLIPModelsTests", dependencies: [
                "ChartCLIPModels", "ChartCLIPTestSupport", "ChartCLIPFiles", "ChartCLIPNN",
                "ChartCLIPSupport", "ChartCLIPTensor", "ChartCLIPText",
            ]),
        .testTarget(name: "ChartCLIPMarketTests", dependencies: ["ChartCLIPMarket", "ChartCLIPTestSupport", "ChartCLIPSupport"]),
        .testTarget(name: "ChartCLIPChartsTests", dependencies: [
                "ChartCLIPCharts", "ChartCLIPTestSupport", "ChartCLIPImage", "ChartCLIPMarket",
                "ChartCLIPSupport",
            ]),
        .testTarget(name: "ChartCLIPLabelsTests", dependencies: [
                "ChartCLIPLabels", "ChartCLIPTestSupport", "ChartCLIPCharts", "ChartCLIPImage",
                "ChartCLIPMarket", "ChartCLIPSupport",
            ]),
        .testTarget(name: "ChartCLIPTrainingTests", dependencies: [
                "ChartCLIPTraining", "ChartCLIPTensorBoard", "ChartCLIPTestSupport", "ChartCLIPCharts",
                "ChartCLIPFiles", "ChartCLIPImage", "ChartCLIPLabels", "ChartCLIPMarket",
                "ChartCLIPModels", "ChartCLIPNN", "ChartCLIPSupport", "ChartCLIPTensor",
                "ChartCLIPText",
            ]),
        .testTarget(name: "ChartCLIPPredictorTests", dependencies: [
                "ChartCLIPPredictor", "ChartCLIPTestSupport", "ChartCLIPCharts", "ChartCLIPDecision",
                "ChartCLIPImage", "ChartCLIPLabels", "ChartCLIPMarket", "ChartCLIPModels",
                "ChartCLIPSupport", "ChartCLIPTensor", "ChartCLIPText", "ChartCLIPTraining",
            ]),
        .testTarget(name: "ChartCLIPDecisionTests", dependencies: ["ChartCLIPDecision", "ChartCLIPTestSupport", "ChartCLIPMarket", "ChartCLIPSupport"]),
        .testTarget(name: "ChartCLIPPipelineTests", dependencies: [
                "ChartCLIPPipeline", "ChartCLIPPredictor", "ChartCLIPTestSupport", "ChartCLIPDecision",
                "ChartCLIPMarket",
            ]),
        .testTarget(
            name: "ChartCLIPServeTests",
            dependencies: [
                "ChartCLIPServe", "ChartCLIPPredictor", "ChartCLIPModels", "ChartCLIPCharts", "ChartCLIPImage",
                "ChartCLIPMarket", "ChartCLIPDecision", "ChartCLIPTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]),
        .testTarget(
            name: "ChartCLIPFuzzTests",
            dependencies: [
                "ChartCLIPPredictor", "ChartCLIPTraining", "ChartCLIPModels", "ChartCLIPLabels", "ChartCLIPDecision",
                "ChartCLIPMarket", "ChartCLIPFiles", "ChartCLIPImage", "ChartCLIPText", "ChartCLIPTestSupport",
            ]),
        .testTarget(name: "ChartCLIPTensorBoardTests", dependencies: ["ChartCLIPTensorBoard", "ChartCLIPSupport", "ChartCLIPTestSupport"]),
        .testTarget(name: "ChartCLIPBenchTests", dependencies: ["ChartCLIPBench", "ChartCLIPModels"]),
    ]
)
