//! Usage statistics from history, per operation: calls, status
//! classes, latency percentiles and a time series of calls, as the usage
//! dashboard and `portico history --stats` show them.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Serialize;

use super::{HistoryEntry, StatusClass, Timestamp};
use crate::catalog::OperationKey;

/// The time axis of a usage sparkline: `buckets` buckets of `bucket`
/// each, the last one ending at `end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeriesSpec {
    pub end: Timestamp,
    pub bucket: Duration,
    pub buckets: usize,
}

impl SeriesSpec {
    /// The last `buckets` hours up to now.
    pub fn hours(buckets: usize) -> Self {
        Self {
            end: Timestamp::now(),
            bucket: Duration::from_secs(3600),
            buckets,
        }
    }

    fn start(&self) -> i64 {
        let span = self
            .bucket_ms()
            .saturating_mul(i64::try_from(self.buckets).unwrap_or(i64::MAX));
        self.end.0.saturating_sub(span)
    }

    fn bucket_ms(&self) -> i64 {
        i64::try_from(self.bucket.as_millis())
            .unwrap_or(i64::MAX)
            .max(1)
    }

    fn index(&self, time: Timestamp) -> Option<usize> {
        if time.0 < self.start() || time.0 >= self.end.0 {
            return None;
        }
        usize::try_from(time.0.checked_sub(self.start())? / self.bucket_ms()).ok()
    }
}

/// Latency percentiles in milliseconds, by the nearest-rank method: the
/// p-th percentile is the smallest value with at least p% of the values
/// at or below it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Latency {
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub max_ms: f64,
}

impl Latency {
    pub fn of(values: &[f64]) -> Option<Self> {
        let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
        if sorted.is_empty() {
            return None;
        }
        sorted.sort_by(f64::total_cmp);
        let rank = |p: usize| {
            let n = sorted.len();
            let rank = (p * n).div_ceil(100).clamp(1, n);
            sorted[rank - 1]
        };
        Some(Self {
            p50_ms: rank(50),
            p95_ms: rank(95),
            max_ms: sorted[sorted.len() - 1],
        })
    }
}

/// One operation's usage, from history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OperationStats {
    pub operation: Option<OperationKey>,
    pub calls: usize,
    /// Calls per status class; classes with no call are absent.
    pub by_class: BTreeMap<StatusClass, usize>,
    /// Over the calls that got a response (a failed send has no latency
    /// worth comparing: it is the timeout or the time to be refused).
    pub latency: Option<Latency>,
    pub first: Option<Timestamp>,
    pub last: Option<Timestamp>,
    /// Calls per bucket of the [`SeriesSpec`], oldest first.
    pub series: Vec<usize>,
    /// Calls per bucket that ended 4xx, 5xx or failed.
    pub series_errors: Vec<usize>,
}

impl OperationStats {
    pub fn count(&self, class: StatusClass) -> usize {
        self.by_class.get(&class).copied().unwrap_or(0)
    }
}

/// Statistics of the entries made from one operation (`None`: those made
/// from no catalog operation).
pub fn stats(
    entries: &[HistoryEntry],
    operation: Option<&OperationKey>,
    spec: SeriesSpec,
) -> OperationStats {
    let chosen: Vec<&HistoryEntry> = entries
        .iter()
        .filter(|e| e.operation.as_ref() == operation)
        .collect();
    stats_of(operation.cloned(), &chosen, spec)
}

/// Statistics for every operation in the entries, most called first.
pub fn stats_by_operation(entries: &[HistoryEntry], spec: SeriesSpec) -> Vec<OperationStats> {
    let mut groups: Vec<(Option<OperationKey>, Vec<&HistoryEntry>)> = Vec::new();
    for entry in entries {
        match groups.iter_mut().find(|(key, _)| *key == entry.operation) {
            Some((_, group)) => group.push(entry),
            None => groups.push((entry.operation.clone(), vec![entry])),
        }
    }
    let mut all: Vec<OperationStats> = groups
        .into_iter()
        .map(|(key, group)| stats_of(key, &group, spec))
        .collect();
    all.sort_by(|a, b| {
        b.calls
            .cmp(&a.calls)
            .then_with(|| a.operation.cmp(&b.operation))
    });
    all
}

fn stats_of(
    operation: Option<OperationKey>,
    entries: &[&HistoryEntry],
    spec: SeriesSpec,
) -> OperationStats {
    let mut by_class = BTreeMap::new();
    let mut latencies = Vec::new();
    let mut series = vec![0; spec.buckets];
    let mut series_errors = vec![0; spec.buckets];
    for entry in entries {
        let class = entry.status_class();
        *by_class.entry(class).or_insert(0) += 1;
        if entry.response.is_some() {
            latencies.push(entry.timing.total_ms);
        }
        if let Some(i) = spec.index(entry.time) {
            series[i] += 1;
            if matches!(
                class,
                StatusClass::ClientError | StatusClass::ServerError | StatusClass::Failed
            ) {
                series_errors[i] += 1;
            }
        }
    }
    OperationStats {
        operation,
        calls: entries.len(),
        by_class,
        latency: Latency::of(&latencies),
        first: entries.iter().map(|e| e.time).min(),
        last: entries.iter().map(|e| e.time).max(),
        series,
        series_errors,
    }
}
