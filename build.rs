//! Embeds the built-in catalog (`exercises/`) in the binary, so that gavel
//! installed anywhere (`cargo install`) still has it. The files are listed
//! here with `include_bytes!`, and their digest names the copy gavel unpacks
//! into its cache on first use.

use sha2::{Digest, Sha256};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn walk(dir: &Path, base: &Path, files: &mut Vec<(String, PathBuf)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.expect("a readable directory entry"))
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let kind = entry.file_type().expect("a file type");
        if kind.is_dir() {
            walk(&path, base, files);
        } else if kind.is_file() {
            let relative = path
                .strip_prefix(base)
                .expect("inside the catalog")
                .to_str()
                .expect("catalog paths are UTF-8")
                .replace('\\', "/");
            files.push((relative, path));
        }
    }
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("exercises");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files = Vec::new();
    walk(&root, &root, &mut files);
    let mut hasher = Sha256::new();
    let mut code = String::from(
        "/// The built-in catalog's files: path relative to the catalog, contents.\npub(crate) static FILES: &[(&str, &[u8])] = &[\n",
    );
    for (relative, path) in &files {
        let bytes = std::fs::read(path).expect("a readable catalog file");
        hasher.update((relative.len() as u64).to_le_bytes());
        hasher.update(relative.as_bytes());
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(&bytes);
        writeln!(
            code,
            "    ({relative:?}, include_bytes!({:?})),",
            path.display().to_string()
        )
        .unwrap();
    }
    code.push_str("];\n");
    let digest: String = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    writeln!(
        code,
        "/// A digest of every file: the name of the unpacked copy.\npub(crate) const KEY: &str = {:?};",
        &digest[..16]
    )
    .unwrap();
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("builtin_catalog.rs");
    std::fs::write(out, code).expect("OUT_DIR is writable");
}
