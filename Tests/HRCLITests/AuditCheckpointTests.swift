import Foundation
import Testing

/// `hr-audit checkpoint` and `verify --checkpoint`, with keys made by `openssl` and the signature
/// checked by `openssl` alone, the way the city checks what a district hands it.
@Suite("hr-audit checkpoint")
struct AuditCheckpointTests {
  /// A seeded store and an Ed25519 key pair made by openssl: `key.pem` (owner-only) and `pub.pem`.
  static func keyed(_ count: Int = 5) throws -> Sandbox {
    let (sandbox, _) = try AuditTests.seeded(count)
    let made = try sandbox.shell(
      "umask 077 && openssl genpkey -algorithm ed25519 -out key.pem && openssl pkey -in key.pem -pubout -out pub.pem")
    #expect(made.status == 0, "\(made.stderr)")
    return sandbox
  }

  /// The recipe of hr-audit(1): the signed message and the signature, out of the checkpoint.
  static let extract =
    "jq -j '{seq,hash,at,events}|tojson' cp.json > msg && jq -r .signature cp.json | base64 -d > sig"
  static let opensslVerify = "openssl pkeyutl -verify -pubin -inkey pub.pem -rawin -in msg -sigfile sig"

  @Test func aCheckpointSignedByHrVerifiesWithOpensslAloneAndOneChangedByteFails() throws {
    let sandbox = try Self.keyed()
    let head = AuditTests.object(try sandbox.run("hr-audit", ["head"]).stdout)
    let signed = try sandbox.shell("hr-audit checkpoint --sign key.pem > cp.json", operator: "admin-yz")
    #expect(signed.status == 0, "\(signed.stderr)")
    let line = try sandbox.read("cp.json")
    #expect(try AuditTests.keys(line) == ["seq", "hash", "at", "events", "signature"])
    let checkpoint = AuditTests.object(line)
    #expect(checkpoint["seq"] as? Int == 5)
    #expect(checkpoint["events"] as? Int == 5)
    #expect(checkpoint["hash"] as? String == head["hash"] as? String)

    let verified = try sandbox.shell("\(Self.extract) && \(Self.opensslVerify)")
    #expect(verified.status == 0, "\(verified.stderr)")
    #expect(verified.stdout.contains("Signature Verified Successfully"))
    #expect(
      try sandbox.read("msg")
        == #"{"seq":5,"hash":"\#(head["hash"] as? String ?? "")","at":"\#(checkpoint["at"] as? String ?? "")","events":5}"#)

    // One byte of the message changed (seq 5 → 4), then one byte of the signature.
    let message = try sandbox.shell(#"sed -i 's/"seq":5/"seq":4/' msg && \#(Self.opensslVerify)"#)
    #expect(message.status != 0)
    #expect(message.stdout.contains("Signature Verification Failure"))
    let signature = try sandbox.shell(
      #"\#(Self.extract) && b=$(od -An -tu1 -j10 -N1 sig | tr -d ' ') && printf "\\$(printf %03o $((b ^ 1)))" | dd of=sig bs=1 seek=10 conv=notrunc status=none && \#(Self.opensslVerify)"#
    )
    #expect(signature.status != 0)

    // The checkpoint is audited: who signed which head.
    let log = try sandbox.run("hr-audit", ["log", "--action", "audit.checkpoint"])
    #expect(log.lines.count == 1)
    #expect(AuditTests.object(log.lines[0])["operator"] as? String == "admin-yz")
  }

  @Test func verifyCheckpointHoldsAsTheChainGrowsAndCatchesACutTail() throws {
    let sandbox = try Self.keyed()
    #expect(try sandbox.shell("hr-audit checkpoint --sign key.pem > cp.json").status == 0)
    #expect(try sandbox.run("hr-create", ["--quiet"], stdin: Sandbox.people(3, seed: 99)).status == 0)
    let grown = try sandbox.run("hr-audit", ["verify", "--checkpoint", "cp.json", "--public-key", "pub.pem"])
    #expect(grown.status == 0, "\(grown.stderr)")
    #expect(AuditTests.object(grown.stdout)["events"] as? Int == 9)

    // The tail cut, the trigger put back: verify alone passes, the checkpoint does not.
    _ = try sandbox.sqlite(
      """
      DROP TRIGGER audit_event_no_delete; DELETE FROM audit_event WHERE seq > 3;
      \(AuditIntegrityTests.trigger("audit_event_no_delete"))
      """)
    #expect(try sandbox.run("hr-audit", ["verify"]).status == 0)
    let cut = try sandbox.run("hr-audit", ["verify", "--checkpoint", "cp.json", "--public-key", "pub.pem"])
    #expect(cut.status == 65)
    #expect(AuditTests.object(cut.stdout)["reason"] as? String == "truncated")
    #expect(AuditTests.object(cut.stdout)["broken_seq"] as? Int == 4)
  }

  @Test func aCheckpointChangedOrSignedByAnotherKeyIsRefused() throws {
    let sandbox = try Self.keyed()
    #expect(try sandbox.shell("hr-audit checkpoint --sign key.pem > cp.json").status == 0)
    #expect(try sandbox.shell("jq -c '.seq = 4' cp.json > cp4.json").status == 0)
    let changed = try sandbox.run("hr-audit", ["verify", "--checkpoint", "cp4.json", "--public-key", "pub.pem"])
    #expect(changed.status == 65)
    #expect(AuditTests.object(changed.stdout)["reason"] as? String == "bad_signature")
    #expect(changed.stderr.hasPrefix("hr-audit: checkpoint 'cp4.json' is not signed by the key 'pub.pem'"))

    #expect(
      try sandbox.shell(
        "openssl genpkey -algorithm ed25519 -out other.pem && openssl pkey -in other.pem -pubout -out other-pub.pem"
      ).status == 0)
    let other = try sandbox.run("hr-audit", ["verify", "--checkpoint", "cp.json", "--public-key", "other-pub.pem"])
    #expect(other.status == 65)
    #expect(AuditTests.object(other.stdout)["reason"] as? String == "bad_signature")

    try sandbox.write("junk.json", "{\"seq\":1}\n")
    let junk = try sandbox.run("hr-audit", ["verify", "--checkpoint", "junk.json", "--public-key", "pub.pem"])
    #expect(junk.status == 65)
    #expect(junk.stderr.hasPrefix("hr-audit: checkpoint 'junk.json': must have exactly the keys"))
  }

  @Test(
    arguments: [
      (
        "chmod 640 key.pem", ["--sign", "key.pem"], 78,
        "hr-audit: private key 'key.pem' can be read by the group or others (mode 0640); run 'chmod go-rwx key.pem'"
      ),
      ("true", ["--sign", "pub.pem"], 78, "hr-audit: key 'pub.pem': is not an Ed25519 private key in PEM"),
      ("true", ["--sign", "missing.pem"], 66, "hr-audit: cannot open 'missing.pem': "),
      (
        "openssl genpkey -algorithm rsa -pkeyopt rsa_keygen_bits:1024 -out rsa.pem 2>/dev/null && chmod 600 rsa.pem",
        ["--sign", "rsa.pem"], 78, "hr-audit: key 'rsa.pem': is not an Ed25519 private key in PEM"
      ),
    ] as [(String, [String], Int32, String)])
  func aKeyExposedMissingOrOfAnotherKindIsRefused(setup: String, arguments: [String], status: Int32, message: String) throws {
    let sandbox = try Self.keyed(2)
    #expect(try sandbox.shell(setup).status == 0)
    let result = try sandbox.run("hr-audit", ["checkpoint"] + arguments)
    #expect(result.status == status)
    #expect(result.stdout.isEmpty)
    #expect(result.stderr.hasPrefix(message), "\(result.stderr)")
  }

  @Test func aBrokenChainIsNotSignedAndOnlyAuditingRolesCheckpoint() throws {
    let sandbox = try Self.keyed(3)
    #expect(try sandbox.run("hr-audit", ["checkpoint", "--sign", "key.pem"], operator: "doc-li").status == 77)
    #expect(try sandbox.run("hr-audit", ["checkpoint", "--sign", "key.pem"], operator: "auditor-1").status == 0)
    _ = try sandbox.sqlite(
      """
      DROP TRIGGER audit_event_no_update; UPDATE audit_event SET detail = '{}' WHERE seq = 2;
      \(AuditIntegrityTests.trigger("audit_event_no_update"))
      """)
    let broken = try sandbox.run("hr-audit", ["checkpoint", "--sign", "key.pem"])
    #expect(broken.status == 65)
    #expect(broken.stdout.isEmpty)
    #expect(broken.stderr.hasPrefix("hr-audit: audit chain broken at seq 2: hash_mismatch: "))
  }

  @Test(
    arguments: [
      ["verify", "--checkpoint", "cp.json"], ["verify", "--public-key", "pub.pem"],
      [
        "verify", "--checkpoint", "cp.json", "--public-key", "pub.pem", "--expect-head", "1:" + String(repeating: "0", count: 64),
      ],
    ])
  func checkpointAndPublicKeyGoTogetherAndNotWithExpectHead(arguments: [String]) throws {
    let sandbox = try Self.keyed(1)
    #expect(try sandbox.run("hr-audit", arguments).status == 64)
  }
}
