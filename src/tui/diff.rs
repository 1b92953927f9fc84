//! A line diff of two response bodies, for comparing a response from
//! history with the current one.
//!
//! Common leading and trailing lines are matched first (two answers of one
//! API mostly differ in a few values); what remains is aligned by a longest
//! common subsequence while its table stays within a budget. Past the
//! budget the middle is shown as removed then added, and the result says it
//! is approximate, so a large body never stalls the interface.

/// How a line of the diff relates the two sides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Same,
    Removed,
    Added,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffLine {
    pub change: Change,
    pub text: String,
}

/// The diff, and whether the budget forced a coarse alignment.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Diff {
    pub lines: Vec<DiffLine>,
    pub approximate: bool,
}

impl Diff {
    pub fn count(&self, change: Change) -> usize {
        self.lines.iter().filter(|l| l.change == change).count()
    }

    pub fn is_identical(&self) -> bool {
        self.lines.iter().all(|l| l.change == Change::Same)
    }
}

/// Table cells the LCS may use: 4 million cells of `u32` is 16 MB at most,
/// and well under a second even on a loaded machine.
pub const DEFAULT_BUDGET: usize = 4_000_000;

/// Both bodies as lines to compare: JSON pretty-printed the same way on
/// both sides (so a compact and an indented answer compare by content),
/// anything else as it is.
pub fn normalise(body: &[u8]) -> String {
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(body)
        && let Ok(text) = serde_json::to_string_pretty(&value)
    {
        return text;
    }
    String::from_utf8_lossy(body).into_owned()
}

/// The lines of `old` and `new`, each marked same, removed or added.
pub fn diff_lines(old: &str, new: &str, budget: usize) -> Diff {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (a_mid, b_mid) = (&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);
    let mut diff = Diff::default();
    let same = |text: &str| DiffLine {
        change: Change::Same,
        text: text.to_string(),
    };
    diff.lines.extend(a[..prefix].iter().map(|t| same(t)));
    let cells = (a_mid.len() + 1).saturating_mul(b_mid.len() + 1);
    if cells <= budget {
        diff.lines.extend(lcs(a_mid, b_mid));
    } else {
        diff.approximate = true;
        diff.lines.extend(a_mid.iter().map(|t| DiffLine {
            change: Change::Removed,
            text: (*t).to_string(),
        }));
        diff.lines.extend(b_mid.iter().map(|t| DiffLine {
            change: Change::Added,
            text: (*t).to_string(),
        }));
    }
    diff.lines
        .extend(a[a.len() - suffix..].iter().map(|t| same(t)));
    diff
}

/// The classic dynamic programme: `table[i][j]` is the LCS length of
/// `a[i..]` and `b[j..]`, walked forwards to emit the lines.
fn lcs(a: &[&str], b: &[&str]) -> Vec<DiffLine> {
    let width = b.len() + 1;
    let mut table = vec![0u32; (a.len() + 1) * width];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            table[i * width + j] = if a[i] == b[j] {
                table[(i + 1) * width + j + 1] + 1
            } else {
                table[(i + 1) * width + j].max(table[i * width + j + 1])
            };
        }
    }
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if a[i] == b[j] {
            out.push(DiffLine {
                change: Change::Same,
                text: a[i].to_string(),
            });
            i += 1;
            j += 1;
        } else if table[(i + 1) * width + j] >= table[i * width + j + 1] {
            out.push(DiffLine {
                change: Change::Removed,
                text: a[i].to_string(),
            });
            i += 1;
        } else {
            out.push(DiffLine {
                change: Change::Added,
                text: b[j].to_string(),
            });
            j += 1;
        }
    }
    out.extend(a[i..].iter().map(|t| DiffLine {
        change: Change::Removed,
        text: (*t).to_string(),
    }));
    out.extend(b[j..].iter().map(|t| DiffLine {
        change: Change::Added,
        text: (*t).to_string(),
    }));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(diff: &Diff) -> String {
        diff.lines
            .iter()
            .map(|l| {
                let mark = match l.change {
                    Change::Same => ' ',
                    Change::Removed => '-',
                    Change::Added => '+',
                };
                format!("{mark}{}\n", l.text)
            })
            .collect()
    }

    #[test]
    fn changed_value_in_the_middle() {
        let old = "{\n  \"StatusCode\": \"Running\",\n  \"Details\": null\n}";
        let new = "{\n  \"StatusCode\": \"Finished\",\n  \"Details\": null\n}";
        let diff = diff_lines(old, new, DEFAULT_BUDGET);
        assert_eq!(
            render(&diff),
            " {\n-  \"StatusCode\": \"Running\",\n+  \"StatusCode\": \"Finished\",\n   \"Details\": null\n }\n"
        );
        assert!(!diff.approximate);
        assert_eq!(diff.count(Change::Added), 1);
    }

    #[test]
    fn insertions_deletions_and_identity() {
        let diff = diff_lines("a\nb\nc\nd", "a\nc\nd\ne", DEFAULT_BUDGET);
        assert_eq!(render(&diff), " a\n-b\n c\n d\n+e\n");
        assert!(diff_lines("x\ny", "x\ny", DEFAULT_BUDGET).is_identical());
        assert_eq!(render(&diff_lines("", "new", DEFAULT_BUDGET)), "+new\n");
    }

    #[test]
    fn past_the_budget_the_middle_is_coarse() {
        let old: String = (0..300).map(|i| format!("old {i}\n")).collect();
        let new: String = (0..300).map(|i| format!("new {i}\n")).collect();
        let diff = diff_lines(&format!("top\n{old}end"), &format!("top\n{new}end"), 1000);
        assert!(diff.approximate);
        assert_eq!(diff.count(Change::Removed), 300);
        assert_eq!(diff.count(Change::Added), 300);
        assert_eq!(diff.lines.first().map(|l| l.text.as_str()), Some("top"));
        assert_eq!(diff.lines.last().map(|l| l.text.as_str()), Some("end"));
    }

    #[test]
    fn json_compares_by_content() {
        let a = normalise(br#"{"a":1,"b":[1,2]}"#);
        let b = normalise(b"{\n    \"a\": 1,\n    \"b\": [1, 2]\n}");
        assert_eq!(a, b);
        assert_eq!(normalise(b"plain text"), "plain text");
    }
}
