//! Reading a submission's source from a homework folder.

use bytes::Bytes;
use gavel_core::hash::sha256_hex;
use std::path::Path;

/// A submission's source, read without following links, never past the limit.
pub enum Source {
    /// Read whole.
    Read(Bytes),
    /// Larger than the limit: only hashed.
    TooLarge {
        /// Its size.
        size: u64,
        /// Its sha256.
        sha256: String,
    },
}

impl Source {
    /// Its sha256.
    pub fn sha256(&self) -> String {
        match self {
            Source::Read(bytes) => sha256_hex(bytes),
            Source::TooLarge { sha256, .. } => sha256.clone(),
        }
    }
}

/// Reads the plain file `path` as a submission (`gavel_core::fs::open_plain`:
/// never through a link, never blocking on a FIFO); a file past `max` bytes
/// is only hashed, in pieces.
pub fn read_source(path: &Path, max: u64) -> std::io::Result<Source> {
    use gavel_core::fs::{PlainFileError, open_plain, read_at_most};
    use sha2::Digest;
    use std::io::Read;
    let refused = |e: PlainFileError| match e {
        PlainFileError::Io(e) => e,
        other => std::io::Error::other(other.to_string()),
    };
    let (mut file, size) = open_plain(path).map_err(refused)?;
    match read_at_most(&mut file, size, max) {
        Ok(bytes) => return Ok(Source::Read(Bytes::from(bytes))),
        Err(PlainFileError::TooLarge { .. }) => {}
        Err(e) => return Err(refused(e)),
    }
    let (mut file, _) = open_plain(path).map_err(refused)?;
    let mut hasher = sha2::Sha256::new();
    let mut buffer = vec![0; 1 << 16];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        size += n as u64;
        hasher.update(&buffer[..n]);
    }
    Ok(Source::TooLarge {
        size,
        sha256: gavel_core::hash::hex(&hasher.finalize()),
    })
}
