/// A dense matrix stored row-major in one contiguous array: element (i, j) is
/// `elements[i * columns + j]`. Rows are samples or neurons of the previous
/// layer, following the row-vector convention `z = a·W + b`.
public struct Matrix<Element: Scalar>: Equatable, Sendable {
    public private(set) var rows: Int
    public private(set) var columns: Int
    public var elements: [Element]

    /// A `rows × columns` matrix filled with `value`.
    public init(rows: Int, columns: Int, repeating value: Element = 0) {
        precondition(rows >= 0 && columns >= 0, "matrix dimensions must not be negative")
        self.rows = rows
        self.columns = columns
        self.elements = Array(repeating: value, count: rows * columns)
    }

    /// A matrix over the given row-major elements; `elements.count == rows * columns`.
    public init(rows: Int, columns: Int, elements: [Element]) {
        precondition(elements.count == rows * columns, "matrix elements do not match its shape")
        self.rows = rows
        self.columns = columns
        self.elements = elements
    }

    /// A matrix from its rows; every row has the same length.
    public init(_ rowArrays: [[Element]]) {
        let columns = rowArrays.first?.count ?? 0
        precondition(rowArrays.allSatisfy { $0.count == columns }, "ragged rows")
        self.init(rows: rowArrays.count, columns: columns, elements: rowArrays.flatMap { $0 })
    }

    public subscript(row: Int, column: Int) -> Element {
        get { elements[row * columns + column] }
        set { elements[row * columns + column] = newValue }
    }

    /// Row `i` as an array.
    public func row(_ i: Int) -> [Element] {
        Array(elements[i * columns..<(i + 1) * columns])
    }

    /// The rows as nested arrays, for output and tests.
    public var rowArrays: [[Element]] {
        (0..<rows).map(row)
    }

    /// Changes the number of rows, keeping `columns`. Shrinking keeps the
    /// array's capacity, so a mini-batch workspace that shrinks for the last
    /// batch of an epoch and grows back allocates nothing.
    public mutating func resizeRows(to newRows: Int) {
        let needed = newRows * columns
        if elements.count > needed {
            elements.removeLast(elements.count - needed)
        } else if elements.count < needed {
            elements.append(contentsOf: repeatElement(0, count: needed - elements.count))
        }
        rows = newRows
    }
}

extension Matrix {
    /// `Element`s from another precision, rounding to nearest.
    public init<Other: Scalar>(converting other: Matrix<Other>) {
        self.init(rows: other.rows, columns: other.columns, elements: other.elements.map { Element($0) })
    }
}
