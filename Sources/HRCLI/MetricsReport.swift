import HRCore
import HRLines

/// The evaluation as one self-contained page for people (绩效评价报告): a bar chart per rate
/// across the units, drawn in inline SVG, the full table under them, the period, the as-of day
/// and the time it was made. No script, font, image or style sheet is fetched: the page opens
/// offline and prints on A4. It is written as XHTML, so an XML parser reads it as well as a browser.
struct MetricsReport {
  let units: [MetricsUnit]
  let period: MetricsPeriod
  let level: MetricsLevel
  /// When the report was made, RFC 3339 in UTC.
  let generatedAt: String

  /// The names of the levels in the title.
  private var levelName: String {
    switch level {
    case .org: "按机构 by organisation"
    case .district: "按区县 by district"
    case .city: "全市 city"
    }
  }

  /// The whole page.
  var html: String {
    let lines = units.map { $0.json(period: period) }
    let title = "居民电子健康档案绩效评价 \(period.year)"
    var page = """
      <!DOCTYPE html>
      <html xmlns="http://www.w3.org/1999/xhtml" lang="zh-CN" xml:lang="zh-CN">
      <head>
      <meta charset="utf-8"/>
      <title>\(escape(title))</title>
      <style>
      \(Self.style)
      </style>
      </head>
      <body>
      <h1>\(escape(title))</h1>
      <p class="meta">统计期间 period: <span id="period">\(period.start) – \(period.asOf)</span> · \
      截至 as of: <span id="as-of">\(period.asOf)</span> · \(escape(levelName)) · \
      生成时间 generated: <span id="generated">\(escape(generatedAt))</span></p>

      """
    for column in MetricsColumn.all where column.isRate {
      page += chart(column, lines: lines)
    }
    page += table(lines)
    page += "</body>\n</html>"
    return page
  }

  /// One rate across the units as horizontal bars, the percentage and numerator/denominator beside each.
  private func chart(_ column: MetricsColumn, lines: [JSONObject]) -> String {
    let rowHeight = 18
    let labelWidth = 220
    let barWidth = 300
    let width = labelWidth + barWidth + 160
    let height = rowHeight * max(lines.count, 1) + 8
    var svg = """
      <section class="chart">
      <h2>\(escape(column.heading))</h2>
      <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)" \
      role="img" aria-label="\(escape(column.key))">

      """
    for (index, line) in lines.enumerated() {
      let y = 4 + index * rowHeight
      let rate = column.value(in: line).objectValue
      let num = rate?["num"]?.intValue ?? 0
      let den = rate?["den"]?.intValue ?? 0
      let label = "\(line["code"]?.stringValue ?? "") \(line["name"]?.stringValue ?? "")"
      svg += "<text x=\"0\" y=\"\(y + 13)\" class=\"label\">\(escape(label))</text>\n"
      svg += "<rect x=\"\(labelWidth)\" y=\"\(y + 2)\" width=\"\(barWidth)\" height=\"\(rowHeight - 5)\" class=\"track\"/>\n"
      if rate != nil, den > 0 {
        let filled = Int((Double(min(num, den)) / Double(den) * Double(barWidth)).rounded())
        svg += "<rect x=\"\(labelWidth)\" y=\"\(y + 2)\" width=\"\(filled)\" height=\"\(rowHeight - 5)\" class=\"bar\"/>\n"
      }
      let text = MetricsColumn.percent(column.value(in: line))
      svg +=
        "<text x=\"\(labelWidth + barWidth + 6)\" y=\"\(y + 13)\" class=\"value\" data-unit=\"\(escape(line["code"]?.stringValue ?? ""))\">\(escape(text))</text>\n"
    }
    svg += "</svg>\n</section>\n"
    return svg
  }

  /// The full table: every column of the CSV listing, rates as percentages with numerator and denominator.
  private func table(_ lines: [JSONObject]) -> String {
    var html = "<h2>指标明细 all indicators</h2>\n<table>\n<thead><tr>"
    for column in MetricsColumn.all {
      html += "<th>\(escape(column.chinese))<br/><span class=\"code\">\(escape(column.key))</span></th>"
    }
    html += "</tr></thead>\n<tbody>\n"
    for line in lines {
      html += "<tr>"
      for column in MetricsColumn.all {
        let value = column.value(in: line)
        let text = column.isRate ? MetricsColumn.percent(value) : ListingWriter.tableCell(value)
        html +=
          "<td class=\"\(column.isRate || value.intValue != nil ? "n" : "t")\" data-key=\"\(escape(column.key))\">\(escape(text))</td>"
      }
      html += "</tr>\n"
    }
    return html + "</tbody>\n</table>\n"
  }

  /// Text made safe inside an element or an attribute value: markup characters as references, and
  /// control and format characters as visible escapes (`CellText.visible`), since XML admits no
  /// control character even as a reference and a bidirectional override would reorder the text.
  private func escape(_ text: String) -> String {
    var out = ""
    for character in CellText.visible(text) {
      switch character {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&#39;"
      default: out.append(character)
      }
    }
    return out
  }

  /// The page's style: readable on a screen, on A4 paper landscape so the table's columns fit.
  private static let style = """
    body { font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif; margin: 16px; color: #111; }
    h1 { font-size: 20px; margin: 0 0 4px; }
    h2 { font-size: 14px; margin: 12px 0 4px; }
    .meta { color: #444; font-size: 12px; }
    .chart { break-inside: avoid; page-break-inside: avoid; }
    svg text { font-size: 11px; fill: #111; }
    .track { fill: #eee; }
    .bar { fill: #2f6fb0; }
    table { border-collapse: collapse; font-size: 11px; margin-top: 8px; }
    th, td { border: 1px solid #bbb; padding: 2px 4px; }
    th { background: #f2f2f2; font-weight: 600; }
    th .code { font-weight: normal; color: #666; font-size: 9px; }
    td.n { text-align: right; white-space: nowrap; }
    @page { size: A4 landscape; margin: 12mm; }
    @media print {
      body { margin: 0; }
      table { font-size: 7pt; width: 100%; }
      th .code { font-size: 6pt; }
      thead { display: table-header-group; }
      tr { break-inside: avoid; page-break-inside: avoid; }
      .bar { fill: #555; }
    }
    """
}
