//! Stage 7: output. Writes the rendered files into a staging folder beside the output folder, and only when every
//! file is written swaps it in. A failed build leaves the previous output exactly as it was; a good build leaves no
//! stale file from an earlier one.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::render::{Contents, OutputFile};

/// Write `files` as the new contents of `out_dir`, all or nothing.
pub fn write(out_dir: &Path, files: &[OutputFile]) -> Result<()> {
    let parent = parent_of(out_dir);
    fs::create_dir_all(&parent).map_err(|source| Error::Write {
        path: parent.clone(),
        source,
    })?;
    let staging = tempfile::Builder::new()
        .prefix(".iopsite-staging-")
        .tempdir_in(&parent)
        .map_err(|source| Error::Write {
            path: parent.clone(),
            source,
        })?;
    write_all(staging.path(), files)?;
    swap_in(&staging.keep(), out_dir, &parent)
}

fn parent_of(out_dir: &Path) -> PathBuf {
    match out_dir.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn write_all(dir: &Path, files: &[OutputFile]) -> Result<()> {
    let folders: BTreeSet<&str> = files
        .iter()
        .filter_map(|f| f.path.rsplit_once('/').map(|(d, _)| d))
        .collect();
    for folder in folders {
        let path = dir.join(folder);
        fs::create_dir_all(&path).map_err(|source| Error::Write { path, source })?;
    }
    files.par_iter().try_for_each(|file| {
        let path = dir.join(&file.path);
        let written = match &file.contents {
            Contents::Bytes(bytes) => fs::write(&path, bytes),
            Contents::Copy(source) => fs::copy(source, &path).map(drop),
        };
        written.map_err(|source| Error::Write { path, source })
    })
}

/// Put the staging folder in place of the output folder; the old one is moved aside first, then removed.
fn swap_in(staging: &Path, out_dir: &Path, parent: &Path) -> Result<()> {
    let old = if out_dir.exists() {
        let aside = tempfile::Builder::new()
            .prefix(".iopsite-old-")
            .tempdir_in(parent)
            .map_err(|source| Error::Write {
                path: parent.to_path_buf(),
                source,
            })?
            .keep();
        let target = aside.join("site");
        fs::rename(out_dir, &target).map_err(|source| Error::Write {
            path: out_dir.to_path_buf(),
            source,
        })?;
        Some(aside)
    } else {
        None
    };
    if let Err(source) = fs::rename(staging, out_dir) {
        // Put the previous output back so nothing is lost.
        if let Some(aside) = &old {
            let _ = fs::rename(aside.join("site"), out_dir);
        }
        let _ = fs::remove_dir_all(staging);
        return Err(Error::Write {
            path: out_dir.to_path_buf(),
            source,
        });
    }
    if let Some(aside) = old {
        fs::remove_dir_all(&aside).map_err(|source| Error::Write {
            path: aside,
            source,
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, text: &str) -> OutputFile {
        OutputFile {
            path: path.into(),
            contents: Contents::Bytes(text.as_bytes().to_vec()),
        }
    }

    #[test]
    fn replaces_the_output_and_leaves_no_stale_file() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write(&out, &[file("a/index.html", "one"), file("old.html", "x")]).unwrap();
        write(&out, &[file("a/index.html", "two")]).unwrap();
        assert_eq!(fs::read_to_string(out.join("a/index.html")).unwrap(), "two");
        assert!(!out.join("old.html").exists());
        let left: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(
            left,
            vec![std::ffi::OsString::from("public")],
            "no staging folder is left behind"
        );
    }

    #[test]
    fn a_failed_write_keeps_the_previous_output() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write(&out, &[file("index.html", "good")]).unwrap();
        let missing = OutputFile {
            path: "x.css".into(),
            contents: Contents::Copy(dir.path().join("nope.css")),
        };
        assert!(write(&out, &[file("index.html", "bad"), missing]).is_err());
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "good");
    }
}
