extension LoweredModel {
    /// Borrowed pointers to the arrays a C solver interface reads; valid inside the closure only.
    struct Pointers {
        var columnStarts: UnsafePointer<Int32>?
        var columnRows: UnsafePointer<Int32>?
        var columnValues: UnsafePointer<Double>?
        var columnLower: UnsafePointer<Double>?
        var columnUpper: UnsafePointer<Double>?
        var isInteger: UnsafePointer<UInt8>?
        var objective: UnsafePointer<Double>?
        var rowLower: UnsafePointer<Double>?
        var rowUpper: UnsafePointer<Double>?
    }

    func withPointers<R>(_ body: (Pointers) throws -> R) rethrows -> R {
        try columnStarts.withUnsafeBufferPointer { starts in
            try columnRows.withUnsafeBufferPointer { rows in
                try columnValues.withUnsafeBufferPointer { values in
                    try columnLower.withUnsafeBufferPointer { lower in
                        try columnUpper.withUnsafeBufferPointer { upper in
                            try isInteger.withUnsafeBufferPointer { integer in
                                try objective.withUnsafeBufferPointer { costs in
                                    try rowLower.withUnsafeBufferPointer { rowLower in
                                        try rowUpper.withUnsafeBufferPointer { rowUpper in
                                            try body(
                                                Pointers(
                                                    columnStarts: starts.baseAddress,
                                                    columnRows: rows.baseAddress,
                                                    columnValues: values.baseAddress,
                                                    columnLower: lower.baseAddress,
                                                    columnUpper: upper.baseAddress,
                                                    isInteger: integer.baseAddress,
                                                    objective: costs.baseAddress,
                                                    rowLower: rowLower.baseAddress,
                                                    rowUpper: rowUpper.baseAddress
                                                )
                                            )
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

func withOptionalPointer<R>(_ array: [Double]?, _ body: (UnsafePointer<Double>?) -> R) -> R {
    guard let array else { return body(nil) }
    return array.withUnsafeBufferPointer { body($0.baseAddress) }
}
