import Foundation

/// Writes a whole file the way the store writes its snapshot: a temp file in the same
/// directory (O_CREAT|O_EXCL|O_NOFOLLOW, 0600), fsync, rename over the target, fsync the
/// directory. A symlink stays a symlink and its target is replaced. For `export -o`.
public enum AtomicFile {
    public static func write(_ data: Data, to path: String, fileSystem: FileSystem = .system) throws {
        let absolute = path.hasPrefix("/")
            ? path : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(path)
        let target = Sys.writeTarget(absolute)
        try Sys.replaceFile(fileSystem, target, [UInt8](data))
    }
}
