//! Shared helpers of the integration tests: where the shared sample data lives and how to read
//! it line by line (the files mix CRLF and LF, and some contain bytes that are not UTF-8).

use std::path::PathBuf;

/// `shared/data/ais` beside the repository (`nmea/` → `main/` → `work/`).
pub fn ais_data(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/data/ais")
        .join(file)
}

/// The raw lines of a data file, line endings still attached where they were CRLF.
pub fn raw_lines(file: &str) -> Vec<Vec<u8>> {
    let path = ais_data(file);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    bytes.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect()
}

/// True for lines the sample files use as comments or spacing.
pub fn is_comment_or_blank(line: &[u8]) -> bool {
    let trimmed = line.trim_ascii();
    trimmed.is_empty() || trimmed.starts_with(b"#")
}
