//! PHP samples with the curl extension. Strings are double-quoted with
//! every byte that is not printable written as an escape (`\n`, `\xNN`),
//! and `$` escaped so nothing is interpolated; PHP strings are bytes, so
//! any body goes out exactly. Headers follow curl's rules: `Name;` sends
//! an empty value, and `Content-Type:` stops libcurl adding its form type.

use super::{
    Body, BuiltRequest, body, has_body, has_header, invisible, line_literals, quote_bytes_with,
};

pub(super) fn render(req: &BuiltRequest) -> String {
    let mut out = String::from("<?php\n$ch = curl_init();\ncurl_setopt_array($ch, [\n");
    out.push_str(&format!(
        "    CURLOPT_URL => {},\n",
        literal(req.url.as_bytes())
    ));
    match (req.method.as_str(), has_body(req)) {
        ("GET", false) | ("POST", true) => {}
        // A HEAD answer has no body: libcurl must not wait for one.
        ("HEAD", false) => out.push_str("    CURLOPT_NOBODY => true,\n"),
        (method, _) => out.push_str(&format!(
            "    CURLOPT_CUSTOMREQUEST => {},\n",
            literal(method.as_bytes())
        )),
    }
    let mut headers: Vec<String> = req
        .headers
        .iter()
        .map(|(name, value)| {
            if value.is_empty() {
                format!("{name};")
            } else {
                format!("{name}: {value}")
            }
        })
        .collect();
    if has_body(req) && !has_header(req, "content-type") {
        headers.push("Content-Type:".into());
    }
    if !headers.is_empty() {
        out.push_str("    CURLOPT_HTTPHEADER => [\n");
        for header in headers {
            out.push_str(&format!("        {},\n", literal(header.as_bytes())));
        }
        out.push_str("    ],\n");
    }
    match (body(req), &req.body) {
        (Body::File(path), _) => out.push_str(&format!(
            "    CURLOPT_POSTFIELDS => file_get_contents({}),\n",
            literal(path.as_bytes())
        )),
        (_, Some(body)) => {
            let body =
                line_literals(body, literal, " .", "        ").unwrap_or_else(|| literal(body));
            out.push_str(&format!("    CURLOPT_POSTFIELDS => {body},\n"));
        }
        (_, None) => {}
    }
    out.push_str(
        "    CURLOPT_RETURNTRANSFER => true,\n]);\n$response = curl_exec($ch);\n\
         if ($response === false) {\n    fwrite(STDERR, curl_error($ch) . \"\\n\");\n    exit(1);\n}\n\
         echo curl_getinfo($ch, CURLINFO_RESPONSE_CODE), \"\\n\", $response, \"\\n\";\ncurl_close($ch);\n",
    );
    out
}

fn literal(bytes: &[u8]) -> String {
    quote_bytes_with(bytes, |c| {
        Some(match c {
            '\\' => r"\\".into(),
            '"' => "\\\"".into(),
            '$' => r"\$".into(),
            '\n' => r"\n".into(),
            '\r' => r"\r".into(),
            '\t' => r"\t".into(),
            c if invisible(c) => {
                let mut buf = [0u8; 4];
                c.encode_utf8(&mut buf)
                    .bytes()
                    .map(|b| format!("\\x{b:02x}"))
                    .collect()
            }
            _ => return None,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_is_interpolated() {
        assert_eq!(
            literal(b"$x {$y} \\ \" \xff\n"),
            r#""\$x {\$y} \\ \" \xff\n""#
        );
    }
}
