import HRCore
import HRLines

/// One column of the evaluation as a spreadsheet or a person reads it: the printed lines'
/// nested objects flattened (`transfers_overdue`), each rate in its own column.
struct MetricsColumn: Sendable {
  /// The flat key: the CSV header, and the table's English code.
  let key: String
  /// The Chinese name a district's staff know the indicator by.
  let chinese: String
  /// Where the value sits in a printed line: a key, or a key and a key of its object.
  let path: [String]
  /// Whether the value is a rate `{"value","num","den"}`.
  let isRate: Bool

  /// The table's heading: the Chinese name, then the code.
  var heading: String { chinese.isEmpty ? key : "\(chinese) \(key)" }

  /// The CSV columns: a rate is three, `usage_rate`, `usage_rate_num`, `usage_rate_den`.
  var csvKeys: [String] { isRate ? [key, key + "_num", key + "_den"] : [key] }

  /// The value in a printed line.
  func value(in line: JSONObject) -> JSONValue {
    var value = JSONValue.object(line)
    for key in path { value = value.objectValue?[key] ?? .null }
    return value
  }

  private static func plain(_ key: String, _ chinese: String) -> MetricsColumn {
    MetricsColumn(key: key, chinese: chinese, path: [key], isRate: false)
  }

  private static func rate(_ key: String, _ chinese: String) -> MetricsColumn {
    MetricsColumn(key: key, chinese: chinese, path: [key], isRate: true)
  }

  private static func nested(_ parent: String, _ key: String, _ chinese: String, prefix: String? = nil) -> MetricsColumn {
    MetricsColumn(key: (prefix ?? parent) + "_" + key, chinese: chinese, path: [parent, key], isRate: false)
  }

  /// Every column, in the order of the printed line's keys.
  static let all: [MetricsColumn] = [
    plain("unit", "单位"), plain("code", "代码"), plain("name", "名称"), plain("year", "年度"), plain("as_of", "截至"),
    plain("records_active", "在管档案"),
    nested("records_archived", "lost", "失访"), nested("records_archived", "deceased", "死亡"),
    nested("records_archived", "moved_out", "迁出"),
    rate("filing_rate", "建档率"), rate("usage_rate", "使用率"), rate("completeness_rate", "规范率"),
    rate("timely_entry_rate", "录入及时率"),
    nested("transfers", "requested", "转迁申请"), nested("transfers", "completed", "转迁完成"),
    nested("transfers", "rejected", "转迁拒绝"), nested("transfers", "pending", "待确认"),
    nested("transfers", "overdue", "超时未确认"),
    rate("transfer_response_timely_rate", "转迁响应及时率"),
    plain("off_site_services", "异地服务"), plain("off_site_refused", "服务拒绝"),
    nested("key_populations", "elderly", "老年人", prefix: "key"), nested("key_populations", "child_0_6", "0-6岁儿童", prefix: "key"),
    nested("key_populations", "maternal", "孕产妇", prefix: "key"), nested("key_populations", "hypertension", "高血压", prefix: "key"),
    nested("key_populations", "diabetes", "糖尿病", prefix: "key"),
    nested("key_populations", "severe_mental_disorder", "严重精神障碍", prefix: "key"),
    nested("key_populations", "tuberculosis", "肺结核", prefix: "key"),
    plain("deceased_with_service_in_year", "死亡当年有服务"),
    rate("signed_contact_timely_rate", "签约随访及时率"),
  ]

  /// A printed line as a CSV row: rates as value, numerator and denominator, empty when null.
  static func csvRow(_ line: JSONObject) -> JSONObject {
    var row = JSONObject()
    for column in all {
      let value = column.value(in: line)
      if column.isRate {
        let rate = value.objectValue
        row[column.key] = rate?["value"] ?? .null
        row[column.key + "_num"] = rate?["num"] ?? .null
        row[column.key + "_den"] = rate?["den"] ?? .null
      } else {
        row[column.key] = value
      }
    }
    return row
  }

  /// A printed line as a table row: rates as `62.0% (620/1000)`.
  static func tableRow(_ line: JSONObject) -> JSONObject {
    var row = JSONObject()
    for column in all {
      let value = column.value(in: line)
      row[column.key] = column.isRate ? .string(percent(value)) : value
    }
    return row
  }

  /// A rate for people: `62.0% (620/1000)`, `- (0/0)` when there was nothing to count, `-` when
  /// it cannot be measured (a filing rate without a population).
  static func percent(_ rate: JSONValue) -> String {
    guard let object = rate.objectValue, let num = object["num"]?.intValue, let den = object["den"]?.intValue else { return "-" }
    guard den > 0, object["value"] != .null else { return "- (\(num)/\(den))" }
    return "\(formatPercent(num: num, den: den)) (\(num)/\(den))"
  }

  /// A rate as a percentage with one decimal, `62.0%`, from its numerator and denominator.
  static func formatPercent(num: Int, den: Int) -> String {
    let tenths = Int((Double(num) / Double(den) * 1000).rounded())
    return "\(tenths / 10).\(tenths % 10)%"
  }
}
