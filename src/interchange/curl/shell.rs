//! Shell words of a curl command: POSIX quoting, ANSI-C `$'...'` quoting,
//! line continuations and comments, read into bytes; and the one pipe
//! form export writes (`printf '%b' '...' | curl ...`).

use super::CurlError;

#[derive(Debug, PartialEq, Eq)]
pub(super) enum Token {
    Word(Vec<u8>),
    /// A `|` outside quotes, at this character offset.
    Pipe(usize),
}

/// POSIX shell word splitting over a single command: quotes, backslashes,
/// line continuations (also with CRLF), `$'...'` and `#` comments. No
/// expansion: `$HOME` stays as typed.
pub(super) fn tokenize(cmd: &str) -> Result<Vec<Token>, CurlError> {
    let chars: Vec<char> = cmd.chars().collect();
    let mut tokens = Vec::new();
    let mut word: Vec<u8> = Vec::new();
    let mut in_word = false;
    let mut i = 0;
    let push_char = |word: &mut Vec<u8>, c: char| {
        let mut buf = [0u8; 4];
        word.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
    };
    let is_newline_at = |i: usize| {
        chars.get(i) == Some(&'\n')
            || (chars.get(i) == Some(&'\r') && chars.get(i + 1) == Some(&'\n'))
    };
    let newline_len = |i: usize| if chars.get(i) == Some(&'\r') { 2 } else { 1 };
    while i < chars.len() {
        let c = chars[i];
        match c {
            ' ' | '\t' | '\n' | '\r' => {
                if in_word {
                    tokens.push(Token::Word(std::mem::take(&mut word)));
                    in_word = false;
                }
                i += 1;
            }
            '\\' => {
                if is_newline_at(i + 1) {
                    i += 1 + newline_len(i + 1);
                } else {
                    if let Some(&next) = chars.get(i + 1) {
                        push_char(&mut word, next);
                    }
                    in_word = true;
                    i += 2;
                }
            }
            '\'' => {
                let start = i;
                i += 1;
                loop {
                    match chars.get(i) {
                        None => {
                            return Err(CurlError::UnterminatedQuote {
                                quote: "single",
                                offset: start,
                            });
                        }
                        Some('\'') => break,
                        Some(&ch) => push_char(&mut word, ch),
                    }
                    i += 1;
                }
                in_word = true;
                i += 1;
            }
            '"' => {
                i = read_double_quoted(&chars, i, &mut word)?;
                in_word = true;
            }
            '$' if chars.get(i + 1) == Some(&'\'') => {
                i = read_ansi_c(&chars, i, &mut word)?;
                in_word = true;
            }
            '$' if chars.get(i + 1) == Some(&'"') => {
                i = read_double_quoted(&chars, i + 1, &mut word)?;
                in_word = true;
            }
            '#' if !in_word => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '|' => {
                if in_word {
                    tokens.push(Token::Word(std::mem::take(&mut word)));
                    in_word = false;
                }
                tokens.push(Token::Pipe(i));
                i += 1;
            }
            ';' | '&' | '<' | '>' | '`' => {
                return Err(CurlError::ShellSyntax {
                    syntax: c.to_string(),
                    offset: i,
                });
            }
            '$' if chars.get(i + 1) == Some(&'(') => {
                return Err(CurlError::ShellSyntax {
                    syntax: "$(".into(),
                    offset: i,
                });
            }
            _ => {
                push_char(&mut word, c);
                in_word = true;
                i += 1;
            }
        }
    }
    if in_word {
        tokens.push(Token::Word(word));
    }
    Ok(tokens)
}

/// Reads `"..."` starting at the opening quote; returns the index after the
/// closing one. Inside, a backslash escapes only `$ \` " \` and a newline.
fn read_double_quoted(chars: &[char], open: usize, word: &mut Vec<u8>) -> Result<usize, CurlError> {
    let mut i = open + 1;
    let mut buf = [0u8; 4];
    loop {
        match chars.get(i) {
            None => {
                return Err(CurlError::UnterminatedQuote {
                    quote: "double",
                    offset: open,
                });
            }
            Some('"') => return Ok(i + 1),
            Some('\\') => match chars.get(i + 1) {
                Some('\n') => i += 2,
                Some('\r') if chars.get(i + 2) == Some(&'\n') => i += 3,
                Some(&next @ ('$' | '`' | '"' | '\\')) => {
                    word.extend_from_slice(next.encode_utf8(&mut buf).as_bytes());
                    i += 2;
                }
                _ => {
                    word.push(b'\\');
                    i += 1;
                }
            },
            Some(&c) => {
                word.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                i += 1;
            }
        }
    }
}

/// Reads `$'...'` (bash's ANSI-C quoting) starting at the `$`; returns the
/// index after the closing quote. Escapes may produce any byte.
fn read_ansi_c(chars: &[char], dollar: usize, word: &mut Vec<u8>) -> Result<usize, CurlError> {
    let mut i = dollar + 2;
    let mut buf = [0u8; 4];
    let digits = |start: usize, max: usize, radix: u32| -> (u32, usize) {
        let mut value = 0u32;
        let mut n = 0;
        while n < max {
            match chars.get(start + n).and_then(|c| c.to_digit(radix)) {
                Some(d) => {
                    value = value.wrapping_mul(radix).wrapping_add(d);
                    n += 1;
                }
                None => break,
            }
        }
        (value, n)
    };
    loop {
        match chars.get(i) {
            None => {
                return Err(CurlError::UnterminatedQuote {
                    quote: "$'",
                    offset: dollar,
                });
            }
            Some('\'') => return Ok(i + 1),
            Some('\\') => {
                let Some(&e) = chars.get(i + 1) else {
                    return Err(CurlError::UnterminatedQuote {
                        quote: "$'",
                        offset: dollar,
                    });
                };
                i += 2;
                let simple = match e {
                    'a' => Some(0x07),
                    'b' => Some(0x08),
                    'e' | 'E' => Some(0x1b),
                    'f' => Some(0x0c),
                    'n' => Some(b'\n'),
                    'r' => Some(b'\r'),
                    't' => Some(b'\t'),
                    'v' => Some(0x0b),
                    '\\' => Some(b'\\'),
                    '\'' => Some(b'\''),
                    '"' => Some(b'"'),
                    '?' => Some(b'?'),
                    _ => None,
                };
                if let Some(b) = simple {
                    word.push(b);
                    continue;
                }
                match e {
                    '0'..='7' => {
                        let (v, n) = digits(i - 1, 3, 8);
                        // Octal escapes name a byte; bash keeps the low 8 bits.
                        word.push((v & 0xff) as u8);
                        i += n - 1;
                    }
                    'x' => {
                        let (v, n) = digits(i, 2, 16);
                        if n == 0 {
                            word.extend_from_slice(b"\\x");
                        } else {
                            word.push((v & 0xff) as u8);
                            i += n;
                        }
                    }
                    'u' | 'U' => {
                        let (v, n) = digits(i, if e == 'u' { 4 } else { 8 }, 16);
                        match char::from_u32(v).filter(|_| n > 0) {
                            Some(c) => {
                                word.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                                i += n;
                            }
                            None => {
                                word.push(b'\\');
                                word.extend_from_slice(e.encode_utf8(&mut buf).as_bytes());
                            }
                        }
                    }
                    'c' => {
                        if let Some(&c) = chars.get(i) {
                            word.push((c as u32 & 0x1f) as u8);
                            i += 1;
                        }
                    }
                    other => {
                        word.push(b'\\');
                        word.extend_from_slice(other.encode_utf8(&mut buf).as_bytes());
                    }
                }
            }
            Some(&c) => {
                word.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                i += 1;
            }
        }
    }
}

/// The bytes `printf '%b' ARG` writes, for the one pipe form export uses.
pub(super) fn printf_input(tokens: &[Token]) -> Option<Vec<u8>> {
    let [Token::Word(p), Token::Word(fmt), Token::Word(arg)] = tokens else {
        return None;
    };
    if p.as_slice() != b"printf" || fmt.as_slice() != b"%b" {
        return None;
    }
    let mut out = Vec::with_capacity(arg.len());
    let mut i = 0;
    while i < arg.len() {
        if arg[i] == b'\\' && i + 1 < arg.len() {
            match arg[i + 1] {
                b'\\' => {
                    out.push(b'\\');
                    i += 2;
                }
                b'0' => {
                    let mut v: u32 = 0;
                    let mut n = 0;
                    while n < 3 && i + 2 + n < arg.len() && (b'0'..=b'7').contains(&arg[i + 2 + n])
                    {
                        v = v * 8 + u32::from(arg[i + 2 + n] - b'0');
                        n += 1;
                    }
                    out.push((v & 0xff) as u8);
                    i += 2 + n;
                }
                b'n' => {
                    out.push(b'\n');
                    i += 2;
                }
                b't' => {
                    out.push(b'\t');
                    i += 2;
                }
                b'r' => {
                    out.push(b'\r');
                    i += 2;
                }
                _ => {
                    out.push(b'\\');
                    i += 1;
                }
            }
        } else {
            out.push(arg[i]);
            i += 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interchange::curl::export::printf_escape;

    fn words(cmd: &str) -> Vec<Vec<u8>> {
        tokenize(cmd)
            .expect("tokenizes")
            .into_iter()
            .filter_map(|t| match t {
                Token::Word(w) => Some(w),
                Token::Pipe(_) => None,
            })
            .collect()
    }

    #[test]
    fn ansi_c_escapes() {
        let cases: [(&str, &[u8]); 10] = [
            (r"$'a\nb\tc'", b"a\nb\tc"),
            (r"$'it\'s'", b"it's"),
            (r"$'\x41\x4a\x0'", b"AJ\0"),
            (r"$'\101\0'", b"A\0"),
            (r"$'\u00e9\U0001F600'", "é😀".as_bytes()),
            (r"$'\xff\xfe'", &[0xff, 0xfe]),
            (r"$'\cA\e\\'", &[1, 0x1b, b'\\']),
            (r"$'\q'", br"\q"),
            (r#"$'a'"b"'c'd"#, b"abcd"),
            (r#""\$x \"q\" \a""#, br#"$x "q" \a"#),
        ];
        for (input, want) in cases {
            assert_eq!(words(input), vec![want.to_vec()], "{input}");
        }
    }

    #[test]
    fn words_continuations_and_comments() {
        assert_eq!(
            words("curl \\\n  -H 'a: b' # a comment\n  x\\ y"),
            vec![
                b"curl".to_vec(),
                b"-H".to_vec(),
                b"a: b".to_vec(),
                b"x y".to_vec()
            ]
        );
        assert_eq!(words("a\"b\\\nc\"d"), vec![b"abcd".to_vec()]);
        assert!(matches!(
            tokenize("$'x"),
            Err(CurlError::UnterminatedQuote {
                quote: "$'",
                offset: 0
            })
        ));
    }

    #[test]
    fn printf_pipe_round_trip() {
        let bytes: Vec<u8> = (0..=255).collect();
        let escaped = printf_escape(&bytes);
        let tokens = vec![
            Token::Word(b"printf".to_vec()),
            Token::Word(b"%b".to_vec()),
            Token::Word(escaped.into_bytes()),
        ];
        assert_eq!(printf_input(&tokens), Some(bytes));
    }
}
