//! The little CSV reader and writer the batch jobs need (RFC 4180: commas,
//! double-quoted fields with `""` escapes, LF or CRLF line ends).
//!
//! Strict on purpose: a job whose input is "not CSV" must fail with a
//! message that says where, instead of hashing garbage.

/// A parsed table: the header row and the data rows, all the same width.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// Parses CSV text. Blank lines are skipped; every row must have as many
/// fields as the header.
pub fn parse(text: &str) -> Result<Table, String> {
    let records = records(text)?;
    let mut iter = records.into_iter();
    let Some((_, header)) = iter.next() else {
        return Err("it is empty (no header row)".into());
    };
    let mut rows = Vec::new();
    for (line, row) in iter {
        if row.len() != header.len() {
            return Err(format!(
                "line {line} has {} fields but the header has {}",
                row.len(),
                header.len()
            ));
        }
        rows.push(row);
    }
    Ok(Table { header, rows })
}

/// Splits text into records, each with the line number it starts on.
fn records(text: &str) -> Result<Vec<(usize, Vec<String>)>, String> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    let mut line = 1usize;
    let mut record_line = 1usize;
    let mut fields: Vec<String> = Vec::new();
    let mut field = String::new();
    // Whether the current field was quoted (a quoted empty field is still a field).
    let mut quoted = false;
    let mut at_field_start = true;

    let end_record = |fields: &mut Vec<String>, out: &mut Vec<(usize, Vec<String>)>, at: usize| {
        let done = std::mem::take(fields);
        // A blank line is one empty unquoted field: skip it.
        if !(done.len() == 1 && done.first().is_some_and(String::is_empty)) {
            out.push((at, done));
        }
    };

    while let Some(c) = chars.next() {
        match c {
            '"' if at_field_start => {
                quoted = true;
                at_field_start = false;
                let start_line = line;
                loop {
                    match chars.next() {
                        Some('"') => {
                            if chars.peek() == Some(&'"') {
                                chars.next();
                                field.push('"');
                            } else {
                                break;
                            }
                        }
                        Some(ch) => {
                            if ch == '\n' {
                                line += 1;
                            }
                            field.push(ch);
                        }
                        None => {
                            return Err(format!(
                                "line {start_line}: a quoted field is never closed"
                            ));
                        }
                    }
                }
                match chars.peek() {
                    None | Some(',' | '\n' | '\r') => {}
                    Some(other) => {
                        return Err(format!(
                            "line {line}: `{other}` after a closing quote (expected a comma or a line end)"
                        ));
                    }
                }
            }
            '"' => {
                return Err(format!("line {line}: a quote inside an unquoted field"));
            }
            ',' => {
                fields.push(std::mem::take(&mut field));
                quoted = false;
                at_field_start = true;
            }
            '\r' | '\n' => {
                if c == '\r' && chars.peek() == Some(&'\n') {
                    chars.next();
                }
                fields.push(std::mem::take(&mut field));
                end_record(&mut fields, &mut out, record_line);
                quoted = false;
                at_field_start = true;
                line += 1;
                record_line = line;
            }
            other => {
                field.push(other);
                at_field_start = false;
            }
        }
    }
    if !at_field_start || quoted || !fields.is_empty() {
        fields.push(field);
        end_record(&mut fields, &mut out, record_line);
    }
    Ok(out)
}

/// Writes one CSV row (with a CRLF-free `\n` end), quoting where needed.
pub fn write_row(out: &mut String, fields: &[String]) {
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        if f.contains([',', '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&f.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(f);
        }
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| (*x).to_string()).collect()
    }

    #[test]
    fn parses_quotes_blank_lines_and_crlf() {
        let t = parse("Col1,Col2\r\n1,\"a, \"\"b\"\"\nc\"\r\n\n2,\"\"\n3,x").expect("valid");
        assert_eq!(t.header, s(&["Col1", "Col2"]));
        assert_eq!(
            t.rows,
            vec![s(&["1", "a, \"b\"\nc"]), s(&["2", ""]), s(&["3", "x"])]
        );
    }

    #[test]
    fn rejects_what_is_not_csv() {
        assert_eq!(parse("").expect_err("empty"), "it is empty (no header row)");
        assert_eq!(
            parse("a,b\n1,2\n3\n").expect_err("ragged"),
            "line 3 has 1 fields but the header has 2"
        );
        assert!(parse("{\"a\": 1}").expect_err("json").contains("line 1"));
        assert!(
            parse("a\n\"open")
                .expect_err("open")
                .contains("never closed")
        );
        assert!(
            parse("a\n\"x\"y")
                .expect_err("junk")
                .contains("after a closing quote")
        );
    }

    #[test]
    fn writes_what_it_reads() {
        let rows = vec![s(&["a", "b,c"]), s(&["say \"hi\"", "x\ny"])];
        let mut text = String::new();
        for r in &rows {
            write_row(&mut text, r);
        }
        let t = parse(&text).expect("round trip");
        assert_eq!(t.header, rows[0]);
        assert_eq!(t.rows, vec![rows[1].clone()]);
    }
}
