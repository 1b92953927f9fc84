//! Go samples with `net/http`. Go strings are bytes, so one interpreted
//! literal carries any body exactly (invalid UTF-8 as `\xNN`). Headers are
//! set in the map by their exact names: `Header.Add` would rewrite
//! `x-api-key` as `X-Api-Key`.

use super::{Body, BuiltRequest, body, invisible, line_literals, quote_bytes_with};

pub(super) fn render(req: &BuiltRequest) -> String {
    // A file is read whole, so the request has a length (an open file
    // would go out chunked).
    let imports: &[&str] = match body(req) {
        Body::File(_) => &["bytes", "fmt", "io", "net/http", "os"],
        Body::None => &["fmt", "io", "net/http"],
        Body::Text(_) | Body::Bytes(_) => &["fmt", "io", "net/http", "strings"],
    };
    let mut out = String::from("package main\n\nimport (\n");
    for import in imports {
        out.push_str(&format!("\t\"{import}\"\n"));
    }
    out.push_str(")\n\nfunc main() {\n");
    let reader = match (body(req), &req.body) {
        (Body::File(path), _) => {
            out.push_str(&format!(
                "\tdata, err := os.ReadFile({})\n\tif err != nil {{\n\t\tpanic(err)\n\t}}\n\tbody := bytes.NewReader(data)\n",
                literal(path.as_bytes())
            ));
            "body"
        }
        (_, Some(bytes)) => {
            let text = match line_literals(bytes, literal, " +", "\t\t") {
                Some(lines) => format!("\n\t\t{lines},\n\t"),
                None => literal(bytes),
            };
            out.push_str(&format!("\tbody := strings.NewReader({text})\n"));
            "body"
        }
        (_, None) => "nil",
    };
    out.push_str(&format!(
        "\treq, err := http.NewRequest({}, {}, {reader})\n\tif err != nil {{\n\t\tpanic(err)\n\t}}\n",
        literal(req.method.as_bytes()),
        literal(req.url.as_bytes())
    ));
    // One map entry per name, its values in order.
    let mut names: Vec<&str> = Vec::new();
    for (name, _) in &req.headers {
        if !names.contains(&name.as_str()) {
            names.push(name);
        }
    }
    for name in names {
        let values: Vec<String> = req
            .headers
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| literal(v.as_bytes()))
            .collect();
        out.push_str(&format!(
            "\treq.Header[{}] = []string{{{}}}\n",
            literal(name.as_bytes()),
            values.join(", ")
        ));
    }
    out.push_str(
        "\tresp, err := http.DefaultClient.Do(req)\n\tif err != nil {\n\t\tpanic(err)\n\t}\n\
         \tdefer resp.Body.Close()\n\tout, err := io.ReadAll(resp.Body)\n\tif err != nil {\n\t\tpanic(err)\n\t}\n\
         \tfmt.Println(resp.Status)\n\tfmt.Println(string(out))\n}\n",
    );
    out
}

fn literal(bytes: &[u8]) -> String {
    quote_bytes_with(bytes, |c| {
        Some(match c {
            '\\' => r"\\".into(),
            '"' => "\\\"".into(),
            '\n' => r"\n".into(),
            '\r' => r"\r".into(),
            '\t' => r"\t".into(),
            c if invisible(c) => match u32::from(c) {
                n @ 0..=0x7f => format!("\\x{n:02x}"),
                n => format!("\\u{n:04x}"),
            },
            _ => return None,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_carry_any_bytes() {
        assert_eq!(
            literal(b"a\"\\\n\x00\xff\xc3\xa9`"),
            r#""a\"\\\n\x00\xffé`""#
        );
    }
}
