//! Quantities written for people: byte sizes, in binary units, and exact
//! counts with thousands separators. One formatter for the whole program,
//! so a cap, a body, a progress count and a history limit read alike.

/// A size for people, in binary units: `512 B`, `2.0 KiB`, `16.0 MiB`.
pub fn size_text(bytes: u64) -> String {
    const UNITS: [&str; 3] = ["KiB", "MiB", "GiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    #[allow(clippy::cast_precision_loss)] // a rounded size for people
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// `16,777,216`: a byte count with thousands separators.
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A measured time (a latency, how long something took), in the one
/// style every face uses: `0.4 ms`, `12 ms`, `850 ms`, `1.2 s`, `95 s`,
/// then minutes and hours as [`duration_text`] counts them.
pub fn elapsed_text(span: std::time::Duration) -> String {
    if span.as_secs() >= 120 {
        return duration_text(span);
    }
    millis_text(span.as_secs_f64() * 1000.0)
}

/// [`elapsed_text`] for a number of milliseconds (statistics).
pub fn millis_text(ms: f64) -> String {
    if ms < 10.0 {
        format!("{ms:.1} ms")
    } else if ms < 1000.0 {
        format!("{ms:.0} ms")
    } else if ms < 10_000.0 {
        format!("{:.1} s", ms / 1000.0)
    } else {
        format!("{:.0} s", ms / 1000.0)
    }
}

/// A span people wait through or count down (a token's life, a device
/// code's, a poll interval): `850 ms`, `5 s`, `59 min`, `3 h`.
pub fn duration_text(span: std::time::Duration) -> String {
    let secs = span.as_secs();
    if secs == 0 {
        format!("{} ms", span.as_millis())
    } else if secs < 120 {
        format!("{secs} s")
    } else if secs < 2 * 3600 {
        format!("{} min", secs / 60)
    } else {
        format!("{} h", secs / 3600)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_counts() {
        assert_eq!(size_text(512), "512 B");
        assert_eq!(size_text(2048), "2.0 KiB");
        assert_eq!(size_text(16 * 1024 * 1024), "16.0 MiB");
        assert_eq!(size_text(5_000_000_000), "4.7 GiB");
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(16_777_216), "16,777,216");
    }

    #[test]
    fn one_style_of_durations() {
        use std::time::Duration;
        assert_eq!(elapsed_text(Duration::from_micros(400)), "0.4 ms");
        assert_eq!(elapsed_text(Duration::from_micros(1500)), "1.5 ms");
        assert_eq!(elapsed_text(Duration::from_millis(850)), "850 ms");
        assert_eq!(elapsed_text(Duration::from_millis(1250)), "1.2 s");
        assert_eq!(elapsed_text(Duration::from_secs(95)), "95 s");
        assert_eq!(elapsed_text(Duration::from_secs(600)), "10 min");
        assert_eq!(millis_text(0.2), "0.2 ms");
        assert_eq!(duration_text(Duration::from_secs(3599)), "59 min");
    }
}
