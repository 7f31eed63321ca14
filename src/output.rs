//! Stage 7: output. Writes the rendered files into a staging folder beside the output folder, and only when every
//! file is written swaps it in. A failed build leaves the previous output exactly as it was; a good build leaves no
//! stale file from an earlier one. Files can be written as they are rendered ([`Staging`]), so a big site's HTML
//! never has to be held in memory all at once.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fs;
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

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

/// The previous output, when it could not become the spare folder (see [`Staging`]) and was moved aside instead.
/// Removing it is the last step of a build; a server first tells the browsers about the new site and removes it
/// afterwards, so they are not kept waiting for it.
#[must_use = "the previous output stays on disk until it is removed"]
pub struct Leftover(Option<PathBuf>);

impl Leftover {
    /// Remove the previous output, if it was moved aside.
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
/// [`Staging::swap_in`] makes it the output folder. Dropped without `swap_in`, the output folder stays as it was.
///
/// The output before last is kept as a spare folder beside the output (`.iopsite-spare-public` for `public`), and
/// the next build writes over it instead of starting empty: writing over a file is cheaper than making a new one and
/// removing the old, which was a sixth of a 10,000-page build. What the spare held and this build did not write is
/// removed before the swap, so the result is exactly what a build into an empty folder gives. Links are removed from
/// the spare before anything is written, and a file with more than one name just before it would be written over,
/// so writing over a file never changes anything outside it (a hard-linked backup of an old `public/`, say).
pub struct Staging {
    dir: PathBuf,
    out_dir: PathBuf,
    spare: PathBuf,
    /// What the spare held, relative to `dir`.
    before: Inventory,
    /// Files written, relative to `dir`; and whether a write had to clear something of the spare's out of its way.
    written: Mutex<Written>,
    swapped: bool,
}

/// Relative paths with `/` separators and no empty or `.` part (see [`normalized`]). Strings and a fast hash, not
/// `PathBuf`s: at 10,000 pages, hashing paths component by component made the last step of a build 10 ms longer.
type PathSet = ahash::AHashSet<String>;

#[derive(Default)]
struct Inventory {
    files: PathSet,
    folders: PathSet,
}

/// Where [`Staging::swap_in`] put the previous output.
enum Previous {
    /// There was none.
    None,
    /// It became the spare folder.
    Spare,
    /// It was moved into this folder, to be removed.
    Aside(PathBuf),
}

#[derive(Default)]
struct Written {
    files: PathSet,
    cleared: bool,
}

impl Staging {
    /// Make the staging folder in the output folder's parent: the spare folder if there is one (taking stock of what
    /// it holds), else a new empty one.
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
            .map_err(failed)?
            .keep();
        let spare = spare_of(out_dir, &parent);
        // Renaming claims the spare in one step (a build running at the same time finds it gone and starts empty);
        // it replaces the empty folder just made. No spare: the folder stays empty.
        let before = match fs::rename(&spare, &dir) {
            Ok(()) => take_stock(&dir).map_err(|source| Error::Write {
                path: dir.clone(),
                source,
            })?,
            Err(_) => Inventory::default(),
        };
        Ok(Staging {
            dir,
            out_dir: out_dir.to_path_buf(),
            spare,
            before,
            written: Mutex::default(),
            swapped: false,
        })
    }

    /// Write one file, making its folder first. Files with the same path replace each other. A file the spare
    /// already holds with the same bytes is left as it is: reading is cheaper than writing, a disk is spared the
    /// write-back, and an upload tool that compares times sees it unchanged.
    pub fn write(&self, file: &OutputFile) -> Result<()> {
        let relative = normalized(&file.path);
        let path = self.dir.join(relative.as_ref());
        if self.before.files.contains(relative.as_ref()) {
            let same = already_there(&path, &file.contents).map_err(|source| Error::Write {
                path: path.clone(),
                source,
            })?;
            if same {
                self.written().files.insert(relative.into_owned());
                return Ok(());
            }
        }
        // A folder the spare held is there already: making it again costs two system calls a file (a tenth of the
        // time spent writing). Should it be gone after all, the write fails and is done again the usual way.
        let folder_was_there =
            parent(&relative).is_some_and(|folder| self.before.folders.contains(folder));
        let written = if folder_was_there {
            write_contents(&path, &file.contents).or_else(|_| write_file(&path, &file.contents))
        } else {
            write_file(&path, &file.contents)
        };
        let written = written.or_else(|err| {
            // Something the spare held may be in the way: a file where a folder is needed, or the reverse.
            if self.clear_way(&relative)? {
                write_file(&path, &file.contents)
            } else {
                Err(err)
            }
        });
        written.map_err(|source| Error::Write { path, source })?;
        self.written().files.insert(relative.into_owned());
        Ok(())
    }

    /// Put the staging folder in place of the output folder. The old output becomes the spare folder; if that
    /// cannot be, it is moved aside and handed back as the [`Leftover`].
    pub fn swap_in(mut self) -> Result<Leftover> {
        let failed = |path: &Path| {
            let path = path.to_path_buf();
            move |source| Error::Write { path, source }
        };
        self.remove_what_was_not_written()
            .map_err(failed(&self.dir))?;
        let previous = if !self.out_dir.exists() {
            Previous::None
        } else if fs::rename(&self.out_dir, &self.spare).is_ok() {
            Previous::Spare
        } else {
            Previous::Aside(move_aside(&self.out_dir, &parent_of(&self.out_dir))?)
        };
        if let Err(source) = fs::rename(&self.dir, &self.out_dir) {
            // Put the previous output back so nothing is lost.
            let _ = match &previous {
                Previous::None => Ok(()),
                Previous::Spare => fs::rename(&self.spare, &self.out_dir),
                Previous::Aside(aside) => fs::rename(aside.join("site"), &self.out_dir),
            };
            return Err(Error::Write {
                path: self.out_dir.clone(),
                source,
            });
        }
        self.swapped = true;
        Ok(Leftover(match previous {
            Previous::Aside(aside) => Some(aside),
            Previous::None | Previous::Spare => None,
        }))
    }

    fn written(&self) -> std::sync::MutexGuard<'_, Written> {
        // A thread that panicked while holding the lock left the set as it was; keep using it.
        self.written.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Remove what the spare has at `relative` or above it that is in the way, but never a file this build wrote:
    /// two files of one build in each other's way stay an error. Returns whether anything was removed.
    fn clear_way(&self, relative: &str) -> io::Result<bool> {
        let mut written = self.written();
        let mut cleared = false;
        for above in folders_above(relative) {
            if self.before.files.contains(above) && !written.files.contains(above) {
                remove_if_present(&self.dir.join(above), false)?;
                cleared = true;
            }
        }
        let taken_by_folder = self.before.folders.contains(relative)
            && !written
                .files
                .iter()
                .any(|file| folders_above(file).any(|above| above == relative));
        if taken_by_folder {
            remove_if_present(&self.dir.join(relative), true)?;
            cleared = true;
        }
        written.cleared |= cleared;
        Ok(cleared)
    }

    /// Remove the spare's files and folders that this build did not write into, so the staging folder holds
    /// exactly this build's files.
    fn remove_what_was_not_written(&self) -> io::Result<()> {
        let written = self.written();
        let needed: ahash::AHashSet<&str> = written
            .files
            .iter()
            .flat_map(|file| folders_above(file))
            .collect();
        // A folder or file the spare had at a path this build used the other way round was cleared by `clear_way`.
        let unused =
            |path: &&String| !needed.contains(path.as_str()) && !written.files.contains(*path);
        // Only the topmost: removing a folder takes everything below.
        let in_needed_folder = |path: &&String| parent(path).is_none_or(|up| needed.contains(up));
        let folders: Vec<&String> = self
            .before
            .folders
            .iter()
            .filter(unused)
            .filter(in_needed_folder)
            .collect();
        let files: Vec<&String> = self
            .before
            .files
            .iter()
            .filter(unused)
            .filter(in_needed_folder)
            .collect();
        folders
            .par_iter()
            .map(|folder| remove_if_present(&self.dir.join(folder), true))
            .chain(
                files
                    .par_iter()
                    .map(|file| remove_if_present(&self.dir.join(file), false)),
            )
            .collect::<io::Result<()>>()?;
        if written.cleared {
            // Clearing the way raced with no other write unless two files of this build were in each other's way:
            // then make sure that is reported rather than one of them silently missing.
            for file in &written.files {
                if !fs::symlink_metadata(self.dir.join(file))?.is_file() {
                    return Err(io::Error::other(format!(
                        "{file} was written but is missing: two files of this build are in each other's way"
                    )));
                }
            }
        }
        Ok(())
    }
}

impl Drop for Staging {
    /// A build that fails leaves the output alone; what it wrote becomes the spare for the next build.
    fn drop(&mut self) {
        if !self.swapped && fs::rename(&self.dir, &self.spare).is_err() {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

fn write_file(path: &Path, contents: &Contents) -> io::Result<()> {
    if let Some(folder) = path.parent() {
        // Safe from many threads: a folder made by another thread in the meantime counts as made.
        fs::create_dir_all(folder)?;
    }
    write_contents(path, contents)
}

/// Whether the spare's file at `path` already holds `contents` (rendered bytes; its length is checked before anything
/// is read). A file with another name elsewhere (a hard link: a backup made with `cp -al`, say) is removed first, so
/// that writing never changes it; it was not looked at when stock was taken, to spare a `stat` of every file.
fn already_there(path: &Path, contents: &Contents) -> io::Result<bool> {
    let bytes = match contents {
        Contents::Bytes(bytes) => bytes,
        Contents::Copy(source) => return copy_already_there(path, source),
        // Its name says what it holds, and the spare is a whole earlier build: nothing to look at.
        Contents::Sealed(_) => return Ok(true),
    };
    let Ok(mut file) = fs::File::open(path) else {
        return Ok(false);
    };
    let meta = file.metadata()?;
    drop_if_linked(path, &meta)?;
    if meta.nlink() > 1 || meta.len() != bytes.len() as u64 {
        return Ok(false);
    }
    // Exactly as many bytes as the file has (`read_to_end` would ask the file's size and position again), into a
    // buffer each thread keeps (as long as the longest page): a new zeroed one for every file was 1.6 % of a build's
    // instructions.
    thread_local! {
        static OLD: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    OLD.with_borrow_mut(|old| {
        if old.len() < bytes.len() {
            old.resize(bytes.len(), 0);
        }
        let old = &mut old[..bytes.len()];
        io::Read::read_exact(&mut file, old)?;
        Ok(old == bytes.as_slice())
    })
}

/// rsync's quick check: a copy is given its source's modification time when written, so the same size and time
/// mean the same file, found from the two files' metadata alone (a site's photos are most of its bytes; opening each
/// one was a sixth of a warm rebuild of 50 photos). A file with another name elsewhere is removed, as above.
fn copy_already_there(path: &Path, source: &Path) -> io::Result<bool> {
    let Ok(meta) = fs::symlink_metadata(path) else {
        return Ok(false);
    };
    if drop_if_linked(path, &meta)? {
        return Ok(false);
    }
    let source = fs::metadata(source)?;
    Ok(meta.is_file() && meta.len() == source.len() && meta.modified()? == source.modified()?)
}

/// Remove the spare's file at `path` if it has another name elsewhere (a hard link), so that writing over it never
/// changes that other file. Whether it was removed.
fn drop_if_linked(path: &Path, meta: &fs::Metadata) -> io::Result<bool> {
    if meta.nlink() <= 1 {
        return Ok(false);
    }
    fs::remove_file(path)?;
    Ok(true)
}

/// Write a file into a folder that exists.
fn write_contents(path: &Path, contents: &Contents) -> io::Result<()> {
    match contents {
        Contents::Bytes(bytes) => fs::write(path, bytes),
        Contents::Copy(source) | Contents::Sealed(source) => {
            fs::copy(source, path)?;
            let modified = fs::metadata(source)?.modified()?;
            fs::File::options()
                .write(true)
                .open(path)?
                .set_modified(modified)
        }
    }
}

/// What a spare folder holds, relative to it. Links and anything that is neither a plain file nor a folder are
/// removed: they are never written over (files with other names elsewhere are removed just before a write would
/// reach them, see [`already_there`]).
fn take_stock(dir: &Path) -> io::Result<Inventory> {
    let mut stock = Inventory::default();
    let mut entries = walkdir::WalkDir::new(dir).min_depth(1).into_iter();
    while let Some(entry) = entries.next() {
        let entry = entry?;
        let kind = entry.file_type();
        // A name that is not UTF-8 was never written by a build (every output path is text): it goes, like a link.
        let relative = crate::content::relative_text(dir, entry.path()).map(str::to_owned);
        match relative {
            Some(relative) if kind.is_dir() => {
                stock.folders.insert(relative);
            }
            Some(relative) if kind.is_file() => {
                stock.files.insert(relative);
            }
            _ if kind.is_dir() => {
                remove_if_present(entry.path(), true)?;
                entries.skip_current_dir();
            }
            _ => fs::remove_file(entry.path())?,
        }
    }
    Ok(stock)
}

/// An output path as the spare's stock has it: `/`-separated parts, none empty or `.` (`a//b/./c` is `a/b/c`).
fn normalized(path: &str) -> Cow<'_, str> {
    let usual = |part: &str| !part.is_empty() && part != ".";
    if path.split('/').all(usual) {
        Cow::Borrowed(path)
    } else {
        Cow::Owned(
            path.split('/')
                .filter(|part| usual(part))
                .collect::<Vec<_>>()
                .join("/"),
        )
    }
}

/// The folder a relative path is in; `None` at the top.
fn parent(path: &str) -> Option<&str> {
    path.rsplit_once('/').map(|(folder, _)| folder)
}

/// Every folder a relative path is in, the nearest first: `a/b/c` gives `a/b`, then `a`.
fn folders_above(path: &str) -> impl Iterator<Item = &str> {
    std::iter::successors(parent(path), |folder| parent(folder))
}

/// Remove a file or a whole folder; gone already is fine.
fn remove_if_present(path: &Path, is_folder: bool) -> io::Result<()> {
    let removed = if is_folder {
        fs::remove_dir_all(path)
    } else {
        fs::remove_file(path)
    };
    match removed {
        Err(err) if err.kind() != io::ErrorKind::NotFound => Err(err),
        _ => Ok(()),
    }
}

fn parent_of(out_dir: &Path) -> PathBuf {
    match out_dir.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// The spare folder of an output folder: hidden, beside it.
fn spare_of(out_dir: &Path, parent: &Path) -> PathBuf {
    let name = out_dir
        .file_name()
        .map_or_else(|| "output".into(), |name| name.to_string_lossy());
    parent.join(format!(".iopsite-spare-{name}"))
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

mod update;

pub use update::{Updated, update};

#[cfg(test)]
mod tests;
