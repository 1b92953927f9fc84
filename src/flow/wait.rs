//! Waiting: how long a 429 asks to wait (`Retry-After`, in seconds or as an
//! HTTP date), and pauses that end early when the run is cancelled.

use std::time::{Duration, SystemTime};

use tokio_util::sync::CancellationToken;

use crate::http::Response;

/// How long the server asks to wait before the next request, from its
/// `Retry-After` header (RFC 9110 §10.2.3: delay-seconds or an HTTP date).
/// A date in the past means now. `None` when the header is absent or
/// unreadable.
pub fn retry_after(response: &Response, now: SystemTime) -> Option<Duration> {
    let value = response.header("retry-after")?.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // An absurdly long number is still "a long time", not an error.
        let secs = value.parse::<u64>().unwrap_or(u64::MAX);
        return Some(Duration::from_secs(secs));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Sleeps for `duration`; `false` when `cancel` fired first.
pub(crate) async fn pause(duration: Duration, cancel: &CancellationToken) -> bool {
    tokio::select! {
        () = cancel.cancelled() => false,
        () = tokio::time::sleep(duration) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_retry_after(value: &str) -> Response {
        Response {
            status: 429,
            headers: vec![("retry-after".into(), value.into())],
            ..Response::default()
        }
    }

    #[test]
    fn seconds_and_http_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777);
        let cases = [
            ("7", Some(7)),
            (" 0 ", Some(0)),
            ("99999999999999999999999", Some(u64::MAX)),
            // 784111777 is Sun, 06 Nov 1994 08:49:37 GMT.
            ("Sun, 06 Nov 1994 08:50:07 GMT", Some(30)),
            ("Sun, 06 Nov 1994 08:49:00 GMT", Some(0)),
            ("Sunday, 06-Nov-94 08:49:47 GMT", Some(10)),
            ("soon", None),
            ("-3", None),
            ("", None),
        ];
        for (value, want) in cases {
            assert_eq!(
                retry_after(&with_retry_after(value), now),
                want.map(Duration::from_secs),
                "{value:?}"
            );
        }
        assert_eq!(retry_after(&Response::default(), now), None);
    }

    #[tokio::test]
    async fn a_pause_ends_when_cancelled() {
        let cancel = CancellationToken::new();
        let trigger = cancel.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(20)).await;
            trigger.cancel();
        });
        let start = std::time::Instant::now();
        assert!(!pause(Duration::from_secs(30), &cancel).await);
        assert!(start.elapsed() < Duration::from_secs(5));
        assert!(pause(Duration::from_millis(1), &CancellationToken::new()).await);
    }
}
