#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file as the system sees it: its path with every symbolic link, `.` and `..` resolved, and,
/// when it exists, its device and inode, so that `./a`, `a`, a link to `a` and a hard link to `a`
/// all compare equal.
struct FileIdentity: Equatable {
  let resolvedPath: String
  let device: UInt64?
  let inode: UInt64?

  /// The identity of the file `path` names, whether or not it exists yet.
  init(path: String) {
    resolvedPath = FileIdentity.resolve(path)
    var info = stat()
    if stat(path, &info) == 0 {
      device = UInt64(info.st_dev)
      inode = UInt64(info.st_ino)
    } else {
      device = nil
      inode = nil
    }
  }

  /// The identity of an open file descriptor, or nil when it is not a regular file (a pipe or a
  /// terminal cannot be overwritten by name).
  init?(fileDescriptor fd: Int32) {
    var info = stat()
    guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
    resolvedPath = ""
    device = UInt64(info.st_dev)
    inode = UInt64(info.st_ino)
  }

  /// Whether both name the same file: the same inode when both exist, else the same resolved path.
  func isSameFile(as other: FileIdentity) -> Bool {
    if let device, let inode, let otherDevice = other.device, let otherInode = other.inode {
      return device == otherDevice && inode == otherInode
    }
    return !resolvedPath.isEmpty && resolvedPath == other.resolvedPath
  }

  /// The absolute path with links resolved; for a file that does not exist yet, its resolved
  /// directory and its name, following a dangling link to where the file would be created.
  static func resolve(_ path: String, depth: Int = 0) -> String {
    if let resolved = realpath(path, nil) {
      defer { free(resolved) }
      return String(cString: resolved)
    }
    let (directory, name) = split(path)
    var info = stat()
    if depth < 40, lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFLNK {
      var target = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
      let count = readlink(path, &target, target.count - 1)
      if count > 0 {
        let link = String(decoding: target[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return resolve(link.hasPrefix("/") ? link : directory + "/" + link, depth: depth + 1)
      }
    }
    if directory != path, let resolved = realpath(directory, nil) {
      defer { free(resolved) }
      return String(cString: resolved) + "/" + name
    }
    return lexicallyAbsolute(path)
  }

  /// The directory part (`.` when there is none) and the last component of a path.
  private static func split(_ path: String) -> (directory: String, name: String) {
    guard let slash = path.lastIndex(of: "/") else { return (".", path) }
    let directory = String(path[..<slash])
    return (directory.isEmpty ? "/" : directory, String(path[path.index(after: slash)...]))
  }

  /// `path` made absolute against the working directory, without touching the file system further.
  private static func lexicallyAbsolute(_ path: String) -> String {
    if path.hasPrefix("/") { return path }
    guard let cwd = getcwd(nil, 0) else { return path }
    defer { free(cwd) }
    return String(cString: cwd) + "/" + path
  }
}

/// Which of the store's files `target` is, if any: the store itself, or one of the companion files
/// SQLite names after the path it opens. SQLite resolves a linked store first, so both spellings
/// count.
func storeFile(_ target: FileIdentity, store: String) -> (path: String, isCompanion: Bool)? {
  for base in [store, FileIdentity.resolve(store)] {
    for suffix in ["", "-wal", "-shm", "-journal"] where target.isSameFile(as: FileIdentity(path: base + suffix)) {
      return (base + suffix, !suffix.isEmpty)
    }
  }
  return nil
}

/// Refuses an input that is the store or one of the files SQLite keeps beside it (`hr-create
/// hr.sqlite`, an operand given in the wrong place, or `< hr.sqlite`): its pages are no lines, and
/// a file of the store that the run opened and closed as input would release the locks the run's
/// own connection holds on it (POSIX drops all of a process's locks on a file at any close of it),
/// so that another tool ending meanwhile could take the store for unused and remove its log.
func refuseReadingStore(inputs: [String], store: String) throws(RunError) {
  for input in inputs.isEmpty ? ["-"] : inputs {
    let identity = input == "-" ? FileIdentity(fileDescriptor: 0) : FileIdentity(path: input)
    guard let identity, let file = storeFile(identity, store: store) else { continue }
    let what = file.isCompanion ? "the store's companion file '\(file.path)'" : "the store '\(store)'"
    let named = input == "-" ? "standard input" : "the input '\(input)'"
    throw RunError(.usage, "\(named) is \(what): name the file of lines to read")
  }
}

/// Refuses an output file that would overwrite what the run reads or writes: the store, one of
/// the files SQLite keeps beside it, the configuration, an input, or the file standard output or
/// standard error is redirected to. Opening it for writing would truncate that file before the run
/// had read a line.
///
/// - Parameters:
///   - option: The option that names the output, for the message (`--rejects`).
///   - output: The output path as given.
///   - store: The store path as chosen.
///   - inputs: The input operands; `-` or none at all is standard input.
///   - configuration: The configuration file, when one is read.
func refuseOverwriting(
  _ option: String, output: String, store: String, inputs: [String], configuration: String?,
  guarding others: [(path: String, what: String)] = []
) throws(RunError) {
  let target = FileIdentity(path: output)
  func refuse(_ what: String) throws(RunError) -> Never {
    throw RunError(.usage, "\(option) '\(output)' is \(what): name another file")
  }
  if let file = storeFile(target, store: store) {
    try refuse(file.isCompanion ? "the store's companion file '\(file.path)'" : "the store '\(store)'")
  }
  if let configuration, target.isSameFile(as: FileIdentity(path: configuration)) {
    try refuse("the configuration '\(configuration)'")
  }
  for other in others where target.isSameFile(as: FileIdentity(path: other.path)) {
    try refuse("\(other.what) '\(other.path)'")
  }
  // A file the shell opened for standard output or error (`--rejects out.jsonl > out.jsonl`) would
  // be written through two descriptors at two offsets, each overwriting the other's lines.
  for (fd, stream) in [(Int32(1), "standard output"), (2, "standard error")] {
    if let redirected = FileIdentity(fileDescriptor: fd), target.isSameFile(as: redirected) {
      try refuse("the file \(stream) is redirected to")
    }
  }
  for input in inputs.isEmpty ? ["-"] : inputs {
    if input == "-" {
      if let standardInput = FileIdentity(fileDescriptor: 0), target.isSameFile(as: standardInput) {
        try refuse("the file read as standard input")
      }
    } else if target.isSameFile(as: FileIdentity(path: input)) {
      try refuse("the input file '\(input)'")
    }
  }
}
