def _escape(text):
    # "&" first, so that the entities added afterwards are not escaped again
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#x27;")
    )


def html_table(header, rows):
    parts = ["<table>\n"]
    if header:
        parts.append("<tr><th>" + "</th><th>".join(map(_escape, header)) + "</th></tr>\n")
    for row in rows:
        if row:
            parts.append("<tr><td>" + "</td><td>".join(map(_escape, row)) + "</td></tr>\n")
        else:
            parts.append("<tr></tr>\n")
    parts.append("</table>\n")
    return "".join(parts)
