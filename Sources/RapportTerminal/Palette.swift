import CNCursesw
import RapportText

/// The colour theme and its monochrome fallback. Colour pair n is `ColorRole(rawValue: n)`.
enum Palette {
    /// (foreground, background) per role; -1 is the terminal's default colour.
    static func colors(for role: ColorRole, colorCount: Int) -> (Int16, Int16) {
        let grey: Int16 = colorCount >= 16 ? 8 : Int16(COLOR_WHITE)
        switch role {
        case .normal: return (-1, -1)
        case .accent: return (Int16(COLOR_CYAN), -1)
        case .title: return (Int16(COLOR_WHITE), Int16(COLOR_BLUE))
        case .selection: return (Int16(COLOR_BLACK), Int16(COLOR_CYAN))
        case .muted: return (grey, -1)
        case .danger: return (Int16(COLOR_RED), -1)
        case .warning: return (Int16(COLOR_YELLOW), -1)
        case .good: return (Int16(COLOR_GREEN), -1)
        case .inbound: return (Int16(COLOR_CYAN), -1)
        case .outbound: return (Int16(COLOR_GREEN), -1)
        case .banner: return (Int16(COLOR_BLACK), Int16(COLOR_YELLOW))
        }
    }

    static func install(colorCount: Int) {
        for role in ColorRole.allCases where role != .normal {
            let (fg, bg) = colors(for: role, colorCount: colorCount)
            init_pair(Int16(role.rawValue), fg, bg)
        }
    }

    /// ncurses attributes for a style. Without colours each role becomes an attribute
    /// (selection and titles reverse, danger bold, muted dim, …), so nothing is lost.
    static func attributes(for style: Style, colors: Bool) -> attr_t {
        var a = rapport_a_normal()
        if style.bold { a |= rapport_a_bold() }
        if style.reverse { a |= rapport_a_reverse() }
        if style.underline { a |= rapport_a_underline() }
        if style.dim { a |= rapport_a_dim() }
        if !colors {
            switch style.role {
            case .title, .selection, .banner: a |= rapport_a_reverse()
            case .danger: a |= rapport_a_bold()
            case .warning: a |= rapport_a_underline()
            case .accent: a |= rapport_a_bold()
            case .muted: a |= rapport_a_dim()
            case .normal, .good, .inbound, .outbound: break
            }
        }
        return attr_t(a)
    }
}
