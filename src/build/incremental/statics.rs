//! The rebuild after files published as they are changed (a stylesheet, a script, a PDF in `static/` or beside a
//! page): each is copied over its published copy, as the full build would copy it. Not here (a full build): a file
//! added or deleted (which file wins a path can change), an image (published cleaned of its metadata, and maybe
//! resized), and a file whose path a page's own file takes.

use std::time::Instant;

use super::pages::write_changed;
use super::{Preview, Rebuilt};
use crate::render::{Contents, OutputFile};

impl Preview {
    /// Files published as they are changed and nothing else: copy them. `None` when a full build must do it.
    pub(super) fn static_files(&mut self, changed: &[String]) -> Option<Rebuilt> {
        let start = Instant::now();
        let last = self.last.as_ref()?;
        if changed.is_empty() {
            return None;
        }
        let mut copies = Vec::with_capacity(changed.len());
        for path in changed {
            let source = self.options.root.join(path);
            let published = last.site.library.published_as(&source)?;
            if !source.is_file() || last.kept.made(published) {
                return None;
            }
            copies.push(OutputFile {
                path: published.to_string(),
                contents: Contents::Copy(source),
            });
        }
        let Some((written, _)) = write_changed(&self.options.output, &copies) else {
            // A file may be half written: from here only a full build knows what the output holds.
            self.last = None;
            return None;
        };
        let last = self.last.as_ref()?;
        Some(Rebuilt::incremental(last, (0, written), start))
    }
}
