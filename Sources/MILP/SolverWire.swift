/// The files a host and its `cosma-solver` child exchange: the request (backend, options, lowered
/// model) and the answer (a result or a solver error), in a plain binary layout of native
/// integers and doubles. Both sides are the same build, so no versioning beyond a magic line.
struct WireWriter {
    private(set) var bytes: [UInt8] = []

    mutating func int(_ value: Int) { withUnsafeBytes(of: Int64(value).littleEndian) { bytes += $0 } }
    mutating func double(_ value: Double) { int(Int(Int64(bitPattern: value.bitPattern))) }
    /// `nil` travels as NaN: no option or answer the wire carries is ever NaN itself.
    mutating func optional(_ value: Double?) { double(value ?? .nan) }
    mutating func string(_ value: String) {
        int(value.utf8.count)
        bytes += value.utf8
    }
    mutating func doubles(_ values: [Double]) {
        int(values.count)
        for value in values { double(value) }
    }
    mutating func int32s(_ values: [Int32]) {
        int(values.count)
        for value in values { int(Int(value)) }
    }
    mutating func uint8s(_ values: [UInt8]) {
        int(values.count)
        bytes += values
    }
}

/// Reads what ``WireWriter`` wrote; a short or malformed file is a ``SolverError``.
struct WireReader {
    private let bytes: [UInt8]
    private var position = 0
    let backend: SolverBackend

    init(_ bytes: [UInt8], backend: SolverBackend) {
        self.bytes = bytes
        self.backend = backend
    }

    private func malformed() -> SolverError {
        SolverError(backend: backend, code: nil, message: "a truncated or malformed file at byte \(position)",
                    context: "reading the solver process's file")
    }

    mutating func int() throws -> Int {
        guard position + 8 <= bytes.count else { throw malformed() }
        var value: UInt64 = 0
        for k in 0..<8 { value |= UInt64(bytes[position + k]) << (8 * UInt64(k)) }
        position += 8
        return Int(Int64(bitPattern: value))
    }
    mutating func double() throws -> Double { Double(bitPattern: UInt64(bitPattern: Int64(try int()))) }
    mutating func optional() throws -> Double? {
        let value = try double()
        return value.isNaN ? nil : value
    }
    private mutating func count(width: Int) throws -> Int {
        let count = try int()
        guard count >= 0, count <= (bytes.count - position) / width else { throw malformed() }
        return count
    }
    mutating func string() throws -> String {
        let count = try count(width: 1)
        defer { position += count }
        return String(decoding: bytes[position..<position + count], as: UTF8.self)
    }
    mutating func doubles() throws -> [Double] { try (0..<count(width: 8)).map { _ in try double() } }
    mutating func int32s() throws -> [Int32] { try (0..<count(width: 8)).map { _ in Int32(truncatingIfNeeded: try int()) } }
    mutating func uint8s() throws -> [UInt8] {
        let count = try count(width: 1)
        defer { position += count }
        return Array(bytes[position..<position + count])
    }
}

/// One solve as the child receives it.
struct SolveRequest {
    static let magic = "cosma-solve-request/5"

    var backend: SolverBackend
    var model: LoweredModel
    var options: SolveOptions
    var fault: InjectedSolverFault?
    var memoryLimitBytes: Int?

    func encoded() -> [UInt8] {
        var w = WireWriter()
        w.string(Self.magic)
        w.string(backend.rawValue)
        w.string(fault?.rawValue ?? "")
        w.int(memoryLimitBytes ?? 0)
        w.optional(options.timeLimit)
        w.int(options.nodeLimit ?? 0)
        w.int(options.iterationLimit ?? 0)
        w.int(options.hardIterationLimit ?? 0)
        w.double(options.relativeGap)
        w.optional(options.absoluteGap)
        w.optional(options.cutoff)
        w.optional(options.knownBound)
        w.int(options.logLevel.rawValue)
        w.int(options.threads ?? 0)
        w.int(options.progress == nil ? 0 : 1)
        w.int(options.repeatable ? 1 : 0)
        let start = options.mipStart.sorted { $0.key.index < $1.key.index }
        w.int32s(start.map { Int32($0.key.index) })
        w.doubles(start.map(\.value))
        model.write(to: &w)
        return w.bytes
    }

    /// The request; `wantsProgress` says whether the host listens for progress reports.
    static func decode(_ bytes: [UInt8]) throws -> (request: SolveRequest, wantsProgress: Bool) {
        var r = WireReader(bytes, backend: .cbc)
        guard try r.string() == magic, let backend = SolverBackend(rawValue: try r.string()) else {
            throw SolverError(backend: .cbc, code: nil, message: "not a solve request", context: "reading the request")
        }
        let fault = InjectedSolverFault(rawValue: try r.string())
        let memory = try r.int()
        var options = SolveOptions()
        options.timeLimit = try r.optional()
        let nodeLimit = try r.int()
        options.nodeLimit = nodeLimit > 0 ? nodeLimit : nil
        let iterationLimit = try r.int()
        options.iterationLimit = iterationLimit > 0 ? iterationLimit : nil
        let hardIterationLimit = try r.int()
        options.hardIterationLimit = hardIterationLimit > 0 ? hardIterationLimit : nil
        options.relativeGap = try r.double()
        options.absoluteGap = try r.optional()
        options.cutoff = try r.optional()
        options.knownBound = try r.optional()
        options.logLevel = LogLevel(rawValue: try r.int()) ?? .quiet
        let threads = try r.int()
        options.threads = threads > 0 ? threads : nil
        let wantsProgress = try r.int() != 0
        options.repeatable = try r.int() != 0
        let startColumns = try r.int32s()
        let startValues = try r.doubles()
        let model = try LoweredModel.read(from: &r)
        for (column, value) in zip(startColumns, startValues) where column >= 0 && Int(column) < model.columnCount {
            options.mipStart[Variable(index: Int(column))] = value
        }
        let request = SolveRequest(backend: backend, model: model, options: options, fault: fault,
                                   memoryLimitBytes: memory > 0 ? memory : nil)
        return (request, wantsProgress)
    }
}

/// The child's answer: the result, or the error the backend threw.
enum SolveAnswer {
    static let magic = "cosma-solve-answer/2"

    case result(SolveResult)
    case failure(SolverError)

    func encoded() -> [UInt8] {
        var w = WireWriter()
        w.string(Self.magic)
        switch self {
        case let .result(result):
            w.int(0)
            w.string(result.status.rawValue)
            w.int(result.solution == nil ? 0 : 1)
            w.doubles(result.solution?.values ?? [])
            w.double(result.solution?.objective ?? 0)
            w.optional(result.bestBound)
            w.int(result.nodes)
            w.int(result.iterations)
            w.double(result.solveSeconds)
        case let .failure(error):
            w.int(1)
            w.int(error.code ?? Int.min)
            w.string(error.message)
            w.string(error.context)
        }
        return w.bytes
    }

    static func decode(_ bytes: [UInt8], backend: SolverBackend) throws -> SolveAnswer {
        var r = WireReader(bytes, backend: backend)
        guard try r.string() == magic else {
            throw SolverError(backend: backend, code: nil, message: "not a solve answer", context: "reading the answer")
        }
        if try r.int() == 1 {
            let code = try r.int()
            return .failure(SolverError(backend: backend, code: code == Int.min ? nil : code, message: try r.string(),
                                        context: try r.string()))
        }
        let status = TerminationStatus(rawValue: try r.string()) ?? .error
        let hasSolution = try r.int() != 0
        let values = try r.doubles()
        let objective = try r.double()
        let bound = try r.optional()
        let nodes = try r.int()
        let iterations = try r.int()
        let seconds = try r.double()
        return .result(SolveResult(backend: backend, status: status,
                                   solution: hasSolution ? Solution(values: values, objective: objective) : nil,
                                   bestBound: bound, nodes: nodes, iterations: iterations, solveSeconds: seconds))
    }
}

extension LoweredModel {
    fileprivate func write(to w: inout WireWriter) {
        w.string(name)
        w.int(rowCount)
        w.int(columnCount)
        w.int32s(rowStarts)
        w.int32s(rowColumns)
        w.doubles(rowValues)
        w.int32s(columnStarts)
        w.int32s(columnRows)
        w.doubles(columnValues)
        w.doubles(columnLower)
        w.doubles(columnUpper)
        w.uint8s(kinds.map { $0 == .continuous ? 0 : $0 == .integer ? 1 : 2 })
        w.uint8s(isInteger)
        w.doubles(objective)
        w.double(objectiveOffset)
        w.int(maximize ? 1 : 0)
        w.doubles(rowLower)
        w.doubles(rowUpper)
    }

    /// The model as written; names are not sent (solvers do not read them).
    fileprivate static func read(from r: inout WireReader) throws -> LoweredModel {
        let name = try r.string()
        let rowCount = try r.int()
        let columnCount = try r.int()
        let rowStarts = try r.int32s()
        let rowColumns = try r.int32s()
        let rowValues = try r.doubles()
        let columnStarts = try r.int32s()
        let columnRows = try r.int32s()
        let columnValues = try r.doubles()
        let lower = try r.doubles()
        let upper = try r.doubles()
        let kinds: [VariableKind] = try r.uint8s().map { $0 == 0 ? .continuous : $0 == 1 ? .integer : .binary }
        var model = LoweredModel(
            name: name, rowCount: rowCount, columnCount: columnCount, columnLower: lower, columnUpper: upper,
            kinds: kinds, isInteger: try r.uint8s(), objective: try r.doubles(), objectiveOffset: try r.double(),
            maximize: try r.int() != 0, rowLower: try r.doubles(), rowUpper: try r.doubles(),
            variableNames: Array(repeating: nil, count: columnCount), rowNames: Array(repeating: nil, count: rowCount))
        model.rowStarts = rowStarts
        model.rowColumns = rowColumns
        model.rowValues = rowValues
        model.columnStarts = columnStarts
        model.columnRows = columnRows
        model.columnValues = columnValues
        guard model.isConsistent else {
            throw SolverError(backend: r.backend, code: nil, message: "inconsistent array lengths", context: "reading the request")
        }
        return model
    }

    /// Whether every array has the length the counts say, so that C solvers read within bounds.
    private var isConsistent: Bool {
        let n = columnCount
        let m = rowCount
        return [columnLower.count, columnUpper.count, kinds.count, isInteger.count, objective.count].allSatisfy { $0 == n }
            && rowLower.count == m && rowUpper.count == m && columnStarts.count == n + 1 && rowStarts.count == m + 1
            && columnRows.count == columnValues.count && rowColumns.count == rowValues.count
            && Int(columnStarts.last ?? 0) == columnValues.count && Int(rowStarts.last ?? 0) == rowValues.count
    }
}
