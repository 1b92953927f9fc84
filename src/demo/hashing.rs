//! Feature hashing, the "model" behind the demo's ML service.
//!
//! A text is split into words: maximal runs of alphanumeric characters
//! (Unicode), lower-cased. Its features are the unigrams (`good`) and the
//! bigrams of adjacent words joined by one space (`good day`). Each feature
//! is hashed with FNV-1a 32-bit over its UTF-8 bytes (offset basis
//! `0x811c9dc5`, prime `0x01000193`) and counted in bucket
//! `hash mod 2^bits`. "This is a good day" has five unigrams and four
//! bigrams, so its counts sum to 9 whatever `bits` is.
//!
//! The hash is fixed here so that answers are stable across versions and
//! machines; a test pins the buckets of the sample sentence.

/// Buckets are `2^bits`; the classic module's default is small so that the
/// answer fits on a screen.
pub const DEFAULT_BITS: u32 = 3;
/// Bounds `2^bits` columns per row (1024) so answers stay small.
pub const MAX_BITS: u32 = 10;
pub const MIN_BITS: u32 = 1;

/// FNV-1a, 32-bit.
pub fn fnv1a32(bytes: &[u8]) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    for &b in bytes {
        hash ^= u32::from(b);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash
}

/// The lower-cased words of a text.
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Counts of the text's unigrams and bigrams in `2^bits` buckets.
/// `bits` is clamped to `MIN_BITS..=MAX_BITS`.
pub fn hash_features(text: &str, bits: u32) -> Vec<u32> {
    let bits = bits.clamp(MIN_BITS, MAX_BITS);
    let mask = (1u32 << bits) - 1;
    let mut counts = vec![0u32; 1usize << bits];
    let words = words(text);
    let mut bump = |feature: &str| {
        let bucket = (fnv1a32(feature.as_bytes()) & mask) as usize;
        if let Some(c) = counts.get_mut(bucket) {
            *c += 1;
        }
    };
    for w in &words {
        bump(w);
    }
    for pair in words.windows(2) {
        if let [a, b] = pair {
            bump(&format!("{a} {b}"));
        }
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_matches_reference_vectors() {
        assert_eq!(fnv1a32(b""), 0x811c_9dc5);
        assert_eq!(fnv1a32(b"a"), 0xe40c_292c);
        assert_eq!(fnv1a32(b"foobar"), 0xbf9c_f968);
    }

    #[test]
    fn sample_sentence_has_nine_features() {
        let counts = hash_features("This is a good day", DEFAULT_BITS);
        assert_eq!(counts.len(), 8);
        assert_eq!(counts.iter().sum::<u32>(), 9);
        assert_eq!(counts, vec![1, 2, 2, 0, 1, 2, 0, 1]);
    }

    #[test]
    fn words_are_lowercase_alphanumeric_runs() {
        assert_eq!(
            words("  Hello, WORLD!  é-t'é "),
            vec!["hello", "world", "é", "t", "é"]
        );
        assert!(hash_features("", 3).iter().all(|&c| c == 0));
        assert_eq!(hash_features("x", 99).len(), 1 << MAX_BITS);
        assert_eq!(hash_features("x", 0).len(), 2);
    }
}
