//! sha256 digests, and keys made of several parts.

use sha2::{Digest, Sha256};

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0xf)] as char);
    }
    out
}

/// The plain sha256 of `bytes` in hex, as `sha256sum` prints it.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// A sha256 over several parts, each prefixed by its length, so that moving a
/// byte from one part to the next changes the key (`("ab", "c")` ≠ `("a", "bc")`).
/// Used for every cache key and fingerprint.
#[derive(Debug, Clone, Default)]
pub struct Key(Sha256);

impl Key {
    /// An empty key.
    pub fn new() -> Key {
        Key::default()
    }

    /// Adds one part.
    pub fn part(mut self, bytes: impl AsRef<[u8]>) -> Key {
        self.push(bytes);
        self
    }

    /// Adds one part in place.
    pub fn push(&mut self, bytes: impl AsRef<[u8]>) {
        let bytes = bytes.as_ref();
        self.0.update((bytes.len() as u64).to_le_bytes());
        self.0.update(bytes);
    }

    /// The digest in hex (64 characters).
    pub fn hex(self) -> String {
        hex(&self.0.finalize())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_length_prefixed() {
        let a = Key::new().part("ab").part("c").hex();
        let b = Key::new().part("a").part("bc").hex();
        assert_ne!(a, b);
        assert_eq!(a, Key::new().part("ab").part("c").hex());
        assert_eq!(a.len(), 64);
    }

    #[test]
    fn plain_digests_match_sha256sum() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
