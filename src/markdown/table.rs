//! Table column alignment as classes. pulldown-cmark writes `| :-: |` as `style="text-align: center"`, which the
//! site's Content-Security-Policy (no inline styles) blocks, so the alignment is lost and browsers log an error.
//! Aligned cells are written here as `<td class="align-center">` instead; the theme styles the three classes.

use pulldown_cmark::{Alignment, CowStr, Event, Tag, TagEnd};

/// Rewrites the events of tables; everything else passes through.
#[derive(Default)]
pub(super) struct TableAlign {
    alignments: Vec<Alignment>,
    in_head: bool,
    cell: usize,
}

/// Whether [`TableAlign::map`] looks at this event: the start of a table, its head, a row or a cell, and the end
/// of the head or a cell.
pub(super) fn is_mapped(event: &Event<'_>) -> bool {
    matches!(
        event,
        Event::Start(Tag::Table(_) | Tag::TableHead | Tag::TableRow | Tag::TableCell)
            | Event::End(TagEnd::TableHead | TagEnd::TableCell)
    )
}

impl TableAlign {
    /// Change `event` into the one to write instead, in place (events are large: moving each one in and out
    /// cost more than the check).
    pub(super) fn map(&mut self, event: &mut Event<'_>) {
        match event {
            Event::Start(Tag::Table(alignments)) => {
                // The writer then adds no style; the cells below carry the class.
                let none = vec![Alignment::None; alignments.len()];
                self.alignments = std::mem::replace(alignments, none);
            }
            Event::Start(Tag::TableHead) => (self.in_head, self.cell) = (true, 0),
            Event::End(TagEnd::TableHead) => self.in_head = false,
            Event::Start(Tag::TableRow) => self.cell = 0,
            Event::Start(Tag::TableCell) => {
                if let Some(class) = self.class() {
                    *event = Event::InlineHtml(CowStr::from(format!(
                        "<{} class=\"{class}\">",
                        self.tag()
                    )));
                }
            }
            Event::End(TagEnd::TableCell) => {
                if self.class().is_some() {
                    *event = Event::InlineHtml(CowStr::from(format!("</{}>", self.tag())));
                }
                self.cell += 1;
            }
            _ => {}
        }
    }

    fn class(&self) -> Option<&'static str> {
        match self.alignments.get(self.cell)? {
            Alignment::None => None,
            Alignment::Left => Some("align-left"),
            Alignment::Center => Some("align-center"),
            Alignment::Right => Some("align-right"),
        }
    }

    fn tag(&self) -> &'static str {
        if self.in_head { "th" } else { "td" }
    }
}
