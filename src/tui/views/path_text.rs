//! How an operation's path reads in a column too narrow for it: what
//! tells it from its neighbours is kept (its literal segments, its end),
//! what they share gives way first (template names, then the middle).

use std::borrow::Cow;

use crate::sanitize::{ELLIPSIS, display_width, truncate, truncate_start};

/// `path` with each template's name left out (`/gists/{}/comments`): in
/// a narrow column the literal segments tell paths apart, the names of
/// their parameters rarely do.
fn squeeze_templates(path: &str) -> Cow<'_, str> {
    if !path.contains('{') {
        return Cow::Borrowed(path);
    }
    let mut out = String::with_capacity(path.len());
    let mut in_template = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_template = true;
                out.push('{');
            }
            '}' => {
                in_template = false;
                out.push('}');
            }
            _ if in_template => {}
            _ => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// `path` in at most `width` cells: whole; else with its templates'
/// names left out; else its first segment and as many of its last ones
/// as fit with the middle elided (`/repos/…/comments/{}/reactions`); at
/// least its end.
pub(super) fn elide_path(path: &str, width: usize) -> String {
    if display_width(path) <= width {
        return path.to_string();
    }
    let path = squeeze_templates(path);
    if display_width(&path) <= width {
        return path.into_owned();
    }
    let segments: Vec<&str> = path.split('/').collect();
    // ["", "repos", ...]: the head is "/repos".
    if segments.len() > 3 {
        let head = format!("{}/{}/{ELLIPSIS}", segments[0], segments[1]);
        let mut tail = String::new();
        for segment in segments[2..].iter().rev() {
            let longer = format!("/{segment}{tail}");
            if display_width(&head) + display_width(&longer) > width {
                break;
            }
            tail = longer;
        }
        if !tail.is_empty() {
            return head + &tail;
        }
    }
    truncate_start(&path, width).into_owned()
}

/// `path` from its segment `from` on (`…/issues/comments/…`), in at most
/// `width` cells: where paths that read alike differ. Templates lose their
/// names when that is what it takes to keep the end.
pub(super) fn path_from_segment(path: &str, from: usize, width: usize) -> String {
    let from_segment = |path: &str| {
        let rest: Vec<&str> = path.split('/').skip(from).collect();
        if from <= 1 {
            path.to_string()
        } else {
            format!("{ELLIPSIS}/{}", rest.join("/"))
        }
    };
    let shown = from_segment(path);
    if display_width(&shown) <= width {
        return shown;
    }
    truncate(&from_segment(&squeeze_templates(path)), width).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const COMMENT_REACTIONS: &str = "/repos/{owner}/{repo}/comments/{comment_id}/reactions";
    const ISSUE_REACTIONS: &str = "/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions";

    #[test]
    fn a_path_that_fits_is_shown_whole() {
        assert_eq!(elide_path("/user", 10), "/user");
        assert_eq!(elide_path(COMMENT_REACTIONS, 60), COMMENT_REACTIONS);
    }

    #[test]
    fn template_names_go_before_segments_do() {
        assert_eq!(
            elide_path(COMMENT_REACTIONS, 40),
            "/repos/{}/{}/comments/{}/reactions"
        );
        // GitHub's comment reactions at the 24 cells an open operation
        // leaves: the end that says what the operation is stays.
        assert_eq!(elide_path(COMMENT_REACTIONS, 24), "/repos/…/{}/reactions");
        assert_eq!(
            path_from_segment(ISSUE_REACTIONS, 4, 24),
            "…/issues/comments/{}/re…"
        );
        assert_eq!(
            path_from_segment(ISSUE_REACTIONS, 4, 40),
            "…/issues/comments/{comment_id}/reactions"
        );
    }

    #[test]
    fn at_least_the_end_is_shown() {
        assert_eq!(elide_path("/averyveryverylongsegment", 8), "…segment");
    }
}
