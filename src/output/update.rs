//! Part of the output stage, for the preview: writing one file into a folder a build made, in place, as the
//! incremental rebuilds do (the full build writes a staging folder instead). The same rules hold: a file that holds
//! the same contents is left alone, and nothing is written through a link.

use std::fs;
use std::path::Path;

use super::{already_there, normalized, parent, write_file};
use crate::error::{Error, Result};
use crate::render::OutputFile;

/// What [`update`] did with a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Updated {
    /// It held these contents already.
    Same,
    /// It held something else.
    Changed,
    /// It was not there.
    New,
}

/// Write one file into a built output folder in place (the preview's incremental rebuilds, under the server's site
/// lock), unless it holds these contents already. As when a build writes its staging folder, a file with another
/// name elsewhere (a hard link) or a symbolic link is replaced, never written through.
pub fn update(out_dir: &Path, file: &OutputFile) -> Result<Updated> {
    let relative = normalized(&file.path);
    let path = out_dir.join(relative.as_ref());
    let failed = |source| Error::Write {
        path: path.clone(),
        source,
    };
    // A folder on the way that is a link (to a folder outside, say) is replaced by a real one.
    let mut folder = out_dir.to_path_buf();
    for part in parent(&relative)
        .into_iter()
        .flat_map(|parent| parent.split('/'))
    {
        folder.push(part);
        if fs::symlink_metadata(&folder).is_ok_and(|meta| meta.file_type().is_symlink()) {
            fs::remove_file(&folder).map_err(failed)?;
        }
    }
    let updated = match fs::symlink_metadata(&path) {
        Ok(meta) if meta.file_type().is_symlink() => {
            fs::remove_file(&path).map_err(failed)?;
            Updated::Changed
        }
        Ok(_) if already_there(&path, &file.contents).map_err(failed)? => return Ok(Updated::Same),
        Ok(_) => Updated::Changed,
        Err(_) => Updated::New,
    };
    write_file(&path, &file.contents).map_err(failed)?;
    Ok(updated)
}
