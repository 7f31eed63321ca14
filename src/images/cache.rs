//! Processed images kept between builds in `.iopsite/cache/images/` (git-ignored with the rest of `.iopsite/`).
//! Each file is named by a hash of what made it (the source's content, the settings, iopsite's version), so a
//! changed photo or setting makes a new file and an unchanged one is never made twice. `sources.json` remembers
//! each source's hash and header by its size, time and inode, so an unchanged photo is not even read again.
//! Files no build used are removed after a good build.

use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::io::{self, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock, PoisonError};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::probe::Header;

/// The cache folder of a site.
#[derive(Debug)]
pub struct Cache {
    dir: PathBuf,
    /// The files in the folder, listed when first asked and kept up to date by [`Cache::store`] and
    /// [`Cache::prune`]: one `read_dir` instead of a `stat` per entry (a rebuild with 50 photos asks for 250).
    listing: OnceLock<Mutex<HashSet<String>>>,
}

/// What a source file was when it was last read: if its size, time and inode still match, its hash and header do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Known {
    len: u64,
    modified: i64,
    modified_ns: i64,
    inode: u64,
    /// SHA-256 of its bytes, hex.
    pub hash: String,
    /// Its header.
    pub header: Header,
}

impl Known {
    /// A record of `header` and `hash` for a file with this metadata.
    pub fn new(meta: &fs::Metadata, hash: String, header: Header) -> Known {
        Known {
            len: meta.len(),
            modified: meta.mtime(),
            modified_ns: meta.mtime_nsec(),
            inode: meta.ino(),
            hash,
            header,
        }
    }

    /// Whether the file with this metadata is still the one recorded.
    pub fn matches(&self, meta: &fs::Metadata) -> bool {
        (self.len, self.modified, self.modified_ns, self.inode)
            == (meta.len(), meta.mtime(), meta.mtime_nsec(), meta.ino())
    }
}

const SOURCES: &str = "sources.json";

impl Cache {
    /// The cache of the site at `root` (made when first written).
    pub fn of_site(root: &Path) -> Cache {
        Cache {
            dir: root.join(".iopsite").join("cache").join("images"),
            listing: OnceLock::new(),
        }
    }

    fn listing(&self) -> std::sync::MutexGuard<'_, HashSet<String>> {
        self.listing
            .get_or_init(|| {
                // No folder (a first build) or one that cannot be read: nothing is there, and all is made again.
                let names = fs::read_dir(&self.dir)
                    .into_iter()
                    .flatten()
                    .filter_map(Result::ok)
                    .filter(|entry| entry.file_type().is_ok_and(|kind| kind.is_file()))
                    .map(|entry| entry.file_name().to_string_lossy().into_owned())
                    .collect();
                Mutex::new(names)
            })
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The file a cache entry is kept in.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Whether an entry is there.
    pub fn has(&self, name: &str) -> bool {
        self.listing().contains(name)
    }

    /// Keep `bytes` as entry `name`, whole or not at all.
    pub fn store(&self, name: &str, bytes: &[u8]) -> io::Result<()> {
        fs::create_dir_all(&self.dir)?;
        let mut file = tempfile::NamedTempFile::with_prefix_in(".part-", &self.dir)?;
        file.write_all(bytes)?;
        // A temporary file is private (0600), and a copy into the output keeps its mode: a web server running as
        // another user could not read the published images.
        file.as_file()
            .set_permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644))?;
        file.persist(self.path(name)).map_err(|err| err.error)?;
        if let Some(listing) = self.listing.get() {
            listing
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(name.to_string());
        }
        Ok(())
    }

    /// The records of the sources read by earlier builds (none if there are none or they cannot be read).
    pub fn known_sources(&self) -> BTreeMap<String, Known> {
        fs::read(self.path(SOURCES))
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    /// Replace the records of the sources.
    pub fn remember_sources(&self, known: &BTreeMap<String, Known>) -> io::Result<()> {
        let json = serde_json::to_vec(known).map_err(io::Error::other)?;
        self.store(SOURCES, &json)
    }

    /// Remove every entry not in `used` (and parts left by an interrupted build). Returns how many were removed.
    pub fn prune(&self, used: &HashSet<String>) -> io::Result<usize> {
        let entries = match fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(0),
            Err(err) => return Err(err),
        };
        let mut removed = 0;
        for entry in entries {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name != SOURCES && !used.contains(&name) {
                fs::remove_file(entry.path())?;
                if let Some(listing) = self.listing.get() {
                    listing
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .remove(&name);
                }
                removed += 1;
            }
        }
        Ok(removed)
    }
}

/// SHA-256 of `bytes`, hex.
pub(super) fn hash(bytes: &[u8]) -> String {
    data_encoding::HEXLOWER.encode(&Sha256::digest(bytes))
}
