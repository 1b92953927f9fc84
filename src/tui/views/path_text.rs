//! How an operation's path reads in a column too narrow for it: what
//! tells it from its neighbours is kept (its literal segments, its end),
//! what they share gives way first (template names, then a namespace most
//! of the API's paths repeat, then the middle).

use std::borrow::Cow;
use std::collections::HashMap;

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

/// The dotted namespace an API's path segments repeat, when a tenth of
/// its operations (and at least 100) do: Microsoft Graph's
/// `microsoft.graph.` (2,268 of 11,422: `/me/microsoft.graph.sendMail`),
/// which tells no two rows apart. A segment counts with two dots or more:
/// Slack's `chat.postMessage` is a name, not a namespace, and Slack's few
/// `admin.apps.…` are too few to be one.
pub(super) fn common_namespace<'a>(paths: impl Iterator<Item = &'a str>) -> Option<String> {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    let mut total = 0;
    for path in paths {
        total += 1;
        let mut seen: Option<&str> = None;
        for segment in path.split('/') {
            if segment.matches('.').count() < 2 || segment.contains('{') {
                continue;
            }
            let prefix = &segment[..=segment.rfind('.').unwrap_or(0)];
            if seen != Some(prefix) {
                *counts.entry(prefix).or_default() += 1;
                seen = Some(prefix);
            }
        }
    }
    counts
        .into_iter()
        .filter(|(_, n)| *n >= 100 && *n * 10 >= total)
        .max_by_key(|(prefix, n)| (*n, std::cmp::Reverse(*prefix)))
        .map(|(prefix, _)| prefix.to_string())
}

/// `path` in at most `width` cells: whole; else with its templates'
/// names left out; else without the API's `namespace` (`/me/…sendMail`);
/// else its first segment and as many of its last ones as fit with the
/// middle elided (`/repos/…/comments/{}/reactions`); at least its end.
pub(super) fn elide_path(path: &str, width: usize, namespace: Option<&str>) -> String {
    if display_width(path) <= width {
        return path.to_string();
    }
    let mut path = squeeze_templates(path);
    if display_width(&path) <= width {
        return path.into_owned();
    }
    if let Some(namespace) = namespace.filter(|n| path.contains(n)) {
        path = Cow::Owned(path.replace(namespace, &ELLIPSIS.to_string()));
        if display_width(&path) <= width {
            return path.into_owned();
        }
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
/// names, then the API's `namespace` goes, when that is what it takes to
/// keep the end.
pub(super) fn path_from_segment(
    path: &str,
    from: usize,
    width: usize,
    namespace: Option<&str>,
) -> String {
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
    let squeezed = from_segment(&squeeze_templates(path));
    let shown = match namespace.filter(|n| display_width(&squeezed) > width && path.contains(n)) {
        Some(namespace) => squeezed.replace(namespace, &ELLIPSIS.to_string()),
        None => squeezed,
    };
    truncate(&shown, width).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const COMMENT_REACTIONS: &str = "/repos/{owner}/{repo}/comments/{comment_id}/reactions";
    const ISSUE_REACTIONS: &str = "/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions";

    #[test]
    fn a_path_that_fits_is_shown_whole() {
        assert_eq!(elide_path("/user", 10, None), "/user");
        assert_eq!(elide_path(COMMENT_REACTIONS, 60, None), COMMENT_REACTIONS);
    }

    #[test]
    fn template_names_go_before_segments_do() {
        assert_eq!(
            elide_path(COMMENT_REACTIONS, 40, None),
            "/repos/{}/{}/comments/{}/reactions"
        );
        // GitHub's comment reactions at the 24 cells an open operation
        // leaves: the end that says what the operation is stays.
        assert_eq!(
            elide_path(COMMENT_REACTIONS, 24, None),
            "/repos/…/{}/reactions"
        );
        assert_eq!(
            path_from_segment(ISSUE_REACTIONS, 4, 24, None),
            "…/issues/comments/{}/re…"
        );
        assert_eq!(
            path_from_segment(ISSUE_REACTIONS, 4, 40, None),
            "…/issues/comments/{comment_id}/reactions"
        );
    }

    #[test]
    fn a_namespace_most_paths_repeat_gives_way() {
        let mut paths: Vec<String> = (0..120)
            .map(|i| format!("/me/messages/{{id}}/microsoft.graph.action{i}"))
            .collect();
        paths.extend((0..600).map(|i| format!("/chat.post{i}")));
        paths.push("/admin.apps.approve".into());
        let namespace = common_namespace(paths.iter().map(String::as_str));
        assert_eq!(namespace.as_deref(), Some("microsoft.graph."));
        assert_eq!(
            elide_path("/me/microsoft.graph.sendMail", 16, namespace.as_deref()),
            "/me/…sendMail"
        );
        assert_eq!(
            elide_path(
                "/users/{user-id}/microsoft.graph.sendMail",
                22,
                namespace.as_deref()
            ),
            "/users/{}/…sendMail"
        );
        assert_eq!(
            path_from_segment(
                "/me/messages/{message-id}/microsoft.graph.send",
                2,
                22,
                namespace.as_deref()
            ),
            "…/messages/{}/…send"
        );
        // Too few, or names rather than namespaces: none.
        assert_eq!(
            common_namespace(paths[30..].iter().map(String::as_str)),
            None
        );
        assert_eq!(
            common_namespace(paths[..99].iter().map(String::as_str)),
            None
        );
    }

    #[test]
    fn at_least_the_end_is_shown() {
        assert_eq!(elide_path("/averyveryverylongsegment", 8, None), "…segment");
    }
}
