//! The file primitives every store goes through: an advisory lock on a
//! sidecar `.lock` file, atomic replacement (temporary file in the same
//! directory, fsync, rename, fsync of the directory), appends, and
//! owner-only permissions for files that may hold secrets.
//!
//! The lock is `flock`-style (`File::lock`): it is released when the
//! process dies, so a `kill -9` never leaves a stale lock behind, and
//! every portico process that writes takes it, so two of them saving at
//! once serialise instead of overwriting each other.

use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::StoreError;

/// Held while a file is read, merged and written; released on drop.
#[derive(Debug)]
pub(crate) struct Lock {
    _file: File,
}

/// `presets.json` -> `presets.json.lock`, beside it.
fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut name: OsString = path.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    path.with_file_name(name)
}

/// Creates the directory (and its parents) owner-only when it is new.
pub(crate) fn ensure_dir(dir: &Path) -> Result<(), StoreError> {
    if dir.as_os_str().is_empty() || dir.is_dir() {
        return Ok(());
    }
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder
        .create(dir)
        .map_err(|e| StoreError::io("create the directory", dir, e))
}

/// Makes `path` an owner-only file (0600), creating it empty when absent,
/// for files portico appends to through other code (the log).
pub(crate) fn private_file(path: &Path) -> Result<(), StoreError> {
    open_private(OpenOptions::new().append(true).create(true))
        .open(path)
        .map_err(|e| StoreError::io("create the file", path, e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(0o600))
            .map_err(|e| StoreError::io("make the file private", path, e))?;
    }
    Ok(())
}

fn open_private(options: &mut OpenOptions) -> &mut OpenOptions {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
}

fn open_lock_file(path: &Path) -> Result<(File, PathBuf), StoreError> {
    if let Some(dir) = path.parent() {
        ensure_dir(dir)?;
    }
    let lock_path = sidecar(path, ".lock");
    let file = open_private(OpenOptions::new().read(true).write(true).create(true))
        .open(&lock_path)
        .map_err(|e| StoreError::io("open the lock file", &lock_path, e))?;
    Ok((file, lock_path))
}

/// Takes the exclusive lock for writing `path`, waiting for another
/// process that holds it.
pub(crate) fn lock_exclusive(path: &Path) -> Result<Lock, StoreError> {
    let (file, lock_path) = open_lock_file(path)?;
    file.lock()
        .map_err(|e| StoreError::io("lock", &lock_path, e))?;
    Ok(Lock { _file: file })
}

/// Takes the shared lock for reading `path` while no one appends to it.
/// `None` when the directory does not exist yet (nothing to read).
pub(crate) fn lock_shared(path: &Path) -> Result<Option<Lock>, StoreError> {
    if path.parent().is_some_and(|dir| !dir.is_dir()) {
        return Ok(None);
    }
    let (file, lock_path) = open_lock_file(path)?;
    file.lock_shared()
        .map_err(|e| StoreError::io("lock", &lock_path, e))?;
    Ok(Some(Lock { _file: file }))
}

/// The largest preset or environment file read whole: far beyond any
/// real one, and small enough that a file grown by accident (or a device
/// put in its place) cannot take the memory.
pub(crate) const MAX_READ_BYTES: u64 = 64 * 1024 * 1024;

/// The file's bytes, or `None` when it does not exist. A file larger than
/// [`MAX_READ_BYTES`] is refused as corrupt, so it is never overwritten.
pub(crate) fn read_optional(path: &Path) -> Result<Option<Vec<u8>>, StoreError> {
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(StoreError::io("read", path, e)),
    };
    // Sized from the file, so the buffer is allocated once.
    let hint = file
        .metadata()
        .map_or(0, |m| m.len())
        .min(MAX_READ_BYTES + 1);
    let mut bytes = Vec::with_capacity(usize::try_from(hint).unwrap_or(0));
    file.take(MAX_READ_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| StoreError::io("read", path, e))?;
    if bytes.len() as u64 > MAX_READ_BYTES {
        return Err(StoreError::Corrupt {
            path: path.to_path_buf(),
            line: 0,
            column: 0,
            message: format!(
                "larger than the {} MiB portico reads",
                MAX_READ_BYTES / 1024 / 1024
            ),
        });
    }
    Ok(Some(bytes))
}

/// The end of a file read by [`read_tail`].
pub(crate) struct Tail {
    /// Whole lines only: the partial line where the tail starts is left out.
    pub bytes: Vec<u8>,
    /// The 1-based number of the tail's first line in the whole file.
    pub first_line: usize,
    /// Bytes before the tail, not read into memory.
    pub skipped: u64,
}

/// The last `max` bytes of a line-oriented file (from a line start), or
/// `None` when it does not exist. The lines before are counted as they
/// stream by, never held, so memory stays within `max` whatever the size.
pub(crate) fn read_tail(path: &Path, max: u64) -> Result<Option<Tail>, StoreError> {
    let mut file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(StoreError::io("read", path, e)),
    };
    let read_error = |e| StoreError::io("read", path, e);
    let metadata = file.metadata().map_err(read_error)?;
    let len = metadata.len();
    if len <= max || !metadata.is_file() {
        let mut bytes = Vec::with_capacity(usize::try_from(len.min(max)).unwrap_or(0));
        file.take(max).read_to_end(&mut bytes).map_err(read_error)?;
        return Ok(Some(Tail {
            bytes,
            first_line: 1,
            skipped: 0,
        }));
    }
    let start = len - max;
    let mut newlines = 0usize;
    let mut last = b'\n';
    let mut head = (&mut file).take(start);
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = head.read(&mut buf).map_err(read_error)?;
        if n == 0 {
            break;
        }
        newlines += buf[..n].iter().filter(|&&b| b == b'\n').count();
        last = buf[n - 1];
    }
    let mut bytes = Vec::with_capacity(usize::try_from(max).unwrap_or(0));
    file.take(max).read_to_end(&mut bytes).map_err(read_error)?;
    // The tail starts mid-line unless the byte before it ended one.
    let cut = if last == b'\n' {
        0
    } else {
        bytes
            .iter()
            .position(|&b| b == b'\n')
            .map_or(bytes.len(), |i| i + 1)
    };
    bytes.drain(..cut);
    Ok(Some(Tail {
        bytes,
        first_line: newlines + 1 + usize::from(cut > 0),
        skipped: start + cut as u64,
    }))
}

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

fn temp_prefix(path: &Path) -> OsString {
    let mut name = OsString::from(".");
    name.push(path.file_name().unwrap_or_default());
    name.push(".tmp.");
    name
}

/// Replaces `path` with `bytes` so that a crash at any moment leaves either
/// the old file or the new one, never a mix. Call with the lock held: it
/// also removes temporary files that a killed writer left behind.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    ensure_dir(dir)?;
    remove_stale_temps(dir, path);
    let mut temp_name = temp_prefix(path);
    temp_name.push(format!(
        "{}.{}",
        std::process::id(),
        TEMP_COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let temp = dir.join(temp_name);
    let result = write_then_rename(&temp, path, bytes);
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result?;
    sync_dir(dir);
    Ok(())
}

fn write_then_rename(temp: &Path, path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let mut file = open_private(OpenOptions::new().write(true).create_new(true))
        .open(temp)
        .map_err(|e| StoreError::io("create a temporary file for", path, e))?;
    file.write_all(bytes)
        .and_then(|()| file.flush())
        .and_then(|()| file.sync_all())
        .map_err(|e| StoreError::io("write", path, e))?;
    drop(file);
    fs::rename(temp, path).map_err(|e| StoreError::io("replace", path, e))
}

/// Makes a rename durable: the directory entry is data too.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(handle) = File::open(dir) {
        let _ = handle.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

fn remove_stale_temps(dir: &Path, path: &Path) {
    let prefix = temp_prefix(path);
    let prefix = prefix.to_string_lossy();
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().starts_with(&*prefix) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Appends `bytes` (whole lines) to `path`, creating it owner-only. Call
/// with the lock held. When the file does not end with a newline (a
/// writer was killed mid-line) a newline is written first, so the torn
/// line stays alone on its line and the new one parses.
pub(crate) fn append(path: &Path, bytes: &[u8]) -> Result<u64, StoreError> {
    if let Some(dir) = path.parent() {
        ensure_dir(dir)?;
    }
    let mut file = open_private(OpenOptions::new().read(true).append(true).create(true))
        .open(path)
        .map_err(|e| StoreError::io("open", path, e))?;
    let len = file
        .metadata()
        .map_err(|e| StoreError::io("read", path, e))?
        .len();
    let mut buffer = Vec::with_capacity(bytes.len() + 1);
    if len > 0 && !ends_with_newline(&mut file, len) {
        buffer.push(b'\n');
    }
    buffer.extend_from_slice(bytes);
    if let Err(e) = file.write_all(&buffer).and_then(|()| file.sync_data()) {
        // A full disk may have taken part of the line: take it back, so
        // the file ends as it did.
        let _ = file.set_len(len);
        return Err(StoreError::io("append to", path, e));
    }
    Ok(len + buffer.len() as u64)
}

fn ends_with_newline(file: &mut File, len: u64) -> bool {
    use std::io::{Read, Seek, SeekFrom};
    let mut last = [0u8; 1];
    file.seek(SeekFrom::Start(len - 1)).is_ok()
        && file.read_exact(&mut last).is_ok()
        && last[0] == b'\n'
}

/// 1-based line and column of a byte offset in a text.
pub(crate) fn line_column(text: &[u8], offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_and_cleans_up() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("sub").join("f.json");
        write_atomic(&path, b"one").expect("first write");
        // A temporary file left by a killed writer.
        let stale = dir.path().join("sub").join(".f.json.tmp.1.1");
        fs::write(&stale, b"half").expect("stale temp");
        write_atomic(&path, b"two").expect("second write");
        assert_eq!(fs::read(&path).expect("read"), b"two");
        assert!(!stale.exists());
        let names: Vec<_> = fs::read_dir(dir.path().join("sub"))
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, vec![OsString::from("f.json")]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn append_repairs_a_torn_last_line() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("h.jsonl");
        fs::write(&path, b"{\"a\":1}\n{\"torn").expect("seed");
        append(&path, b"{\"b\":2}\n").expect("append");
        assert_eq!(
            fs::read_to_string(&path).expect("read"),
            "{\"a\":1}\n{\"torn\n{\"b\":2}\n"
        );
    }

    #[test]
    fn positions() {
        assert_eq!(line_column(b"ab\ncd", 4), (2, 2));
        assert_eq!(line_column(b"", 0), (1, 1));
        assert_eq!(line_column("é\nx".as_bytes(), 2), (1, 2));
    }
}
