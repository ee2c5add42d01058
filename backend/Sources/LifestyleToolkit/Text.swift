extension StringProtocol {
    /// The string without leading and trailing tabs and space separators (Unicode Zs), which is
    /// what Foundation's `trimmingCharacters(in: .whitespaces)` trims; newlines are kept.
    /// Here so the core needs no full Foundation.
    public func trimmingWhitespace() -> String {
        func blank(_ c: Character) -> Bool {
            c == "\t" || c.unicodeScalars.allSatisfy { $0.properties.generalCategory == .spaceSeparator }
        }
        guard let first = firstIndex(where: { !blank($0) }) else { return "" }
        let last = lastIndex(where: { !blank($0) })!
        return String(self[first...last])
    }
}
