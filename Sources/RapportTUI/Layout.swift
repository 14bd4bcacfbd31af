import RapportText

/// The three panes.
public enum Pane: Int, CaseIterable, Sendable, Hashable {
    case recruiters, messages, deadlines

    public var title: String {
        switch self {
        case .recruiters: return "Recruiters"
        case .messages: return "Messages"
        case .deadlines: return "Deadlines"
        }
    }
}

/// Where everything goes on a screen of a given size. Shared by the views (to draw)
/// and by `update` (to page, scroll and hit-test the mouse), so both always agree.
public struct Layout: Equatable, Sendable {
    /// Below this the screen shows only a "terminal too small" notice.
    public static let minimumWidth = 40
    public static let minimumHeight = 10
    /// From this width on, the panes sit side by side.
    public static let wideWidth = 100

    public var width: Int
    public var height: Int
    public var tooSmall: Bool
    public var wide: Bool
    public var title: Rect
    public var banner: Rect
    public var content: Rect
    public var status: Rect
    public var recruiters: Rect
    public var messages: Rect
    public var deadlines: Rect
    /// The vertical rule between the columns on wide screens.
    public var divider: Rect?

    public init(width: Int, height: Int, bannerLines: Int) {
        self.width = width
        self.height = height
        tooSmall = width < Layout.minimumWidth || height < Layout.minimumHeight
        wide = width >= Layout.wideWidth
        let zero = Rect(x: 0, y: 0, width: 0, height: 0)
        title = Rect(x: 0, y: 0, width: width, height: 1)
        let bannerHeight = min(max(0, bannerLines), 2)
        banner = Rect(x: 0, y: 1, width: width, height: bannerHeight)
        status = Rect(x: 0, y: height - 1, width: width, height: 1)
        content = Rect(x: 0, y: 1 + bannerHeight, width: width, height: height - 2 - bannerHeight)
        recruiters = zero
        messages = zero
        deadlines = zero
        divider = nil
        guard !tooSmall else { return }
        let c = content
        if wide {
            // Recruiters and the thread side by side; the deadlines below across the whole
            // width, so a row has room for its section, both times, the subject and the name.
            let left = c.width * 2 / 5
            let topHeight = max(3, c.height * 3 / 5)
            recruiters = Rect(x: c.x, y: c.y, width: left, height: topHeight)
            divider = Rect(x: c.x + left, y: c.y, width: 1, height: topHeight)
            messages = Rect(x: c.x + left + 1, y: c.y, width: c.width - left - 1, height: topHeight)
            deadlines = Rect(x: c.x, y: c.y + topHeight, width: c.width, height: c.height - topHeight)
        } else {
            let r = max(3, c.height * 2 / 5)
            let m = max(2, (c.height - r) * 3 / 5)
            recruiters = Rect(x: c.x, y: c.y, width: c.width, height: r)
            messages = Rect(x: c.x, y: c.y + r, width: c.width, height: m)
            deadlines = Rect(x: c.x, y: c.y + r + m, width: c.width, height: c.height - r - m)
        }
    }

    public func rect(of pane: Pane) -> Rect {
        switch pane {
        case .recruiters: return recruiters
        case .messages: return messages
        case .deadlines: return deadlines
        }
    }

    /// Rows of list content in a pane (its first row is the title).
    public func bodyRows(_ pane: Pane) -> Int {
        let r = rect(of: pane)
        return max(0, r.height - (pane == .messages ? 2 : 1))
    }

    public func pane(atX x: Int, y: Int) -> Pane? {
        Pane.allCases.first { rect(of: $0).contains(x: x, y: y) }
    }

    /// The help overlay's box.
    public func helpBox(lines: Int) -> Rect {
        let w = min(68, width - 4)
        let h = min(lines + 2, height - 2)
        return Rect(x: (width - w) / 2, y: (height - h) / 2, width: w, height: h)
    }
}
