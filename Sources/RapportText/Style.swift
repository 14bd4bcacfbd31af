/// What a cell's colour means. The terminal maps roles to colour pairs, or to
/// attributes when it has no colours (monochrome fallback), so views never name colours.
public enum ColorRole: Int, Sendable, CaseIterable, Hashable {
    case normal = 0
    case accent
    case title
    case selection
    case muted
    case danger
    case warning
    case good
    case inbound
    case outbound
    case banner
}

/// The look of one cell.
public struct Style: Sendable, Hashable {
    public var role: ColorRole
    public var bold: Bool
    public var reverse: Bool
    public var underline: Bool
    public var dim: Bool

    public init(_ role: ColorRole = .normal, bold: Bool = false, reverse: Bool = false,
                underline: Bool = false, dim: Bool = false) {
        self.role = role
        self.bold = bold
        self.reverse = reverse
        self.underline = underline
        self.dim = dim
    }

    public static let plain = Style()

    public func with(role: ColorRole) -> Style {
        var s = self
        s.role = role
        return s
    }

    public var bolded: Style {
        var s = self
        s.bold = true
        return s
    }

    public var reversed: Style {
        var s = self
        s.reverse = true
        return s
    }
}

/// How `--color` was asked for.
public enum ColorMode: String, Sendable, CaseIterable {
    case always, never, auto

    /// Whether to use colours, given the terminal's ability and the environment
    /// (`NO_COLOR` set to anything non-empty turns colours off in `auto`).
    public func useColors(terminalHasColors: Bool, environment: [String: String]) -> Bool {
        switch self {
        case .never: return false
        case .always: return terminalHasColors
        case .auto:
            if let v = environment["NO_COLOR"], !v.isEmpty { return false }
            return terminalHasColors
        }
    }
}
