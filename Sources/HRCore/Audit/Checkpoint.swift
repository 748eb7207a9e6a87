import Crypto
import Foundation
import HRLines

/// Why a key or a checkpoint could not be used; the command line gives each its exit status.
package enum CheckpointError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The file cannot be read (exit 66).
  case unreadable(path: String, reason: String)
  /// A private key that the group or others can read: whoever can read it can sign (exit 78).
  case keyReadableByOthers(path: String, mode: UInt32)
  /// Not an Ed25519 key in the PEM form `openssl` writes (exit 78).
  case badKey(path: String, reason: String)
  /// Not a checkpoint as `hr-audit checkpoint` prints it (exit 65).
  case badCheckpoint(path: String, reason: String)

  package var description: String {
    switch self {
    case .unreadable(let path, let reason): "cannot open '\(path)': \(reason)"
    case .keyReadableByOthers(let path, let mode):
      "private key '\(path)' can be read by the group or others (mode \(FilePermissions.octal(mode_t(mode)))); run 'chmod go-rwx \(path)'"
    case .badKey(let path, let reason): "key '\(path)': \(reason)"
    case .badCheckpoint(let path, let reason): "checkpoint '\(path)': \(reason)"
    }
  }
}

/// A head of the chain signed with the district's Ed25519 key, so that a third party holding
/// only the public key can tell later that the trail was not cut short or rewritten behind it
/// (hr(7) AUDIT TRAIL; 第二十五条: use of records stays traceable).
///
/// The signed message is the checkpoint without its signature, as compact JSON with the keys in
/// this order: `{"seq":S,"hash":"H","at":"T","events":N}` (no white space, no newline). The
/// printed line adds `"signature"`, the 64-byte Ed25519 signature in base64, so that
/// `jq -j '{seq,hash,at,events}|tojson'` gives back the very bytes signed.
package struct Checkpoint: Equatable, Sendable {
  /// The head signed.
  package let head: ChainHead
  /// When the checkpoint was made, RFC 3339 in UTC.
  package let at: String
  /// The number of events the chain held, all verified.
  package let events: Int
  /// The Ed25519 signature over ``message``.
  package let signature: Data

  /// The bytes signed.
  package var message: [UInt8] { Checkpoint.message(head: head, at: at, events: events) }

  /// The checkpoint as printed: `{"seq","hash","at","events","signature"}`.
  package var json: JSONObject {
    [
      "seq": .int(head.seq), "hash": .string(head.hash), "at": .string(at), "events": .int(events),
      "signature": .string(signature.base64EncodedString()),
    ]
  }

  /// Signs the verified head `head` of a chain of `events` events at `at`.
  package static func sign(head: ChainHead, events: Int, at: String, with key: Curve25519.Signing.PrivateKey) throws -> Checkpoint
  {
    let message = Checkpoint.message(head: head, at: at, events: events)
    return Checkpoint(head: head, at: at, events: events, signature: try key.signature(for: message))
  }

  /// Whether the signature is the key's over the checkpoint's message.
  package func isSigned(by key: Curve25519.Signing.PublicKey) -> Bool {
    key.isValidSignature(signature, for: message)
  }

  private static func message(head: ChainHead, at: String, events: Int) -> [UInt8] {
    var buffer: [UInt8] = []
    JSONValue.object(["seq": .int(head.seq), "hash": .string(head.hash), "at": .string(at), "events": .int(events)])
      .write(compactTo: &buffer)
    return buffer
  }

  /// Reads a checkpoint file: one JSON object with exactly the five keys, `seq` and `events`
  /// whole numbers, `hash` 64 hexadecimal digits and `signature` 64 bytes in base64.
  package static func read(path: String) throws(CheckpointError) -> Checkpoint {
    guard let data = FilePermissions.readAsCaller(path) else {
      throw .unreadable(path: path, reason: String(cString: strerror(errno)))
    }
    func bad(_ reason: String) -> CheckpointError { .badCheckpoint(path: path, reason: reason) }
    var bytes = Array(data)
    while let last = bytes.last, last == UInt8(ascii: "\n") || last == UInt8(ascii: "\r") { bytes.removeLast() }
    guard let object = try? JSONParser.parseObject(bytes) else { throw bad("is not one JSON object") }
    let keys = ["seq", "hash", "at", "events", "signature"]
    guard Set(object.keys) == Set(keys), object.count == keys.count else {
      throw bad("must have exactly the keys \(keys.joined(separator: ", "))")
    }
    guard let seq = object["seq"]?.intValue, let events = object["events"]?.intValue, seq >= 0, events >= 0 else {
      throw bad("seq and events must be whole numbers")
    }
    guard let hash = object["hash"]?.stringValue, let head = ChainHead("\(seq):\(hash)"), head.hash == hash else {
      throw bad("hash must be 64 lower-case hexadecimal digits")
    }
    guard let at = object["at"]?.stringValue else { throw bad("at must be a string") }
    guard let text = object["signature"]?.stringValue, let signature = Data(base64Encoded: text), signature.count == 64
    else { throw bad("signature must be 64 bytes in base64") }
    return Checkpoint(head: head, at: at, events: events, signature: signature)
  }
}

/// Ed25519 keys read from the PEM files `openssl genpkey -algorithm ed25519` and
/// `openssl pkey -pubout` write: PKCS#8 for the private key, SubjectPublicKeyInfo for the public.
package enum SigningKeys {
  /// The DER of a PKCS#8 Ed25519 private key up to its 32 key bytes (RFC 8410).
  private static let privatePrefix: [UInt8] = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
  ]
  /// The DER of an Ed25519 SubjectPublicKeyInfo up to its 32 key bytes (RFC 8410).
  private static let publicPrefix: [UInt8] = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00]

  /// Reads the private key at `path`, refusing a file the group or others can read.
  package static func privateKey(path: String) throws(CheckpointError) -> Curve25519.Signing.PrivateKey {
    if let mode = FilePermissions.mode(ofFileAt: path), mode & 0o077 != 0 {
      throw .keyReadableByOthers(path: path, mode: UInt32(mode))
    }
    let raw = try der(path: path, label: "PRIVATE KEY", prefix: privatePrefix)
    do {
      return try Curve25519.Signing.PrivateKey(rawRepresentation: raw)
    } catch {
      throw .badKey(path: path, reason: "is not an Ed25519 private key")
    }
  }

  /// Reads the public key at `path`.
  package static func publicKey(path: String) throws(CheckpointError) -> Curve25519.Signing.PublicKey {
    let raw = try der(path: path, label: "PUBLIC KEY", prefix: publicPrefix)
    do {
      return try Curve25519.Signing.PublicKey(rawRepresentation: raw)
    } catch {
      throw .badKey(path: path, reason: "is not an Ed25519 public key")
    }
  }

  /// The 32 key bytes of the one PEM block `label` in the file, whose DER must be `prefix`
  /// followed by them.
  private static func der(path: String, label: String, prefix: [UInt8]) throws(CheckpointError) -> [UInt8] {
    guard let data = FilePermissions.readAsCaller(path) else {
      throw .unreadable(path: path, reason: String(cString: strerror(errno)))
    }
    let what = label == "PUBLIC KEY" ? "public" : "private"
    let wrongForm = CheckpointError.badKey(
      path: path, reason: "is not an Ed25519 \(what) key in PEM ('-----BEGIN \(label)-----') as openssl writes it")
    let text = String(decoding: data, as: UTF8.self)
    guard let begin = text.range(of: "-----BEGIN \(label)-----\n"), let end = text.range(of: "-----END \(label)-----"),
      begin.upperBound <= end.lowerBound
    else { throw wrongForm }
    let body = text[begin.upperBound..<end.lowerBound].filter { !$0.isWhitespace }
    guard let der = Data(base64Encoded: String(body)), der.count == prefix.count + 32, der.starts(with: prefix) else {
      throw wrongForm
    }
    return Array(der.dropFirst(prefix.count))
  }
}
