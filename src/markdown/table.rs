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

impl TableAlign {
    /// The event to write instead of `event`.
    pub(super) fn map<'a>(&mut self, event: Event<'a>) -> Event<'a> {
        match event {
            Event::Start(Tag::Table(alignments)) => {
                // The writer then adds no style; the cells below carry the class.
                let none = vec![Alignment::None; alignments.len()];
                self.alignments = alignments;
                Event::Start(Tag::Table(none))
            }
            Event::Start(Tag::TableHead) => {
                (self.in_head, self.cell) = (true, 0);
                event
            }
            Event::End(TagEnd::TableHead) => {
                self.in_head = false;
                event
            }
            Event::Start(Tag::TableRow) => {
                self.cell = 0;
                event
            }
            Event::Start(Tag::TableCell) => match self.class() {
                Some(class) => {
                    Event::InlineHtml(CowStr::from(format!("<{} class=\"{class}\">", self.tag())))
                }
                None => event,
            },
            Event::End(TagEnd::TableCell) => {
                let aligned = self.class().is_some();
                self.cell += 1;
                if aligned {
                    Event::InlineHtml(CowStr::from(format!("</{}>", self.tag())))
                } else {
                    event
                }
            }
            event => event,
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
