//! Streaming, bounded decompression of response bodies (`gzip`, `deflate`,
//! `br`).
//!
//! The engine decodes itself rather than letting reqwest do it, so that the
//! response headers stay exactly as received and a corrupt stream is an
//! error rather than a silently short body. Input is pushed chunk by chunk
//! and output is pulled in pieces of at most [`OUT_PIECE`] bytes, so a small
//! compressed chunk that expands enormously (a zip bomb) never lands in
//! memory at once: the caller decides after each piece whether to go on.

use std::io::Write;

use brotli::{BrotliDecompressStream, BrotliResult, BrotliState, HeapAlloc, HuffmanCode};
use bytes::Bytes;
use flate2::write::{DeflateDecoder, GzDecoder, ZlibDecoder};

/// The most output a single [`Decoder::next_piece`] call returns (flate2 may
/// add up to its own 32 KiB buffer on top).
pub(crate) const OUT_PIECE: usize = 64 * 1024;

type Brotli = BrotliState<HeapAlloc<u8>, HeapAlloc<u32>, HeapAlloc<HuffmanCode>>;

enum Inner {
    Identity,
    Gzip(Box<GzDecoder<Vec<u8>>>),
    Zlib(Box<ZlibDecoder<Vec<u8>>>),
    RawDeflate(Box<DeflateDecoder<Vec<u8>>>),
    /// `deflate` is meant to be zlib-wrapped, but servers also send raw
    /// deflate; the first two bytes tell which.
    DeflateUndecided(Vec<u8>),
    Brotli {
        state: Box<Brotli>,
        out: Box<[u8]>,
        done: bool,
        /// The last call filled the output buffer: more may come even
        /// without more input.
        more_output: bool,
    },
}

/// A decoder for one `Content-Encoding`.
pub(crate) struct Decoder {
    inner: Inner,
    name: &'static str,
    pending: Bytes,
    pos: usize,
}

impl Decoder {
    /// The decoder for a `Content-Encoding` value, or `None` when the engine
    /// cannot decode it (an unknown coding, or several stacked), in which
    /// case the body is passed through as received.
    pub(crate) fn for_encoding(encoding: Option<&str>) -> Option<Self> {
        let enc = encoding.unwrap_or("").trim().to_ascii_lowercase();
        let (inner, name) = match enc.as_str() {
            "" | "identity" => (Inner::Identity, "identity"),
            "gzip" | "x-gzip" => (Inner::Gzip(Box::new(GzDecoder::new(Vec::new()))), "gzip"),
            "deflate" => (Inner::DeflateUndecided(Vec::new()), "deflate"),
            "br" => (
                Inner::Brotli {
                    state: Box::new(BrotliState::new(
                        HeapAlloc::default(),
                        HeapAlloc::default(),
                        HeapAlloc::default(),
                    )),
                    out: vec![0u8; OUT_PIECE].into_boxed_slice(),
                    done: false,
                    more_output: false,
                },
                "br",
            ),
            _ => return None,
        };
        Some(Self {
            inner,
            name,
            pending: Bytes::new(),
            pos: 0,
        })
    }

    /// Passes bytes through unchanged.
    pub(crate) fn identity() -> Self {
        Self {
            inner: Inner::Identity,
            name: "identity",
            pending: Bytes::new(),
            pos: 0,
        }
    }

    /// The coding's name, for messages and [`super::Response::decoded_from`].
    pub(crate) fn name(&self) -> &'static str {
        self.name
    }

    pub(crate) fn is_identity(&self) -> bool {
        matches!(self.inner, Inner::Identity)
    }

    /// Hands the decoder the next chunk received. Pull all output with
    /// [`Self::next_piece`] before pushing again.
    pub(crate) fn push(&mut self, chunk: Bytes) {
        debug_assert!(self.pos >= self.pending.len(), "pushed before draining");
        self.pending = chunk;
        self.pos = 0;
    }

    /// The next piece of decoded output, or `None` when the pushed input is
    /// used up.
    pub(crate) fn next_piece(&mut self) -> Result<Option<Bytes>, String> {
        if let Inner::DeflateUndecided(seen) = &mut self.inner {
            seen.extend_from_slice(&self.pending[self.pos..]);
            self.pos = self.pending.len();
            if seen.len() < 2 {
                return Ok(None);
            }
            let head = std::mem::take(seen);
            self.inner = if is_zlib_header(head[0], head[1]) {
                Inner::Zlib(Box::new(ZlibDecoder::new(Vec::new())))
            } else {
                Inner::RawDeflate(Box::new(DeflateDecoder::new(Vec::new())))
            };
            self.pending = Bytes::from(head);
            self.pos = 0;
        }
        let input = &self.pending[self.pos..];
        match &mut self.inner {
            Inner::Identity => {
                if input.is_empty() {
                    return Ok(None);
                }
                let piece = self.pending.slice(self.pos..);
                self.pos = self.pending.len();
                Ok(Some(piece))
            }
            Inner::Gzip(d) => flate_piece(d.as_mut(), input, &mut self.pos, |d| d.get_mut()),
            Inner::Zlib(d) => flate_piece(d.as_mut(), input, &mut self.pos, |d| d.get_mut()),
            Inner::RawDeflate(d) => flate_piece(d.as_mut(), input, &mut self.pos, |d| d.get_mut()),
            Inner::DeflateUndecided(_) => Ok(None),
            Inner::Brotli {
                state,
                out,
                done,
                more_output,
            } => {
                if *done || (input.is_empty() && !*more_output) {
                    // Bytes after the end of the stream are ignored.
                    self.pos = self.pending.len();
                    return Ok(None);
                }
                loop {
                    let mut avail_in = self.pending.len() - self.pos;
                    let mut in_off = self.pos;
                    let mut avail_out = out.len();
                    let mut out_off = 0;
                    let mut total = 0;
                    let result = BrotliDecompressStream(
                        &mut avail_in,
                        &mut in_off,
                        &self.pending,
                        &mut avail_out,
                        &mut out_off,
                        out,
                        &mut total,
                        state,
                    );
                    self.pos = in_off;
                    *more_output = matches!(result, BrotliResult::NeedsMoreOutput);
                    match result {
                        BrotliResult::ResultFailure => {
                            return Err("corrupt brotli stream".to_string());
                        }
                        BrotliResult::ResultSuccess => {
                            *done = true;
                            self.pos = self.pending.len();
                        }
                        BrotliResult::NeedsMoreInput | BrotliResult::NeedsMoreOutput => {}
                    }
                    if out_off > 0 {
                        return Ok(Some(Bytes::copy_from_slice(&out[..out_off])));
                    }
                    if *done || (self.pos >= self.pending.len() && !*more_output) {
                        return Ok(None);
                    }
                }
            }
        }
    }

    /// Ends the stream: returns what the decoder still held, or an error
    /// when the stream is incomplete or its checksum is wrong.
    pub(crate) fn finish(&mut self) -> Result<Bytes, String> {
        match &mut self.inner {
            Inner::Identity => Ok(Bytes::new()),
            Inner::Gzip(d) => {
                d.try_finish()
                    .map_err(|e| format!("corrupt gzip stream ({e})"))?;
                Ok(Bytes::from(std::mem::take(d.get_mut())))
            }
            Inner::Zlib(d) => {
                d.try_finish()
                    .map_err(|e| format!("corrupt deflate stream ({e})"))?;
                Ok(Bytes::from(std::mem::take(d.get_mut())))
            }
            Inner::RawDeflate(d) => {
                d.try_finish()
                    .map_err(|e| format!("corrupt deflate stream ({e})"))?;
                Ok(Bytes::from(std::mem::take(d.get_mut())))
            }
            Inner::DeflateUndecided(seen) if seen.is_empty() => Ok(Bytes::new()),
            Inner::DeflateUndecided(_) => Err("deflate stream ended early".to_string()),
            Inner::Brotli { done: true, .. } => Ok(Bytes::new()),
            Inner::Brotli { .. } => Err("brotli stream ended early".to_string()),
        }
    }
}

/// RFC 1950: compression method 8 and a header checksum divisible by 31.
fn is_zlib_header(cmf: u8, flg: u8) -> bool {
    cmf & 0x0f == 8 && (u16::from(cmf) << 8 | u16::from(flg)) % 31 == 0
}

/// One step of a flate2 write-side decoder: feeds input until at least
/// [`OUT_PIECE`] bytes of output are ready or the input is used up. Each
/// `write` consumes only as much input as fits flate2's 32 KiB output
/// buffer, which is what keeps a bomb bounded.
fn flate_piece<D: Write>(
    decoder: &mut D,
    input: &[u8],
    pos: &mut usize,
    out: impl Fn(&mut D) -> &mut Vec<u8>,
) -> Result<Option<Bytes>, String> {
    let mut used = 0;
    while used < input.len() && out(decoder).len() < OUT_PIECE {
        match decoder.write(&input[used..]) {
            // The stream ended; what follows is ignored.
            Ok(0) => used = input.len(),
            Ok(n) => used += n,
            Err(e) => {
                *pos += used;
                return Err(e.to_string());
            }
        }
    }
    *pos += used;
    let produced = std::mem::take(out(decoder));
    if produced.is_empty() {
        Ok(None)
    } else {
        Ok(Some(Bytes::from(produced)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(encoding: &str, data: &[u8], chunk: usize) -> Result<Vec<u8>, String> {
        let mut d = Decoder::for_encoding(Some(encoding)).expect("known coding");
        let mut out = Vec::new();
        for c in data.chunks(chunk) {
            d.push(Bytes::copy_from_slice(c));
            while let Some(p) = d.next_piece()? {
                assert!(p.len() <= OUT_PIECE + 32 * 1024, "piece too large");
                out.extend_from_slice(&p);
            }
        }
        out.extend_from_slice(&d.finish()?);
        Ok(out)
    }

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).expect("gzip");
        e.finish().expect("gzip")
    }

    fn brotli(data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        {
            let mut w = brotli::CompressorWriter::new(&mut out, 4096, 5, 22);
            w.write_all(data).expect("br");
        }
        out
    }

    #[test]
    fn round_trips_in_small_and_large_chunks() {
        let data: Vec<u8> = (0..300_000u32)
            .flat_map(|i| (i % 251).to_le_bytes())
            .collect();
        for chunk in [1, 7, 4096, usize::MAX] {
            assert_eq!(decode_all("gzip", &gzip(&data), chunk).expect("gzip"), data);
            assert_eq!(decode_all("br", &brotli(&data), chunk).expect("br"), data);
            let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
            z.write_all(&data).expect("zlib");
            let z = z.finish().expect("zlib");
            assert_eq!(decode_all("deflate", &z, chunk).expect("zlib"), data);
            let mut r = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
            r.write_all(&data).expect("raw");
            let r = r.finish().expect("raw");
            assert_eq!(decode_all("deflate", &r, chunk).expect("raw"), data);
        }
    }

    #[test]
    fn corrupt_and_truncated_streams_are_errors() {
        assert!(decode_all("gzip", b"this is not gzip at all", 64).is_err());
        let good = gzip(b"hello hello hello hello");
        assert!(decode_all("gzip", &good[..good.len() - 4], 64).is_err());
        let br = brotli(b"hello hello hello hello");
        assert!(decode_all("br", &br[..br.len() / 2], 64).is_err());
        assert!(decode_all("br", b"\xff\xff\xff\xff garbage", 64).is_err());
    }

    #[test]
    fn a_bomb_comes_out_in_bounded_pieces() {
        // 64 MiB of zeros compress to about 64 KiB of gzip and a few bytes
        // of brotli; one pushed chunk must not expand in one go.
        let zeros = vec![0u8; 64 * 1024 * 1024];
        for (name, packed) in [("gzip", gzip(&zeros)), ("br", brotli(&zeros))] {
            let mut d = Decoder::for_encoding(Some(name)).expect("known");
            d.push(Bytes::from(packed));
            let first = d.next_piece().expect("decodes").expect("some output");
            assert!(
                first.len() <= OUT_PIECE + 32 * 1024,
                "{name}: {}",
                first.len()
            );
        }
    }

    #[test]
    fn unknown_codings_pass_through() {
        assert!(Decoder::for_encoding(Some("zstd")).is_none());
        assert!(Decoder::for_encoding(Some("gzip, br")).is_none());
        assert!(Decoder::for_encoding(None).expect("identity").is_identity());
    }
}
