import HRLines

/// 个人基本信息: the optional cover and basic-information fields that `hr-create` takes and
/// `hr-update` may `set`, each validated in one place (hr(7) THE RECORD, annex 1 一(三)).
package enum BasicInformation {
  /// One optional field: its input name (also the name of the record column that keeps it), the
  /// record's property and the form its value takes, in the one table every list of these fields
  /// is drawn from.
  package struct Field: Sendable {
    /// The form of a field's value, which decides how a line's value is validated and stored.
    package enum Format: Sendable {
      /// A phone number, normalised (mobile or area-coded landline).
      case phone
      /// Text of at most this many characters once trimmed.
      case text(maxLength: Int)
      /// `{"name", "phone", "relation"}`, kept as compact JSON.
      case contact
      /// `[{"code", "name", "date"}]` (既往史, 家族史), kept as compact JSON.
      case history
      /// `["…"]` (医疗费用支付方式), kept as compact JSON.
      case methods
    }

    /// The input name and record column, e.g. `phone`.
    package let name: String
    /// The record's property that holds the stored text.
    package let property: WritableKeyPath<ResidentRecord, String?> & Sendable
    /// The form of the value, which decides how it is validated and whether it is kept as JSON.
    package let format: Format

    /// Whether the stored text is JSON, which a view shows as a value rather than as text.
    package var isStructured: Bool {
      switch format {
      case .phone, .text: false
      case .contact, .history, .methods: true
      }
    }
  }

  /// The optional fields, in the order `hr-create` documents them.
  package static let fields: [Field] = [
    Field(name: "phone", property: \.phone, format: .phone),
    Field(name: "current_address", property: \.currentAddress, format: .text(maxLength: 200)),
    Field(name: "registered_address", property: \.registeredAddress, format: .text(maxLength: 200)),
    Field(name: "ethnicity", property: \.ethnicity, format: .text(maxLength: 50)),
    Field(name: "work_unit", property: \.workUnit, format: .text(maxLength: 200)),
    Field(name: "emergency_contact", property: \.emergencyContact, format: .contact),
    Field(name: "responsible_doctor", property: \.responsibleDoctor, format: .text(maxLength: 50)),
    Field(name: "past_history", property: \.pastHistory, format: .history),
    Field(name: "family_history", property: \.familyHistory, format: .history),
    Field(name: "blood_type", property: \.bloodType, format: .text(maxLength: 50)),
    Field(name: "payment_methods", property: \.paymentMethods, format: .methods),
  ]

  /// The optional fields by input name; each is kept in the record column of the same name.
  package static let optionalFields: [String] = fields.map(\.name)

  /// Validates one optional field of a line and returns the text its column keeps (nil when absent or null).
  package static func storedValue(of field: Field, in fields: Fields) throws(LineRejection) -> String? {
    let key = field.name
    guard fields.value(key) != nil else { return nil }
    switch field.format {
    case .phone:
      return try phone(key, in: fields)
    case .text(let maxLength):
      return try fields.text(key, maxLength: maxLength)
    case .contact:
      guard let object = try fields.object(key) else { return nil }
      let contact = try Fields(object, allowed: ["name", "phone", "relation"], path: "\(fields.path)\(key).")
      var stored = JSONObject()
      stored["name"] = .string(try contact.requiredText("name", maxLength: 50))
      guard let contactPhone = try phone("phone", in: contact) else { throw contact.missing("phone") }
      stored["phone"] = .string(contactPhone)
      if let relation = try contact.text("relation", maxLength: 20) { stored["relation"] = .string(relation) }
      return stored.compact
    case .history:
      guard let array = try fields.array(key) else { return nil }
      var items: [JSONValue] = []
      for (index, item) in array.enumerated() {
        let itemPath = "\(fields.path)\(key)[\(index)]"
        guard let object = item.objectValue else { throw fields.invalid(key, "must hold objects, found \(item.typeName)") }
        let entry = try Fields(object, allowed: ["code", "name", "date"], path: itemPath + ".")
        var stored = JSONObject()
        if let code = try entry.text("code", maxLength: 20) { stored["code"] = .string(code) }
        stored["name"] = .string(try entry.requiredText("name", maxLength: 100))
        if let date = try entry.date("date") { stored["date"] = .string(date.description) }
        items.append(.object(stored))
      }
      return JSONValue.array(items).compact
    case .methods:
      guard let array = try fields.array(key) else { return nil }
      var methods: [JSONValue] = []
      // Each method is a free text like every other (`FreeText`), so that no control character
      // kept here reaches the terminal or the page that shows the record.
      for item in array {
        guard let raw = item.stringValue, !raw.trimmingWhitespace().isEmpty else {
          throw fields.invalid(key, "must hold non-empty strings")
        }
        switch FreeText.checked(raw, maxLength: 50) {
        case .success(let method): methods.append(.string(method))
        case .failure(let problem): throw fields.invalid(key, "holds a method that \(problem.reason)")
        }
      }
      return JSONValue.array(methods).compact
    }
  }

  /// 姓名: 1–50 characters once trimmed; nil when absent. `hr-create` and `hr-update set` share it.
  package static func name(in fields: Fields) throws(LineRejection) -> String? {
    try fields.text("name", maxLength: 50)
  }

  /// 性别: a GB/T 2261.1 code given as a number or a one-digit string; nil when absent.
  ///
  /// Only the code itself is taken, `1` or `"1"`: `"+1"`, `"01"`, `-0` or `1.0` are not codes, and
  /// a spreadsheet that writes them has mangled the column.
  package static func sex(in fields: Fields) throws(LineRejection) -> Sex? {
    guard let value = fields.value("sex") else { return nil }
    let text: String? =
      switch value {
      case .number(let number): number.text
      case .string(let string): string
      default: nil
      }
    guard let text, text.utf8.count == 1, let code = Int(text), let sex = Sex(rawValue: code) else {
      // A spreadsheet column of sexes is often filled in words: the message gives their codes.
      let words = ["男": "1", "女": "2", "未知": "0", "未说明": "9"]
      let meant = (value.stringValue?.trimmingWhitespace()).flatMap { words[$0] }.map { ": write \($0) for that" } ?? ""
      throw fields.invalid("sex", "must be a GB/T 2261.1 code 0, 1, 2 or 9, found \(value.compact)\(meant)")
    }
    return sex
  }

  /// 村（居）委会: the required 12-digit division code of the resident's committee (hr(7) THE RECORD).
  ///
  /// The code is read like an ID number (`Normalisation.identifier`: full-width digits made ASCII);
  /// one a spreadsheet wrote in exponent form, as it writes every number of 12 digits or more, is
  /// refused with the advice to format the column as text.
  package static func division(in fields: Fields) throws(LineRejection) -> DivisionCode {
    let text = try fields.requiredText("division", maxLength: 12)
    guard !Normalisation.isExponentForm(text) else {
      throw fields.invalid("division", "is '\(text)': \(Normalisation.spreadsheetAdvice)")
    }
    do {
      return try DivisionCode(Normalisation.identifier(text))
    } catch {
      throw fields.invalid("division", "is not a division code: \(error)")
    }
  }

  /// A mainland mobile number (1[3-9] and 9 digits) or a landline with its area code.
  private static func phone(_ key: String, in fields: Fields) throws(LineRejection) -> String? {
    guard let typed = try fields.text(key, maxLength: 20) else { return nil }
    let text = Normalisation.phone(typed)
    // 13800000000 in a spreadsheet column of numbers is saved as 1.38E+10: its digits are lost.
    guard !Normalisation.isExponentForm(text) else {
      throw fields.invalid(key, "is '\(typed)': \(Normalisation.spreadsheetAdvice)")
    }
    guard isPhoneNumber(text) else {
      throw fields.invalid(key, "'\(text)' is neither a mobile number (1[3-9] and 9 digits) nor a landline with area code")
    }
    return text
  }

  /// Whether `text` is a mainland mobile number or an area-coded landline such as `023-63801234`.
  package static func isPhoneNumber(_ text: String) -> Bool {
    let bytes = Array(text.utf8)
    let isDigit = { (byte: UInt8) in (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
    if bytes.count == 11, bytes[0] == UInt8(ascii: "1"), (UInt8(ascii: "3")...UInt8(ascii: "9")).contains(bytes[1]) {
      return bytes.allSatisfy(isDigit)
    }
    let parts = bytes.split(separator: UInt8(ascii: "-"), omittingEmptySubsequences: false)
    let (area, number): (ArraySlice<UInt8>, ArraySlice<UInt8>)
    switch parts.count {
    case 1 where bytes.first == UInt8(ascii: "0") && (10...12).contains(bytes.count):
      // Without a dash, a 3- or 4-digit area code cannot be told apart; accept 10–12 digits.
      return bytes.allSatisfy(isDigit)
    case 2: (area, number) = (parts[0], parts[1])
    default: return false
    }
    return area.first == UInt8(ascii: "0") && (3...4).contains(area.count) && area.allSatisfy(isDigit)
      && (7...8).contains(number.count) && number.allSatisfy(isDigit)
  }
}
