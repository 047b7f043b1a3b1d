def _escape(text):
    out = ""
    for ch in text:
        if ch == "&":
            out += "&amp;"
        elif ch == "<":
            out += "&lt;"
        elif ch == ">":
            out += "&gt;"
        elif ch == '"':
            out += "&quot;"
        elif ch == "'":
            out += "&#x27;"
        else:
            out += ch
    return out


def html_table(header, rows):
    html = "<table>\n"
    if header:
        html += "<tr>"
        for cell in header:
            html += "<th>" + _escape(cell) + "</th>"
        html += "</tr>\n"
    for row in rows:
        html += "<tr>"
        for cell in row:
            html += "<td>" + _escape(cell) + "</td>"
        html += "</tr>\n"
    html += "</table>\n"
    return html
