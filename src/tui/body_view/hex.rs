//! The hex dump: lines of sixteen bytes with their ASCII, and the style of
//! every byte, search matches included.

use std::fmt::Write as _;
use std::ops::Range;

use ratatui::style::Style;

use super::{BodyTheme, HEX_ASCII_COL, HEX_WIDTH};

pub(super) fn hex_line(raw: &[u8], i: usize) -> String {
    let start = i.saturating_mul(HEX_WIDTH);
    let chunk = raw
        .get(start..start.saturating_add(HEX_WIDTH).min(raw.len()))
        .unwrap_or(&[]);
    let mut s = String::with_capacity(HEX_ASCII_COL + HEX_WIDTH + 2);
    let _ = write!(s, "{start:08x}  ");
    for k in 0..HEX_WIDTH {
        if k == HEX_WIDTH / 2 {
            s.push(' ');
        }
        match chunk.get(k) {
            Some(b) => {
                let _ = write!(s, "{b:02x} ");
            }
            None => s.push_str("   "),
        }
    }
    s.push_str(" |");
    s.extend(
        chunk
            .iter()
            .map(|&b| if is_printable(b) { char::from(b) } else { '.' }),
    );
    s.push('|');
    s
}

fn is_printable(b: u8) -> bool {
    (0x20..0x7f).contains(&b)
}

/// Column of byte `k` of a line in its hex part.
pub(super) fn hex_col(k: usize) -> usize {
    10 + 3 * k + usize::from(k >= HEX_WIDTH / 2)
}

/// The style of every byte of hex dump line `i`, matches included.
pub(super) fn hex_styles(
    raw: &[u8],
    i: usize,
    theme: &BodyTheme,
    matches: &[Range<usize>],
    current: Option<usize>,
) -> Vec<Style> {
    let start = i.saturating_mul(HEX_WIDTH);
    let end = start.saturating_add(HEX_WIDTH).min(raw.len());
    let chunk = raw.get(start..end).unwrap_or(&[]);
    let mut styles = vec![theme.text; HEX_ASCII_COL + HEX_WIDTH + 1];
    let mut set = |col: usize, style: Style, patch: bool| {
        if let Some(s) = styles.get_mut(col) {
            *s = if patch { s.patch(style) } else { style };
        }
    };
    for c in 0..8 {
        set(c, theme.hex_offset, false);
    }
    for (k, &b) in chunk.iter().enumerate() {
        let style = if is_printable(b) {
            theme.text
        } else {
            theme.hex_nonprint
        };
        for col in [hex_col(k), hex_col(k) + 1, HEX_ASCII_COL + k] {
            set(col, style, false);
        }
    }
    let first = matches.partition_point(|m| m.end <= start);
    for m in matches.get(first..).unwrap_or(&[]) {
        if m.start >= end {
            break;
        }
        let style = if current == Some(m.start) {
            theme.current_match
        } else {
            theme.search_match
        };
        for byte in m.start.max(start)..m.end.min(end) {
            let k = byte - start;
            for col in [hex_col(k), hex_col(k) + 1, HEX_ASCII_COL + k] {
                set(col, style, true);
            }
            // The space between two matched bytes belongs to the match.
            if byte + 1 < m.end.min(end) && k + 1 != HEX_WIDTH / 2 {
                set(hex_col(k) + 2, style, true);
            }
        }
    }
    styles
}
