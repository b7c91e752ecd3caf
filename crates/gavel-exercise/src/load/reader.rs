//! The only way the loader touches the disk: listing directories and reading
//! files without following links, within size caps, collecting every problem
//! and hashing every byte read into the exercise's fingerprint.

use super::error::{LoadError, LoadProblem};
use bytes::Bytes;
use gavel_core::hash::Key;
use gavel_core::limits;
use std::path::{Path, PathBuf};

/// The largest file a catalog may hold: what the loader keeps in memory is
/// bounded by the catalog's size, never by a single file's.
pub(super) const MAX_FILE: u64 = limits::kib(limits::OUTPUT_RANGE.1);

/// How large a file the loader reads.
#[derive(Debug, Clone, Copy)]
pub(super) enum Cap {
    /// Any catalog file: [`MAX_FILE`].
    File,
    /// An expected output: no larger than the output a run may print (in
    /// bytes), or no program could match it.
    Output(u64),
}

impl Cap {
    fn bytes(self) -> u64 {
        match self {
            Cap::File => MAX_FILE,
            Cap::Output(limit) => limit.min(MAX_FILE),
        }
    }

    fn refusal(self, size: u64) -> LoadProblem {
        match self {
            Cap::File => LoadProblem::FileTooLarge {
                size,
                max: MAX_FILE,
            },
            Cap::Output(limit) => LoadProblem::OutputTooLarge { size, limit },
        }
    }
}

/// A directory entry the loader may read: a plain file or a directory.
pub(super) struct Entry {
    pub(super) name: String,
    pub(super) path: PathBuf,
    pub(super) is_dir: bool,
}

/// Reads one exercise's (or catalog's) files, collecting every problem and
/// hashing every byte it reads into the fingerprint.
pub(super) struct Reader<'a> {
    dir: &'a Path,
    errors: Vec<LoadError>,
    fingerprint: Key,
}

impl<'a> Reader<'a> {
    /// A reader of the files under `dir`, which fingerprints paths relative
    /// to it (so a moved catalog keeps its fingerprints).
    pub(super) fn new(dir: &'a Path) -> Reader<'a> {
        Reader {
            dir,
            errors: Vec::new(),
            fingerprint: Key::new(),
        }
    }

    pub(super) fn dir(&self) -> &'a Path {
        self.dir
    }

    pub(super) fn error(&mut self, error: LoadError) {
        self.errors.push(error);
    }

    pub(super) fn invalid(&mut self, path: impl Into<PathBuf>, problem: LoadProblem) {
        self.error(LoadError::invalid(path, problem));
    }

    pub(super) fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    pub(super) fn into_errors(self) -> Vec<LoadError> {
        self.errors
    }

    /// Adds what decides results without being read from a file.
    pub(super) fn fingerprint_also(&mut self, bytes: &[u8]) {
        self.fingerprint.push(bytes);
    }

    /// The fingerprint of everything read so far, as hex.
    pub(super) fn take_fingerprint(&mut self) -> String {
        std::mem::take(&mut self.fingerprint).hex()
    }

    /// The plain files and directories in `dir`, sorted by name; links,
    /// special files and names that are not UTF-8 are errors.
    pub(super) fn entries(&mut self, dir: &Path) -> Option<Vec<Entry>> {
        let read = match std::fs::read_dir(dir) {
            Ok(read) => read,
            Err(source) => {
                self.error(LoadError::Io {
                    path: dir.to_owned(),
                    source,
                });
                return None;
            }
        };
        let mut entries = Vec::new();
        for entry in read {
            let entry = match entry {
                Ok(entry) => entry,
                Err(source) => {
                    self.error(LoadError::Io {
                        path: dir.to_owned(),
                        source,
                    });
                    continue;
                }
            };
            if let Some(entry) = self.admit(&entry) {
                entries.push(entry);
            }
        }
        entries.sort_by(|a, b| a.name.cmp(&b.name));
        Some(entries)
    }

    /// `entry` if it is a plain file or a directory with a UTF-8 name.
    fn admit(&mut self, entry: &std::fs::DirEntry) -> Option<Entry> {
        let path = entry.path();
        let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
            self.invalid(&path, LoadProblem::NameNotUtf8);
            return None;
        };
        match entry.file_type() {
            Ok(kind) if kind.is_symlink() => {
                let target = std::fs::read_link(&path).ok();
                self.invalid(&path, LoadProblem::SymbolicLink { target });
                None
            }
            Ok(kind) if kind.is_dir() || kind.is_file() => Some(Entry {
                name,
                path,
                is_dir: kind.is_dir(),
            }),
            Ok(_) => {
                self.invalid(&path, LoadProblem::SpecialEntry);
                None
            }
            Err(source) => {
                self.error(LoadError::Io { path, source });
                None
            }
        }
    }

    /// The bytes of the plain file `path`, opened without following a link
    /// and without blocking on a FIFO, if it is at most [`MAX_FILE`].
    pub(super) fn read(&mut self, path: &Path) -> Option<Bytes> {
        self.read_at_most(path, Cap::File).map(Bytes::from)
    }

    fn read_at_most(&mut self, path: &Path, cap: Cap) -> Option<Vec<u8>> {
        match read_plain_file(path, cap) {
            Ok(bytes) => {
                let relative = path.strip_prefix(self.dir).unwrap_or(path);
                self.fingerprint.push(relative.to_string_lossy().as_bytes());
                self.fingerprint.push(&bytes);
                Some(bytes)
            }
            Err(error) => {
                self.error(error);
                None
            }
        }
    }

    pub(super) fn read_text(&mut self, path: &Path) -> Option<String> {
        self.read_text_at_most(path, Cap::File)
    }

    pub(super) fn read_text_at_most(&mut self, path: &Path, cap: Cap) -> Option<String> {
        let bytes = self.read_at_most(path, cap)?;
        match String::from_utf8(bytes) {
            Ok(text) => Some(text),
            Err(e) => {
                let error = e.utf8_error();
                self.invalid(path, LoadProblem::NotUtf8Text { error });
                None
            }
        }
    }
}

fn read_plain_file(path: &Path, cap: Cap) -> Result<Vec<u8>, LoadError> {
    use gavel_core::fs::{PlainFileError, read_plain};
    read_plain(path, cap.bytes()).map_err(|e| match e {
        PlainFileError::Link => LoadError::invalid(path, LoadProblem::LinkWhenOpened),
        PlainFileError::NotPlain => LoadError::invalid(path, LoadProblem::NotPlainFile),
        PlainFileError::TooLarge { size, .. } => LoadError::invalid(path, cap.refusal(size)),
        PlainFileError::Io(source) => LoadError::Io {
            path: path.to_owned(),
            source,
        },
    })
}

/// The line (from 1) of the byte at `offset` of `text`, to point a parser's
/// error at its line.
pub(super) fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_expected_output_is_capped_by_the_output_limit_and_by_any_file_s_cap() {
        assert_eq!(Cap::Output(1024).bytes(), 1024);
        assert_eq!(Cap::Output(u64::MAX).bytes(), MAX_FILE);
        assert_eq!(
            Cap::Output(1024).refusal(3000),
            LoadProblem::OutputTooLarge {
                size: 3000,
                limit: 1024
            }
        );
    }

    #[test]
    fn lines_count_from_one() {
        assert_eq!(line_of("a\nb\n", 0), 1);
        assert_eq!(line_of("a\nb\n", 2), 2);
        assert_eq!(line_of("a", 99), 1);
    }
}
