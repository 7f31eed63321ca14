//! Stage 7: output. Writes the rendered files into a staging folder beside the output folder, and only when every
//! file is written swaps it in. A failed build leaves the previous output exactly as it was; a good build leaves no
//! stale file from an earlier one. Files can be written as they are rendered ([`Staging`]), so a big site's HTML
//! never has to be held in memory all at once.

use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::render::{Contents, OutputFile};

/// Write `files` as the new contents of `out_dir`, all or nothing. When two files have the same path, the later
/// one wins.
pub fn write(out_dir: &Path, files: &[OutputFile]) -> Result<()> {
    let staging = Staging::create(out_dir)?;
    let last: HashMap<&str, usize> = files
        .iter()
        .enumerate()
        .map(|(index, file)| (file.path.as_str(), index))
        .collect();
    files
        .par_iter()
        .enumerate()
        .filter(|(index, file)| last[file.path.as_str()] == *index)
        .try_for_each(|(_, file)| staging.write(file))?;
    staging.swap_in()?.remove()
}

/// The previous output, moved aside by [`Staging::swap_in`]. Removing it is the last step of a build; a server
/// first tells the browsers about the new site and removes it afterwards, so they are not kept waiting for it.
#[must_use = "the previous output stays on disk until it is removed"]
pub struct Leftover(Option<PathBuf>);

impl Leftover {
    /// Remove the previous output.
    pub fn remove(self) -> Result<()> {
        match self.0 {
            // Three levels: the folder moved aside, the old output, its sections.
            Some(aside) => remove_tree(&aside, 3).map_err(|source| Error::Write {
                path: aside,
                source,
            }),
            None => Ok(()),
        }
    }
}

/// A staging folder beside the output folder: files go in one by one (from any number of threads), then
/// [`Staging::swap_in`] makes it the output folder. Dropped without `swap_in`, it removes itself and the output
/// folder stays as it was.
pub struct Staging {
    dir: tempfile::TempDir,
    out_dir: PathBuf,
    parent: PathBuf,
}

impl Staging {
    /// Make an empty staging folder in the output folder's parent.
    pub fn create(out_dir: &Path) -> Result<Staging> {
        let parent = parent_of(out_dir);
        let failed = |source| Error::Write {
            path: parent.clone(),
            source,
        };
        fs::create_dir_all(&parent).map_err(failed)?;
        let dir = tempfile::Builder::new()
            .prefix(".iopsite-staging-")
            .tempdir_in(&parent)
            .map_err(failed)?;
        Ok(Staging {
            dir,
            out_dir: out_dir.to_path_buf(),
            parent,
        })
    }

    /// Write one file, making its folder first. Files with the same path replace each other.
    pub fn write(&self, file: &OutputFile) -> Result<()> {
        let path = self.dir.path().join(&file.path);
        let written = (|| {
            if let Some(folder) = path.parent() {
                // Safe from many threads: a folder made by another thread in the meantime counts as made.
                fs::create_dir_all(folder)?;
            }
            match &file.contents {
                Contents::Bytes(bytes) => fs::write(&path, bytes),
                Contents::Copy(source) => fs::copy(source, &path).map(drop),
            }
        })();
        written.map_err(|source| Error::Write { path, source })
    }

    /// Put the staging folder in place of the output folder; the old one is moved aside and handed back.
    pub fn swap_in(self) -> Result<Leftover> {
        let (staging, out_dir, parent) = (self.dir.keep(), self.out_dir, self.parent);
        let old = if out_dir.exists() {
            Some(move_aside(&out_dir, &parent)?)
        } else {
            None
        };
        if let Err(source) = fs::rename(&staging, &out_dir) {
            // Put the previous output back so nothing is lost.
            if let Some(aside) = &old {
                let _ = fs::rename(aside.join("site"), &out_dir);
            }
            let _ = fs::remove_dir_all(&staging);
            return Err(Error::Write {
                path: out_dir,
                source,
            });
        }
        Ok(Leftover(old))
    }
}

fn parent_of(out_dir: &Path) -> PathBuf {
    match out_dir.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Move the output folder into a new hidden folder beside it (as `site`), and return that folder.
fn move_aside(out_dir: &Path, parent: &Path) -> Result<PathBuf> {
    let aside = tempfile::Builder::new()
        .prefix(".iopsite-old-")
        .tempdir_in(parent)
        .map_err(|source| Error::Write {
            path: parent.to_path_buf(),
            source,
        })?
        .keep();
    fs::rename(out_dir, aside.join("site")).map_err(|source| Error::Write {
        path: out_dir.to_path_buf(),
        source,
    })?;
    Ok(aside)
}

/// Remove a folder and everything in it. The top `levels` of folders are removed in parallel, the rest with
/// `remove_dir_all`: the old output of a big site is thousands of folders, and removing them one after another took
/// a tenth of a build. Links are removed, not followed.
fn remove_tree(dir: &Path, levels: usize) -> io::Result<()> {
    if levels == 0 {
        return fs::remove_dir_all(dir);
    }
    let entries = fs::read_dir(dir)?.collect::<io::Result<Vec<_>>>()?;
    entries.par_iter().try_for_each(|entry| {
        if entry.file_type()?.is_dir() {
            remove_tree(&entry.path(), levels - 1)
        } else {
            fs::remove_file(entry.path())
        }
    })?;
    fs::remove_dir(dir)
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
